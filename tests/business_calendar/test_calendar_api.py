"""The business calendar over HTTP: everyone signed in reads the working hours, the days
and due times; administrators change the hours and override dates, audited; bad input is
a 4xx in the JSON error shape with nothing written; a change is in force on the very next
request, on every node."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_inputs import Unchanged, problem_locs, refused
from tests.conftest import Backend
from tests.helpers import PASSWORD, Cast, Person, anonymous_client, statements
from tests.servers import Node
from xietong.business_calendar import statutory
from xietong.business_calendar.demo import demo_calendar
from xietong.manifest import DemoOptions

API = "/api/v1"
CALENDAR = f"{API}/calendar"
DAYS = f"{CALENDAR}/days"
DUE = f"{CALENDAR}/due"
HOURS = {"work_start": "09:00", "work_end": "18:00", "lunch_start": "12:00",
         "lunch_end": "13:30", "time_zone": "Asia/Shanghai"}


async def calendar(person: Person) -> dict[str, Any]:
    response = await person.api.get(CALENDAR)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def days(person: Person, first: str, last: str) -> dict[str, dict[str, Any]]:
    response = await person.api.get(DAYS, params={"from": first, "to": last})
    assert response.status_code == 200, response.text
    return {item["date"]: item for item in response.json()["items"]}


async def due(person: Person, start: str, hours: float | str) -> str:
    response = await person.api.get(DUE, params={"start": start, "hours": hours})
    assert response.status_code == 200, response.text
    found: str = response.json()["due_at"]
    return found


def utc(text: str) -> datetime:
    """An answered instant (ISO 8601 with its offset) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


async def audit(admin: Person) -> list[dict[str, Any]]:
    response = await admin.api.get(f"{API}/audit", params={"action": "calendar."})
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["items"]
    return entries


async def override(admin: Person, day: str, working: bool, note: str | None = None
                   ) -> dict[str, Any]:
    response = await admin.api.put(f"{DAYS}/{day}", json={"working": working, "note": note})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


# --- reading ---------------------------------------------------------------------------------

async def test_the_defaults(cast: Cast) -> None:
    for person in (cast.liuyang, cast.alex, cast.linxiaoyan):
        found = await calendar(person)
        assert {key: found[key] for key in HOURS} == HOURS
        assert found["hours_per_day"] == 7.5
        assert (found["updated_at"], found["updated_by"]) == (None, None)
        assert found["statutory"] == {"first_year": statutory.FIRST_YEAR,
                                      "last_year": statutory.LAST_YEAR,
                                      "package_version": "1.11.0"}
    assert statutory.LAST_YEAR >= 2026


async def test_signing_in_is_needed(cast: Cast) -> None:
    anonymous = anonymous_client(cast.client)
    questions: list[tuple[str, dict[str, str]]] = [
        (CALENDAR, {}), (DAYS, {"from": "2026-10-01", "to": "2026-10-07"}),
        (DUE, {"start": "2026-10-09T17:00:00+08:00", "hours": "2"})]
    for path, params in questions:
        refused(await anonymous.get(path, params=params), 401, "unauthorized")
    refused(await anonymous.put(CALENDAR, json=HOURS), 401)
    refused(await anonymous.put(f"{DAYS}/2026-10-09", json={"working": False}), 401)


async def test_the_days_of_national_day_2026(cast: Cast) -> None:
    found = await days(cast.alex, "2026-09-19", "2026-10-11")  # a guest may read them
    assert len(found) == 23
    assert list(found) == sorted(found)
    assert {key for key in found["2026-10-01"]} == {"date", "working", "why", "usual",
                                                    "holiday", "note", "source"}
    for day in range(1, 8):
        item = found[f"2026-10-0{day}"]
        assert (item["working"], item["why"], item["usual"], item["source"]) == (
            False, "statutory_holiday", "statutory_holiday", "statutory")
        assert item["holiday"] == {"key": "national_day",
                                   "labels": {"zh-CN": "国庆节", "en": "National Day"}}
    # 调休: Sunday 20 September and Saturday 10 October are worked.
    for makeup in ("2026-09-20", "2026-10-10"):
        assert (found[makeup]["working"], found[makeup]["why"]) == (True, "makeup_workday")
        assert found[makeup]["holiday"]["key"] == "national_day"
    assert (found["2026-09-19"]["working"], found["2026-09-19"]["why"]) == (False, "weekend")
    assert (found["2026-10-11"]["working"], found["2026-10-11"]["why"]) == (False, "weekend")
    assert (found["2026-10-09"]["working"], found["2026-10-09"]["why"]) == (True, "workday")
    assert found["2026-10-09"]["holiday"] is None
    assert found["2026-09-25"]["holiday"]["key"] == "mid_autumn_festival"


