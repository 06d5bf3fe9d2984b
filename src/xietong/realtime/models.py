"""The event log: every change a client must see, in commit order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime

# 64-bit on PostgreSQL; SQLite's rowid alias must be spelled INTEGER.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class EventRecord(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(64))
    # What the event belongs to (`channel:12` is kind "channel", id 12); with `personal`
    # False, whoever sees the scope is the audience.
    scope_kind: Mapped[str | None] = mapped_column(String(24))
    scope_id: Mapped[int | None] = mapped_column(Integer)
    # True: only the people in event_recipients receive it.
    personal: Mapped[bool] = mapped_column(default=False)
    # The event's data, serialised once when written.
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_events_scope_kind_scope_id_id", "scope_kind", "scope_id", "id"),)


class EventRecipient(Base):
    """The explicit audience of a personal event (read markers, membership changes)."""

    __tablename__ = "event_recipients"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        EventId, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)

    # Pruning deletes recipients by event id (the primary key leads with the user).
    __table_args__ = (Index("ix_event_recipients_event_id", "event_id"),)


class EventLogHorizon(Base):
    """How far the event log has been pruned: one row (id 1), written by the pruning job in
    the transaction of each batch it deletes.

    Every event with an id up to `pruned_through` may be gone; every event after it is
    kept. A client resuming from an id below it may have missed events and must resync.
    (Not `min(id)`: ids have gaps — rolled-back transactions on PostgreSQL — so the oldest
    kept id says nothing about whether the ids before it ever existed.)
    """

    __tablename__ = "event_log_horizon"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    pruned_through: Mapped[int] = mapped_column(EventId, default=0)
    pruned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsumerPosition(Base):
    """How far one event-log consumer (notifications, later analytics and outgoing
    webhooks) has handled the log: moved in the transaction that handles the events."""

    __tablename__ = "event_consumers"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(EventId, default=0)
    # Failed attempts at the batch after `position`, and the last error (for operators).
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
