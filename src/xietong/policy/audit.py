"""Rules of the audit log."""

from __future__ import annotations

from xietong.core.actor import Actor


def can_read_audit_log(actor: Actor) -> bool:
    return actor.is_admin
