"""数据洞察 in the browser: a small company's last week, made through the real API with the
rollup consumer running (it reads the event log as on a serving node), then every tab at
1280×800 and 390×844 in Chinese, with axe: KPI cards, the stacked messages, the network with
its island, response times, the SLA heatmap and its drill-down to a request, delivery and its
overdue tasks, ratings, adoption. A manager sees only their departments; a member has no
数据洞察 tile; a company with no history yet is told what will appear; a failing chart says so
and retries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from playwright.async_api import Page, Route, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations as _axe
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.helpers import Cast, Follow, Person, create_channel, post, upload

PHONE: ViewportSize = {"width": 390, "height": 844}
async def assert_no_serious_violations(page: Page) -> None:
    """axe once the tab has settled: while a tab fetches again it is drawn faded (`.stale`),
    and axe would measure the faded text's contrast."""
    await expect(page.locator(".stale")).to_have_count(0)
    await _axe(page)


SHANGHAI = ZoneInfo("Asia/Shanghai")
TABS = ("overview", "network", "responsiveness", "sla", "delivery", "satisfaction", "adoption")
TAB_NAMES = {"overview": "概览", "network": "协作网络", "responsiveness": "响应速度", "sla": "SLA",
             "delivery": "交付", "satisfaction": "满意度", "adoption": "采用率",
             "reports": "成熟度报告"}
REQUESTS = "/api/v1/requests"


@dataclass
class History:
    cast: Cast
    request_ids: list[int]
    overdue_task: dict[str, Any]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return response.json() if is_json else None


async def act(person: Person, request_id: int, action: str) -> None:
    await ok(await person.api.post(f"{REQUESTS}/{request_id}/transition",
                                   json={"action": action}))


