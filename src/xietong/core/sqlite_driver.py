"""SQLite for the async engine, one trip to the database thread per statement.

SQLAlchemy's aiosqlite adapter crosses to aiosqlite's worker thread four times for each
statement (open a cursor, execute, fetch the rows, close the cursor). Every crossing is a
queue hand-off, a thread wake-up and an event-loop wake-up; on the message-send path,
with a dozen statements, they cost more CPU than the SQL itself. This dialect is the
aiosqlite one with a cursor that does execute, fetch and close in a single crossing.

It reaches into aiosqlite's `_execute` and `_conn`, as SQLAlchemy's own adapter does;
both packages are pinned.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT

DRIVER_NAME = "sqlite+xietong"

Outcome = tuple[Any, list[Any], int, int | None]


def _run_statement(connection: sqlite3.Connection, operation: str, parameters: Any,
                   many: bool) -> Outcome:
    """Runs in aiosqlite's thread: the whole statement, cursor closed before returning."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """Holds a finished statement's rows and figures; there is no live cursor behind it."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        # Deliberately not calling the base: it opens a cursor in the thread up front.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._arraysize = 1
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid or 0

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            raw = self._connection._conn
            outcome: Outcome = await self._connection._execute(
                _run_statement, raw, operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._run(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._run(operation, seq_of_parameters, True)

    async def _async_soft_close(self) -> None:
        return None  # nothing is open in the thread

    def close(self) -> None:
        self._rows.clear()

    def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


class OneTripSQLiteDialect(SQLiteDialect_aiosqlite):
    driver = "xietong"
    supports_statement_cache = True
    supports_server_side_cursors = False

    @classmethod
    def import_dbapi(cls) -> OneTripDBAPI:
        return OneTripDBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register("sqlite.xietong", __name__, "OneTripSQLiteDialect")
