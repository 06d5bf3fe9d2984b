"""Event log retention: a recurring job prunes events older than the retention age.

The job (`KIND`, recurring `SCHEDULE` in the company's time zone, one per installation by
its key `JOB_KEY`) deletes at most `batch` events (and their recipient rows) per run, in
the job's own transaction, together with moving the horizon (`EventLogHorizon`) to the
last id it deleted. When more old events remain it enqueues the next batch as a one-off
job of the same kind in that same transaction, carrying the cutoff, so a large backlog is
worked off in short transactions — other writers (on SQLite, every send) wait for one
batch at most, never for the whole prune — and a node dying midway loses nothing: the
chain continues from the committed horizon.

What is pruned is always a prefix of the log by id: starting after the horizon, events
are deleted in id order while they are older than the cutoff, stopping at the first that
is not (and never deleting the newest event, so ids are never handed out again on SQLite).
So every event after the horizon is kept, and the horizon alone tells whether a client's
position is still covered (`socket`: 4410 `resync_required`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.realtime.models import EventLogHorizon, EventRecipient, EventRecord

KIND = "realtime.prune_events"
JOB_KEY = "realtime.prune_events"
# Once a day, at a quiet hour in the company's time zone.
SCHEDULE = "daily 04:00"
BATCH = 1000


class EventRetention:
    """The pruning job's handler, with the retention age (`XIETONG_EVENT_RETENTION_DAYS`)."""

    def __init__(self, days: int, *, batch: int = BATCH,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.days = days
        self.batch = batch
        self.clock = clock

    async def schedule(self, uow: UnitOfWork) -> bool:
        """Make sure the recurring job exists (once per installation, whoever asks and how
        often); whether this call created it."""
        return await uow.enqueue(KIND, {}, key=JOB_KEY, every=SCHEDULE) is not None

    async def __call__(self, uow: UnitOfWork, payload: dict[str, Any]) -> None:
        """One batch. The recurring run computes the cutoff; the batches it chains carry it."""
        if "cutoff" in payload:
            cutoff = datetime.fromisoformat(str(payload["cutoff"]))
        else:
            cutoff = self.clock() - timedelta(days=self.days)
        if await prune_batch(uow, cutoff, self.batch) == self.batch:
            await uow.enqueue(KIND, {"cutoff": cutoff.isoformat()})


async def prune_batch(uow: UnitOfWork, cutoff: datetime, batch: int) -> int:
    """Delete up to `batch` events created before `cutoff`, oldest ids first, with their
    recipients, and move the horizon past them; how many were deleted."""
    session = uow.session
    # The horizon row, locked: two prunes (a chain and a retried run) never interleave.
    await uow.insert_ignoring_duplicates(EventLogHorizon, [{"id": 1, "pruned_through": 0}])
    query = select(EventLogHorizon.pruned_through).where(EventLogHorizon.id == 1)
    if uow.is_postgres:
        query = query.with_for_update()
    horizon = int((await session.execute(query)).scalar_one())
    newest = int(await session.scalar(select(func.max(EventRecord.id))) or 0)
    rows = (await session.execute(
        select(EventRecord.id, EventRecord.created_at)
        .where(EventRecord.id > horizon, EventRecord.id < newest)
        .order_by(EventRecord.id).limit(batch))).all()
    doomed: list[int] = []
    for row in rows:
        if row.created_at >= cutoff:
            break
        doomed.append(row.id)
    if not doomed:
        return 0
    last = doomed[-1]
    await session.execute(delete(EventRecipient).where(EventRecipient.event_id > horizon,
                                                       EventRecipient.event_id <= last))
    await session.execute(delete(EventRecord).where(EventRecord.id > horizon,
                                                    EventRecord.id <= last))
    await session.execute(update(EventLogHorizon).where(EventLogHorizon.id == 1)
                          .values(pruned_through=last, pruned_at=utcnow()))
    return len(doomed)
