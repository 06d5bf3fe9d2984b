"""Running Alembic migrations from inside the app's own event loop and engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from xietong.core.db import create_engine, is_sqlite
from xietong.runtime import Runtime

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url)
    return config


async def upgrade_to_head(runtime: Runtime) -> None:
    """Bring the database up to the newest schema. Safe to run on every start."""
    await upgrade_to(runtime, "head")


async def upgrade_to(runtime: Runtime, revision: str) -> None:
    await _migrate(runtime, lambda config: command.upgrade(config, revision))


async def downgrade_to(runtime: Runtime, revision: str) -> None:
    """Back to `revision` ("base" for an empty database)."""
    await _migrate(runtime, lambda config: command.downgrade(config, revision))


async def _migrate(runtime: Runtime, step: Callable[[Config], None]) -> None:
    """Run one Alembic command in one transaction.

    On SQLite, changing a table's constraints means rebuilding it (copy, drop, rename), and
    dropping a table with foreign keys enforced deletes the rows that refer to it. So SQLite
    migrates on a connection of its own with enforcement off, the way SQLite documents, and
    checks every reference before the commit instead."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config)
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken references: {broken[:10]}")

    if not is_sqlite(runtime.settings.database_url):
        async with runtime.engine.begin() as connection:
            await connection.run_sync(run)
        return
    engine = create_engine(runtime.settings.database_url, enforce_foreign_keys=False)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


async def current_revision(runtime: Runtime) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with runtime.engine.connect() as connection:
        return await connection.run_sync(read)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
