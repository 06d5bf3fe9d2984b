"""The admin's working calendar (管理后台 → 工作日历): the working hours form, a month grid
showing statutory holidays, 调休 and the company's overrides with a legend, and a date
clicked to make it a company holiday or working day — each change is the server's (due
times follow). Only administrators reach it."""

from __future__ import annotations

import asyncio

from playwright.async_api import Locator, Page, Route, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.helpers import Cast
from xietong.business_calendar import statutory

CALENDAR_PAGE = "/admin/calendar"
OCTOBER = f"{CALENDAR_PAGE}?month=2026-10"
PHONE = {"width": 390, "height": 844}


def cell(page: Page, date: str) -> Locator:
    return page.locator(f'button.cell[data-date="{date}"]')


async def due(cast: Cast, start: str, hours: float) -> str:
    response = await cast.liuyang.api.get("/api/v1/calendar/due",
                                          params={"start": start, "hours": str(hours)})
    assert response.status_code == 200, response.text
    found: str = response.json()["due_at"]
    return found


async def test_an_admin_reads_october_and_gives_a_friday_off(
        cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("linxiaoyan", "/admin/users")
    sections = page.get_by_role("navigation", name="管理分区")
    await sections.get_by_role("link", name="工作日历").click()
    await expect(page).to_have_url(f"{page.url.split('/admin')[0]}{CALENDAR_PAGE}")
    await expect(page.get_by_role("heading", name="工作时间")).to_be_visible()
    await expect(page.get_by_label("上班时间")).to_have_value("09:00")
    await expect(page.get_by_label("下班时间")).to_have_value("18:00")
    await expect(page.get_by_label("午休开始")).to_have_value("12:00")
    await expect(page.get_by_label("午休结束")).to_have_value("13:30")
    await expect(page.get_by_label("时区")).to_have_value("Asia/Shanghai")
    await expect(page.get_by_test_id("hours-per-day")).to_have_text("每个工作日 7.5 小时")
    # This month is shown until another is asked for.
    await expect(page.locator("button.cell").first).to_be_visible()

    await page.goto(page.url.split("/admin")[0] + OCTOBER)
    await expect(page.get_by_role("heading", name="日历 2026年10月")).to_be_visible()
    await expect(page.locator("button.cell")).to_have_count(31)
    national_day = cell(page, "2026-10-01")
    await expect(national_day).to_have_class("cell statutory_holiday")
    await expect(national_day.locator(".label.full")).to_have_text("国庆节")
    await expect(national_day.locator(".mark")).to_have_text("休")
    await expect(national_day).to_contain_text("2026年10月1日星期四、法定节假日、国庆节")
    makeup = cell(page, "2026-10-10")
    await expect(makeup).to_have_class("cell makeup_workday")
    await expect(makeup.locator(".label.full")).to_have_text("调休上班")
    await expect(makeup.locator(".mark")).to_have_text("班")
    await expect(cell(page, "2026-10-11")).to_have_class("cell weekend")
    await expect(cell(page, "2026-10-09")).to_have_class("cell workday")
    # Monday first: 1 October 2026 is a Thursday, the fourth column.
    first_row = page.locator("table.month tbody tr").first.locator("td")
    await expect(first_row.nth(3).locator("button")).to_have_attribute("data-date", "2026-10-01")
    await expect(first_row.nth(2).locator("button")).to_have_count(0)
    legend = page.get_by_role("list", name="图例")
    await expect(legend.locator("li")).to_have_text(
        ["工作日", "周末", "法定节假日", "调休上班", "公司假期", "公司工作日"])
    await expect(page.get_by_role("status").filter(has_text="2026 年还没有公司调整的日期。")
                 ).to_be_visible()
    await expect(page.get_by_text("法定节假日和调休按国务院公布的安排")).to_be_visible()
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-calendar")

    # Friday 9 October off for the annual party: the grid, the list and the server agree.
    assert await due(cast, "2026-10-09T17:00:00+08:00", 2) == "2026-10-10T02:00:00Z"
    await cell(page, "2026-10-09").click()
    dialog = page.get_by_role("dialog", name="2026年10月9日星期五")
    await expect(dialog).to_contain_text("通常：工作日")
    await expect(dialog.get_by_label("休息（公司假期）")).to_be_checked()
    await dialog.get_by_label("备注（所有人可见，包括访客）").fill("公司年会 🎉")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-calendar-day")
    await dialog.get_by_role("button", name="保存").click()
    await expect(dialog).to_have_count(0)
    await expect(page.get_by_role("status").filter(has_text="10月9日 已设为公司假期。")
                 ).to_be_visible()
    await expect(cell(page, "2026-10-09")).to_have_class("cell company_holiday")
    await expect(cell(page, "2026-10-09").locator(".mark")).to_have_text("休")
    rows = page.get_by_role("list", name="公司调整的日期").locator("li")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("10月9日公司假期公司年会 🎉")
    # Due times follow at once: the Friday and the 调休 Saturday's morning are gone.
    assert await due(cast, "2026-10-09T09:00:00+08:00", 1) == "2026-10-10T02:00:00Z"
    days = (await cast.liuyang.api.get("/api/v1/calendar/days", params={
        "from": "2026-10-09", "to": "2026-10-09"})).json()["items"]
    assert (days[0]["why"], days[0]["note"]) == ("company_holiday", "公司年会 🎉")

    # And a Sunday worked; the list is by date.
    await cell(page, "2026-10-18").click()
    dialog = page.get_by_role("dialog", name="2026年10月18日星期日")
    await expect(dialog).to_contain_text("通常：周末")
    await expect(dialog.get_by_label("上班（公司工作日）")).to_be_checked()
    await dialog.get_by_role("button", name="保存").click()
    await expect(cell(page, "2026-10-18")).to_have_class("cell company_workday")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(1)).to_contain_text("10月18日公司工作日")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-calendar-overrides")

    # Changing one's mind: the party is undone from the list.
    await rows.first.get_by_role("button").click()
    dialog = page.get_by_role("dialog", name="2026年10月9日星期五")
    await expect(dialog).to_contain_text("当前：公司假期 — 公司年会 🎉")
    await dialog.get_by_role("button", name="取消调整").click()
    await expect(page.get_by_role("status").filter(has_text="10月9日 已恢复为工作日。")
                 ).to_be_visible()
    await expect(cell(page, "2026-10-09")).to_have_class("cell workday")
    await expect(rows).to_have_count(1)
    assert await due(cast, "2026-10-09T17:00:00+08:00", 2) == "2026-10-10T02:00:00Z"

    # Paging: the next month and back; the URL says which.
    await page.get_by_role("button", name="下个月").click()
    await expect(page).to_have_url(f"{page.url.split('?')[0]}?month=2026-11")
    await expect(page.get_by_role("heading", name="日历 2026年11月")).to_be_visible()
    await expect(page.locator("button.cell")).to_have_count(30)
    await page.get_by_role("button", name="上个月").click()
    await expect(cell(page, "2026-10-18")).to_have_class("cell company_workday")


