"""Event-log consumers: work that follows events — notifications now, analytics rollups and
outgoing webhooks later — each with its own stored position in the log.

A consumer reads the events after its position in batches and handles a batch in one
transaction that also moves its position, so what it writes to our database happens once
per event; anything it does elsewhere must be idempotent (delivery is at-least-once). With
several nodes, each consumer runs on one at a time: the batch's transaction holds the
consumer's position row (`FOR UPDATE SKIP LOCKED`; a node that finds it held skips it).
It runs right after each commit the hub hears of, and once a second regardless.

A batch whose handling fails is retried with a growing pause; after `MAX_FAILURES` its
first event is skipped (logged, with the error kept on the position row) so that one
poisonous event cannot stop the consumer for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Callable, Sequence

from sqlalchemy import select

from xietong.core.events import CommittedEvent, Consumer
from xietong.core.uow import UnitOfWork
from xietong.realtime.log import EventLog
from xietong.realtime.models import ConsumerPosition

log = logging.getLogger("xietong.consumers")

POLL_SECONDS = 1.0
BATCH = 200
MAX_FAILURES = 5
MAX_ERROR_CHARS = 4000


class Consumers:
    """Runs every registered consumer on this node, as far as the log goes."""

    def __init__(self, *, event_log: EventLog, writer: Callable[[], UnitOfWork],
                 consumers: Sequence[Consumer], batch: int = BATCH,
                 retry_pause: float = 0.1) -> None:
        self._log = event_log
        self._retry_pause = retry_pause
        self._writer = writer
        self._consumers = list(consumers)
        self._batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Per consumer, the last event of a batch that failed on this node: up to it, the
        # log is taken one event at a time, so that only the event that keeps failing is
        # passed over (a node without this note retries one event, then batches again).
        self._retry_until: dict[str, int] = {}

    def wake(self) -> None:
        """Events were committed: look now, not at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        """Begin following the log. A consumer seen for the first time starts at its end:
        it handles what happens from now on, not the history before it existed."""
        async with self._writer() as uow:
            end = await self._log.last_id(uow.session)
            for consumer in self._consumers:
                await uow.insert_ignoring_duplicates(ConsumerPosition, [
                    {"name": consumer.name, "position": end, "failures": 0}])
        if self._task is None and self._consumers:
            self._task = asyncio.create_task(self._loop(), name="xietong-consumers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()
            try:
                await self.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not stop the consumers for good
                log.exception("event consumers failed; retrying")
                await asyncio.sleep(POLL_SECONDS)

    async def catch_up(self, only: str | None = None) -> int:
        """Handle everything after each consumer's position (`only`: the consumer of that
        name, the others left where they are); returns how many events were read (all
        consumers together)."""
        read = 0
        for consumer in self._consumers:
            if only is not None and consumer.name != only:
                continue
            while True:
                count = await self._step(consumer)
                read += count
                # A short batch was the last (one event: perhaps a retry event by event).
                if count < self._batch and count != 1:
                    break
        return read

    async def _step(self, consumer: Consumer) -> int:
        """One batch of one consumer; how many events it read (0: none, or held elsewhere)."""
        events: list[CommittedEvent] = []
        try:
            async with self._writer() as uow:
                row = await uow.session.scalar(
                    select(ConsumerPosition).where(ConsumerPosition.name == consumer.name)
                    .with_for_update(skip_locked=True))
                if row is None:
                    return 0  # another node is handling it
                retrying = (row.failures > 0
                            or row.position < self._retry_until.get(consumer.name, 0))
                events = list(await self._log.after(uow.session, row.position,
                                                    1 if retrying else self._batch))
                if not events:
                    return 0
                wanted: list[CommittedEvent] = [e for e in events if e.type in consumer.types]
                if wanted:
                    await consumer.handle(uow, wanted)
                row.position = events[-1].id
                # While retrying, the failures counted stay until the failed batch is
                # behind: the event that keeps failing reaches MAX_FAILURES, not a
                # count that each good event before it set back to nothing.
                if row.position >= self._retry_until.get(consumer.name, 0):
                    self._retry_until.pop(consumer.name, None)
                    row.failures = 0
                return len(events)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if len(events) > 1:
                self._retry_until[consumer.name] = events[-1].id
            await self._failed(consumer, error)
            return 0

    async def _failed(self, consumer: Consumer, error: Exception) -> None:
        text = "".join(traceback.format_exception(error))[-MAX_ERROR_CHARS:]
        log.error("consumer %s failed: %s", consumer.name, text)
        async with self._writer() as uow:
            # Locked: two nodes failing at once must each count their failure.
            row = await uow.session.scalar(
                select(ConsumerPosition).where(ConsumerPosition.name == consumer.name)
                .with_for_update())
            if row is None:
                return
            row.failures += 1
            row.last_error = text
            pause = min(self._retry_pause * 2 ** row.failures, POLL_SECONDS * 5)
            if row.failures >= MAX_FAILURES:
                skipped = await self._log.after(uow.session, row.position, 1)
                if skipped:
                    log.error("consumer %s skips event %d after %d failures", consumer.name,
                              skipped[0].id, row.failures)
                    row.position = skipped[0].id
                row.failures = 0
        await asyncio.sleep(pause)
