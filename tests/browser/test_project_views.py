"""A project's other views in the browser: the tabs (看板 / 列表 / 甘特图 / 日历) kept in the
address, the list with the server's filters and sorts, the Gantt chart with its critical path,
undated tasks aside and a bar dragged to new dates (saved, or put back with the server's
reason), the calendar with each task on its due day, and 我的任务 across projects with an
overdue task under 已逾期 that moves live when someone reschedules it; every view's states, at
1280×800 and 390×844, with axe and zh-CN screenshots."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.async_api import Page, Route, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, assert_phone_bar_fits, screenshot, unavailable
from tests.browser.test_projects import PHONE, day, make_project, make_task, open_live
from tests.helpers import Cast


async def depends(cast: Cast, task: dict[str, Any], on: dict[str, Any]) -> None:
    response = await cast.zhangwei.api.post(f"/api/v1/tasks/{task['id']}/dependencies",
                                            json={"depends_on_id": on["id"]})
    assert response.status_code == 201, response.text


async def launch(cast: Cast) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """张伟's launch with 李娜 and 刘洋: a chain 场地 → 样机 → 彩排 (the critical path), 文案
    beside it with days to spare, an overdue task, a finished one, and one with no dates."""
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina, cast.liuyang)
    labelled = await cast.zhangwei.api.put(f"/api/v1/projects/{project['id']}/labels", json={
        "labels": [{"name": "研发", "color": "purple"}, {"name": "市场", "color": "orange"}]})
    assert labelled.status_code == 200, labelled.text
    project = labelled.json()
    tasks = {
        "确认发布会场地": await make_task(cast.zhangwei, project, "确认发布会场地",
                                   assignee_id=cast.liuyang.id, start_at=day(0),
                                   due_at=day(2), priority="urgent"),
        "准备演示样机": await make_task(cast.zhangwei, project, "准备演示样机", status="进行中",
                                  assignee_id=cast.lina.id, start_at=day(3), due_at=day(6),
                                  priority="high", labels=["研发"]),
        "发布会彩排": await make_task(cast.zhangwei, project, "发布会彩排", start_at=day(7),
                                 due_at=day(7)),
        "新闻稿文案": await make_task(cast.zhangwei, project, "新闻稿文案", start_at=day(1),
                                 due_at=day(3), assignee_id=cast.zhangwei.id),
        "媒体邀请名单": await make_task(cast.zhangwei, project, "媒体邀请名单",
                                  assignee_id=cast.zhangwei.id, due_at=day(-2)),
        "预算审批": await make_task(cast.zhangwei, project, "预算审批", status="已完成",
                                due_at=day(-1)),
        "周边礼品": await make_task(cast.zhangwei, project, "周边礼品"),
    }
    await depends(cast, tasks["准备演示样机"], tasks["确认发布会场地"])
    await depends(cast, tasks["发布会彩排"], tasks["准备演示样机"])
    return project, tasks


def bar(page: Page, task: dict[str, Any]) -> Any:
    return page.locator(f".bar-wrapper[data-id='{task['id']}']")


async def no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= await page.evaluate("window.innerWidth"), width


async def test_each_view_shows_the_tasks_and_opens_them(cast: Cast, open_page: OpenPage) -> None:
    project, tasks = await launch(cast)
    path = f"/projects/{project['id']}"
    zhang = await open_page("zhangwei", path)
    tabs = zhang.get_by_role("tablist", name="任务视图")
    await expect(tabs.get_by_role("tab")).to_have_text(["看板", "列表", "甘特图", "日历"])
    await expect(tabs.get_by_role("tab", name="看板")).to_have_attribute("aria-selected", "true")
    await expect(zhang.get_by_test_id("task-card")).to_have_count(7)

    # 列表: every task; the server's filters and sorts; the tab in the address.
    await tabs.get_by_role("tab", name="列表").click()
    await expect(zhang).to_have_url(re.compile(r"\?view=list$"))
    rows = zhang.get_by_test_id("list-row")
    await expect(rows).to_have_count(7)
    await expect(zhang.get_by_test_id("list-count")).to_have_text("7 个任务")
    await zhang.get_by_test_id("list-sort").select_option(label="截止日期")
    await expect(zhang.get_by_test_id("list-title")).to_have_text([
        re.compile(t) for t in ("媒体邀请名单", "预算审批", "确认发布会场地", "新闻稿文案",
                                "准备演示样机", "发布会彩排", "周边礼品")])
    overdue_row = rows.filter(has_text="媒体邀请名单")
    await expect(overdue_row.locator("td.due")).to_have_attribute("data-overdue", "true")
    await zhang.get_by_test_id("list-priority").select_option(label="紧急")
    await expect(zhang.get_by_test_id("list-title")).to_have_text([re.compile("确认发布会场地")])
    await zhang.get_by_test_id("list-clear").click()
    await zhang.get_by_test_id("list-due").select_option(label="已逾期")
    await expect(zhang.get_by_test_id("list-title")).to_have_text([re.compile("媒体邀请名单")])
    await zhang.get_by_test_id("list-due").select_option(label="全部截止日期")
    await zhang.get_by_test_id("list-assignee").select_option(label="李娜")
    await expect(zhang.get_by_test_id("list-title")).to_have_text([re.compile("准备演示样机")])
    await zhang.get_by_test_id("list-clear").click()
    await zhang.get_by_test_id("list-label").select_option(label="研发")
    await expect(zhang.get_by_test_id("list-title")).to_have_text([re.compile("准备演示样机")])
    await zhang.get_by_test_id("list-label").select_option(label="全部标签")
    await zhang.get_by_test_id("list-q").fill("没有这个任务")
    await expect(zhang.get_by_test_id("list-empty")).to_contain_text("没有符合条件的任务")
    await zhang.get_by_test_id("list-clear").click()
    await expect(rows).to_have_count(7)
    await zhang.get_by_test_id("list-status").select_option(label="进行中")
    await expect(zhang.get_by_test_id("list-title")).to_have_text([re.compile("准备演示样机")])
    await zhang.get_by_test_id("list-clear").click()
    await expect(rows).to_have_count(7)
    await screenshot(zhang, "project-list-desktop")
    await assert_no_serious_violations(zhang)
    # A reload keeps the view; a row opens the task's dialog, on this view.
    await zhang.reload()
    await expect(zhang.get_by_role("tab", name="列表")).to_have_attribute("aria-selected", "true")
    await rows.filter(has_text="准备演示样机").click()
    dialog = zhang.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_label("标题")).to_have_value("准备演示样机")
    await expect(zhang).to_have_url(re.compile(rf"view=list&task={tasks['准备演示样机']['id']}"))
    await zhang.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    await expect(zhang).to_have_url(re.compile(r"\?view=list$"))

    # 甘特图: the dated tasks as bars, the chain on the critical path, the undated one aside.
    await zhang.get_by_role("tab", name="甘特图").click()
    await expect(zhang).to_have_url(re.compile(r"\?view=gantt$"))
    await expect(zhang.locator(".bar-wrapper")).to_have_count(6)
    for title in ("确认发布会场地", "准备演示样机", "发布会彩排"):
        await expect(bar(zhang, tasks[title])).to_have_class(re.compile(r"\bcritical\b"))
    for title in ("新闻稿文案", "媒体邀请名单", "预算审批"):
        await expect(bar(zhang, tasks[title])).not_to_have_class(re.compile(r"\bcritical\b"))
    # Dependencies as arrows: 场地 → 样机 → 彩排.
    await expect(zhang.locator(".gantt g.arrow path")).to_have_count(2)
    await expect(zhang.get_by_test_id("gantt-unscheduled")).to_contain_text("未排期")
    await expect(zhang.get_by_test_id("gantt-unscheduled-task")).to_have_text(
        [re.compile("周边礼品")])
    await expect(zhang.get_by_test_id("gantt-critical-text")).to_have_text(
        "关键路径：确认发布会场地、准备演示样机、发布会彩排")
    # Chinese labels on the time axis.
    await expect(zhang.locator(".gantt-container .upper-text").first).to_contain_text("月")
    await zhang.wait_for_timeout(600)  # the bars grow into place
    await screenshot(zhang, "project-gantt-desktop")
    await assert_no_serious_violations(zhang)
    await zhang.get_by_test_id("gantt-zoom-week").click()
    await expect(zhang.get_by_test_id("gantt-zoom-week")).to_have_attribute("aria-pressed", "true")
    await expect(zhang.locator(".gantt-container .lower-text").first).to_contain_text("月")
    await zhang.get_by_test_id("gantt-zoom-month").click()
    await expect(zhang.locator(".bar-wrapper")).to_have_count(6)
    await zhang.wait_for_timeout(600)
    await screenshot(zhang, "project-gantt-month-desktop")
    await zhang.get_by_test_id("gantt-zoom-day").click()
    await bar(zhang, tasks["发布会彩排"]).locator(".bar").click()
    await expect(zhang.get_by_role("dialog").get_by_label("标题")).to_have_value("发布会彩排")
    await zhang.keyboard.press("Escape")
    await zhang.get_by_test_id("gantt-unscheduled-task").click()
    await expect(zhang.get_by_role("dialog").get_by_label("标题")).to_have_value("周边礼品")
    await zhang.keyboard.press("Escape")

    # 日历: each task on its due day, overdue red, finished green; months forward and back.
    await zhang.get_by_role("tab", name="日历").click()
    await expect(zhang).to_have_url(re.compile(r"\?view=calendar$"))
    today_cell = zhang.locator("[data-testid=calendar-day][aria-current=date]")
    await expect(today_cell).to_have_attribute("data-day", day(0))
    first = zhang.get_by_test_id("calendar-day").first
    monday = await first.get_attribute("data-day")
    assert monday is not None
    weekday = await zhang.evaluate("d => new Date(d + 'T00:00:00Z').getUTCDay()", monday)
    assert weekday == 1, monday  # weeks start on Monday
    await expect(zhang.get_by_role("columnheader").first).to_have_text("周一")
    month = await zhang.get_by_test_id("calendar-month").text_content()
    for title in ("媒体邀请名单", "预算审批", "确认发布会场地"):
        due = tasks[title]["due_at"]
        if due[:7] != day(0)[:7]:
            continue  # in another month than today's: looked for below
        cell = zhang.locator(f"[data-testid=calendar-day][data-day='{due}']")
        await expect(cell.get_by_test_id("calendar-task").filter(has_text=title)).to_be_visible()
    late = zhang.locator(f"[data-day='{day(-2)}'] [data-testid=calendar-task]")
    if day(-2)[:7] == day(0)[:7]:
        await expect(late).to_have_attribute("data-tone", "overdue")
        await expect(zhang.locator(f"[data-day='{day(-1)}'] [data-testid=calendar-task]")
                     ).to_have_attribute("data-tone", "done")
    await screenshot(zhang, "project-calendar-desktop")
    await assert_no_serious_violations(zhang)
    await zhang.get_by_test_id("calendar-next").click()
    await expect(zhang.get_by_test_id("calendar-month")).not_to_have_text(month or "")
    await expect(today_cell).to_have_count(0)
    await zhang.get_by_test_id("calendar-previous").click()
    await expect(zhang.get_by_test_id("calendar-month")).to_have_text(month or "")
    # 彩排 is a week away: on its day, in this month's page or the next's.
    rehearsal = tasks["发布会彩排"]["due_at"]
    if rehearsal[:7] != day(0)[:7]:
        await zhang.get_by_test_id("calendar-next").click()
    chip = zhang.locator(f"[data-day='{rehearsal}'] [data-testid=calendar-task]")
    await expect(chip).to_have_text("发布会彩排")
    await chip.click()
    await expect(zhang.get_by_role("dialog").get_by_label("标题")).to_have_value("发布会彩排")
    await expect(zhang).to_have_url(re.compile(rf"view=calendar&task={tasks['发布会彩排']['id']}"))
    await zhang.keyboard.press("Escape")

    # A link to a view and a task opens both.
    other = await open_page("lina", f"{path}?view=gantt&task={tasks['新闻稿文案']['id']}")
    await expect(other.get_by_role("tab", name="甘特图")).to_have_attribute("aria-selected", "true")
    await expect(other.get_by_role("dialog").get_by_label("标题")).to_have_value("新闻稿文案")


async def test_a_bar_dragged_to_new_days_is_saved_or_put_back(
        cast: Cast, open_page: OpenPage) -> None:
    project, tasks = await launch(cast)
    zhang = await open_page("zhangwei", f"/projects/{project['id']}?view=gantt")
    copy = bar(zhang, tasks["新闻稿文案"]).locator(".bar")
    await expect(copy).to_be_visible()
    column = await zhang.evaluate("() => document.querySelector('.gantt-container')"
                                  ".style.getPropertyValue('--gv-column-width')")
    width = float(column.removesuffix("px"))

    async def drag(days: int) -> None:
        box = await copy.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        await zhang.mouse.move(x, y)
        await zhang.mouse.down()
        await zhang.mouse.move(x + width * days / 2, y, steps=5)
        await zhang.mouse.move(x + width * days, y, steps=5)
        await zhang.mouse.up()

    # Two days later: saved as the task's new start and due days.
    await drag(2)
    saved = f"/api/v1/tasks/{tasks['新闻稿文案']['id']}"

    async def dates() -> tuple[str, str]:
        task = (await cast.zhangwei.api.get(saved)).json()
        return task["start_at"], task["due_at"]

    for _ in range(50):
        if await dates() == (day(3), day(5)):
            break
        await zhang.wait_for_timeout(100)
    assert await dates() == (day(3), day(5))
    await expect(zhang.get_by_role("dialog")).to_have_count(0)  # a drag is not a click

    # Refused by the server (here: the dates the page sends turned around on the way, so the
    # due day is before the start): its reason shown, the bar back where it was.
    async def turned_around(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        body["start_at"], body["due_at"] = body["due_at"], body["start_at"]
        await route.continue_(post_data=json.dumps(body))

    await zhang.route(f"**{saved}", turned_around)
    await zhang.wait_for_timeout(500)  # the chart redrawn after the first change
    before = await copy.bounding_box()
    assert before is not None
    await drag(3)
    await expect(zhang.get_by_test_id("gantt-error-message")).to_contain_text("新闻稿文案")
    assert await dates() == (day(3), day(5))
    async def days_shown() -> tuple[float, float] | None:
        box = await copy.bounding_box()
        return (box["x"], box["width"]) if box else None

    for _ in range(50):
        if await days_shown() == (before["x"], before["width"]):
            break
        await zhang.wait_for_timeout(100)
    assert await days_shown() == (before["x"], before["width"])
    await screenshot(zhang, "project-gantt-refused-desktop")


async def test_my_work_lists_overdue_first_and_moves_live(cast: Cast,
                                                         open_page: OpenPage) -> None:
    project, tasks = await launch(cast)
    other = await make_project(cast.lina, "研发周迭代", cast.zhangwei)
    await make_task(cast.lina, other, "修复登录页闪退", assignee_id=cast.zhangwei.id,
                    due_at=day(1), priority="urgent")
    zhang = await open_live(open_page, "zhangwei", "/projects")
    nav = zhang.get_by_role("navigation", name="主导航")
    await nav.get_by_role("link", name="我的任务").click()
    await expect(zhang).to_have_url(re.compile("/my-work$"))
    await expect(zhang.get_by_role("heading", level=1)).to_have_text("我的任务")
    overdue = zhang.get_by_test_id("my-work-overdue")
    soon = zhang.get_by_test_id("my-work-soon")
    every = zhang.get_by_test_id("my-work-all")
    await expect(overdue.get_by_role("heading")).to_contain_text("已逾期")
    await expect(overdue.get_by_test_id("my-work-task")).to_have_count(1)
    late = overdue.get_by_test_id("my-work-task")
    await expect(late).to_contain_text("媒体邀请名单")
    await expect(late).to_contain_text("Q4 新品发布")
    await expect(late).to_contain_text(f"T-{tasks['媒体邀请名单']['id']}")
    await expect(late).to_contain_text("已逾期")
    await expect(late).to_contain_text("待处理")
    await expect(soon.get_by_test_id("my-work-task")).to_have_count(1)
    await expect(soon).to_contain_text("修复登录页闪退")
    await expect(soon).to_contain_text("研发周迭代")
    await expect(every.get_by_test_id("my-work-task")).to_have_count(3)
    await screenshot(zhang, "my-work-desktop")
    await assert_no_serious_violations(zhang)

    # 李娜 moves the date on: the task leaves 已逾期 for 即将到期, without a reload.
    changed = await cast.lina.api.patch(f"/api/v1/tasks/{tasks['媒体邀请名单']['id']}",
                                        json={"due_at": day(2)})
    assert changed.status_code == 200, changed.text
    await expect(overdue.get_by_test_id("my-work-task")).to_have_count(0, timeout=3000)
    await expect(overdue).to_contain_text("没有逾期的任务")
    await expect(soon.get_by_test_id("my-work-task")).to_have_count(2)
    await expect(soon).to_contain_text("媒体邀请名单")

    # A row opens the task in its project's page.
    await soon.get_by_test_id("my-work-task").filter(has_text="媒体邀请名单").click()
    await expect(zhang).to_have_url(re.compile(
        rf"/projects/{project['id']}\?task={tasks['媒体邀请名单']['id']}$"))
    await expect(zhang.get_by_role("dialog").get_by_label("标题")).to_have_value("媒体邀请名单")


async def test_the_views_on_a_phone(cast: Cast, open_page: OpenPage) -> None:
    project, tasks = await launch(cast)
    path = f"/projects/{project['id']}"
    zhang = await open_page("zhangwei", f"{path}?view=list", viewport=PHONE)
    await expect(zhang.get_by_test_id("list-row")).to_have_count(7)
    # Rows are cards a screen wide, not a table to scroll sideways.
    row = await zhang.get_by_test_id("list-row").first.bounding_box()
    assert row is not None
    assert row["width"] <= PHONE["width"], row
    await no_sideways_scroll(zhang)
    await screenshot(zhang, "project-list-phone")
    await assert_no_serious_violations(zhang)

    await zhang.get_by_role("tab", name="甘特图").click()
    await expect(zhang.locator(".bar-wrapper")).to_have_count(6)
    await expect(bar(zhang, tasks["准备演示样机"])).to_have_class(re.compile(r"\bcritical\b"))
    await no_sideways_scroll(zhang)
    await zhang.wait_for_timeout(600)
    await screenshot(zhang, "project-gantt-phone")
    await assert_no_serious_violations(zhang)

    await zhang.get_by_role("tab", name="日历").click()
    await expect(zhang.get_by_test_id("calendar-day").first).to_be_visible()
    await no_sideways_scroll(zhang)
    await zhang.locator(f"[data-day='{day(0)}'] button.date").click()
    await expect(zhang.get_by_test_id("calendar-agenda")).to_be_visible()
    await screenshot(zhang, "project-calendar-phone")
    await assert_no_serious_violations(zhang)

    await zhang.get_by_role("tab", name="看板").click()
    await expect(zhang).to_have_url(re.compile(rf"{path}$"))
    await expect(zhang.get_by_test_id("board")).to_be_visible()

    work = await open_page("zhangwei", "/my-work", viewport=PHONE)
    await expect(work.get_by_test_id("my-work-overdue").get_by_test_id("my-work-task")
                 ).to_contain_text("媒体邀请名单")
    await no_sideways_scroll(work)
    # The bar keeps its five destinations and 更多 on one line each; 我的任务 is a tile of 更多
    # (as administration is), and on the projects page.
    nav = work.get_by_role("navigation", name="主导航")
    await assert_phone_bar_fits(work)
    await expect(nav.get_by_role("link", name="我的任务")).to_be_hidden()
    await screenshot(work, "my-work-phone")
    await assert_no_serious_violations(work)
    await work.get_by_role("navigation", name="主导航").get_by_role("link", name="项目").click()
    await work.get_by_test_id("projects-my-work").click()
    await expect(work).to_have_url(re.compile("/my-work$"))
    await work.get_by_test_id("apps-menu").click()
    await work.get_by_test_id("app-my-work").click()
    await expect(work).to_have_url(re.compile("/my-work$"))


async def test_every_view_says_when_it_cannot_load_and_retries(
        cast: Cast, open_page: OpenPage) -> None:
    project, _ = await launch(cast)
    zhang = await open_page("zhangwei", f"/projects/{project['id']}")
    await expect(zhang.get_by_test_id("task-card")).to_have_count(7)

    await zhang.route("**/api/v1/projects/*/tasks?*", unavailable())
    await zhang.get_by_role("tab", name="列表").click()
    await expect(zhang.get_by_test_id("list-error")).to_contain_text("服务暂时不可用")
    await assert_no_serious_violations(zhang)
    await zhang.unroute("**/api/v1/projects/*/tasks?*")
    await zhang.get_by_test_id("list-error").get_by_role("button", name="重试").click()
    await expect(zhang.get_by_test_id("list-row")).to_have_count(7)

    await zhang.route("**/api/v1/projects/*/gantt", unavailable())
    await zhang.get_by_role("tab", name="甘特图").click()
    await expect(zhang.get_by_test_id("gantt-error")).to_contain_text("服务暂时不可用")
    await screenshot(zhang, "project-gantt-error-desktop")
    await zhang.unroute("**/api/v1/projects/*/gantt")
    await zhang.get_by_test_id("gantt-error").get_by_role("button", name="重试").click()
    await expect(zhang.locator(".bar-wrapper")).to_have_count(6)

    # The calendar is the board's tasks: when they cannot load, the page says so.
    await zhang.route("**/api/v1/projects/*/board", unavailable())
    await zhang.goto(zhang.url.split("?")[0] + "?view=calendar")
    # A whole page loading (on a busy machine it has taken longer than the default 5 s).
    await expect(zhang.get_by_test_id("board-error")).to_contain_text("服务暂时不可用",
                                                                     timeout=15_000)
    await zhang.unroute("**/api/v1/projects/*/board")
    await zhang.get_by_test_id("board-error").get_by_role("button", name="重试").click()
    await expect(zhang.get_by_test_id("calendar")).to_be_visible()

    mine = re.compile(r"/api/v1/tasks(\?.*)?$")
    await zhang.route(mine, unavailable())
    await zhang.goto(zhang.url.split("/projects")[0] + "/my-work")
    await expect(zhang.get_by_test_id("my-work-error")).to_contain_text("服务暂时不可用",
                                                                       timeout=15_000)
    await screenshot(zhang, "my-work-error-desktop")
    await zhang.unroute(mine)
    await zhang.get_by_test_id("my-work-error").get_by_role("button", name="重试").click()
    await expect(zhang.get_by_test_id("my-work-task").first).to_be_visible()

    # Empty: a project with no tasks; someone with nothing to do.
    empty = await make_project(cast.zhangwei, "空项目")
    await zhang.goto(zhang.url.split("/my-work")[0] + f"/projects/{empty['id']}?view=list")
    await expect(zhang.get_by_test_id("list-empty")).to_contain_text("暂无任务")
    await zhang.get_by_role("tab", name="甘特图").click()
    await expect(zhang.get_by_test_id("gantt-empty")).to_contain_text("还没有排期的任务")
    await screenshot(zhang, "project-gantt-empty-desktop")
    wang = await open_page("wangfang", "/my-work")
    await expect(wang.get_by_test_id("my-work-empty")).to_contain_text("没有指派给你的待办任务")
    await assert_no_serious_violations(wang)
