"""Migrations build the schema the models describe, on an empty database of each kind."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, insert, inspect, text
from sqlalchemy.exc import SAWarning

from tests.conftest import Backend
from xietong.migrate import (
    current_revision,
    downgrade_to,
    head_revision,
    upgrade_to,
    upgrade_to_head,
)
from xietong.models import Base
from xietong.runtime import Runtime
from xietong.search.models import include_name, include_object_for


def _schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "include_name": include_name,
        # The FTS5 tables (SQLite) and the GIN index (PostgreSQL) exist on one database only.
        "include_object": include_object_for(connection.dialect.name)})
    with warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; SQLAlchemy and Alembic warn and skip them.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", SAWarning)
        return list(compare_metadata(context, Base.metadata))


async def test_empty_database_migrates_to_models_and_back(backend: Backend) -> None:
    name = f"xietong_migrate_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))
    try:
        assert await current_revision(runtime) is None
        await upgrade_to_head(runtime)
        assert await current_revision(runtime) == head_revision()
        async with runtime.engine.connect() as connection:
            assert await connection.run_sync(_schema_differences) == []
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"users", "departments", "auth_tokens", "audit_log"} <= tables

        # Upgrading again is a no-op, so every node may run it on start.
        await upgrade_to_head(runtime)
        await downgrade_to(runtime, "base")
        async with runtime.engine.connect() as connection:
            left = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert left <= {"alembic_version"}
        await upgrade_to_head(runtime)
        assert await current_revision(runtime) == head_revision()
    finally:
        await runtime.close()
        await backend.drop_database(name)


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(backend: Backend,
                                                         runtime: Runtime) -> None:
    if backend.is_postgres:
        pytest.skip("SQLite pragmas; the PostgreSQL run covers its own engine")
    async with runtime.engine.connect() as connection:
        assert (await connection.scalar(text("PRAGMA journal_mode"))).lower() == "wal"
        assert await connection.scalar(text("PRAGMA foreign_keys")) == 1


async def test_rebuilding_the_messages_table_keeps_everything_that_refers_to_it(
        backend: Backend) -> None:
    """0005 rebuilds `messages` on SQLite (a constraint changes). Dropping the old table with
    foreign keys enforced would cascade-delete replies, reactions, edits, pins and mentions;
    every row must survive the upgrade, and the downgrade too."""
    name = f"xietong_rebuild_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))
    children = ("message_edits", "reactions", "pins", "message_mentions", "thread_followers")
    try:
        await upgrade_to(runtime, "0004")
        # Through the models' tables (their defaults fill the other columns): 0005 changes
        # no column, only a constraint.
        rows: list[tuple[str, dict[str, Any]]] = [
            ("users", {"id": 1, "username": "zhangwei", "display_name": "张伟"}),
            ("channels", {"id": 1, "kind": "private", "name": "重建"}),
            ("messages", {"id": 1, "channel_id": 1, "sender_id": 1, "text": "根", "html": "",
                          "reply_count": 1, "client_msg_id": "c-1"}),
            ("messages", {"id": 2, "channel_id": 1, "sender_id": 1, "text": "回复", "html": "",
                          "thread_root_id": 1}),
            ("message_edits", {"message_id": 1, "text": "旧"}),
            ("reactions", {"message_id": 1, "emoji": "👍", "user_id": 1}),
            ("pins", {"channel_id": 1, "message_id": 1, "pinned_by": 1}),
            ("message_mentions", {"user_id": 1, "channel_id": 1, "message_id": 2}),
            ("thread_followers", {"root_id": 1, "user_id": 1}),
        ]
        async with runtime.engine.begin() as connection:
            for table, values in rows:
                await connection.execute(insert(Base.metadata.tables[table]), values)

        async def counts() -> dict[str, int]:
            async with runtime.engine.connect() as connection:
                return {table: await connection.scalar(text(f"SELECT count(*) FROM {table}"))
                        for table in ("messages", *children)}

        everything = {"messages": 2, **dict.fromkeys(children, 1)}
        assert await counts() == everything
        await upgrade_to_head(runtime)
        assert await counts() == everything
        await downgrade_to(runtime, "0004")
        assert await counts() == everything
    finally:
        await runtime.close()
        await backend.drop_database(name)
