"""What the realtime hub asks of messaging: who reads which channel."""

from __future__ import annotations

from xietong.chat import queries
from xietong.chat.events import MEMBERSHIP_EVENT_TYPES
from xietong.core.uow import UnitOfWork
from xietong.realtime.log import LoggedEvent


class ChannelAudience:
    """Channel events reach the channel's current members."""

    async def readable_channel_ids(self, uow: UnitOfWork, user_id: int) -> set[int]:
        return await queries.member_channel_ids(uow, user_id)

    def membership_changes(self, event: LoggedEvent) -> set[int]:
        if event.type not in MEMBERSHIP_EVENT_TYPES:
            return set()
        user_ids = event.payload.get("user_ids", [])
        return {int(u) for u in user_ids} if isinstance(user_ids, list) else set()
