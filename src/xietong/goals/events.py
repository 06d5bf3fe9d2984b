"""Events of goals. A company-wide objective's changes go to the `okr:0` scope, read by
everyone in the company; a department's or a private one's go to the people who see it,
named when it changes."""

from __future__ import annotations

from typing import Literal

from xietong.core.actor import Role
from xietong.core.events import USER, Audience, CommittedEvent, Event, Scope
from xietong.core.uow import UnitOfWork
from xietong.goals.models import GoalVisibility, Objective
from xietong.goals.schemas import ObjectiveData
from xietong.org import queries as org_queries
from xietong.policy.org import is_guest

OKR = "okr"
COMPANY_GOALS = Scope(OKR, 0)


class ObjectiveChanged(Event):
    """An objective was set, changed, checked in on or moved by its roll-up (`change`)."""

    type: Literal["objective.changed"] = "objective.changed"
    objective: ObjectiveData
    change: str


class CheckInDue(Event):
    """A key result is owed a check-in this week; to its owner only."""

    type: Literal["okr.check_in_due"] = "okr.check_in_due"
    key_result_id: int
    key_result_title: str
    objective_id: int
    objective_title: str
    day: str


GOAL_EVENTS: tuple[type[Event], ...] = (ObjectiveChanged, CheckInDue)


async def audience_of(uow: UnitOfWork, objective: Objective) -> Audience:
    """Who is told of the objective's changes: everyone in the company for a public one;
    otherwise its owner, the managers above its department and — when it is the
    department's — the department's people."""
    if objective.visibility == GoalVisibility.COMPANY.value:
        return Audience.readers_of(COMPANY_GOALS)
    people = {objective.owner_id}
    if objective.department_id is not None:
        parents = org_queries.parent_map(await org_queries.all_departments(uow))
        above = org_queries.ancestors_and_self(parents, objective.department_id)
        people |= {m for ms in (await org_queries.managers_of(uow, above)).values() for m in ms}
        if objective.visibility == GoalVisibility.DEPARTMENT.value:
            people |= await org_queries.active_member_ids_of_departments(
                uow, org_queries.descendants_and_self(parents, objective.department_id))
    return Audience.users(people, scope=Scope(USER, objective.owner_id))


class GoalScopes:
    """`okr:0`, the company's public goals: everyone but guests."""

    kind = OKR

    async def _insider(self, uow: UnitOfWork, user_id: int) -> bool:
        # The person's row as the other resolvers load it: one read for all of them.
        user = await org_queries.get_user(uow, user_id)
        return user is not None and not is_guest(Role(user.role))

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        return {0} if await self._insider(uow, user_id) else set()

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        return scope_id == 0 and await self._insider(uow, user_id)

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        return set()
