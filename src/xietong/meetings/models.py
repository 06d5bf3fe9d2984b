"""Tables of meetings: series, their occurrences (each a meeting of its own), attendees and
their answers, agenda items, action items and the per-person calendar feed tokens."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class Tier(StrEnum):
    """The three layers of a company's meeting rhythm, and anything else."""

    STRATEGIC = "strategic"  # 战略层 · quarterly
    EXECUTION = "execution"  # 执行层 · every two weeks
    OPERATIONAL = "operational"  # 操作层 · daily stand-up
    CUSTOM = "custom"


class Response(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class ItemSource(StrEnum):
    CHECKLIST = "checklist"  # a "- [ ] @owner … date" line of the minutes
    EXTRACTED = "extracted"  # found in the minutes' free text
    MANUAL = "manual"  # added by hand


class ItemStatus(StrEnum):
    PROPOSED = "proposed"  # waits for the organiser
    CONFIRMED = "confirmed"  # a task now
    DISMISSED = "dismissed"


class MeetingSeries(Base):
    """A recurring meeting: its rule, read in the zone it was made in; its occurrences are
    meetings (`Meeting.series_id`), each with its own minutes and answers."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                              index=True)
    # The RRULE value as normalised (an UNTIL in UTC), always with COUNT or UNTIL.
    rrule: Mapped[str] = mapped_column(String(500))
    first_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    zone: Mapped[str] = mapped_column(String(64))
    skip_non_working_days: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_starts_at_id", "starts_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_series.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16))
    organiser_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                              index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Markdown; action items are read out of it.
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # The minutes as a documents page (then `minutes` is only what it started from).
    minutes_page_id: Mapped[int | None] = mapped_column(
        ForeignKey("doc_pages.id", ondelete="SET NULL"))
    # [{"title": ..., "url": ...}]: what to read before.
    pre_reads: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Departments invited as a whole (their people are attendees).
    department_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Minutes before the start the attendees are reminded (None: no reminder).
    remind_minutes: Mapped[int | None] = mapped_column(Integer)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingAttendee(Base):
    __tablename__ = "meeting_attendees"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    response: Mapped[str] = mapped_column(String(16), default=Response.PENDING.value)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgendaItem(Base):
    __tablename__ = "meeting_agenda_items"
    __table_args__ = (Index("ix_meeting_agenda_items_meeting_id_position", "meeting_id",
                            "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    # What was said and decided on this item.
    notes: Mapped[str] = mapped_column(Text, default="")
    pre_read_url: Mapped[str] = mapped_column(String(500), default="")


class ActionItem(Base):
    """Something to be done, from the minutes or added by hand; a proposal until the
    organiser confirms it into a task (`task_id`) or dismisses it."""

    __tablename__ = "meeting_action_items"
    __table_args__ = (
        # Running the extractor again finds the same sentences: one item each.
        UniqueConstraint("meeting_id", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    owner_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    owner_text: Mapped[str | None] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date)
    due_text: Mapped[str | None] = mapped_column(String(64))
    sentence: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.PROPOSED.value)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(Base):
    """A person's secret calendar address (calendar apps send no cookies): the token's hash;
    a new one replaces it, deleting it revokes the address."""

    __tablename__ = "meeting_calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
