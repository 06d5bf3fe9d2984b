"""The business calendar over HTTP: everyone signed in (guests too) reads the working
hours, the days and due times; administrators change the hours and override dates
(`policy.business_calendar`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query

from xietong.business_calendar import actions, queries, statutory
from xietong.business_calendar.actions import check_day
from xietong.business_calendar.models import CalendarRecord
from xietong.business_calendar.schemas import (
    CalendarChange,
    CalendarOut,
    DayChange,
    DayOut,
    DaysOut,
    DueOut,
    HolidayOut,
    IsoDate,
    IsoDateTime,
    StatutoryOut,
    shown,
)
from xietong.business_calendar.work_calendar import CalendarDay, NoWorkingTime, WorkCalendar
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid
from xietong.edge import CurrentActor, Rt

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])

# The longest range of days one request lists: a year, leap day included.
MAX_DAYS_LISTED = 366
# The most working hours one due time adds: more than a working year (about 1,900 hours
# at 7.5 a day), far beyond any SLA, and cheap to compute.
MAX_DUE_HOURS = 2000

DayPath = Annotated[IsoDate, Path(description="A date, YYYY-MM-DD.")]


def statutory_out() -> StatutoryOut:
    return StatutoryOut(first_year=statutory.FIRST_YEAR, last_year=statutory.LAST_YEAR,
                        package_version=statutory.VERSION)


def calendar_out(calendar: WorkCalendar, record: CalendarRecord | None) -> CalendarOut:
    hours = calendar.hours
    return CalendarOut(
        work_start=shown(hours.start) or "", work_end=shown(hours.end) or "",
        lunch_start=shown(hours.lunch_start), lunch_end=shown(hours.lunch_end),
        time_zone=calendar.zone.key, hours_per_day=hours.per_day / timedelta(hours=1),
        statutory=statutory_out(),
        updated_at=record.updated_at if record is not None else None,
        updated_by=record.updated_by if record is not None else None)


def day_out(day: CalendarDay) -> DayOut:
    holiday = day.holiday
    return DayOut(date=day.date, working=day.working, why=day.why, usual=day.usual,
                  holiday=HolidayOut(key=holiday.key, labels=holiday.labels())
                  if holiday is not None else None,
                  note=day.note, source=day.source)


@router.get("")
async def get_calendar(actor: CurrentActor, rt: Rt) -> CalendarOut:
    """The working hours, lunch break and time zone in force, and the years whose
    statutory holidays the server knows."""
    async with rt.reader() as uow:
        record = await queries.calendar_record(uow)
        calendar = await queries.work_calendar(uow, default_zone=rt.settings.zone)
    return calendar_out(calendar, record)


@router.put("")
async def change_calendar(body: CalendarChange, actor: CurrentActor, rt: Rt) -> CalendarOut:
    """Set the working hours, lunch break and time zone (administrators; audited as
    `calendar.changed`). Due times computed from the next request on follow them; those
    already computed (a request's stored SLA) stay as they were."""
    async with rt.unit_of_work() as uow:
        await actions.do_change_calendar(uow, actor, body, default_zone=rt.settings.zone)
    return await get_calendar(actor, rt)


@router.get("/days")
async def list_calendar_days(
    actor: CurrentActor, rt: Rt,
    first: Annotated[IsoDate, Query(alias="from", description="The first date, YYYY-MM-DD.")],
    last: Annotated[IsoDate, Query(alias="to", description="The last date, included.")],
) -> DaysOut:
    """Every date from `from` to `to` (at most 366 of them), each with whether it is a
    working day and why."""
    check_day(first)
    check_day(last)
    if last < first:
        raise Invalid("`to` is before `from`.", code="calendar_range_reversed")
    if (last - first).days + 1 > MAX_DAYS_LISTED:
        raise Invalid(f"At most {MAX_DAYS_LISTED} days at a time.",
                      code="calendar_range_too_long", details={"max_days": MAX_DAYS_LISTED})
    async with rt.reader() as uow:
        calendar = await queries.work_calendar(uow, default_zone=rt.settings.zone)
    return DaysOut(items=[day_out(day) for day in calendar.days(first, last)],
                   statutory=statutory_out())


@router.put("/days/{day}")
async def override_calendar_day(day: DayPath, body: DayChange, actor: CurrentActor,
                                rt: Rt) -> DayOut:
    """Make `day` a company holiday (`working: false`) or an extra working day (`true`),
    whatever the statutory calendar says (administrators; audited as
    `calendar.day_set`)."""
    async with rt.unit_of_work() as uow:
        await actions.do_set_day(uow, actor, day, working=body.working, note=body.note)
    return await _day_as_now(rt, day)


@router.delete("/days/{day}")
async def clear_calendar_day(day: DayPath, actor: CurrentActor, rt: Rt) -> DayOut:
    """Remove the override of `day`: it is again what the statutory calendar and the week
    make it (administrators; audited as `calendar.day_cleared`). Removing what is not
    there changes nothing and answers the day as it is."""
    async with rt.unit_of_work() as uow:
        await actions.do_clear_day(uow, actor, day)
    return await _day_as_now(rt, day)


async def _day_as_now(rt: Rt, day: date) -> DayOut:
    async with rt.reader() as uow:
        calendar = await queries.work_calendar(uow, default_zone=rt.settings.zone)
    return day_out(calendar.day(day))


@router.get("/due")
async def calendar_due(
    actor: CurrentActor, rt: Rt,
    hours: Annotated[float, Query(gt=0, le=MAX_DUE_HOURS, allow_inf_nan=False,
                                  description="Working hours to add; fractions allowed.")],
    start: Annotated[IsoDateTime | None, Query(
        description="ISO 8601; without an offset it is read in the calendar's zone. "
                    "Default: now.")] = None,
) -> DueOut:
    """`start` plus `hours` of working time. Time outside working hours does not count
    (the clock starts at `starts_at`), and a due time landing exactly on the end of a
    working period stays there (18:00, not 09:00 the next working day)."""
    async with rt.reader() as uow:
        calendar = await queries.work_calendar(uow, default_zone=rt.settings.zone)
    begun = _instant(start, calendar) if start is not None else utcnow()
    try:
        due = calendar.add_working_hours(begun, hours)
    except NoWorkingTime as error:
        raise Invalid(str(error), code="calendar_no_working_time") from error
    return DueOut(start=begun, hours=hours, starts_at=calendar.next_working_moment(begun),
                  due_at=due, time_zone=calendar.zone.key)


def _instant(value: datetime, calendar: WorkCalendar) -> datetime:
    """`value` as an aware instant in UTC (local time in the calendar's zone when it has no
    offset), refused outside the years the calendar covers. The year is checked before any
    conversion, which near year 1 or 9999 would overflow."""
    check_day(value.date())
    if value.tzinfo is None:
        value = value.replace(tzinfo=calendar.zone)
    return value.astimezone(UTC)
