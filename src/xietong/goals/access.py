"""Finding an objective or key result for someone: what they may not see does not exist for
them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.goals.models import KeyResult, Objective
from xietong.goals.queries import ObjectiveFields
from xietong.org import queries as org_queries
from xietong.policy import goals as goals_policy
from xietong.policy.goals import ObjectiveStanding


@dataclass(frozen=True, slots=True)
class Viewer:
    """What an objective's standing is worked out from: the departments at or above the
    actor's own, and those at or below the ones they manage."""

    actor: Actor
    above_mine: frozenset[int]
    managed: frozenset[int]

    def standing(self, objective: ObjectiveFields) -> ObjectiveStanding:
        department = objective.department_id
        return ObjectiveStanding(
            owner=objective.owner_id == self.actor.user_id,
            in_department=department is not None and department in self.above_mine,
            manages_department=department is not None and department in self.managed,
            visibility=objective.visibility)


async def viewer_of(uow: UnitOfWork, actor: Actor) -> Viewer:
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    mine = (await org_queries.memberships_of(uow, [actor.user_id]))[actor.user_id]
    above = {d for own in mine.department_ids if own in parents
             for d in org_queries.ancestors_and_self(parents, own)}
    managed = {d for top in await org_queries.departments_managed_by(uow, actor.user_id)
               if top in parents for d in org_queries.descendants_and_self(parents, top)}
    return Viewer(actor, frozenset(above), frozenset(managed))


@dataclass(frozen=True, slots=True)
class ObjectiveAccess:
    objective: Objective
    standing: ObjectiveStanding
    viewer: Viewer


async def access_objective(uow: UnitOfWork, actor: Actor, objective_id: int, *,
                           viewer: Viewer | None = None,
                           for_update: bool = False) -> ObjectiveAccess:
    statement = select(Objective).where(Objective.id == objective_id)
    if for_update:
        statement = statement.with_for_update()
    objective = await uow.session.scalar(statement)
    if objective is None:
        raise NotFound("No such objective.")
    viewer = viewer or await viewer_of(uow, actor)
    standing = viewer.standing(objective)
    if not goals_policy.can_see_objective(actor, standing):
        raise NotFound("No such objective.")
    return ObjectiveAccess(objective, standing, viewer)


async def access_key_result(uow: UnitOfWork, actor: Actor, key_result_id: int, *,
                            for_update: bool = False) -> tuple[KeyResult, ObjectiveAccess]:
    """The key result and its objective; its objective's row locked with `for_update` (what
    serialises check-ins and edits of one objective)."""
    key_result = await uow.session.get(KeyResult, key_result_id)
    if key_result is None:
        raise NotFound("No such key result.")
    try:
        found = await access_objective(uow, actor, key_result.objective_id,
                                       for_update=for_update)
    except NotFound:
        raise NotFound("No such key result.") from None
    return key_result, found
