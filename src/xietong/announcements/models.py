"""Tables of announcements: the announcement, whom it addresses, its attachments, each round
of review, where it was posted, who read and acknowledged it, and the company's choices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xietong.chat.models import MessageId
from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class AnnouncementStatus(StrEnum):
    # Its author writes it; nobody else sees it. Rejected and returned ones come back here.
    DRAFT = "draft"
    # Its review (an approval) is under way: its author and reviewers see it.
    IN_REVIEW = "in_review"
    # Approved, waiting for its publish time (a durable job publishes it).
    SCHEDULED = "scheduled"
    # Its audience sees it (until it expires: `expires_at`).
    PUBLISHED = "published"


class Importance(StrEnum):
    NORMAL = "normal"
    IMPORTANT = "important"
    URGENT = "urgent"


class AudienceKind(StrEnum):
    DEPARTMENT = "department"
    CHANNEL = "channel"


class Announcement(Base):
    __tablename__ = "announcements"
    __table_args__ = (
        # The published list, newest first.
        Index("ix_announcements_status_weight_published_at", "status", "weight",
              "published_at", "id"),
        Index("ix_announcements_author_id_id", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    # Markdown as written, and as rendered (sanitised) when it was saved.
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    importance: Mapped[str] = mapped_column(String(16), default=Importance.NORMAL.value)
    # The importance as a number (urgent 2, important 1, normal 0): the list shows the
    # weightier first.
    weight: Mapped[int] = mapped_column(Integer, default=0)
    # Everyone in the company (but guests); departments and channels are `AnnouncementTarget`s.
    to_company: Mapped[bool] = mapped_column(Boolean, default=False)
    cover_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("files.id", ondelete="SET NULL"))
    requires_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=AnnouncementStatus.DRAFT.value)
    # When to publish (None: as soon as it is approved) and when it stops showing.
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The review under way or last concluded (`AnnouncementReview.id`).
    review_id: Mapped[int | None] = mapped_column(Integer)
    # Why its last review sent it back (the reviewer's words), shown to its author.
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnnouncementTarget(Base):
    """A department (with the departments below it) or a channel the announcement addresses."""

    __tablename__ = "announcement_targets"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class AnnouncementFile(Base):
    __tablename__ = "announcement_files"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class AnnouncementReview(Base):
    """One submission for review: the subject of one approval (`announcement_review:7`). A
    rejected announcement is edited and submitted again as a new review, since an approval
    that ended in rejection is never restarted."""

    __tablename__ = "announcement_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AnnouncementPost(Base):
    """The message that carried the announcement into a channel (pinned there)."""

    __tablename__ = "announcement_posts"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"),
                                            primary_key=True)
    message_id: Mapped[int] = mapped_column(MessageId)


class AnnouncementReceipt(Base):
    """Someone of the audience opened it (`read_at`) and, where asked, acknowledged it."""

    __tablename__ = "announcement_receipts"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnnouncementSettings(Base):
    """The company's one row: the department whose manager reviews company-wide
    announcements (人力资源部) before an administrator does, and the flows made for them."""

    __tablename__ = "announcement_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    company_flow_id: Mapped[int | None] = mapped_column(Integer)
    department_flow_id: Mapped[int | None] = mapped_column(Integer)
    admin_flow_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