async def history(cast: Cast, follow: Follow) -> History:
    """销售部 (6 people, 华东区's 2 among them), 研发部 (6) and 客服部 (5) over the last five
    days: 销售部 asks 研发部 in a shared group and files requests to it (some answered late),
    研发部 delivers tasks (one overdue), 客服部 talks only among itself (an island);
    总经办 (1 person) is too small to be shown on its own."""
    people: dict[str, list[Person]] = {"销售部": [cast.zhangwei], "华东区": [cast.liuyang],
                                       "研发部": [cast.lina], "客服部": [cast.wangfang]}
    names = {"销售部": ["陈静", "杨帆", "周敏"], "华东区": ["吴昊"],
             "研发部": ["赵磊", "孙浩", "钱多多", "郑凯", "冯雪"],
             "客服部": ["何丽", "郭涛", "马蕾", "罗兰"]}
    n = 0
    for department, display_names in names.items():
        for display_name in display_names:
            n += 1
            people[department].append(await cast.add_person(
                f"p{n}", display_name, departments=(department,), title="专员"))
    sales = people["销售部"] + people["华东区"]
    rd, service = people["研发部"], people["客服部"]
    shared = await create_channel(cast.zhangwei, "报表项目协作", "public", *sales[1:], *rd)
    rd_room = await create_channel(cast.lina, "研发日常", "private", *rd[1:])
    service_room = await create_channel(cast.wangfang, "客服值班", "private", *service[1:])
    kind = await ok(await cast.linxiaoyan.api.post("/api/v1/request-types", json={
        "name": "报表需求", "department_id": cast.departments["研发部"], "fields": [],
        "response_sla_hours": 2, "resolution_sla_hours": 16, "assignment": "manager"}), 201)
    project = await ok(await cast.lina.api.post("/api/v1/projects", json={
        "name": "报表重构", "member_ids": [p.id for p in rd[1:]]}), 201)
    # From here on the consumer reads what happens (a new consumer starts at the log's end).
    await follow.held()

    # The last five working days before today (Monday to Friday: response times count working
    # hours, so a weekend would answer every request in time).
    today = datetime.now(SHANGHAI).date()
    days: list[date] = []
    day = today
    while len(days) < 5:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.insert(0, day)
    request_ids: list[int] = []
    tasks: list[dict[str, Any]] = []
    for i, day in enumerate(days):
        asker = sales[i % len(sales)]
        engineer = rd[1 + i % (len(rd) - 1)]
        with time_machine.travel(at(day, 9, 30), tick=True) as clock:
            # 销售部 asks 研发部; the engineer answers in the thread (a cross-department reply),
            # and later 销售部 answers an announcement of 研发部's.
            question = await post(asker, shared,
                                  f"@{engineer.display_name} 客户问报表导出的进度，今天有时间吗？")
            clock.move_to(at(day, 9, 40 + 3 * i))
            await post(engineer, shared, "收到，下午给你答复", thread_root_id=question["id"])
            clock.move_to(at(day, 10, 40))
            await post(engineer, shared, "报表导出接口今天上线")
            clock.move_to(at(day, 10, 45))
            await post(asker, shared, "太好了，我通知客户")
            # 研发部 and 客服部 among themselves.
            for k, person in enumerate(rd[:4]):
                clock.move_to(at(day, 11, 5 * k))
                await post(person, rd_room, f"今天的进展：模块 {k + 1} 联调完成")
            for k, person in enumerate(service):
                clock.move_to(at(day, 11, 5 * k + 2))
                await post(person, service_room, f"值班记录：已回复客户 {k + 3} 位")
            # A request from 销售部: accepted in half an hour on odd days (then resolved,
            # confirmed and rated), after four working hours on even days (breached).
            clock.move_to(at(day, 13, 40))
            filed = await ok(await asker.api.post(REQUESTS, json={
                "title": f"客户报表新增字段（第 {i + 1} 批）", "type_id": kind["id"]}), 201)
            request_ids.append(filed["id"])
            if i % 2:
                clock.move_to(at(day, 14, 10))
                await act(cast.lina, filed["id"], "accept")
                await act(cast.lina, filed["id"], "start")
                clock.move_to(at(day, 16, 30))
                await act(cast.lina, filed["id"], "resolve")
                await act(asker, filed["id"], "confirm")
                await ok(await asker.api.post(f"{REQUESTS}/{filed['id']}/rating",
                                              json={"score": 4 if i == 1 else 5}))
            # A task a day, due two days later; the day before's is done on days 1, 2 and 4.
            clock.move_to(at(day, 15))
            tasks.append(await ok(await cast.lina.api.post(
                f"/api/v1/projects/{project['id']}/tasks", json={
                    "title": f"报表模块第 {i + 1} 部分", "assignee_id": engineer.id,
                    "due_at": str(day + timedelta(days=2))}), 201))
            if i in (1, 2, 4):
                clock.move_to(at(day, 16))
                await ok(await cast.lina.api.post(f"/api/v1/tasks/{tasks[i - 1]['id']}/move",
                                                  json={"status": "done"}))
            # A file shared and opened, a search, a kudos.
            clock.move_to(at(day, 17, 20))
            stored = await upload(asker, f"报价单-{i + 1}.xlsx", b"PK\x03\x04 demo")
            await post(asker, shared, "最新报价单", file_ids=[stored["id"]])
            await ok(await engineer.api.get(f"/api/v1/files/{stored['id']}"))
            await ok(await engineer.api.get("/api/v1/search", params={"q": "报表"}))
            if i == 2:
                await ok(await cast.zhangwei.api.post("/api/v1/kudos", json={
                    "recipient_id": engineer.id, "value": "teamwork",
                    "message": "报表需求响应很快，谢谢！"}), 201)
            if not i % 2:
                clock.move_to(at(day, 17, 50))
                await act(cast.lina, filed["id"], "accept")
        if i == 0:
            with time_machine.travel(at(day, 16, 10), tick=True):
                overdue = await ok(await cast.lina.api.post(
                    f"/api/v1/projects/{project['id']}/tasks", json={
                        "title": "导出性能优化", "assignee_id": rd[1].id,
                        "due_at": str(days[1])}), 201)
    # Today: a question and its answer (the hourly chart).
    await post(cast.zhangwei, shared, "@李娜 今天的评审改到下午三点")
    await post(cast.lina, shared, "好的")
    await follow.catch_up()
    return History(cast, request_ids, overdue)


async def open_tab(page: Page, tab: str) -> None:
    await page.get_by_test_id(f"analytics-tab-{tab}").click()
    await expect(page.get_by_test_id(f"analytics-tab-{tab}")).to_have_attribute(
        "aria-current", "page")
    if tab != "reports":
        await expect(page.get_by_test_id(tab)).to_be_visible()


async def assert_fits(page: Page, width: int) -> None:
    """Nothing wider than the screen but what scrolls on purpose (tabs, wide tables)."""
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    wide = await page.evaluate(
        "w => [...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('nav'))"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className)", width)
    assert overflow <= width, (overflow, wide)


