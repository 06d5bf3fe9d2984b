"""The business calendar as a value: working hours, the company's time zone, statutory
holidays and make-up working days (`statutory`), and the administrators' overrides.

Everything here is pure and synchronous: load a `WorkCalendar` once per unit of work
(`queries.work_calendar`, cached by revision) and ask it as often as needed without a
query. Instants in and out are aware datetimes, answered in UTC; days and hours are
computed in the calendar's zone, as wall-clock times on local dates, so a daylight-saving
change moves no working hour (09:00 stays 09:00) and an hour is an hour of real time.

The rules (tested in tests/business_calendar/test_work_calendar.py):

- Working time is the working periods of working days: `start`–`end` less the lunch
  break, each a half-open interval [from, to) in local time.
- A day is working unless something says otherwise, first match wins: an administrator's
  override; a statutory holiday (day off) or make-up working day (调休) where the package
  knows the year; else Monday to Friday.
- `add_working_hours(start, h)` is the earliest instant by which `h` of working time has
  passed since `start`. So a result landing exactly on the end of a period stays there:
  two hours from 16:00 is 18:00 the same day, not 09:00 the next; an hour from 11:00 is
  12:00, not 13:30. Time outside working periods (evenings, weekends, lunch) does not
  count: filed at 20:00 the clock starts at the next working moment.
- `working_time_between(a, b)` is the working time inside [a, b), so
  `working_time_between(s, add_working_hours(s, h)) == h` for every start and duration:
  the requests domain pauses an SLA by measuring what was used and resumes by adding the
  rest.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from xietong.business_calendar import statutory
from xietong.business_calendar.statutory import StatutoryHoliday

ONE_DAY = timedelta(days=1)
# How far a computation may look ahead for working time before it gives up (a calendar
# whose every day was overridden to a holiday has none): ten years of days.
MAX_DAYS_SCANNED = 3660
# The per-day working periods a calendar keeps computed (a few KB; days touched by the
# requests of a year or two).
_PERIOD_CACHE_SIZE = 4096

Duration = float | int | Decimal | timedelta
Period = tuple[datetime, datetime]


class DayKind(StrEnum):
    """Why a day is or is not a working day."""

    WORKDAY = "workday"  # Monday to Friday
    WEEKEND = "weekend"
    STATUTORY_HOLIDAY = "statutory_holiday"  # a day off of a public holiday
    MAKEUP_WORKDAY = "makeup_workday"  # 调休: a weekend day worked in exchange for a break
    COMPANY_HOLIDAY = "company_holiday"  # an administrator's override: a day off
    COMPANY_WORKDAY = "company_workday"  # an administrator's override: a working day


class Source(StrEnum):
    """What decided the days of a year besides the overrides."""

    STATUTORY = "statutory"  # the State Council's arrangement, from `chinese-calendar`
    WEEKDAYS = "weekdays"  # a year it has not announced (or the package does not know yet)


class NoWorkingTime(ValueError):
    """The calendar holds no working time within `MAX_DAYS_SCANNED` days of the start."""


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """A working day's hours in local wall-clock time: `start`–`end`, less the lunch break
    (`lunch_start`–`lunch_end`, both or neither) which must lie inside them."""

    start: time = time(9, 0)
    end: time = time(18, 0)
    lunch_start: time | None = time(12, 0)
    lunch_end: time | None = time(13, 30)

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("the working day must end after it starts")
        if (self.lunch_start is None) != (self.lunch_end is None):
            raise ValueError("a lunch break needs both its start and its end")
        if self.lunch_start is not None and self.lunch_end is not None and not (
                self.start < self.lunch_start < self.lunch_end < self.end):
            raise ValueError("the lunch break must lie inside the working day and end "
                             "after it starts")

    @property
    def periods(self) -> tuple[tuple[time, time], ...]:
        """The working periods of a day, in order."""
        if self.lunch_start is None or self.lunch_end is None:
            return ((self.start, self.end),)
        return ((self.start, self.lunch_start), (self.lunch_end, self.end))

    @property
    def per_day(self) -> timedelta:
        """A working day's working time (as the wall clock counts it)."""
        return sum((_minutes(to) - _minutes(since) for since, to in self.periods),
                   start=timedelta(0))


DEFAULT_HOURS = WorkingHours()


