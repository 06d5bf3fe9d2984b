"""Finding things of 员工之声 for someone; guests find none of it."""

from __future__ import annotations

from dataclasses import dataclass

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.feedback.models import Suggestion
from xietong.org import queries as org_queries
from xietong.org.schemas import DepartmentRef
from xietong.org.views import department_path
from xietong.policy import feedback as feedback_policy
from xietong.policy import require


def check_may_use(actor: Actor) -> None:
    require(feedback_policy.can_use_voice(actor),
            "员工之声 is for the people of the company, not guests.", code="voice_for_staff")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The department tree as a reader of the box sees it, and which departments they
    answer for (those they manage and everything below)."""

    actor: Actor
    names: dict[int, str]
    parents: dict[int, int | None]
    answers_for: frozenset[int]

    def department(self, department_id: int) -> DepartmentRef:
        return DepartmentRef(id=department_id,
                             path=department_path(self.names, self.parents, department_id))

    def may_answer(self, department_id: int) -> bool:
        return feedback_policy.can_answer_suggestion(
            self.actor, manages_department=department_id in self.answers_for)


async def viewer_of(uow: UnitOfWork, actor: Actor) -> Viewer:
    """The viewer of `actor`, after refusing guests."""
    check_may_use(actor)
    departments = await org_queries.all_departments(uow)
    parents = org_queries.parent_map(departments)
    managed = {d for top in await org_queries.departments_managed_by(uow, actor.user_id)
               if top in parents for d in org_queries.descendants_and_self(parents, top)}
    return Viewer(actor, {d.id: d.name for d in departments}, parents, frozenset(managed))


async def access_suggestion(uow: UnitOfWork, viewer: Viewer, suggestion_id: int, *,
                            for_update: bool = False) -> Suggestion:
    """Every suggestion is public to the box's readers: only a missing one is `NotFound`."""
    suggestion = await uow.session.get(Suggestion, suggestion_id, with_for_update=for_update)
    if suggestion is None:
        raise NotFound("No such suggestion.")
    return suggestion
