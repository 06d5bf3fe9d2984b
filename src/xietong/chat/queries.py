"""Read paths of messaging: my channels with unread counts, history pages, receipts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased

from xietong.chat.models import (
    Acknowledgement,
    Channel,
    ChannelKind,
    ChannelMember,
    Message,
    MessageEdit,
    MessageFile,
    MessageMention,
    PendingReminder,
    Pin,
    Reaction,
    ThreadFollower,
)
from xietong.core.text import like_pattern
from xietong.core.uow import UnitOfWork
from xietong.org.queries import people_whose_primary_department_is_in, primary_department_of

# Counting stops here: a badge shows "999+", and counting a million unread rows is waste.
UNREAD_CAP = 1000


async def member_channel_ids(uow: UnitOfWork, user_id: int) -> set[int]:
    return set(await uow.session.scalars(
        select(ChannelMember.channel_id).where(ChannelMember.user_id == user_id)))


def is_readable_channel(channel_id: SQLColumnExpression[int], user_id: int, *,
                        include_public: bool) -> ColumnElement[bool]:
    """SQL condition: `channel_id` is a channel the person reads now, as a member, or
    (with `include_public`) as a visitor of a public channel. Two uncorrelated `IN`
    subqueries, so a planner can hash them once instead of probing per row."""
    condition: ColumnElement[bool] = channel_id.in_(
        select(ChannelMember.channel_id).where(ChannelMember.user_id == user_id))
    if include_public:
        condition = condition | channel_id.in_(
            select(Channel.id).where(Channel.kind == ChannelKind.PUBLIC.value))
    return condition


async def channel_ids_named(uow: UnitOfWork, name: str,
                            readable: ColumnElement[bool]) -> set[int]:
    """Ids of the channels called `name` (ASCII case ignored) that satisfy `readable`
    (an `is_readable_channel` condition on `Channel.id`)."""
    return set(await uow.session.scalars(
        select(Channel.id).where(func.lower(Channel.name) == name.lower(), readable)))


async def live_messages_in_order(uow: UnitOfWork, message_ids: Sequence[int]) -> list[Message]:
    """The undeleted messages among `message_ids`, in the order given."""
    if not message_ids:
        return []
    found = {m.id: m for m in await uow.session.scalars(
        select(Message).where(Message.id.in_(message_ids), Message.deleted_at.is_(None)))}
    return [found[i] for i in message_ids if i in found]


async def membership(uow: UnitOfWork, channel_id: int, user_id: int) -> ChannelMember | None:
    return await uow.session.get(ChannelMember, (channel_id, user_id))


async def channel_with_membership(uow: UnitOfWork, channel_id: int, user_id: int
                                  ) -> tuple[Channel, ChannelMember | None] | None:
    """The channel and the person's membership of it, in one round trip (every channel
    request starts here)."""
    row = (await uow.session.execute(_CHANNEL_WITH_MEMBERSHIP, {
        "channel_id": channel_id, "user_id": user_id})).first()
    return None if row is None else (row[0], row[1])


# Built once: every channel request runs it (see `chat.actions` on why).
_CHANNEL_WITH_MEMBERSHIP = (
    select(Channel, ChannelMember)
    .outerjoin(ChannelMember, and_(ChannelMember.channel_id == Channel.id,
                                   ChannelMember.user_id == bindparam("user_id")))
    .where(Channel.id == bindparam("channel_id")))


async def member_ids(uow: UnitOfWork, channel_id: int) -> list[int]:
    return list(await uow.session.scalars(
        select(ChannelMember.user_id).where(ChannelMember.channel_id == channel_id)
        .order_by(ChannelMember.user_id)))


def member_ids_query(channel_id: int) -> Select[int]:
    """The channel's member ids as a subquery, for another domain's query to prefer them."""
    return select(ChannelMember.user_id).where(ChannelMember.channel_id == channel_id)


async def members_among(uow: UnitOfWork, channel_id: int, user_ids: Iterable[int]) -> set[int]:
    wanted = list(set(user_ids))
    if not wanted:
        return set()
    return set(await uow.session.scalars(
        member_ids_query(channel_id).where(ChannelMember.user_id.in_(wanted))))


async def member_ids_by_channel(uow: UnitOfWork,
                                channel_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each channel's member ids (channels with none are left out)."""
    wanted = list(set(channel_ids))
    found: dict[int, set[int]] = {}
    if not wanted:
        return found
    for channel_id, user_id in await uow.session.execute(
            select(ChannelMember.channel_id, ChannelMember.user_id)
            .where(ChannelMember.channel_id.in_(wanted))):
        found.setdefault(channel_id, set()).add(user_id)
    return found


