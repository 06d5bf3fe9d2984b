"""Fetch a channel or message *and* check the actor may use it, or raise.

Private channels and DMs that the actor is not in are reported as missing (404), so ids
reveal nothing about conversations one is not part of.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression

from xietong.chat import queries
from xietong.chat.models import Channel, ChannelMember, Message
from xietong.core.actor import Actor
from xietong.core.errors import Forbidden, NotFound
from xietong.core.uow import UnitOfWork
from xietong.org.company_settings.queries import company_settings, standing_of
from xietong.policy import chat as chat_policy
from xietong.policy import require


@dataclass(frozen=True, slots=True)
class ChannelAccess:
    channel: Channel
    member: ChannelMember | None


def readable_now(actor: Actor, channel_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """SQL condition: the actor may read channel `channel_id` now (the rule of
    `access_channel`, for queries over many channels at once: search, file access)."""
    return queries.is_readable_channel(
        channel_id, actor.user_id, include_public=chat_policy.can_preview_public_channels(actor))


async def readable_channel_ids_named(uow: UnitOfWork, actor: Actor, name: str) -> set[int]:
    """The channels called `name` that the actor may read; a channel they may not read is
    as absent as one that does not exist."""
    return await queries.channel_ids_named(uow, name, readable_now(actor, Channel.id))


async def access_channel(uow: UnitOfWork, actor: Actor, channel_id: int) -> ChannelAccess:
    """A channel the actor may read: a member, or a public channel's visitor."""
    found = await queries.channel_with_membership(uow, channel_id, actor.user_id)
    if found is None:
        raise NotFound("No such channel.")
    channel, member = found
    if member is None and not chat_policy.can_preview(actor, channel):
        raise NotFound("No such channel.")
    return ChannelAccess(channel, member)


async def access_channel_as_member(uow: UnitOfWork, actor: Actor,
                                   channel_id: int) -> ChannelAccess:
    found = await access_channel(uow, actor, channel_id)
    if found.member is None:
        raise Forbidden("Join the channel first.", code="not_a_member")
    return found


async def access_channel_for_posting(uow: UnitOfWork, actor: Actor,
                                     channel_id: int) -> ChannelAccess:
    found = await access_channel_as_member(uow, actor, channel_id)
    if found.channel.archived_at is not None:
        raise Forbidden("The channel is archived; it is read-only.", code="channel_archived")
    if chat_policy.is_announcement_channel(found.channel):
        # Only here is the setting read: posting elsewhere costs no query for it.
        announcers = (await company_settings(uow)).post_announcements
        require(chat_policy.can_post_announcements(
                    actor, chat_policy.is_channel_admin(found.member), announcers,
                    await standing_of(uow, actor, announcers)),
                "You may not post in this announcement channel: an administrator chooses "
                "who may.", code="announcement_only")
    return found


async def access_channel_for_managing(uow: UnitOfWork, actor: Actor,
                                      channel_id: int) -> ChannelAccess:
    """Rename, archive, remove others: channel admins, and the organisation's admins."""
    found = await access_channel(uow, actor, channel_id)
    require(chat_policy.can_manage_channel(actor, found.member),
            "Only the channel's admins can do that.")
    return found


@dataclass(frozen=True, slots=True)
class MessageAccess:
    message: Message
    access: ChannelAccess


async def access_message(uow: UnitOfWork, actor: Actor, message_id: int) -> MessageAccess:
    message = await uow.session.get(Message, message_id)
    if message is None:
        raise NotFound("No such message.")
    try:
        access = await access_channel(uow, actor, message.channel_id)
    except NotFound:
        raise NotFound("No such message.") from None
    return MessageAccess(message, access)
