"""A new installation's checklist for its administrators: what is still to do before the
company can work here (change the generated password, make departments, bring people in).
`GET /api/v1/admin/first-steps`; the web client shows it instead of an empty chat."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from xietong.audit.actions import AuditAction, user_target
from xietong.audit.queries import last_password_event
from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, Rt
from xietong.org import queries
from xietong.policy import org as org_policy
from xietong.policy import require

router = APIRouter(prefix="/api/v1", tags=["organisation"])


class FirstSteps(BaseModel):
    # The caller signs in with the password `xietong ensure-owner` printed: change it.
    password_generated: bool
    departments: int
    # Active people, the caller included: 1 means nobody has been brought in yet.
    people: int


async def first_steps(uow: UnitOfWork, actor: Actor) -> FirstSteps:
    last = await last_password_event(uow, user_target(actor.user_id))
    return FirstSteps(password_generated=last == AuditAction.PASSWORD_GENERATED.value,
                      departments=await queries.count_departments(uow),
                      people=await queries.count_active_users(uow))


@router.get("/admin/first-steps")
async def get_first_steps(actor: CurrentActor, rt: Rt) -> FirstSteps:
    """What a new installation still lacks (administrators only)."""
    require(org_policy.can_see_first_steps(actor), "Only administrators see the first steps.")
    async with rt.reader() as uow:
        return await first_steps(uow, actor)
