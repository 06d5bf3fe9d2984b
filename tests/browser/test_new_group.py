"""新建群组 as a Feishu or DingTalk user expects it: the type as a segmented control (one row,
a one-line hint under it, arrow keys), departments ticked in the organisation's tree with their
headcounts (filtered by pinyin), people as chips in the search field (× or Backspace takes one
out). The group made has exactly the people chosen. On a phone: a full-height sheet whose
create button stays in reach, nothing wrapped or cut off."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from playwright.async_api import Page, Route, expect
from sqlalchemy import update

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.browser.test_channel_directory import DEMO_PASSWORD, seed_demo
from tests.helpers import Cast
from xietong.core.actor import Role
from xietong.org.demo import COMPANY
from xietong.org.models import User
from xietong.runtime import Runtime

PHONE = {"width": 390, "height": 844}
# 研发部 and the groups below it, as the demo company staffs them.
RD_GROUPS = ("研发部", "前端组", "后端组", "测试组")
RD_PEOPLE = {name for department, _parent, staff in COMPANY if department in RD_GROUPS
             for name, _title, _manager in staff}


async def api_json(page: Page, path: str) -> Any:
    """GET over the page's own session, as the web client would."""
    response = await page.request.get(page.url.split("/chat")[0] + path)
    assert response.ok, await response.text()
    return await response.json()


async def member_names(page: Page, channel_id: int) -> set[str]:
    members = await api_json(page, f"/api/v1/channels/{channel_id}/members")
    ids = "&".join(f"ids={m['user_id']}" for m in members["items"])
    people = await api_json(page, f"/api/v1/users/lookup?{ids}")
    assert len(people) == len(members["items"])
    return {person["display_name"] for person in people}


async def open_new_group(page: Page) -> Any:
    await page.get_by_test_id("new-channel").click()
    dialog = page.get_by_role("dialog", name="新建群组")
    await expect(dialog).to_be_visible()
    return dialog


async def create(page: Page, dialog: Any) -> int:
    """Press 创建; the id of the conversation it opens."""
    before = page.url
    await dialog.get_by_test_id("create-submit").click()
    await expect(dialog).to_be_hidden()
    await page.wait_for_url(lambda url: url != before and re.search(r"/chat/\d+$", url) is not None)
    return int(page.url.rsplit("/", 1)[1])


async def cut_off_texts(page: Page, selector: str) -> list[str]:
    """The texts of the visible elements matching `selector` that do not fit their box."""
    cut: list[str] = await page.locator(selector).evaluate_all(
        "els => els.filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth)"
        ".map(e => e.textContent.trim())")
    return cut