async def test_years_not_yet_announced_say_so(cast: Cast) -> None:
    later = statutory.LAST_YEAR + 1
    found = await days(cast.zhangwei, f"{later}-09-28", f"{later}-10-08")
    for iso, item in found.items():
        weekday = date.fromisoformat(iso).weekday()
        assert item["source"] == "weekdays"
        assert item["holiday"] is None
        assert (item["working"], item["why"]) == (
            (True, "workday") if weekday < 5 else (False, "weekend"))
    # A range across the boundary has both.
    found = await days(cast.zhangwei, f"{later - 1}-12-30", f"{later}-01-02")
    assert [item["source"] for item in found.values()] == ["statutory", "statutory",
                                                           "weekdays", "weekdays"]
    # Due times there are computed all the same.
    assert await due(cast.zhangwei, f"{later}-10-01T17:30:00+08:00", 2)


async def test_a_range_is_at_most_366_days(cast: Cast, unchanged: Unchanged) -> None:
    api = cast.liuyang.api
    found = await days(cast.liuyang, "2028-01-01", "2028-12-31")  # a leap year: 366
    assert len(found) == 366
    async with unchanged:
        response = await api.get(DAYS, params={"from": "2026-01-01", "to": "2027-01-02"})
        refused(response, 422, "calendar_range_too_long")
        assert response.json()["error"]["details"] == {"max_days": 366}
        refused(await api.get(DAYS, params={"from": "2026-10-07", "to": "2026-10-01"}),
                422, "calendar_range_reversed")
        refused(await api.get(DAYS, params={"from": "1999-12-31", "to": "2000-01-01"}),
                422, "calendar_date_out_of_range")
        refused(await api.get(DAYS, params={"from": "2100-12-31", "to": "2101-01-01"}),
                422, "calendar_date_out_of_range")
        for params in ({"from": "2026-10-01"}, {"to": "2026-10-01"}, {},
                       {"from": "2026-02-30", "to": "2026-03-01"},
                       {"from": "0", "to": "2026-10-01"},
                       {"from": "20261001", "to": "2026-10-02"},
                       {"from": "2026-1-1", "to": "2026-01-02"},
                       {"from": "2026-10-01T00:00", "to": "2026-10-02"},
                       {"from": "1700000000", "to": "2026-10-02"},
                       {"from": "2026-10-01", "to": "明天"}):
            refused(await api.get(DAYS, params=params), 422, "invalid")
    chinese = await api.get(DAYS, params={"from": "2026-01-01", "to": "2027-06-01"},
                            headers={"accept-language": "zh-CN"})
    assert chinese.json()["error"]["message"] == "一次最多查询 366 天。"


# --- due times ------------------------------------------------------------------------------

async def test_due_times(cast: Cast) -> None:
    member = cast.liuyang
    # Friday 17:30 + 2 h: Monday 10:30. Monday 11:30 + 2 h: 15:00 (lunch does not count).
    assert utc(await due(member, "2026-03-13T17:30:00+08:00", 2)) == shanghai(
        "2026-03-16T10:30")
    assert utc(await due(member, "2026-03-16T11:30:00+08:00", 2)) == shanghai(
        "2026-03-16T15:00")
    # Across the National Day break; onto a 调休 Saturday; ending exactly at 18:00.
    assert utc(await due(member, "2026-09-30T17:00:00+08:00", 2)) == shanghai(
        "2026-10-08T10:00")
    assert utc(await due(member, "2026-10-09T17:00:00+08:00", 2)) == shanghai(
        "2026-10-10T10:00")
    assert utc(await due(member, "2026-03-16T16:00:00+08:00", 2)) == shanghai(
        "2026-03-16T18:00")
    # Fractions, an evening start, the answer's whole shape.
    response = await member.api.get(DUE, params={"start": "2026-03-16T20:15:00+08:00",
                                                 "hours": "0.5"})
    assert response.status_code == 200, response.text
    assert response.json() == {"start": "2026-03-16T12:15:00Z", "hours": 0.5,
                               "starts_at": "2026-03-17T01:00:00Z",
                               "due_at": "2026-03-17T01:30:00Z",
                               "time_zone": "Asia/Shanghai"}


