"""HTTP shapes of projects and tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    model_validator,
)

from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.files.schemas import FileOut
from xietong.projects.models import Category, LabelColor, Priority, ProjectRole, Visibility
from xietong.search.schemas import TaskSummary

ProjectName = Annotated[str, StringConstraints(max_length=80), AfterValidator(clean_name),
                        AfterValidator(fits(80))]
Title = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_name),
                  AfterValidator(fits(200))]
Label = Annotated[str, StringConstraints(max_length=32), AfterValidator(clean_name),
                  AfterValidator(fits(32))]
Description = Annotated[FreeText, StringConstraints(max_length=20_000)]
# A new label's name; those a project had before label sets keep up to 32 characters.
LABEL_NAME_LENGTH = 20
MAX_LABELS = 50
MAX_CHECKLIST_ITEMS = 200
MAX_COLLABORATORS = 50
CheckText = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_name),
                      AfterValidator(fits(200))]
CommentText = Annotated[FreeText, StringConstraints(min_length=1, max_length=10_000)]
TemplateKey = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Hours = Annotated[float, Field(ge=0, le=10_000, strict=True, allow_inf_nan=False)]


def _day_as_written(value: object) -> object:
    """API.md's times are ISO 8601 instants, a task's dates are days: a time given for one
    stands for the day it names as written ("2026-12-11T18:00:00+08:00" is 2026-12-11),
    not that instant's day in some other zone."""
    if isinstance(value, str) and len(value) > 10 and value[10] in "Tt ":
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            return value  # refused as a date, with pydantic's own words
    return value


Day = Annotated[date, BeforeValidator(_day_as_written)]


class ProjectCreate(Strict):
    name: ProjectName
    description: Description = ""
    visibility: Visibility = Visibility.MEMBERS
    member_ids: list[Id] = Field(default_factory=list, max_length=500)
    # Adding a department adds its people (and those of the departments below it).
    department_ids: list[Id] = Field(default_factory=list, max_length=50)
    # A template's key (`GET /project-templates`): the project starts with its tasks.
    template: TemplateKey | None = None
    # The day the template's first task starts (moved to the next working day when it is
    # not one); by default today in the company's time zone. Only read with a template.
    start_on: date | None = None


class ProjectTemplateOut(BaseModel):
    key: str
    # In the language of Accept-Language (zh-CN unless it asks for English).
    name: str
    description: str
    # Its tasks, sub-tasks included, and the working days from the first's start to the
    # last's due day (0 for the blank project).
    task_count: int
    duration_days: int


class ProjectTemplateList(BaseModel):
    items: list[ProjectTemplateOut]


class ProjectUpdate(Strict):
    name: ProjectName | None = None
    description: Description | None = None
    visibility: Visibility | None = None
    archived: Flag | None = None


class MembersBody(Strict):
    user_ids: list[Id] = Field(default_factory=list, max_length=500)
    department_ids: list[Id] = Field(default_factory=list, max_length=50)


StatusName = Annotated[str, StringConstraints(max_length=32), AfterValidator(clean_name),
                       AfterValidator(fits(32))]


class StatusSpec(Strict):
    """One column of the board as its owner sets it: an existing one (`id`) renamed or moved,
    or a new one."""

    id: Id | None = None
    name: StatusName
    category: Category
    wip_limit: Annotated[int, Field(ge=1, le=1_000, strict=True)] | None = None


class StatusesBody(Strict):
    """The whole board, in order: columns left out are removed (only when empty)."""

    statuses: list[StatusSpec] = Field(min_length=1, max_length=12)


class StatusOut(BaseModel):
    id: int
    name: str
    category: Category
    position: int
    wip_limit: int | None


class LabelOut(BaseModel):
    id: int
    name: str
    color: LabelColor


class LabelList(BaseModel):
    items: list[LabelOut]


class LabelSpec(Strict):
    """A label as the whole set gives it: an existing one (`id`, renamed on its tasks too)
    or a new one."""

    id: Id | None = None
    name: Label
    color: LabelColor


class LabelsBody(Strict):
    """The project's whole label set, in order; a label left out is taken off its tasks."""

    labels: list[LabelSpec] = Field(max_length=MAX_LABELS)


class ProjectData(BaseModel):
    """A project as everyone who sees it sees it (what its events carry)."""

    id: int
    name: str
    description: str
    owner_id: int
    visibility: Visibility
    channel_id: int | None
    archived: bool
    created_at: datetime
    member_ids: list[int]
    statuses: list[StatusOut]
    # Tasks (not sub-tasks) in each category: how far along it is.
    progress: dict[Category, int]
    # The labels its tasks may carry.
    labels: list[LabelOut]


class ProjectOut(ProjectData):
    # The caller's place in it, and what they may do there.
    my_role: ProjectRole | None
    can: list[str]


class ProjectList(BaseModel):
    items: list[ProjectOut]


class TaskCreate(Strict):
    title: Title
    description: Description = ""
    assignee_id: Id | None = None
    status_id: Id | None = None
    start_at: Day | None = None
    due_at: Day | None = None
    priority: Priority = Priority.NORMAL
    estimate_hours: Hours | None = None
    parent_id: Id | None = None
    labels: list[Label] = Field(default_factory=list, max_length=20)


