from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select

from xietong.audit.actions import user_target
from xietong.audit.models import AuditEntry
from xietong.core.uow import UnitOfWork


async def list_audit_entries(uow: UnitOfWork, *, actor_id: int | None, action: str | None,
                             target: str | None, since: datetime | None, until: datetime | None,
                             before_id: int | None, limit: int,
                             person_id: int | None = None) -> Sequence[AuditEntry]:
    """Newest first, keyset-paged by id. An `action` ending in '.' matches a family
    ("login."); `person_id` matches what the person did and what was done to them."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if person_id is not None:
        query = query.where(or_(AuditEntry.actor_id == person_id,
                                AuditEntry.target == user_target(person_id)))
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True)
                            if action.endswith(".") else AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target == target)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return (await uow.session.scalars(query)).all()


PASSWORD_EVENTS = ("password.generated", "password.changed", "password.reset")


async def last_password_event(uow: UnitOfWork, target: str) -> str | None:
    """The latest of `PASSWORD_EVENTS` about `target` (`user:N`), if any."""
    return await uow.session.scalar(
        select(AuditEntry.action)
        .where(AuditEntry.target == target, AuditEntry.action.in_(PASSWORD_EVENTS))
        .order_by(AuditEntry.id.desc()).limit(1))
