"""What asks for someone's attention, read off the event log.

Messaging does not call the notification centre: this consumer follows its events (a
message that mentions someone or asks them to acknowledge it, a direct message while they
are away, a reminder to acknowledge, being added to a channel) and records one
notification per person and message — the most pressing kind when several apply. Who
still may see the conversation is asked when the event is handled, so a person removed
from a channel gets no more notifications from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from xietong.chat import queries as chat_queries
from xietong.chat.events import AckReminder, MemberAdded, MessageCreated, channel_scope
from xietong.chat.models import ChannelKind
from xietong.chat.schemas import ChannelOut, MessageOut
from xietong.core.clock import utcnow
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.notifications.actions import NewNotification, do_notify
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


class NotificationConsumer:
    name = NAME
    types = frozenset({_type(MessageCreated), _type(AckReminder), _type(MemberAdded)})

    def __init__(self, *, statuses: Statuses, zone: ZoneInfo,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._statuses = statuses
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        created = [e for e in events if e.type == _type(MessageCreated)]
        mentioned = await chat_queries.notified_by_mentions(
            uow, [_message(e).id for e in created if _has_mentions(_message(e))])
        for event in events:
            if event.type == _type(MessageCreated):
                wanted = await self._for_message(uow, _message(event),
                                                 mentioned.get(_message(event).id, set()))
            elif event.type == _type(AckReminder):
                wanted = await self._for_reminder(uow, event)
            else:
                wanted = await self._for_joining(uow, event)
            if wanted:
                await do_notify(uow, wanted, source_event_id=event.id, now=self._clock(),
                                zone=self._zone)

    async def _for_message(self, uow: UnitOfWork, message: MessageOut,
                           mentioned: set[int]) -> list[NewNotification]:
        if message.deleted:
            return []
        channel = await chat_queries.channel_with_members(uow, message.channel_id)
        if channel is None:
            return []
        row, members = channel
        reasons: dict[int, NotificationKind] = {}
        others = members - {message.sender_id}
        if row.kind == ChannelKind.DM.value and message.thread_root_id is None:
            statuses = await self._statuses(sorted(others))
            for user_id in others:
                if statuses.get(user_id, "offline") != "online":
                    reasons[user_id] = NotificationKind.DIRECT_MESSAGE
        # Only people still in the conversation: mentions were resolved at sending.
        for user_id in mentioned & others:
            reasons[user_id] = NotificationKind.MENTION
        if message.ack_required:
            for user_id in others:
                reasons[user_id] = NotificationKind.ACK_REQUESTED
        if not reasons:
            return []
        sender = await _name_of(uow, message.sender_id)
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
                                body=_excerpt(message.text), scope=str(channel_scope(row.id)),
                                actor_id=message.sender_id, data=data,
                                link=_message_link(row.id, message.id))
                for user_id, kind in sorted(reasons.items())]

    async def _for_reminder(self, uow: UnitOfWork, event: CommittedEvent
                            ) -> list[NewNotification]:
        reminder = AckReminder.model_validate_json(event.data)
        message = await chat_queries.live_messages_in_order(uow, [reminder.message_id])
        if not message or event.recipients is None:
            return []
        channel = await chat_queries.channel_with_members(uow, message[0].channel_id)
        if channel is None:
            return []
        row, members = channel
        sender = await _name_of(uow, reminder.from_user_id)
        data = {"channel_id": row.id, "message_id": reminder.message_id,
                "channel_name": row.name, "channel_kind": row.kind, "actor_name": sender}
        return [NewNotification(
            user_id=user_id, kind=NotificationKind.ACK_REMINDER,
            title=f"{sender} 提醒你确认{_conversation_name(row.kind, row.name)}中的消息",
            body=_excerpt(message[0].text), scope=str(channel_scope(row.id)),
            actor_id=reminder.from_user_id, data=data,
            link=_message_link(row.id, reminder.message_id))
            for user_id in sorted(event.recipients & members)]

    async def _for_joining(self, uow: UnitOfWork, event: CommittedEvent) -> list[NewNotification]:
        added = MemberAdded.model_validate_json(event.data)
        channel: ChannelOut = added.channel
        if channel.kind == ChannelKind.DM:
            return []  # a conversation opened: its first message says the rest
        joined = set(added.user_ids) - {added.added_by}
        found = await chat_queries.channel_with_members(uow, channel.id)
        if not joined or found is None:
            return []
        _, members = found
        by = await _name_of(uow, added.added_by) if added.added_by is not None else None
        where = _conversation_name(channel.kind.value, channel.name)
        title = (f"{by} 把你加入了{where}" if by else f"你已加入{where}").strip()
        data = {"channel_id": channel.id, "channel_name": channel.name,
                "channel_kind": channel.kind.value, "actor_name": by}
        return [NewNotification(user_id=user_id, kind=NotificationKind.ADDED_TO_CHANNEL,
                                title=title, body=channel.description,
                                scope=str(channel_scope(channel.id)), actor_id=added.added_by,
                                data=data, link=f"/chat/{channel.id}")
                for user_id in sorted(joined & members)]


def _message(event: CommittedEvent) -> MessageOut:
    return MessageCreated.model_validate_json(event.data).message


def _has_mentions(message: MessageOut) -> bool:
    mentions = message.mentions
    return bool(mentions.user_ids or mentions.department_ids or mentions.all)


async def _name_of(uow: UnitOfWork, user_id: int) -> str:
    user = await org_queries.get_user(uow, user_id)
    return user.display_name if user is not None else "有人"


def _conversation_name(kind: str, name: str) -> str:
    return "私信" if kind == ChannelKind.DM.value else f" #{name} "


def _message_link(channel_id: int, message_id: int) -> str:
    return f"/chat/{channel_id}?message={message_id}"


def _excerpt(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"

