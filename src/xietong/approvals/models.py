"""Tables of approvals: flows (templates), their instances on subjects, the tasks of each
step, and people's delegates while they are away."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class StepMode(StrEnum):
    """How a step completes: `one` (its single approver entry approves: when that entry is
    a department with two managers, either of them), `any` (或签: the first approval
    completes it), `all` (会签: every approver approves, co-approvers added by 加签 too)."""

    ONE = "one"
    ANY = "any"
    ALL = "all"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    # Sent back to the requester for changes; resubmitting restarts it at step 1.
    RETURNED = "returned"
    # The subject's owner took it back (a request withdrawn) before it concluded.
    WITHDRAWN = "withdrawn"


class TaskState(StrEnum):
    # Its step has not been reached yet.
    WAITING = "waiting"
    # Its step is the current one: the assignee is to decide.
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    # Closed without a decision: another approver completed an `any` step, or the flow
    # ended (rejected, returned, withdrawn) before this task was decided.
    NOT_NEEDED = "not_needed"


class ApprovalFlow(Base):
    """A template: the steps a subject goes through. Instances copy its steps when they
    start, so archiving or renaming a flow never changes one under way."""

    __tablename__ = "approval_flows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # [{"mode": "all", "approvers": [{"user_id": 3}, {"manager_of": "requester_department"},
    #   {"manager_of": 7}]}], as `schemas.StepSpec` validated it.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived flows start no new instances; those under way go on.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApprovalInstance(Base):
    """One subject (`request:12`) going through a flow. Its row is the lock every change
    of it takes, so two decisions at once are taken one after the other."""

    __tablename__ = "approval_instances"
    __table_args__ = (
        # One approval per subject: a returned one is resubmitted, not started again.
        UniqueConstraint("subject_kind", "subject_id"),
        # 我发起的: a requester's instances, newest first.
        Index("ix_approval_instances_requester_id_id", "requester_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("approval_flows.id", ondelete="RESTRICT"),
                                         index=True)
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    # What the approvers see, as the subject's domain gave it when it started (or resubmitted).
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # Whose managers `manager_of: requester_department` means; resolved again on resubmit.
    requester_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    # The flow's steps when it started (`ApprovalFlow.steps`).
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=ApprovalStatus.PENDING.value)
    # 1 at the start, one more at each resubmission; tasks of earlier rounds are history.
    round: Mapped[int] = mapped_column(Integer, default=1)
    # The step (from 1) under way, or where the flow ended.
    current_step: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApprovalTask(Base):
    """One approver's part in one step of one round: every decision with who, when and why."""

    __tablename__ = "approval_tasks"
    __table_args__ = (
        # 待我审批: pending tasks of a person, newest arrival first.
        Index("ix_approval_tasks_todo", "assignee_id", "state", "arrived_at", "id"),
        # 我已审批: what a person decided, newest first.
        Index("ix_approval_tasks_done", "assignee_id", "decided_at", "id"),
        # Whom approvers may see (`queries.approver_subjects`), by the absent person too.
        Index("ix_approval_tasks_on_behalf_of_id", "on_behalf_of_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("approval_instances.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    # Who decides: the approver, or their delegate while they were away.
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # The approver the delegate acts for (None: the assignee is the approver).
    on_behalf_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"))
    # 加签: the approver of the step who added this one (None: the flow named them).
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # Why they were added, in the adder's words.
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=TaskState.WAITING.value)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When its step was reached (None while waiting).
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it was decided or closed.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApprovalDelegation(Base):
    """While away until `until`, tasks that arrive for `user_id` go to `delegate_id`."""

    __tablename__ = "approval_delegations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                             index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
