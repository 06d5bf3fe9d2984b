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


async def may_see_user(uow: UnitOfWork, actor: Actor, user_id: int) -> bool:
    """Whether the actor may see person `user_id` (`visible_user_ids`, asked of one person:
    a guest's question is whether they share a conversation, not with whom they all do)."""
    if (org_policy.directory_scope(actor) is org_policy.DirectoryScope.EVERYONE
            or user_id == actor.user_id):
        return True
    answers: list[set[int]] = await uow.signal(CoMembersOf(actor.user_id,
                                                           among=frozenset({user_id})))
    return any(user_id in answer for answer in answers)


async def access_user(uow: UnitOfWork, actor: Actor, user_id: int) -> User:
    """A person the actor may see. Invisible and missing people look alike (404)."""
    user = await queries.get_user(uow, user_id)
    if user is None or not await may_see_user(uow, actor, user_id):
        raise NotFound("No such person.")
    return user


async def access_department(uow: UnitOfWork, actor: Actor, department_id: int) -> Department:
    if not org_policy.can_browse_departments(actor):
        raise Forbidden("Guests cannot browse the organisation.")
    department = await uow.session.get(Department, department_id)
    if department is None:
        raise NotFound("No such department.")
    return department


async def access_department_subtree(uow: UnitOfWork, actor: Actor, department_id: int,
                                    with_subdepartments: bool) -> set[int]:
    """The departments a list filtered by `department_id` covers: it and (unless told
    otherwise) every department below it, if the actor may browse the organisation."""
    await access_department(uow, actor, department_id)
    if not with_subdepartments:
        return {department_id}
    return queries.descendants_and_self(queries.parent_map(await queries.all_departments(uow)),
                                        department_id)
