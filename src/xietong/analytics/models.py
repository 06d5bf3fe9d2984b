"""The rollups: day-keyed counters and one row per request, task, approval and
cross-department mention, all written by the rollup consumer (`analytics.rollups`).

No foreign keys: a department or person removed later keeps its history in the figures.
Days are the company's (its time zone), not UTC's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class DepartmentCount(Base):
    """A department's counter for a day (`metrics.py` names them)."""

    __tablename__ = "analytics_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float] = mapped_column(Float, default=0.0)


class PairCount(Base):
    """Interactions from one department to another on a day (replies, mentions, requests,
    kudos): the edges of the collaboration network."""

    __tablename__ = "analytics_pairs"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    from_department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float] = mapped_column(Float, default=0.0)


class HourCount(Base):
    """Company-wide counters per hour (UTC, whole hours) for the last two days: today's
    hourly chart."""

    __tablename__ = "analytics_hours"

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float] = mapped_column(Float, default=0.0)


class ActiveDay(Base):
    """That someone did something on a day, and in which department: what DAU, WAU, MAU and
    adoption count. Read only as counts, never listed."""

    __tablename__ = "analytics_active"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_analytics_active_department_id_day", "department_id", "day"),)


class ActiveWeek(Base):
    """That someone of a department did something in a week (its Monday, a company day):
    `ActiveDay` folded by week, what weekly adoption counts without a DISTINCT over days."""

    __tablename__ = "analytics_active_weeks"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ChannelDay(Base):
    """A department posted in a channel on a day (channels used; shared channels)."""

    __tablename__ = "analytics_channel_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class RequestFact(Base):
    """A request as analytics needs it, its last state (upserted on each change)."""

    __tablename__ = "analytics_requests"

    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    department_id: Mapped[int] = mapped_column(Integer)
    requester_department_id: Mapped[int] = mapped_column(Integer, default=0)
    type_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filed_day: Mapped[date] = mapped_column(Date)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Working seconds on the business calendar from filing to first response / resolution.
    response_seconds: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_seconds: Mapped[float | None] = mapped_column(Float)
    response_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_analytics_requests_filed_day", "filed_day"),)


class MentionFact(Base):
    """A person mentioned by someone of another department, and when they answered (their
    next message in that channel)."""

    __tablename__ = "analytics_mentions"

    message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(Integer)
    from_department_id: Mapped[int] = mapped_column(Integer)
    to_department_id: Mapped[int] = mapped_column(Integer)
    mentioned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_seconds: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_analytics_mentions_day", "day"),
        # The mentions a message of this person in this channel may answer.
        Index("ix_analytics_mentions_channel_id_user_id", "channel_id", "user_id"),
    )


class TaskFact(Base):
    """A task as analytics needs it, its last state."""

    __tablename__ = "analytics_tasks"

    task_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(Integer)
    # The assignee's department (the creator's while nobody is assigned).
    department_id: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_day: Mapped[date] = mapped_column(Date)
    due_at: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_day: Mapped[date | None] = mapped_column(Date)
    cycle_seconds: Mapped[float | None] = mapped_column(Float)
    # Completed after the day it was due.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_analytics_tasks_created_day", "created_day"),
                      Index("ix_analytics_tasks_completed_day", "completed_day"))


class ApprovalFact(Base):
    """An approval's start, end and outcome."""

    __tablename__ = "analytics_approvals"

    approval_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    requester_department_id: Mapped[int] = mapped_column(Integer, default=0)
    flow_id: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_analytics_approvals_day", "day"),)


class Report(Base):
    """A collaboration maturity report for a quarter (company-wide when `department_id` is
    None): the indicators as computed when generated, kept so a forwarded report does not
    change."""

    __tablename__ = "analytics_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(8))
    department_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_analytics_reports_period_department_id", "period",
                            "department_id"),)