async def test_every_tab_shows_the_company_at_both_sizes(
        cast: Cast, follow: Follow, open_page: OpenPage) -> None:
    made = await history(cast, follow)
    admin = await open_page("linxiaoyan", "/people")
    await expect(admin.get_by_role("heading", name="通讯录")).to_be_visible()
    await admin.get_by_test_id("apps-menu").click()
    await admin.get_by_test_id("app-analytics").click()
    await expect(admin.get_by_role("heading", name="数据洞察")).to_be_visible()
    await expect(admin).to_have_title("数据洞察 · 协同")

    # 概览: people and totals against the period before, and the charts as SVG.
    await expect(admin.get_by_test_id("kpi-mau")).to_contain_text("月活跃人数")
    await expect(admin.get_by_test_id("kpi-messages")).to_contain_text("上期无数据")
    await expect(admin.get_by_test_id("chart-messages").locator("svg")).to_be_visible()
    await expect(admin.get_by_test_id("chart-messages").locator(".echart")).to_have_attribute(
        "aria-label", "每日消息面积图，统计期内共 " + await total_messages(made) + " 条")
    await expect(admin.get_by_test_id("chart-hourly").locator("svg")).to_be_visible()
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-overview-desktop")
    # The figures as a table, for whoever prefers them.
    await admin.get_by_test_id("chart-messages").get_by_text("查看数据表").click()
    await expect(admin.get_by_test_id("chart-messages").locator("table")).to_contain_text("私有群")
    await assert_no_serious_violations(admin)
    # Exports: the same period and department as the page.
    href = await admin.get_by_test_id("export-overview-xlsx").get_attribute("href")
    assert href is not None
    assert href.startswith("/api/v1/analytics/export/overview.xlsx?from=")
    exported = await admin.request.get(admin.url.split("/analytics")[0] + href)
    assert exported.ok
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")

    # 协作网络: 客服部 talks only to itself, an island; 总经办 is too small to show.
    await open_tab(admin, "network")
    await expect(admin.get_by_test_id("chart-network").locator("svg")).to_be_visible()
    islands = admin.get_by_test_id("islands")
    await expect(islands.locator('li[data-department="客服部"]')).to_be_visible()
    await expect(islands.locator('li[data-department="研发部"]')).to_have_count(0)
    await expect(islands).to_contain_text("跨部门消息占比低于 10%")
    await admin.get_by_test_id("chart-network").get_by_text("查看数据表").click()
    await expect(admin.locator('tr[data-department="总经办"]')).to_contain_text(
        "少于 5 人，不单独显示")
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-network-desktop")

    await open_tab(admin, "responsiveness")
    await expect(admin.get_by_test_id("chart-requests").locator("svg")).to_be_visible()
    await expect(admin.get_by_test_id("chart-mentions").locator("svg")).to_be_visible()
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-responsiveness-desktop")

    # SLA: the heatmap; the requests behind a figure are only those one may open, and an
    # administrator outside 研发部 may open none of its requests.
    await open_tab(admin, "sla")
    await expect(admin.get_by_test_id("chart-sla").locator("svg")).to_be_visible()
    await expect(admin.get_by_test_id("kpi-filed")).to_contain_text("5")
    await expect(admin.get_by_test_id("kpi-breached")).to_contain_text("3")
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-sla-desktop")
    await admin.get_by_test_id("chart-sla").get_by_text("查看数据表").click()
    await admin.get_by_test_id("chart-sla").get_by_role("button", name="查看工单").first.click()
    await expect(admin.get_by_test_id("sla-requests-empty")).to_contain_text("没有你可以查看的工单")

    await open_tab(admin, "delivery")
    await expect(admin.get_by_test_id("chart-delivery").locator("svg")).to_be_visible()
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-delivery-desktop")

    await open_tab(admin, "satisfaction")
    await expect(admin.get_by_test_id("chart-satisfaction").locator("svg")).to_be_visible()
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-satisfaction-desktop")

    await open_tab(admin, "adoption")
    await expect(admin.get_by_test_id("chart-adoption").locator("svg")).to_be_visible()
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-adoption-desktop")

    # 成熟度报告: made for this quarter (so far) by a job, then opened as a page.
    await open_tab(admin, "reports")
    await expect(admin.get_by_test_id("reports-empty")).to_contain_text("还没有成熟度报告")
    today = datetime.now(SHANGHAI).date()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    await admin.get_by_test_id("report-period").select_option(quarter)
    await admin.get_by_test_id("report-generate").click()
    await expect(admin.get_by_test_id("notice")).to_contain_text("已开始生成")
    report = admin.get_by_test_id("report-list").locator("li").first
    await expect(report.get_by_text("生成中")).to_be_visible()
    await screenshot(admin, "analytics-reports-pending-desktop")
    while await cast.runtime.jobs.runner.run_due():  # the job, as a node's runner would
        pass
    await expect(report.get_by_text("已生成")).to_be_visible()  # the page looks again
    await expect(report).to_contain_text("全公司")
    await expect(report).to_contain_text("/100")
    page_link = report.get_by_role("link", name="查看报告")
    html = await page_link.get_attribute("href")
    assert html is not None
    assert html.endswith(".html")
    shown = await admin.request.get(admin.url.split("/analytics")[0] + html)
    assert shown.ok
    assert "协作成熟度" in await shown.text()
    await expect(report.get_by_role("link", name="下载 PDF")).to_have_attribute(
        "href", html.removesuffix(".html") + ".pdf")
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-reports-desktop")

    # The period follows the URL: 近7天, then a custom one.
    await open_tab(admin, "adoption")
    await admin.get_by_role("radio", name="近7天").click()
    await expect(admin).to_have_url(re.compile(r"range=7d"))
    await admin.get_by_role("radio", name="自定义").click()
    await expect(admin.get_by_label("开始日期")).to_be_visible()
    await admin.get_by_label("开始日期").fill("2026-01-01")
    await admin.get_by_label("开始日期").press("Tab")
    await expect(admin).to_have_url(re.compile(r"from=2026-01-01"))
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-custom-range-desktop")

    # A phone: every tab full width, the tabs scroll, nothing wider than the screen.
    phone = await open_page("linxiaoyan", "/analytics", viewport=PHONE)
    for tab in (*TABS, "reports"):
        if tab != "overview":
            await open_tab(phone, tab)
        if tab == "reports":
            await expect(phone.get_by_test_id("report-list").get_by_text("已生成")).to_be_visible()
        else:
            await expect(phone.get_by_test_id(tab).locator("svg").first).to_be_visible()
        await assert_fits(phone, PHONE["width"])
        await assert_no_serious_violations(phone)
        await screenshot(phone, f"analytics-{tab}-phone")