async def members(uow: UnitOfWork, channel_id: int) -> Sequence[ChannelMember]:
    return (await uow.session.scalars(
        select(ChannelMember).where(ChannelMember.channel_id == channel_id)
        .order_by(ChannelMember.user_id))).all()


async def member_counts(uow: UnitOfWork, channel_ids: Iterable[int]) -> dict[int, int]:
    ids = list(channel_ids)
    if not ids:
        return {}
    rows = await uow.session.execute(
        select(ChannelMember.channel_id, func.count()).where(ChannelMember.channel_id.in_(ids))
        .group_by(ChannelMember.channel_id))
    return {channel_id: count for channel_id, count in rows}


async def my_channels(uow: UnitOfWork, user_id: int) -> list[tuple[Channel, ChannelMember]]:
    rows = await uow.session.execute(
        select(Channel, ChannelMember)
        .join(ChannelMember, ChannelMember.channel_id == Channel.id)
        .where(ChannelMember.user_id == user_id)
        .order_by(Channel.last_message_id.desc().nulls_last(), Channel.id))
    return [(channel, member) for channel, member in rows]


async def unread_counts(uow: UnitOfWork, user_id: int) -> dict[int, int]:
    """Unread top-level messages from others per channel, in one query, capped per channel."""
    counted = (
        select(Message.channel_id, Message.id)
        .join(ChannelMember, and_(ChannelMember.channel_id == Message.channel_id,
                                  ChannelMember.user_id == user_id))
        .where(Message.id > ChannelMember.last_read_id, Message.sender_id != user_id,
               Message.thread_root_id.is_(None), Message.deleted_at.is_(None))
        .subquery())
    rows = await uow.session.execute(
        select(counted.c.channel_id, func.least(func.count(), UNREAD_CAP)
               if uow.is_postgres else func.min(func.count(), UNREAD_CAP))
        .group_by(counted.c.channel_id))
    return {channel_id: int(count) for channel_id, count in rows}


async def mention_counts(uow: UnitOfWork, user_id: int) -> dict[int, int]:
    """Per channel: unread messages that mention the person, and reminders to acknowledge
    they have not seen (a reminded message counts once, unread mention or not)."""
    unread_mentions = (
        select(MessageMention.channel_id, MessageMention.message_id)
        .join(ChannelMember, and_(ChannelMember.channel_id == MessageMention.channel_id,
                                  ChannelMember.user_id == user_id))
        .where(MessageMention.user_id == user_id,
               MessageMention.message_id > ChannelMember.last_read_id))
    reminders = (
        select(PendingReminder.channel_id, PendingReminder.message_id)
        .join(ChannelMember, and_(ChannelMember.channel_id == PendingReminder.channel_id,
                                  ChannelMember.user_id == user_id))
        .where(PendingReminder.user_id == user_id))
    calling = union(unread_mentions, reminders).subquery()
    rows = await uow.session.execute(
        select(calling.c.channel_id, func.count()).group_by(calling.c.channel_id))
    return {channel_id: int(count) for channel_id, count in rows}


async def find_dm(uow: UnitOfWork, dm_key: str) -> Channel | None:
    return await uow.session.scalar(select(Channel).where(Channel.dm_key == dm_key))


async def department_channels(uow: UnitOfWork) -> Sequence[Channel]:
    return (await uow.session.scalars(
        select(Channel).where(Channel.kind == ChannelKind.DEPARTMENT.value,
                              Channel.department_id.is_not(None)))).all()


async def message_by_client_id(uow: UnitOfWork, sender_id: int, channel_id: int,
                               client_msg_id: str) -> Message | None:
    """The sender's earlier message in this channel with this client id (a retry)."""
    return await uow.session.scalar(_MESSAGE_BY_CLIENT_ID, {
        "sender_id": sender_id, "channel_id": channel_id, "client_msg_id": client_msg_id})


_MESSAGE_BY_CLIENT_ID = select(Message).where(
    Message.sender_id == bindparam("sender_id"),
    Message.channel_id == bindparam("channel_id"),
    Message.client_msg_id == bindparam("client_msg_id"))


async def history_page(uow: UnitOfWork, channel_id: int, *, before: int | None,
                       after: int | None, limit: int) -> list[Message]:
    """Top-level messages by keyset on (channel_id, id): newest first unless `after`."""
    query = select(Message).where(Message.channel_id == channel_id,
                                  Message.thread_root_id.is_(None))
    if after is not None:
        query = query.where(Message.id > after).order_by(Message.id).limit(limit)
        return list((await uow.session.scalars(query)).all())
    if before is not None:
        query = query.where(Message.id < before)
    rows = (await uow.session.scalars(query.order_by(Message.id.desc()).limit(limit))).all()
    return list(reversed(rows))


