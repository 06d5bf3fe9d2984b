"""Who may do what: the one place permission rules live.

Every rule is a small pure function of the actor and the facts the caller already
fetched, so services ask here instead of comparing roles inline, and a rule change is
one edit. `require` turns a refusal into `Forbidden`.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import Enum

from xietong.core.actor import Actor, Role
from xietong.core.errors import Forbidden


def require(allowed: bool, message: str = "You are not allowed to do that.") -> None:
    if not allowed:
        raise Forbidden(message)


# --- organisation -------------------------------------------------------------------------

def can_manage_org(actor: Actor) -> bool:
    """Create, rename, move and delete departments; create people."""
    return actor.is_admin


def can_manage_department_members(actor: Actor, managed_chain: Collection[int]) -> bool:
    """Admins, or a manager of the department or of any department above it.

    `managed_chain` holds the ids of the department and its ancestors that the actor manages.
    """
    return actor.is_admin or bool(managed_chain)


def can_put_guest_in_department(actor: Actor) -> bool:
    """A guest who joins a department becomes an insider: the department's channel with its
    history, and its people in their directory. Administrators decide that; a department's
    manager, who may otherwise set its members, may not."""
    return actor.is_admin


def can_add_guest_to_announcements(actor: Actor) -> bool:
    """Announcement channels are the company's own (often everyone is in one): a guest in
    one reads every announcement and sees everyone there. Administrators decide that; the
    channel's other members, who may add colleagues, may not."""
    return actor.is_admin


def can_administer_user(actor: Actor, target_role: Role) -> bool:
    """Change another person's role, departments or active state, or reset their profile.

    Admins manage members, guests and other admins; only an owner touches an owner.
    """
    if actor.role == Role.OWNER:
        return True
    return actor.role == Role.ADMIN and target_role != Role.OWNER


def can_grant_role(actor: Actor, role: Role) -> bool:
    """Only owners make owners; admins may hand out any other role."""
    return actor.role == Role.OWNER or (actor.role == Role.ADMIN and role != Role.OWNER)


def can_edit_profile(actor: Actor, target_user_id: int, target_role: Role) -> bool:
    """Profile fields (name, title, phone, avatar): oneself, or whoever administers the person."""
    return actor.user_id == target_user_id or can_administer_user(actor, target_role)


class DirectoryScope(Enum):
    EVERYONE = "everyone"
    # Guests see only the people they share a channel with (and themselves).
    SHARED_CHANNELS = "shared_channels"


def directory_scope(actor: Actor) -> DirectoryScope:
    return DirectoryScope.SHARED_CHANNELS if actor.role == Role.GUEST else DirectoryScope.EVERYONE


def can_browse_departments(actor: Actor) -> bool:
    """The org chart is internal: members and up see it, guests do not."""
    return actor.role != Role.GUEST


# --- credentials and audit ----------------------------------------------------------------

def can_create_api_token(actor: Actor) -> bool:
    return actor.role != Role.GUEST


def can_revoke_token(actor: Actor, token_owner_id: int) -> bool:
    return actor.user_id == token_owner_id or actor.is_admin


def can_read_audit_log(actor: Actor) -> bool:
    return actor.is_admin
