"""HTTP shapes of search (API.md "Files and search"): hits of every kind in one list, each
with its `kind` and the item as that kind's own API shows it (a message) or a summary of it
(a request, a task, a project, an objective, a page, a glossary term)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from xietong.chat.schemas import MessageOut
from xietong.org.schemas import DepartmentRef

# Long enough for any real query; a 10,000-character one is refused with a 422.
MAX_QUERY_CHARS = 1000

# What `kind=` takes: the kinds of hit (`queries.SEARCHED_KINDS`).
HitKind = Literal["message", "request", "task", "project", "objective", "page", "term"]
# A request's statuses (`requests.models.Status`, which search cannot import; a test
# holds the two equal).
RequestStatus = Literal["new", "accepted", "in_progress", "waiting", "resolved", "closed",
                        "rejected", "withdrawn"]


class MessageHit(BaseModel):
    kind: Literal["message"]
    message: MessageOut
    # Safe HTML: the text around the match, escaped, matches wrapped in <mark>.
    highlight: str


class RequestSummary(BaseModel):
    """A request as a search hit shows it (GET /requests/{id} has the rest)."""

    id: int
    number: str
    title: str
    status: RequestStatus
    # The receiving department now.
    department: DepartmentRef


class RequestHit(BaseModel):
    kind: Literal["request"]
    request: RequestSummary
    # Safe HTML, as `highlight`: the title with its matches marked.
    title_highlight: str
    # Safe HTML: the description and the form's text around the first match (their
    # beginning when only the title or number matched; empty when there are none).
    highlight: str


# What a project's status means (`projects.models.Category`; a test holds the two equal).
TaskCategory = Literal["todo", "doing", "done", "cancelled"]


class ProjectRef(BaseModel):
    id: int
    name: str
    archived: bool


class TaskSummary(BaseModel):
    """A task as a search hit or a message's card shows it (GET /tasks/{id} has the rest)."""

    id: int
    number: str
    title: str
    project: ProjectRef
    # The name of its board column now, and what that column means.
    status: str
    category: TaskCategory
    assignee_id: int | None
    due_at: date | None


class TaskHit(BaseModel):
    kind: Literal["task"]
    task: TaskSummary
    # Safe HTML, as a request's: the title with its matches marked, and the description
    # around the first match.
    title_highlight: str
    highlight: str


class ProjectSummary(BaseModel):
    """A project as a search hit shows it (GET /projects/{id} has the rest)."""

    id: int
    name: str
    archived: bool
    owner_id: int
    member_count: int


class ProjectHit(BaseModel):
    kind: Literal["project"]
    project: ProjectSummary
    # Safe HTML: the name with its matches marked, and the description around the first.
    title_highlight: str
    highlight: str


# An objective's level (`goals.models.Level`; a test holds the two equal).
ObjectiveLevel = Literal["company", "department", "person"]


class ObjectiveSummary(BaseModel):
    """An objective as a search hit shows it (GET /objectives/{id} has the rest)."""

    id: int
    title: str
    level: ObjectiveLevel
    period: str
    owner_id: int
    progress: float
    archived: bool


class ObjectiveHit(BaseModel):
    kind: Literal["objective"]
    objective: ObjectiveSummary
    # Safe HTML: the title with its matches marked, and its description and key results
    # around the first match.
    title_highlight: str
    highlight: str


# A page's classification (`documents.models.Classification`; a test holds the two equal).
PageClassification = Literal["public", "internal", "confidential"]


class PageSpaceRef(BaseModel):
    id: int
    name: str


class PageSummary(BaseModel):
    """A documents page as a search hit shows it (GET /pages/{id} has the rest)."""

    id: int
    title: str
    icon: str
    space: PageSpaceRef
    classification: PageClassification
    updated_at: datetime


class PageHit(BaseModel):
    kind: Literal["page"]
    page: PageSummary
    # Safe HTML: the title with its matches marked, and the page's text around the first.
    title_highlight: str
    highlight: str


# A glossary term's status (`glossary.models.TermStatus`; a test holds the two equal).
TermStatus = Literal["active", "deprecated"]


class TermSummary(BaseModel):
    """A glossary term as a search hit shows it (GET /glossary/terms/{id} has the rest)."""

    id: int
    term: str
    english: str
    aliases: list[str]
    # The owning department (None once it was deleted).
    department: DepartmentRef | None
    status: TermStatus


class TermHit(BaseModel):
    kind: Literal["term"]
    term: TermSummary
    # Safe HTML: the term with its matches marked, and its other names, definition and
    # examples around the first match.
    title_highlight: str
    highlight: str


SearchHit = Annotated[MessageHit | RequestHit | TaskHit | ProjectHit | ObjectiveHit | PageHit
                      | TermHit,
                      Field(discriminator="kind")]


class SearchResults(BaseModel):
    items: list[SearchHit]
    total: int
    # Counting stopped at `total`: there are more.
    total_capped: bool = False
    # Parts of the query that could not be used (an unknown channel, a bad date).
    warnings: list[str] = Field(default_factory=list)
