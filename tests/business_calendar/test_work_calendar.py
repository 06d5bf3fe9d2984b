"""The business calendar's arithmetic (`xietong.business_calendar.work_calendar`): due
times in working hours across evenings, lunch, weekends, statutory holidays, make-up
working days (调休) and the company's overrides; pausing; time zones. Pure functions of a
calendar value, so the requests domain can call them thousands of times per request."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from xietong.business_calendar import statutory
from xietong.business_calendar.work_calendar import (
    DayKind,
    DayOverride,
    NoWorkingTime,
    Source,
    WorkCalendar,
    WorkingHours,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = WorkCalendar()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
       zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def local(moment: datetime, zone: ZoneInfo = SHANGHAI) -> datetime:
    assert moment.tzinfo is UTC  # answers are UTC
    return moment.astimezone(zone)


def due(start: datetime, hours: float, calendar: WorkCalendar = CALENDAR) -> datetime:
    return local(calendar.add_working_hours(start, hours), calendar.zone)


# --- the cases the requests domain relies on ------------------------------------------------

def test_friday_evening_runs_into_monday() -> None:
    # 2026-03-13 is an ordinary Friday: half an hour on Friday, an hour and a half Monday.
    assert date(2026, 3, 13).weekday() == 4
    assert due(at(2026, 3, 13, 17, 30), 2) == at(2026, 3, 16, 10, 30)


def test_lunch_does_not_count() -> None:
    assert due(at(2026, 3, 16, 11, 30), 2) == at(2026, 3, 16, 15, 0)
    # Filed during lunch: the clock starts at 13:30.
    assert due(at(2026, 3, 16, 12, 45), 1) == at(2026, 3, 16, 14, 30)
    assert CALENDAR.next_working_moment(at(2026, 3, 16, 12, 0)) == at(2026, 3, 16, 13, 30)


def test_filed_outside_working_hours_starts_at_the_next_working_moment() -> None:
    # Evening, early morning, Saturday, Sunday.
    assert due(at(2026, 3, 16, 20, 0), 1) == at(2026, 3, 17, 10, 0)
    assert due(at(2026, 3, 17, 6, 0), 1) == at(2026, 3, 17, 10, 0)
    assert due(at(2026, 3, 14, 10, 0), 1) == at(2026, 3, 16, 10, 0)
    assert due(at(2026, 3, 15, 23, 59), 0.5) == at(2026, 3, 16, 9, 30)
    for moment, then in ((at(2026, 3, 16, 20, 0), at(2026, 3, 17, 9, 0)),
                         (at(2026, 3, 14, 10, 0), at(2026, 3, 16, 9, 0)),
                         (at(2026, 3, 16, 18, 0), at(2026, 3, 17, 9, 0)),
                         (at(2026, 3, 16, 9, 0), at(2026, 3, 16, 9, 0)),
                         (at(2026, 3, 16, 10, 17), at(2026, 3, 16, 10, 17))):
        assert CALENDAR.next_working_moment(moment) == then
        assert CALENDAR.next_working_moment(moment).tzinfo is UTC


def test_a_due_time_landing_on_the_end_of_a_period_stays_there() -> None:
    """The rule: the due time is the earliest instant by which the hours have run. Two
    hours from 16:00 run out at 18:00 that day, not at 09:00 the next."""
    assert due(at(2026, 3, 16, 16, 0), 2) == at(2026, 3, 16, 18, 0)
    assert due(at(2026, 3, 16, 11, 0), 1) == at(2026, 3, 16, 12, 0)
    # A full working day from the start of one ends at 18:00 of it.
    assert due(at(2026, 3, 16, 9, 0), 7.5) == at(2026, 3, 16, 18, 0)
    # A minute more is the next morning.
    assert due(at(2026, 3, 16, 16, 0), 2 + 1 / 60) == at(2026, 3, 17, 9, 1)


def test_fractional_hours_and_other_duration_types() -> None:
    start = at(2026, 3, 16, 9, 0)
    assert due(start, 0.5) == at(2026, 3, 16, 9, 30)
    assert due(start, 0.1) == at(2026, 3, 16, 9, 6)
    assert CALENDAR.add_working_hours(start, Decimal("0.25")) == at(2026, 3, 16, 9, 15)
    assert CALENDAR.add_working_hours(start, timedelta(minutes=90)) == at(2026, 3, 16, 10, 30)
    assert CALENDAR.add_working_hours(start, 3) == CALENDAR.add_working_hours(start, 3.0)
    # Zero hours is the start itself, even outside working hours.
    assert CALENDAR.add_working_hours(at(2026, 3, 14, 3, 0), 0) == at(2026, 3, 14, 3, 0)
    for bad in (-1, float("nan"), float("inf"), Decimal("NaN"), timedelta(seconds=-1)):
        with pytest.raises(ValueError, match="duration"):
            CALENDAR.add_working_hours(start, bad)
    with pytest.raises(TypeError):
        CALENDAR.add_working_hours(start, True)


def test_several_days_of_working_hours() -> None:
    # 16 h from Monday 09:00: Monday (7.5), Tuesday (7.5), one hour into Wednesday.
    assert due(at(2026, 3, 16, 9, 0), 16) == at(2026, 3, 18, 10, 0)
    # 40 h from a Friday 17:30: 0.5 that Friday and 5 × 7.5 the next week make 38 by
    # Friday 18:00; the two left run into the Monday after.
    assert due(at(2026, 3, 13, 17, 30), 40) == at(2026, 3, 23, 11, 0)


# --- statutory holidays and 调休 ------------------------------------------------------------

def test_national_day_week_is_skipped() -> None:
    # 2026: 1–7 October off, with the make-up working days before and after.
    for day in range(1, 8):
        assert not CALENDAR.is_working_day(date(2026, 10, day))
        assert CALENDAR.day(date(2026, 10, day)).why == DayKind.STATUTORY_HOLIDAY
        holiday = CALENDAR.day(date(2026, 10, day)).holiday
        assert holiday is not None
        assert (holiday.key, holiday.zh_cn) == ("national_day", "国庆节")
    # Filed Wednesday 30 September at 17:00: one hour that day, one after the break.
    assert due(at(2026, 9, 30, 17, 0), 2) == at(2026, 10, 8, 10, 0)


def test_a_makeup_saturday_is_a_working_day() -> None:
    saturdays = sorted(day for day in chinese_calendar.workdays
                       if day.year == 2026 and day.weekday() == 5)
    assert saturdays, "the package lists 2026's make-up working days"
    for saturday in saturdays:
        assert CALENDAR.is_working_day(saturday), saturday
        seen = CALENDAR.day(saturday)
        assert (seen.working, seen.why, seen.source) == (True, DayKind.MAKEUP_WORKDAY,
                                                         Source.STATUTORY)
        assert seen.holiday is not None
        # Filed the Friday before at 17:00 (a working Friday): due that Saturday.
        friday = saturday - timedelta(days=1)
        if CALENDAR.is_working_day(friday):
            start = datetime.combine(friday, time(17, 0), SHANGHAI)
            assert due(start, 2).date() == saturday, saturday
    # 10 October 2026 is one of them (worked for the National Day break).
    assert date(2026, 10, 10) in saturdays
    assert due(at(2026, 10, 9, 17, 0), 2) == at(2026, 10, 10, 10, 0)


def test_the_calendar_agrees_with_the_package_on_every_day_it_knows() -> None:
    day = date(statutory.FIRST_YEAR, 1, 1)
    while day.year <= statutory.LAST_YEAR:
        assert CALENDAR.is_working_day(day) == chinese_calendar.is_workday(day), day
        assert CALENDAR.day(day).working == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_years_the_package_does_not_know_fall_back_to_weekdays() -> None:
    later = statutory.LAST_YEAR + 1
    first_of_october = date(later, 10, 1)
    seen = CALENDAR.day(first_of_october)
    assert seen.source == Source.WEEKDAYS
    assert seen.holiday is None
    assert seen.working == (first_of_october.weekday() < 5)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(first_of_october)  # the package itself refuses
    # A due time across years it does not know is still computed.
    start = datetime.combine(date(later, 12, 31), time(17, 0), SHANGHAI)
    assert CALENDAR.add_working_hours(start, 100) > start
    assert CALENDAR.day(date(2003, 10, 1)).source == Source.WEEKDAYS


# --- the company's overrides ---------------------------------------------------------------

def test_a_company_holiday_and_an_extra_working_day() -> None:
    calendar = WorkCalendar(overrides={
        date(2026, 3, 16): DayOverride(working=False, note="公司年会"),
        date(2026, 3, 21): DayOverride(working=True, note="加班赶项目"),
    })
    # The Monday off: Friday 17:30 + 2 h runs into Tuesday.
    assert due(at(2026, 3, 13, 17, 30), 2, calendar) == at(2026, 3, 17, 10, 30)
    monday = calendar.day(date(2026, 3, 16))
    assert (monday.working, monday.why, monday.usual, monday.note) == (
        False, DayKind.COMPANY_HOLIDAY, DayKind.WORKDAY, "公司年会")
    # The Saturday on: Friday 17:00 + 2 h lands on it.
    assert due(at(2026, 3, 20, 17, 0), 2, calendar) == at(2026, 3, 21, 10, 0)
    assert calendar.day(date(2026, 3, 21)).why == DayKind.COMPANY_WORKDAY


def test_an_override_beats_the_statutory_calendar() -> None:
    calendar = WorkCalendar(overrides={
        date(2026, 10, 8): DayOverride(working=False, note="国庆多休一天"),
        date(2026, 10, 10): DayOverride(working=False),
        date(2026, 10, 2): DayOverride(working=True, note="值班"),
    })
    assert not calendar.is_working_day(date(2026, 10, 10))
    assert calendar.day(date(2026, 10, 10)).usual == DayKind.MAKEUP_WORKDAY
    holiday_worked = calendar.day(date(2026, 10, 2))
    assert (holiday_worked.working, holiday_worked.why, holiday_worked.usual) == (
        True, DayKind.COMPANY_WORKDAY, DayKind.STATUTORY_HOLIDAY)
    assert holiday_worked.holiday is not None
    assert due(at(2026, 9, 30, 17, 0), 2, calendar) == at(2026, 10, 2, 10, 0)
    assert due(at(2026, 10, 2, 17, 0), 2, calendar) == at(2026, 10, 9, 10, 0)


def test_a_calendar_without_working_time_says_so() -> None:
    start = date(2026, 1, 1)
    every_day_off = {start + timedelta(days=n): DayOverride(working=False)
                     for n in range(11 * 366)}
    calendar = WorkCalendar(overrides=every_day_off)
    with pytest.raises(NoWorkingTime):
        calendar.add_working_hours(at(2026, 1, 1), 1)
    with pytest.raises(NoWorkingTime):
        calendar.next_working_moment(at(2026, 1, 1))
    assert calendar.working_time_between(at(2026, 1, 1), at(2027, 1, 1)) == timedelta(0)


# --- pausing: working time between two instants ----------------------------------------------

def test_working_time_between() -> None:
    assert CALENDAR.working_time_between(at(2026, 3, 13, 17, 30),
                                         at(2026, 3, 16, 10, 30)) == timedelta(hours=2)
    assert CALENDAR.working_time_between(at(2026, 3, 16, 11, 30),
                                         at(2026, 3, 16, 15, 0)) == timedelta(hours=2)
    # Entirely outside working hours: nothing.
    assert CALENDAR.working_time_between(at(2026, 3, 14, 8, 0),
                                         at(2026, 3, 15, 23, 0)) == timedelta(0)
    assert CALENDAR.working_time_between(at(2026, 3, 16, 12, 0),
                                         at(2026, 3, 16, 13, 30)) == timedelta(0)
    # The National Day break holds none; the week around it 7.5 h a working day.
    assert CALENDAR.working_time_between(at(2026, 10, 1), at(2026, 10, 8)) == timedelta(0)
    assert CALENDAR.working_time_between(at(2026, 9, 28), at(2026, 10, 12)) == timedelta(
        hours=7.5 * 6)  # 28, 29, 30 September; 8, 9 and (a Saturday) 10 October
    # Backwards is negative; the same instant nothing.
    assert CALENDAR.working_time_between(at(2026, 3, 16, 15, 0),
                                         at(2026, 3, 16, 11, 30)) == -timedelta(hours=2)
    assert CALENDAR.working_time_between(at(2026, 3, 16, 10), at(2026, 3, 16, 10)) == (
        timedelta(0))


def test_pausing_and_resuming_an_sla() -> None:
    """The requests domain's pause: a 4-hour SLA filed Monday 10:00 waits on the requester
    from 11:00 to Wednesday 14:00; resumed, the 3 hours left run from then."""
    filed, sla = at(2026, 3, 16, 10, 0), timedelta(hours=4)
    assert due(filed, 4) == at(2026, 3, 16, 15, 30)
    paused, resumed = at(2026, 3, 16, 11, 0), at(2026, 3, 18, 14, 0)
    used = CALENDAR.working_time_between(filed, paused)
    assert used == timedelta(hours=1)
    assert due(resumed, (sla - used) / timedelta(hours=1)) == at(2026, 3, 18, 17, 0)
    assert local(CALENDAR.add_working_hours(resumed, sla - used)) == at(2026, 3, 18, 17, 0)


def test_working_time_between_undoes_adding_for_any_start_and_duration() -> None:
    """Property: for random starts (any minute of 2025–2027, in several offsets) and
    durations (to the second, up to 120 h), the working time between a start and its due
    time is exactly the duration, and the due time is in working hours unless zero."""
    calendars = [CALENDAR,
                 WorkCalendar(overrides={date(2026, 5, 6): DayOverride(working=False),
                                         date(2026, 5, 9): DayOverride(working=True)}),
                 WorkCalendar(hours=WorkingHours(time(8, 30), time(17, 15), None, None),
                              zone=BERLIN)]
    rng = random.Random(20261001)
    offsets = [ZoneInfo("UTC"), SHANGHAI, BERLIN, ZoneInfo("America/New_York")]
    span = int(timedelta(days=3 * 365).total_seconds())
    for _ in range(3000):
        calendar = rng.choice(calendars)
        start = (datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(span))
                 ).astimezone(rng.choice(offsets))
        hours = rng.choice([rng.randrange(1, 120 * 3600) / 3600, rng.randrange(1, 16) / 2,
                            rng.choice([0.5, 1, 2, 7.5, 8, 24, 40])])
        duration = timedelta(hours=hours)
        due_at = calendar.add_working_hours(start, hours)
        assert calendar.working_time_between(start, due_at) == duration, (start, hours)
        assert due_at > start
        # The due time is inside a working period or exactly at its end.
        just_before = due_at - timedelta(microseconds=1)
        assert calendar.next_working_moment(just_before) == just_before, (start, hours)
        assert calendar.is_working_day(due_at.astimezone(calendar.zone).date())


# --- time zones ---------------------------------------------------------------------------

def test_inputs_in_other_offsets_are_the_same_instant() -> None:
    expected = at(2026, 3, 16, 10, 30)
    for start in (at(2026, 3, 13, 17, 30),
                  datetime(2026, 3, 13, 9, 30, tzinfo=UTC),
                  datetime(2026, 3, 13, 10, 30, tzinfo=BERLIN),
                  datetime(2026, 3, 13, 5, 30, tzinfo=ZoneInfo("America/New_York")),
                  datetime.fromisoformat("2026-03-14T00:30:00+15:00")):
        assert due(start, 2) == expected, start
    with pytest.raises(ValueError, match="aware"):
        CALENDAR.add_working_hours(datetime(2026, 3, 13, 17, 30), 2)


def test_a_zone_with_daylight_saving_keeps_its_wall_clock() -> None:
    """Berlin springs forward on 29 March 2026 and falls back on 25 October: a working day
    is still 09:00–18:00 local, so the same wall-clock answer is a different UTC hour."""
    calendar = WorkCalendar(zone=BERLIN)
    spring = calendar.add_working_hours(at(2026, 3, 27, 17, 30, BERLIN), 2)
    assert spring.astimezone(BERLIN) == at(2026, 3, 30, 10, 30, BERLIN)
    assert spring == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)  # CEST, UTC+2
    autumn = calendar.add_working_hours(at(2026, 10, 23, 17, 30, BERLIN), 2)
    assert autumn.astimezone(BERLIN) == at(2026, 10, 26, 10, 30, BERLIN)
    assert autumn == datetime(2026, 10, 26, 9, 30, tzinfo=UTC)  # CET, UTC+1
    # Across the weekend of the change, the working time is exactly what was added.
    assert calendar.working_time_between(at(2026, 3, 27, 17, 30, BERLIN), spring) == (
        timedelta(hours=2))


def test_working_hours_across_a_daylight_saving_change_count_real_time() -> None:
    """A night shift 00:00–05:00 on the night Berlin falls back lasts six real hours, and
    on the night it springs forward four."""
    night = WorkCalendar(hours=WorkingHours(time(0, 0), time(5, 0), None, None), zone=BERLIN,
                         overrides={date(2026, 3, 29): DayOverride(working=True),
                                    date(2026, 10, 25): DayOverride(working=True)})
    assert night.working_time_between(at(2026, 10, 25, 0, 0, BERLIN),
                                      at(2026, 10, 26, 0, 0, BERLIN)) == timedelta(hours=6)
    assert night.working_time_between(at(2026, 3, 29, 0, 0, BERLIN),
                                      at(2026, 3, 30, 0, 0, BERLIN)) == timedelta(hours=4)


def test_shanghai_has_no_surprises() -> None:
    # Every working day of a year is 09:00–18:00 at UTC+8: 01:00–10:00 UTC less lunch.
    day = date(2026, 1, 1)
    while day.year == 2026:
        if CALENDAR.is_working_day(day):
            start = datetime.combine(day, time(9), SHANGHAI)
            assert start.utcoffset() == timedelta(hours=8)
            assert CALENDAR.add_working_hours(start, 7.5) == datetime.combine(
                day, time(10), UTC)
        day += timedelta(days=1)


# --- the working hours themselves ----------------------------------------------------------

def test_working_hours_refuse_what_is_no_working_day() -> None:
    assert WorkingHours().per_day == timedelta(hours=7.5)
    assert WorkingHours(time(8), time(17), None, None).per_day == timedelta(hours=9)
    for start, end, lunch_start, lunch_end in (
            (time(18), time(9), None, None), (time(9), time(9), None, None),
            (time(9), time(18), time(12), None), (time(9), time(18), None, time(13)),
            (time(9), time(18), time(8), time(10)), (time(9), time(18), time(13), time(12)),
            (time(9), time(18), time(17), time(18)), (time(9), time(18), time(9), time(10))):
        with pytest.raises(ValueError, match=r"working day|lunch"):
            WorkingHours(start, end, lunch_start, lunch_end)
