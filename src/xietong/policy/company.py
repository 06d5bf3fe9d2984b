"""Rules a company chooses: who is in a group named by one of its settings.

A setting such as "who may create channels" holds a group (`org.company_settings`), in the
spirit of Zulip's group-based settings: role presets, departments and people, any of which
lets a person in. The group's shape is described here as a protocol (`Group`), which the
settings' models satisfy; where the actor stands in the organisation (`Standing`) is
fetched by the caller, as every rule's facts are.

Two floors no setting moves:
- administrators (and owners) are in every group: they may change any setting, so leaving
  them out would only make them edit it first;
- guests are in none, even when named or in a named department: a guest is someone from
  outside the company, and these settings hand out the company's own reach (its channels,
  its announcements, its projects, its figures).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from xietong.core.actor import Actor
from xietong.policy.org import is_guest

# Role presets a group may name. Company groups may name the first three; a group for a
# channel-bound right (posting announcements) may also name the channel's own admins.
EVERYONE: Final = "everyone"  # every member: everyone but guests
DEPARTMENT_MANAGERS: Final = "department_managers"  # who manages any department
ADMINS: Final = "admins"  # administrators and owners only (they are in every group anyway)
CHANNEL_ADMINS: Final = "channel_admins"  # the channel's own admins, in that channel

CompanyRole = Literal["everyone", "department_managers", "admins"]
ChannelRole = Literal["everyone", "department_managers", "admins", "channel_admins"]


class Group(Protocol):
    """Who a setting names: anyone matching a role preset, in (or below) one of the
    departments, or one of the people."""

    @property
    def roles(self) -> Collection[str]: ...

    @property
    def department_ids(self) -> Collection[int]: ...

    @property
    def user_ids(self) -> Collection[int]: ...


@dataclass(frozen=True, slots=True)
class Standing:
    """Where the actor stands in the organisation, as far as groups ask: the departments
    they are in together with every department above those, and whether they manage any
    department. A caller fetches only what its groups ask about (`asks_about_departments`,
    `asks_about_managers`); what no group asks about may stay empty."""

    department_ids: frozenset[int] = frozenset()
    manages_a_department: bool = False


NO_STANDING = Standing()


def asks_about_departments(actor: Actor, group: Group) -> bool:
    """Whether deciding `group` for `actor` needs the actor's departments."""
    return bool(group.department_ids) and _decided_by_role(actor) is None


def asks_about_managers(actor: Actor, group: Group) -> bool:
    """Whether deciding `group` for `actor` needs to know if they manage a department."""
    return DEPARTMENT_MANAGERS in group.roles and _decided_by_role(actor) is None


def _decided_by_role(actor: Actor) -> bool | None:
    if actor.is_admin:
        return True
    if is_guest(actor.role):
        return False
    return None


def is_in_group(actor: Actor, group: Group, standing: Standing, *,
                channel_admin: bool = False) -> bool:
    """Whether the actor is among those `group` names. A department names the people in it
    and in every department below it. `channel_admin`: the actor is an admin of the channel
    the right is about (for groups that may name `channel_admins`)."""
    decided = _decided_by_role(actor)
    if decided is not None:
        return decided
    return (EVERYONE in group.roles
            or actor.user_id in group.user_ids
            or (channel_admin and CHANNEL_ADMINS in group.roles)
            or (standing.manages_a_department and DEPARTMENT_MANAGERS in group.roles)
            or not standing.department_ids.isdisjoint(group.department_ids))


def can_manage_company_settings(actor: Actor) -> bool:
    """Read and change the company's settings: administrators."""
    return actor.is_admin