async def test_an_admin_changes_the_working_hours(cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("linxiaoyan", OCTOBER)
    await expect(page.get_by_test_id("hours-per-day")).to_have_text("每个工作日 7.5 小时")
    await page.get_by_label("下班时间").select_option("17:30")
    await page.get_by_role("switch", name="有午休（不计入工作时间）").uncheck()
    await expect(page.get_by_label("午休开始")).to_be_disabled()
    await expect(page.get_by_test_id("hours-per-day")).to_have_text("每个工作日 8.5 小时")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status").filter(has_text="工作时间已保存。")).to_be_visible()
    await expect(page.get_by_text("最后修改：")).to_be_visible()
    found = (await cast.liuyang.api.get("/api/v1/calendar")).json()
    assert (found["work_end"], found["lunch_start"], found["lunch_end"]) == ("17:30", None, None)
    # 11:30 + 2 h without a lunch break is 13:30.
    assert await due(cast, "2026-03-16T11:30:00+08:00", 2) == "2026-03-16T05:30:00Z"

    # A lunch break outside the day is the server's to refuse, and nothing changes.
    await page.get_by_role("switch", name="有午休（不计入工作时间）").check()
    await page.get_by_label("午休开始").select_option("17:45")
    await page.get_by_label("午休结束").select_option("18:00")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("alert")).to_contain_text("请求内容不符合要求。")
    await expect(page.get_by_role("alert")).to_contain_text("lunch break")
    assert (await cast.liuyang.api.get("/api/v1/calendar")).json()["lunch_start"] is None
    await assert_no_serious_violations(page)


async def test_a_year_not_announced_yet_says_so(cast: Cast, open_page: OpenPage) -> None:
    later = statutory.LAST_YEAR + 1
    page = await open_page("linxiaoyan", f"{CALENDAR_PAGE}?month={later}-10")
    await expect(page.get_by_test_id("not-announced")).to_have_text(
        f"{later} 年的法定节假日和调休尚未公布，暂按周一至周五计算；公布前可逐日调整。")
    await expect(page.locator("button.cell.statutory_holiday")).to_have_count(0)
    await page.goto(page.url.split("?")[0] + "?month=2026-10")
    await expect(page.get_by_test_id("not-announced")).to_have_count(0)


