"""Event-log consumers on the real database: each event handled once however many nodes
follow the log, a failing event retried and then passed over without stopping the rest,
and a consumer's writes and its position committed together."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy import select

from tests.conftest import Backend
from tests.helpers import Cast, create_channel, post
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.realtime.consumers import MAX_FAILURES, Consumers
from xietong.realtime.models import ConsumerPosition
from xietong.runtime import Runtime


@dataclass
class Recorder:
    """Writes down the message events it handles; fails on the ids in `poison`."""

    name: str = "recorder"
    types: frozenset[str] = frozenset({"message.created"})
    handled: list[int] = field(default_factory=list)
    poison: set[int] = field(default_factory=set)
    attempts: int = 0

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        self.attempts += 1
        for event in events:
            if event.id in self.poison:
                raise RuntimeError(f"cannot handle event {event.id}")
        # Recorded only when the position moves with it (the commit below succeeds).
        uow.after_commit(lambda: self._record(events))

    async def _record(self, events: list[CommittedEvent]) -> None:
        self.handled.extend(e.id for e in events)


def consumers_of(runtime: Runtime, recorder: Recorder, batch: int = 50) -> Consumers:
    return Consumers(event_log=runtime.realtime.log, writer=runtime.unit_of_work,
                     consumers=[recorder], batch=batch, retry_pause=0.001)


async def message_event_ids(runtime: Runtime, after: int) -> list[int]:
    async with runtime.reader() as uow:
        return [e.id for e in await runtime.realtime.log.after(uow.session, after, 100_000)
                if e.type == "message.created"]


async def test_two_nodes_following_the_log_handle_each_event_once(
        cast: Cast, backend: Backend) -> None:
    """Two runtimes on one database (two nodes' worth of connections) catch up at once, in
    small batches: the position row held by one is skipped by the other."""
    channel_id = await create_channel(cast.zhangwei, "两个节点", "private", cast.lina)
    other = Runtime(backend.settings())
    here, there = Recorder(), Recorder()
    first, second = consumers_of(cast.runtime, here, 7), consumers_of(other, there, 7)
    try:
        await first.start()
        await first.stop()
        start = (await cast.runtime.realtime.last_event_id())
        for n in range(120):
            await post(cast.zhangwei, channel_id, f"第{n}条")
        for _ in range(3):
            await asyncio.gather(first.catch_up(), second.catch_up())
        everything = await message_event_ids(cast.runtime, start)
        assert len(everything) == 120
        assert sorted(here.handled + there.handled) == everything
    finally:
        await second.stop()
        await other.close()


async def poisoned(cast: Cast, recorder: Recorder, consumers: Consumers, messages: int,
                   poison_at: int) -> list[int]:
    """`messages` message events after the consumers' position, the one at `poison_at`
    failing for `recorder`; their ids."""
    channel_id = await create_channel(cast.zhangwei, "毒丸", "private", cast.lina)
    await consumers.start()
    await consumers.stop()
    start = await cast.runtime.realtime.last_event_id()
    for n in range(messages):
        await post(cast.zhangwei, channel_id, f"第{n}条")
    ids = await message_event_ids(cast.runtime, start)
    recorder.poison = {ids[poison_at]}
    return ids


async def test_a_failing_event_is_retried_then_passed_over(cast: Cast) -> None:
    recorder = Recorder()
    consumers = consumers_of(cast.runtime, recorder, batch=1)
    ids = await poisoned(cast, recorder, consumers, 3, poison_at=1)
    for _ in range(MAX_FAILURES + 2):
        await consumers.catch_up()
    assert recorder.handled == [ids[0], ids[2]]
    async with cast.runtime.reader() as uow:
        row = (await uow.session.scalars(select(ConsumerPosition)
                                         .where(ConsumerPosition.name == "recorder"))).one()
    assert row.position == ids[2]
    assert row.last_error is not None
    assert f"cannot handle event {ids[1]}" in row.last_error


async def test_a_failing_event_in_a_batch_costs_only_itself(cast: Cast) -> None:
    """A batch that fails is retried event by event: the events before the failing one are
    handled, the failing one alone is passed over, those after it handled (before, the
    first event after the position was skipped, and the good ones before the poison with
    it)."""
    recorder = Recorder()
    consumers = consumers_of(cast.runtime, recorder, batch=50)
    ids = await poisoned(cast, recorder, consumers, 8, poison_at=5)
    for _ in range(MAX_FAILURES + 3):
        await consumers.catch_up()
    assert recorder.handled == [i for i in ids if i != ids[5]]


async def test_a_new_consumer_starts_at_the_end_of_the_log(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "新来的", "private", cast.lina)
    await post(cast.zhangwei, channel_id, "之前的消息")
    recorder = Recorder()
    consumers = consumers_of(cast.runtime, recorder)
    await consumers.start()
    try:
        await post(cast.zhangwei, channel_id, "之后的消息")
        consumers.wake()
        for _ in range(100):
            if recorder.handled:
                break
            await asyncio.sleep(0.05)
        assert recorder.handled == (await message_event_ids(cast.runtime, 0))[-1:]
    finally:
        await consumers.stop()
