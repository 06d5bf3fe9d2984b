"""What asks for someone's attention, read off the event log.

Messaging does not call the notification centre: this consumer follows its events (a
message that mentions someone or asks them to acknowledge it, a direct message while they
are away, a reminder to acknowledge, being added to a channel) and records one
notification per person and message — the most pressing kind when several apply. Who
still may see the conversation is asked when the event is handled, so a person removed
from a channel gets no more notifications from it. A batch of events is handled together,
with a few statements whatever its size (a busy channel's mentions arrive by the hundred).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from xietong.chat import queries as chat_queries
from xietong.chat.events import AckReminder, MemberAdded, MessageCreated, channel_scope
from xietong.chat.models import Channel, ChannelKind, Message
from xietong.chat.schemas import ChannelOut, MessageOut
from xietong.core.clock import utcnow
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.notifications.actions import NewNotification, do_notify, excerpt
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries

# Whom presence says are where (`Realtime.statuses`): direct messages notify the away.
Statuses = Callable[[list[int]], Awaitable[Mapping[int, str]]]

NAME = "notifications"
# Of several reasons to notify one person of one message, the one that asks most of them.
PRESSING = (NotificationKind.ACK_REQUESTED, NotificationKind.MENTION,
            NotificationKind.DIRECT_MESSAGE)


def _type(event: type[Any]) -> str:
    kind: str = event.model_fields["type"].default
    return kind


# An event as the consumer reads it: id, explicit recipients, what it says.
_Read = tuple[int, frozenset[int] | None, MessageOut | AckReminder | MemberAdded]


@dataclass(frozen=True, slots=True)
class _Batch:
    """What a batch's events need from the database (and presence), asked once for all."""

    channels: dict[int, tuple[Channel, set[int]]]
    mentioned: dict[int, set[int]]
    reminded: dict[int, Message]
    online: set[int]
    names: dict[int, str]

    def name(self, user_id: int) -> str:
        return self.names.get(user_id, "有人")


class NotificationConsumer:
    name = NAME
    types = frozenset({_type(MessageCreated), _type(AckReminder), _type(MemberAdded)})

    def __init__(self, *, statuses: Statuses, zone: ZoneInfo,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._statuses = statuses
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        # A batch costs the same handful of statements whatever its size: each question
        # (channels and members, mentions, presence, names, preferences) is asked once for
        # all its events, and the notifications go in with one insert.
        read = [(event.id, event.recipients, _read(event)) for event in events]
        batch = await self._look_up(uow, read)
        wanted: list[NewNotification] = []
        for event_id, recipients, content in read:
            if isinstance(content, MessageOut):
                wanted += _for_message(batch, event_id, content)
            elif isinstance(content, AckReminder):
                wanted += _for_reminder(batch, event_id, content, recipients)
            else:
                wanted += _for_joining(batch, event_id, content)
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)

    async def _look_up(self, uow: UnitOfWork, read: list[_Read]) -> _Batch:
        messages = [m for _, _, m in read if isinstance(m, MessageOut) and _may_notify(m)]
        reminders = [r for _, recipients, r in read
                     if isinstance(r, AckReminder) and recipients is not None]
        joinings = [j for _, _, j in read
                    if isinstance(j, MemberAdded) and j.channel.kind != ChannelKind.DM]
        reminded = {m.id: m for m in await chat_queries.live_messages_in_order(
            uow, list({r.message_id for r in reminders}))}
        channels = await chat_queries.channels_with_members(
            uow, [m.channel_id for m in messages]
            + [reminded[r.message_id].channel_id for r in reminders if r.message_id in reminded]
            + [j.channel.id for j in joinings])
        mentioned = await chat_queries.notified_by_mentions(
            uow, [m.id for m in messages if _has_mentions(m)])
        # Direct messages notify whoever is not online: presence asked once for all of them.
        direct = {m.id for m in messages if _is_direct(m, channels)}
        addressed = sorted({user_id for m in messages if m.id in direct
                            for user_id in channels[m.channel_id][1] - {m.sender_id}})
        statuses = await self._statuses(addressed) if addressed else {}
        actors = ({m.sender_id for m in messages
                   if m.ack_required or m.id in mentioned or m.id in direct}
                  | {r.from_user_id for r in reminders}
                  | {j.added_by for j in joinings if j.added_by is not None})
        names = ({u.id: u.display_name for u in await org_queries.users_by_ids(uow, actors, None)}
                 if actors else {})
        return _Batch(channels=channels, mentioned=mentioned, reminded=reminded,
                      online={u for u in addressed if statuses.get(u, "offline") == "online"},
                      names=names)


def _read(event: CommittedEvent) -> MessageOut | AckReminder | MemberAdded:
    if event.type == _type(MessageCreated):
        return MessageCreated.model_validate_json(event.data).message
    if event.type == _type(AckReminder):
        return AckReminder.model_validate_json(event.data)
    return MemberAdded.model_validate_json(event.data)


