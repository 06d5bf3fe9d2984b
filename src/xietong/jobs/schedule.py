"""Recurring schedules, computed in the company's time zone and stored as UTC instants.

A spec is one of:

- `every 30s`, `every 15m`, `every 2h`, `every 1d`: that long after the run finished;
- `daily 09:00`: each day at that local time;
- `weekdays 09:00`: Monday to Friday at that local time (the business calendar with
  statutory holidays and 调休 make-up days is a later service; this is the plain week);
- `weekly mon,thu 18:30`: on those days at that local time.

A schedule never catches up: a node that was down over several occurrences runs the job
once, late, and then schedules the next occurrence after now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVERY = re.compile(r"every (\d{1,6})([smhd])")
_AT = re.compile(r"(daily|weekdays|weekly ([a-z,]+)) (\d{2}):(\d{2})")


class BadSchedule(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Schedule:
    interval: timedelta | None = None
    at: time | None = None
    weekdays: frozenset[int] = frozenset(range(7))

    def next_after(self, after: datetime, zone: ZoneInfo) -> datetime:
        """The first occurrence strictly after `after` (an aware instant), in UTC."""
        if self.interval is not None:
            return (after + self.interval).astimezone(UTC)
        assert self.at is not None
        local = after.astimezone(zone)
        for days_ahead in range(8):
            day = local.date() + timedelta(days=days_ahead)
            if day.weekday() not in self.weekdays:
                continue
            candidate = datetime.combine(day, self.at, tzinfo=zone)
            if candidate > after:
                return candidate.astimezone(UTC)
        raise AssertionError("a weekly schedule always has a day within eight days")


def parse_schedule(spec: str) -> Schedule:
    """Read a spec (see the module docstring), or raise `BadSchedule`."""
    text = " ".join(spec.strip().lower().split())
    if match := _EVERY.fullmatch(text):
        seconds = int(match[1]) * _UNITS[match[2]]
        if seconds < 1:
            raise BadSchedule(f"{spec!r}: the interval must be at least one second")
        return Schedule(interval=timedelta(seconds=seconds))
    if match := _AT.fullmatch(text):
        hour, minute = int(match[3]), int(match[4])
        if hour > 23 or minute > 59:
            raise BadSchedule(f"{spec!r}: no such time of day")
        at = time(hour, minute)
        if match[1] == "daily":
            return Schedule(at=at)
        if match[1] == "weekdays":
            return Schedule(at=at, weekdays=frozenset(range(5)))
        names = match[2].split(",")
        if any(name not in DAYS for name in names):
            raise BadSchedule(f"{spec!r}: days are written mon,tue,wed,thu,fri,sat,sun")
        return Schedule(at=at, weekdays=frozenset(DAYS.index(name) for name in names))
    raise BadSchedule(f"{spec!r} is not a schedule: try 'every 15m', 'daily 09:00', "
                      "'weekdays 09:00' or 'weekly mon,thu 18:30'")


def next_run(spec: str, after: datetime, zone: ZoneInfo) -> datetime:
    return parse_schedule(spec).next_after(after, zone)
