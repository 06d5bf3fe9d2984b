"""Turning messaging rows into API shapes, batching lookups for whole pages."""

from __future__ import annotations

from collections.abc import Sequence

from xietong.chat import queries
from xietong.chat.models import Channel, ChannelKind, Message
from xietong.chat.schemas import ChannelOut, Mentions, MessageOut
from xietong.core.uow import UnitOfWork


async def messages_out(uow: UnitOfWork, messages: Sequence[Message]) -> list[MessageOut]:
    ids = [m.id for m in messages]
    reactions = await queries.reactions_of(uow, ids)
    pinned = await queries.pinned_ids(uow, ids)
    return [message_out(m, reactions.get(m.id, {}), m.id in pinned) for m in messages]


def message_out(message: Message, reactions: dict[str, list[int]] | None = None,
                pinned: bool = False) -> MessageOut:
    deleted = message.deleted_at is not None
    return MessageOut(
        id=message.id, channel_id=message.channel_id, sender_id=message.sender_id,
        text=message.text, html=message.html, created_at=message.created_at,
        edited_at=message.edited_at, deleted=deleted, thread_root_id=message.thread_root_id,
        reply_count=message.reply_count, last_reply_at=message.last_reply_at,
        reactions=reactions or {}, mentions=Mentions(**(message.mentions or {})),
        file_ids=list(message.file_ids or []), ack_required=message.ack_required,
        client_msg_id=message.client_msg_id, pinned=pinned)


def channel_out(channel: Channel, member_count: int) -> ChannelOut:
    return ChannelOut(id=channel.id, name=channel.name, kind=ChannelKind(channel.kind),
                      description=channel.description, topic=channel.topic,
                      department_id=channel.department_id,
                      archived=channel.archived_at is not None, created_at=channel.created_at,
                      last_message_id=channel.last_message_id, member_count=member_count)


async def channel_view(uow: UnitOfWork, channel: Channel) -> ChannelOut:
    counts = await queries.member_counts(uow, [channel.id])
    return channel_out(channel, counts.get(channel.id, 0))