async def test_a_departments_manager_opens_the_requests_and_tasks_behind_a_figure(
        cast: Cast, follow: Follow, open_page: OpenPage) -> None:
    made = await history(cast, follow)
    lina = await open_page("lina", "/analytics/sla")
    await expect(lina.get_by_test_id("chart-sla").locator("svg")).to_be_visible()
    # A cell of the heatmap, or its row in the table, lists the requests.
    await lina.get_by_test_id("chart-sla").get_by_text("查看数据表").click()
    await lina.get_by_test_id("chart-sla").get_by_role("button", name="查看工单").first.click()
    drill = lina.get_by_test_id("sla-requests")
    await expect(drill.get_by_role("link")).to_have_count(5)
    await drill.get_by_role("radio", name="已超时").click()
    await expect(drill.get_by_role("link")).to_have_count(3)
    await expect(drill.get_by_text("超时", exact=True)).to_have_count(3)
    await assert_no_serious_violations(lina)
    await screenshot(lina, "analytics-sla-drill-desktop")
    await drill.get_by_role("link").first.click()
    await expect(lina).to_have_url(
        re.compile(r"/requests/(" + "|".join(map(str, made.request_ids)) + ")$"))
    await lina.go_back()
    await expect(lina.get_by_test_id("sla")).to_be_visible()

    # 交付: the overdue tasks behind the figure, each opening on its project's board.
    await open_tab(lina, "delivery")
    rd_row = lina.get_by_test_id("delivery-departments").locator('tr[data-row="研发部"]')
    await rd_row.get_by_role("button", name="逾期未完成").click()
    tasks = lina.get_by_test_id("delivery-tasks")
    await expect(tasks.get_by_role("link", name="导出性能优化")).to_have_attribute(
        "href", f"/projects/{made.overdue_task['project_id']}?task={made.overdue_task['id']}")
    await assert_no_serious_violations(lina)
    await screenshot(lina, "analytics-delivery-drill-desktop")
    # The same row's completed tasks, chosen in the list's own switch.
    await tasks.get_by_role("radio", name=re.compile("^已完成")).click()
    await expect(tasks.get_by_role("radio", name=re.compile("^已完成"))).to_have_attribute(
        "aria-checked", "true")
    await expect(tasks.get_by_role("link", name="导出性能优化")).to_have_count(0)
    await expect(tasks.get_by_role("link")).not_to_have_count(0)
    await tasks.get_by_role("radio", name=re.compile("^逾期未完成")).click()
    phone = await open_page("lina", "/analytics/delivery", viewport=PHONE)
    await phone.get_by_test_id("delivery-departments").locator('tr[data-row="研发部"]').get_by_role(
        "button", name="逾期未完成").click()
    await expect(phone.get_by_test_id("delivery-tasks").get_by_role("link")).not_to_have_count(0)
    await assert_fits(phone, PHONE["width"])
    await assert_no_serious_violations(phone)
    await screenshot(phone, "analytics-delivery-drill-phone")


