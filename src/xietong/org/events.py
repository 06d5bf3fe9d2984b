"""Events of the organisation, so that a directory open in a browser follows changes live.

Department events belong to the department's scope (`department:4`: whoever may browse the
org chart sees them); events about a person to theirs (`user:9`: whoever may see the
person). See `org.scopes`.
"""

from __future__ import annotations

from typing import Literal

from xietong.core.events import USER, Audience, Event, Scope
from xietong.org.schemas import DepartmentOut, UserOut

DEPARTMENT = "department"


def department_readers(department_id: int) -> Audience:
    return Audience.readers_of(Scope(DEPARTMENT, department_id))


def person_readers(user_id: int) -> Audience:
    return Audience.readers_of(Scope(USER, user_id))


class DepartmentCreated(Event):
    type: Literal["department.created"] = "department.created"
    department: DepartmentOut


class DepartmentUpdated(Event):
    """Renamed, moved, reordered or given other managers (`changed` says which)."""

    type: Literal["department.updated"] = "department.updated"
    department: DepartmentOut
    changed: list[str]


class DepartmentDeleted(Event):
    type: Literal["department.deleted"] = "department.deleted"
    department_id: int


class DepartmentMembersChanged(Event):
    """People joined or left the department directly (not through a sub-department)."""

    type: Literal["department.members_changed"] = "department.members_changed"
    department_id: int
    added: list[int]
    removed: list[int]


class UserCreated(Event):
    type: Literal["user.created"] = "user.created"
    user: UserOut


class UserUpdated(Event):
    """A person's profile, role, departments or active state changed (`changed` names the
    fields: `display_name`, `role`, `active`, `department_ids` …). A deactivated person has
    `active` false and `"active"` in `changed`."""

    type: Literal["user.updated"] = "user.updated"
    user: UserOut
    changed: list[str]


USER_UPDATED = "user.updated"

ORG_EVENTS: tuple[type[Event], ...] = (DepartmentCreated, DepartmentUpdated, DepartmentDeleted,
                                      DepartmentMembersChanged, UserCreated, UserUpdated)