async def test_a_start_in_any_offset_or_none(cast: Cast) -> None:
    guest = cast.alex  # guests may ask for due times
    expected = shanghai("2026-03-16T10:30")
    for start in ("2026-03-13T17:30:00+08:00", "2026-03-13T09:30:00Z", "2026-03-13T09:30Z",
                  "2026-03-13T10:30:00+01:00", "2026-03-13T05:30:00-04:00",
                  "2026-03-13 17:30:00+08:00", "2026-03-13T17:30:00.000000+08:00",
                  # Without an offset: local time in the calendar's zone.
                  "2026-03-13T17:30", "2026-03-13T17:30:00"):
        assert utc(await due(guest, start, 2)) == expected, start
    # Without a start: from now.
    before = datetime.now(UTC)
    response = await guest.api.get(DUE, params={"hours": 1})
    assert response.status_code == 200, response.text
    assert before <= utc(response.json()["start"]) <= datetime.now(UTC)
    assert utc(response.json()["due_at"]) >= before + timedelta(hours=1)


async def test_bad_due_questions_are_refused(cast: Cast) -> None:
    api = cast.zhangwei.api
    start = "2026-03-13T17:30:00+08:00"
    for hours in ("0", "-1", "2000.001", "1e9", "nan", "inf", "-inf", "two", "", "true",
                  "0x10"):
        response = await api.get(DUE, params={"start": start, "hours": hours})
        refused(response, 422, "invalid")
        assert problem_locs(response) == [["query", "hours"]], hours
    assert await due(cast.zhangwei, start, 2000)  # the most allowed
    refused(await api.get(DUE, params={"start": start}), 422, "invalid")
    for bad in ("1700000000", "0", "2026-03-13", "17:30", "2026-03-13T17:30:00+08",
                "2026-03-13T25:00", "2026-02-30T09:00", "next friday",
                "2026-03-13T17:30:00+08:00[Asia/Shanghai]"):
        response = await api.get(DUE, params={"start": bad, "hours": 1})
        refused(response, 422, "invalid")
        assert problem_locs(response) == [["query", "start"]], bad
    # Years the calendar does not cover, even where converting would overflow.
    for far in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:00-12:00", "1999-12-31T12:00Z",
                "2101-01-01T00:00"):
        refused(await api.get(DUE, params={"start": far, "hours": 1}), 422,
                "calendar_date_out_of_range")
    # A "+" not encoded in a query string is a space: the start is then not an instant.
    response = await api.get(f"{DUE}?start=2026-03-13T17:30:00+08:00&hours=1")
    refused(response, 422, "invalid")


# --- changing the working hours ---------------------------------------------------------------

