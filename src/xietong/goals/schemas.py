"""HTTP shapes of goals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.goals.models import GoalVisibility, KeyResultKind, Level

Title = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_name),
                  AfterValidator(fits(200))]
Description = Annotated[FreeText, StringConstraints(max_length=5_000)]
Note = Annotated[FreeText, StringConstraints(max_length=2_000)]
Unit = Annotated[str, StringConstraints(max_length=16), AfterValidator(clean_name),
                 AfterValidator(fits(16))]
# A quarter: "2026-Q4".
Period = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-Q[1-4]$")]
Weight = Annotated[float, Field(gt=0, le=100, strict=True, allow_inf_nan=False)]
Amount = Annotated[float, Field(ge=-1e12, le=1e12, strict=True, allow_inf_nan=False)]
Confidence = Annotated[int, Field(ge=1, le=10, strict=True)]


class ObjectiveCreate(Strict):
    title: Title
    description: Description = ""
    level: Level
    # Default: the caller.
    owner_id: Id | None = None
    # A department objective's department; a person's defaults to the owner's own.
    department_id: Id | None = None
    parent_id: Id | None = None
    period: Period
    visibility: GoalVisibility = GoalVisibility.COMPANY
    weight: Weight = 1.0


class ObjectiveUpdate(Strict):
    title: Title | None = None
    description: Description | None = None
    owner_id: Id | None = None
    # null: aligned to nothing.
    parent_id: Id | None = None
    visibility: GoalVisibility | None = None
    weight: Weight | None = None
    archived: Flag | None = None


class KeyResultCreate(Strict):
    title: Title
    kind: KeyResultKind = KeyResultKind.METRIC
    owner_id: Id | None = None
    start: Amount = 0.0
    target: Amount = 100.0
    unit: Unit = ""
    weight: Weight = 1.0
    task_ids: list[Id] = Field(default_factory=list, max_length=500)
    project_ids: list[Id] = Field(default_factory=list, max_length=50)


class KeyResultUpdate(Strict):
    title: Title | None = None
    owner_id: Id | None = None
    start: Amount | None = None
    target: Amount | None = None
    unit: Unit | None = None
    weight: Weight | None = None
    task_ids: list[Id] | None = Field(default=None, max_length=500)
    project_ids: list[Id] | None = Field(default=None, max_length=50)


class CheckInCreate(Strict):
    """A metric key result's new value (`current`); a task-counted one takes none."""

    current: Amount | None = None
    confidence: Confidence | None = None
    note: Note = ""


class KeyResultOut(BaseModel):
    id: int
    objective_id: int
    title: str
    kind: KeyResultKind
    owner_id: int | None
    start: float
    target: float
    current: float
    unit: str
    weight: float
    progress: float
    confidence: int | None
    checked_in_at: datetime | None
    task_ids: list[int]
    project_ids: list[int]


class ObjectiveData(BaseModel):
    """An objective as everyone who sees it is told (events carry this)."""

    id: int
    title: str
    description: str
    level: Level
    owner_id: int
    department_id: int | None
    parent_id: int | None
    period: str
    visibility: GoalVisibility
    weight: float
    progress: float
    archived: bool
    created_at: datetime
    updated_at: datetime
    key_results: list[KeyResultOut]


class ObjectiveOut(ObjectiveData):
    # What the caller may do: edit, check_in (on every key result), align (set objectives
    # under it is `edit` of theirs).
    can: list[str]
    # Objectives aligned to it, when asked for as a tree (the caller sees them).
    children: list[ObjectiveOut] = Field(default_factory=list)


class KeyResultAdded(KeyResultOut):
    """A new key result (API.md: `201` key result) with its objective as it now stands (its
    key results, the new one last, and its progress), which a screen redraws."""

    objective: ObjectiveOut


class ObjectiveList(BaseModel):
    period: str
    items: list[ObjectiveOut]


class CheckInOut(BaseModel):
    id: int
    key_result_id: int
    author_id: int | None
    value: float | None
    progress: float
    confidence: int | None
    note: str
    created_at: datetime


class CheckInList(BaseModel):
    items: list[CheckInOut]
