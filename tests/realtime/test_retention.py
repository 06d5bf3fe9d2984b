"""Event log retention on the real database: the recurring job prunes old events (and their
recipients) in batches, one short transaction each; a client resuming from before the
pruned range is told to resync (error frame + 4410), one resuming inside the kept range
gets everything after its position once; the job exists once however often nodes start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update

from tests.conftest import Backend
from tests.helpers import Cast, create_channel, post
from tests.realtime.wsclient import Socket
from xietong.core.clock import utcnow
from xietong.jobs.models import Job, JobState
from xietong.jobs.runner import JobRunner
from xietong.realtime.models import EventLogHorizon, EventRecipient, EventRecord
from xietong.realtime.retention import JOB_KEY, KIND, SCHEDULE, prune_batch
from xietong.realtime.socket import CLOSE_RESYNC
from xietong.runtime import Runtime

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def small_batches(runtime: Runtime) -> AsyncIterator[int]:
    before = runtime.event_retention.batch
    runtime.event_retention.batch = 4
    yield 4
    runtime.event_retention.batch = before


async def _event_ids(runtime: Runtime) -> list[int]:
    async with runtime.reader() as uow:
        return list((await uow.session.scalars(select(EventRecord.id)
                                               .order_by(EventRecord.id))).all())


async def _recipient_event_ids(runtime: Runtime) -> set[int]:
    async with runtime.reader() as uow:
        return set((await uow.session.scalars(select(EventRecipient.event_id))).all())


async def _age(runtime: Runtime, through_id: int, days: float) -> None:
    """Make the events up to `through_id` `days` old (as if written back then)."""
    async with runtime.unit_of_work() as uow:
        await uow.session.execute(update(EventRecord).where(EventRecord.id <= through_id)
                                  .values(created_at=utcnow() - timedelta(days=days)))


async def _horizon(runtime: Runtime) -> int:
    return await runtime.realtime.pruned_through()


async def _history(cast: Cast, messages: int) -> tuple[int, int]:
    """A channel with lina in it (its creation logs personal events with recipients) and
    `messages` messages; (channel id, id of the last event)."""
    channel_id = await create_channel(cast.zhangwei, "留存测试", "private", cast.lina)
    for n in range(messages):
        await post(cast.zhangwei, channel_id, f"旧消息 {n}")
    return channel_id, (await _event_ids(cast.runtime))[-1]


async def _prune(runtime: Runtime, days: float = 30) -> None:
    """The pruning as the job does it, batch after batch, to the end."""
    cutoff = utcnow() - timedelta(days=days)
    while True:
        async with runtime.unit_of_work() as uow:
            if await prune_batch(uow, cutoff, 1000) == 0:
                return


async def test_the_job_prunes_exactly_the_old_events_and_their_recipients_in_batches(
        cast: Cast, runtime: Runtime, small_batches: int) -> None:
    channel_id, old_last = await _history(cast, 9)
    await _age(runtime, old_last, days=31)
    for n in range(3):
        await post(cast.zhangwei, channel_id, f"新消息 {n}")
    # Old enough, but after a kept one: pruning only ever cuts a prefix of the log.
    everything = await _event_ids(runtime)
    old = [i for i in everything if i <= old_last]
    kept = [i for i in everything if i > old_last]
    assert len(old) >= 10
    assert len(kept) >= 3
    with_recipients = await _recipient_event_ids(runtime)
    assert with_recipients & set(old), "some pruned events must have recipients"

    async with runtime.unit_of_work() as uow:
        assert await runtime.event_retention.schedule(uow)
    clock = Clock()
    [job] = await _jobs(runtime)
    assert (job.key, job.recurrence, job.state) == (JOB_KEY, SCHEDULE, JobState.QUEUED)
    # Due at 04:00 in Shanghai.
    assert job.run_at.astimezone(SHANGHAI).time().isoformat() == "04:00:00"
    clock.now = job.run_at + timedelta(seconds=1)
    runner = JobRunner(registry=runtime.jobs.registry, writer=runtime.unit_of_work,
                       reader=runtime.reader, node="retention-test", zone=SHANGHAI,
                       is_postgres=runtime.settings.is_postgres, clock=clock)

    left = len(old)
    horizons = []
    runs = 0
    while await runner.run_due():
        runs += 1
        ids = await _event_ids(runtime)
        deleted_now = left - len([i for i in ids if i <= old_last])
        assert 0 <= deleted_now <= small_batches, "one batch per transaction at most"
        left -= deleted_now
        horizons.append(await _horizon(runtime))
        assert runs < 20
    assert runs == -(-len(old) // small_batches) + (1 if len(old) % small_batches == 0 else 0)
    assert horizons == sorted(horizons)
    assert await _event_ids(runtime) == kept
    assert await _recipient_event_ids(runtime) == with_recipients - set(old)
    assert await _horizon(runtime) == old[-1]
    # The chain's one-off batches are done; the recurring job waits for tomorrow 04:00.
    jobs = await _jobs(runtime)
    assert [j.state for j in jobs if j.recurrence is None] == [JobState.DONE] * (runs - 1)
    [recurring] = [j for j in jobs if j.recurrence]
    assert recurring.state == JobState.QUEUED
    assert recurring.run_at - job.run_at == timedelta(days=1)

    # Nothing more to do: the next run deletes nothing and moves nothing.
    clock.now = recurring.run_at + timedelta(seconds=1)
    assert await runner.run_due() == 1
    assert await _event_ids(runtime) == kept
    assert await _horizon(runtime) == old[-1]


async def test_the_newest_event_is_kept_however_old(cast: Cast, runtime: Runtime) -> None:
    _channel_id, last = await _history(cast, 3)
    await _age(runtime, last, days=400)
    await _prune(runtime)
    assert await _event_ids(runtime) == [last]
    assert await _horizon(runtime) < last
    assert await runtime.realtime.last_event_id() == last


async def _jobs(runtime: Runtime) -> list[Job]:
    async with runtime.reader() as uow:
        return list((await uow.session.scalars(select(Job).where(Job.kind == KIND)
                                               .order_by(Job.id))).all())


async def test_a_resume_from_before_the_pruned_range_must_resync(
        cast: Cast, runtime: Runtime, live_server: str) -> None:
    channel_id, old_last = await _history(cast, 4)
    await _age(runtime, old_last, days=45)
    await post(cast.zhangwei, channel_id, "保留的消息")
    await _prune(runtime)
    horizon = await _horizon(runtime)
    assert horizon == old_last

    for position in (0, 1, horizon - 1):
        socket = await Socket.open(live_server, cast.lina.token, last_event_id=position)
        [error] = socket.other
        assert error["type"] == "error"
        assert error["data"]["code"] == "resync_required"
        assert await socket.closed_with() == CLOSE_RESYNC == 4410
        assert socket.events == []

    # Starting afresh (no last_event_id) is unaffected, and gets what happens next.
    fresh = await Socket.open(live_server, cast.lina.token)
    try:
        [hello] = fresh.other
        assert hello["type"] == "hello"
        assert hello["data"]["resumed"] is False
        sent = await post(cast.zhangwei, channel_id, "重新同步之后")
        frame = await fresh.wait_for("message.created")
        assert frame["data"]["message"]["id"] == sent["id"]
    finally:
        await fresh.close()


async def test_a_resume_from_inside_the_kept_range_gets_everything_after_it_once(
        cast: Cast, runtime: Runtime, live_server: str) -> None:
    channel_id, old_last = await _history(cast, 4)
    # An id that never committed right after the pruned range (a rolled-back transaction
    # leaves such gaps on PostgreSQL): the oldest kept id is then not horizon + 1.
    await post(cast.zhangwei, channel_id, "回滚的空洞")
    gap = (await _event_ids(runtime))[-1]
    kept_texts = [f"保留 {n}" for n in range(5)]
    for text in kept_texts:
        await post(cast.zhangwei, channel_id, text)
    await _age(runtime, old_last, days=45)
    async with runtime.unit_of_work() as uow:
        await uow.session.execute(delete(EventRecord).where(EventRecord.id == gap))
    await _prune(runtime)
    horizon = await _horizon(runtime)
    assert horizon == old_last
    async with runtime.reader() as uow:
        oldest_kept = await uow.session.scalar(select(func.min(EventRecord.id)))
    assert oldest_kept is not None
    assert oldest_kept > horizon + 1

    # Resuming from exactly the horizon, or from a kept event, is a normal resume.
    for position, skip in ((horizon, 0), (oldest_kept, 1)):
        texts = kept_texts[skip:]
        socket = await Socket.open(live_server, cast.lina.token, last_event_id=position)
        try:
            [hello] = socket.other
            assert hello["type"] == "hello"
            assert hello["data"]["resumed"] is True
            live = await post(cast.zhangwei, channel_id, f"之后 {position}")
            await socket.wait_for("message.created", timeout=5)
            deadline = asyncio.get_running_loop().time() + 5
            while live["id"] not in [e["data"]["message"]["id"] for e in socket.events
                                     if e["type"] == "message.created"]:
                assert asyncio.get_running_loop().time() < deadline, socket.events
                await socket.next_frame()
            got = [e["data"]["message"]["text"] for e in socket.events
                   if e["type"] == "message.created"]
            assert got == [*texts, f"之后 {position}"]
            ids = [e["id"] for e in socket.events]
            assert ids == sorted(set(ids)), "each event once, in order"
            assert all(i > position for i in ids)
            assert not [f for f in await socket.quiet(0.3) if f["type"] == "error"]
        finally:
            await socket.close()
        kept_texts.append(f"之后 {position}")


async def test_the_job_is_scheduled_once_however_many_times_nodes_start(
        backend: Backend, runtime: Runtime) -> None:
    settings = backend.settings(run_jobs=True, job_poll_seconds=60)
    for _round in range(2):
        nodes = [Runtime(settings) for _ in range(3)]
        try:
            await asyncio.gather(*(node.start() for node in nodes))
        finally:
            for node in nodes:
                await node.close()
    jobs = await _jobs(runtime)
    assert len(jobs) == 1
    assert (jobs[0].key, jobs[0].recurrence, jobs[0].state) == (JOB_KEY, SCHEDULE,
                                                                 JobState.QUEUED)
    async with runtime.unit_of_work() as uow:
        assert not await runtime.event_retention.schedule(uow)
    assert len(await _jobs(runtime)) == 1


async def test_the_horizon_row_is_written_with_each_batch(cast: Cast, runtime: Runtime) -> None:
    _channel_id, last = await _history(cast, 6)
    await post(cast.zhangwei, _channel_id, "最新")
    await _age(runtime, last, days=40)
    cutoff = utcnow() - timedelta(days=30)
    before = await _event_ids(runtime)
    async with runtime.unit_of_work() as uow:
        assert await prune_batch(uow, cutoff, 3) == 3
    first = await _event_ids(runtime)
    assert first == before[3:]
    assert await _horizon(runtime) == before[2]
    async with runtime.reader() as uow:
        row = await uow.session.get(EventLogHorizon, 1)
    assert row is not None
    assert row.pruned_at is not None
    # A failed batch leaves both the events and the horizon as they were.
    horizon = await _horizon(runtime)

    async def prune_then_fail() -> None:
        async with runtime.unit_of_work() as uow:
            await prune_batch(uow, cutoff, 3)
            raise RuntimeError("the node dies before the commit")

    with pytest.raises(RuntimeError):
        await prune_then_fail()
    assert await _event_ids(runtime) == first
    assert await _horizon(runtime) == horizon


async def test_an_empty_log_prunes_nothing_and_chains_nothing(runtime: Runtime) -> None:
    """A fresh installation's first 04:00 run: no events, so no horizon moves, and no next
    batch is queued; resuming positions stay as they were."""
    assert await _event_ids(runtime) == []
    async with runtime.unit_of_work() as uow:
        await runtime.event_retention(uow, {})
    assert await _event_ids(runtime) == []
    assert await _horizon(runtime) == 0
    assert await runtime.realtime.last_event_id() == 0
    assert await _jobs(runtime) == []
