"""The job runner on the suite's real database (SQLite or PostgreSQL), driven pass by pass
on a clock the test moves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.jobs.conftest import Clock, all_jobs, probe_runs
from xietong.core.errors import Invalid
from xietong.core.uow import UnitOfWork
from xietong.jobs import queries
from xietong.jobs.models import JobState
from xietong.jobs.probe import run_probe
from xietong.jobs.registry import JobRegistry
from xietong.jobs.runner import JobRunner
from xietong.runtime import Runtime


class Recorder:
    """A handler that remembers each payload it ran."""

    def __init__(self) -> None:
        self.ran: list[dict[str, Any]] = []

    async def __call__(self, uow: UnitOfWork, payload: dict[str, Any]) -> None:
        self.ran.append(payload)


async def enqueue(runtime: Runtime, kind: str, payload: dict[str, Any], **options: Any
                  ) -> int | None:
    async with runtime.unit_of_work() as uow:
        return await uow.enqueue(kind, payload, **options)


async def test_due_jobs_run_and_future_ones_wait(runtime: Runtime, runner: JobRunner,
                                                 registry: JobRegistry, clock: Clock) -> None:
    recorder = Recorder()
    registry.register("report", recorder)
    for n in range(3):
        await enqueue(runtime, "report", {"n": n}, run_at=clock.now - timedelta(seconds=n))
    await enqueue(runtime, "report", {"n": "later"}, run_at=clock.now + timedelta(hours=1))

    assert await runner.run_due() == 3
    assert sorted(p["n"] for p in recorder.ran) == [0, 1, 2]
    assert await runner.run_due() == 0
    clock.advance(minutes=59)
    assert await runner.run_due() == 0
    clock.advance(minutes=1)
    assert await runner.run_due() == 1
    assert recorder.ran[-1] == {"n": "later"}
    jobs = await all_jobs(runtime)
    assert [j.state for j in jobs] == [JobState.DONE] * 4
    assert all(j.attempts == 1 and j.locked_by is None and j.finished_at for j in jobs)


async def test_failing_job_backs_off_then_is_dead_lettered_without_blocking_others(
        runtime: Runtime, runner: JobRunner, registry: JobRegistry, clock: Clock) -> None:
    recorder = Recorder()
    registry.register("report", recorder)

    async def broken(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        raise ValueError("打印机着火了 printer on fire")

    registry.register("broken", broken)
    broken_id = await enqueue(runtime, "broken", {}, run_at=clock.now, max_attempts=3)
    for n in range(5):
        await enqueue(runtime, "report", {"n": n}, run_at=clock.now)

    waits: list[timedelta] = []
    for attempt in (1, 2, 3):
        before = len(recorder.ran)
        await enqueue(runtime, "report", {"n": f"during attempt {attempt}"}, run_at=clock.now)
        ran = await runner.run_due()
        assert len(recorder.ran) > before  # the good jobs went through beside the broken one
        assert ran == len(recorder.ran) - before + 1
        [job] = [j for j in await all_jobs(runtime) if j.id == broken_id]
        assert job.attempts == attempt
        assert job.last_error == "ValueError: 打印机着火了 printer on fire"
        if attempt < 3:
            assert job.state == JobState.QUEUED
            wait = job.run_at - clock.now
            # Doubling from 10 s, with ±50 % jitter.
            assert timedelta(seconds=5) * 2 ** (attempt - 1) <= wait
            assert wait <= timedelta(seconds=15) * 2 ** (attempt - 1)
            waits.append(wait)
            assert await runner.run_due() == 0  # not before its time
            clock.now = job.run_at
        else:
            assert job.state == JobState.FAILED
            assert job.finished_at == clock.now
    assert len(recorder.ran) == 8
    clock.advance(days=1)
    assert await runner.run_due() == 0  # dead letters stay dead


async def test_handler_writes_commit_with_done_and_roll_back_with_failure(
        runtime: Runtime, runner: JobRunner, registry: JobRegistry, clock: Clock,
        probe_table: None) -> None:
    async def writes_then_fails(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await run_probe(uow, payload)
        raise RuntimeError("after writing")

    registry.register("jobs.probe", run_probe)
    registry.register("half", writes_then_fails)
    await enqueue(runtime, "jobs.probe", {"n": 1}, run_at=clock.now)
    await enqueue(runtime, "half", {"n": 2}, run_at=clock.now, max_attempts=1)
    assert await runner.run_due() == 2
    assert await probe_runs(runtime) == [1]
    states = {j.kind: j.state for j in await all_jobs(runtime)}
    assert states == {"jobs.probe": JobState.DONE, "half": JobState.FAILED}


async def test_job_enqueued_in_a_rolled_back_unit_of_work_never_runs(
        runtime: Runtime, runner: JobRunner, registry: JobRegistry, clock: Clock) -> None:
    recorder = Recorder()
    registry.register("report", recorder)
    async def enqueue_then_fail() -> None:
        async with runtime.unit_of_work() as uow:
            assert await uow.enqueue("report", {"n": 1}, run_at=clock.now) is not None
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await enqueue_then_fail()
    clock.advance(days=1)
    assert await runner.run_due() == 0
    assert recorder.ran == []
    assert await all_jobs(runtime) == []


async def test_cancel_by_key(runtime: Runtime, runner: JobRunner, registry: JobRegistry,
                             clock: Clock) -> None:
    recorder = Recorder()
    registry.register("sla.breach", recorder)
    await enqueue(runtime, "sla.breach", {"request_id": 5}, key="sla:request:5",
                  run_at=clock.now + timedelta(hours=4))
    # A cancellation that rolls back with its change leaves the timer running...
    async def cancel_then_fail() -> None:
        async with runtime.unit_of_work() as uow:
            assert await uow.cancel_job("sla:request:5")
            raise RuntimeError("the answer was not saved")

    with pytest.raises(RuntimeError):
        await cancel_then_fail()
    # ...the one that commits with the answer stops it.
    async with runtime.unit_of_work() as uow:
        assert await uow.cancel_job("sla:request:5")
    async with runtime.unit_of_work() as uow:
        assert not await uow.cancel_job("sla:request:5")
        assert not await uow.cancel_job("sla:request:404")
    clock.advance(hours=5)
    assert await runner.run_due() == 0
    assert recorder.ran == []
    [job] = await all_jobs(runtime)
    assert job.state == JobState.CANCELLED


async def test_idempotency_key_makes_one_job(runtime: Runtime, runner: JobRunner,
                                             registry: JobRegistry, clock: Clock) -> None:
    recorder = Recorder()
    registry.register("remind", recorder)
    first = await enqueue(runtime, "remind", {"n": 1}, key="remind:msg:9", run_at=clock.now)
    assert first is not None
    assert await enqueue(runtime, "remind", {"n": 2}, key="remind:msg:9",
                         run_at=clock.now) is None
    async with runtime.unit_of_work() as uow:  # twice in one transaction, too
        assert await uow.enqueue("remind", {"n": 3}, key="remind:msg:9") is None
    assert await runner.run_due() == 1
    assert await enqueue(runtime, "remind", {"n": 4}, key="remind:msg:9") is None
    assert await runner.run_due() == 0
    assert recorder.ran == [{"n": 1}]


async def test_recurring_job_follows_shanghai_time(runtime: Runtime, runner: JobRunner,
                                                   registry: JobRegistry, clock: Clock) -> None:
    recorder = Recorder()
    registry.register("digest", recorder)
    # Friday 7 March, 17:00 in Shanghai.
    clock.now = datetime(2025, 3, 7, 9, 0, tzinfo=UTC)
    await enqueue(runtime, "digest", {}, key="digest", every="weekdays 09:00",
                  run_at=clock.now)
    assert await runner.run_due() == 1
    [job] = await all_jobs(runtime)
    # Next: Monday 10 March, 09:00 in Shanghai = 01:00 UTC.
    assert (job.state, job.run_at) == (JobState.QUEUED, datetime(2025, 3, 10, 1, tzinfo=UTC))
    clock.now = datetime(2025, 3, 10, 0, 59, tzinfo=UTC)
    assert await runner.run_due() == 0
    clock.advance(minutes=1)
    assert await runner.run_due() == 1
    [job] = await all_jobs(runtime)
    assert job.run_at == datetime(2025, 3, 11, 1, tzinfo=UTC)
    assert len(recorder.ran) == 2


async def test_a_bad_schedule_is_refused_at_enqueue(runtime: Runtime) -> None:
    with pytest.raises(Invalid):
        await enqueue(runtime, "digest", {}, every="every other tuesday")
    assert await all_jobs(runtime) == []


async def test_a_dead_nodes_lease_runs_out_and_another_node_runs_the_job(
        runtime: Runtime, runner: JobRunner, registry: JobRegistry, clock: Clock) -> None:
    recorder = Recorder()
    registry.register("report", recorder)
    await enqueue(runtime, "report", {"n": 1}, run_at=clock.now)
    async with runtime.unit_of_work() as uow:  # a node claims it, then dies
        [claimed] = await queries.claim_due(uow, now=clock.now, node="dead-node",
                                            lease_until=clock.now + timedelta(minutes=5),
                                            limit=10)
    assert await runner.run_due() == 0
    clock.advance(minutes=5, seconds=1)
    assert await runner.run_due() == 1
    [job] = await all_jobs(runtime)
    assert (job.id, job.state, job.attempts) == (claimed.id, JobState.DONE, 2)


async def test_a_job_cancelled_after_its_claim_rolls_its_handler_back(
        runtime: Runtime, runner: JobRunner, registry: JobRegistry, clock: Clock,
        probe_table: None) -> None:
    """A request answered while its SLA timer is already claimed: the timer's handler runs,
    but its "done" finds the job cancelled, and its writes roll back."""
    registry.register("jobs.probe", run_probe)
    await enqueue(runtime, "jobs.probe", {"n": 1}, key="sla:request:6", run_at=clock.now)
    claimed = await runner.claim()
    assert len(claimed) == 1
    async with runtime.unit_of_work() as uow:
        assert await uow.cancel_job("sla:request:6")
    await runner.run_claimed(claimed)
    assert await probe_runs(runtime) == []
    [job] = await all_jobs(runtime)
    assert (job.state, job.last_error) == (JobState.CANCELLED, None)


async def test_a_job_of_an_unknown_kind_is_dead_lettered(
        runtime: Runtime, runner: JobRunner, clock: Clock) -> None:
    await enqueue(runtime, "nobody.handles.this", {}, run_at=clock.now, max_attempts=1)
    assert await runner.run_due() == 1
    [job] = await all_jobs(runtime)
    assert job.state == JobState.FAILED
    assert "no handler is registered for job kind 'nobody.handles.this'" in (job.last_error or "")


async def test_the_runtime_runner_wakes_at_once_for_a_job_enqueued_on_its_node(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """Polling every 30 s here, and the job enqueued only once the runner has looked and
    found nothing: only the wake after the commit can run it within the 5 s allowed."""
    ran = asyncio.Event()

    async def handler(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        ran.set()

    runner = runtime.jobs.runner
    runtime.jobs.registry.register("test.wake", handler)
    monkeypatch.setattr(runner, "options", type(runner.options)(poll_seconds=30))
    looked = asyncio.Event()
    run_due = runner.run_due

    async def run_due_then_say_so() -> int:
        claimed = await run_due()
        looked.set()
        return claimed

    monkeypatch.setattr(runner, "run_due", run_due_then_say_so)
    runtime.jobs.start()
    try:
        await asyncio.wait_for(looked.wait(), 5)  # its first pass found nothing; it sleeps
        await enqueue(runtime, "test.wake", {})
        await asyncio.wait_for(ran.wait(), 5)
    finally:
        await runtime.jobs.stop()
