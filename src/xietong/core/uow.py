"""The unit of work: one database transaction owned by the edge (route, CLI, job).

Actions receive a `UnitOfWork` and never commit; the edge leaves the `async with`
block to commit, or raises to roll back. Events emitted with `emit` are written to the
event log just before the commit, in the same transaction, and announced after it; work
that must wait until the change is durable is registered with `after_commit`. Jobs
enqueued with `enqueue` are rows of this same transaction: a rolled-back change leaves none.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy import ColumnElement, Table, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.core.errors import Conflict
from xietong.core.events import Audience, Event, EventSink
from xietong.core.signals import Signal, Signals

AfterCommit = Callable[[], Awaitable[None]]


class JobQueue(Protocol):
    """Durable jobs as the unit of work sees them (`xietong.jobs` implements it)."""

    async def enqueue(self, uow: UnitOfWork, kind: str, payload: Mapping[str, object], *,
                      run_at: datetime | None, key: str | None, max_attempts: int | None,
                      every: str | None) -> int | None: ...

    async def cancel(self, uow: UnitOfWork, key: str) -> bool: ...


class UnitOfWork:
    def __init__(self, session: AsyncSession, *, is_postgres: bool,
                 events: EventSink | None = None, signals: Signals | None = None,
                 writer_lock: asyncio.Lock | None = None, jobs: JobQueue | None = None) -> None:
        self.session = session
        self.is_postgres = is_postgres
        self._writer_lock = writer_lock
        self._sink = events
        self._signals = signals
        self._jobs = jobs
        self._events: list[tuple[Event, Audience]] = []
        self._after_commit: list[AfterCommit] = []

    async def __aenter__(self) -> Self:
        if self._writer_lock is not None:
            await self._writer_lock.acquire()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        receipt: object = None
        try:
            if exc_type is None:
                try:
                    if self._events:
                        assert self._sink is not None, "this unit of work cannot emit events"
                        # Appended last so the event log's lock is held only until the commit.
                        receipt = await self._sink.append(self.session, self._events)
                    await self.session.commit()
                except IntegrityError as error:
                    await self.session.rollback()
                    raise Conflict() from error
            else:
                await self.session.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                if self._writer_lock is not None:
                    self._writer_lock.release()
        if exc_type is None:
            if receipt is not None and self._sink is not None:
                await self._sink.committed(receipt)
            for hook in self._after_commit:
                await hook()

    def emit(self, event: Event, audience: Audience) -> None:
        """Queue `event` for `audience`; it is logged with this transaction's commit."""
        self._events.append((event, audience))

    async def enqueue(self, kind: str, payload: Mapping[str, object], *,
                      run_at: datetime | None = None, key: str | None = None,
                      max_attempts: int | None = None, every: str | None = None) -> int | None:
        """Queue a job of `kind` (a registered handler) in this transaction, due at `run_at`
        (default: now) or, with `every` (`jobs.schedule`), recurring. A `key` names the job:
        enqueueing an existing key does nothing and answers None; otherwise the new id."""
        assert self._jobs is not None, "this unit of work cannot enqueue jobs"
        return await self._jobs.enqueue(self, kind, payload, run_at=run_at, key=key,
                                        max_attempts=max_attempts, every=every)

    async def cancel_job(self, key: str) -> bool:
        """Cancel the queued or running job named `key` with this transaction; a running
        one's handler then rolls back. Whether there was such a job to cancel."""
        assert self._jobs is not None, "this unit of work cannot cancel jobs"
        return await self._jobs.cancel(self, key)

    async def signal(self, signal: Signal) -> list[Any]:
        """Let other domains react to `signal` inside this same transaction; their answers."""
        if self._signals is None:
            return []
        return await self._signals.send(self, signal)

    def after_commit(self, hook: AfterCommit) -> None:
        self._after_commit.append(hook)

    async def flush(self) -> None:
        """Flush pending rows, turning a unique-constraint race into a clean 409."""
        try:
            await self.session.flush()
        except IntegrityError as error:
            raise Conflict() from error

    async def insert_ignoring_duplicates(self, table: type[Any],
                                         rows: list[dict[str, Any]]) -> int:
        """Insert rows, silently skipping those whose key exists; returns how many went in.

        For "add if absent" writes that race with themselves (a double-clicked reaction):
        check-then-insert would answer the second click with a 409 on PostgreSQL.
        """
        if not rows:
            return 0
        result = await self.session.execute(self._insert_ignoring(table).values(rows))
        return int(getattr(result, "rowcount", 0) or 0)

    async def upsert(self, table: Table, row: Mapping[str, Any], *,
                     key: tuple[str, ...]) -> None:
        """Insert `row` into `table` (a Core table) or, when a row with its `key` exists,
        overwrite that row's other columns with it, in one statement: two first writes at
        once neither collide on the key nor leave a mix of both (each sets every column;
        the later one wins whole). Column defaults for updates are not applied: pass them."""
        statement = self._dialect_insert(table).values(dict(row))
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=list(key),
            set_={name: statement.excluded[name] for name in row if name not in key}))

    async def upsert_many(self, table: Table, rows: Sequence[Mapping[str, Any]], *,
                          key: tuple[str, ...]) -> None:
        """`upsert` for many rows (each with the same columns, no two with one key): a few
        multi-row statements."""
        for chunk in _chunks(rows):
            statement = self._dialect_insert(table).values([dict(row) for row in chunk])
            await self.session.execute(statement.on_conflict_do_update(
                index_elements=list(key),
                set_={name: statement.excluded[name] for name in chunk[0] if name not in key}))

    async def add_to(self, table: Table, rows: Sequence[Mapping[str, Any]], *,
                     key: tuple[str, ...], column: str) -> None:
        """Counters: insert the rows (no two with one key), or where a row with the key
        exists, add the new row's `column` to its own, in a few multi-row statements."""
        for chunk in _chunks(rows):
            statement = self._dialect_insert(table).values([dict(row) for row in chunk])
            await self.session.execute(statement.on_conflict_do_update(
                index_elements=list(key),
                set_={column: table.c[column] + statement.excluded[column]}))

    async def insert_new(self, table: Table, rows: list[dict[str, Any]],
                         *returning: ColumnElement[Any]) -> list[tuple[Any, ...]]:
        """Insert rows into `table` (a Core table: the ORM's bulk machinery costs more
        than the SQL), skipping those whose unique key is taken: the `returning` columns
        of each row that went in, in no particular order (return the unique key with the
        id to tell which went in). Multi-row statements (SQLAlchemy's "insertmanyvalues",
        as many rows per statement as the database takes bound values)."""
        if not rows:
            return []
        result = await self.session.execute(
            self._insert_ignoring(table).returning(*returning), rows)
        return [tuple(row) for row in result]

    async def insert_if_absent(self, table: type[Any], row: Mapping[str, Any]) -> int | None:
        """Insert one row into `table` (a model with an integer `id`) unless one of its
        unique keys is taken: the new row's id, or None when it was skipped."""
        result = await self.session.execute(
            self._insert_ignoring(table).values(dict(row)).returning(table.id))
        inserted: int | None = result.scalar_one_or_none()
        return inserted

    def _insert_ignoring(self, table: type[Any] | Table) -> Any:
        return self._dialect_insert(table).on_conflict_do_nothing()

    def _dialect_insert(self, table: type[Any] | Table) -> Any:
        return (postgresql_insert if self.is_postgres else sqlite_insert)(table)

    async def lock(self, name: str) -> None:
        """Serialise transactions that touch `name` (e.g. the department tree) until commit.

        SQLite writers are already serialised by BEGIN IMMEDIATE; PostgreSQL takes a
        transaction-scoped advisory lock.
        """
        if not self.is_postgres:
            return
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


# Rows per multi-row statement: under both databases' limits on bound values (SQLite
# 32,766; PostgreSQL 32,767) for tables of up to a dozen columns.
_ROWS_PER_STATEMENT = 1000


def _chunks(rows: Sequence[Mapping[str, Any]]) -> list[Sequence[Mapping[str, Any]]]:
    return [rows[start:start + _ROWS_PER_STATEMENT]
            for start in range(0, len(rows), _ROWS_PER_STATEMENT)]
