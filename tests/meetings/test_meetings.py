"""Meetings over HTTP: calling one or a series, who sees and changes it, answers, minutes,
action items proposed from the minutes and confirmed (only then) into tasks, .ics files
re-read with icalendar, and bad input refused with nothing written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar

from tests.api_inputs import Unchanged
from tests.helpers import Cast, Person, anonymous_client, error_code
from tests.projects.helpers import make_project

API = "/api/v1"
MEETINGS = f"{API}/meetings"
ZONE = ZoneInfo("Asia/Shanghai")


def local(days: int, hour: int, minute: int = 0) -> datetime:
    today = datetime.now(ZONE).date()
    return datetime(today.year, today.month, today.day, hour, minute, tzinfo=ZONE) + timedelta(
        days=days)


async def make_meeting(person: Person, title: str = "新品上市周会", **body: Any) -> dict[str, Any]:
    start = body.pop("starts_at", local(2, 10))
    response = await person.api.post(MEETINGS, json={
        "title": title, "starts_at": start.isoformat(),
        "ends_at": body.pop("ends_at", start + timedelta(hours=1)).isoformat(), **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def test_a_meeting_is_seen_by_its_people_and_changed_by_its_organiser(cast: Cast) -> None:
    meeting = await make_meeting(cast.lina, attendee_ids=[cast.zhangwei.id],
                                 department_ids=[cast.departments["华东区"]],
                                 agenda=[{"title": "进度同步", "owner_id": cast.zhangwei.id}])
    people = {a["user_id"]: a["response"] for a in meeting["attendees"]}
    # The organiser has accepted; the people invited and 华东区's (刘洋) wait to answer.
    assert people == {cast.lina.id: "accepted", cast.zhangwei.id: "pending",
                      cast.liuyang.id: "pending"}
    path = f"{MEETINGS}/{meeting['id']}"
    # Outsiders do not see it; an administrator does.
    assert (await cast.wangfang.api.get(path)).status_code == 404
    assert (await cast.alex.api.get(path)).status_code == 404
    assert (await cast.linxiaoyan.api.get(path)).status_code == 200
    # An attendee answers but does not change it.
    answered = await cast.zhangwei.api.post(f"{path}/response", json={"response": "declined"})
    assert answered.status_code == 200
    assert answered.json()["my_response"] == "declined"
    refused = await cast.zhangwei.api.patch(path, json={"title": "改名"})
    assert (refused.status_code, error_code(refused)) == (403, "may_not_edit_meeting")
    assert (await cast.wangfang.api.patch(path, json={"title": "改名"})).status_code == 404
    # The organiser moves it; the calendar shows it in its week, with the caller's answer.
    moved = await cast.lina.api.patch(path, json={
        "starts_at": local(3, 15).isoformat(), "ends_at": local(3, 16).isoformat()})
    assert moved.status_code == 200, moved.text
    week = await cast.zhangwei.api.get(MEETINGS, params={
        "from": local(0, 0).isoformat(), "to": local(7, 0).isoformat()})
    assert [(m["id"], m["my_response"]) for m in week.json()["items"]] == [
        (meeting["id"], "declined")]
    assert (await cast.wangfang.api.get(MEETINGS, params={
        "from": local(0, 0).isoformat(), "to": local(7, 0).isoformat()})).json()["items"] == []
    # Cancelled: gone from the calendar, answers refused.
    assert (await cast.zhangwei.api.delete(path)).status_code == 403
    assert (await cast.lina.api.delete(path)).status_code == 204
    late = await cast.zhangwei.api.post(f"{path}/response", json={"response": "accepted"})
    assert (late.status_code, error_code(late)) == (409, "meeting_cancelled")


async def test_bad_meetings_are_refused_and_write_nothing(cast: Cast,
                                                          unchanged: Unchanged) -> None:
    start = local(2, 10)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"starts_at": start, "ends_at": start - timedelta(hours=1)},
         422, "meeting_ends_before_start"),
        ({"starts_at": local(-2, 10), "ends_at": local(-2, 11)}, 422, "meeting_in_past"),
        ({"rrule": "FREQ=WEEKLY"}, 422, "rrule_unbounded"),
        ({"rrule": "FREQ=DAILY;UNTIL=20991231"}, 422, "rrule_unbounded"),
        ({"rrule": "FREQ=DAILY;COUNT=100000"}, 422, "rrule_too_many"),
        ({"rrule": "FREQ=DAILY;UNTIL=" + (start + timedelta(days=400)).strftime("%Y%m%d")},
         422, "rrule_too_many"),
        ({"rrule": "FREQ=SECONDLY;COUNT=5"}, 422, "rrule_invalid"),
        ({"rrule": "FREQ=WEEKLY;COUNT=3\nDTSTART:19700101"}, 422, "rrule_invalid"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX;COUNT=3"}, 422, "rrule_invalid"),
        ({"agenda": [{"title": f"议题{i}"} for i in range(51)]}, 422, "invalid"),
        ({"attendee_ids": [2_000_000]}, 422, "unknown_person"),
        # An agenda item's owner is someone too: one unknown among known owners is refused.
        ({"agenda": [{"title": "复盘", "owner_id": cast.zhangwei.id},
                     {"title": "预算", "owner_id": 2_000_001}]}, 422, "unknown_person"),
        ({"link": "javascript:alert(1)"}, 422, "invalid"),
        ({"starts_at": "1733500000"}, 422, "invalid"),
    ]
    async with unchanged:
        for change, status, code in cases:
            body: dict[str, Any] = {"title": "坏会议", "starts_at": start,
                                    "ends_at": start + timedelta(hours=1), **change}
            body = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in body.items()}
            response = await cast.lina.api.post(MEETINGS, json=body)
            assert (response.status_code, error_code(response)) == (status, code), change
        guest = await cast.alex.api.post(MEETINGS, json={
            "title": "访客的会", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat()})
        assert (guest.status_code, error_code(guest)) == (403, "may_not_create_meeting")
        week = await cast.lina.api.get(MEETINGS, params={
            "from": local(0, 0).isoformat(), "to": local(100, 0).isoformat()})
        assert (week.status_code, error_code(week)) == (422, "range_too_long")


async def test_a_series_skips_holidays_and_its_ics_rule_matches_its_meetings(
        cast: Cast) -> None:
    # Daily at 09:30 for 14 days, weekends (and holidays) left out.
    first = local(1, 9, 30)
    meeting = await make_meeting(cast.lina, "研发部每日站会", starts_at=first,
                                 ends_at=first + timedelta(minutes=15),
                                 rrule="FREQ=DAILY;COUNT=14", skip_non_working_days=True,
                                 department_ids=[cast.departments["研发部"]])
    span = await cast.lina.api.get(MEETINGS, params={
        "from": local(0, 0).isoformat(), "to": local(20, 0).isoformat()})
    held = [datetime.fromisoformat(m["starts_at"]) for m in span.json()["items"]]
    calendar = (await cast.lina.api.get("/api/v1/calendar/days", params={
        "from": first.date().isoformat(),
        "to": (first.date() + timedelta(days=13)).isoformat()})).json()
    working = {d["date"] for d in calendar["items"] if d["working"]}
    assert {h.astimezone(ZONE).date().isoformat() for h in held} == working
    assert meeting["series"]["occurrences"] == len(held) < 14
    # The series' .ics: one recurring event whose RRULE minus its EXDATEs gives exactly
    # the meetings held.
    ics = await cast.lina.api.get(f"{MEETINGS}/{meeting['id']}.ics", params={"series": "true"})
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(ics.content).walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == first
    rule_text: Any = event["RRULE"].to_ical()
    rule = rrulestr(rule_text.decode(), dtstart=start)
    exdates: Any = event["EXDATE"]
    excluded = {d.dt for e in (exdates if isinstance(exdates, list) else [exdates])
                for d in e.dts}
    expanded = [moment for moment in rule if moment not in excluded]
    assert [m.astimezone(UTC) for m in expanded] == [h.astimezone(UTC) for h in held]
    # One meeting's .ics: its time, attendees and their answers.
    single = await cast.lina.api.get(f"{MEETINGS}/{meeting['id']}.ics")
    [one] = Calendar.from_ical(single.content).walk("VEVENT")
    assert one.decoded("dtstart") == first.astimezone(UTC)
    assert str(one["summary"]) == "研发部每日站会"
    assert (await cast.wangfang.api.get(f"{MEETINGS}/{meeting['id']}.ics")).status_code == 404


async def test_the_personal_feed_needs_its_secret_and_can_be_revoked(cast: Cast) -> None:
    meeting = await make_meeting(cast.lina, attendee_ids=[cast.zhangwei.id])
    made = await cast.zhangwei.api.post(f"{MEETINGS}/feed")
    assert made.status_code == 201
    # A calendar app: no cookie, no token but the feed's own.
    anonymous = anonymous_client(cast.client)
    feed = await anonymous.get(made.json()["path"])
    assert feed.status_code == 200, feed.text
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"meeting-{meeting['id']}@xietong"]
    assert (await anonymous.get(f"{MEETINGS}/feed.ics", params={"token": "guess"})
            ).status_code == 404
    assert (await cast.zhangwei.api.delete(f"{MEETINGS}/feed")).status_code == 204
    assert (await anonymous.get(made.json()["path"])).status_code == 404
    await anonymous.aclose()


MINUTES = """## 纪要
- [ ] @张伟 把报价单发给客户 12月10日
李娜负责下周三前完成接口联调。
大家觉得这个方案不错。
"""


async def test_minutes_become_proposals_and_only_confirmed_ones_become_tasks(
        cast: Cast) -> None:
    project = await make_project(cast.lina, "新品上市", member_ids=[cast.zhangwei.id])
    meeting = await make_meeting(cast.lina, attendee_ids=[cast.zhangwei.id, cast.liuyang.id])
    path = f"{MEETINGS}/{meeting['id']}"
    # Any attendee takes the minutes; an outsider cannot.
    assert (await cast.wangfang.api.put(f"{path}/minutes", json={"minutes": "x"})
            ).status_code == 404
    assert (await cast.zhangwei.api.put(f"{path}/minutes", json={"minutes": MINUTES})
            ).status_code == 200
    # Only the organiser runs the extractor.
    refused = await cast.zhangwei.api.post(f"{path}/action-items/extract")
    assert (refused.status_code, error_code(refused)) == (403, "may_not_manage_action_items")
    extracted = await cast.lina.api.post(f"{path}/action-items/extract")
    assert extracted.status_code == 200, extracted.text
    items = extracted.json()["items"]
    assert extracted.json()["added"] == len(items) >= 2
    assert {i["status"] for i in items} == {"proposed"}
    checklist = next(i for i in items if i["source"] == "checklist")
    assert (checklist["owner_id"], checklist["due_on"][5:]) == (cast.zhangwei.id, "12-10")
    assert any(i["source"] == "extracted" and i["owner_id"] == cast.lina.id for i in items)
    # Extraction never made a task.
    board = (await cast.lina.api.get(f"{API}/projects/{project['id']}/board")).json()
    assert [t for c in board["columns"] for t in c["tasks"]] == []
    # Re-running adds nothing.
    again = await cast.lina.api.post(f"{path}/action-items/extract")
    assert (again.json()["added"], len(again.json()["items"])) == (0, len(items))
    # Attendees see the items but do not decide them.
    seen = await cast.liuyang.api.get(f"{path}/action-items")
    assert [i["id"] for i in seen.json()["items"]] == [i["id"] for i in items]
    item_path = f"{path}/action-items/{checklist['id']}"
    for person in (cast.zhangwei, cast.liuyang):
        response = await person.api.post(f"{item_path}/confirm",
                                         json={"project_id": project["id"]})
        assert response.status_code == 403
    assert (await cast.wangfang.api.post(f"{item_path}/dismiss")).status_code == 404
    # A project the organiser does not see is refused as unknown.
    hidden = await make_project(cast.wangfang, "客服内部")
    unknown = await cast.lina.api.post(f"{item_path}/confirm",
                                       json={"project_id": hidden["id"]})
    assert (unknown.status_code, error_code(unknown)) == (422, "unknown_project")
    # Edited, then confirmed: a task of the project, assigned to its owner, linked back.
    edited = await cast.lina.api.patch(item_path, json={"title": "把新版报价单发给客户"})
    assert edited.json()["title"] == "把新版报价单发给客户"
    confirmed = await cast.lina.api.post(f"{item_path}/confirm",
                                         json={"project_id": project["id"]})
    assert confirmed.status_code == 200, confirmed.text
    task_id = confirmed.json()["task_id"]
    task = (await cast.lina.api.get(f"{API}/tasks/{task_id}")).json()
    assert (task["title"], task["assignee_id"], task["due_at"][5:]) == (
        "把新版报价单发给客户", cast.zhangwei.id, "12-10")
    assert "新品上市周会" in task["description"]
    twice = await cast.lina.api.post(f"{item_path}/confirm", json={"project_id": project["id"]})
    assert (twice.status_code, error_code(twice)) == (409, "item_decided")
    other = next(i for i in items if i["id"] != checklist["id"])
    dismissed = await cast.lina.api.post(f"{path}/action-items/{other['id']}/dismiss")
    assert dismissed.json()["status"] == "dismissed"


async def test_the_next_meeting_of_a_series_opens_with_the_open_items(cast: Cast) -> None:
    first = local(1, 14)
    meeting = await make_meeting(cast.lina, "双周会", starts_at=first,
                                 rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=3",
                                 attendee_ids=[cast.zhangwei.id])
    path = f"{MEETINGS}/{meeting['id']}"
    added = await cast.lina.api.post(f"{path}/action-items", json={
        "title": "整理渠道培训名单", "owner_id": cast.zhangwei.id, "due_on": "2027-01-08"})
    assert added.status_code == 201, added.text
    span = await cast.lina.api.get(MEETINGS, params={
        "from": local(0, 0).isoformat(), "to": local(20, 0).isoformat()})
    second = span.json()["items"][1]
    assert date.fromisoformat(second["starts_at"][:10]) >= first.date() + timedelta(days=13)
    opened = (await cast.zhangwei.api.get(f"{MEETINGS}/{second['id']}")).json()
    assert opened["previous_meeting_id"] == meeting["id"]
    assert [i["title"] for i in opened["carried_over"]] == ["整理渠道培训名单"]
