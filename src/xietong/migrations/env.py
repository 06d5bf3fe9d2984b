"""Alembic environment. `xietong migrate` hands us a live connection; the `alembic` command
line (for writing new revisions) connects from XIETONG_* settings itself."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlalchemy.exc import SAWarning

from xietong.core.db import UTCDateTime
from xietong.models import Base
from xietong.search.models import include_name, include_object_for

target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Migrations name plain SQLAlchemy types, so they never import our code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_with(connection: Connection) -> None:
    # A SQLite table rebuild (batch mode) reflects the tables around it; SQLAlchemy cannot
    # reflect SQLite's expression indexes and says so, though the rebuild never touches them.
    warnings.filterwarnings("ignore", message="Skipped unsupported reflection of "
                            "expression-based index", category=SAWarning)
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True, render_item=render_item,
                      # SQLite's FTS5 tables are made by migration 0004, not the models.
                      include_name=include_name,
                      include_object=include_object_for(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    from xietong.core.db import create_engine
    from xietong.settings import load_settings

    given = context.config.get_main_option("sqlalchemy.url")
    url = (load_settings(database_url=given) if given else load_settings()).database_url
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run_with)
    await engine.dispose()


given = context.config.attributes.get("connection")
if given is not None:
    run_with(given)
else:
    asyncio.run(run_from_settings())
