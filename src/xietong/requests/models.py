"""Tables of requests: the types departments receive, the requests, who watches them and
each request's timeline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class Status(StrEnum):
    NEW = "new"                  # 新建
    ACCEPTED = "accepted"        # 已受理
    IN_PROGRESS = "in_progress"  # 处理中
    WAITING = "waiting"          # 等待提交人 (the clocks stop)
    RESOLVED = "resolved"        # 待确认
    CLOSED = "closed"            # 已关闭
    REJECTED = "rejected"        # 已驳回
    WITHDRAWN = "withdrawn"      # 已撤回


# Nothing changes a request in these any more (but the requester's rating of a closed one).
FINAL = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN})
# Still somebody's work: what "load" counts and what the SLA clocks run for.
OPEN = frozenset({Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING})


class Assignment(StrEnum):
    """Who gets a new request of a type."""

    # Nobody yet: the receiving department's managers assign it from the queue.
    MANAGER = "manager"
    # The department's members in turn.
    ROUND_ROBIN = "round_robin"
    # The member with the fewest open requests of the department.
    LEAST_LOADED = "least_loaded"


class RequestType(Base):
    __tablename__ = "request_types"
    __table_args__ = (UniqueConstraint("department_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The receiving department.
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    # The form: [{key, label, type, required, options}] (`schemas.FieldSpec`).
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # In working hours of the business calendar.
    response_sla_hours: Mapped[float] = mapped_column(Float)
    resolution_sla_hours: Mapped[float] = mapped_column(Float)
    assignment: Mapped[str] = mapped_column(String(16), default=Assignment.MANAGER.value)
    # Approved before it is done (预算审批, 合同会签): the flow its requests go through.
    approval_flow_id: Mapped[int | None] = mapped_column(
        ForeignKey("approval_flows.id", ondelete="SET NULL"))
    # The SLA's warning comes at this share of each clock's working time (to the assignee);
    # a breach goes one level up (to the managers above) this many working hours after it.
    warn_at_share: Mapped[float] = mapped_column(Float, default=0.8)
    escalate_after_hours: Mapped[float] = mapped_column(Float, default=4.0)
    archived: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (
        # The three boxes, newest first.
        Index("ix_requests_department_id_id", "department_id", "id"),
        Index("ix_requests_requester_id_id", "requester_id", "id"),
        Index("ix_requests_assignee_id_status", "assignee_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_id: Mapped[int | None] = mapped_column(
        ForeignKey("request_types.id", ondelete="SET NULL"), index=True)
    # The receiving department (it changes when the request is transferred).
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # The requester's primary department when filing: which walls requests cross.
    requester_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=Status.NEW.value)
    # Where it was waiting from (`wait` → `resume` goes back there).
    status_before_wait: Mapped[str | None] = mapped_column(String(16))
    source_message_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The SLA: due times on the business calendar, moved later while the request waits.
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_breached: Mapped[bool] = mapped_column(default=False)
    resolution_breached: Mapped[bool] = mapped_column(default=False)
    # How far each clock's escalation has gone (`timers.Stage`: 0 none, 1 warned, 2
    # breached, 3 escalated), and the generation of its timers: the timers are armed again
    # (a new generation) when the clocks move, and a job of an older one does nothing.
    response_stage: Mapped[int] = mapped_column(Integer, default=0)
    resolution_stage: Mapped[int] = mapped_column(Integer, default=0)
    timers_generation: Mapped[int] = mapped_column(Integer, default=0)
    # The type's settings when filed (a type changed later leaves filed requests be).
    response_sla_hours: Mapped[float] = mapped_column(Float)
    resolution_sla_hours: Mapped[float] = mapped_column(Float)
    warn_at_share: Mapped[float] = mapped_column(Float, default=0.8)
    escalate_after_hours: Mapped[float] = mapped_column(Float, default=4.0)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)


class RequestWatcher(Base):
    __tablename__ = "request_watchers"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class RequestFile(Base):
    """A file a request's form carries: whoever sees the request may read it."""

    __tablename__ = "request_files"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, index=True)


class DispatchModelRow(Base):
    """A trained dispatch model (`requests.dispatch`), one per target (department, type),
    replaced by each training; `revision` names the copy a process may hold."""

    __tablename__ = "dispatch_models"

    target: Mapped[str] = mapped_column(String(16), primary_key=True)
    revision: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    examples: Mapped[int] = mapped_column(Integer)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntryKind(StrEnum):
    FILED = "filed"
    # A status change by one of the actions (`data`: action, from, to, reason).
    TRANSITION = "transition"
    ASSIGNED = "assigned"
    # Passed to another department (`data`: from, to, reason); the clocks run on.
    TRANSFERRED = "transferred"
    # Watchers added or removed (`data`: added, removed).
    WATCHERS = "watchers"
    # Its approval concluded (`data`: outcome, approved / rejected / returned).
    APPROVAL = "approval"
    RATED = "rated"
    # The request's discussion (`data`: body, plain text): requester, watchers and the
    # receiving side talk it through where the request is, not in a chat beside it.
    COMMENT = "comment"
    # The SLA clocks (`data`: clock, `response` or `resolution`): nearly due, overdue, and
    # overdue long enough to go one level up.
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    SLA_ESCALATED = "sla_escalated"


class RequestEntry(Base):
    """One step in a request's timeline: what happened, who did it, when."""

    __tablename__ = "request_entries"
    __table_args__ = (Index("ix_request_entries_request_id_id", "request_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestQueueChannel(Base):
    """A receiving department's queue channel: where the cards of its requests appear."""

    __tablename__ = "request_queue_channels"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
