"""`Jobs`: what the runtime holds for durable jobs — the handler registry, enqueueing and
cancelling inside a unit of work (`UnitOfWork.enqueue` / `cancel_job`), and this node's
runner."""

from __future__ import annotations

import importlib
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from xietong.core.clock import utcnow
from xietong.core.errors import Invalid
from xietong.core.uow import UnitOfWork
from xietong.jobs import queries
from xietong.jobs.models import Job, JobState
from xietong.jobs.registry import JobRegistry
from xietong.jobs.runner import JobRunner, RunnerOptions
from xietong.jobs.schedule import BadSchedule, next_run

DEFAULT_MAX_ATTEMPTS = 10
# A job due this soon after its commit wakes this node's runner at once.
WAKE_HORIZON = timedelta(seconds=1)


def node_name() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Jobs:
    def __init__(self, *, writer: Callable[[], UnitOfWork], reader: Callable[[], UnitOfWork],
                 is_postgres: bool, zone: ZoneInfo, options: RunnerOptions | None = None,
                 handler_modules: tuple[str, ...] = (),
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.registry = JobRegistry()
        self.zone = zone
        self.clock = clock
        self.runner = JobRunner(registry=self.registry, writer=writer, reader=reader,
                                node=node_name(), zone=zone, is_postgres=is_postgres,
                                options=options, clock=clock)
        for module in handler_modules:
            # Handlers from outside the domains (extensions, the probe of tests and bench).
            importlib.import_module(module).register_job_handlers(self.registry)

    async def enqueue(self, uow: UnitOfWork, kind: str, payload: Mapping[str, object], *,
                      run_at: datetime | None, key: str | None, max_attempts: int | None,
                      every: str | None) -> int | None:
        now = self.clock()
        if every is not None:
            try:
                first = next_run(every, now, self.zone)
            except BadSchedule as error:
                raise Invalid(str(error)) from error
            run_at = run_at or first
        run_at = run_at or now
        values = {"kind": kind, "payload": dict(payload), "state": JobState.QUEUED,
                  "run_at": run_at, "attempts": 0,
                  "max_attempts": max_attempts or DEFAULT_MAX_ATTEMPTS,
                  "key": key, "recurrence": every, "created_at": now}
        # A job with a key that exists is skipped (the key is the one unique column).
        job_id = await uow.insert_if_absent(Job, values)
        if job_id is not None and run_at <= now + WAKE_HORIZON:
            uow.after_commit(self._wake)
        return job_id

    async def cancel(self, uow: UnitOfWork, key: str) -> bool:
        return await queries.cancel_by_key(uow, key, self.clock())

    async def _wake(self) -> None:
        self.runner.wake()

    def wake_after_commit(self, uow: UnitOfWork) -> None:
        uow.after_commit(self._wake)

    def start(self) -> None:
        self.runner.start()

    async def stop(self) -> None:
        await self.runner.stop()
