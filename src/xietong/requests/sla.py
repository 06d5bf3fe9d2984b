"""The SLA clocks of a request on the business calendar: due times when filed, moved later
by the working time a request spent waiting on its requester."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class WorkingTime(Protocol):
    """The business calendar as the SLA needs it (`business_calendar` provides it)."""

    def add_working_hours(self, start: datetime, hours: float) -> datetime: ...

    def working_time_between(self, start: datetime, end: datetime) -> timedelta: ...


def due_at(calendar: WorkingTime, start: datetime, hours: float) -> datetime:
    return calendar.add_working_hours(start, hours)


def after_pause(calendar: WorkingTime, due: datetime, paused_at: datetime,
                resumed_at: datetime) -> datetime:
    """Where a due time moves when a pause ends: the working time that was left at the
    pause (none, if it was already overdue) counted again from the resumption. The clock
    stops while waiting; time already past due stays past due."""
    left = calendar.working_time_between(paused_at, due) if due > paused_at else timedelta(0)
    if left <= timedelta(0):
        return due
    return calendar.add_working_hours(resumed_at, left.total_seconds() / 3600)
