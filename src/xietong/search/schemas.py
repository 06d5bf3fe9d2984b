"""HTTP shapes of search (API.md "Files and search"): hits of every kind in one list, each
with its `kind` and the item as that kind's own API shows it (a message) or a summary of it
(a request)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from xietong.chat.schemas import MessageOut
from xietong.org.schemas import DepartmentRef

# Long enough for any real query; a 10,000-character one is refused with a 422.
MAX_QUERY_CHARS = 1000

# What `kind=` takes: the kinds of hit (`queries.SEARCHED_KINDS`).
HitKind = Literal["message", "request"]
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


SearchHit = Annotated[MessageHit | RequestHit, Field(discriminator="kind")]


class SearchResults(BaseModel):
    items: list[SearchHit]
    total: int
    # Counting stopped at `total`: there are more.
    total_capped: bool = False
    # Parts of the query that could not be used (an unknown channel, a bad date).
    warnings: list[str] = Field(default_factory=list)