async def test_an_administrator_changes_the_hours(cast: Cast) -> None:
    admin = cast.linxiaoyan
    new = {"work_start": "08:30", "work_end": "17:30", "lunch_start": "12:00",
           "lunch_end": "13:00", "time_zone": "Asia/Shanghai"}
    response = await admin.api.put(CALENDAR, json=new)
    assert response.status_code == 200, response.text
    assert {key: response.json()[key] for key in new} == new
    assert response.json()["hours_per_day"] == 8
    assert response.json()["updated_by"] == admin.id
    # Everyone's next request follows: Friday 17:00 + 2 h is Monday 10:00 now.
    assert {key: (await calendar(cast.liuyang))[key] for key in new} == new
    assert utc(await due(cast.liuyang, "2026-03-13T17:00:00+08:00", 2)) == shanghai(
        "2026-03-16T10:00")
    [entry] = await audit(admin)
    assert (entry["action"], entry["actor_id"], entry["target"]) == (
        "calendar.changed", admin.id, "business_calendar")
    assert entry["details"] == {"changed": {
        "work_start": {"from": "09:00", "to": "08:30"},
        "work_end": {"from": "18:00", "to": "17:30"},
        "lunch_end": {"from": "13:30", "to": "13:00"}}}
    # The same again changes nothing and audits nothing; no lunch break at all is allowed.
    assert (await admin.api.put(CALENDAR, json=new)).status_code == 200
    assert len(await audit(admin)) == 1
    response = await admin.api.put(CALENDAR, json={**new, "lunch_start": None,
                                                   "lunch_end": None})
    assert response.status_code == 200, response.text
    assert response.json()["hours_per_day"] == 9
    assert utc(await due(cast.liuyang, "2026-03-16T11:30:00+08:00", 2)) == shanghai(
        "2026-03-16T13:30")
    assert len(await audit(admin)) == 2


async def test_a_time_zone_with_daylight_saving(cast: Cast) -> None:
    """Chosen by an administrator: hours are Berlin's wall clock on either side of the
    change to summer time (29 March 2026), and the answers are UTC."""
    admin = cast.zhoujianguo
    response = await admin.api.put(CALENDAR, json={**HOURS, "time_zone": "Europe/Berlin"})
    assert response.status_code == 200, response.text
    assert response.json()["time_zone"] == "Europe/Berlin"
    assert await due(cast.lina, "2026-03-27T17:30:00+01:00", 2) == "2026-03-30T08:30:00Z"
    assert await due(cast.lina, "2026-03-27T17:30", 2) == "2026-03-30T08:30:00Z"
    assert await due(cast.lina, "2026-10-23T17:30", 2) == "2026-10-26T09:30:00Z"
    # The statutory calendar still applies (the company is Chinese): 1 October is off.
    assert await due(cast.lina, "2026-09-30T17:00", 2) == "2026-10-08T08:00:00Z"
    response = await cast.lina.api.get(DUE, params={"start": "2026-03-27T17:30", "hours": 1})
    assert response.json()["time_zone"] == "Europe/Berlin"


async def test_only_administrators_change_the_calendar(cast: Cast, unchanged: Unchanged) -> None:
    async with unchanged:
        for person in (cast.zhangwei, cast.liuyang, cast.wangfang, cast.alex):
            refused(await person.api.put(CALENDAR, json={**HOURS, "work_start": "08:00"}),
                    403, "forbidden")
            refused(await person.api.put(f"{DAYS}/2026-03-16", json={"working": False}),
                    403, "forbidden")
            refused(await person.api.delete(f"{DAYS}/2026-03-16"), 403, "forbidden")
    assert (await calendar(cast.liuyang))["work_start"] == "09:00"
    assert (await days(cast.liuyang, "2026-03-16", "2026-03-16"))["2026-03-16"]["working"]


BAD_HOURS: list[dict[str, Any]] = [
    {**HOURS, "work_end": "08:00"},  # ends before it starts
    {**HOURS, "work_end": "09:00"},  # empty
    {**HOURS, "lunch_start": "08:00"},  # lunch starting before work
    {**HOURS, "lunch_end": "18:30"},  # lunch ending after work
    {**HOURS, "lunch_start": "13:30", "lunch_end": "12:00"},
    {**HOURS, "lunch_end": None},  # half a lunch break
    {**HOURS, "lunch_start": None},
    {**HOURS, "work_start": "9:00"}, {**HOURS, "work_start": "09:00:00"},
    {**HOURS, "work_end": "24:00"}, {**HOURS, "work_start": "09:60"},
    {**HOURS, "work_start": 540}, {**HOURS, "work_start": None}, {**HOURS, "work_start": ""},
    {**HOURS, "work_start": "０９:００"},  # full-width digits
    {**HOURS, "time_zone": "Asia/Beijing"}, {**HOURS, "time_zone": "localtime"},
    {**HOURS, "time_zone": "../../etc/passwd"}, {**HOURS, "time_zone": "+08:00"},
    {**HOURS, "time_zone": ""}, {**HOURS, "time_zone": "x" * 65},
    {**HOURS, "time_zone": None}, {**HOURS, "time_zone": "asia/shanghai"},
    {key: value for key, value in HOURS.items() if key != "time_zone"},
    {key: value for key, value in HOURS.items() if key != "lunch_end"},
    {**HOURS, "weekends": ["saturday"]},
]


