"""Migrations build the schema the models describe, on an empty database of each kind."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import SAWarning

from tests.conftest import Backend
from xietong.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
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


def _downgrade_to_base(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "base")


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
        async with runtime.engine.begin() as connection:
            await connection.run_sync(_downgrade_to_base)
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
