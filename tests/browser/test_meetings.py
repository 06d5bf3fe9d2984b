"""Meetings in the browser: the calendar (week and month, today marked, tiers coloured), a
new meeting from its dialog, and a meeting's page — answering the invitation, the minutes,
the action items found in them (proposals, highlighted) and one confirmed into a project's
task; at desktop and phone sizes, with axe."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from playwright.async_api import ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_docs import derived, editor, type_at_end
from tests.helpers import Cast, Person
from tests.projects.helpers import make_project

PHONE: ViewportSize = {"width": 390, "height": 844}
MEETINGS = "/api/v1/meetings"
MINUTES = """## 纪要
- 官网新品页设计稿已评审通过。
- [ ] @张伟 把报价单发给客户 12月10日
李娜负责下周三前完成接口联调。
"""


def tomorrow(hour: int, minute: int = 0) -> datetime:
    base = datetime.now().astimezone() + timedelta(days=1)
    return base.replace(hour=hour, minute=minute, second=0, microsecond=0)


async def meeting(person: Person, title: str, start: datetime, **body: Any) -> dict[str, Any]:
    response = await person.api.post(MEETINGS, json={
        "title": title, "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(), **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def test_the_calendar_and_a_meetings_action_items(cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.lina, "新品上市", member_ids=[cast.zhangwei.id])
    weekly = await meeting(cast.lina, "新品上市项目双周会", tomorrow(14), tier="execution",
                           attendee_ids=[cast.zhangwei.id, cast.liuyang.id],
                           rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=4",
                           agenda=[{"title": "上周待办跟进", "owner_id": cast.zhangwei.id},
                                   {"title": "风险与需要的支持"}])
    await meeting(cast.zhoujianguo, "季度经营分析会", tomorrow(9, 30), tier="strategic",
                  attendee_ids=[cast.lina.id], location="总部 12 楼大会议室")
    await meeting(cast.lina, "研发部每日站会", tomorrow(9), tier="operational",
                  department_ids=[cast.departments["研发部"]],
                  rrule="FREQ=DAILY;COUNT=10", skip_non_working_days=True)
    saved = await cast.lina.api.put(f"{MEETINGS}/{weekly['id']}/minutes",
                                    json={"minutes": MINUTES})
    assert saved.status_code == 200

    page = await open_page("lina", "/meetings")
    await expect(page.get_by_role("heading", name="会议")).to_be_visible()
    chips = page.get_by_test_id("meeting-chip")
    await expect(chips.filter(has_text="季度经营分析会")).to_have_count(1)
    await expect(chips.filter(has_text="新品上市项目双周会").first).to_be_visible()
    await expect(page.locator(".day.today")).to_have_count(1)
    await assert_no_serious_violations(page)
    await screenshot(page, "meetings-week-desktop")
    await page.get_by_role("radio", name="月").click()
    await expect(chips.filter(has_text="研发部每日站会").first).to_be_visible()
    await screenshot(page, "meetings-month-desktop")

    # A new meeting from the dialog opens its page.
    await page.get_by_test_id("meetings-new").click()
    await page.get_by_test_id("meeting-title-input").fill("客户回访复盘")
    await page.get_by_test_id("meeting-agenda").fill("回访结果\n改进措施")
    await page.get_by_test_id("meeting-save").click()
    await expect(page.get_by_test_id("meeting-title")).to_have_text("客户回访复盘")
    await expect(page.locator(".agenda li")).to_have_count(2)

    # The series' meeting: its minutes taken earlier become a page, written on in the
    # docs editor; back on the meeting they are read for action items, proposals confirmed.
    await page.goto(page.url.split("/meetings")[0] + f"/meetings/{weekly['id']}")
    await expect(page.locator(".minutes-text")).to_contain_text("官网新品页设计稿已评审通过")
    await expect(page.get_by_test_id("action-items-empty")).to_be_visible()
    await page.get_by_test_id("minutes-write").click()
    await expect(page).to_have_url(re.compile(r"/docs/pages/\d+$"))
    await expect(editor(page)).to_contain_text("把报价单发给客户")
    await expect(page.get_by_test_id("collab-status")).to_have_text("已保存")
    await screenshot(page, "meeting-minutes-page-desktop")
    await type_at_end(page, "刘洋负责周五前整理客户反馈。")
    await expect(page.get_by_test_id("collab-status")).to_have_text("已保存")
    page_id = int(page.url.rsplit("/", 1)[1])
    await derived(cast.lina, page_id, "刘洋负责周五前整理客户反馈")
    await page.go_back()
    await expect(page.get_by_test_id("minutes-preview")).to_contain_text("官网新品页")
    await expect(page.get_by_test_id("minutes-open")).to_have_attribute(
        "href", f"/docs/pages/{page_id}")
    await page.get_by_test_id("extract").click()
    proposed = page.get_by_test_id("proposed-item")
    # The reviewed line stays a plain item (the editor's lists are checklists or not).
    await expect(proposed).to_have_count(3)
    await expect(proposed.filter(has_text="整理客户反馈")).to_have_count(1)
    await expect(proposed.first).to_contain_text("把报价单发给客户")
    await screenshot(page, "meeting-proposals-desktop")
    await assert_no_serious_violations(page)
    first = proposed.filter(has_text="把报价单发给客户")
    await first.get_by_test_id("confirm-project").select_option(label="新品上市")
    await first.get_by_test_id("confirm-item").click()
    decided = page.get_by_test_id("decided-item")
    await expect(decided).to_contain_text("已转任务")
    items = (await cast.lina.api.get(f"{MEETINGS}/{weekly['id']}/action-items")).json()
    task_id = next(i["task_id"] for i in items["items"] if i["status"] == "confirmed")
    await expect(decided.get_by_role("link", name="新品上市")).to_have_attribute(
        "href", f"/projects/{project['id']}?task={task_id}")
    await expect(proposed).to_have_count(2)

    # An attendee on a phone: answers, sees the items but cannot decide them.
    phone = await open_page("zhangwei", f"/meetings/{weekly['id']}", viewport=PHONE)
    await expect(phone.get_by_test_id("meeting-title")).to_have_text("新品上市项目双周会")
    await phone.get_by_test_id("answer-accepted").click()
    await expect(phone.get_by_test_id("answer-accepted")).to_have_attribute("aria-pressed",
                                                                             "true")
    await expect(phone.get_by_test_id("confirm-item")).to_have_count(0)
    await expect(phone.get_by_test_id("attendees")).to_contain_text("参加")
    await assert_no_serious_violations(phone)
    await screenshot(phone, "meeting-phone")
    await phone.goto(phone.url.split("/meetings")[0] + "/meetings")
    await expect(phone.get_by_test_id("meeting-chip").first).to_be_visible()
    await assert_no_serious_violations(phone)
    await screenshot(phone, "meetings-week-phone")
