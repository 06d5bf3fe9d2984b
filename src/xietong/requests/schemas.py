"""HTTP shapes of requests and request types."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from xietong.approvals.schemas import ApprovalSummary
from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.policy.requests import Action
from xietong.requests.models import Assignment, Status

TypeName = Annotated[str, StringConstraints(max_length=64), AfterValidator(clean_name),
                     AfterValidator(fits(64))]
Label = Annotated[str, StringConstraints(max_length=64), AfterValidator(clean_name),
                  AfterValidator(fits(64))]
Title = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_name),
                  AfterValidator(fits(200))]
Description = Annotated[FreeText, StringConstraints(max_length=20_000)]
Reason = Annotated[FreeText, StringConstraints(max_length=2_000)]
CommentText = Annotated[FreeText, StringConstraints(max_length=10_000)]
# Working hours: more than nothing, at most a working year.
SlaHours = Annotated[float, Field(gt=0, le=2_000, strict=True, allow_inf_nan=False)]
# When the SLA warns, as a share of a clock's working time (0.8: at 80 %).
WarnShare = Annotated[float, Field(gt=0, lt=1, strict=True, allow_inf_nan=False)]
FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    SELECT = "select"
    PERSON = "person"
    DEPARTMENT = "department"
    FILE = "file"


class FieldSpec(Strict):
    """One field of a type's form. `options` only for (and required by) `select`."""

    key: FieldKey
    label: Label
    type: FieldType
    required: Flag = False
    options: list[Label] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _options_for_select_only(self) -> FieldSpec:
        if self.type is FieldType.SELECT:
            if not self.options:
                raise ValueError("a select field needs its options")
            if len(set(self.options)) != len(self.options):
                raise ValueError("a select field's options must differ")
        elif self.options is not None:
            raise ValueError("only a select field has options")
        return self


Fields = Annotated[list[FieldSpec], Field(max_length=30)]


def _keys_differ(fields: list[FieldSpec] | None) -> list[FieldSpec] | None:
    if fields is not None and len({f.key for f in fields}) != len(fields):
        raise ValueError("field keys must differ")
    return fields


class RequestTypeCreate(Strict):
    name: TypeName
    department_id: Id
    description: Description = ""
    fields: Annotated[Fields, AfterValidator(_keys_differ)] = Field(default_factory=list)
    response_sla_hours: SlaHours
    resolution_sla_hours: SlaHours
    assignment: Assignment = Assignment.MANAGER
    warn_at_share: WarnShare = 0.8
    escalate_after_hours: SlaHours = 4.0
    approval_flow_id: Id | None = None

    @field_validator("resolution_sla_hours")
    @classmethod
    def _response_before_resolution(cls, resolution: float, info: ValidationInfo) -> float:
        # At the resolution SLA (its `loc`), so a form shows the refusal where it belongs.
        response = info.data.get("response_sla_hours")
        if response is not None and resolution < response:
            raise ValueError("the resolution SLA cannot be shorter than the response SLA")
        return resolution


class RequestTypeUpdate(Strict):
    """Any of a type's settings; what is left out stays. Changes apply to requests filed
    from now on (a filed request keeps the form and deadlines it was filed with)."""

    name: TypeName | None = None
    description: Description | None = None
    fields: Annotated[Fields | None, AfterValidator(_keys_differ)] = None
    response_sla_hours: SlaHours | None = None
    resolution_sla_hours: SlaHours | None = None
    assignment: Assignment | None = None
    warn_at_share: WarnShare | None = None
    escalate_after_hours: SlaHours | None = None
    # An approval flow, or null for none (left out: unchanged).
    approval_flow_id: Id | None = None
    archived: Flag | None = None


class RequestTypeOut(BaseModel):
    id: int
    name: str
    department_id: int
    description: str
    fields: list[FieldSpec]
    response_sla_hours: float
    resolution_sla_hours: float
    assignment: Assignment
    warn_at_share: float
    escalate_after_hours: float
    approval_flow_id: int | None
    archived: bool


class RequestTypeList(BaseModel):
    items: list[RequestTypeOut]


class RequestCreate(Strict):
    """A request of a type (its form's `values`), or free text to a department."""

    type_id: Id | None = None
    department_id: Id | None = None
    title: Title
    description: Description = ""
    values: dict[str, Any] = Field(default_factory=dict)
    watcher_ids: list[Id] = Field(default_factory=list, max_length=50)
    source_message_id: Id | None = None

    @model_validator(mode="after")
    def _type_or_department(self) -> RequestCreate:
        if self.type_id is None and self.department_id is None:
            raise ValueError("give the request's type or the department it is for")
        if self.type_id is None and self.values:
            raise ValueError("form values need a request type")
        return self


class Breached(BaseModel):
    response: bool
    resolution: bool


class RequestData(BaseModel):
    """A request as everyone who sees it sees it (what its events carry)."""

    id: int
    number: str
    type_id: int | None
    department_id: int
    requester_id: int
    assignee_id: int | None
    title: str
    description: str
    status: Status
    values: dict[str, Any]
    watcher_ids: list[int]
    # The chat message it was turned from (its words are the description); whether the
    # reader may open it is the chat's rule.
    source_message_id: int | None = None
    created_at: datetime
    updated_at: datetime
    response_due_at: datetime
    resolution_due_at: datetime
    paused_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    breached: Breached
    rating: int | None
    rating_comment: str | None
    # Its approval, when its type has a flow: status, round, steps with their decisions.
    approval: ApprovalSummary | None = None


class RequestOut(RequestData):
    # What the caller may do to it now: the actions (`accept`, …), `assign`, `transfer`,
    # `watch_others`, `comment`, `rate`.
    can: list[str]


class RequestPage(BaseModel):
    items: list[RequestOut]
    next_cursor: str | None


class RequestBox(StrEnum):
    MINE = "mine"          # filed by me
    ASSIGNED = "assigned"  # mine to handle
    QUEUE = "queue"        # to my departments
    WATCHING = "watching"
    ALL = "all"            # everything I may see


class RequestCounts(BaseModel):
    """Per box, the requests still under way (not closed, rejected or withdrawn)."""

    mine: int
    assigned: int
    queue: int
    watching: int


class TransitionBody(Strict):
    action: Action
    reason: Reason | None = None


class AssignBody(Strict):
    assignee_id: Id


class TransferBody(Strict):
    department_id: Id
    reason: Reason


class WatchersBody(Strict):
    user_ids: list[Id] = Field(min_length=1, max_length=50)


class SuggestBody(Strict):
    text: Annotated[str, StringConstraints(max_length=20_000)]


class SuggestedDepartment(BaseModel):
    id: int
    name: str
    score: float
    # The words that weighed most, as the text has them (normalised).
    why: list[str]
    source: str  # model or keywords


class SuggestedType(BaseModel):
    id: int
    name: str
    department_id: int
    score: float
    why: list[str]


class SuggestedAssignee(BaseModel):
    user_id: int
    open_requests: int


class Suggestions(BaseModel):
    departments: list[SuggestedDepartment]
    types: list[SuggestedType]
    assignees: list[SuggestedAssignee]


class RatingBody(Strict):
    score: Annotated[int, Field(ge=1, le=5, strict=True)]
    comment: Reason | None = None


class CommentBody(Strict):
    body: CommentText


class EntryOut(BaseModel):
    id: int
    kind: str
    actor_id: int | None
    data: dict[str, Any]
    created_at: datetime


class Timeline(BaseModel):
    items: list[EntryOut]
