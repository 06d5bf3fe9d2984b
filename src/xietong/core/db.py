"""Database base class, column types and engine construction for SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import DateTime, MetaData, Table, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from xietong.core import sqlite_driver
from xietong.core.clock import as_utc

# Stable constraint names, so Alembic migrations name things identically on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements built once and run on hot paths."""
    return cast(Table, model.__table__)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


# The execution option that marks a connection as a writer. On SQLite a writer starts with
# BEGIN IMMEDIATE: taking the write lock up front means two writers queue on the busy
# timeout instead of one failing with "database is locked" when it upgrades a read lock.
WRITER_OPTION = "xietong_writer"


# SQLite's `synchronous` pragma in WAL mode. FULL syncs the write-ahead log to disk at
# every commit: an acknowledged write survives a power cut or an operating-system crash.
# NORMAL syncs it only at checkpoints: a commit survives the process being killed, but the
# last commits before a power cut can be lost (the database itself stays consistent).
SqliteSynchronous = Literal["full", "normal"]
_SYNCHRONOUS_LEVELS: dict[SqliteSynchronous, str] = {"full": "FULL", "normal": "NORMAL"}


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, echo: bool = False, pool_size: int = 10,
                  enforce_foreign_keys: bool = True,
                  sqlite_synchronous: SqliteSynchronous = "full") -> AsyncEngine:
    """`enforce_foreign_keys=False` is for SQLite migrations only: rebuilding a table there
    drops the old one, and with foreign keys on that would cascade-delete its children.
    `sqlite_synchronous` is SQLite's durability level (see `SqliteSynchronous`)."""
    if is_sqlite(url):
        engine = create_async_engine(make_url(url).set(drivername=sqlite_driver.DRIVER_NAME),
                                     echo=echo)
        _configure_sqlite(engine, enforce_foreign_keys, sqlite_synchronous)
        return engine
    return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size,
                               pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine, enforce_foreign_keys: bool,
                      synchronous: SqliteSynchronous) -> None:
    synchronous_pragma = f"PRAGMA synchronous={_SYNCHRONOUS_LEVELS[synchronous]}"
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enforce_foreign_keys else 'OFF'}")
        cursor.execute(synchronous_pragma)
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        writer = connection.get_execution_options().get(WRITER_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")
