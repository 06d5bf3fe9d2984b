"""The job runner every node starts: claim due jobs, run their handlers, retry, dead-letter.

Each pass claims a batch (one short write transaction), then runs each claimed job in a
transaction of its own that holds the handler's writes and the job's "done" together: a
job whose handler committed is done, one whose node died before the commit is still
`running` on a lease, and runs again once the lease is out. The "done" only applies while
this node still holds the job, so a job cancelled meanwhile, or taken over after a lease
ran out, rolls its handler's writes back instead of running twice.

A failure is recorded in a transaction of its own (the handler's writes roll back) with
an exponential backoff plus jitter; after `max_attempts` the job is dead-lettered
(`failed`) with the error text. A failing job only ever delays itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row

from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.jobs import queries
from xietong.jobs.models import JobState
from xietong.jobs.registry import JobRegistry
from xietong.jobs.schedule import BadSchedule, next_run

log = logging.getLogger("xietong.jobs")

MAX_ERROR_CHARS = 4000


@dataclass(frozen=True, slots=True)
class RunnerOptions:
    poll_seconds: float = 1.0
    batch: int = 20
    # Jobs of one batch run at once (PostgreSQL; SQLite runs them one after another,
    # as it has one writer).
    concurrency: int = 4
    lease: timedelta = timedelta(minutes=5)
    retry_base: timedelta = timedelta(seconds=10)
    retry_cap: timedelta = timedelta(hours=1)


class LostJob(Exception):
    """The job was cancelled or taken over while its handler ran: roll the handler back."""


class JobRunner:
    def __init__(self, *, registry: JobRegistry, writer: Callable[[], UnitOfWork],
                 reader: Callable[[], UnitOfWork], node: str, zone: ZoneInfo,
                 is_postgres: bool, options: RunnerOptions | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.registry = registry
        self.writer = writer
        self.reader = reader
        self.node = node
        self.zone = zone
        self.options = options or RunnerOptions()
        self.clock = clock
        self._concurrency = self.options.concurrency if is_postgres else 1
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """A job became due on this node (enqueued, retried): look now, not at the next poll."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=f"jobs:{self.node}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                ran = await self.run_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the job runner's pass failed; trying again")
                ran = 0
            if ran < self.options.batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.options.poll_seconds)

    async def run_due(self) -> int:
        """Claim and run one batch of due jobs; how many were claimed."""
        claimed = await self.claim()
        await self.run_claimed(claimed)
        return len(claimed)

    async def claim(self) -> Sequence[Row[Any]]:
        """Take a batch of due jobs for this node (after a cheap look whether any are due)."""
        now = self.clock()
        async with self.reader() as uow:
            if not await queries.any_due(uow, now):
                return []
        async with self.writer() as uow:
            return await queries.claim_due(uow, now=now, node=self.node,
                                           lease_until=now + self.options.lease,
                                           limit=self.options.batch)

    async def run_claimed(self, claimed: Sequence[Row[Any]]) -> None:
        if self._concurrency == 1:
            for job in claimed:
                await self._run(job)
        else:
            await self._run_concurrently(claimed)

    async def _run_concurrently(self, claimed: Sequence[Row[Any]]) -> None:
        slots = asyncio.Semaphore(self._concurrency)

        async def run(job: Row[Any]) -> None:
            async with slots:
                await self._run(job)

        await asyncio.gather(*(run(job) for job in claimed))

    async def _run(self, job: Row[Any]) -> None:
        handler = self.registry.handler_for(job.kind)
        try:
            if job.attempts > job.max_attempts:
                raise RuntimeError("its node stopped while running the last attempt")
            if handler is None:
                raise LookupError(f"no handler is registered for job kind {job.kind!r}")
            async with self.writer() as uow:
                await handler(uow, dict(job.payload))
                if not await queries.finish_claimed(uow, job.id, self.node,
                                                    **self._after_success(job)):
                    raise LostJob()
        except LostJob:
            log.info("job %s (%s) was cancelled or taken over while it ran", job.id, job.kind)
        except asyncio.CancelledError:
            raise  # the node stops: the lease hands the job to the next runner
        except Exception as error:
            await self._record_failure(job, error)

    def _after_success(self, job: Row[Any]) -> dict[str, Any]:
        now = self.clock()
        if job.recurrence:
            try:
                return {"state": JobState.QUEUED, "attempts": 0, "last_error": None,
                        "run_at": next_run(job.recurrence, now, self.zone)}
            except BadSchedule as error:
                return {"state": JobState.FAILED, "finished_at": now, "last_error": str(error)}
        return {"state": JobState.DONE, "finished_at": now}

    async def _record_failure(self, job: Row[Any], error: BaseException) -> None:
        now = self.clock()
        text = "".join(traceback.format_exception_only(error)).strip()[:MAX_ERROR_CHARS]
        if job.attempts >= job.max_attempts:
            log.warning("job %s (%s) failed for good: %s", job.id, job.kind, text)
            values: dict[str, Any] = {"state": JobState.FAILED, "finished_at": now,
                                      "last_error": text}
        else:
            values = {"state": JobState.QUEUED, "last_error": text,
                      "run_at": now + self.backoff(job.attempts)}
        async with self.writer() as uow:
            await queries.finish_claimed(uow, job.id, self.node, **values)

    def backoff(self, attempts: int) -> timedelta:
        """Wait before attempt `attempts + 1`: doubling from `retry_base`, capped, with
        ±50 % jitter so that jobs failing together do not retry in lockstep."""
        base: timedelta = self.options.retry_base * (2 ** min(max(attempts - 1, 0), 30))
        jitter = random.uniform(0.5, 1.5)  # noqa: S311
        return min(base, self.options.retry_cap) * jitter
