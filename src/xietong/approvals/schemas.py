"""HTTP shapes of approvals: flows, instances with their steps and tasks, the inbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    model_validator,
)
from pydantic.types import StringConstraints

from xietong.approvals.models import ApprovalStatus, StepMode, TaskState
from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import clean_name, fits, refuse_bidi_controls

# Large enough for any flow a company draws (DingTalk allows about as many), small enough
# that resolving one is a handful of rows.
MAX_STEPS = 10
MAX_APPROVERS_PER_STEP = 20
# People in one step once resolved and with co-approvers added (加签).
MAX_PEOPLE_PER_STEP = 50
MAX_COMMENT = 2000

REQUESTER_DEPARTMENT = "requester_department"

FlowName = Annotated[str, StringConstraints(max_length=64), AfterValidator(clean_name),
                     AfterValidator(fits(64))]


def _comment(value: str | None) -> str | None:
    """A comment as typed (any script, line breaks), without bidi controls; blank is none."""
    if value is None:
        return None
    return refuse_bidi_controls(value).strip() or None


Comment = Annotated[str | None, StringConstraints(max_length=MAX_COMMENT),
                    AfterValidator(_comment)]


class ApproverSpec(Strict):
    """Who approves a step: a person (`user_id`), or the managers of a department
    (`manager_of`: a department id, or "requester_department" — the requester's own
    department, walking up to the nearest one that has a manager). Exactly one of the two."""

    user_id: Id | None = None
    manager_of: Literal["requester_department"] | Id | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ApproverSpec:
        if (self.user_id is None) == (self.manager_of is None):
            raise ValueError("Give either user_id or manager_of.")
        return self


class StepSpec(Strict):
    mode: StepMode
    approvers: list[ApproverSpec] = Field(min_length=1, max_length=MAX_APPROVERS_PER_STEP)

    @model_validator(mode="after")
    def _one_means_one(self) -> StepSpec:
        if self.mode is StepMode.ONE and len(self.approvers) != 1:
            raise ValueError("A step of mode one names exactly one approver (use any or all "
                             "for several).")
        keys = [(a.user_id, a.manager_of) for a in self.approvers]
        if len(set(keys)) != len(keys):
            raise ValueError("A step names each approver once.")
        return self


class FlowCreate(Strict):
    name: FlowName
    steps: list[StepSpec] = Field(min_length=1, max_length=MAX_STEPS)


class FlowUpdate(Strict):
    """What is left out stays. New steps apply to approvals started from then on: one under
    way keeps the steps it started with."""

    name: FlowName | None = None
    steps: list[StepSpec] | None = Field(default=None, min_length=1, max_length=MAX_STEPS)
    # true archives the flow (it starts no new approvals), false brings it back.
    archived: Flag | None = None


class FlowOut(BaseModel):
    id: int
    name: str
    steps: list[StepSpec]
    archived: bool
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class FlowPage(BaseModel):
    items: list[FlowOut]
    next_cursor: str | None


class ApprovalTaskOut(BaseModel):
    """One approver's part in a step."""

    id: int
    step: int
    round: int
    # Who decides (the approver, or their delegate).
    user_id: int
    # The approver a delegate acts for while they are away; None when it is the approver.
    on_behalf_of: int | None
    # 加签: who added this approver to the step, and why.
    added_by: int | None
    note: str | None
    state: TaskState
    comment: str | None
    arrived_at: datetime | None
    decided_at: datetime | None


class StepState(StrEnum):
    WAITING = "waiting"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    # The flow ended (rejected, returned, withdrawn) before reaching it.
    SKIPPED = "skipped"


class StepOut(BaseModel):
    number: int
    mode: StepMode
    state: StepState
    approvers: list[ApprovalTaskOut]


class ApprovalSummary(BaseModel):
    """An approval as a subject's reply embeds it (`approval` of a request)."""

    id: int
    status: ApprovalStatus
    round: int
    # The step under way, or where the flow ended.
    current_step: int
    steps: list[StepOut]


class ApprovalOut(ApprovalSummary):
    subject: str
    subject_kind: str
    subject_id: int
    # How people quote the subject ("REQ-00042"), as its domain says; None if it says nothing.
    reference: str | None
    flow_id: int
    # The flow's name now (a renamed flow shows its new name; its steps stay as they were).
    flow_name: str
    title: str
    summary: str
    requester_id: int
    # The requester's department when it started (whose managers `requester_department` means).
    requester_department_id: int | None
    # Decisions of earlier rounds (before each resubmission), oldest first.
    history: list[ApprovalTaskOut]
    created_at: datetime
    updated_at: datetime
    concluded_at: datetime | None


class ApprovalBox(StrEnum):
    TODO = "todo"  # 待我审批: tasks waiting for my decision now
    DONE = "done"  # 我已审批: tasks I decided
    MINE = "mine"  # 我发起的: approvals I started


class ApprovalCounts(BaseModel):
    # 待我审批: my tasks waiting for my decision now.
    todo: int


class ApprovalItem(BaseModel):
    approval: ApprovalOut
    # My task (todo, done); None in `mine`.
    task: ApprovalTaskOut | None


class ApprovalPage(BaseModel):
    items: list[ApprovalItem]
    next_cursor: str | None


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"


class Decide(Strict):
    decision: Decision
    # Required to reject or return: the requester learns why, or what to change.
    comment: Comment = None


class AddApprover(Strict):
    user_id: Id
    comment: Comment = None


def _iso_text(value: object) -> object:
    """A time in a body is ISO 8601 text with its offset, not a bare number (which lax
    parsing would read as seconds since 1970)."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 time with its offset, as text")
    return value


class DelegationSet(Strict):
    delegate_id: Id
    until: Annotated[AwareDatetime, BeforeValidator(_iso_text)]


class DelegationOut(BaseModel):
    delegate_id: int
    until: datetime
    # Whether it is in force now (until is still ahead).
    active: bool
    created_at: datetime


class DelegationState(BaseModel):
    delegation: DelegationOut | None
