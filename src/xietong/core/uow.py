"""The unit of work: one database transaction owned by the edge (route, CLI, job).

Actions receive a `UnitOfWork` and never commit; the edge leaves the `async with`
block to commit, or raises to roll back. Work that must happen only once the change
is durable (waking other nodes, say) is registered with `after_commit`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.core.errors import Conflict

AfterCommit = Callable[[], Awaitable[None]]


class UnitOfWork:
    def __init__(self, session: AsyncSession, *, is_postgres: bool) -> None:
        self.session = session
        self.is_postgres = is_postgres
        self._after_commit: list[AfterCommit] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                try:
                    await self.session.commit()
                except IntegrityError as error:
                    await self.session.rollback()
                    raise Conflict() from error
            else:
                await self.session.rollback()
        finally:
            await self.session.close()
        if exc_type is None:
            for hook in self._after_commit:
                await hook()

    def after_commit(self, hook: AfterCommit) -> None:
        self._after_commit.append(hook)

    async def flush(self) -> None:
        """Flush pending rows, turning a unique-constraint race into a clean 409."""
        try:
            await self.session.flush()
        except IntegrityError as error:
            raise Conflict() from error

    async def lock(self, name: str) -> None:
        """Serialise transactions that touch `name` (e.g. the department tree) until commit.

        SQLite writers are already serialised by BEGIN IMMEDIATE; PostgreSQL takes a
        transaction-scoped advisory lock.
        """
        if not self.is_postgres:
            return
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
