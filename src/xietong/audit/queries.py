from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from xietong.audit.models import AuditEntry
from xietong.core.uow import UnitOfWork


async def list_audit_entries(uow: UnitOfWork, *, actor_id: int | None, action: str | None,
                             target: str | None, since: datetime | None, until: datetime | None,
                             before_id: int | None, limit: int) -> Sequence[AuditEntry]:
    """Newest first, keyset-paged by id. An `action` ending in '.' matches a family ("login.")."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
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
