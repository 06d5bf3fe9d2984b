"""Typed events and who they are for.

Domains define their events as subclasses of `Event` with a `Literal` type and emit them
with `uow.emit(event, audience)`; the event is written to the event log in the same
transaction as the change and reaches clients only after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession


class Event(BaseModel):
    """Base of every realtime event. Subclasses set `type: Literal["..."]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may receive an event.

    `user_ids` None means "whoever may read `channel_id` when it is delivered" — membership
    is checked at delivery and at replay, so a person removed from a channel stops
    receiving its events at once. Otherwise exactly the listed people receive it.
    """

    channel_id: int | None
    user_ids: tuple[int, ...] | None

    @classmethod
    def channel(cls, channel_id: int) -> Audience:
        return cls(channel_id, None)

    @classmethod
    def users(cls, user_ids: Iterable[int], channel_id: int | None = None) -> Audience:
        return cls(channel_id, tuple(sorted(set(user_ids))))


class EventSink(Protocol):
    """Where a unit of work writes its events (the event log) and announces commits."""

    async def append(self, session: AsyncSession,
                     events: list[tuple[Event, Audience]]) -> object:
        """Insert the events inside the caller's transaction; return a receipt for them."""
        ...

    async def committed(self, receipt: object) -> None:
        """Called with `append`'s receipt after the commit: hand the events to delivery."""
        ...