async def test_on_a_phone_the_month_fits(cast: Cast, open_page: OpenPage) -> None:
    note = "公司年会，全员放假一天，地点另行通知"
    response = await cast.linxiaoyan.api.put("/api/v1/calendar/days/2026-10-09",
                                             json={"working": False, "note": note})
    assert response.status_code == 200, response.text
    page = await open_page("linxiaoyan", OCTOBER, viewport=PHONE)
    await expect(cell(page, "2026-10-01")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for date in ("2026-10-05", "2026-10-11"):  # the last column (Sunday) inside the screen
        box = await cell(page, date).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
    # Under a date, the short names a phone has room for.
    await expect(cell(page, "2026-10-09").locator(".label.short")).to_have_text("公司假")
    await expect(cell(page, "2026-10-10").locator(".label.short")).to_have_text("调休")
    await expect(cell(page, "2026-10-09").locator(".label.full")).to_be_hidden()
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-calendar-phone")
    await cell(page, "2026-10-09").click()
    dialog = page.get_by_role("dialog", name="2026年10月9日星期五")
    await expect(dialog.get_by_label("备注（所有人可见，包括访客）")).to_have_value(note)
    await expect(dialog.get_by_role("button", name="保存")).to_be_in_viewport(ratio=1)
    await screenshot(page, "admin-calendar-phone-day")


async def test_loading_and_failing_are_shown(cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("linxiaoyan", "/admin/users")
    # While the days have not come: loading; when they fail: the error and a retry.
    answer = asyncio.Event()

    async def slow(route: Route) -> None:
        await answer.wait()
        await route.continue_()

    await page.route("**/api/v1/calendar/days*", slow)
    await page.goto(page.url.split("/admin")[0] + OCTOBER)
    await expect(page.get_by_role("status").filter(has_text="加载中…")).to_be_visible()
    answer.set()
    await expect(cell(page, "2026-10-01")).to_be_visible()
    await page.unroute("**/api/v1/calendar/days*")

    await page.route("**/api/v1/calendar/days*", unavailable())
    await page.get_by_role("button", name="下个月").click()  # the same year: no new request
    await expect(cell(page, "2026-11-02")).to_be_visible()
    await page.goto(page.url.split("?")[0] + "?month=2027-01")
    await expect(page.get_by_role("alert")).to_have_text("服务暂时不可用")
    await expect(page.locator("button.cell")).to_have_count(0)
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-calendar-error")
    await page.unroute("**/api/v1/calendar/days*")
    await page.get_by_role("button", name="重试").click()
    await expect(cell(page, "2027-01-04")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_count(0)

    # The page as a whole, when the calendar itself cannot be read.
    await page.route("**/api/v1/calendar", unavailable())
    await page.reload()
    await expect(page.get_by_role("alert")).to_have_text("服务暂时不可用")
    await expect(page.get_by_role("heading", name="工作时间")).to_have_count(0)


async def test_members_do_not_reach_the_page(cast: Cast, open_page: OpenPage) -> None:
    member = await open_page("zhangwei", "/people")
    await expect(member.get_by_role("heading", name="通讯录")).to_be_visible()
    await member.goto(member.url.replace("/people", OCTOBER))
    await expect(member).to_have_url(member.url.split("/admin")[0] + "/people")
    await expect(member.locator("button.cell")).to_have_count(0)
    # The browser's own session may read the calendar, not change it.
    status = await member.evaluate("fetch('/api/v1/calendar').then(r => r.status)")
    assert status == 200
    refused = await member.evaluate("""() => fetch('/api/v1/calendar/days/2026-10-09', {
        method: 'PUT', headers: {'Content-Type': 'application/json', 'X-CSRF-Token':
        document.cookie.match(/xietong_csrf=([^;]+)/)[1]},
        body: JSON.stringify({working: false})}).then(r => r.status)""")
    assert refused == 403


async def test_the_page_speaks_english_too(cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("linxiaoyan", OCTOBER, locale="en-US")
    await expect(page.get_by_role("navigation", name="Admin sections").get_by_role(
        "link", name="Working calendar")).to_be_visible()
    await expect(page.get_by_role("heading", name="Working hours")).to_be_visible()
    await expect(page.get_by_role("heading", name="Calendar October 2026")).to_be_visible()
    await expect(page.get_by_test_id("hours-per-day")).to_have_text("7.5 hours per working day")
    await expect(cell(page, "2026-10-01").locator(".label.full")).to_have_text("National Day")
    await expect(cell(page, "2026-10-10").locator(".mark")).to_have_text("Work")
    await expect(page.get_by_role("list", name="Legend").locator("li")).to_have_text(
        ["Working day", "Weekend", "Public holiday", "Make-up working day", "Company holiday",
         "Company working day"])
    await cell(page, "2026-10-09").click()
    dialog = page.get_by_role("dialog", name="Friday, October 9, 2026")
    await expect(dialog).to_contain_text("Usually: Working day")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-calendar-en")