async def test_a_group_gets_exactly_the_people_and_departments_chosen(
        runtime: Runtime, open_page: OpenPage) -> None:
    await seed_demo(runtime)
    page = await open_page("zhaoli", "/chat", password=DEMO_PASSWORD)  # 赵丽, 市场部
    dialog = await open_new_group(page)
    await dialog.get_by_label("群组名称").fill("618 大促联合项目组")

    # The type: one row of choices; Tab lands on the chosen one, the arrows move the choice.
    kinds = dialog.get_by_role("radiogroup", name="类型")
    private = kinds.get_by_role("radio", name="私有群组")
    public = kinds.get_by_role("radio", name="公开群组")
    await expect(kinds.get_by_role("radio")).to_have_count(2)  # announcements: admins only
    await expect(private).to_have_attribute("aria-checked", "true")
    await expect(private).to_have_accessible_description("只有被邀请的人能看到和加入")
    await dialog.get_by_label("简介").focus()
    await page.keyboard.press("Tab")
    await expect(private).to_be_focused()
    await page.keyboard.press("ArrowRight")
    await expect(public).to_be_focused()
    await expect(public).to_have_attribute("aria-checked", "true")
    await expect(private).to_have_attribute("aria-checked", "false")
    await expect(dialog.get_by_text("全公司都能在“浏览频道”中找到并加入")).to_be_visible()
    await expect(dialog.get_by_text("只有被邀请的人能看到和加入")).to_be_hidden()
    await page.keyboard.press("Home")
    await expect(private).to_have_attribute("aria-checked", "true")
    await page.keyboard.press("End")
    await expect(public).to_be_focused()
    await expect(public).to_have_attribute("aria-checked", "true")
    # One Tab stop for the whole row.
    await page.keyboard.press("Shift+Tab")
    await expect(dialog.get_by_label("简介")).to_be_focused()

    # Departments: the tree with the directory's counts, filtered by pinyin as one types.
    departments = dialog.get_by_role("group", name="按部门添加")
    tree_search = departments.get_by_role("searchbox", name="搜索部门")
    await tree_search.fill("yanfa")
    rd = departments.get_by_role("checkbox", name="研发部", exact=True)
    await expect(departments.get_by_role("checkbox")).to_have_count(1)
    await expect(rd).to_have_accessible_description("2 人，含下级部门共 14 人")
    await expect(departments.locator("label", has=page.get_by_role(
        "checkbox", name="研发部", exact=True))).to_contain_text("14")
    await tree_search.fill("火星")
    await expect(departments.get_by_text("没有匹配的部门。")).to_be_visible()
    await tree_search.fill("yf")
    await rd.check()
    chips = departments.get_by_test_id("department-chips")
    await expect(chips.locator(".chip-text")).to_have_text(["研发部 · 14 人"])
    await tree_search.fill("")
    await expect(departments.get_by_role("checkbox")).to_have_count(8)  # the top level
    await departments.get_by_role("button", name="研发部的下级部门").click()
    frontend = departments.get_by_role("checkbox", name="前端组")
    await expect(frontend).to_be_checked()
    await expect(frontend).to_be_disabled()  # comes with 研发部
    await expect(departments.get_by_role("checkbox", name="市场部")).not_to_be_checked()

    # People: chosen from the search, shown as chips; × and Backspace take them out.
    members = dialog.get_by_role("searchbox", name="成员")
    people = dialog.get_by_test_id("people-chips")

    async def add(query: str, name: str) -> None:
        await members.fill(query)
        await dialog.get_by_role("checkbox", name=re.compile(f"^{name}")).check()
        await expect(members).to_have_value("")  # ready for the next name
        await expect(members).to_be_focused()

    await add("wangfang", "王芳")
    await add("jw", "蒋文")
    await expect(people.locator(".chip-text")).to_have_text(["王芳", "蒋文"])
    await people.get_by_role("button", name="移除 王芳").click()
    await expect(people.locator(".chip-text")).to_have_text(["蒋文"])
    await add("machao", "马超")  # also in 研发部 (前端组): counted once
    await add("denglijun", "邓丽君")
    await expect(people.get_by_role("listitem")).to_have_count(3)
    await members.press("Backspace")
    await expect(people.locator(".chip-text")).to_have_text(["蒋文", "马超"])
    await expect(dialog.get_by_role("status").filter(has_text="已移除 邓丽君")).to_be_attached()
    await assert_no_serious_violations(page)
    name_field = dialog.get_by_label("群组名称")
    await name_field.focus()  # the suggestions fold away; the chips stay
    await expect(dialog.get_by_role("checkbox", name=re.compile("^蒋文"))).to_have_count(0)
    # Scrolled back to, the focused field shows below the sticky title, not under it.
    field, title = await name_field.bounding_box(), await dialog.locator("header").bounding_box()
    assert field is not None
    assert title is not None
    assert field["y"] >= title["y"] + title["height"], (field, title)
    await screenshot(page, "new-group-desktop")

    channel_id = await create(page, dialog)
    channel = await api_json(page, f"/api/v1/channels/{channel_id}")
    assert (channel["name"], channel["kind"]) == ("618 大促联合项目组", "public")
    assert await member_names(page, channel_id) == RD_PEOPLE | {"赵丽", "蒋文", "马超"}
    assert len(RD_PEOPLE) == 14


