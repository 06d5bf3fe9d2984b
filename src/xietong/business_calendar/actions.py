"""Changing the business calendar: administrators only, audited, and never committed here.

Every change writes a new revision on the calendar row (creating it, with the default
hours, at the first change), so every node's cached calendar gives way at the next unit
of work (`queries`). Changes are serialised on one lock, from reading the row to the
commit: of two administrators changing the calendar at once, the second reads the first's
change and keeps it.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from xietong.audit.actions import AuditAction, do_record
from xietong.business_calendar import queries
from xietong.business_calendar.models import THE_ROW, CalendarDayOverride, CalendarRecord
from xietong.business_calendar.schemas import CalendarChange, shown
from xietong.business_calendar.work_calendar import DEFAULT_HOURS, WorkingHours
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid
from xietong.core.uow import UnitOfWork
from xietong.policy import business_calendar as calendar_policy
from xietong.policy import require

CALENDAR_LOCK = "business-calendar"
CALENDAR_TARGET = "business_calendar"
ADMINS_ONLY = "Only administrators change the business calendar."

# The dates the calendar takes: far enough back for any request still open and far enough
# ahead for any due time, without nearing the end of what a date can hold.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def day_target(day: date) -> str:
    return f"calendar_day:{day.isoformat()}"


def check_day(day: date) -> None:
    """Refuse a date outside the years the calendar takes."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Invalid(f"The business calendar covers {FIRST_DAY.year} to {LAST_DAY.year}.",
                      code="calendar_date_out_of_range",
                      details={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()})


async def do_change_calendar(uow: UnitOfWork, actor: Actor, change: CalendarChange, *,
                             default_zone: ZoneInfo) -> CalendarRecord | None:
    """Set the working hours, lunch break and time zone; audit what changed. Answers the
    row as it now is (None while the calendar was never changed and still is not)."""
    require(calendar_policy.can_manage_calendar(actor), ADMINS_ONLY)
    await uow.lock(CALENDAR_LOCK)
    record = await queries.calendar_record(uow)
    before = _shown(queries.hours_of(record), queries.zone_of(record, default_zone).key)
    hours = change.hours()
    after = _shown(hours, change.time_zone)
    changed = {key: {"from": before[key], "to": value} for key, value in after.items()
               if before[key] != value}
    if not changed:
        return record
    record = _touched(uow, record, actor)
    _set_hours(record, hours)
    record.time_zone = change.time_zone
    await uow.flush()
    await do_record(uow, AuditAction.CALENDAR_CHANGED, actor_id=actor.user_id, ip=actor.ip,
                    target=CALENDAR_TARGET, details={"changed": changed})
    return record


async def do_set_day(uow: UnitOfWork, actor: Actor, day: date, *, working: bool,
                     note: str | None) -> None:
    """Override `day`: a company holiday (`working` false) or an extra working day (true),
    with a note. Setting what is already set changes nothing (and audits nothing)."""
    require(calendar_policy.can_manage_calendar(actor), ADMINS_ONLY)
    check_day(day)
    await uow.lock(CALENDAR_LOCK)
    override = await queries.override_of(uow, day)
    before = _override_shown(override)
    if before == {"working": working, "note": note}:
        return
    if override is None:
        override = CalendarDayOverride(day=day)
        uow.session.add(override)
    override.working = working
    override.note = note
    override.updated_at = utcnow()
    override.updated_by = actor.user_id
    _touched(uow, await queries.calendar_record(uow), actor)
    await uow.flush()
    await do_record(uow, AuditAction.CALENDAR_DAY_SET, actor_id=actor.user_id, ip=actor.ip,
                    target=day_target(day),
                    details={"date": day.isoformat(), "from": before,
                             "to": {"working": working, "note": note}})


async def do_clear_day(uow: UnitOfWork, actor: Actor, day: date) -> bool:
    """Remove the override of `day` (it is again what the statutory calendar and the week
    make it). Whether there was one to remove."""
    require(calendar_policy.can_manage_calendar(actor), ADMINS_ONLY)
    check_day(day)
    await uow.lock(CALENDAR_LOCK)
    override = await queries.override_of(uow, day)
    if override is None:
        return False
    before = _override_shown(override)
    await uow.session.delete(override)
    _touched(uow, await queries.calendar_record(uow), actor)
    await uow.flush()
    await do_record(uow, AuditAction.CALENDAR_DAY_CLEARED, actor_id=actor.user_id,
                    ip=actor.ip, target=day_target(day),
                    details={"date": day.isoformat(), "from": before})
    return True


def _touched(uow: UnitOfWork, record: CalendarRecord | None, actor: Actor) -> CalendarRecord:
    """The calendar row (made with the default hours if there is none yet) with a new
    revision, stamped with who changed it and when."""
    if record is None:
        record = CalendarRecord(id=THE_ROW, time_zone=None)
        _set_hours(record, DEFAULT_HOURS)
        uow.session.add(record)
    record.revision = uuid.uuid4().hex
    record.updated_at = utcnow()
    record.updated_by = actor.user_id
    return record


def _set_hours(record: CalendarRecord, hours: WorkingHours) -> None:
    record.work_start = queries.minutes_of(hours.start)
    record.work_end = queries.minutes_of(hours.end)
    record.lunch_start = queries.minutes_or_none(hours.lunch_start)
    record.lunch_end = queries.minutes_or_none(hours.lunch_end)


def _shown(hours: WorkingHours, zone: str) -> dict[str, str | None]:
    """The settings as the audit log records them ("09:00", "Asia/Shanghai")."""
    return {"work_start": shown(hours.start), "work_end": shown(hours.end),
            "lunch_start": shown(hours.lunch_start), "lunch_end": shown(hours.lunch_end),
            "time_zone": zone}


def _override_shown(override: CalendarDayOverride | None) -> dict[str, Any] | None:
    return None if override is None else {"working": override.working, "note": override.note}
