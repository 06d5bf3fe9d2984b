"""Typed events and who they are for.

Domains define their events as subclasses of `Event` with a `Literal` type and emit them
with `uow.emit(event, audience)`; the event is written to the event log in the same
transaction as the change and reaches clients only after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from xietong.core.actor import Actor
    from xietong.core.uow import UnitOfWork


class Event(BaseModel):
    """Base of every realtime event. Subclasses set `type: Literal["..."]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str


# The scope kinds the platform itself relies on: typing frames are about conversations,
# presence is about people. Every other kind is named by the domain that owns it.
CHANNEL = "channel"
USER = "user"


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    """What an event (or later a search item) belongs to: a kind and an id, written
    `channel:12`, `department:4`, `user:9`, `task:7`. The domain that owns a kind registers
    the resolver that says who sees its scopes (see `realtime.scopes`)."""

    kind: str
    id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Scope:
        kind, _, number = text.partition(":")
        if not kind or not number.isdigit():
            raise ValueError(f"not a scope: {text!r}")
        return cls(kind, int(number))


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may receive an event.

    `user_ids` None means "whoever may see `scope` when it is delivered" — the scope's
    resolver is asked at delivery and at replay, so a person removed from a channel stops
    receiving its events at once. Otherwise exactly the listed people receive it (the
    scope then only says what the event is about).
    """

    scope: Scope | None
    user_ids: tuple[int, ...] | None

    @classmethod
    def readers_of(cls, scope: Scope) -> Audience:
        return cls(scope, None)

    @classmethod
    def users(cls, user_ids: Iterable[int], scope: Scope | None = None) -> Audience:
        return cls(scope, tuple(sorted(set(user_ids))))


class EventSink(Protocol):
    """Where a unit of work writes its events (the event log) and announces commits."""

    async def append(self, session: AsyncSession,
                     events: list[tuple[Event, Audience]]) -> object:
        """Insert the events inside the caller's transaction; return a receipt for them."""
        ...

    async def committed(self, receipt: object) -> None:
        """Called with `append`'s receipt after the commit: hand the events to delivery."""
        ...


class CommittedEvent(Protocol):
    """An event as the log holds it after the commit (`realtime.log.LoggedEvent`)."""

    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def scope(self) -> Scope | None: ...
    @property
    def recipients(self) -> frozenset[int] | None:
        """None: whoever sees the scope; otherwise exactly these people."""
        ...
    @property
    def data(self) -> str:
        """The event's data as stored (JSON)."""
        ...
    @property
    def payload(self) -> dict[str, object]: ...
    @property
    def created_at(self) -> datetime | None:
        """When it was logged (every event a consumer reads has it)."""
        ...


class HasKind(Protocol):
    @property
    def kind(self) -> str: ...


K = TypeVar("K", bound=HasKind)


def one_per_kind(items: Iterable[K], what: str) -> dict[str, K]:
    """Domains' answerers for scope kinds, by kind; two for one kind is a wiring mistake."""
    by_kind: dict[str, K] = {}
    for item in items:
        if item.kind in by_kind:
            raise ValueError(f"two {what} for scope kind {item.kind!r}")
        by_kind[item.kind] = item
    return by_kind


class ScopeResolver(Protocol):
    """What a domain answers about the scopes of its `kind`, for delivery and replay (see
    `realtime.scopes`); each domain declares its resolvers in its manifest."""

    kind: str

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        """The ids of the scopes of this kind `user_id` sees now; None: every one."""
        ...

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        """Whether `user_id` sees this one scope now (cheaper than `readable`)."""
        ...

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        """People whose readable scopes of this kind `event` changes (joins, removals)."""
        ...


class ScopeReaders(Protocol):
    """Who may read what the scopes of `kind` hold, as SQL, for queries over the items of
    many scopes at once (search; see `search.scopes`). Not the same question as
    `ScopeResolver`'s, who is *fed* a scope's events: a public channel is read by visitors
    who are not its members and get none of its events."""

    kind: str

    def may_read(self, actor: Actor, scope_id: ColumnElement[int]) -> ColumnElement[bool]:
        """SQL condition: `actor` may read the scope of this kind whose id is `scope_id` now."""
        ...


class Consumer(Protocol):
    """A domain's follower of the event log (see `realtime.consumers`)."""

    # Its key in `event_consumers`; renaming it starts it afresh.
    name: str
    # The event types it handles; the others only move its position.
    types: frozenset[str]

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        """Handle `events` (in id order) inside `uow`, whose commit also records them as
        handled. Raise to have the batch retried."""
        ...
