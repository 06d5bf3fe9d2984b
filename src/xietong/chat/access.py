"""Fetch a channel or message *and* check the actor may use it, or raise.

Private channels and DMs that the actor is not in are reported as missing (404), so ids
reveal nothing about conversations one is not part of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression

from xietong.chat import queries
from xietong.chat.models import Channel, ChannelMember, Message
from xietong.core.actor import Actor
from xietong.core.errors import Forbidden, NotFound
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.company_settings.queries import company_settings, standing_of
from xietong.org.names import fold, search_term
from xietong.policy import chat as chat_policy
from xietong.policy import org as org_policy
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


async def access_channel_for_joining(uow: UnitOfWork, actor: Actor,
                                     channel_id: int) -> ChannelAccess:
    """A channel the actor may read, or one the channel directory names to them without
    letting them read it (another department's channel): asking to join that one is
    refused by rule (`actions.do_join`), not answered as if it did not exist."""
    found = await queries.channel_with_membership(uow, channel_id, actor.user_id)
    if found is None:
        raise NotFound("No such channel.")
    channel, member = found
    if member is None and not (chat_policy.can_preview(actor, channel)
                               or (channel.archived_at is None
                                   and chat_policy.is_listed_by_name(actor, channel))):
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
    require(found.channel.id in await postable_channel_ids(uow, actor,
                                                           [(found.channel, found.member)]),
            "You may not post in this announcement channel: an administrator chooses "
            "who may.", code="announcement_only")
    return found


async def postable_channel_ids(uow: UnitOfWork, actor: Actor,
                               memberships: Sequence[tuple[Channel, ChannelMember | None]]
                               ) -> set[int]:
    """Of the actor's channels (with their memberships), those they may post in now: any
    live one, but in an announcement channel only whom the company's setting names (so a
    client shows a notice instead of a composer that would be refused). The setting and
    the actor's standing are read once, and only when an announcement channel is there:
    posting elsewhere costs no query for them."""
    live = [(channel, member) for channel, member in memberships if channel.archived_at is None]
    if not any(chat_policy.is_announcement_channel(channel) for channel, _ in live):
        return {channel.id for channel, _ in live}
    announcers = (await company_settings(uow)).post_announcements
    standing = await standing_of(uow, actor, announcers)
    return {channel.id for channel, member in live
            if not chat_policy.is_announcement_channel(channel)
            or chat_policy.can_post_announcements(
                actor, chat_policy.is_channel_admin(member), announcers, standing)}


async def access_channel_for_managing(uow: UnitOfWork, actor: Actor,
                                      channel_id: int) -> ChannelAccess:
    """Rename, archive, remove others: channel admins, and the organisation's admins."""
    found = await access_channel(uow, actor, channel_id)
    require(chat_policy.can_manage_channel(actor, found.member),
            "Only the channel's admins can do that.")
    return found


@dataclass(frozen=True, slots=True)
class DirectoryListing:
    rows: list[queries.DirectoryRow]
    # Each department's names from the top of the tree down to it ("研发部", "前端组"):
    # empty for those who see no org chart.
    department_paths: dict[int, list[str]]


async def browse_directory(uow: UnitOfWork, actor: Actor, *, query: str | None,
                           after: queries.DirectoryPosition | None,
                           limit: int) -> DirectoryListing:
    """The channels the directory lists to the actor (`policy.chat`, "the channel
    directory"), matching `query` if given: two statements, however many channels."""
    paths: dict[int, list[str]] = {}
    matching: set[int] = set()
    if org_policy.can_browse_departments(actor):
        departments = await org_queries.all_departments(uow)
        parents = org_queries.parent_map(departments)
        names = {d.id: d.name for d in departments}
        paths = {d.id: [names[i] for i in reversed(org_queries.ancestors_and_self(parents, d.id))]
                 for d in departments}
        if query:
            matching = org_queries.departments_matching(departments, query)
    rows = await queries.directory_page(
        uow, user_id=actor.user_id, kinds=chat_policy.DIRECTORY_KINDS,
        public_readable=chat_policy.can_preview_public_channels(actor),
        departments_listed=chat_policy.can_list_department_channels(actor),
        term=search_term(query or ""), text=" ".join(fold(query or "").split()),
        department_ids=matching, after=after, limit=limit)
    return DirectoryListing(rows, paths)


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
