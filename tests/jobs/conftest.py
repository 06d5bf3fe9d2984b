"""What the job tests share: a clock the test moves, a registry of their own, a runner on
the suite's runtime that uses both, and the probe table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from xietong.jobs.models import Job
from xietong.jobs.probe import PROBE_TABLE_DDL
from xietong.jobs.registry import JobRegistry
from xietong.jobs.runner import JobRunner, RunnerOptions
from xietong.runtime import Runtime

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 3 March 2025, 09:00 in Shanghai.
MONDAY_9AM_SHANGHAI = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_9AM_SHANGHAI)


@pytest.fixture
def registry() -> JobRegistry:
    return JobRegistry()


@pytest.fixture
def runner(runtime: Runtime, registry: JobRegistry, clock: Clock) -> JobRunner:
    return JobRunner(registry=registry, writer=runtime.unit_of_work, reader=runtime.reader,
                     node="test-node", zone=SHANGHAI, is_postgres=runtime.settings.is_postgres,
                     options=RunnerOptions(retry_base=timedelta(seconds=10),
                                           lease=timedelta(minutes=5)),
                     clock=clock)


@pytest.fixture
async def probe_table(runtime: Runtime) -> AsyncIterator[None]:
    """`job_probe_runs` (not a model, so the suite's clean-up leaves it: dropped here)."""
    async with runtime.engine.begin() as connection:
        await connection.execute(text(PROBE_TABLE_DDL))
    yield
    async with runtime.engine.begin() as connection:
        await connection.execute(text("DROP TABLE job_probe_runs"))


async def probe_runs(runtime: Runtime) -> list[int]:
    async with runtime.reader() as uow:
        rows = await uow.session.execute(text("SELECT n FROM job_probe_runs ORDER BY n"))
        return [row[0] for row in rows]


async def all_jobs(runtime: Runtime) -> list[Job]:
    async with runtime.reader() as uow:
        return list((await uow.session.scalars(select(Job).order_by(Job.id))).all())
