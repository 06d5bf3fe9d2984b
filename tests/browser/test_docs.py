"""Documents in the browser: two people typing into one page see each other's words and
carets, a reader's editor is read-only, versions are saved, compared and restored (the text
coming back in both browsers), a page made from the 会议纪要 template opens with its content
and is dragged under another page in the tree; the spaces home, a space's stale list and
trash, loading/empty/error states, and the phone layout."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import Locator, Page, ViewportSize, expect
from sqlalchemy import update

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.browser.test_projects import open_live
from tests.documents.helpers import make_page, space_id_of, tree
from tests.glossary.helpers import make_term
from tests.helpers import Cast, Person, create_channel, post
from xietong.core.clock import utcnow
from xietong.documents.collab import _ROOMS
from xietong.documents.models import Page as PageRow
from xietong.runtime import Runtime

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
async def rooms_closed(runtime: Runtime, live_server: str) -> AsyncIterator[None]:
    """After a test (its browsers closed first): wait until the server has let go of every
    page's room, its last text derived and versions taken, before the tables are emptied
    under it (PostgreSQL's TRUNCATE would otherwise wait on those writes)."""
    yield
    rooms = _ROOMS.get(runtime.realtime)
    for _ in range(100):
        if rooms is None or (not rooms.rooms and not rooms._tasks):
            return
        await asyncio.sleep(0.05)


def editor(page: Page) -> Locator:
    return page.get_by_test_id("doc-editor")


async def open_doc(open_page: OpenPage, username: str, page_id: int,
                   viewport: ViewportSize | None = None) -> Page:
    """`username` on the page, once its document has arrived over the collab socket."""
    browser_page = await open_page(username, f"/docs/pages/{page_id}", viewport=viewport)
    await expect(editor(browser_page)).to_be_visible()
    if viewport is None:
        await expect(browser_page.get_by_test_id("collab-status")).to_have_text("已保存")
    return browser_page


async def type_at_end(page: Page, text: str) -> None:
    """Click at the end of the body and type, as a person would (in a new paragraph when
    the body has words already)."""
    await editor(page).click()
    await page.keyboard.press("Control+End")
    if (await editor(page).inner_text()).strip():
        await page.keyboard.press("Enter")
    await page.keyboard.type(text, delay=15)


async def derived(person: Person, page_id: int, *present: str, absent: str = "") -> str:
    """The page's Markdown once it holds every one of `present` (and not `absent`): the server
    derives it a second after edits pause."""
    markdown = ""
    for _ in range(60):
        markdown = await page_markdown(person, page_id)
        if all(p in markdown for p in present) and not (absent and absent in markdown):
            return markdown
        await asyncio.sleep(0.25)
    raise AssertionError(f"the page's Markdown never read as expected: {markdown!r}")


async def page_markdown(person: Person, page_id: int) -> str:
    response = await person.api.get(f"/api/v1/pages/{page_id}")
    assert response.status_code == 200, response.text
    markdown: str = response.json()["markdown"]
    return markdown


async def research_page(cast: Cast, title: str, **body: Any) -> dict[str, Any]:
    """A page in 研发部's space: 研发部 (李娜) edits it, the company reads it."""
    return await make_page(cast.lina, await space_id_of(cast, "研发部"), title, **body)


async def test_two_people_type_into_one_page_and_see_each_other(
        cast: Cast, open_page: OpenPage) -> None:
    made = await research_page(cast, "接口设计评审")
    lina = await open_doc(open_page, "lina", made["id"])
    lin = await open_doc(open_page, "linxiaoyan", made["id"])

    await type_at_end(lina, "李娜写的第一段")
    await expect(editor(lin)).to_contain_text("李娜写的第一段")
    await type_at_end(lin, "林晓燕补充的第二段")
    await expect(editor(lina)).to_contain_text("林晓燕补充的第二段")

    # Each sees the other's caret, named, and both on the page.
    await expect(lina.locator(".collab-caret-label", has_text="林晓燕")).to_be_visible()
    await lina.keyboard.type("。")
    await expect(lin.locator(".collab-caret-label", has_text="李娜")).to_be_visible()
    presence = lina.get_by_test_id("presence")
    await expect(presence.locator("li")).to_have_count(2)
    await expect(presence).to_have_attribute("aria-label", re.compile("林晓燕"))

    # What they typed reaches the page's Markdown, each once.
    await expect(lina.get_by_test_id("collab-status")).to_have_text("已保存")
    markdown = await derived(cast.lina, made["id"], "林晓燕补充的第二段", "李娜写的第一段。")
    assert markdown.count("李娜写的第一段") == 1
    await screenshot(lina, "docs-coediting-desktop")
    await assert_no_serious_violations(lina)

    # A new title typed in one browser shows in the other's header and tree.
    title = lin.get_by_test_id("page-title")
    await title.fill("接口设计评审（第二轮）")
    await title.press("Enter")
    await expect(lina.get_by_test_id("page-title")).to_have_value("接口设计评审（第二轮）")
    await expect(lina.get_by_test_id(f"tree-row-{made['id']}")).to_contain_text("第二轮")
    await expect(lina.get_by_test_id("breadcrumbs")).to_contain_text("第二轮")


async def test_a_reader_sees_changes_arrive_but_cannot_edit(
        cast: Cast, open_page: OpenPage) -> None:
    made = await research_page(cast, "研发规范")
    lina = await open_doc(open_page, "lina", made["id"])
    await type_at_end(lina, "代码合并前需要两人评审")
    # 张伟 (销售部) reads the company's pages but edits none of 研发部's.
    zhang = await open_doc(open_page, "zhangwei", made["id"])
    await expect(editor(zhang)).to_contain_text("代码合并前需要两人评审")
    await expect(zhang.get_by_test_id("readonly-badge")).to_have_text("只读")
    await expect(editor(zhang)).to_have_attribute("contenteditable", "false")
    await expect(editor(zhang)).to_have_attribute("aria-readonly", "true")
    await expect(zhang.get_by_test_id("editor-toolbar")).to_have_count(0)
    await expect(zhang.get_by_test_id("page-title")).to_have_text("研发规范")
    await editor(zhang).click()
    await zhang.keyboard.type("张伟想改")
    await expect(editor(zhang)).not_to_contain_text("张伟想改")

    # Changes keep arriving, and the reader's socket stays (never taken for a writer's).
    await type_at_end(lina, "合并后自动部署到测试环境")
    await expect(editor(zhang)).to_contain_text("合并后自动部署到测试环境")
    await expect(zhang.get_by_test_id("collab-stopped")).to_have_count(0)
    await expect(zhang.get_by_test_id("collab-status")).to_have_text("已保存")
    assert "张伟想改" not in await derived(cast.lina, made["id"], "合并后自动部署")
    await screenshot(zhang, "docs-readonly-desktop")
    await assert_no_serious_violations(zhang)

    # 李娜 marks it confidential and keeps it to 研发部: 张伟's open page is cut off.
    await lina.get_by_test_id("classification").click()
    await lina.get_by_test_id("classify-confidential").click()
    await expect(lina.get_by_test_id("classification")).to_contain_text("机密")
    await lina.get_by_test_id("open-permissions").click()
    dialog = lina.get_by_role("dialog", name="文档权限")
    await expect(dialog.get_by_test_id("grant-list")).to_contain_text("全公司")
    await expect(dialog.get_by_test_id("grant-list")).to_contain_text("研发部")
    await dialog.get_by_test_id("permissions-own").check()
    await dialog.get_by_test_id("grant-everyone").get_by_role("button", name="移除 全公司").click()
    await expect(dialog.get_by_test_id("grant-list")).not_to_contain_text("全公司")
    await screenshot(lina, "docs-permissions-desktop")
    await assert_no_serious_violations(lina)
    await dialog.get_by_test_id("permissions-save").click()
    await expect(lina.get_by_test_id("docs-notice")).to_contain_text("权限已保存")
    await expect(zhang.get_by_test_id("collab-stopped").or_(zhang.get_by_test_id("docs-not-found"))
                 ).to_be_visible()
    await expect(editor(zhang)).to_have_count(0, timeout=15_000)
    response = await cast.zhangwei.api.get(f"/api/v1/pages/{made['id']}")
    assert response.status_code == 404


async def test_versions_are_saved_compared_and_restored_in_both_browsers(
        cast: Cast, open_page: OpenPage) -> None:
    made = await research_page(cast, "季度计划")
    lina = await open_doc(open_page, "lina", made["id"])
    lin = await open_doc(open_page, "linxiaoyan", made["id"])
    await type_at_end(lina, "目标：完成支付模块重构")
    await expect(editor(lin)).to_contain_text("目标：完成支付模块重构")
    await derived(cast.lina, made["id"], "目标：完成支付模块重构")

    await lina.get_by_test_id("open-versions").click()
    panel = lina.get_by_test_id("versions-panel")
    await expect(panel.get_by_test_id("version-save")).to_be_visible()
    await panel.get_by_test_id("version-save").click()
    await panel.get_by_test_id("version-name").fill("评审前定稿")
    await panel.get_by_test_id("version-save-submit").click()
    await expect(lina.get_by_test_id("docs-notice")).to_contain_text("评审前定稿")
    saved = panel.get_by_test_id("version").filter(has_text="评审前定稿")
    await expect(saved).to_be_visible()

    # A change after it, then the comparison shows it as added.
    await type_at_end(lin, "新增：上线灰度方案")
    await expect(editor(lina)).to_contain_text("新增：上线灰度方案")
    await derived(cast.lina, made["id"], "新增：上线灰度方案")
    await saved.get_by_test_id("version-diff").click()
    diff = panel.get_by_test_id("version-diff-view")
    await expect(diff.locator(".line.op-insert").filter(has_text="上线灰度方案")).to_have_count(1)
    await expect(diff.locator(".line.op-delete")).to_have_count(0)
    await expect(diff).to_contain_text("新增 2 行")  # the paragraph and the blank line before it
    await screenshot(lina, "docs-versions-diff-desktop")
    await assert_no_serious_violations(lina)
    await panel.get_by_test_id("version-mode-view").click()
    await expect(panel.get_by_test_id("version-content")).to_contain_text("目标：完成支付模块重构")
    await expect(panel.get_by_test_id("version-content")).not_to_contain_text("上线灰度方案")

    # Restored: the text goes in both browsers, and the page before it is kept.
    await panel.get_by_test_id("version-restore-open").click()
    confirm = lina.get_by_role("dialog", name="恢复到这个版本？")
    await expect(confirm).to_contain_text("当前内容会先保存为一个版本")
    await confirm.get_by_test_id("version-restore-confirm").click()
    await expect(editor(lina)).not_to_contain_text("新增：上线灰度方案")
    await expect(editor(lin)).not_to_contain_text("新增：上线灰度方案")
    await expect(editor(lin)).to_contain_text("目标：完成支付模块重构")
    await expect(panel.get_by_test_id("version").first).to_contain_text("恢复自版本")
    await derived(cast.lina, made["id"], "目标：完成支付模块重构", absent="上线灰度方案")
    # Both go on editing the restored page.
    await type_at_end(lin, "恢复后继续写")
    await expect(editor(lina)).to_contain_text("恢复后继续写")


async def test_a_page_from_the_meeting_template_is_dragged_under_another(
        cast: Cast, open_page: OpenPage) -> None:
    space_id = await space_id_of(cast, "研发部")
    parent = await make_page(cast.lina, space_id, "项目资料")
    lina = await open_page("lina", f"/docs/spaces/{space_id}")
    await expect(lina.get_by_test_id("space-name")).to_have_text("研发部")
    await expect(lina.get_by_test_id(f"tree-row-{parent['id']}")).to_be_visible()

    await lina.get_by_test_id("space-new-page").click()
    dialog = lina.get_by_role("dialog", name="新建文档")
    await dialog.get_by_text("会议纪要").click()
    await screenshot(lina, "docs-new-page-desktop")
    await assert_no_serious_violations(lina)
    await dialog.get_by_test_id("create-page-submit").click()
    await expect(lina).to_have_url(re.compile(r"/docs/pages/\d+$"))
    notes_id = int(lina.url.rsplit("/", 1)[1])
    await expect(lina.get_by_test_id("page-title")).to_have_value("会议纪要")
    body = editor(lina)
    for words in ("议题", "讨论要点", "决议", "待办事项", "负责人", "下次会议"):
        await expect(body).to_contain_text(words)
    await expect(body.locator("table th")).to_have_count(4)
    await expect(body.locator("ol > li")).to_have_count(2)

    # Dragged onto the middle of 项目资料: it goes under it.
    row = lina.get_by_test_id(f"tree-row-{notes_id}")
    target = lina.get_by_test_id(f"tree-row-{parent['id']}")
    await drag_onto(lina, row, target)
    await expect(lina.get_by_test_id("docs-notice")).to_contain_text("已移动")
    await expect(row).to_have_attribute("aria-level", "2")
    await expect(target).to_have_attribute("aria-expanded", "true")
    await parent_becomes(cast.lina, space_id, notes_id, parent["id"])
    await expect(lina.get_by_test_id("breadcrumbs")).to_contain_text("项目资料")

    # And back out by keyboard: Alt+Left takes it out a level.
    await row.focus()
    await lina.keyboard.press("Alt+ArrowLeft")
    await expect(row).to_have_attribute("aria-level", "1")
    await parent_becomes(cast.lina, space_id, notes_id, None)
    await screenshot(lina, "docs-template-page-desktop")
    await assert_no_serious_violations(lina)

    # Renamed from the row's menu, in place; an icon from the page's menu.
    await row.hover()
    await row.get_by_test_id("tree-more").click()
    menu = lina.get_by_test_id("tree-menu")
    await expect(menu.get_by_role("menuitem")).to_contain_text(["新建子文档", "重命名", "更换图标"])
    await screenshot(lina, "docs-tree-menu-desktop")
    await assert_no_serious_violations(lina)
    await menu.get_by_test_id("tree-menu-rename").click()
    await lina.get_by_test_id("tree-rename").fill("周会纪要 12月7日")
    await lina.get_by_test_id("tree-rename").press("Enter")
    await expect(row.get_by_test_id("tree-title")).to_have_text("周会纪要 12月7日")
    await expect(lina.get_by_test_id("page-title")).to_have_value("周会纪要 12月7日")
    await lina.get_by_test_id("page-more").click()
    await lina.get_by_test_id("menu-icon").click()
    await lina.get_by_role("dialog", name="选择图标").get_by_test_id("icon-🎯").click()
    await expect(row).to_contain_text("🎯")
    for _ in range(40):
        stored = (await cast.lina.api.get(f"/api/v1/pages/{notes_id}")).json()
        if stored["icon"]:
            break
        await asyncio.sleep(0.1)
    assert (stored["title"], stored["icon"]) == ("周会纪要 12月7日", "🎯")


async def parent_becomes(person: Person, space_id: int, page_id: int,
                         parent_id: int | None) -> None:
    """Wait until the server's tree has the page under `parent_id` (None: at the top)."""
    for _ in range(40):
        if {i["id"]: i["parent_id"] for i in await tree(person, space_id)}[page_id] == parent_id:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"page {page_id} never went under {parent_id}")


