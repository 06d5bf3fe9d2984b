from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from xietong.audit import queries
from xietong.audit.actions import AuditAction
from xietong.audit.schemas import AuditEntryOut, AuditPage
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.edge import CurrentActor, Rt
from xietong.policy import audit as audit_policy
from xietong.policy import require

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit")
async def list_audit_log(
    actor: CurrentActor, rt: Rt,
    actor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    person_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    target: Annotated[str | None, Query(max_length=128)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Newest first. `action=login.` matches every login action; `person_id` what the person
    did or had done to them (actor or target); `since` and `until` (exclusive) bound the
    time."""
    require(audit_policy.can_read_audit_log(actor), "Only administrators read the audit log.")
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        entries = await queries.list_audit_entries(
            uow, actor_id=actor_id, person_id=person_id, action=action, target=target,
            since=since, until=until, before_id=before_id, limit=limit + 1)
    page = entries[:limit]
    return AuditPage(
        items=[AuditEntryOut(id=e.id, at=e.at, actor_id=e.actor_id, action=AuditAction(e.action),
                             target=e.target, ip=e.ip, details=e.details) for e in page],
        next_cursor=encode_cursor(page[-1].id) if len(entries) > limit else None)
