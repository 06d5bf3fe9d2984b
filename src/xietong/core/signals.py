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
from xietong.core.events import Scope

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
class DepartmentNamed(Signal):
    """A department was made (`created`) or renamed (and flushed): what is named after it
    follows (its documents space). `actor_id`: who did it (None: an operator)."""

    department_id: int
    name: str
    created: bool
    actor_id: int | None


@dataclass(frozen=True, slots=True)
class DepartmentRemoving(Signal):
    """A department (empty) is about to be deleted: what belongs to it is let go first (its
    documents space becomes a shared one, owned by `actor_id`)."""

    department_id: int
    actor_id: int | None


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
class LastSignIns(Signal):
    """A question: when did each of these people last sign in? Whoever keeps sessions
    answers with a `{user_id: datetime}` of those who ever did."""

    user_ids: tuple[int, ...]


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
    see exactly these people (and themselves). `among`: only these people are asked about
    (the answer holds those of them shared with), so one person is checked without listing
    everyone; None: all of them."""

    user_id: int
    among: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class ApprovalConcluded(Signal):
    """The approval of `subject` (`request:12`) ended: `outcome` is "approved", "rejected"
    or "returned" (sent back to the requester for changes). The subject's domain, which
    approvals know nothing of, reacts in the same unit of work (a request moves on)."""

    subject: Scope
    outcome: str
    instance_id: int


@dataclass(frozen=True, slots=True)
class SubjectReferences(Signal):
    """A question: how do people quote these subjects of `kind` (requests 12 and 13 as
    "REQ-00012", "REQ-00013")? The domain that owns the kind answers with `{subject_id:
    reference}`; the others with nothing. Approvals, which know nothing of their subjects,
    ask it to show what an approval is about."""

    kind: str
    subject_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class FlowUsers(Signal):
    """A question from approvals before a flow is archived: what still starts approvals on
    flow `flow_id`? Each domain whose definitions name flows (request types) answers with the
    names of its active ones that do; a flow in use is not archived from under them."""

    flow_id: int


@dataclass(frozen=True, slots=True)
class FoundItems(Signal):
    """A question from search: what are these items of `kind` now (their ids, as a search
    found them)? The domain that indexes items of that kind answers with a `{item_id: hit}`
    of those it still has, each as search's reply carries that kind (`search.views`); the
    others answer None. Search asked the readers of the items' scopes already: the answer
    does not check who is asking."""

    kind: str
    item_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class IndexRebuilding(Signal):
    """Search's index is rebuilt (`xietong reindex`): each domain that indexes items of its
    own indexes them all afresh, in this unit of work, and answers with what it indexed
    as `(what, how many)` ("requests", 20000)."""