async def test_on_a_phone_the_dialog_is_a_sheet_with_its_button_in_reach(
        runtime: Runtime, open_page: OpenPage) -> None:
    await seed_demo(runtime)
    async with runtime.unit_of_work() as uow:  # an administrator: three types to fit
        await uow.session.execute(update(User).where(User.username == "linxiaoyan")
                                  .values(role=Role.ADMIN.value))
    for locale in ("en", "zh-CN"):
        page = await open_page("linxiaoyan", "/chat", password=DEMO_PASSWORD, locale=locale,
                               viewport=PHONE)
        await page.get_by_test_id("new-channel").click()
        dialog = page.get_by_role("dialog")
        await expect(dialog.get_by_role("radio")).to_have_count(3)
        # Every type's label and hint on one line, none cut off.
        await dialog.get_by_role("radio").first.focus()
        for _ in range(3):
            assert await cut_off_texts(page, "dialog [role=radio], dialog .segment-hint") == []
            await page.keyboard.press("ArrowRight")
    await expect(dialog).to_have_accessible_name("新建群组")

    # The whole screen, and the create button on it without scrolling.
    box = await dialog.bounding_box()
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}, box
    create_button = dialog.get_by_test_id("create-submit")
    await expect(create_button).to_be_in_viewport()
    assert await page.evaluate(
        "(() => { const d = document.querySelector('dialog');"
        " return d.scrollWidth <= d.clientWidth })()")
    await assert_no_serious_violations(page)
    await screenshot(page, "new-group-phone")

    await dialog.get_by_label("群组名称").fill("全员通知")
    kinds = dialog.get_by_role("radiogroup", name="类型")
    await kinds.get_by_role("radio", name="私有群组").focus()
    await page.keyboard.press("ArrowLeft")  # wraps round to the last
    await expect(kinds.get_by_role("radio", name="公告频道")).to_have_attribute(
        "aria-checked", "true")
    await dialog.get_by_role("searchbox", name="搜索部门").fill("sc")
    await dialog.get_by_role("checkbox", name="生产部").check()
    await dialog.get_by_role("searchbox", name="成员").fill("zhaoli")
    await dialog.get_by_role("checkbox", name=re.compile("^赵丽")).check()
    await expect(dialog.get_by_role("checkbox", name=re.compile("^曹颖"))).to_be_visible()
    # Scrolled down to what was chosen, the title and the button are still on the screen.
    await dialog.get_by_test_id("department-chips").scroll_into_view_if_needed()
    await expect(create_button).to_be_in_viewport()
    await expect(dialog.get_by_role("button", name="关闭")).to_be_in_viewport()
    await screenshot(page, "new-group-phone-chosen")
    # The server refusing says so beside the button, and keeps what was chosen for a retry.
    channels_api = re.compile(r"/api/v1/channels$")
    refuse = unavailable("暂时无法创建群组")

    async def refuse_creating(route: Route) -> None:
        await (refuse(route) if route.request.method == "POST" else route.continue_())

    await page.route(channels_api, refuse_creating)
    await create_button.click()
    await expect(dialog.get_by_role("alert")).to_have_text("暂时无法创建群组")
    await expect(dialog.get_by_role("alert")).to_be_in_viewport()
    await expect(dialog.get_by_test_id("department-chips")).to_contain_text("生产部 · 4 人")
    await page.unroute(channels_api)
    channel_id = await create(page, dialog)
    channel = await api_json(page, f"/api/v1/channels/{channel_id}")
    assert channel["kind"] == "announcement"
    production = {name for department, _parent, staff in COMPANY if department == "生产部"
                  for name, _title, _manager in staff}
    assert await member_names(page, channel_id) == production | {"林晓燕", "赵丽"}


async def test_the_pickers_say_when_they_load_find_nothing_or_fail(
        cast: Cast, open_page: OpenPage) -> None:
    departments_api = re.compile(r"/api/v1/departments$")
    people_api = re.compile(r"/api/v1/users\?")
    page = await open_page("lina", "/people")
    await page.route(departments_api, unavailable())
    await page.route(people_api, unavailable())
    await page.goto(page.url.replace("/people", "/chat"))
    await page.get_by_test_id("new-channel").click()
    dialog = page.get_by_role("dialog", name="新建群组")
    departments = dialog.get_by_role("group", name="按部门添加")
    await expect(departments.get_by_role("alert")).to_contain_text("服务暂时不可用")
    members = dialog.get_by_role("searchbox", name="成员")
    async with page.expect_response(lambda response: "q=li" in response.url):
        await members.fill("li")
    await expect(dialog.get_by_role("alert").filter(has_text="无法加载同事列表")).to_be_visible()

    # Retried while the server is slow: each says it is loading, then shows what came.
    answer = asyncio.Event()

    async def slow(route: Route) -> None:
        await answer.wait()
        await route.continue_()

    for api in (departments_api, people_api):
        await page.unroute(api)
        await page.route(api, slow)
    await departments.get_by_role("button", name="重试").click()
    await expect(departments.get_by_role("status")).to_have_text("正在加载部门…")
    await dialog.get_by_role("button", name="重试").click()
    await expect(dialog.get_by_text("正在加载…")).to_be_visible()
    answer.set()
    await expect(departments.get_by_role("checkbox", name="销售部")).to_be_visible()
    await expect(dialog.get_by_role("checkbox", name=re.compile("^刘洋"))).to_be_visible()
    await expect(dialog.get_by_role("alert")).to_have_count(0)

    # Nothing found, said as such; Escape empties a search before it closes the dialog.
    await members.fill("火星人")
    await expect(dialog.get_by_text("没有找到匹配的同事。")).to_be_visible()
    await members.press("Escape")
    await expect(members).to_have_value("")
    tree_search = departments.get_by_role("searchbox", name="搜索部门")
    await tree_search.fill("火星")
    await expect(departments.get_by_text("没有匹配的部门。")).to_be_visible()
    await tree_search.press("Escape")
    await expect(departments.get_by_role("checkbox", name="销售部")).to_be_visible()
    await expect(dialog).to_be_visible()
    await tree_search.press("Escape")
    await expect(dialog).to_be_hidden()
