"""The dashboards' replies. Every name begins with `Analytics` so the OpenAPI document's
components of other domains (a `Node`, a `Range`) cannot clash with them.

A department's figures are `null` with `suppressed: true` when it has fewer people than the
company's minimum group size (`min_group_size`): too few not to point at someone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AnalyticsAccess(BaseModel):
    """How far the caller sees: the whole company, the departments they manage (and
    below), or the company's overview only."""

    scope: Literal["company", "departments", "overview"]
    department_ids: list[int]
    min_group_size: int


class AnalyticsRange(BaseModel):
    """Company days, both ends included."""

    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date


class AnalyticsPeople(BaseModel):
    dau_avg: float
    wau: int
    mau: int
    active_share: float | None


class AnalyticsTotals(BaseModel):
    messages: int
    # Conversations posted in, and those where two departments or more posted.
    channels_active: int
    shared_channels: int
    files_uploaded: int
    files_downloaded: int
    searches: int
    requests_filed: int
    tasks_completed: int


class AnalyticsDay(BaseModel):
    day: date
    active: int
    messages_by_kind: dict[str, int]
    files_uploaded: int
    files_downloaded: int
    searches: int


class AnalyticsHour(BaseModel):
    hour: datetime
    messages: int


class AnalyticsOverview(BaseModel):
    """`suppressed`: the department asked for has too few people; its figures are null and
    its days empty."""

    range: AnalyticsRange
    previous: AnalyticsRange
    suppressed: bool
    people: AnalyticsPeople | None
    # The same people figures for the range before (people are counted over a range, not
    # summed from days, so a client cannot derive them).
    previous_people: AnalyticsPeople | None
    totals: AnalyticsTotals | None
    previous_totals: AnalyticsTotals | None
    daily: list[AnalyticsDay]
    today_hourly: list[AnalyticsHour]


class AnalyticsNode(BaseModel):
    """A department (its subtree), or `department_id` 0: every department the caller may
    not break down, as one node ("其他部门")."""

    department_id: int
    name: str
    people: int
    messages: int | None
    cross_messages: int | None
    cross_share: float | None
    # Its cross-department share is below the threshold: it mostly talks to itself.
    island: bool | None
    suppressed: bool


class AnalyticsEdge(BaseModel):
    from_department_id: int
    to_department_id: int
    messages: int
    mentions: int
    requests: int
    kudos: int
    # Its interactions relative to the strongest edge (0–1).
    weight: float


class AnalyticsNetwork(BaseModel):
    threshold: float
    nodes: list[AnalyticsNode]
    edges: list[AnalyticsEdge]


class AnalyticsMentionFigures(BaseModel):
    count: int
    answered: int
    median_hours: float | None
    p90_hours: float | None


class AnalyticsRequestFigures(BaseModel):
    count: int
    responded: int
    median_hours: float | None
    p90_hours: float | None


class AnalyticsResponsivenessRow(BaseModel):
    department_id: int
    name: str
    suppressed: bool
    mentions: AnalyticsMentionFigures | None
    requests: AnalyticsRequestFigures | None


class AnalyticsResponsiveness(BaseModel):
    rows: list[AnalyticsResponsivenessRow]


class AnalyticsSlaRow(BaseModel):
    department_id: int
    name: str
    type_id: int | None
    type_name: str | None
    suppressed: bool
    filed: int | None
    response_met: int | None
    resolution_met: int | None
    breached: int | None
    compliance: float | None


class AnalyticsSlaTotals(BaseModel):
    filed: int
    breached: int
    compliance: float | None


class AnalyticsSla(BaseModel):
    rows: list[AnalyticsSlaRow]
    company: AnalyticsSlaTotals


class AnalyticsDeliveryFigures(BaseModel):
    created: int | None
    completed: int | None
    completion_rate: float | None
    median_cycle_days: float | None
    due: int | None
    overdue_open: int | None
    overdue_rate: float | None
    completed_late: int | None


class AnalyticsDeliveryDepartment(AnalyticsDeliveryFigures):
    department_id: int
    name: str
    suppressed: bool


class AnalyticsDeliveryProject(AnalyticsDeliveryFigures):
    project_id: int
    name: str


class AnalyticsDelivery(BaseModel):
    departments: list[AnalyticsDeliveryDepartment]
    projects: list[AnalyticsDeliveryProject]


class AnalyticsRatingRow(BaseModel):
    department_id: int
    name: str
    suppressed: bool
    ratings: int | None
    average: float | None
    # How many rated 1, 2, 3, 4 and 5.
    distribution: list[int] | None


class AnalyticsSurveyScore(BaseModel):
    survey_id: int
    title: str
    kind: Literal["nps", "scale"]
    responses: int
    score: float | None


class AnalyticsSatisfaction(BaseModel):
    requests: list[AnalyticsRatingRow]
    surveys: list[AnalyticsSurveyScore]


class AnalyticsAdoptionRow(BaseModel):
    department_id: int
    name: str
    people: int
    suppressed: bool
    # The share of its people active in each week (null when suppressed or empty).
    shares: list[float | None] | None


class AnalyticsAdoption(BaseModel):
    weeks: list[date]
    rows: list[AnalyticsAdoptionRow]


class AnalyticsRequestItem(BaseModel):
    """A request in an SLA drill-down (one the caller may open)."""

    id: int
    number: str
    title: str
    status: str
    department_id: int
    type_id: int | None
    filed_at: datetime
    response_hours: float | None
    resolution_hours: float | None
    response_breached: bool
    resolution_breached: bool


class AnalyticsRequestPage(BaseModel):
    items: list[AnalyticsRequestItem]
    next_cursor: str | None


class AnalyticsTaskItem(BaseModel):
    """A task in a delivery drill-down (one the caller may open)."""

    id: int
    title: str
    project_id: int
    project_name: str
    department_id: int
    due_at: date | None
    completed_at: datetime | None
    late: bool


class AnalyticsTaskPage(BaseModel):
    items: list[AnalyticsTaskItem]
    next_cursor: str | None
