"""The business calendar's tables: one row of working hours (written when an administrator
first changes the calendar; no row: the defaults) and one row per overridden date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime

THE_ROW = 1
MINUTES_A_DAY = 24 * 60


class CalendarRecord(Base):
    __tablename__ = "business_calendar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Local wall-clock times as minutes after midnight (09:00 is 540).
    work_start: Mapped[int] = mapped_column(Integer)
    work_end: Mapped[int] = mapped_column(Integer)
    lunch_start: Mapped[int | None] = mapped_column(Integer)
    lunch_end: Mapped[int | None] = mapped_column(Integer)
    # An IANA name; null until an administrator chooses one: the installation's
    # `XIETONG_TIME_ZONE` (Asia/Shanghai by default) is in force meanwhile.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # A new random value at every change of the hours or of any override: what a node's
    # cached calendar is keyed by (`core.revisions`).
    revision: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint(f"id = {THE_ROW}", name="one_row"),
        CheckConstraint(f"0 <= work_start AND work_start < work_end "
                        f"AND work_end < {MINUTES_A_DAY}", name="working_day"),
        CheckConstraint("(lunch_start IS NULL AND lunch_end IS NULL) OR "
                        "(work_start < lunch_start AND lunch_start < lunch_end "
                        "AND lunch_end < work_end)", name="lunch_inside"),
    )


class CalendarDayOverride(Base):
    """An administrator's decision for one date: a company holiday (`working` false) or an
    extra working day (true)."""

    __tablename__ = "business_calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
