from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime
from xietong.realtime.models import EventId


class NotificationKind(StrEnum):
    """What asks for attention. Later domains add theirs (assigned, approval waiting, SLA
    warning); each kind can be switched off per person."""

    MENTION = "mention"
    DIRECT_MESSAGE = "direct_message"
    ACK_REQUESTED = "ack_requested"
    ACK_REMINDER = "ack_reminder"
    ADDED_TO_CHANNEL = "added_to_channel"
    # Requests: filed with one's department, progress on one's own, the requester's answer.
    REQUEST_UPDATE = "request_update"
    REQUEST_ASSIGNED = "request_assigned"
    # A request's SLA: nearly due (to its assignee); overdue or escalated (to managers).
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    # Approvals: a decision waits for one (their step reached, 加签, acting for someone).
    APPROVAL_WAITING = "approval_waiting"
    # Tasks: given to one; due tomorrow or overdue (to the assignee, then their manager).
    TASK_ASSIGNED = "task_assigned"
    TASK_DUE = "task_due"
    # Task comments: someone @-mentioned one; a comment on a task one is on or follows.
    TASK_MENTIONED = "task_mentioned"
    TASK_COMMENTED = "task_commented"
    # Goals: a key result owes this week's check-in (to its owner).
    OKR_CHECK_IN = "okr_check_in"
    # Documents: a page one keeps fresh is due for review; long overdue (to the space's
    # owners).
    DOC_REVIEW_DUE = "doc_review_due"
    # Page comments: someone @-mentioned one; a reply in a thread one wrote in.
    DOC_COMMENT_MENTION = "doc_comment_mention"
    DOC_COMMENT_REPLY = "doc_comment_reply"
    # Glossary: a followed term's definition changed, or it was deprecated (to followers).
    GLOSSARY_TERM_CHANGED = "glossary_term_changed"
    # Meetings: invited to one (or a series); one is about to start (to those coming).
    MEETING_INVITED = "meeting_invited"
    MEETING_REMINDER = "meeting_reminder"
    # Surveys: one asks you; its deadline nears and you have not answered.
    SURVEY_INVITED = "survey_invited"
    SURVEY_REMINDER = "survey_reminder"
    # Kudos: someone thanked one (or one's team).
    KUDOS_RECEIVED = "kudos_received"
    # Announcements: one reached its audience; a reminder to acknowledge it; its review
    # ended (to its author).
    ANNOUNCEMENT_PUBLISHED = "announcement_published"
    ANNOUNCEMENT_REMINDER = "announcement_reminder"
    ANNOUNCEMENT_REVIEWED = "announcement_reviewed"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # One notification per person, kind and event: the consumer may see an event twice.
        UniqueConstraint("user_id", "source_event_id", "kind"),
        # The feed, newest first, and its unread part.
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_unread", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    # What it is about (`channel:12`), as events name it.
    scope: Mapped[str | None] = mapped_column(String(40))
    # Who caused it (the sender, the person who added them), if anyone.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # Where the client goes on a click (a path of the web app).
    link: Mapped[str] = mapped_column(String(300))
    # Ids a client needs to act on it (channel_id, message_id …).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_event_id: Mapped[int] = mapped_column(EventId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreferences(Base):
    """A person's choices; no row means the defaults (every kind on, no quiet hours)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    # Kinds the person switched off: those are not recorded at all.
    muted_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Do not disturb: between these local times (company time zone, "HH:MM"; the end may
    # be the next morning) notifications are recorded but arrive quietly (no pop-up).
    dnd_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    dnd_start: Mapped[str] = mapped_column(String(5), default="22:00")
    dnd_end: Mapped[str] = mapped_column(String(5), default="08:00")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