async def thread_replies(uow: UnitOfWork, root_id: int, limit: int) -> list[Message]:
    return list((await uow.session.scalars(
        select(Message).where(Message.thread_root_id == root_id)
        .order_by(Message.id).limit(limit))).all())


async def thread_follower_ids(uow: UnitOfWork, root_id: int) -> list[int]:
    return list(await uow.session.scalars(
        select(ThreadFollower.user_id).where(ThreadFollower.root_id == root_id)
        .order_by(ThreadFollower.user_id)))


async def reactions_of(uow: UnitOfWork, message_ids: Sequence[int]
                       ) -> dict[int, dict[str, list[int]]]:
    found: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    if message_ids:
        rows = await uow.session.execute(
            select(Reaction.message_id, Reaction.emoji, Reaction.user_id)
            .where(Reaction.message_id.in_(message_ids))
            .order_by(Reaction.created_at, Reaction.user_id))
        for message_id, emoji, user_id in rows:
            found[message_id][emoji].append(user_id)
    return {k: dict(v) for k, v in found.items()}


async def pinned_ids(uow: UnitOfWork, message_ids: Sequence[int]) -> set[int]:
    if not message_ids:
        return set()
    return set(await uow.session.scalars(
        select(Pin.message_id).where(Pin.message_id.in_(message_ids))))


async def acknowledged_ids(uow: UnitOfWork, message_id: int) -> set[int]:
    return set(await uow.session.scalars(
        select(Acknowledgement.user_id).where(Acknowledgement.message_id == message_id)))


async def pinned_messages(uow: UnitOfWork, channel_id: int) -> list[Message]:
    return list((await uow.session.scalars(
        select(Message).join(Pin, Pin.message_id == Message.id)
        .where(Pin.channel_id == channel_id).order_by(Pin.pinned_at.desc()))).all())


async def edits_of(uow: UnitOfWork, message_id: int) -> list[MessageEdit]:
    return list((await uow.session.scalars(
        select(MessageEdit).where(MessageEdit.message_id == message_id)
        .order_by(MessageEdit.id))).all())


async def file_visible_to(uow: UnitOfWork, file_id: int,
                          readable: ColumnElement[bool]) -> bool:
    """Whether a live (undeleted) message carrying `file_id` sits in a channel the person
    reads: `readable` is that rule over `MessageFile.channel_id` (`access.readable_now`)."""
    found = await uow.session.scalar(
        select(MessageFile.message_id)
        .join(Message, Message.id == MessageFile.message_id)
        .where(MessageFile.file_id == file_id, Message.deleted_at.is_(None), readable)
        .limit(1))
    return found is not None


async def people_sharing_a_channel_with(uow: UnitOfWork, user_id: int,
                                        among: Collection[int] | None = None) -> set[int]:
    """Everyone in any channel or conversation the person is in (only those `among`, when
    given)."""
    mine = select(ChannelMember.channel_id).where(ChannelMember.user_id == user_id)
    statement = select(ChannelMember.user_id).where(ChannelMember.channel_id.in_(mine))
    if among is not None:
        statement = statement.where(ChannelMember.user_id.in_(among))
    return set(await uow.session.scalars(statement.distinct()))


async def notified_by_mentions(uow: UnitOfWork, message_ids: Iterable[int]
                               ) -> dict[int, set[int]]:
    """Whom each message's mentions notify (people, departments and @all resolved when it
    was sent; never the sender), by message id."""
    found: dict[int, set[int]] = defaultdict(set)
    wanted = list(set(message_ids))
    if wanted:
        for message_id, user_id in await uow.session.execute(
                select(MessageMention.message_id, MessageMention.user_id)
                .where(MessageMention.message_id.in_(wanted))):
            found[message_id].add(user_id)
    return found


async def channels_with_members(uow: UnitOfWork, channel_ids: Iterable[int]
                                ) -> dict[int, tuple[Channel, set[int]]]:
    """Each of the channels that still exist among `channel_ids`, with its member ids now,
    by id (two queries however many channels)."""
    wanted = list(set(channel_ids))
    if not wanted:
        return {}
    channels = (await uow.session.scalars(
        select(Channel).where(Channel.id.in_(wanted)))).all()
    members_of = await member_ids_by_channel(uow, wanted)
    return {channel.id: (channel, members_of.get(channel.id, set())) for channel in channels}


