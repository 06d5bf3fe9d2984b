"""Counting the SQL statements a piece of work runs (hot paths must not grow with N)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from xietong.runtime import Runtime


@contextmanager
def counted_statements(runtime: Runtime) -> Iterator[list[str]]:
    """Collect every statement the runtime's engine executes in the block (BEGIN included
    on SQLite, where the driver sends it as a statement)."""
    seen: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)