async def test_bad_hours_are_refused_whole(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan
    async with unchanged:
        for body in BAD_HOURS:
            refused(await admin.api.put(CALENDAR, json=body), 422, "invalid")
        for raw in (b"", b"{", b"[]", b"null"):
            response = await admin.api.put(CALENDAR, content=raw,
                                           headers={"content-type": "application/json"})
            assert response.status_code in (400, 422), response.text
    assert await audit(admin) == []
    assert (await calendar(admin))["updated_at"] is None


# --- overriding dates -----------------------------------------------------------------------

async def test_a_company_holiday_and_an_extra_working_day(cast: Cast) -> None:
    admin, member = cast.linxiaoyan, cast.liuyang
    holiday = await override(admin, "2026-03-16", False, "公司年会 🎉")
    assert holiday == {"date": "2026-03-16", "working": False, "why": "company_holiday",
                       "usual": "workday", "holiday": None, "note": "公司年会 🎉",
                       "source": "statutory"}
    extra = await override(admin, "2026-03-21", True, "  季度末加班  ")
    assert (extra["working"], extra["why"], extra["usual"], extra["note"]) == (
        True, "company_workday", "weekend", "季度末加班")
    # Everyone sees them, and due times follow at once.
    found = await days(member, "2026-03-14", "2026-03-22")
    assert [found[d]["working"] for d in sorted(found)] == [
        False, False, False, True, True, True, True, True, False]
    assert utc(await due(member, "2026-03-13T17:30:00+08:00", 2)) == shanghai(
        "2026-03-17T10:30")
    assert utc(await due(member, "2026-03-20T17:00:00+08:00", 2)) == shanghai(
        "2026-03-21T10:00")
    # Overriding a statutory day: 10 October (调休) off, 2 October worked.
    off = await override(admin, "2026-10-10", False, None)
    assert (off["why"], off["usual"], off["holiday"]["key"]) == (
        "company_holiday", "makeup_workday", "national_day")
    worked = await override(admin, "2026-10-02", True, "值班")
    assert (worked["why"], worked["usual"]) == ("company_workday", "statutory_holiday")
    assert utc(await due(member, "2026-09-30T17:00:00+08:00", 2)) == shanghai(
        "2026-10-02T10:00")
    # Changing one's mind: the note and the decision; removing it restores the usual day.
    changed = await override(admin, "2026-03-16", False, "公司年会（改期）")
    assert changed["note"] == "公司年会（改期）"
    response = await admin.api.delete(f"{DAYS}/2026-03-16")
    assert response.status_code == 200, response.text
    assert (response.json()["working"], response.json()["why"], response.json()["note"]) == (
        True, "workday", None)
    assert utc(await due(member, "2026-03-13T17:30:00+08:00", 2)) == shanghai(
        "2026-03-16T10:30")

    entries = await audit(admin)
    assert [(e["action"], e["target"]) for e in reversed(entries)] == [
        ("calendar.day_set", "calendar_day:2026-03-16"),
        ("calendar.day_set", "calendar_day:2026-03-21"),
        ("calendar.day_set", "calendar_day:2026-10-10"),
        ("calendar.day_set", "calendar_day:2026-10-02"),
        ("calendar.day_set", "calendar_day:2026-03-16"),
        ("calendar.day_cleared", "calendar_day:2026-03-16")]
    assert entries[1]["details"] == {
        "date": "2026-03-16", "from": {"working": False, "note": "公司年会 🎉"},
        "to": {"working": False, "note": "公司年会（改期）"}}
    assert entries[0]["details"] == {"date": "2026-03-16",
                                     "from": {"working": False, "note": "公司年会（改期）"}}
    # Setting what is set, or removing what is not there, writes and audits nothing.
    await override(admin, "2026-10-02", True, "值班")
    response = await admin.api.delete(f"{DAYS}/2026-03-16")
    assert response.status_code == 200
    assert response.json()["why"] == "workday"
    assert len(await audit(admin)) == len(entries)
    assert (await calendar(member))["updated_by"] == admin.id


async def test_bad_overrides_are_refused(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan
    await override(admin, "2026-03-16", False, "公司年会")
    before = await days(admin, "2026-03-01", "2026-03-31")
    async with unchanged:
        for day in ("2026-02-30", "2026-13-01", "2026-3-16", "20260316", "0", "1700000000",
                    "2026-03-16T00:00", "today", "2026-03-16 ", "%20", "２０２６-03-16"):
            refused(await admin.api.put(f"{DAYS}/{day}", json={"working": False}), 422,
                    "invalid")
            refused(await admin.api.delete(f"{DAYS}/{day}"), 422, "invalid")
        for day in ("1999-12-31", "2101-01-01", "0001-01-01", "9999-12-31"):
            refused(await admin.api.put(f"{DAYS}/{day}", json={"working": False}), 422,
                    "calendar_date_out_of_range")
            refused(await admin.api.delete(f"{DAYS}/{day}"), 422,
                    "calendar_date_out_of_range")
        for body in ({}, {"note": "x"}, {"working": "false"}, {"working": 0},
                     {"working": None}, {"working": False, "note": "年" * 101},
                     {"working": False, "note": "年\u202e会"},
                     {"working": False, "note": "年\x00会"}, {"working": False, "note": 7},
                     {"working": False, "date": "2026-03-17"}):
            response = await admin.api.put(f"{DAYS}/2026-03-16", json=body)
            assert response.status_code == 422, (body, response.text)
        refused(await admin.api.post(f"{DAYS}/2026-03-16", json={"working": False}), 405)
    assert await days(admin, "2026-03-01", "2026-03-31") == before
    assert len(await audit(admin)) == 1


async def test_the_longest_note_fits_and_a_blank_one_is_none(cast: Cast) -> None:
    admin = cast.linxiaoyan
    assert (await override(admin, "2026-03-16", False, "年" * 100))["note"] == "年" * 100
    assert (await override(admin, "2026-03-17", False, "   "))["note"] is None
    response = await admin.api.put(f"{DAYS}/2026-03-18", json={"working": True})
    assert response.status_code == 200, response.text
    assert response.json()["note"] is None


# --- what it costs, and that nothing is stale ----------------------------------------------

async def test_a_due_time_costs_one_read_once_cached(cast: Cast) -> None:
    """The calendar is cached by revision: a request reads the revision (one primary-key
    read) and nothing else of the calendar; a change is read at the very next request."""
    admin, member = cast.linxiaoyan, cast.liuyang
    await override(admin, "2026-03-16", False, "公司年会")
    await due(member, "2026-03-13T17:30:00+08:00", 2)  # warms this process's cache
    with statements(cast.runtime, words=None) as seen:
        assert utc(await due(member, "2026-03-13T17:30:00+08:00", 2)) == shanghai(
            "2026-03-17T10:30")
    calendar_reads = [s for s in seen if "business_calendar" in s]
    assert len(calendar_reads) == 1, seen
    assert "business_calendar_days" not in calendar_reads[0]
    # Changed: the change's own reply (the day as it now is) loads the new calendar once
    # (revision, row, overrides); the next request finds it cached, and current.
    with statements(cast.runtime, words=None) as seen:
        await admin.api.delete(f"{DAYS}/2026-03-16")
    assert len([s for s in seen if s.startswith("SELECT") and "FROM business_calendar_days"
                in s and "WHERE" not in s]) == 1, seen
    with statements(cast.runtime, words=None) as seen:
        assert utc(await due(member, "2026-03-13T17:30:00+08:00", 2)) == shanghai(
            "2026-03-16T10:30")
    assert len([s for s in seen if "business_calendar" in s]) == 1, seen
    with statements(cast.runtime, words=None) as seen:
        await days(member, "2026-01-01", "2026-12-31")
    assert len([s for s in seen if "business_calendar" in s]) == 1, seen


async def test_concurrent_overrides_all_land(cast: Cast) -> None:
    admin = cast.linxiaoyan
    dates = [f"2026-11-{day:02d}" for day in range(2, 14)]
    responses = await asyncio.gather(*(
        admin.api.put(f"{DAYS}/{day}", json={"working": False, "note": f"盘点 {day}"})
        for day in dates))
    assert [r.status_code for r in responses] == [200] * len(dates)
    found = await days(cast.liuyang, dates[0], dates[-1])
    assert [found[day]["note"] for day in dates] == [f"盘点 {day}" for day in dates]
    assert all(item["why"] == "company_holiday" for item in found.values())
    assert len(await audit(admin)) == len(dates)


# --- several nodes -----------------------------------------------------------------------------

@pytest.mark.slow
async def test_an_override_is_in_force_on_every_node_at_the_next_request(
        backend: Backend, tmp_path: Path) -> None:
    """Two server processes, each with its own cached calendar: a date overridden through
    one moves the due times the other computes at its very next request."""
    if not backend.is_postgres:
        pytest.skip("several nodes need PostgreSQL (+ Redis); SQLite is one node: this is "
                    "the SQLite run")
    password = "calendar-node-password"
    async with backend.installation(tmp_path, password) as env:
        nodes = [await asyncio.to_thread(Node(dict(env)).start) for _ in range(2)]
        try:
            first, second = (node.url for node in nodes)

            async def signed_in(base: str) -> httpx.AsyncClient:
                async with httpx.AsyncClient(base_url=base) as client:
                    response = await client.post(f"{API}/auth/login",
                                                 json={"login": "boss", "password": password})
                    assert response.status_code == 200, response.text
                return httpx.AsyncClient(base_url=base, timeout=30, headers={
                    "Authorization": f"Bearer {response.json()['token']}"})

            on_first, on_second = await signed_in(first), await signed_in(second)
            question = {"start": "2026-03-13T17:30:00+08:00", "hours": "2"}

            async def due_on(client: httpx.AsyncClient) -> str:
                response = await client.get(DUE, params=question)
                assert response.status_code == 200, response.text
                found: str = response.json()["due_at"]
                return found

            try:
                # Both nodes compute (and cache) the usual answer.
                assert {await due_on(on_first), await due_on(on_second)} == {
                    "2026-03-16T02:30:00Z"}
                changed = await on_first.put(f"{DAYS}/2026-03-16",
                                             json={"working": False, "note": "公司年会"})
                assert changed.status_code == 200, changed.text
                assert await due_on(on_second) == "2026-03-17T02:30:00Z"
                # And back, through the second; the first follows.
                cleared = await on_second.delete(f"{DAYS}/2026-03-16")
                assert cleared.status_code == 200, cleared.text
                assert await due_on(on_first) == "2026-03-16T02:30:00Z"
                hours = await on_second.put(CALENDAR, json={**HOURS, "work_start": "08:00"})
                assert hours.status_code == 200, hours.text
                assert await due_on(on_first) == "2026-03-16T01:30:00Z"
            finally:
                await on_first.aclose()
                await on_second.aclose()
        finally:
            for node in nodes:
                node.stop()


# --- the demo ----------------------------------------------------------------------------------

async def test_the_demo_company_gets_its_annual_party(cast: Cast) -> None:
    options = DemoOptions(password=PASSWORD, passwords=cast.runtime.passwords,
                          zone=cast.runtime.settings.zone)
    async with cast.runtime.unit_of_work() as uow:
        made = await demo_calendar(uow, options)
    assert made.created == ("1 company holiday",)
    today = datetime.now(UTC).date()
    found = await days(cast.liuyang, today.isoformat(), (today + timedelta(days=60)).isoformat())
    [party] = [item for item in found.values() if item["why"] == "company_holiday"]
    assert party["note"] == "公司年会，全员放假一天"
    assert party["usual"] == "workday"
    assert date.fromisoformat(party["date"]).weekday() == 4
    assert date.fromisoformat(party["date"]) >= today + timedelta(days=21)
    async with cast.runtime.unit_of_work() as uow:
        assert (await demo_calendar(uow, options)).created == ()
