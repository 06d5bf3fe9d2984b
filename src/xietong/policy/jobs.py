"""Rules of durable jobs."""

from __future__ import annotations

from xietong.core.actor import Actor


def can_manage_jobs(actor: Actor) -> bool:
    """See the job queue (whose payloads name people and conversations) and retry a
    dead-lettered job: administrators."""
    return actor.is_admin
