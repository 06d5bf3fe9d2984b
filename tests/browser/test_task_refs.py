"""Tasks in chat and on the search page: a message that names a task (`#T-12`, `T-12`, a
link to it) shows a live card of the task to whoever may see it — number, title, column,
assignee, due day, following the task as it moves — and nothing to someone outside its
project, whose message stays plain text; all a screen's tasks are asked for at once. The
search page finds tasks and projects, keeps one kind at a time and opens a task on its
board."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Locator, Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_projects import day, make_project, make_task, open_live, status_id
from tests.browser.test_search_requests import search_for
from tests.helpers import Cast, create_channel, post

PHONE: ViewportSize = {"width": 390, "height": 844}


def message(page: Page, message_id: int) -> Locator:
    return page.locator(f'[data-message-id="{message_id}"]')


async def test_a_message_naming_a_task_shows_its_live_card_to_those_who_see_it(
        cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.lina, "新品上市", cast.zhangwei)
    task = await make_task(cast.lina, project, "上市新闻稿", assignee_id=cast.zhangwei.id,
                           due_at=day(3))
    other = await make_task(cast.lina, project, "官网产品页设计")
    # 王芳 shares the channel but not the project.
    channel_id = await create_channel(cast.lina, "市场周会", "private", cast.zhangwei,
                                      cast.wangfang)
    named = await post(cast.lina, channel_id, f"请看 #{task['number']}")
    linked = await post(cast.lina, channel_id,
                        f"还有这个 http://xt.example/projects/{project['id']}?task={other['id']}"
                        f" 和 {task['number']}")
    plain = await post(cast.lina, channel_id, "ABT-1 不是任务编号，/x/T-2 也不是")

    asked: list[str] = []
    page = await open_live(open_page, "zhangwei", f"/chat/{channel_id}")
    page.on("request", lambda r: asked.append(r.url) if "/task-summaries" in r.url else None)
    await page.reload()
    card = message(page, named["id"]).get_by_test_id("task-ref")
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text(task["number"])
    await expect(card.get_by_role("link", name="上市新闻稿")).to_have_attribute(
        "href", f"/projects/{project['id']}?task={task['id']}")
    await expect(card).to_contain_text("待处理")
    await expect(card).to_contain_text("负责人：张伟")
    await expect(card).to_contain_text("截止：")
    # The link and the number: two cards, in the order the message names them.
    cards = message(page, linked["id"]).get_by_test_id("task-ref")
    await expect(cards).to_have_count(2)
    await expect(cards.nth(0)).to_contain_text("官网产品页设计")
    await expect(cards.nth(1)).to_contain_text("上市新闻稿")
    await expect(message(page, plain["id"]).get_by_test_id("task-ref")).to_have_count(0)
    # The text stays as written.
    await expect(message(page, named["id"]).locator(".body")).to_have_text(
        f"请看 #{task['number']}")
    # Every task of the screen in one request (asked again, whole, only if the socket's
    # first connection failed meanwhile: what changed then was not heard).
    asked_for = [sorted(parse_qs(urlsplit(url).query)["ids"]) for url in asked]
    assert asked_for, asked
    assert all(ids == sorted([str(task["id"]), str(other["id"])]) for ids in asked_for), asked
    await assert_no_serious_violations(page)
    await screenshot(page, "task-refs-desktop")

    # Live: the task moves and is renamed; the card follows without a reload.
    moved = await cast.lina.api.post(f"/api/v1/tasks/{task['id']}/move",
                                     json={"status_id": status_id(project, "进行中")})
    assert moved.status_code == 200, moved.text
    await expect(card).to_contain_text("进行中")
    await expect(cards.nth(1)).to_contain_text("进行中")
    renamed = await cast.lina.api.patch(f"/api/v1/tasks/{task['id']}",
                                        json={"title": "上市新闻稿终稿"})
    assert renamed.status_code == 200, renamed.text
    await expect(card.get_by_role("link")).to_have_text("上市新闻稿终稿")

    # The card opens the task on its board.
    await card.get_by_role("link").click()
    await expect(page).to_have_url(re.compile(rf"/projects/{project['id']}\?task={task['id']}"))
    await expect(page.get_by_test_id("task-dialog").get_by_label("标题", exact=True)).to_have_value(
        "上市新闻稿终稿")

    # Outside the project: the same messages, no card, nothing about the task revealed.
    outsider = await open_page("wangfang", "/projects")
    base = outsider.url.removesuffix("/projects")
    async with outsider.expect_response(lambda r: "/task-summaries" in r.url) as answer:
        await outsider.goto(f"{base}/chat/{channel_id}")
    assert (await (await answer.value).json()) == {"items": []}
    await expect(message(outsider, named["id"]).locator(".body")).to_have_text(
        f"请看 #{task['number']}")
    await expect(message(outsider, linked["id"])).to_be_visible()
    await expect(outsider.get_by_test_id("task-ref")).to_have_count(0)
    await expect(outsider.get_by_text("上市新闻稿")).to_have_count(0)


async def test_task_cards_on_a_phone(cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.lina, "华东区渠道拓展", cast.liuyang)
    task = await make_task(cast.lina, project, "杭州经销商大会的邀请名单和会场预订确认",
                           assignee_id=cast.liuyang.id, due_at=day(-1), status="进行中")
    channel_id = await create_channel(cast.lina, "华东区", "private", cast.liuyang)
    named = await post(cast.lina, channel_id, f"{task['number']} 今天能定下来吗？")
    phone = await open_page("liuyang", f"/chat/{channel_id}", viewport=PHONE)
    card = message(phone, named["id"]).get_by_test_id("task-ref")
    await expect(card).to_contain_text("进行中")
    await expect(card).to_contain_text("华东区渠道拓展")
    # Due yesterday and not done: said, in red.
    await expect(card.locator(".late")).to_contain_text("（已逾期）")
    await assert_no_serious_violations(phone)
    await screenshot(phone, "task-refs-phone")


async def test_the_search_page_finds_tasks_and_projects_and_opens_a_task(
        cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.lina, "仓储系统升级", cast.zhangwei,
                                 description="把库存盘点从纸质表格搬到系统里")
    task = await make_task(cast.lina, project, "库存盘点接口联调", assignee_id=cast.zhangwei.id,
                           due_at=day(5), description="和财务系统核对库存盘点的口径")
    channel_id = await create_channel(cast.lina, "仓储", "private", cast.zhangwei)
    await post(cast.lina, channel_id, "库存盘点下周开始")

    page = await open_page("zhangwei", f"/chat/{channel_id}")
    await search_for(page, "库存盘点")
    await expect(page.get_by_role("status")).to_have_text("共 3 条结果")
    row = page.get_by_test_id("search-task-hit")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text(task["number"])
    await expect(row).to_contain_text("仓储系统升级")
    await expect(row).to_contain_text("待处理")
    await expect(row).to_contain_text("张伟")
    await expect(row.locator(".title mark")).to_have_text("库存盘点")
    await expect(page.get_by_test_id("search-project-hit")).to_contain_text("2 位成员")
    await assert_no_serious_violations(page)
    await screenshot(page, "search-tasks-desktop")

    # One kind at a time.
    await page.get_by_role("radio", name="任务").click()
    await expect(page).to_have_url(re.compile(r"kind=task"))
    await expect(page.get_by_role("status")).to_have_text("共 1 条结果")
    await expect(page.get_by_test_id("search-hit")).to_have_count(0)
    await expect(page.get_by_test_id("search-project-hit")).to_have_count(0)
    await page.get_by_role("radio", name="项目").click()
    await expect(page.get_by_test_id("search-project-hit")).to_have_count(1)
    await expect(row).to_have_count(0)
    await page.get_by_role("radio", name="任务").click()

    # The hit opens the task on its board.
    await row.click()
    await expect(page).to_have_url(re.compile(rf"/projects/{project['id']}\?task={task['id']}"))
    await expect(page.get_by_test_id("task-dialog").get_by_label("标题", exact=True)).to_have_value(
        "库存盘点接口联调")

    # Outside the project nothing is found, by word or by number.
    outsider = await open_page("wangfang", f"/search?q={task['number']}", viewport=PHONE)
    await expect(outsider.get_by_test_id("search-empty")).to_be_visible()
    await expect(outsider.get_by_test_id("search-task-hit")).to_have_count(0)

    phone = await open_page("zhangwei", "/search?q=库存盘点&kind=task", viewport=PHONE)
    await expect(phone.get_by_test_id("search-task-hit")).to_have_count(1)
    await assert_no_serious_violations(phone)
    await screenshot(phone, "search-tasks-phone")