async def drag_onto(page: Page, source: Locator, target: Locator) -> None:
    """Drags `source` by the pointer (SortableJS follows it) onto the middle of `target`."""
    start = await source.bounding_box()
    end = await target.bounding_box()
    assert start is not None
    assert end is not None
    x0, y0 = start["x"] + 40, start["y"] + start["height"] / 2
    await page.mouse.move(x0, y0)
    await page.mouse.down()
    await page.mouse.move(x0 + 6, y0 + 6, steps=3)
    await page.mouse.move(end["x"] + 60, end["y"] + end["height"] / 2, steps=12)
    await page.wait_for_timeout(150)
    await expect(target).to_have_class(re.compile("drop-inside"))
    await page.mouse.up()


async def test_the_docs_home_a_space_stale_list_and_trash(
        cast: Cast, open_page: OpenPage, runtime: Runtime) -> None:
    space_id = await space_id_of(cast, "研发部")
    kept = await make_page(cast.lina, space_id, "部署手册")
    old = await make_page(cast.lina, space_id, "旧版接口说明")
    response = await cast.lina.api.put(f"/api/v1/pages/{old['id']}/freshness",
                                       json={"owner_id": cast.lina.id, "review_every_days": 30})
    assert response.status_code == 200, response.text
    async with runtime.unit_of_work() as uow:
        await uow.session.execute(update(PageRow).where(PageRow.id == old["id"]).values(
            reviewed_at=utcnow() - timedelta(days=40)))
    await cast.lina.api.get(f"/api/v1/pages/{kept['id']}")  # recently viewed
    await cast.lina.api.put(f"/api/v1/pages/{kept['id']}/favourite")

    lina = await open_page("lina", "/docs")
    await expect(lina.get_by_role("navigation", name="主导航").get_by_role("link", name="文档")
                 ).to_have_class(re.compile("router-link-active"))
    department = lina.get_by_test_id("spaces-department")
    await expect(department.get_by_test_id("space-card")).to_have_count(5)
    await expect(department.get_by_test_id("space-card").filter(has_text="研发部")
                 ).to_contain_text("2 篇文档")
    await expect(lina.get_by_test_id("recent-list")).to_contain_text("部署手册")
    await lina.get_by_test_id("tab-favourites").click()
    await expect(lina.get_by_test_id("favourites-list")).to_contain_text("部署手册")
    await screenshot(lina, "docs-home-desktop")
    await assert_no_serious_violations(lina)

    # A new shared space, opened at once, empty.
    await lina.get_by_test_id("new-space").click()
    dialog = lina.get_by_role("dialog", name="新建共享空间")
    await dialog.get_by_test_id("create-space-submit").click()
    await expect(dialog.get_by_text("请填写空间名称")).to_be_visible()
    await dialog.get_by_test_id("space-name").fill("产品知识库")
    await dialog.get_by_test_id("icon-💡").click()
    await dialog.get_by_test_id("create-space-submit").click()
    await expect(lina.get_by_test_id("space-name")).to_have_text("产品知识库")
    await expect(lina.get_by_test_id("space-empty")).to_contain_text("这个空间还没有文档")
    await expect(lina.get_by_test_id("tree-empty")).to_be_visible()
    await screenshot(lina, "docs-space-empty-desktop")
    await assert_no_serious_violations(lina)

    # 研发部's space: the overdue page in 待复核, a page to the trash and back.
    await lina.goto(lina.url.rsplit("/docs", 1)[0] + f"/docs/spaces/{space_id}")
    await lina.get_by_test_id("sidebar-stale").click()
    stale = lina.get_by_test_id("stale-list")
    await expect(stale).to_contain_text("旧版接口说明")
    await expect(stale).to_contain_text("逾期 10 天")
    await screenshot(lina, "docs-stale-desktop")
    await assert_no_serious_violations(lina)
    await stale.get_by_text("旧版接口说明").click()
    await expect(lina.get_by_test_id("stale-banner")).to_be_visible()
    await lina.get_by_test_id("stale-review").click()
    await expect(lina.get_by_test_id("stale-banner")).to_have_count(0)
    await expect(lina.get_by_test_id("freshness")).to_contain_text("每 30 天复核一次")

    row = lina.get_by_test_id(f"tree-row-{old['id']}")
    await row.focus()
    await lina.keyboard.press("Delete")
    await expect(lina.get_by_test_id("docs-notice")).to_contain_text("已将“旧版接口说明”移到回收站")
    await expect(row).to_have_count(0)
    await expect(lina).to_have_url(re.compile(rf"/docs/spaces/{space_id}$"))
    await lina.get_by_test_id("sidebar-trash").click()
    trash = lina.get_by_test_id("trash-list")
    await expect(trash).to_contain_text("旧版接口说明")
    await expect(trash).to_contain_text("李娜 删除于")
    await screenshot(lina, "docs-trash-desktop")
    await assert_no_serious_violations(lina)
    await trash.get_by_test_id("trash-restore").click()
    await expect(lina.get_by_test_id("trash-empty")).to_be_visible()
    await expect(row).to_be_visible()


