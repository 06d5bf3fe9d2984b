"""In-transaction notifications between domains.

A domain that must react to another's change (department channels follow department
membership) registers a handler; the changing domain sends a signal through its unit of
work and the handler runs in the same transaction, so both changes commit or neither
does. Handlers are connected explicitly in `xietong.wiring`, not by import side effects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xietong.core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Signal:
    """Base of every signal; subclasses are frozen dataclasses carrying ids."""


Handler = Callable[["UnitOfWork", Any], Awaitable[None]]


class Signals:
    def __init__(self) -> None:
        self._handlers: dict[type[Signal], list[Handler]] = defaultdict(list)

    def connect(self, kind: type[Signal], handler: Handler) -> None:
        self._handlers[kind].append(handler)

    async def send(self, uow: UnitOfWork, signal: Signal) -> None:
        for handler in self._handlers.get(type(signal), []):
            await handler(uow, signal)


@dataclass(frozen=True, slots=True)
class DepartmentMembershipChanged(Signal):
    """People joined or left departments (directly); their channels may need to follow."""

    user_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CredentialsChanged(Signal):
    """A person's credentials ended or now mean something else (logout, revocation, a
    new role): whoever remembers who a token belongs to must forget it after the commit."""

    user_id: int