async def total_messages(made: History) -> str:
    response = await made.cast.linxiaoyan.api.get("/api/v1/analytics/overview")
    return f"{response.json()['totals']['messages']:,}"


async def test_a_manager_sees_only_their_departments_and_a_member_has_no_tile(
        cast: Cast, follow: Follow, open_page: OpenPage) -> None:
    await history(cast, follow)
    manager = await open_page("zhangwei", "/analytics/network")
    await expect(manager.get_by_test_id("network")).to_be_visible()
    options = manager.get_by_test_id("analytics-department").locator("option")
    await expect(options).to_have_text(["我负责的部门", "销售部", "\u3000华东区"])
    await manager.get_by_test_id("chart-network").get_by_text("查看数据表").click()
    rows = manager.get_by_test_id("chart-network").locator("tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("销售部")
    await expect(rows.nth(1)).to_contain_text("其他部门")
    await expect(manager.get_by_test_id("chart-network")).not_to_contain_text("研发部")
    await assert_no_serious_violations(manager)
    await screenshot(manager, "analytics-manager-network-desktop")
    # 华东区 alone has 2 people: too few to show.
    await manager.get_by_test_id("analytics-department").select_option(label="\u3000华东区")
    await expect(manager).to_have_url(re.compile(r"department=\d+"))
    await open_tab_unchecked(manager, "overview")
    await expect(manager.get_by_test_id("overview-suppressed")).to_contain_text("少于 5 人")
    await assert_no_serious_violations(manager)
    await screenshot(manager, "analytics-manager-suppressed-desktop")

    member = await open_page("liuyang", "/people")
    await expect(member.get_by_role("heading", name="通讯录")).to_be_visible()
    await member.get_by_test_id("apps-menu").click()
    await expect(member.get_by_test_id("app-announcements")).to_be_visible()
    await expect(member.get_by_test_id("app-analytics")).to_have_count(0)
    await member.goto(member.url.split("/people")[0] + "/analytics")
    await expect(member.get_by_test_id("analytics-hidden")).to_contain_text("数据洞察未对你开放")


async def test_no_history_yet_explains_what_will_appear_and_a_failure_retries(
        cast: Cast, open_page: OpenPage) -> None:
    admin = await open_page("linxiaoyan", "/analytics")
    empty = admin.get_by_test_id("overview-empty")
    await expect(empty).to_contain_text("员工开始在协同里沟通后，这里会显示")
    await assert_no_serious_violations(admin)
    await screenshot(admin, "analytics-empty-desktop")

    failures = [unavailable()]

    async def fail_once(route: Route) -> None:
        if failures:
            await failures.pop()(route)
        else:
            await route.continue_()

    await admin.route("**/api/v1/analytics/network*", fail_once)
    await open_tab_unchecked(admin, "network")
    await expect(admin.get_by_test_id("network-error")).to_contain_text("服务暂时不可用")
    await admin.get_by_test_id("network-error").get_by_role("button", name="重试").click()
    await expect(admin.get_by_test_id("network-empty")).to_contain_text("跨部门回复")


async def open_tab_unchecked(page: Page, tab: str) -> None:
    await page.get_by_test_id(f"analytics-tab-{tab}").click()