async def test_states_when_the_server_fails_or_the_page_is_not_for_you(
        cast: Cast, open_page: OpenPage) -> None:
    secret = await research_page(cast, "薪资方案")
    response = await cast.lina.api.put(
        f"/api/v1/pages/{secret['id']}/permissions",
        json={"inherit": False, "grants": [{"subject": "user", "user_id": cast.lina.id,
                                            "level": "manage"}]})
    assert response.status_code == 200, response.text
    zhang = await open_page("zhangwei", f"/docs/pages/{secret['id']}")
    await expect(zhang.get_by_test_id("docs-not-found")).to_contain_text("找不到这篇文档")
    await assert_no_serious_violations(zhang)

    await zhang.route("**/api/v1/spaces", unavailable())
    await zhang.goto(zhang.url.rsplit("/docs", 1)[0] + "/docs")
    await expect(zhang.get_by_test_id("spaces-error")).to_contain_text("服务暂时不可用")
    await zhang.unroute("**/api/v1/spaces")
    await zhang.get_by_test_id("spaces-error").get_by_role("button", name="重试").click()
    await expect(zhang.get_by_test_id("space-card").first).to_be_visible()


async def test_the_phone_layout_puts_the_tree_in_a_drawer(
        cast: Cast, open_page: OpenPage) -> None:
    space_id = await space_id_of(cast, "研发部")
    made = await make_page(cast.lina, space_id, template="meeting_notes")
    await make_page(cast.lina, space_id, "部署手册", parent_id=made["id"])
    lina = await open_doc(open_page, "lina", made["id"], viewport=PHONE)
    await expect(editor(lina)).to_contain_text("讨论要点")
    sidebar = lina.get_by_test_id("docs-sidebar")
    await expect(sidebar).not_to_be_in_viewport()
    await screenshot(lina, "docs-page-phone")
    await assert_no_serious_violations(lina)
    await lina.get_by_test_id("open-tree").click()
    await expect(sidebar).to_be_in_viewport()
    await expect(sidebar.get_by_text("会议纪要")).to_be_visible()
    notes_row = sidebar.get_by_test_id(f"tree-row-{made['id']}")
    await expect(notes_row).to_have_attribute("aria-expanded", "false")
    await notes_row.locator(".twisty").click()
    await expect(sidebar.get_by_text("部署手册")).to_be_visible()
    await lina.wait_for_timeout(300)  # the drawer's slide
    await screenshot(lina, "docs-tree-phone")
    await assert_no_serious_violations(lina)
    await sidebar.get_by_test_id(f"tree-row-{made['id']}").get_by_test_id("tree-add").click()
    dialog = lina.get_by_role("dialog", name="新建文档")
    await expect(dialog).to_contain_text("新建在“会议纪要”下")
    await dialog.get_by_role("button", name="取消").click()
    await lina.keyboard.press("Escape")
    await expect(sidebar).not_to_be_in_viewport()
    await lina.get_by_test_id("open-versions").click()
    await expect(lina.get_by_test_id("versions-panel")).to_be_in_viewport()
    await screenshot(lina, "docs-versions-phone")

    home = await open_page("lina", "/docs", viewport=PHONE)
    await expect(home.get_by_test_id("space-card").first).to_be_visible()
    await screenshot(home, "docs-home-phone")
    await assert_no_serious_violations(home)


