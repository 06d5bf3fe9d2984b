"""Fetch an organisation object *and* check the actor may see it, or raise."""

from __future__ import annotations

from xietong import policy
from xietong.core.actor import Actor
from xietong.core.errors import Forbidden, NotFound
from xietong.core.uow import UnitOfWork
from xietong.org import queries
from xietong.org.models import Department, User


async def visible_user_ids(uow: UnitOfWork, actor: Actor) -> set[int] | None:
    """The people the actor may see, or None for everyone."""
    if policy.directory_scope(actor) is policy.DirectoryScope.EVERYONE:
        return None
    return await queries.people_sharing_a_channel_with(uow, actor.user_id)


async def access_user(uow: UnitOfWork, actor: Actor, user_id: int) -> User:
    """A person the actor may see. Invisible and missing people look alike (404)."""
    visible = await visible_user_ids(uow, actor)
    user = await queries.get_user(uow, user_id)
    if user is None or (visible is not None and user_id not in visible):
        raise NotFound("No such person.")
    return user


async def access_department(uow: UnitOfWork, actor: Actor, department_id: int) -> Department:
    if not policy.can_browse_departments(actor):
        raise Forbidden("Guests cannot browse the organisation.")
    department = await uow.session.get(Department, department_id)
    if department is None:
        raise NotFound("No such department.")
    return department