# --- the channel directory ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DirectoryPosition:
    """Where a directory page ends, in its order: channels not joined first, then the most
    recently active, then by the pinyin of the name (`Channel.sort_key`), then by id."""

    joined: int  # 0 or 1
    activity: int  # the last message id, 0 for none (or for a channel listed by name only)
    sort_key: str
    channel_id: int


@dataclass(frozen=True, slots=True)
class DirectoryRow:
    channel: Channel
    joined: bool
    # A member, or a visitor the rules let read it; False: listed by name only.
    readable: bool
    member_count: int
    last_activity_at: datetime | None
    # The department channel's own department; for another channel, its creator's primary
    # department (where it comes from, as far as the organisation says).
    department_id: int | None
    position: DirectoryPosition


async def directory_page(uow: UnitOfWork, *, user_id: int, kinds: Sequence[str],
                         public_readable: bool, departments_listed: bool,
                         term: str, text: str, department_ids: set[int],
                         after: DirectoryPosition | None, limit: int) -> list[DirectoryRow]:
    """One page of the channel directory, in one statement: the live (unarchived) channels
    of `kinds` that person `user_id` is in, the public ones when `public_readable`, the
    department ones when `departments_listed`; with each one's member count and last
    activity, counted in the database.

    `term` (folded, spaces removed) is matched on the name, its pinyin and initials; a
    channel of one of `department_ids` (the departments the search named) matches too, and
    one the person reads also when its description contains `text` (folded)."""
    mine = aliased(ChannelMember)
    counted = aliased(ChannelMember)
    joined = mine.user_id.is_not(None)
    public = Channel.kind == ChannelKind.PUBLIC.value
    readable = or_(joined, public) if public_readable else joined
    joined_rank = case((joined, 1), else_=0)
    # What a channel listed by name only says happens in it is nothing, its order included.
    activity = case((readable, func.coalesce(Channel.last_message_id, 0)), else_=0)
    is_department = Channel.kind == ChannelKind.DEPARTMENT.value
    listed = or_(joined, public if public_readable else false(),
                 is_department if departments_listed else false())
    department = case((is_department, Channel.department_id),
                      else_=primary_department_of(Channel.created_by))
    # The page is chosen first (ids and order keys only), and the rest is looked up for its
    # rows alone: counting members of every matching channel before sorting cost ~0.2 s at
    # 2,000 channels.
    page = (
        select(Channel.id.label("id"), joined_rank.label("joined"), readable.label("readable"),
               activity.label("activity"))
        .outerjoin(mine, and_(mine.channel_id == Channel.id, mine.user_id == user_id))
        .where(Channel.kind.in_(kinds), Channel.archived_at.is_(None), listed)
        .order_by(joined_rank, activity.desc(), Channel.sort_key, Channel.id)
        .limit(limit))
    if term:
        matches: ColumnElement[bool] = Channel.search_text.like(like_pattern(term), escape="\\")
        if department_ids:
            # As `department` says, without asking each channel's creator in turn.
            matches = matches | or_(
                and_(is_department, Channel.department_id.in_(sorted(department_ids))),
                and_(~is_department, Channel.created_by.in_(
                    people_whose_primary_department_is_in(department_ids))))
        if text:
            matches = matches | (readable & func.lower(Channel.description).like(
                like_pattern(text), escape="\\"))
        page = page.where(matches)
    if after is not None:
        # Keyset on (joined ↑, activity ↓, sort_key ↑, id ↑): strictly after the cursor.
        same_name = and_(Channel.sort_key == after.sort_key, Channel.id > after.channel_id)
        same_activity = and_(activity == after.activity,
                             or_(Channel.sort_key > after.sort_key, same_name))
        same_rank = and_(joined_rank == after.joined,
                         or_(activity < after.activity, same_activity))
        page = page.where(or_(joined_rank > after.joined, same_rank))
    chosen = page.subquery()
    member_count = (select(func.count()).select_from(counted)
                    .where(counted.channel_id == Channel.id).scalar_subquery())
    rows = await uow.session.execute(
        select(Channel, chosen.c.joined, chosen.c.readable, member_count, Message.created_at,
               department, chosen.c.activity)
        .join(chosen, chosen.c.id == Channel.id)
        .outerjoin(Message, Message.id == Channel.last_message_id)
        .order_by(chosen.c.joined, chosen.c.activity.desc(), Channel.sort_key, Channel.id))
    return [DirectoryRow(channel=channel, joined=bool(rank), readable=bool(can_read),
                         member_count=int(count), last_activity_at=last_at if can_read else None,
                         department_id=department_id,
                         position=DirectoryPosition(int(rank), int(active), channel.sort_key,
                                                    channel.id))
            for channel, rank, can_read, count, last_at, department_id, active in rows]
