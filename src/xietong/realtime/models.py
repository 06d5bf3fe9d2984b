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
    # Set for channel events; with `personal` False the channel's readers are the audience.
    channel_id: Mapped[int | None] = mapped_column(Integer)
    # True: only the people in event_recipients receive it.
    personal: Mapped[bool] = mapped_column(default=False)
    # The event's data, serialised once when written.
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_events_channel_id_id", "channel_id", "id"),)


class EventRecipient(Base):
    """The explicit audience of a personal event (read markers, membership changes)."""

    __tablename__ = "event_recipients"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        EventId, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
