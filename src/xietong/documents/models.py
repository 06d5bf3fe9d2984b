"""Tables of documents: spaces, their page trees, who is granted what, each person's
favourites and recently viewed pages, and the co-editing updates of a page's CRDT document
(written by the co-editing socket, not here)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime
from xietong.core.ranks import RankString

# Grows with every update a page's document takes: BigInteger on PostgreSQL; on SQLite an
# INTEGER PRIMARY KEY (its rowid), which is 64-bit there anyway.
UpdateId = BigInteger().with_variant(Integer(), "sqlite")


class SpaceKind(StrEnum):
    DEPARTMENT = "department"  # one per department, made with it and named after it
    SHARED = "shared"  # made by someone for whatever crosses departments


class Classification(StrEnum):
    PUBLIC = "public"  # 公开
    INTERNAL = "internal"  # 内部 (the default)
    CONFIDENTIAL = "confidential"  # 机密: never exported or shared by link; views audited


class GrantLevel(StrEnum):
    VIEW = "view"
    COMMENT = "comment"
    EDIT = "edit"
    MANAGE = "manage"


class Subject(StrEnum):
    """Whom a grant is to."""

    EVERYONE = "everyone"  # everyone in the company (never guests)
    DEPARTMENT = "department"  # its people and those of the departments below it
    USER = "user"


class Space(Base):
    __tablename__ = "doc_spaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    # A department space's department (one space each); None for a shared space, and for
    # one whose department was deleted (it became shared).
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), unique=True)
    # A department space's is its department's, kept in step when it is renamed.
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    icon: Mapped[str] = mapped_column(String(32), default="")
    # A shared space's owner (its creator unless handed on); a department space's owners
    # are the department's managers, not stored.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Page(Base):
    __tablename__ = "doc_pages"
    __table_args__ = (
        # A parent's children in order (the tree, a move's neighbours).
        Index("ix_doc_pages_space_id_parent_id_rank", "space_id", "parent_id", "rank"),
        Index("ix_doc_pages_parent_id", "parent_id"),
        Index("ix_doc_pages_grants_from_id", "grants_from_id"),
        Index("ix_doc_pages_deleted_root_id", "deleted_root_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("doc_spaces.id", ondelete="CASCADE"))
    # None: at the top of its space.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("doc_pages.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    icon: Mapped[str] = mapped_column(String(32), default="")
    # Its place among its siblings (`core.ranks`).
    rank: Mapped[str] = mapped_column(RankString)
    classification: Mapped[str] = mapped_column(String(16),
                                                default=Classification.INTERNAL.value)
    # It has grants of its own, which alone apply to it and to the pages under it that
    # inherit (Confluence's "restrictions"); otherwise it takes its parent's.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whose grants apply to it: the nearest restricted page at or above it, None for the
    # space's. Kept in step by whatever restricts, frees or moves pages, so that "may read
    # this page" is one lookup per page in SQL (search, lists), not a walk up the tree.
    grants_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("doc_pages.id", ondelete="SET NULL"))
    # Derived from the co-edited document (its CRDT state is the truth): plain text for
    # search, Markdown for export and the API. `content_version` counts the updates stored.
    text: Mapped[str] = mapped_column(Text, default="")
    markdown: Mapped[str] = mapped_column(Text, default="")
    content_version: Mapped[int] = mapped_column(Integer, default=0)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Freshness: who keeps it current and how often it is reviewed (days); the reminders
    # sent for the review now due (cleared when it is reviewed or its cadence changes).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    review_every_days: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # In the trash since; `deleted_root_id` is the page whose deletion took it there (itself
    # or a page above it), so a restore brings back exactly what went together.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    deleted_root_id: Mapped[int | None] = mapped_column(Integer)


class PageUpdate(Base):
    """One update of a page's CRDT document, appended as it arrives (the co-editing socket
    writes these, and compacts them)."""

    __tablename__ = "doc_page_updates"
    __table_args__ = (Index("ix_doc_page_updates_page_id_id", "page_id", "id"),)

    id: Mapped[int] = mapped_column(UpdateId, primary_key=True, autoincrement=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("doc_pages.id", ondelete="CASCADE"))
    update: Mapped[bytes] = mapped_column(LargeBinary)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Grant(Base):
    """A level given on a space or on a page (exactly one of them) to a person, a
    department or everyone."""

    __tablename__ = "doc_grants"
    __table_args__ = (
        CheckConstraint("(space_id IS NULL) <> (page_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int | None] = mapped_column(
        ForeignKey("doc_spaces.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int | None] = mapped_column(
        ForeignKey("doc_pages.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Favourite(Base):
    __tablename__ = "doc_favourites"
    __table_args__ = (Index("ix_doc_favourites_user_id_created_at", "user_id", "created_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("doc_pages.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PageView(Base):
    """Someone's last view of a page: one row per person and page, the newest 50 kept."""

    __tablename__ = "doc_page_views"
    __table_args__ = (Index("ix_doc_page_views_user_id_viewed_at", "user_id", "viewed_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("doc_pages.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VersionKind(StrEnum):
    AUTO = "auto"  # taken while people edit, every few minutes of changes
    NAMED = "named"  # someone saved it under a name
    RESTORED = "restored"  # the page as it became when an older version was restored


class PageVersion(Base):
    """A page's document as it stood at one moment: its whole CRDT state, and its text and
    Markdown to show and compare without rebuilding it."""

    __tablename__ = "doc_page_versions"
    __table_args__ = (Index("ix_doc_page_versions_page_id_id", "page_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("doc_pages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text, default="")
    markdown: Mapped[str] = mapped_column(Text, default="")
    # Who changed the page since the version before this one.
    editor_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PageComment(Base):
    """A comment on a page. A thread's first comment (`thread_id` None) is on the page as a
    whole or anchored to a range of it; the others reply to it (`thread_id` its id: one level,
    as Feishu's). A range is the text quoted when it was made and the pair of Yjs relative
    positions the web client computed around it (opaque here): they follow the text as it is
    edited, and meet once it is deleted (the client shows the thread "orphaned")."""

    __tablename__ = "doc_page_comments"
    __table_args__ = (
        Index("ix_doc_page_comments_page_id_id", "page_id", "id"),
        Index("ix_doc_page_comments_thread_id", "thread_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("doc_pages.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("doc_page_comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Markdown as written, its sanitised HTML, whom it mentions (who may read the page).
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    mentioned_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A thread's first comment only: its range (all three or none), and its resolution.
    anchor_quote: Mapped[str | None] = mapped_column(Text)
    anchor_start: Mapped[bytes | None] = mapped_column(LargeBinary)
    anchor_end: Mapped[bytes | None] = mapped_column(LargeBinary)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
