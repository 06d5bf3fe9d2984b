"""What the realtime hub asks of messaging: who reads which channel, who sees whom."""

from __future__ import annotations

from xietong.chat import queries
from xietong.chat.events import MEMBERSHIP_EVENT_TYPES
from xietong.core.actor import Actor, Role
from xietong.core.uow import UnitOfWork
from xietong.org import access as org_access
from xietong.org import queries as org_queries
from xietong.realtime.log import LoggedEvent


class ChannelAudience:
    """Channel events reach the channel's current members."""

    async def readable_channel_ids(self, uow: UnitOfWork, user_id: int) -> set[int]:
        return await queries.member_channel_ids(uow, user_id)

    async def visible_people(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        """The directory's rule (`org.access.visible_user_ids`), by the person's role now:
        a socket outlives role changes."""
        user = await org_queries.get_user(uow, user_id)
        if user is None:
            return set()
        return await org_access.visible_user_ids(uow, Actor(user_id=user.id,
                                                            role=Role(user.role)))

    def membership_changes(self, event: LoggedEvent) -> set[int]:
        if event.type not in MEMBERSHIP_EVENT_TYPES:
            return set()
        user_ids = event.payload.get("user_ids", [])
        return {int(u) for u in user_ids} if isinstance(user_ids, list) else set()
