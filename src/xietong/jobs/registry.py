"""Which handler runs which kind of job. Domains register theirs by kind when the runtime
is built (`Runtime.jobs.registry.register`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from xietong.core.uow import UnitOfWork

# A handler gets a unit of work (its writes commit with the job's "done") and the payload.
# It runs at least once, and more than once if a node dies after its work but before the
# commit or a lease runs out: it must be idempotent for effects outside the database.
Handler = Callable[[UnitOfWork, dict[str, Any]], Awaitable[None]]


class JobRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, kind: str, handler: Handler) -> None:
        if kind in self._handlers and self._handlers[kind] is not handler:
            raise ValueError(f"job kind {kind!r} already has a handler")
        self._handlers[kind] = handler

    def handler_for(self, kind: str) -> Handler | None:
        return self._handlers.get(kind)
