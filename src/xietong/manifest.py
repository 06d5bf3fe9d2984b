"""What a domain contributes to the server, declared in one place: its `manifest.py`.

Each domain package (and each platform package with routes or tables: ops, realtime,
jobs, audit) exports `MANIFEST`, a `DomainManifest`, and `xietong.domains.DOMAINS` lists
them. Nothing else names a domain to assemble the server: the app mounts their routers,
the runtime connects their signal handlers, the model registry (`xietong.models`) imports
their models, error replies speak their texts, the CLI offers their commands and
`seed-demo` runs their demo steps, all in the list's order. So a new domain is a folder,
a line in that list and its migration.

This module sits below the domains (they import it), over `edge`, `core` and `settings`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Generic, NoReturn, Protocol, TypeVar
from zoneinfo import ZoneInfo

import typer
from fastapi import APIRouter

from xietong.core.events import Consumer, Event, ScopeReaders, ScopeResolver
from xietong.core.i18n import ErrorTexts
from xietong.core.security import Passwords
from xietong.core.signals import Signal, Signals
from xietong.core.uow import UnitOfWork
from xietong.edge import Services
from xietong.settings import Settings

S = TypeVar("S", bound=Signal)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Mount:
    """A router and how the app includes it."""

    router: APIRouter
    prefix: str = ""
    # The body limit of this router's requests, when it is not the app's JSON limit
    # (`Settings.max_json_body_bytes`): uploads carry files.
    body_limit: Callable[[Settings], int] | None = None


@dataclass(frozen=True, slots=True)
class Reaction(Generic[S]):
    """How a domain reacts to (or answers) a signal of another (`core.signals`): the
    handler runs in the sender's unit of work. The one way domains reach each other
    against the direction of their imports."""

    signal: type[S]
    handler: Callable[[UnitOfWork, S], Awaitable[Any]]

    def connect(self, signals: Signals) -> None:
        signals.connect(self.signal, self.handler)


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """What `xietong seed-demo` hands every demo step."""

    password: str  # of every demo person
    passwords: Passwords
    zone: ZoneInfo  # the company's time zone (`Settings.zone`)


@dataclass(frozen=True, slots=True)
class DemoOutcome:
    """What a demo step made, for the operator: counted things ("48 people"), none when
    it found its data already there, and a hint to show once anything was made."""

    created: tuple[str, ...] = ()
    hint: str | None = None


# One step of the demo data, in its own unit of work; steps run in the order of the
# domains, so a step finds what the domains below it made (chat's channels, org's people).
DemoStep = Callable[[UnitOfWork, DemoOptions], Awaitable[DemoOutcome]]


class CommandLine(Protocol):
    """What a domain's command gets of `xietong.cli` (through typer's context, see
    `command_line`): domains cannot import the CLI, which imports them all."""

    def fail(self, message: str, code: int = 1) -> NoReturn:
        """Say `message` on stderr and exit with `code`."""
        ...

    def settings(self) -> Settings:
        """The installation's settings (exits with a sentence when they are wrong)."""
        ...

    def run(self, work: Callable[[Services], Awaitable[T]]) -> T:
        """Build the runtime, run `work` on it, close it; database failures become a
        sentence and an exit."""
        ...


def command_line(ctx: typer.Context) -> CommandLine:
    """The CLI's services in a domain's command, which declares `ctx: typer.Context`."""
    line: CommandLine = ctx.obj  # installed by the callback of `xietong.cli.app`
    return line


@dataclass(frozen=True, slots=True)
class ConsumerNeeds:
    """What the runtime hands a domain's event-log consumer when it builds it."""

    # The company's time zone (quiet hours, reminders).
    zone: ZoneInfo
    # Whom presence says are online, away or offline (on every node).
    statuses: Callable[[list[int]], Awaitable[Mapping[int, str]]]


@dataclass(frozen=True, slots=True)
class JobNeeds:
    """What the runtime hands a domain's job handler factory when it builds the handler."""

    # The company's time zone (`Settings.zone`).
    zone: ZoneInfo


# A durable job's handler (`jobs.registry.Handler`): its writes commit with the job's "done".
JobHandler = Callable[[UnitOfWork, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of durable job a domain enqueues, and how the runtime makes its handler."""

    kind: str
    handler: Callable[[JobNeeds], JobHandler]
    # A schedule (`jobs.schedule`: "daily 03:30") for a job the installation runs on its
    # own: the runtime enqueues it once (`recurring_key`) when a node starts.
    every: str | None = None

    @property
    def recurring_key(self) -> str:
        return f"recurring:{self.kind}"


@dataclass(frozen=True, kw_only=True, eq=False)
class DomainManifest:
    """Everything a domain contributes; every field but the name may stay empty."""

    name: str
    # Mounted by `app.create_app`, in order.
    routers: tuple[Mount, ...] = ()
    # The modules that define its tables, imported by `xietong.models` (migrations, tests).
    models: tuple[ModuleType, ...] = ()
    # Its `core.events.Event` subclasses: each is declared by exactly one domain.
    event_types: tuple[type[Event], ...] = ()
    # Who may see the domain's scopes (`channel:12`): one resolver per scope kind it owns.
    scope_resolvers: tuple[ScopeResolver, ...] = ()
    # Its followers of the event log (`realtime.consumers`), built by the runtime.
    event_consumers: tuple[Callable[[ConsumerNeeds], Consumer], ...] = ()
    # The kinds of durable job it enqueues (`uow.enqueue`), registered by the runtime.
    job_kinds: tuple[JobKind, ...] = ()
    # Who may read what its scopes hold, as SQL: search finds an item for whoever may read
    # its scope. Its items enter search by `search.indexing.do_index` in its own actions
    # (or, for a domain below search, by a signal search reacts to, as chat's messages).
    scope_readers: tuple[ScopeReaders, ...] = ()
    # Its reactions to other domains' signals, connected by the runtime.
    signal_handlers: tuple[Reaction[Any], ...] = ()
    # Texts of its error codes by language and code (`core.i18n`).
    error_texts: ErrorTexts = field(default_factory=dict)
    # `xietong <name>` commands: typer functions, which find the CLI by `command_line`.
    commands: Mapping[str, Callable[..., None]] = field(default_factory=dict)
    # Its part of `xietong seed-demo`, in order.
    demo: tuple[DemoStep, ...] = ()
    # Blocking work that makes a first request fast (loading a dictionary), run once in a
    # thread when a serving node starts (`Settings.warm_up`), without delaying it.
    warm_ups: tuple[Callable[[], None], ...] = ()
