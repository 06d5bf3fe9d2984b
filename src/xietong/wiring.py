"""How the domains react to each other, connected in one visible place."""

from __future__ import annotations

from typing import Any

from xietong.chat.actions import sync_department_channels
from xietong.chat.queries import people_sharing_a_channel_with
from xietong.core.signals import DepartmentMembershipChanged, Signals
from xietong.core.uow import UnitOfWork
from xietong.org.access import connect_co_members


async def _department_channels_follow(uow: UnitOfWork, _signal: Any) -> None:
    await sync_department_channels(uow)


def connect_domains(signals: Signals) -> None:
    signals.connect(DepartmentMembershipChanged, _department_channels_follow)
    # Guests see the people they share a channel with.
    connect_co_members(people_sharing_a_channel_with)
