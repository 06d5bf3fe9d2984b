"""Writing and reading the event log.

Ordering: on PostgreSQL a sequence hands out ids in call order, not commit order, so a
reader could see event 102 before 101 commits and skip 101 for ever. Appending therefore
takes a transaction-scoped advisory lock just before the commit: transactions that log
events commit one at a time, in id order, and everything up to a visible id is final.
The lock is held only for the insert and the commit (the unit of work appends last).
SQLite needs nothing: its writers are already serialised.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.core.db import table_of
from xietong.core.events import Audience, Event
from xietong.realtime.models import EventLogHorizon, EventRecipient, EventRecord

# Any fixed 64-bit number; it names the one lock that orders event appends.
EVENT_LOG_LOCK = 0x58494554_4F4E4701


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    id: int
    type: str
    channel_id: int | None
    # None: the channel's readers; otherwise exactly these people.
    recipients: frozenset[int] | None
    data: str

    @property
    def frame(self) -> str:
        """The WebSocket text frame, built from the stored data without re-serialising it."""
        channel = "null" if self.channel_id is None else str(self.channel_id)
        return (f'{{"id":{self.id},"type":{json.dumps(self.type)},'
                f'"channel_id":{channel},"data":{self.data}}}')

    @property
    def payload(self) -> dict[str, object]:
        loaded: dict[str, object] = json.loads(self.data)
        return loaded


# Built once (a Core statement on the table): every logged event runs it.
_INSERT_EVENT = insert(table_of(EventRecord)).returning(table_of(EventRecord).c.id)

OnCommit = Callable[[list[LoggedEvent]], Awaitable[None]]


class EventLog:
    """The `EventSink` every unit of work writes to, and the reads the hub needs."""

    def __init__(self, *, is_postgres: bool) -> None:
        self.is_postgres = is_postgres
        self._on_commit: OnCommit | None = None

    def notify_commits_to(self, on_commit: OnCommit) -> None:
        self._on_commit = on_commit

    async def append(self, session: AsyncSession,
                     events: list[tuple[Event, Audience]]) -> list[LoggedEvent]:
        if self.is_postgres:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                  {"key": EVENT_LOG_LOCK})
        logged = []
        for event, audience in events:
            data = event.model_dump_json(exclude={"type"})
            event_id: int = (await session.execute(_INSERT_EVENT, {
                "type": event.type, "channel_id": audience.channel_id,
                "personal": audience.user_ids is not None, "data": data})).scalar_one()
            if audience.user_ids:
                await session.execute(insert(EventRecipient), [
                    {"event_id": event_id, "user_id": user_id} for user_id in audience.user_ids])
            recipients = None if audience.user_ids is None else frozenset(audience.user_ids)
            logged.append(LoggedEvent(event_id, event.type, audience.channel_id, recipients,
                                      data))
        return logged

    async def committed(self, receipt: object) -> None:
        """`receipt` is what `append` returned: the events, now committed."""
        assert isinstance(receipt, list)
        if self._on_commit is not None and receipt:
            await self._on_commit(receipt)

    async def last_id(self, session: AsyncSession) -> int:
        newest = int(await session.scalar(select(func.max(EventRecord.id))) or 0)
        # Pruning keeps the newest event, but an id handed out is never "unknown" again.
        return max(newest, await self.pruned_through(session))

    async def pruned_through(self, session: AsyncSession) -> int:
        """Events with ids up to this may have been pruned; all later ones are kept."""
        return int(await session.scalar(
            select(EventLogHorizon.pruned_through).where(EventLogHorizon.id == 1)) or 0)

    async def after(self, session: AsyncSession, cursor: int, limit: int) -> list[LoggedEvent]:
        """Every event after `cursor` in id order, with the recipients of personal ones."""
        rows = (await session.execute(
            select(EventRecord.id, EventRecord.type, EventRecord.channel_id,
                   EventRecord.personal, EventRecord.data)
            .where(EventRecord.id > cursor).order_by(EventRecord.id).limit(limit))).all()
        personal_ids = [row.id for row in rows if row.personal]
        recipients: dict[int, set[int]] = {event_id: set() for event_id in personal_ids}
        if personal_ids:
            for event_id, user_id in await session.execute(
                    select(EventRecipient.event_id, EventRecipient.user_id)
                    .where(EventRecipient.event_id.in_(personal_ids))):
                recipients[event_id].add(user_id)
        return [LoggedEvent(row.id, row.type, row.channel_id,
                            frozenset(recipients[row.id]) if row.personal else None, row.data)
                for row in rows]

    async def replay(self, session: AsyncSession, user_id: int, cursor: int,
                     channel_ids: Sequence[int], limit: int) -> list[LoggedEvent]:
        """What `user_id` may see after `cursor`: events of the channels they read now,
        and personal events addressed to them."""
        mine = select(EventRecipient.event_id).where(EventRecipient.user_id == user_id,
                                                     EventRecipient.event_id > cursor)
        visible: ColumnElement[bool] = EventRecord.id.in_(mine)
        if channel_ids:
            visible = or_(visible, (EventRecord.personal.is_(False))
                          & EventRecord.channel_id.in_(list(channel_ids)))
        rows = (await session.execute(
            select(EventRecord.id, EventRecord.type, EventRecord.channel_id, EventRecord.data)
            .where(EventRecord.id > cursor, visible).order_by(EventRecord.id)
            .limit(limit))).all()
        return [LoggedEvent(row.id, row.type, row.channel_id, None, row.data) for row in rows]
