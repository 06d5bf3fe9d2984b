"""Events of messaging, as clients receive them in `data` (see API.md "Events")."""

from __future__ import annotations

from typing import Literal

from xietong.chat.schemas import ChannelOut, MessageOut
from xietong.core.events import CHANNEL, Audience, Event, Scope


def channel_scope(channel_id: int) -> Scope:
    return Scope(CHANNEL, channel_id)


def channel_readers(channel_id: int) -> Audience:
    """Whoever may read the channel when the event is delivered."""
    return Audience.readers_of(channel_scope(channel_id))


class MessageCreated(Event):
    type: Literal["message.created"] = "message.created"
    message: MessageOut


class MessageUpdated(Event):
    type: Literal["message.updated"] = "message.updated"
    message: MessageOut


class MessageDeleted(Event):
    type: Literal["message.deleted"] = "message.deleted"
    message_id: int
    thread_root_id: int | None


class ReactionAdded(Event):
    type: Literal["reaction.added"] = "reaction.added"
    message_id: int
    emoji: str
    user_id: int


class ReactionRemoved(Event):
    type: Literal["reaction.removed"] = "reaction.removed"
    message_id: int
    emoji: str
    user_id: int


class ChannelRead(Event):
    """To the reader's own other tabs and devices, and to the senders of what they read
    (for "n unread" under their messages)."""

    type: Literal["channel.read"] = "channel.read"
    user_id: int
    last_read_id: int


class ChannelUpdated(Event):
    type: Literal["channel.updated"] = "channel.updated"
    channel: ChannelOut


class MemberAdded(Event):
    """People joined a conversation, however it happened (created, DM opened, added, joined,
    moved into the department). It carries the conversation itself, so a client that was
    just added can show it without asking; its sockets are subscribed before it arrives."""

    type: Literal["channel.member_added"] = "channel.member_added"
    user_ids: list[int]
    channel: ChannelOut
    # Who added them: one of them if they joined by themselves; None if the organisation
    # put them there (a department channel following its department).
    added_by: int | None = None


class MemberRemoved(Event):
    type: Literal["channel.member_removed"] = "channel.member_removed"
    user_ids: list[int]


class MessagePinned(Event):
    type: Literal["message.pinned"] = "message.pinned"
    message_id: int
    pinned: bool
    user_id: int


class MessageAcknowledged(Event):
    type: Literal["message.acknowledged"] = "message.acknowledged"
    message_id: int
    user_id: int


class AckReminder(Event):
    type: Literal["message.ack_reminder"] = "message.ack_reminder"
    message_id: int
    from_user_id: int


MEMBERSHIP_EVENT_TYPES = frozenset({"channel.member_added", "channel.member_removed"})