async def test_glossary_terms_in_a_page_show_their_cards_to_each_reader(
        cast: Cast, open_page: OpenPage) -> None:
    await make_term(cast, cast.wangfang, "SLA", "客服部", english="Service Level Agreement",
                    definition="服务等级协议：承诺的响应和解决时限。")
    await make_term(cast, cast.zhangwei, "底价", "销售部", visibility="department")
    made = await research_page(cast, "对外承诺")
    lina = await open_doc(open_page, "lina", made["id"])
    await type_at_end(lina, "客服的 SLA 与销售的底价，再说一次 SLA。")
    # Her terms only (底价 is 销售部's own), each the first time it appears.
    marks = editor(lina).locator(".glossary-term")
    await expect(marks).to_have_text(["SLA"])
    await marks.first.hover()
    card = lina.get_by_test_id("term-card")
    await expect(card).to_contain_text("Service Level Agreement")
    await screenshot(lina, "docs-glossary-card-desktop")
    await assert_no_serious_violations(lina)
    # Clicking a term while editing puts the caret there: the words go into the page.
    await lina.mouse.move(5, 700)
    await expect(card).to_have_count(0)
    await marks.first.click()
    await lina.keyboard.press("End")
    await lina.keyboard.type("（内部）")
    await expect(editor(lina)).to_contain_text("（内部）")
    await lina.mouse.move(5, 700)  # not pinned open by that click
    await expect(card).to_have_count(0)
    # The marks are the reader's, not the page's: the document holds plain words.
    markdown = await derived(cast.lina, made["id"], "（内部）")
    assert "glossary" not in markdown
    assert "SLA" in markdown

    # 张伟 reads it with his department's 底价 marked too.
    zhang = await open_doc(open_page, "zhangwei", made["id"])
    await expect(editor(zhang).locator(".glossary-term")).to_have_text(["SLA", "底价"])
    # A term made meanwhile is marked at once, in both.
    await make_term(cast, cast.lina, "客服", "研发部")
    await expect(editor(lina).locator(".glossary-term")).to_contain_text(["客服", "SLA"])
    await expect(editor(zhang).locator(".glossary-term")).to_have_text(["客服", "SLA", "底价"])


