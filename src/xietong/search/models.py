"""The search index: one row per searchable item (messages, requests, projects, tasks,
objectives, pages and glossary terms).

The row carries the item's scope (`channel:12`, later `task:7`, `doc:3`: whoever may read
the scope may find the item, see `search.scopes`) and the columns filters need, and its
analysed tokens in `document`. On PostgreSQL `document` is a `tsvector` under a GIN
index. On SQLite it is the token text, and the full-text index is the FTS5 table
`search_fts` over it (external content, kept in step by triggers; made by migration 0004),
which SQLAlchemy's metadata does not describe.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.db import Base, UTCDateTime

SearchItemId = BigInteger().with_variant(Integer(), "sqlite")
DocumentType = Text().with_variant(TSVECTOR(), "postgresql")

FTS_TABLE = "search_fts"
GIN_INDEX = "ix_search_items_document"


class ItemKind:
    MESSAGE = "message"
    # Cross-department requests (`requests.searching`), in their own scope `request:<id>`.
    REQUEST = "request"
    # Projects and their tasks (`projects.searching`), both in their project's scope
    # `project:<id>`.
    TASK = "task"
    PROJECT = "project"
    # Goals (`goals.searching`), each in its own scope `objective:<id>`.
    OBJECTIVE = "objective"
    # Documents' pages (`documents.searching`), each in its own scope `page:<id>`.
    PAGE = "page"
    # Glossary terms (`glossary.searching`), each in its own scope `term:<id>`.
    TERM = "term"


class SearchItem(Base):
    __tablename__ = "search_items"

    # Grows with indexing order: "newest first" walks it backwards without sorting.
    id: Mapped[int] = mapped_column(SearchItemId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(BigInteger)
    # Who may find it: whoever may read this scope now (`search.scopes`). No foreign key:
    # the kind says which table the id is of, and the owning domain unindexes what it removes.
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[int] = mapped_column(BigInteger)
    author_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    has_file: Mapped[bool] = mapped_column(Boolean, default=False)
    in_thread: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[str] = mapped_column(DocumentType)

    __table_args__ = (
        UniqueConstraint("kind", "item_id", name="uq_search_items_kind_item"),
        Index("ix_search_items_scope_id", "scope_kind", "scope_id", "id"),
        Index("ix_search_items_author_id_id", "author_id", "id"),
        Index(GIN_INDEX, "document", postgresql_using="gin").ddl_if(dialect="postgresql"),
    )


def is_fts_table(name: str | None) -> bool:
    """SQLite's FTS5 table and its shadow tables (search_fts_data, _idx, _docsize, _config)."""
    return name is not None and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's `include_name`: the FTS5 tables are SQLite's, not in the metadata."""
    return not (type_ == "table" and is_fts_table(name))


def include_object_for(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's `include_object` on `dialect`: besides the FTS5 tables, the GIN index of
    the models exists only on PostgreSQL."""

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                       compare_to: Any) -> bool:
        if type_ == "table" and is_fts_table(name):
            return False
        return not (type_ == "index" and name == GIN_INDEX and dialect != "postgresql")

    return include_object