@dataclass(frozen=True, slots=True)
class DayOverride:
    """An administrator's decision for one date: a company holiday or an extra working
    day, with a note saying why."""

    working: bool
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One date as the calendar sees it."""

    date: date
    working: bool
    why: DayKind
    # What the day would be without the company's override.
    usual: DayKind
    # The statutory holiday the day is a day off of, or is worked in exchange for.
    holiday: StatutoryHoliday | None
    # The override's note.
    note: str | None
    source: Source


def as_duration(hours: Duration) -> timedelta:
    """`hours` of working time as a timedelta (to the microsecond); a timedelta as it is.
    Refuses negative, infinite and not-a-number durations, and booleans."""
    if isinstance(hours, timedelta):
        duration = hours
    elif isinstance(hours, bool):
        raise TypeError("a duration is a number of hours, not a yes/no")
    elif isinstance(hours, Decimal):
        if not hours.is_finite():
            raise ValueError("a duration must be a finite number of hours")
        duration = timedelta(microseconds=int((hours * 3_600_000_000).to_integral_value()))
    else:
        if not math.isfinite(hours):
            raise ValueError("a duration must be a finite number of hours")
        duration = timedelta(hours=hours)
    if duration < timedelta(0):
        raise ValueError("a duration of working time cannot be negative")
    return duration


class WorkCalendar:
    """The company's business calendar. Immutable once built; safe to share between the
    requests of a process (the per-day periods it computes are kept for the next call)."""

    __slots__ = ("_overrides", "_periods_of", "hours", "zone")

    def __init__(self, hours: WorkingHours = DEFAULT_HOURS,
                 zone: ZoneInfo = ZoneInfo("Asia/Shanghai"),
                 overrides: Mapping[date, DayOverride] | None = None) -> None:
        self.hours = hours
        self.zone = zone
        self._overrides: dict[date, DayOverride] = dict(overrides or {})
        self._periods_of: dict[date, tuple[Period, ...]] = {}

    @property
    def overrides(self) -> Mapping[date, DayOverride]:
        return self._overrides

    # --- days ------------------------------------------------------------------------------

    def day(self, day: date) -> CalendarDay:
        """What `day` is and why."""
        source = Source.STATUTORY if statutory.knows_year(day.year) else Source.WEEKDAYS
        holiday = statutory.holiday_on(day)
        makeup = statutory.makeup_workday_on(day)
        if holiday is not None:
            usual = DayKind.STATUTORY_HOLIDAY
        elif makeup is not None:
            usual = DayKind.MAKEUP_WORKDAY
        else:
            usual = DayKind.WORKDAY if day.weekday() < 5 else DayKind.WEEKEND
        override = self._overrides.get(day)
        if override is None:
            return CalendarDay(date=day, working=usual in _WORKING, why=usual, usual=usual,
                               holiday=holiday or makeup, note=None, source=source)
        return CalendarDay(date=day, working=override.working,
                           why=DayKind.COMPANY_WORKDAY if override.working
                           else DayKind.COMPANY_HOLIDAY,
                           usual=usual, holiday=holiday or makeup, note=override.note,
                           source=source)

    def is_working_day(self, day: date) -> bool:
        """Whether `day` (a date in the calendar's zone) has working hours."""
        override = self._overrides.get(day)
        if override is not None:
            return override.working
        if statutory.holiday_on(day) is not None:
            return False
        return day.weekday() < 5 or statutory.makeup_workday_on(day) is not None

    def days(self, first: date, last: date) -> list[CalendarDay]:
        """Every date from `first` to `last`, both included."""
        return [self.day(first + ONE_DAY * n) for n in range((last - first).days + 1)]

    # --- instants --------------------------------------------------------------------------

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself when it falls inside working hours, else the start of the next
        working period (the end of a period is outside it: 18:00 answers 09:00 of the next
        working day). In UTC."""
        moment = _utc(moment)
        for begin, end in self._periods_from(moment):
            if end > moment:
                return max(begin, moment)
        raise AssertionError("unreachable: _periods_from raises when it runs out")

    def add_working_hours(self, start: datetime, hours: Duration) -> datetime:
        """The instant by which `hours` of working time (a number of hours, fractions
        allowed, or a timedelta) have passed since `start`: a due time. In UTC. Zero hours
        answer `start` itself. Raises `NoWorkingTime` when the calendar holds too little
        working time in the ten years after `start`."""
        remaining = as_duration(hours)
        start = _utc(start)
        if not remaining:
            return start
        for begin, end in self._periods_from(start):
            if end <= start:
                continue
            begin = max(begin, start)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: _periods_from raises when it runs out")

    def working_time_between(self, since: datetime, until: datetime) -> timedelta:
        """The working time in [since, until): how much of an SLA ran between two instants
        (negative when `until` is before `since`)."""
        since, until = _utc(since), _utc(until)
        if until < since:
            return -self.working_time_between(until, since)
        total = timedelta(0)
        for begin, end in self._periods_from(since, until=until):
            if begin >= until:
                break
            overlap = min(end, until) - max(begin, since)
            if overlap > timedelta(0):
                total += overlap
        return total

    # --- the periods -----------------------------------------------------------------------

    def _periods_from(self, moment: datetime, *,
                      until: datetime | None = None) -> Iterator[Period]:
        """The working periods (UTC) of the working days from `moment`'s local date on,
        in order; up to `until`'s local date when given, else until the caller stops (or
        `MAX_DAYS_SCANNED` days, then `NoWorkingTime`)."""
        day = moment.astimezone(self.zone).date()
        last = until.astimezone(self.zone).date() if until is not None else None
        for _ in range(MAX_DAYS_SCANNED):
            if last is not None and day > last:
                return
            yield from self._periods(day)
            if day == date.max:
                break
            day += ONE_DAY
        if last is None:
            raise NoWorkingTime("The business calendar holds no working time in the ten "
                                f"years after {moment.isoformat()}.")
        raise NoWorkingTime("The span is too long for the business calendar to measure.")

    def _periods(self, day: date) -> tuple[Period, ...]:
        """The working periods of `day` as UTC instants (none on a day off). A wall-clock
        time a daylight-saving change skips is read with the offset before the change, and
        a period it empties is left out."""
        found = self._periods_of.get(day)
        if found is not None:
            return found
        periods: tuple[Period, ...] = ()
        if self.is_working_day(day):
            instants = ((datetime.combine(day, since, self.zone).astimezone(UTC),
                         datetime.combine(day, to, self.zone).astimezone(UTC))
                        for since, to in self.hours.periods)
            periods = tuple((begin, end) for begin, end in instants if end > begin)
        if len(self._periods_of) >= _PERIOD_CACHE_SIZE:
            self._periods_of.clear()
        self._periods_of[day] = periods
        return periods


_WORKING = frozenset({DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY, DayKind.COMPANY_WORKDAY})


def _minutes(value: time) -> timedelta:
    return timedelta(hours=value.hour, minutes=value.minute)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the business calendar takes aware datetimes (with a time zone)")
    return moment.astimezone(UTC)
