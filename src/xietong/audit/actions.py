"""Recording audit entries. Every domain action that matters for security calls `do_record`
inside its own unit of work, so the record commits (or rolls back) with the change."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from xietong.audit.models import AuditEntry
from xietong.core.uow import UnitOfWork


class AuditAction(StrEnum):
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_THROTTLED = "login.throttled"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password.changed"
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    USER_DEPARTMENTS_CHANGED = "user.departments_changed"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    DEPARTMENT_CREATED = "department.created"
    DEPARTMENT_UPDATED = "department.updated"
    DEPARTMENT_DELETED = "department.deleted"
    DEPARTMENT_MEMBERS_SET = "department.members_set"
    # A guest joined departments (made an insider); details name them and the way in.
    GUEST_ADMITTED = "guest.admitted"
    # Details name each setting changed, with its value before and after.
    COMPANY_SETTINGS_CHANGED = "company_settings.changed"


def user_target(user_id: int) -> str:
    return f"user:{user_id}"


def department_target(department_id: int) -> str:
    return f"department:{department_id}"


def token_target(token_id: int) -> str:
    return f"token:{token_id}"


COMPANY_SETTINGS_TARGET = "company_settings"


async def do_record(uow: UnitOfWork, action: AuditAction, *, actor_id: int | None,
                    ip: str | None, target: str | None = None,
                    details: dict[str, Any] | None = None) -> None:
    uow.session.add(AuditEntry(action=action.value, actor_id=actor_id, ip=ip, target=target,
                               details=details))
