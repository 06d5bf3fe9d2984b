"""Fetch an organisation object *and* check the actor may see it, or raise."""

from __future__ import annotations

from xietong.core.actor import Actor
from xietong.core.errors import Forbidden, NotFound
from xietong.core.signals import CoMembersOf
from xietong.core.uow import UnitOfWork
from xietong.org import queries
from xietong.org.models import Department, User
from xietong.policy import org as org_policy


async def visible_user_ids(uow: UnitOfWork, actor: Actor) -> set[int] | None:
    """The people the actor may see, or None for everyone. Guests see only the people
    they share a channel with (and themselves)."""
    if org_policy.directory_scope(actor) is org_policy.DirectoryScope.EVERYONE:
        return None
    # Who shares a conversation with a person is messaging's knowledge, and messaging
    # depends on the organisation, not the other way round: it answers the signal.
    answers: list[set[int]] = await uow.signal(CoMembersOf(actor.user_id))
    return set().union(*answers) | {actor.user_id}


async def access_user(uow: UnitOfWork, actor: Actor, user_id: int) -> User:
    """A person the actor may see. Invisible and missing people look alike (404)."""
    visible = await visible_user_ids(uow, actor)
    user = await queries.get_user(uow, user_id)
    if user is None or (visible is not None and user_id not in visible):
        raise NotFound("No such person.")
    return user


async def access_department(uow: UnitOfWork, actor: Actor, department_id: int) -> Department:
    if not org_policy.can_browse_departments(actor):
        raise Forbidden("Guests cannot browse the organisation.")
    department = await uow.session.get(Department, department_id)
    if department is None:
        raise NotFound("No such department.")
    return department
