"""The demo company's calendar (`xietong seed-demo`, after the organisation exists): the
statutory holidays come with the package; the company adds its annual party, a Friday off
a few weeks ahead, so the admin page and SLAs show an override."""

from __future__ import annotations

from datetime import timedelta

from xietong.business_calendar import actions, queries
from xietong.business_calendar.work_calendar import DayKind, WorkCalendar
from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org import queries as org_queries

PARTY_NOTE = "公司年会，全员放假一天"


async def demo_calendar(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    """The calendar's step of `xietong seed-demo`: nothing when the calendar was changed
    already (or the demo company's general manager is not there)."""
    if await queries.calendar_record(uow) is not None:
        return DemoOutcome()
    boss = await org_queries.find_user_by_login(uow, "zhoujianguo")
    if boss is None:
        return DemoOutcome()
    calendar = WorkCalendar()
    day = utcnow().astimezone(calendar.zone).date() + timedelta(days=21)
    while day.weekday() != 4 or calendar.day(day).why != DayKind.WORKDAY:
        day += timedelta(days=1)
    # The general manager decides it, as an administrator would (as chat's demo posts his
    # announcements).
    await actions.do_set_day(uow, Actor(user_id=boss.id, role=Role.ADMIN), day,
                             working=False, note=PARTY_NOTE)
    return DemoOutcome(created=("1 company holiday",))
