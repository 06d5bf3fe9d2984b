"""Tables of a space's file library: the files kept in a space, and each one's versions (an
upload each; a restore is a new version naming an older one's upload)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class LibraryFile(Base):
    """A file of a space's library, under the name its editors give it. Its bytes are those
    of its newest version (`file_id`, `version`: kept in step by whatever adds a version)."""

    __tablename__ = "doc_library_files"
    __table_args__ = (
        # The list, A–Z by pinyin, keyset-paged.
        Index("ix_doc_library_files_space_id_sort_key_id", "space_id", "sort_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("doc_spaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    # The name's reading order (pinyin for Chinese: `org.names.sort_key_for`).
    sort_key: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # The newest version's upload and number.
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="RESTRICT"),
                                         index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # In the space's trash since: listed only there, downloadable by nobody but uploaders.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LibraryVersion(Base):
    """One version of a library file: an upload, numbered 1, 2, … in the order they came."""

    __tablename__ = "doc_library_versions"
    __table_args__ = (UniqueConstraint("library_file_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_file_id: Mapped[int] = mapped_column(
        ForeignKey("doc_library_files.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="RESTRICT"),
                                         index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    # A restore: the number of the version it brought back.
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
