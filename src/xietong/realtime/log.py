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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.core.clock import utcnow
from xietong.core.db import table_of
from xietong.core.events import CHANNEL, Audience, Event, Scope
from xietong.realtime.models import EventLogHorizon, EventRecipient, EventRecord
from xietong.realtime.scopes import Subscriptions

# Any fixed 64-bit number; it names the one lock that orders event appends.
EVENT_LOG_LOCK = 0x58494554_4F4E4701


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    id: int
    type: str
    scope: Scope | None
    # None: whoever sees the scope; otherwise exactly these people.
    recipients: frozenset[int] | None
    data: str
    # When it was logged (read from the log; left out of replays, which need no time).
    created_at: datetime | None = None

    @property
    def channel_id(self) -> int | None:
        """Chat events keep naming their conversation in the frame (API.md)."""
        return self.scope.id if self.scope is not None and self.scope.kind == CHANNEL else None

    @property
    def frame(self) -> str:
        """The WebSocket text frame, built from the stored data without re-serialising it."""
        scope = "null" if self.scope is None else f'"{self.scope}"'
        channel = "null" if self.channel_id is None else str(self.channel_id)
        return (f'{{"id":{self.id},"type":{json.dumps(self.type)},"scope":{scope},'
                f'"channel_id":{channel},"data":{self.data}}}')

    @property
    def payload(self) -> dict[str, object]:
        loaded: dict[str, object] = json.loads(self.data)
        return loaded


# Built once (Core statements on the tables): every logged event runs one of them.
_INSERT_EVENT = insert(table_of(EventRecord)).returning(table_of(EventRecord).c.id)
# Several events of one transaction (a consumer's batch): multi-row statements. On
# PostgreSQL SQLAlchemy hands the ids back in the order of the rows; on SQLite it would
# fall back to a statement per row for that (RETURNING promises no order there), so there
# the ids are sorted instead: see `append`.
_INSERT_EVENTS_IN_ORDER = insert(table_of(EventRecord)).returning(
    table_of(EventRecord).c.id, sort_by_parameter_order=True)
_INSERT_EVENTS = insert(table_of(EventRecord)).returning(table_of(EventRecord).c.id)
_INSERT_RECIPIENTS = insert(table_of(EventRecipient))

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
        data = [event.model_dump_json(exclude={"type"}) for event, _ in events]
        now = utcnow()
        rows = [{"type": event.type, "created_at": now,
                 "scope_kind": audience.scope.kind if audience.scope else None,
                 "scope_id": audience.scope.id if audience.scope else None,
                 "personal": audience.user_ids is not None, "data": serialised}
                for (event, audience), serialised in zip(events, data, strict=True)]
        if len(rows) == 1:  # the common case (a send): the plainer statement
            ids: list[int] = [(await session.execute(_INSERT_EVENT, rows[0])).scalar_one()]
        elif self.is_postgres:
            ids = list((await session.execute(_INSERT_EVENTS_IN_ORDER, rows)).scalars())
        else:
            # SQLite gives each row of a multi-row insert the rowid one above the largest
            # in the table, row after row, and its writers are serialised: the ids in
            # ascending order are the rows' order.
            ids = sorted((await session.execute(_INSERT_EVENTS, rows)).scalars())
        recipients = [{"event_id": event_id, "user_id": user_id}
                      for event_id, (_, audience) in zip(ids, events, strict=True)
                      for user_id in audience.user_ids or ()]
        if recipients:
            await session.execute(_INSERT_RECIPIENTS, recipients)
        return [LoggedEvent(event_id, event.type, audience.scope,
                            None if audience.user_ids is None else frozenset(audience.user_ids),
                            serialised, now)
                for event_id, (event, audience), serialised in zip(ids, events, data, strict=True)]

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
            select(EventRecord.id, EventRecord.type, EventRecord.scope_kind,
                   EventRecord.scope_id, EventRecord.personal, EventRecord.data,
                   EventRecord.created_at)
            .where(EventRecord.id > cursor).order_by(EventRecord.id).limit(limit))).all()
        personal_ids = [row.id for row in rows if row.personal]
        recipients: dict[int, set[int]] = {event_id: set() for event_id in personal_ids}
        if personal_ids:
            for event_id, user_id in await session.execute(
                    select(EventRecipient.event_id, EventRecipient.user_id)
                    .where(EventRecipient.event_id.in_(personal_ids))):
                recipients[event_id].add(user_id)
        return [LoggedEvent(row.id, row.type, _scope(row.scope_kind, row.scope_id),
                            frozenset(recipients[row.id]) if row.personal else None, row.data,
                            row.created_at)
                for row in rows]

    async def replay(self, session: AsyncSession, user_id: int, cursor: int,
                     reads: Subscriptions, limit: int) -> list[LoggedEvent]:
        """What `user_id` may see after `cursor`: events of the scopes they read now, and
        personal events addressed to them."""
        mine = select(EventRecipient.event_id).where(EventRecipient.user_id == user_id,
                                                     EventRecipient.event_id > cursor)
        read: list[ColumnElement[bool]] = [EventRecord.scope_kind == kind
                                           for kind in sorted(reads.whole)]
        read += [and_(EventRecord.scope_kind == kind, EventRecord.scope_id.in_(sorted(ids)))
                 for kind, ids in sorted(reads.ids.items()) if ids]
        visible = or_(EventRecord.id.in_(mine),
                      EventRecord.personal.is_(False) & or_(false(), *read))
        rows = (await session.execute(
            select(EventRecord.id, EventRecord.type, EventRecord.scope_kind,
                   EventRecord.scope_id, EventRecord.data)
            .where(EventRecord.id > cursor, visible).order_by(EventRecord.id)
            .limit(limit))).all()
        return [LoggedEvent(row.id, row.type, _scope(row.scope_kind, row.scope_id), None,
                            row.data) for row in rows]


def _scope(kind: str | None, scope_id: int | None) -> Scope | None:
    return None if kind is None or scope_id is None else Scope(kind, scope_id)
