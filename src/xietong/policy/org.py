"""Rules of the organisation: the directory, departments, people and their roles."""

from __future__ import annotations

from collections.abc import Collection
from enum import Enum

from sqlalchemy import ColumnElement, SQLColumnExpression

from xietong.core.actor import Actor, Role

# --- what a role is -----------------------------------------------------------------------
# Facts about a role that other rules and invariants turn on, asked here so that no other
# module compares roles.

def is_guest(role: Role) -> bool:
    """Someone from outside the company: sees only the people they share a channel with,
    and needs an administrator to let them into departments or announcement channels."""
    return role == Role.GUEST


def is_owner(role: Role) -> bool:
    """The company must keep at least one active owner."""
    return role == Role.OWNER


def is_guest_sql(role: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL condition: the stored role in column `role` is a guest's (`is_guest`)."""
    return role == Role.GUEST.value


def is_owner_sql(role: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL condition: the stored role in column `role` is an owner's (`is_owner`)."""
    return role == Role.OWNER.value


# --- organisation -------------------------------------------------------------------------

def can_manage_org(actor: Actor) -> bool:
    """Create, rename, move and delete departments; create people."""
    return actor.is_admin


def can_see_first_steps(actor: Actor) -> bool:
    """The checklist of a new installation (departments, people, the owner's password)."""
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


# --- people -------------------------------------------------------------------------------

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


def can_see_deactivated_people(actor: Actor) -> bool:
    """Former colleagues in directory searches (`include_inactive`): administrators, who
    may reactivate them; everyone else finds only active people."""
    return actor.is_admin


def can_review_accounts(actor: Actor) -> bool:
    """The administrators' list of accounts: every person with role, status and last
    sign-in, former colleagues too."""
    return actor.is_admin


def can_import_people(actor: Actor) -> bool:
    """Add people in bulk from a file (each under the same rules as adding one)."""
    return can_manage_org(actor)


# --- the directory ------------------------------------------------------------------------

def can_see_setup_accounts(actor: Actor) -> bool:
    """The account installing made (`ensure-owner`), until it is known to be a person, is
    listed in the directory for administrators only: colleagues looking for people would
    find a "管理员 Admin" nobody is."""
    return actor.is_admin


class DirectoryScope(Enum):
    EVERYONE = "everyone"
    # Guests see only the people they share a channel with (and themselves).
    SHARED_CHANNELS = "shared_channels"


def directory_scope(actor: Actor) -> DirectoryScope:
    return (DirectoryScope.SHARED_CHANNELS if is_guest(actor.role)
            else DirectoryScope.EVERYONE)


def can_browse_departments(actor: Actor) -> bool:
    """The org chart is internal: members and up see it, guests do not."""
    return actor.role != Role.GUEST
