"""The weekly check-in reminder (Friday afternoon, in the company's time zone): the owner of
each key result of this quarter with no check-in for `QUIET_DAYS` days is asked for one.

The job marks each key result reminded today in the same transaction as the reminders it
sends, so a retried run sends none twice; the notification is made from the event by the
consumer, once per event."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from xietong.core.clock import utcnow
from xietong.core.events import USER, Audience, Scope
from xietong.core.uow import UnitOfWork
from xietong.goals import queries
from xietong.goals.events import CheckInDue
from xietong.goals.periods import quarter_of
from xietong.manifest import JobHandler, JobNeeds
from xietong.org import queries as org_queries

CHECK_IN_JOB = "goals.check-in-reminders"
CHECK_IN_SCHEDULE = "weekly fri 15:00"
# A key result checked in on within this many days is not reminded.
QUIET_DAYS = 6


async def send_check_in_reminders(uow: UnitOfWork, *, period: str, today: date,
                                  now: datetime) -> int:
    """Ask for this week's check-ins; how many were asked for."""
    owed = await queries.key_results_to_remind(
        uow, period, checked_before=now - timedelta(days=QUIET_DAYS), today=today)
    owners = {kr.owner_id or objective.owner_id for kr, objective in owed}
    active = await org_queries.active_user_ids(uow, owners)
    sent = 0
    for kr, objective in owed:
        kr.reminded_on = today
        owner = kr.owner_id or objective.owner_id
        if owner not in active:
            continue
        uow.emit(CheckInDue(key_result_id=kr.id, key_result_title=kr.title,
                            objective_id=objective.id, objective_title=objective.title,
                            day=today.isoformat()),
                 Audience.users([owner], scope=Scope(USER, owner)))
        sent += 1
    return sent


def check_in_handler(needs: JobNeeds) -> JobHandler:
    async def handle(uow: UnitOfWork, _payload: dict[str, Any]) -> None:
        now = utcnow()
        await send_check_in_reminders(uow, period=quarter_of(now, needs.zone),
                                      today=now.astimezone(needs.zone).date(), now=now)

    return handle
