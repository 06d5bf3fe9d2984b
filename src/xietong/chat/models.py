"""Tables of messaging: channels, members with read state, messages and what hangs off them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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

# 64-bit on PostgreSQL (a busy company passes 2^31 messages); SQLite's rowid alias is INTEGER.
MessageId = BigInteger().with_variant(Integer(), "sqlite")
SEARCH_TEXT_LENGTH = 1000
SORT_KEY_LENGTH = 300


class ChannelKind(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    DEPARTMENT = "department"
    ANNOUNCEMENT = "announcement"
    DM = "dm"


class MemberRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class Channel(Base):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(250), default="")
    # Department channels follow this department's subtree.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    # Direct conversations: the sorted member ids ("3,8,12"), so one set maps to one DM.
    dm_key: Mapped[str | None] = mapped_column(String(400), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_message_id: Mapped[int | None] = mapped_column(MessageId)
    # The name folded, in pinyin and as initials: what the channel directory matches
    # (`org.names.label_search_text`); kept with the name by `chat.actions.name_channel`.
    search_text: Mapped[str] = mapped_column(String(SEARCH_TEXT_LENGTH), default="")
    # The name's pinyin, so the directory sorts the way a Chinese reader expects.
    sort_key: Mapped[str] = mapped_column(String(SORT_KEY_LENGTH), default="")


class ChannelMember(Base):
    __tablename__ = "channel_members"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.MEMBER.value)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Everything up to this message id counts as read.
    last_read_id: Mapped[int] = mapped_column(MessageId, default=0)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(MessageId, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    thread_root_id: Mapped[int | None] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"))
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    last_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    ack_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"user_ids": [...], "department_ids": [...], "all": bool}, resolved when sent.
    mentions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    file_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # A card another domain posts through a system account (`schemas.MessageCard`); `text`
    # is then its plain-text fallback.
    card: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        # History pages walk this index backwards and forwards: no OFFSET, no sort.
        Index("ix_messages_channel_id_id", "channel_id", "id"),
        Index("ix_messages_thread_root_id_id", "thread_root_id", "id"),
        # A client's retry key is unique per sender and conversation.
        UniqueConstraint("sender_id", "channel_id", "client_msg_id",
                         name="uq_messages_sender_channel_client_msg"),
    )


class MessageEdit(Base):
    """Earlier versions of an edited message, newest last."""

    __tablename__ = "message_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageMention(Base):
    """One row per person a message notifies: drives `mention_count` without scanning text."""

    __tablename__ = "message_mentions"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)


class Reaction(Base):
    __tablename__ = "reactions"

    message_id: Mapped[int] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    emoji: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pin(Base):
    __tablename__ = "pins"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    message_id: Mapped[int] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    pinned_by: Mapped[int] = mapped_column(Integer)
    pinned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThreadFollower(Base):
    __tablename__ = "thread_followers"

    root_id: Mapped[int] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Acknowledgement(Base):
    __tablename__ = "acknowledgements"

    message_id: Mapped[int] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    acked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingReminder(Base):
    """Someone reminded to acknowledge a message who has not opened its channel since: it
    counts in their mention badge, even for a message they had read before the reminder."""

    __tablename__ = "pending_reminders"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    message_id: Mapped[int] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(Integer)
    reminded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_pending_reminders_user_id_channel_id", "user_id",
                            "channel_id"),)


class MessageFile(Base):
    """A file attached to a message: whoever may read the message may download the file."""

    __tablename__ = "message_files"

    message_id: Mapped[int] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    channel_id: Mapped[int] = mapped_column(Integer)
