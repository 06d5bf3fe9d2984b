"""Turning messaging rows into API shapes, batching lookups for whole pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xietong.chat import queries
from xietong.chat.access import DirectoryListing
from xietong.chat.models import Channel, ChannelKind, Message
from xietong.chat.schemas import ChannelOut, DirectoryChannel, Mentions, MessageCard, MessageOut
from xietong.core.uow import UnitOfWork
from xietong.files.models import StoredFile
from xietong.files.queries import files_by_ids
from xietong.files.schemas import file_out
from xietong.policy import chat as chat_policy


async def messages_out(uow: UnitOfWork, messages: Sequence[Message]) -> list[MessageOut]:
    ids = [m.id for m in messages]
    reactions = await queries.reactions_of(uow, ids)
    pinned = await queries.pinned_ids(uow, ids)
    files = await files_by_ids(uow, (f for m in messages for f in m.file_ids or []))
    return [message_out(m, reactions.get(m.id, {}), m.id in pinned, files) for m in messages]


async def new_message_out(uow: UnitOfWork, message: Message) -> MessageOut:
    """A message just posted: no reactions or pins to look up yet, only its files."""
    return message_out(message, files=await files_by_ids(uow, message.file_ids or []))


def message_out(message: Message, reactions: dict[str, list[int]] | None = None,
                pinned: bool = False, files: Mapping[int, StoredFile] | None = None,
                ) -> MessageOut:
    """`files`: the stored files by id, holding at least this message's (see
    `files_by_ids`); a message's file missing there is left out of its `files`."""
    deleted = message.deleted_at is not None
    file_ids = list(message.file_ids or [])
    found = files or {}
    return MessageOut(
        id=message.id, channel_id=message.channel_id, sender_id=message.sender_id,
        text=message.text, html=message.html, created_at=message.created_at,
        edited_at=message.edited_at, deleted=deleted, thread_root_id=message.thread_root_id,
        reply_count=message.reply_count, last_reply_at=message.last_reply_at,
        reactions=reactions or {}, mentions=Mentions(**(message.mentions or {})),
        file_ids=file_ids, files=[file_out(found[f]) for f in file_ids if f in found],
        ack_required=message.ack_required,
        client_msg_id=message.client_msg_id, pinned=pinned,
        card=MessageCard.model_validate(message.card) if message.card and not deleted else None)


def channel_out(channel: Channel, member_count: int) -> ChannelOut:
    return ChannelOut(id=channel.id, name=channel.name, kind=ChannelKind(channel.kind),
                      description=channel.description, topic=channel.topic,
                      department_id=channel.department_id,
                      archived=channel.archived_at is not None, created_at=channel.created_at,
                      last_message_id=channel.last_message_id, member_count=member_count)


async def channel_view(uow: UnitOfWork, channel: Channel) -> ChannelOut:
    counts = await queries.member_counts(uow, [channel.id])
    return channel_out(channel, counts.get(channel.id, 0))


def directory_out(listing: DirectoryListing) -> list[DirectoryChannel]:
    """The directory's rows as the API shows them: what a channel listed by name only says
    is its name, kind, department and head count."""
    items = []
    for row in listing.rows:
        channel = row.channel
        path = listing.department_paths.get(row.department_id or 0)
        items.append(DirectoryChannel(
            id=channel.id, name=channel.name, kind=ChannelKind(channel.kind),
            description=channel.description if row.readable else "",
            member_count=row.member_count, joined=row.joined,
            department_id=row.department_id if path else None,
            department_name=path[-1] if path else None, department_path=path or [],
            last_activity_at=row.last_activity_at,
            can_preview=row.readable,
            # The join endpoint's own rules: readable (not a guest), joinable, not archived.
            can_join=not row.joined and row.readable and chat_policy.can_join(channel),
            can_leave=row.joined and chat_policy.members_are_chosen(channel)))
    return items
