"""Who sees a conversation's scope (`channel:12`): its members are fed its events; its
readers (members, and a public channel's visitors) may find what it holds."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from xietong.chat import queries
from xietong.chat.access import readable_now
from xietong.chat.events import MEMBERSHIP_EVENT_TYPES
from xietong.core.actor import Actor
from xietong.core.events import CHANNEL, CommittedEvent
from xietong.core.uow import UnitOfWork


class ChannelScopes:
    """Channel events reach the channel's current members (joining a public channel is what
    subscribes someone to it; reading one without joining is a page load, not a feed)."""

    kind = CHANNEL

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        return await queries.member_channel_ids(uow, user_id)

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        return await queries.membership(uow, scope_id, user_id) is not None

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        if event.type not in MEMBERSHIP_EVENT_TYPES:
            return set()
        user_ids = event.payload.get("user_ids", [])
        return {int(u) for u in user_ids} if isinstance(user_ids, list) else set()


class ChannelReaders:
    """Who may read a channel's messages now: the rule every channel request follows."""

    kind = CHANNEL

    def may_read(self, actor: Actor, scope_id: ColumnElement[int]) -> ColumnElement[bool]:
        return readable_now(actor, scope_id)
