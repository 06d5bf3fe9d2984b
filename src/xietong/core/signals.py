"""In-transaction notifications between domains.

A domain that must react to another's change (department channels follow department
membership) registers a handler; the changing domain sends a signal through its unit of
work and the handler runs in the same transaction, so both changes commit or neither
does. The reacting domain declares its handlers in its manifest (`manifest.Reaction`)
and the runtime connects them: no import side effects, no hooks kept in module globals.

This is how one domain reaches another that sits above it, without importing it (which
would close an import cycle between the two; see the import-linter contracts in
pyproject.toml): org signals that a person was deactivated and auth, which imports org,
ends their credentials; chat signals a message written and search, which imports chat,
indexes it. A handler may answer: `send` returns every handler's answer (None from those
that only react), so the sender can record what the others did, or, for a question such
as `FileReadable`, hear whether any domain says yes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xietong.core.actor import Actor

if TYPE_CHECKING:
    from xietong.core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Signal:
    """Base of every signal; subclasses are frozen dataclasses carrying ids."""


Handler = Callable[["UnitOfWork", Any], Awaitable[Any]]


class Signals:
    def __init__(self) -> None:
        self._handlers: dict[type[Signal], list[Handler]] = defaultdict(list)

    def connect(self, kind: type[Signal], handler: Handler) -> None:
        self._handlers[kind].append(handler)

    async def send(self, uow: UnitOfWork, signal: Signal) -> list[Any]:
        """Run the handlers of `signal`'s type in the order they were connected; their answers."""
        return [await handler(uow, signal) for handler in self._handlers.get(type(signal), [])]


@dataclass(frozen=True, slots=True)
class DepartmentMembershipChanged(Signal):
    """People joined or left departments (directly); their channels may need to follow."""

    user_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CredentialsChanged(Signal):
    """A person's credentials ended or now mean something else (logout, revocation, a
    new role): whoever remembers who a token belongs to must forget it after the commit."""

    user_id: int


@dataclass(frozen=True, slots=True)
class UserDeactivated(Signal):
    """An account was deactivated: its sessions and tokens must die with it, at once.
    Answered with how many credentials were ended."""

    user_id: int


@dataclass(frozen=True, slots=True)
class UserDemotedToGuest(Signal):
    """`actor` made a person a guest: guests keep no API tokens. Answered with the ids of
    the tokens revoked."""

    actor: Actor
    user_id: int


@dataclass(frozen=True, slots=True)
class MessageWritten(Signal):
    """A message was sent or edited (and flushed): whoever indexes messages re-reads it."""

    message_id: int


@dataclass(frozen=True, slots=True)
class MessageRemoved(Signal):
    """A message was deleted."""

    message_id: int


@dataclass(frozen=True, slots=True)
class FileReadable(Signal):
    """A question: may `actor`, who did not upload it, read file `file_id`? Each domain
    that attaches files answers True when something of its own that the actor may read
    carries the file."""

    actor: Actor
    file_id: int


@dataclass(frozen=True, slots=True)
class CoMembersOf(Signal):
    """A question: whom does person `user_id` share something with (a channel, a
    conversation)? Each domain that gathers people answers with their ids; a guest may
    see exactly these people (and themselves)."""

    user_id: int
