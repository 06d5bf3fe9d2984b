from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    # Dead-lettered: it failed `max_attempts` times; `last_error` says why. An admin may retry.
    FAILED = "failed"
    CANCELLED = "cancelled"


class Job(Base):
    """One piece of work to do later, on exactly one node.

    A job is `queued` until `run_at`; a node claims it (`running`, holding a lease until
    `locked_until`) and marks it `done` in the transaction of the handler's own writes. A
    node that dies mid-job lets its lease run out, and another node runs the job again.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        # The runner's one hot query: the next due jobs.
        Index("ix_jobs_state_run_at", "state", "run_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    # A job enqueued twice for one purpose (same key) is one job; cancellation names it.
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A recurring job's schedule (`jobs.schedule`); after each run it is queued again.
    recurrence: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
