"""Who sees the organisation's scopes: `department:N` (the org chart) and `user:N` (a person:
their profile, role and whether they are active).

Both follow the directory's rules by the person's role *now* — a socket outlives role
changes, so a role change is a membership change (see `membership_changes`).
"""

from __future__ import annotations

from xietong.core.actor import Actor, Role
from xietong.core.events import USER, CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.org import access, queries
from xietong.org.events import DEPARTMENT, USER_UPDATED
from xietong.policy import org as org_policy

# Where a unit of work keeps the people its resolvers looked up (`Session.info`).
_LOADED = "xietong.org.scopes.users"


async def _actor(uow: UnitOfWork, user_id: int) -> Actor | None:
    """The person as they act now; None when they are gone or deactivated."""
    user = await queries.get_user(uow, user_id)
    if user is None or not user.active:
        return None
    # `get_user` answers from the session's identity map without a query, but the map holds
    # its objects weakly: kept here, the person is loaded once per unit of work, however many
    # resolvers (departments, then people) ask about them in turn.
    uow.session.info.setdefault(_LOADED, {})[user_id] = user
    return Actor(user_id=user.id, role=Role(user.role))


class DepartmentScopes:
    """The org chart is seen whole or not at all (`can_browse_departments`)."""

    kind = DEPARTMENT

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        actor = await _actor(uow, user_id)
        return None if actor and org_policy.can_browse_departments(actor) else set()

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        actor = await _actor(uow, user_id)
        return actor is not None and org_policy.can_browse_departments(actor)

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        return _role_changes(event)


class PeopleScopes:
    """A person's scope is seen by whoever may see the person in the directory."""

    kind = USER

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        actor = await _actor(uow, user_id)
        return set() if actor is None else await access.visible_user_ids(uow, actor)

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        actor = await _actor(uow, user_id)
        return actor is not None and await access.may_see_user(uow, actor, scope_id)

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        return _role_changes(event)


def _role_changes(event: CommittedEvent) -> set[int]:
    """A person whose role changed (a guest made a member, say) sees other scopes now."""
    if event.type != USER_UPDATED or event.scope is None:
        return set()
    changed = event.payload.get("changed")
    return {event.scope.id} if isinstance(changed, list) and "role" in changed else set()