def _is_direct(message: MessageOut, channels: dict[int, tuple[Channel, set[int]]]) -> bool:
    found = channels.get(message.channel_id)
    return (found is not None and found[0].kind == ChannelKind.DM.value
            and message.thread_root_id is None)


def _may_notify(message: MessageOut) -> bool:
    # A card is another domain's news, which that domain notifies of itself (a request's
    # progress: `requests.consumer`); its copy in a conversation must not say it again.
    return not message.deleted and message.card is None


def _for_message(batch: _Batch, event_id: int, message: MessageOut) -> list[NewNotification]:
    if not _may_notify(message) or message.channel_id not in batch.channels:
        return []
    row, members = batch.channels[message.channel_id]
    reasons: dict[int, NotificationKind] = {}
    others = members - {message.sender_id}
    if _is_direct(message, batch.channels):
        for user_id in others - batch.online:
            reasons[user_id] = NotificationKind.DIRECT_MESSAGE
    # Only people still in the conversation: mentions were resolved at sending.
    for user_id in batch.mentioned.get(message.id, set()) & others:
        reasons[user_id] = NotificationKind.MENTION
    if message.ack_required:
        for user_id in others:
            reasons[user_id] = NotificationKind.ACK_REQUESTED
    if not reasons:
        return []
    sender = batch.name(message.sender_id)
    where = _conversation_name(row.kind, row.name)
    titles = {
        NotificationKind.DIRECT_MESSAGE: f"{sender} 给你发了消息",
        NotificationKind.MENTION: f"{sender} 在{where}中提到了你",
        NotificationKind.ACK_REQUESTED: f"{sender} 请你确认{where}中的消息",
    }
    data = {"channel_id": row.id, "message_id": message.id, "channel_name": row.name,
            "channel_kind": row.kind, "actor_name": sender,
            "thread_root_id": message.thread_root_id}
    return [NewNotification(user_id=user_id, kind=kind, title=titles[kind],
                            body=excerpt(message.text), scope=str(channel_scope(row.id)),
                            actor_id=message.sender_id, data=data,
                            link=_message_link(row.id, message.id), source_event_id=event_id)
            for user_id, kind in sorted(reasons.items())]


def _for_reminder(batch: _Batch, event_id: int, reminder: AckReminder,
                  recipients: frozenset[int] | None) -> list[NewNotification]:
    message = batch.reminded.get(reminder.message_id)
    if message is None or recipients is None or message.channel_id not in batch.channels:
        return []
    row, members = batch.channels[message.channel_id]
    sender = batch.name(reminder.from_user_id)
    data = {"channel_id": row.id, "message_id": reminder.message_id,
            "channel_name": row.name, "channel_kind": row.kind, "actor_name": sender}
    return [NewNotification(
        user_id=user_id, kind=NotificationKind.ACK_REMINDER,
        title=f"{sender} 提醒你确认{_conversation_name(row.kind, row.name)}中的消息",
        body=excerpt(message.text), scope=str(channel_scope(row.id)),
        actor_id=reminder.from_user_id, data=data,
        link=_message_link(row.id, reminder.message_id), source_event_id=event_id)
        for user_id in sorted(recipients & members)]


def _for_joining(batch: _Batch, event_id: int, added: MemberAdded) -> list[NewNotification]:
    channel: ChannelOut = added.channel
    if channel.kind == ChannelKind.DM:
        return []  # a conversation opened: its first message says the rest
    joined = set(added.user_ids) - {added.added_by}
    if not joined or channel.id not in batch.channels:
        return []
    _, members = batch.channels[channel.id]
    by = batch.name(added.added_by) if added.added_by is not None else None
    where = _conversation_name(channel.kind.value, channel.name)
    title = (f"{by} 把你加入了{where}" if by else f"你已加入{where}").strip()
    data = {"channel_id": channel.id, "channel_name": channel.name,
            "channel_kind": channel.kind.value, "actor_name": by}
    return [NewNotification(user_id=user_id, kind=NotificationKind.ADDED_TO_CHANNEL,
                            title=title, body=channel.description,
                            scope=str(channel_scope(channel.id)), actor_id=added.added_by,
                            data=data, link=f"/chat/{channel.id}", source_event_id=event_id)
            for user_id in sorted(joined & members)]


def _has_mentions(message: MessageOut) -> bool:
    mentions = message.mentions
    return bool(mentions.user_ids or mentions.department_ids or mentions.all)


def _conversation_name(kind: str, name: str) -> str:
    return "私信" if kind == ChannelKind.DM.value else f" #{name} "


def _message_link(channel_id: int, message_id: int) -> str:
    return f"/chat/{channel_id}?message={message_id}"