async def test_a_page_linked_in_chat_shows_a_live_card_to_its_readers(
        cast: Cast, open_page: OpenPage) -> None:
    shared = await research_page(cast, "接口规范", icon="📘")
    secret = await research_page(cast, "薪酬方案")
    restricted = await cast.lina.api.put(f"/api/v1/pages/{secret['id']}/permissions", json={
        "inherit": False, "grants": [{"subject": "user", "user_id": cast.lina.id,
                                      "level": "manage"}]})
    assert restricted.status_code == 200, restricted.text
    channel_id = await create_channel(cast.lina, "研发与销售", "private", cast.zhangwei)
    linked = await post(cast.lina, channel_id,
                        f"规范在 http://xt.example/docs/pages/{shared['id']} ，"
                        f"方案见 /docs/pages/{secret['id']}")
    zhang = await open_live(open_page, "zhangwei", f"/chat/{channel_id}")
    cards = zhang.locator(f'[data-message-id="{linked["id"]}"]').get_by_test_id("page-ref")
    # 张伟 reads the first page, not the second: one card; the text stays as written.
    await expect(cards).to_have_count(1)
    await expect(cards.first).to_contain_text("接口规范")
    await expect(cards.first).to_contain_text("研发部")
    await expect(cards.first.get_by_role("link")).to_have_attribute(
        "href", f"/docs/pages/{shared['id']}")
    await assert_no_serious_violations(zhang)
    await screenshot(zhang, "chat-page-card-desktop")
    # Renamed: the card follows without a reload; opened: the page.
    renamed = await cast.lina.api.patch(f"/api/v1/pages/{shared['id']}",
                                        json={"title": "接口规范 v2"})
    assert renamed.status_code == 200, renamed.text
    await expect(cards.first.get_by_role("link")).to_have_text("接口规范 v2")
    await cards.first.get_by_role("link").click()
    await expect(zhang).to_have_url(re.compile(rf"/docs/pages/{shared['id']}$"))
    await expect(zhang.get_by_test_id("page-title")).to_have_text("接口规范 v2")
