"""Reading the business calendar.

`work_calendar(uow, default_zone=...)` is what other domains call (the requests domain, to
compute SLA due times): it reads the calendar row's revision (one primary-key read of a
one-row table) and takes the built `WorkCalendar` from this process's cache when it holds
that revision, loading the hours and every override (two statements) only when it does
not. Every change of the hours or of an override writes a new revision, so a change made
on one node is in force on every node from the next unit of work that starts after its
commit, as the company's settings are (`org.company_settings.queries`).

The calendar returned is immutable and needs no database: ask it as often as needed.
"""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from xietong.business_calendar.models import THE_ROW, CalendarDayOverride, CalendarRecord
from xietong.business_calendar.work_calendar import (
    DEFAULT_HOURS,
    DayOverride,
    WorkCalendar,
    WorkingHours,
)
from xietong.core.revisions import ByRevision
from xietong.core.uow import UnitOfWork

# Keyed by revision and the installation's default zone (which a row without a chosen zone
# follows; two databases in one process may differ in both).
_calendars: ByRevision[WorkCalendar] = ByRevision()
_NO_ROW = "defaults"


async def work_calendar(uow: UnitOfWork, *, default_zone: ZoneInfo) -> WorkCalendar:
    """The calendar in force for this unit of work. `default_zone`: the installation's time
    zone (`Settings.zone`), in force until an administrator chooses one."""
    revision = await uow.session.scalar(
        select(CalendarRecord.revision).where(CalendarRecord.id == THE_ROW))
    cached = _calendars.get(_key(revision or _NO_ROW, default_zone))
    if cached is not None:
        return cached
    # The row is read again with its values: it may have changed since the revision was
    # read, and a calendar must never be cached under another revision than its own. (The
    # overrides, read after it, can only be as new or newer: a later change's copy under
    # this revision is newer than asked for, never older.)
    record = await calendar_record(uow)
    overrides = await overrides_in_force(uow) if record is not None else {}
    built = calendar_of(record, overrides, default_zone)
    _calendars.put(_key(record.revision if record else _NO_ROW, default_zone), built)
    return built


def _key(revision: str, zone: ZoneInfo) -> str:
    return f"{revision} {zone.key}"


async def calendar_record(uow: UnitOfWork) -> CalendarRecord | None:
    """The row itself (who changed the calendar last, and when), read afresh."""
    return await uow.session.get(CalendarRecord, THE_ROW, populate_existing=True)


async def overrides_in_force(uow: UnitOfWork) -> dict[date, DayOverride]:
    """Every overridden date (administrators set a few a year; the table holds at most one
    row per date of the years the API accepts)."""
    rows = await uow.session.execute(
        select(CalendarDayOverride.day, CalendarDayOverride.working, CalendarDayOverride.note))
    return {day: DayOverride(working=working, note=note) for day, working, note in rows}


async def override_of(uow: UnitOfWork, day: date) -> CalendarDayOverride | None:
    return await uow.session.get(CalendarDayOverride, day, populate_existing=True)


def hours_of(record: CalendarRecord | None) -> WorkingHours:
    if record is None:
        return DEFAULT_HOURS
    return WorkingHours(start=_time(record.work_start), end=_time(record.work_end),
                        lunch_start=_optional_time(record.lunch_start),
                        lunch_end=_optional_time(record.lunch_end))


def zone_of(record: CalendarRecord | None, default_zone: ZoneInfo) -> ZoneInfo:
    if record is None or record.time_zone is None:
        return default_zone
    return ZoneInfo(record.time_zone)


def calendar_of(record: CalendarRecord | None, overrides: dict[date, DayOverride],
                default_zone: ZoneInfo) -> WorkCalendar:
    return WorkCalendar(hours=hours_of(record), zone=zone_of(record, default_zone),
                        overrides=overrides)


def minutes_of(value: time) -> int:
    return value.hour * 60 + value.minute


def minutes_or_none(value: time | None) -> int | None:
    return None if value is None else minutes_of(value)


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _optional_time(minutes: int | None) -> time | None:
    return None if minutes is None else _time(minutes)
