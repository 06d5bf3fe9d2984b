"""The table of the company's settings: one row, written when an administrator first
changes a setting (no row: every setting has its default)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime

THE_ROW = 1


class CompanySettingsRecord(Base):
    __tablename__ = "company_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # The values an administrator chose that differ from the defaults, by key.
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A new random value at every change: what a node's cache of the parsed settings is
    # keyed by, so a node that reads the row's revision knows whether its copy is current
    # (and copies from two databases in one process can never be mistaken for each other).
    revision: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (CheckConstraint(f"id = {THE_ROW}", name="one_row"),)
