"""Tables of goals: objectives, their key results, what a key result counts (tasks and
projects) and its check-ins."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class Level(StrEnum):
    COMPANY = "company"
    DEPARTMENT = "department"
    PERSON = "person"


class GoalVisibility(StrEnum):
    COMPANY = "company"  # everyone in the company (the default: OKRs are public)
    DEPARTMENT = "department"  # the department's people (and those of its sub-departments)
    PRIVATE = "private"  # its owner (and the managers above its department)


class KeyResultKind(StrEnum):
    METRIC = "metric"  # from start to target, moved by check-ins
    TASKS = "tasks"  # the share of its linked tasks (and linked projects' tasks) done


class Objective(Base):
    __tablename__ = "objectives"
    __table_args__ = (Index("ix_objectives_period_parent_id", "period", "parent_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                          index=True)
    # The department it belongs to: a department objective's own, a person's at creation.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    # The objective it serves; its progress counts there with `weight`.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("objectives.id", ondelete="SET NULL"))
    period: Mapped[str] = mapped_column(String(8))  # "2026-Q4"
    visibility: Mapped[str] = mapped_column(String(16), default=GoalVisibility.COMPANY.value)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    # Rolled up from its key results and the objectives aligned to it, 0..1.
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class KeyResult(Base):
    __tablename__ = "key_results"
    __table_args__ = (Index("ix_key_results_objective_id_position", "objective_id",
                            "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    # Who checks in (None: the objective's owner).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    start_value: Mapped[float] = mapped_column(Float, default=0.0)
    target_value: Mapped[float] = mapped_column(Float, default=100.0)
    current_value: Mapped[float] = mapped_column(Float, default=0.0)
    unit: Mapped[str] = mapped_column(String(16), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    # The last check-in's confidence (1–10), None before the first.
    confidence: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day its owner was last reminded to check in (a retried job reminds once).
    reminded_on: Mapped[date | None] = mapped_column(Date)


class KeyResultTask(Base):
    __tablename__ = "key_result_tasks"

    key_result_id: Mapped[int] = mapped_column(
        ForeignKey("key_results.id", ondelete="CASCADE"), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


class KeyResultProject(Base):
    __tablename__ = "key_result_projects"

    key_result_id: Mapped[int] = mapped_column(
        ForeignKey("key_results.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)


class CheckIn(Base):
    """A 进度更新: where the key result stands, how confident its owner is, a note."""

    __tablename__ = "check_ins"
    __table_args__ = (Index("ix_check_ins_key_result_id_id", "key_result_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("key_results.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    value: Mapped[float | None] = mapped_column(Float)
    progress: Mapped[float] = mapped_column(Float)
    confidence: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
