"""All of the jobs domain's SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, or_, select, update

from xietong.core.db import table_of
from xietong.core.uow import UnitOfWork
from xietong.jobs.models import Job, JobState

jobs = table_of(Job)


def _due(now: datetime) -> Any:
    """Queued and due, or running on a lease that ran out (its node died)."""
    return or_(and_(jobs.c.state == JobState.QUEUED, jobs.c.run_at <= now),
               and_(jobs.c.state == JobState.RUNNING, jobs.c.locked_until < now))


async def any_due(uow: UnitOfWork, now: datetime) -> bool:
    """The idle poll: one index probe in a read transaction (no write lock on SQLite)."""
    found = await uow.session.execute(select(jobs.c.id).where(_due(now)).limit(1))
    return found.first() is not None


async def claim_due(uow: UnitOfWork, *, now: datetime, node: str, lease_until: datetime,
                    limit: int) -> Sequence[Row[Any]]:
    """Take up to `limit` due jobs for `node`, oldest due first.

    PostgreSQL: rows another node is claiming are skipped, not waited for (SKIP LOCKED),
    so each job goes to one node. SQLite has one writer at a time, so the UPDATE alone
    (in a BEGIN IMMEDIATE transaction) is already exclusive.
    """
    due = select(jobs.c.id).where(_due(now)).order_by(jobs.c.run_at, jobs.c.id).limit(limit)
    if uow.is_postgres:
        due = due.with_for_update(skip_locked=True)
    statement = (update(jobs).where(jobs.c.id.in_(due.scalar_subquery()))
                 .values(state=JobState.RUNNING, locked_by=node, locked_until=lease_until,
                         attempts=jobs.c.attempts + 1)
                 .returning(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts,
                            jobs.c.max_attempts, jobs.c.recurrence, jobs.c.run_at))
    result = await uow.session.execute(statement)
    return sorted(result.all(), key=lambda row: (row.run_at, row.id))


async def finish_claimed(uow: UnitOfWork, job_id: int, node: str, **values: Any) -> bool:
    """Update a job this node still holds; False when it no longer does (cancelled, or its
    lease ran out and another node took it), and the caller must roll back."""
    result = await uow.session.execute(
        update(jobs).where(jobs.c.id == job_id, jobs.c.state == JobState.RUNNING,
                           jobs.c.locked_by == node)
        .values(locked_by=None, locked_until=None, **values))
    return bool(getattr(result, "rowcount", 0))


async def cancel_by_key(uow: UnitOfWork, key: str, now: datetime) -> bool:
    result = await uow.session.execute(
        update(jobs).where(jobs.c.key == key,
                           jobs.c.state.in_([JobState.QUEUED, JobState.RUNNING]))
        .values(state=JobState.CANCELLED, finished_at=now, locked_by=None, locked_until=None))
    return bool(getattr(result, "rowcount", 0))


async def list_jobs(uow: UnitOfWork, *, state: JobState | None, before_id: int | None,
                    limit: int) -> Sequence[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Job.state == state)
    if before_id is not None:
        query = query.where(Job.id < before_id)
    return (await uow.session.scalars(query)).all()


async def requeue_failed(uow: UnitOfWork, job_id: int, now: datetime) -> bool:
    result = await uow.session.execute(
        update(jobs).where(jobs.c.id == job_id, jobs.c.state == JobState.FAILED)
        .values(state=JobState.QUEUED, run_at=now, attempts=0, finished_at=None))
    return bool(getattr(result, "rowcount", 0))