class TaskUpdate(Strict):
    """Only the fields given change; `null` clears one that may be empty."""

    title: Title | None = None
    description: Description | None = None
    assignee_id: Id | None = None
    start_at: Day | None = None
    due_at: Day | None = None
    priority: Priority | None = None
    estimate_hours: Hours | None = None
    labels: list[Label] | None = Field(default=None, max_length=20)
    # Members of the project working on it with the assignee (the whole list).
    collaborator_ids: list[Id] | None = Field(default=None, max_length=MAX_COLLABORATORS)




class MoveBody(Strict):
    """Into a column, right after `after_id` (None: at the top). The column is `status_id`,
    or `status` as API.md's clients name it: the column's name (unique on a board: what a
    task's `status` says) or one of the categories (`todo`, `doing`, `done`, `cancelled`:
    the first column of it, unless a column has that name). One of the two, not both."""

    status_id: Id | None = None
    status: StatusName | None = None
    after_id: Id | None = None

    @model_validator(mode="after")
    def _one_column(self) -> MoveBody:
        if (self.status_id is None) == (self.status is None):
            raise ValueError("Give the column as status_id or as status (one of the two).")
        return self

    @property
    def column(self) -> int | str:
        """The column as given: its id, or a name or category to look up on the board."""
        return self.status_id if self.status_id is not None else str(self.status)


class DependencyBody(Strict):
    depends_on_id: Id


class ChecklistItemOut(BaseModel):
    id: int
    text: str
    done: bool


class ChecklistAdd(Strict):
    text: CheckText


class ChecklistItemUpdate(Strict):
    text: CheckText | None = None
    done: Flag | None = None


class ChecklistSpec(Strict):
    """An item as the whole list sets it: an existing one (`id`) or a new one."""

    id: Id | None = None
    text: CheckText
    done: Flag = False


class ChecklistBody(Strict):
    """The whole checklist, in order: items left out are removed."""

    items: list[ChecklistSpec] = Field(max_length=MAX_CHECKLIST_ITEMS)


class AttachmentBody(Strict):
    file_id: Id


class TaskAttachmentOut(BaseModel):
    file: FileOut
    added_by: int | None
    created_at: datetime


class CommentBody(Strict):
    text: CommentText


class CommentOut(BaseModel):
    id: int
    task_id: int
    author_id: int | None
    text: str
    html: str
    # The people it mentions who may see the task.
    mentioned_ids: list[int]
    created_at: datetime
    edited_at: datetime | None


class CommentList(BaseModel):
    """Newest first; `next_cursor` fetches the older ones."""

    items: list[CommentOut]
    next_cursor: str | None


class TaskOut(BaseModel):
    id: int
    number: str
    project_id: int
    parent_id: int | None
    title: str
    description: str
    description_html: str
    status_id: int
    # Its column's name (API.md's `status`; unique on the board, as `POST /tasks/{id}/move`
    # takes it); `category` is what the column means.
    status: str
    category: Category
    assignee_id: int | None
    priority: Priority
    start_at: date | None
    due_at: date | None
    estimate_hours: float | None
    labels: list[str]
    rank: str
    dependencies: list[int]
    source_message_id: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    collaborator_ids: list[int]
    watcher_ids: list[int]
    checklist: list[ChecklistItemOut]
    checklist_done: int
    checklist_total: int
    attachments: list[TaskAttachmentOut]
    comment_count: int


# As many tasks as a screen of messages may name.
MAX_SUMMARIES = 100


class TaskSummaries(BaseModel):
    """The tasks asked for that the caller may see, in id order (the others are left out)."""

    items: list[TaskSummary]


class TaskCard(BaseModel):
    """A task as a board shows it: what a card needs, not its description (`GET
    /tasks/{id}` has the whole task)."""

    id: int
    number: str
    project_id: int
    parent_id: int | None
    title: str
    status_id: int
    # Its column's name, as a task's `status`.
    status: str
    category: Category
    assignee_id: int | None
    priority: Priority
    start_at: date | None
    due_at: date | None
    labels: list[str]
    rank: str
    dependencies: list[int]
    completed_at: datetime | None
    # Its checklist's items ticked and in all (0 and 0: none).
    checklist_done: int
    checklist_total: int


class TaskCardList(BaseModel):
    items: list[TaskCard]


class BoardColumn(BaseModel):
    status: StatusOut
    tasks: list[TaskCard]
    # More cards than the column's WIP limit.
    over_limit: bool


class Board(BaseModel):
    project: ProjectOut
    columns: list[BoardColumn]


class TaskEntryOut(BaseModel):
    id: int
    actor_id: int | None
    kind: str
    data: dict[str, Any]
    created_at: datetime


class TaskHistory(BaseModel):
    items: list[TaskEntryOut]


class TaskFromMessage(Strict):
    """A task made of a chat message: its words are the description (and, unless given,
    the title's first line); the task links back to it."""

    project_id: Id
    title: Title | None = None
    assignee_id: Id | None = None
    due_at: Day | None = None


class GanttTask(BaseModel):
    id: int
    number: str
    title: str
    parent_id: int | None
    category: Category
    assignee_id: int | None
    start: date
    end: date  # inclusive
    dependencies: list[int]


class Gantt(BaseModel):
    # The tasks with dates, by start; a task with only a due day lasts that day.
    tasks: list[GanttTask]
    # Tasks with no dates yet: not on the chart.
    unscheduled: list[int]
    # The tasks whose delay delays the project's end (`projects.schedule`), in order.
    critical_path: list[int]
