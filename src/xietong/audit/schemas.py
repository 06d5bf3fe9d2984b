from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from xietong.audit.actions import AuditAction


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    action: AuditAction
    target: str | None
    ip: str | None
    details: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None
