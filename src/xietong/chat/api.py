"""Channels, DMs and messages over HTTP: thin routes over access/actions/queries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from xietong.chat import access, actions, queries, views
from xietong.chat.mention_suggestions import suggest_mentions
from xietong.chat.models import SORT_KEY_LENGTH
from xietong.chat.schemas import (
    AckStatus,
    ChannelCreate,
    ChannelList,
    ChannelOut,
    ChannelUpdate,
    DirectCreate,
    DirectoryPage,
    EditHistory,
    MemberList,
    MemberOut,
    MembersAdd,
    MentionSuggestions,
    MessageCreate,
    MessageEditIn,
    MessageOut,
    MessagePage,
    MyChannel,
    ReadIn,
    Receipts,
    ThreadOut,
)
from xietong.core.errors import BadRequest, Invalid
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.edge import CurrentActor, IdPath, Rt
from xietong.files.queries import files_by_ids
from xietong.files.schemas import FileOut, file_out

router = APIRouter(prefix="/api/v1", tags=["messaging"])

EmojiPath = Annotated[str, Path(
    min_length=1, max_length=64,
    description="One emoji (👍, 👍🏽, 🇨🇳) or a known shortcode (:thumbsup:, :+1:, +1, "
                ":thumbs_up:); a shortcode is stored and answered as its emoji.")]
Cursor = Annotated[int | None, Query(ge=0, le=2**62)]


@router.get("/channels")
async def list_my_channels(actor: CurrentActor, rt: Rt) -> ChannelList:
    async with rt.reader() as uow:
        rows = await queries.my_channels(uow, actor.user_id)
        ids = [channel.id for channel, _ in rows]
        counts = await queries.member_counts(uow, ids)
        unread = await queries.unread_counts(uow, actor.user_id)
        mentions = await queries.mention_counts(uow, actor.user_id)
        dm_members = {channel.id: [int(u) for u in (channel.dm_key or "").split(",") if u]
                      for channel, _ in rows if channel.kind == "dm"}
        postable = await access.postable_channel_ids(uow, actor, rows)
    items = [MyChannel(**views.channel_out(channel, counts.get(channel.id, 0)).model_dump(),
                       unread_count=unread.get(channel.id, 0),
                       # Every message of a DM is addressed to me: each counts as a
                       # mention (the web client counts live ones the same way).
                       mention_count=(unread.get(channel.id, 0) if channel.kind == "dm"
                                      else mentions.get(channel.id, 0)),
                       last_read_id=member.last_read_id, role=member.role,
                       can_post=channel.id in postable, member_ids=dm_members.get(channel.id))
             for channel, member in rows]
    return ChannelList(items=items)


@router.post("/channels", status_code=201)
async def create_channel(body: ChannelCreate, actor: CurrentActor, rt: Rt) -> ChannelOut:
    async with rt.unit_of_work() as uow:
        channel = await actions.do_create_channel(uow, actor, body)
        return await views.channel_view(uow, channel)


@router.post("/dms", responses={201: {"model": ChannelOut,
                                      "description": "A new conversation was opened."}})
async def open_dm(body: DirectCreate, actor: CurrentActor, rt: Rt,
                  response: Response) -> ChannelOut:
    async with rt.unit_of_work() as uow:
        channel, created = await actions.do_open_dm(uow, actor, body.user_ids)
        out = await views.channel_view(uow, channel)
    response.status_code = 201 if created else 200
    return out


def _directory_position(cursor: str) -> queries.DirectoryPosition:
    """The place a directory cursor stands for; anything this server could not have given
    out is a bad cursor (400), never a query."""
    joined, activity, sort_key, channel_id = decode_cursor(cursor, int, int, str, int)
    if (joined not in (0, 1) or not 0 <= activity <= 2**62 or not 1 <= channel_id <= MAX_ID
            or len(sort_key) > SORT_KEY_LENGTH or "\x00" in sort_key):
        raise BadRequest("The cursor is not one this server gave out.", code="bad_cursor")
    return queries.DirectoryPosition(joined, activity, sort_key, channel_id)


# Declared before /channels/{channel_id}, which would otherwise take "browse" for an id.
@router.get("/channels/browse")
async def browse_channels(
    actor: CurrentActor, rt: Rt,
    q: Annotated[str | None, Query(max_length=100, description=(
        "Words of the name, its pinyin or initials (研发, yanfa, yf), of the department "
        "(the channel's, or its creator's), or of the description."))] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> DirectoryPage:
    """The channel directory: channels to find and join, joined or not.

    Lists the live public channels and department channels: one's own; the public ones
    that one may read before joining (everyone but guests: `can_preview`, `can_join`);
    and every other department's channel by name only (no description, no activity;
    its members follow the organisation, so joining it is refused, 403 `not_joinable`).
    Private channels, direct conversations and archived channels are never listed. Order:
    not yet joined first, then the most recently active, then by the name's pinyin. Pages
    with `next_cursor`."""
    after = _directory_position(cursor) if cursor else None
    async with rt.reader() as uow:
        listing = await access.browse_directory(uow, actor, query=q, after=after,
                                                limit=limit + 1)
    more = len(listing.rows) > limit
    listing.rows[limit:] = []
    last = listing.rows[-1].position if more else None
    return DirectoryPage(
        items=views.directory_out(listing),
        next_cursor=(encode_cursor(last.joined, last.activity, last.sort_key, last.channel_id)
                     if last else None))


@router.get("/channels/{channel_id}")
async def get_channel(channel_id: IdPath, actor: CurrentActor, rt: Rt) -> ChannelOut:
    async with rt.reader() as uow:
        found = await access.access_channel(uow, actor, channel_id)
        return await views.channel_view(uow, found.channel)


@router.patch("/channels/{channel_id}")
async def update_channel(channel_id: IdPath, body: ChannelUpdate, actor: CurrentActor,
                         rt: Rt) -> ChannelOut:
    async with rt.unit_of_work() as uow:
        found = await access.access_channel_for_managing(uow, actor, channel_id)
        await actions.do_update_channel(uow, actor, found, body)
        return await views.channel_view(uow, found.channel)


@router.get("/channels/{channel_id}/members")
async def list_members(channel_id: IdPath, actor: CurrentActor, rt: Rt) -> MemberList:
    async with rt.reader() as uow:
        await access.access_channel(uow, actor, channel_id)
        members = await queries.members(uow, channel_id)
    return MemberList(items=[MemberOut(user_id=m.user_id, role=m.role,
                                       last_read_id=m.last_read_id) for m in members])


@router.post("/channels/{channel_id}/members")
async def add_members(channel_id: IdPath, body: MembersAdd, actor: CurrentActor,
                      rt: Rt) -> MemberList:
    async with rt.unit_of_work() as uow:
        found = await access.access_channel(uow, actor, channel_id)
        await actions.do_add_members(uow, actor, found, body.user_ids, body.department_ids)
        members = await queries.members(uow, channel_id)
    return MemberList(items=[MemberOut(user_id=m.user_id, role=m.role,
                                       last_read_id=m.last_read_id) for m in members])


@router.get("/channels/{channel_id}/mention-suggestions")
async def mention_suggestions(channel_id: IdPath, actor: CurrentActor, rt: Rt,
                              q: Annotated[str, Query(max_length=100)] = "",
                              limit: Annotated[int, Query(ge=1, le=50)] = 10
                              ) -> MentionSuggestions:
    """What typing @`q` in this conversation offers, best first: people (by name, pinyin,
    initials, username, then title) and departments, members of the conversation before
    people outside it (see `chat/mention_suggestions.py`); and whether the caller may
    invite someone who is outside it."""
    async with rt.reader() as uow:
        found = await access.access_channel(uow, actor, channel_id)
        return await suggest_mentions(uow, actor, found, q, limit)


@router.delete("/channels/{channel_id}/members/{user_id}", status_code=204)
async def remove_member(channel_id: IdPath, user_id: IdPath, actor: CurrentActor,
                        rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        found = await access.access_channel(uow, actor, channel_id)
        await actions.do_remove_member(uow, actor, found, user_id)


@router.post("/channels/{channel_id}/join", status_code=204)
async def join_channel(channel_id: IdPath, actor: CurrentActor, rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        found = await access.access_channel_for_joining(uow, actor, channel_id)
        await actions.do_join(uow, actor, found)


@router.post("/channels/{channel_id}/leave", status_code=204)
async def leave_channel(channel_id: IdPath, actor: CurrentActor, rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        found = await access.access_channel_as_member(uow, actor, channel_id)
        await actions.do_remove_member(uow, actor, found, actor.user_id)


@router.post("/channels/{channel_id}/messages", status_code=201, responses={
    200: {"model": MessageOut, "description": "A retry with a used client_msg_id: the message "
          "sent the first time."}})
async def post_message(channel_id: IdPath, body: MessageCreate, actor: CurrentActor, rt: Rt,
                       response: Response) -> MessageOut:
    async with rt.unit_of_work() as uow:
        found = await access.access_channel_for_posting(uow, actor, channel_id)
        message, created = await actions.do_send_message(
            uow, actor, found, text=body.text, client_msg_id=body.client_msg_id,
            thread_root_id=body.thread_root_id, file_ids=body.file_ids,
            ack_required=body.ack_required)
        out = (await views.new_message_out(uow, message) if created
               else (await views.messages_out(uow, [message]))[0])
    if not created:
        response.status_code = 200
    return out


@router.get("/channels/{channel_id}/messages")
async def list_messages(channel_id: IdPath, actor: CurrentActor, rt: Rt,
                        before: Cursor = None, after: Cursor = None,
                        around: Annotated[int | None, Query(ge=1, le=2**62)] = None,
                        limit: Annotated[int, Query(ge=1, le=200)] = 50) -> MessagePage:
    """Newest first page by default; `before`/`after` page on; `around` centres a message."""
    if sum(x is not None for x in (before, after, around)) > 1:
        raise BadRequest("Give at most one of before, after and around.")
    async with rt.reader() as uow:
        await access.access_channel(uow, actor, channel_id)
        # A short page in a direction means that end of the history is reached: its cursor
        # is None, so a client scrolling that way knows to stop without asking again.
        if around is not None:
            wanted_older = limit // 2 + 1
            older = await queries.history_page(uow, channel_id, before=around + 1, after=None,
                                               limit=wanted_older)
            newer = await queries.history_page(uow, channel_id, before=None, after=around,
                                               limit=limit - len(older))
            page = older + newer
            reached_start = len(older) < wanted_older
            reached_end = len(newer) < limit - len(older)
        else:
            page = await queries.history_page(uow, channel_id, before=before, after=after,
                                              limit=limit)
            reached_start = after is None and len(page) < limit
            reached_end = after is not None and len(page) < limit
        items = await views.messages_out(uow, page)
    return MessagePage(items=items,
                       before=page[0].id if page and not reached_start else None,
                       after=page[-1].id if page and not reached_end else None)


@router.get("/channels/{channel_id}/pins")
async def list_pins(channel_id: IdPath, actor: CurrentActor, rt: Rt) -> list[MessageOut]:
    async with rt.reader() as uow:
        await access.access_channel(uow, actor, channel_id)
        return await views.messages_out(uow, await queries.pinned_messages(uow, channel_id))


@router.post("/channels/{channel_id}/read", status_code=204)
async def mark_read(channel_id: IdPath, body: ReadIn, actor: CurrentActor, rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        found = await access.access_channel(uow, actor, channel_id)
        await actions.do_mark_read(uow, actor, found, body.message_id)


@router.get("/messages/{message_id}")
async def get_message(message_id: Annotated[int, Path(ge=1, le=2**62)], actor: CurrentActor,
                      rt: Rt) -> MessageOut:
    async with rt.reader() as uow:
        found = await access.access_message(uow, actor, message_id)
        return (await views.messages_out(uow, [found.message]))[0]


MessagePath = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/messages/{message_id}/thread")
async def get_thread(message_id: MessagePath, actor: CurrentActor, rt: Rt,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> ThreadOut:
    async with rt.reader() as uow:
        found = await access.access_message(uow, actor, message_id)
        root = found.message
        if root.thread_root_id is not None:
            raise Invalid("That message is a reply; open its root's thread.")
        replies = await queries.thread_replies(uow, root.id, limit)
        out = await views.messages_out(uow, [root, *replies])
        followers = await queries.thread_follower_ids(uow, root.id)
    return ThreadOut(root=out[0], replies=out[1:], follower_ids=followers)


@router.get("/messages/{message_id}/files")
async def message_files(message_id: MessagePath, actor: CurrentActor, rt: Rt) -> list[FileOut]:
    """What a message carries (name, size, type), in the message's order: a reader needs
    the names before downloading anything."""
    async with rt.reader() as uow:
        found = await access.access_message(uow, actor, message_id)
        wanted = list(found.message.file_ids or [])
        rows = await files_by_ids(uow, wanted)
    return [file_out(rows[i]) for i in wanted if i in rows]


@router.patch("/messages/{message_id}")
async def edit_message(message_id: MessagePath, body: MessageEditIn, actor: CurrentActor,
                       rt: Rt) -> MessageOut:
    async with rt.unit_of_work() as uow:
        found = await access.access_message(uow, actor, message_id)
        message = await actions.do_edit_message(uow, actor, found, body.text)
        return (await views.messages_out(uow, [message]))[0]


@router.get("/messages/{message_id}/history")
async def message_history(message_id: MessagePath, actor: CurrentActor,
                          rt: Rt) -> EditHistory:
    async with rt.reader() as uow:
        found = await access.access_message(uow, actor, message_id)
        edits = await queries.edits_of(uow, found.message.id)
    return EditHistory(items=[{"text": e.text, "replaced_at": e.replaced_at.isoformat()}
                              for e in edits])


@router.delete("/messages/{message_id}", status_code=204)
async def delete_message(message_id: MessagePath, actor: CurrentActor, rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        found = await access.access_message(uow, actor, message_id)
        await actions.do_delete_message(uow, actor, found)


@router.put("/messages/{message_id}/reactions/{emoji}", status_code=204)
async def add_reaction(message_id: MessagePath, emoji: EmojiPath, actor: CurrentActor,
                       rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        found = await access.access_message(uow, actor, message_id)
        await actions.do_react(uow, actor, found, emoji, add=True)


@router.delete("/messages/{message_id}/reactions/{emoji}", status_code=204)
async def remove_reaction(message_id: MessagePath, emoji: EmojiPath, actor: CurrentActor,
                          rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        found = await access.access_message(uow, actor, message_id)
        await actions.do_react(uow, actor, found, emoji, add=False)


@router.put("/messages/{message_id}/pin", status_code=204)
async def pin_message(message_id: MessagePath, actor: CurrentActor, rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        await actions.do_pin(uow, actor, await access.access_message(uow, actor, message_id),
                             pinned=True)


@router.delete("/messages/{message_id}/pin", status_code=204)
async def unpin_message(message_id: MessagePath, actor: CurrentActor, rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        await actions.do_pin(uow, actor, await access.access_message(uow, actor, message_id),
                             pinned=False)


@router.get("/messages/{message_id}/receipts")
async def read_receipts(message_id: MessagePath, actor: CurrentActor, rt: Rt) -> Receipts:
    async with rt.reader() as uow:
        found = await access.access_message(uow, actor, message_id)
        members = await queries.members(uow, found.message.channel_id)
    if len(members) > actions.RECEIPTS_LIMIT:
        raise Invalid(f"Read receipts are kept for channels of up to {actions.RECEIPTS_LIMIT} "
                      "people.", code="channel_too_large")
    others = [m for m in members if m.user_id != found.message.sender_id]
    return Receipts(read=[m.user_id for m in others if m.last_read_id >= found.message.id],
                    unread=[m.user_id for m in others if m.last_read_id < found.message.id])


@router.post("/messages/{message_id}/ack", status_code=204)
async def acknowledge(message_id: MessagePath, actor: CurrentActor, rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        found = await access.access_message(uow, actor, message_id)
        await actions.do_acknowledge(uow, actor, found)


@router.get("/messages/{message_id}/acks")
async def acknowledgements(message_id: MessagePath, actor: CurrentActor, rt: Rt) -> AckStatus:
    async with rt.reader() as uow:
        found = await access.access_message(uow, actor, message_id)
        # A deleted message asks for nothing any more (acknowledging it is refused too).
        if not found.message.ack_required or found.message.deleted_at is not None:
            raise Invalid("This message does not ask for acknowledgement.",
                          code="no_ack_requested")
        members = set(await queries.member_ids(uow, found.message.channel_id))
        acked = await queries.acknowledged_ids(uow, found.message.id)
    expected = members - {found.message.sender_id}
    return AckStatus(acknowledged=sorted(acked), pending=sorted(expected - acked))


@router.post("/messages/{message_id}/remind")
async def remind_unacknowledged(message_id: MessagePath, actor: CurrentActor,
                                rt: Rt) -> AckStatus:
    async with rt.unit_of_work() as uow:
        found = await access.access_message(uow, actor, message_id)
        pending = await actions.do_remind_unacknowledged(uow, actor, found,
                                                         throttle=rt.failures)
        acked = await queries.acknowledged_ids(uow, found.message.id)
    return AckStatus(acknowledged=sorted(acked), pending=pending)

