"""Tables of the glossary: terms, the names they are known by (the term and its aliases,
each unique in its normalised form), their owners, their history and their followers; and
one row that changes with every change of the names a message can be matched against."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class TermVisibility(StrEnum):
    COMPANY = "company"  # everyone, guests too (the default: a glossary is for others)
    DEPARTMENT = "department"  # its department's people, managers and owners


class TermStatus(StrEnum):
    ACTIVE = "active"
    DEPRECATED = "deprecated"  # kept for reference, not recognised; may point to its successor


class GlossaryTerm(Base):
    __tablename__ = "glossary_terms"
    __table_args__ = (Index("ix_glossary_terms_sort_key_id", "sort_key", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(String(64))
    english: Mapped[str] = mapped_column(String(128), default="")
    definition: Mapped[str] = mapped_column(Text)
    definition_html: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The owning department (None once it was deleted: administrators look after it then).
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    visibility: Mapped[str] = mapped_column(String(16), default=TermVisibility.COMPANY.value)
    status: Mapped[str] = mapped_column(String(16), default=TermStatus.ACTIVE.value)
    # "Use this instead", for a deprecated term.
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("glossary_terms.id", ondelete="SET NULL"))
    # The term's pinyin, for the A–Z order of the list; what a list filter matches on: the
    # term, aliases and English name folded, with their pinyin and initials.
    sort_key: Mapped[str] = mapped_column(String(300))
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GlossaryName(Base):
    """A name a term is known by: the term itself (position 0) or one of its aliases. Its
    normalised form (`glossary.normalise.normalise_name`) is unique across every term, so
    one word never means two terms."""

    __tablename__ = "glossary_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("glossary_terms.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(64))
    normalised: Mapped[str] = mapped_column(String(255), unique=True)
    is_alias: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class GlossaryTermOwner(Base):
    """The people who answer for a term's words (by default its department's managers)."""

    __tablename__ = "glossary_term_owners"

    term_id: Mapped[int] = mapped_column(ForeignKey("glossary_terms.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


class GlossaryTermFollower(Base):
    __tablename__ = "glossary_term_followers"

    term_id: Mapped[int] = mapped_column(ForeignKey("glossary_terms.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GlossaryTermRevision(Base):
    """One change of a term: who, when, and each field's value before and after."""

    __tablename__ = "glossary_term_revisions"
    __table_args__ = (Index("ix_glossary_term_revisions_term_id_id", "term_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("glossary_terms.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "created" or "updated".
    change: Mapped[str] = mapped_column(String(16))
    # {field: [before, after]}; a created term's: {field: [null, value]}.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GlossaryState(Base):
    """One row (id 1): a new random `revision` with every change that could change what a
    text is matched against (a name, a status, a visibility, a department, an owner).
    Every node keeps its matcher for one revision and builds a new one when a read of this
    row shows another (`glossary.matcher.matcher_for`): the database, not a message between
    nodes, says when a node's matcher is stale."""

    __tablename__ = "glossary_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[str] = mapped_column(String(32))
