"""Writers of messaging. Each emits its events with an explicit audience; none commits."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from html import escape

import anyio.to_thread
from sqlalchemy import bindparam, case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from xietong.audit.actions import AuditAction, do_record, user_target
from xietong.chat import queries
from xietong.chat.access import ChannelAccess, MessageAccess, access_channel_for_posting
from xietong.chat.events import (
    AckReminder,
    ChannelRead,
    ChannelUpdated,
    MemberAdded,
    MemberRemoved,
    MessageAcknowledged,
    MessageCreated,
    MessageDeleted,
    MessagePinned,
    MessageUpdated,
    ReactionAdded,
    ReactionRemoved,
    channel_readers,
    channel_scope,
)
from xietong.chat.markdown import render_markdown
from xietong.chat.mentioning import ResolvedMentions, resolve_mentions
from xietong.chat.models import (
    SEARCH_TEXT_LENGTH,
    SORT_KEY_LENGTH,
    Acknowledgement,
    Channel,
    ChannelKind,
    ChannelMember,
    MemberRole,
    Message,
    MessageEdit,
    MessageFile,
    MessageMention,
    PendingReminder,
    Pin,
    Reaction,
    ThreadFollower,
)
from xietong.chat.schemas import ChannelCreate, ChannelUpdate, MessageCard
from xietong.chat.views import channel_out, channel_view, messages_out, new_message_out
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.db import table_of
from xietong.core.errors import Forbidden, Invalid, NotFound, TooManyRequests
from xietong.core.events import Audience
from xietong.core.ratelimit import FailureCounter
from xietong.core.signals import MessageRemoved, MessageWritten
from xietong.core.text import reaction_emoji
from xietong.core.uow import UnitOfWork
from xietong.files.queries import attachable_file_ids
from xietong.org import queries as org_queries
from xietong.org.company_settings.queries import company_settings, standing_of
from xietong.org.names import label_search_text, sort_key_for
from xietong.policy import chat as chat_policy
from xietong.policy import require

# Read markers go to the whole channel (so senders see "n unread" fall) only while the
# channel is small enough for that to stay cheap; above it, to the reader alone.
READ_BROADCAST_LIMIT = 100
RECEIPTS_LIMIT = 500


# Longer texts are rendered in a worker thread: hostile Markdown can take ~0.2 s at 16 KB,
# and the event loop must keep serving everyone else meanwhile.
INLINE_RENDER_LIMIT = 2000


async def render_html(text: str, mentions: ResolvedMentions) -> str:
    spans = mentions.directory.spans if mentions.directory is not None else None
    if len(text) <= INLINE_RENDER_LIMIT:
        return render_markdown(text, spans)
    return await anyio.to_thread.run_sync(render_markdown, text, spans)


# --- channels -----------------------------------------------------------------------------

def name_channel(channel: Channel, name: str) -> None:
    """Set the name, and with it what the channel directory searches and sorts on."""
    channel.name = name
    channel.search_text = label_search_text(name)[:SEARCH_TEXT_LENGTH]
    channel.sort_key = sort_key_for(name)[:SORT_KEY_LENGTH]


async def _people_of_departments(uow: UnitOfWork, department_ids: Iterable[int]) -> set[int]:
    """Active members of the departments and of every department below them."""
    wanted = set(department_ids)
    if not wanted:
        return set()
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    missing = wanted - parents.keys()
    if missing:
        raise Invalid("Unknown department.", details={"department_ids": sorted(missing)})
    subtree: set[int] = set()
    for department_id in wanted:
        subtree |= org_queries.descendants_and_self(parents, department_id)
    return await org_queries.active_member_ids_of_departments(uow, subtree)


async def _check_people(uow: UnitOfWork, user_ids: Iterable[int]) -> set[int]:
    wanted = set(user_ids)
    active = await org_queries.active_user_ids(uow, wanted)
    if wanted - active:
        raise Invalid("Unknown or deactivated person.",
                      details={"user_ids": sorted(wanted - active)})
    return wanted


async def do_create_channel(uow: UnitOfWork, actor: Actor, data: ChannelCreate) -> Channel:
    kind = ChannelKind(data.kind)
    creators = (await company_settings(uow)).create_channels
    require(chat_policy.can_create_channels(actor, creators,
                                            await standing_of(uow, actor, creators)),
            "You may not create channels: an administrator chooses who may.")
    if kind == ChannelKind.DM:
        raise Invalid("Open direct conversations with POST /api/v1/dms.")
    require(chat_policy.can_create_channel_of_kind(actor, kind),
            "Only administrators create department and announcement channels.")
    people = await _check_people(uow, data.member_ids)
    people |= await _people_of_departments(uow, data.department_ids)
    department_id = None
    if kind == ChannelKind.DEPARTMENT:
        department_id = data.department_id or (data.department_ids[0]
                                               if len(data.department_ids) == 1 else None)
        if department_id is None:
            raise Invalid("A department channel needs its department_id.")
        people = await _people_of_departments(uow, [department_id])
    return await _create_channel(uow, kind, data.name, creator_id=actor.user_id, people=people,
                                 description=data.description, topic=data.topic,
                                 department_id=department_id)


async def open_department_channel(uow: UnitOfWork, department_id: int, name: str, *,
                                  description: str, creator_id: int) -> Channel:
    """A department channel made by the system (a request queue's, by its system account),
    not by someone's request: no policy to ask. Its members follow the department like
    every department channel's (`sync_department_channels`); the creator stays in it."""
    people = await _people_of_departments(uow, [department_id])
    return await _create_channel(uow, ChannelKind.DEPARTMENT, name, creator_id=creator_id,
                                 people=people, description=description, topic="",
                                 department_id=department_id)


async def open_linked_channel(uow: UnitOfWork, name: str, *, description: str,
                              creator_id: int, people: set[int]) -> Channel:
    """A private channel another domain keeps for one of its things (a project's): made
    with it, its members set by that domain (`set_linked_members`), not by channel rules."""
    return await _create_channel(uow, ChannelKind.PRIVATE, name, creator_id=creator_id,
                                 people=people, description=description, topic="",
                                 department_id=None)


async def set_linked_members(uow: UnitOfWork, channel_id: int, wanted: set[int]) -> None:
    """Make a linked channel's members exactly `wanted` (and its creator, who stays its
    admin, and the system account posting its cards); an archived or vanished channel is
    left alone."""
    channel = await uow.session.get(Channel, channel_id)
    if channel is None or channel.archived_at is not None:
        return
    current = set(await queries.member_ids(uow, channel.id))
    joined = await _add_members(uow, channel, wanted - current, by=None, current=current)
    keep = {channel.created_by} if channel.created_by is not None else set()
    keep |= await org_queries.bot_ids(uow, current)
    await _remove_members(uow, channel, current - wanted - keep,
                          current=current | set(joined))


async def admit_system_account(uow: UnitOfWork, channel_id: int, user_id: int) -> None:
    """Let the system account into a channel it posts cards in (a project's), if not yet."""
    channel = await uow.session.get(Channel, channel_id)
    if channel is not None:
        await _add_members(uow, channel, {user_id}, by=None)


async def _create_channel(uow: UnitOfWork, kind: ChannelKind, name: str, *, creator_id: int,
                          people: set[int], description: str, topic: str,
                          department_id: int | None) -> Channel:
    channel = Channel(kind=kind.value, description=description, topic=topic,
                      department_id=department_id, created_by=creator_id)
    name_channel(channel, name)
    uow.session.add(channel)
    await uow.flush()
    uow.session.add(ChannelMember(channel_id=channel.id, user_id=creator_id,
                                  role=MemberRole.ADMIN.value))
    await uow.flush()
    # The creator joins like everyone else: their open sockets must subscribe to it too.
    await _add_members(uow, channel, people - {creator_id}, by=creator_id,
                       already_joined={creator_id})
    return channel


async def do_open_dm(uow: UnitOfWork, actor: Actor,
                     user_ids: Iterable[int]) -> tuple[Channel, bool]:
    """The conversation with exactly these people (and the actor): found, or made."""
    people = await _check_people(uow, set(user_ids) | {actor.user_id})
    if not chat_policy.can_message_anyone(actor):
        visible = await queries.people_sharing_a_channel_with(uow, actor.user_id)
        if people - visible:
            raise NotFound("No such person.")
    key = ",".join(str(u) for u in sorted(people))
    existing = await queries.find_dm(uow, key)
    if existing is not None:
        return existing, False
    channel = Channel(kind=ChannelKind.DM.value, name="", dm_key=key, created_by=actor.user_id)
    try:
        async with uow.session.begin_nested():
            uow.session.add(channel)
            await uow.session.flush()
    except IntegrityError:
        # Someone opened the same conversation at the same moment: use theirs.
        found = await queries.find_dm(uow, key)
        assert found is not None
        return found, False
    uow.session.add_all(ChannelMember(channel_id=channel.id, user_id=u) for u in sorted(people))
    await uow.flush()
    await _announce_joined(uow, channel, sorted(people), people, actor.user_id)
    return channel, True


async def _add_members(uow: UnitOfWork, channel: Channel, user_ids: set[int], *,
                       by: int | None, already_joined: AbstractSet[int] = frozenset(),
                       current: AbstractSet[int] | None = None) -> list[int]:
    """Add the people not yet in `channel` and announce it. `already_joined` were added by
    the caller in this transaction and are announced as joining too (a new channel's
    creator). `current`: its members now, when the caller already read them."""
    if current is None:
        current = set(await queries.member_ids(uow, channel.id))
    joining = sorted(user_ids - current)
    # New members start with everything before now counted as read.
    uow.session.add_all(ChannelMember(channel_id=channel.id, user_id=u,
                                      last_read_id=channel.last_message_id or 0)
                        for u in joining)
    await uow.flush()
    announced = sorted(set(joining) | (already_joined & current))
    if announced:
        await _announce_joined(uow, channel, announced, current | set(joining), by)
    return joining


async def _announce_joined(uow: UnitOfWork, channel: Channel, joined: list[int],
                           members: AbstractSet[int], by: int | None) -> None:
    """Tell the members who joined, with the conversation itself. Named recipients, not the
    channel: the hub resubscribes the joiners' sockets on this event, before delivering it."""
    # The member count is the recipients', not a query: this runs for every join,
    # department-channel sync included.
    uow.emit(MemberAdded(user_ids=joined, channel=channel_out(channel, len(members)),
                         added_by=by),
             Audience.users(members, scope=channel_scope(channel.id)))


async def _remove_members(uow: UnitOfWork, channel: Channel, user_ids: set[int], *,
                          current: AbstractSet[int] | None = None) -> list[int]:
    """Remove those of `user_ids` in `channel` and announce it. `current`: its members now,
    when the caller already read them."""
    if current is None:
        current = set(await queries.member_ids(uow, channel.id))
    leaving = sorted(user_ids & current)
    if not leaving:
        return []
    await uow.session.execute(delete(ChannelMember).where(
        ChannelMember.channel_id == channel.id, ChannelMember.user_id.in_(leaving)))
    # Reminders they had not seen go with them: back in later, the badge starts afresh.
    await uow.session.execute(delete(PendingReminder).where(
        PendingReminder.channel_id == channel.id, PendingReminder.user_id.in_(leaving)))
    uow.emit(MemberRemoved(user_ids=leaving),
             Audience.users(current, scope=channel_scope(channel.id)))
    return leaving


def check_may_add_members(actor: Actor, found: ChannelAccess) -> None:
    """Raise unless the actor may add people to this conversation at all (who they add is
    checked by `do_add_members`)."""
    channel = found.channel
    require(chat_policy.can_add_people_to(actor, found.member),
            "Only members add people to a channel.")
    if not chat_policy.members_are_chosen(channel):
        raise Invalid("This conversation's members are fixed (DMs) or follow the organisation "
                      "(department channels).")
    if channel.archived_at is not None:
        raise Forbidden("The channel is archived.", code="channel_archived")
    require(chat_policy.can_add_people(actor), "Guests cannot add people.")


def may_add_members(actor: Actor, found: ChannelAccess) -> bool:
    """`check_may_add_members` as a question, for offering to invite someone."""
    try:
        check_may_add_members(actor, found)
    except (Forbidden, Invalid):
        return False
    return True


async def do_add_members(uow: UnitOfWork, actor: Actor, found: ChannelAccess,
                         user_ids: Iterable[int], department_ids: Iterable[int]) -> list[int]:
    check_may_add_members(actor, found)
    channel = found.channel
    people = await _check_people(uow, user_ids) | await _people_of_departments(uow,
                                                                               department_ids)
    if channel.kind == ChannelKind.ANNOUNCEMENT.value:
        await _admit_guests_to_announcements(uow, actor, channel, people)
    return await _add_members(uow, channel, people, by=actor.user_id)


async def _admit_guests_to_announcements(uow: UnitOfWork, actor: Actor, channel: Channel,
                                         people: set[int]) -> None:
    """Guests joining an announcement channel: administrators only, and audited."""
    guests = sorted(await org_queries.guest_ids(
        uow, people - set(await queries.member_ids(uow, channel.id))))
    if not guests:
        return
    require(chat_policy.can_add_guest_to_announcements(actor),
            "Only administrators add a guest to an announcement channel.",
            code="guest_needs_admin", details={"user_ids": guests})
    for guest_id in guests:
        await do_record(uow, AuditAction.GUEST_ADMITTED, actor_id=actor.user_id, ip=actor.ip,
                        target=user_target(guest_id),
                        details={"channel_id": channel.id, "via": "announcement_channel"})


async def do_remove_member(uow: UnitOfWork, actor: Actor, found: ChannelAccess,
                           user_id: int) -> None:
    """Channel admins remove anyone; everyone may remove themselves (leave)."""
    channel = found.channel
    require(chat_policy.can_remove_from(actor, found.member, user_id),
            "Only the channel's admins remove others.")
    if not chat_policy.members_are_chosen(channel):
        raise Invalid("You cannot leave a direct conversation or a department channel.")
    if not await _remove_members(uow, channel, {user_id}):
        raise NotFound("That person is not in the channel.")


async def do_join(uow: UnitOfWork, actor: Actor, found: ChannelAccess) -> None:
    require(chat_policy.can_join(found.channel),
            "Only public channels can be joined freely: a department channel's members follow "
            "the organisation, which administrators keep.", code="not_joinable")
    if found.channel.archived_at is not None:
        raise Forbidden("The channel is archived.", code="channel_archived")
    await _add_members(uow, found.channel, {actor.user_id}, by=actor.user_id)


async def do_update_channel(uow: UnitOfWork, actor: Actor, found: ChannelAccess,
                            changes: ChannelUpdate) -> None:
    await _update_channel(uow, found.channel, changes)


async def update_linked_channel(uow: UnitOfWork, channel_id: int, *, name: str | None = None,
                                archived: bool | None = None) -> None:
    """Rename, archive (read-only) or bring back a linked channel with the thing it belongs
    to (a project renamed or archived), as `do_update_channel` does: its readers hear
    `channel.updated`. A vanished channel is left alone; one brought back is not re-peopled
    here (`set_linked_members` does that)."""
    channel = await uow.session.get(Channel, channel_id)
    if channel is not None:
        await _update_channel(uow, channel, ChannelUpdate(name=name, archived=archived))


async def _update_channel(uow: UnitOfWork, channel: Channel, changes: ChannelUpdate) -> None:
    if channel.kind == ChannelKind.DM.value and changes.name is not None:
        raise Invalid("Direct conversations have no name.")
    if changes.name is not None:
        name_channel(channel, changes.name)
    for field in ("description", "topic"):
        value = getattr(changes, field)
        if value is not None:
            setattr(channel, field, value)
    if changes.archived is not None:
        channel.archived_at = utcnow() if changes.archived else None
    await uow.flush()
    uow.emit(ChannelUpdated(channel=await channel_view(uow, channel)),
             channel_readers(channel.id))


async def sync_department_channels(uow: UnitOfWork) -> None:
    """Make every department channel's members exactly its department subtree's people.

    Runs on every department membership change, so it reads the tree, the departments'
    people and the channels' members once for all channels; only channels whose members
    change cost more."""
    channels = await queries.department_channels(uow)
    if not channels:
        return
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    people_in = await org_queries.active_member_ids_by_department(uow)
    members_of = await queries.member_ids_by_channel(uow, [c.id for c in channels])
    for channel in channels:
        if channel.department_id not in parents:
            continue  # its department was deleted in this transaction (the FK nulls it)
        wanted: set[int] = set()
        for department_id in org_queries.descendants_and_self(parents, channel.department_id):
            wanted |= people_in.get(department_id, set())
        current = members_of.get(channel.id, set())
        joined = await _add_members(uow, channel, wanted - current, by=None, current=current)
        # The channel's creator stays as its admin even outside the department.
        keep = {channel.created_by} if channel.created_by is not None else set()
        await _remove_members(uow, channel, current - wanted - keep,
                              current=current | set(joined))


# --- messages -----------------------------------------------------------------------------

async def do_send_message(uow: UnitOfWork, actor: Actor, found: ChannelAccess, *, text: str,
                          client_msg_id: str | None, thread_root_id: int | None,
                          file_ids: list[int], ack_required: bool,
                          card: MessageCard | None = None) -> tuple[Message, bool]:
    """Post a message; returns it and whether it is new. The same `client_msg_id` from the
    same sender in the same channel returns the first message instead of posting twice
    (the caller may post here, so may see it); in another channel it is a new message.

    A `card` (posted by a system account for another domain) has `text` as its plain-text
    fallback, shown as written: no Markdown, and no mentions — its words are a request's
    title, say, which may hold an "@name" that must not page anyone."""
    channel = found.channel
    if client_msg_id is not None:
        earlier = await queries.message_by_client_id(uow, actor.user_id, channel.id,
                                                     client_msg_id)
        if earlier is not None:
            return earlier, False
    if not text.strip() and not file_ids:
        raise Invalid("A message needs text or a file.", code="empty_message")
    root = None
    if thread_root_id is not None:
        root = await uow.session.get(Message, thread_root_id)
        if root is None or root.channel_id != channel.id or root.thread_root_id is not None:
            raise Invalid("Replies go to a top-level message of this channel.",
                          code="bad_thread_root")
        if root.deleted_at is not None:
            raise Invalid("That message was deleted.", code="bad_thread_root")
    file_ids = list(dict.fromkeys(file_ids))
    if file_ids:
        # Only one's own uploads can be attached: attaching is what grants others access.
        foreign = set(file_ids) - await attachable_file_ids(uow, actor.user_id, file_ids)
        if foreign:
            raise Invalid("Attach only files you uploaded.", code="bad_file_ids",
                          details={"file_ids": sorted(foreign)})
    if card is None:
        mentions = await resolve_mentions(uow, actor, found, text)
        html = await render_html(text, mentions)
    else:
        mentions, html = ResolvedMentions(), f"<p>{escape(text)}</p>"
    message = Message(channel_id=channel.id, sender_id=actor.user_id, text=text, html=html,
                      thread_root_id=thread_root_id, client_msg_id=client_msg_id,
                      ack_required=ack_required, mentions=mentions.as_json(),
                      file_ids=file_ids, card=card.model_dump() if card else None)
    if uow.is_postgres and client_msg_id is not None:
        # A retry may race its own first attempt in another transaction: insert under a
        # savepoint, and if the first one won, answer with it. (SQLite's writers are
        # serialised, so the lookup above already settled it.)
        try:
            async with uow.session.begin_nested():
                uow.session.add(message)
                await uow.session.flush()
        except IntegrityError:
            earlier = await queries.message_by_client_id(uow, actor.user_id, channel.id,
                                                         client_msg_id)
            if earlier is None:
                raise
            return earlier, False
    else:
        uow.session.add(message)
        await uow.flush()
    uow.session.add_all(MessageMention(user_id=u, channel_id=channel.id, message_id=message.id)
                        for u in mentions.notified_user_ids if u != actor.user_id)
    uow.session.add_all(MessageFile(message_id=message.id, file_id=f, channel_id=channel.id)
                        for f in file_ids)
    await uow.signal(MessageWritten(message.id))  # search indexes it
    if root is None:
        await _advance_read(uow, channel.id, actor.user_id, message.id)
        # Only top-level messages move the channel's "latest" marker; only forward, as a
        # concurrent send with a higher id may commit first. Last, because on PostgreSQL
        # this row lock is what concurrent senders to one channel queue on until commit.
        await uow.session.execute(_MOVE_LATEST, {"in_channel": channel.id,
                                                 "latest": message.id})
    else:
        # Counted in SQL: concurrent replies each add one, none is lost.
        await uow.session.execute(
            update(Message).where(Message.id == root.id)
            .values(reply_count=Message.reply_count + 1,
                    last_reply_at=case((Message.last_reply_at > message.created_at,
                                        Message.last_reply_at), else_=message.created_at)))
        await _follow(uow, root.id, {root.sender_id, actor.user_id,
                                     *mentions.notified_user_ids})
    await uow.flush()
    uow.emit(MessageCreated(message=await new_message_out(uow, message)),
             channel_readers(channel.id))
    if root is not None:
        await uow.session.refresh(root)
        uow.emit(MessageUpdated(message=(await messages_out(uow, [root]))[0]),
                 channel_readers(channel.id))
    return message, True


async def do_post_card(uow: UnitOfWork, poster: Actor, channel_id: int, text: str,
                       card: MessageCard) -> Message:
    """A card posted by a system account (`poster`) where it may post; `text` is its
    plain-text fallback (`do_send_message`)."""
    found = await access_channel_for_posting(uow, poster, channel_id)
    message, _ = await do_send_message(uow, poster, found, text=text, client_msg_id=None,
                                       thread_root_id=None, file_ids=[], ack_required=False,
                                       card=card)
    return message


async def _follow(uow: UnitOfWork, root_id: int, user_ids: set[int]) -> None:
    await uow.insert_ignoring_duplicates(
        ThreadFollower, [{"root_id": root_id, "user_id": u} for u in sorted(user_ids)])


async def do_edit_message(uow: UnitOfWork, actor: Actor, found: MessageAccess,
                          text: str) -> Message:
    message = found.message
    if message.sender_id != actor.user_id:
        raise Forbidden("Only the author can edit a message.")
    if message.deleted_at is not None:
        raise Invalid("That message was deleted.")
    if not text.strip() and not message.file_ids:
        raise Invalid("A message needs text or a file.", code="empty_message")
    if found.access.channel.archived_at is not None:
        raise Forbidden("The channel is archived.", code="channel_archived")
    if text == message.text:
        return message
    uow.session.add(MessageEdit(message_id=message.id, text=message.text))
    mentions = await resolve_mentions(uow, actor, found.access, text)
    already = set(await uow.session.scalars(select(MessageMention.user_id).where(
        MessageMention.message_id == message.id)))
    # Newly mentioned people are notified; nobody is "un-notified" by an edit.
    uow.session.add_all(MessageMention(user_id=u, channel_id=message.channel_id,
                                       message_id=message.id)
                        for u in mentions.notified_user_ids - already - {actor.user_id})
    message.text, message.html = text, await render_html(text, mentions)
    message.mentions = mentions.as_json()
    message.edited_at = utcnow()
    await uow.flush()
    await uow.signal(MessageWritten(message.id))  # search indexes it
    uow.emit(MessageUpdated(message=(await messages_out(uow, [message]))[0]),
             channel_readers(message.channel_id))
    return message


async def do_delete_message(uow: UnitOfWork, actor: Actor, found: MessageAccess) -> None:
    """Leave a tombstone: the content, its history, reactions and mentions are gone."""
    message = found.message
    if message.deleted_at is not None:
        return
    require(chat_policy.can_delete_message(actor, message.sender_id, found.access.member),
            "Only the author or an admin can delete a message.")
    message.text, message.html, message.mentions, message.file_ids = "", "", {}, []
    message.deleted_at = utcnow()
    for table in (MessageEdit, Reaction, MessageMention, Acknowledgement, MessageFile):
        await uow.session.execute(delete(table).where(table.message_id == message.id))
    await uow.session.execute(delete(Pin).where(Pin.message_id == message.id))
    await uow.flush()
    await uow.signal(MessageRemoved(message.id))
    uow.emit(MessageDeleted(message_id=message.id, thread_root_id=message.thread_root_id),
             channel_readers(message.channel_id))


def _check_can_respond(found: MessageAccess) -> None:
    """Reactions and pins: members only, on live messages in channels that are not archived."""
    if found.access.member is None:
        raise Forbidden("Join the channel first.", code="not_a_member")
    if found.access.channel.archived_at is not None:
        raise Forbidden("The channel is archived; it is read-only.", code="channel_archived")
    if found.message.deleted_at is not None:
        raise Invalid("That message was deleted.")


def check_reaction_emoji(raw: str) -> str:
    """The emoji `raw` names, in the one form reactions are kept in (`core.text.reaction_emoji`:
    a shortcode becomes its emoji), or `Invalid` (bad_emoji)."""
    emoji = reaction_emoji(raw)
    if emoji is None:
        raise Invalid("A reaction is one emoji or a known shortcode such as :thumbsup:.",
                      code="bad_emoji")
    return emoji


async def do_react(uow: UnitOfWork, actor: Actor, found: MessageAccess, emoji: str,
                   add: bool) -> None:
    """Idempotent both ways: a double click adds one reaction, a second removal does nothing.
    `emoji` is what the client sent: an emoji or a shortcode, checked and normalised here.
    Removal also takes the exact text of a reaction kept before that rule (`+1`, an
    unqualified `❤`), so nobody is stuck with a reaction they can no longer take back."""
    _check_can_respond(found)
    message = found.message
    if add:
        emoji = check_reaction_emoji(emoji)
        changed = await uow.insert_ignoring_duplicates(Reaction, [{
            "message_id": message.id, "emoji": emoji, "user_id": actor.user_id,
            "created_at": utcnow()}])
        if changed:
            uow.emit(ReactionAdded(message_id=message.id, emoji=emoji, user_id=actor.user_id),
                     channel_readers(message.channel_id))
        return
    normalised = reaction_emoji(emoji)
    removed = (await uow.session.scalars(delete(Reaction).where(
        Reaction.message_id == message.id, Reaction.user_id == actor.user_id,
        Reaction.emoji.in_({emoji} | ({normalised} if normalised else set())))
        .returning(Reaction.emoji))).all()
    if not removed and normalised is None:
        check_reaction_emoji(emoji)  # neither an emoji nor a reaction of old: say so
    for gone in sorted(removed):
        uow.emit(ReactionRemoved(message_id=message.id, emoji=gone, user_id=actor.user_id),
                 channel_readers(message.channel_id))


async def do_pin(uow: UnitOfWork, actor: Actor, found: MessageAccess, pinned: bool) -> None:
    _check_can_respond(found)
    message = found.message
    if pinned:
        changed = await uow.insert_ignoring_duplicates(Pin, [{
            "channel_id": message.channel_id, "message_id": message.id,
            "pinned_by": actor.user_id, "pinned_at": utcnow()}])
    else:
        result = await uow.session.execute(delete(Pin).where(
            Pin.channel_id == message.channel_id, Pin.message_id == message.id))
        changed = int(getattr(result, "rowcount", 0) or 0)
    if changed:
        uow.emit(MessagePinned(message_id=message.id, pinned=pinned, user_id=actor.user_id),
                 channel_readers(message.channel_id))


# --- read state and acknowledgements -------------------------------------------------------

# Statements of the send path, built once: building SQLAlchemy expressions per request
# cost more CPU than running them. They are plain Core (table-level) statements.
_members = table_of(ChannelMember).c
_ADVANCE_READ = (update(table_of(ChannelMember))
                 .where(_members.channel_id == bindparam("in_channel"),
                        _members.user_id == bindparam("of_user"),
                        _members.last_read_id < bindparam("read_up_to"))
                 .values(last_read_id=bindparam("read_up_to")))
_channels = table_of(Channel).c
_MOVE_LATEST = (update(table_of(Channel))
                .where(_channels.id == bindparam("in_channel"),
                       or_(_channels.last_message_id.is_(None),
                           _channels.last_message_id < bindparam("latest")))
                .values(last_message_id=bindparam("latest")))


async def _advance_read(uow: UnitOfWork, channel_id: int, user_id: int, message_id: int) -> bool:
    """Move the read marker forward only (a late request never un-reads anything)."""
    result = await uow.session.execute(_ADVANCE_READ, {
        "in_channel": channel_id, "of_user": user_id, "read_up_to": message_id})
    return bool(getattr(result, "rowcount", 0))


async def do_mark_read(uow: UnitOfWork, actor: Actor, found: ChannelAccess,
                       message_id: int) -> None:
    channel = found.channel
    if found.member is None:
        raise Forbidden("Join the channel first.", code="not_a_member")
    target = await uow.session.get(Message, message_id)
    if target is None or target.channel_id != channel.id:
        raise Invalid("That message is not in this channel.")
    # Opening the channel is seeing its reminders, whether or not the marker moves.
    await uow.session.execute(delete(PendingReminder).where(
        PendingReminder.user_id == actor.user_id, PendingReminder.channel_id == channel.id))
    if not await _advance_read(uow, channel.id, actor.user_id, message_id):
        return
    event = ChannelRead(user_id=actor.user_id, last_read_id=message_id)
    counts = await queries.member_counts(uow, [channel.id])
    if counts.get(channel.id, 0) <= READ_BROADCAST_LIMIT:
        uow.emit(event, channel_readers(channel.id))
    else:
        uow.emit(event, Audience.users([actor.user_id], scope=channel_scope(channel.id)))


async def do_acknowledge(uow: UnitOfWork, actor: Actor, found: MessageAccess) -> bool:
    message = found.message
    if not message.ack_required or message.deleted_at is not None:
        raise Invalid("This message does not ask for acknowledgement.", code="no_ack_requested")
    if found.access.member is None:
        raise Forbidden("Join the channel first.", code="not_a_member")
    if message.sender_id == actor.user_id:
        raise Invalid("The sender does not acknowledge their own message.",
                      code="own_message")
    await uow.session.execute(delete(PendingReminder).where(
        PendingReminder.user_id == actor.user_id, PendingReminder.message_id == message.id))
    if not await uow.insert_ignoring_duplicates(Acknowledgement, [{
            "message_id": message.id, "user_id": actor.user_id, "acked_at": utcnow()}]):
        return False
    await _advance_read(uow, message.channel_id, actor.user_id, message.id)
    uow.emit(MessageAcknowledged(message_id=message.id, user_id=actor.user_id),
             channel_readers(message.channel_id))
    return True


# A reminder reaches everyone who has not acknowledged yet, as a notification: one per
# message in this many seconds, however often the sender (or a script) asks.
REMIND_INTERVAL_SECONDS = 10 * 60


async def do_remind_unacknowledged(uow: UnitOfWork, actor: Actor, found: MessageAccess, *,
                                   throttle: FailureCounter) -> list[int]:
    """Remind the members who have not acknowledged; return who they are.

    At most one reminder goes out per message per `REMIND_INTERVAL_SECONDS`, counted in
    `throttle` (shared by every node when there are several): a second one within the
    window is `TooManyRequests` (remind_too_soon) with the seconds left. Asking when nobody
    is pending reminds nobody, so it is answered and not counted."""
    message = found.message
    if message.sender_id != actor.user_id:
        raise Forbidden("Only the sender sends reminders.")
    if not message.ack_required or message.deleted_at is not None:
        raise Invalid("This message does not ask for acknowledgement.", code="no_ack_requested")
    pending = sorted(set(await queries.member_ids(uow, message.channel_id))
                     - await queries.acknowledged_ids(uow, message.id) - {message.sender_id})
    if pending:
        key = f"remind:message:{message.id}"
        if await throttle.hit(key, REMIND_INTERVAL_SECONDS) > 1:
            _, wait = await throttle.peek(key)
            raise TooManyRequests(
                "A reminder about this message went out a moment ago; try again later.",
                retry_after=max(wait, 1), code="remind_too_soon",
                details={"interval_seconds": REMIND_INTERVAL_SECONDS})
        # Also for whoever is offline: the reminder raises their mention badge until they
        # open the channel or acknowledge (and reaches their notification centre).
        await uow.insert_ignoring_duplicates(PendingReminder, [
            {"user_id": user_id, "message_id": message.id, "channel_id": message.channel_id,
             "reminded_at": utcnow()} for user_id in pending])
        uow.emit(AckReminder(message_id=message.id, from_user_id=actor.user_id),
                 Audience.users(pending, scope=channel_scope(message.channel_id)))
    return pending
