"""The dashboards over HTTP: thin routes over `access.viewer_of` and `views`. Every route
but `/access` takes `from`, `to` (company days, both included, at most 400 of them; by
default the 30 days up to today) and `department_id` (that department and those below)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from xietong.analytics import exports, queries, views
from xietong.analytics.access import Viewer, viewer_of
from xietong.analytics.exports import Chart, Sheet
from xietong.analytics.figures import Days
from xietong.analytics.schemas import (
    AnalyticsAccess,
    AnalyticsAdoption,
    AnalyticsDelivery,
    AnalyticsNetwork,
    AnalyticsOverview,
    AnalyticsRequestItem,
    AnalyticsRequestPage,
    AnalyticsResponsiveness,
    AnalyticsSatisfaction,
    AnalyticsSla,
    AnalyticsTaskItem,
    AnalyticsTaskPage,
)
from xietong.analytics.views import Window
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, Rt
from xietong.files.api import content_disposition
from xietong.requests.views import number_of

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])

MAX_DAYS = 400
DEFAULT_DAYS = 30
# The days a range may name (the previous range and the weeks around it stay dates).
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


async def window_of(
    rt: Rt,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
) -> Window:
    if any(day is not None and not EARLIEST <= day <= LATEST for day in (first, last)):
        raise Invalid(f"Days run from {EARLIEST} to {LATEST}.",
                      code="analytics_range_out_of_bounds")
    now = utcnow()
    zone = rt.settings.zone
    today = now.astimezone(zone).date()
    last = last or (today if first is None else min(today, first + timedelta(
        days=DEFAULT_DAYS - 1)))
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise Invalid("`to` is before `from`.", code="analytics_range_backwards")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(f"A range is at most {MAX_DAYS} days.", code="analytics_range_too_long")
    return Window(days=Days(first, last), today=today, now=now, zone=zone)


Chosen = Annotated[Window, Depends(window_of)]
DepartmentFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PageLimit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200)]


@router.get("/access")
async def analytics_access(actor: CurrentActor, rt: Rt) -> AnalyticsAccess:
    """How far the caller sees (404 `analytics_hidden`: not at all; the web hides the
    menu entry)."""
    async with rt.reader() as uow:
        return views.access_out(await viewer_of(uow, actor))


@router.get("/overview")
async def analytics_overview(actor: CurrentActor, rt: Rt, window: Chosen,
                             department_id: DepartmentFilter = None) -> AnalyticsOverview:
    """People active, totals against the range before, day by day, and today's messages hour
    by hour. Without `department_id`, the whole company (for every viewer, those who see
    only the overview included)."""
    async with rt.reader() as uow:
        return await views.overview(uow, await viewer_of(uow, actor), window, department_id)


@router.get("/network")
async def analytics_network(actor: CurrentActor, rt: Rt, window: Chosen,
                            department_id: DepartmentFilter = None) -> AnalyticsNetwork:
    """Departments (the filtered one's children; a manager's own) and their interactions;
    the rest of the company is one node, `department_id` 0."""
    async with rt.reader() as uow:
        return await views.network(uow, await viewer_of(uow, actor), window, department_id)


@router.get("/responsiveness")
async def analytics_responsiveness(actor: CurrentActor, rt: Rt, window: Chosen,
                                   department_id: DepartmentFilter = None
                                   ) -> AnalyticsResponsiveness:
    """First responses to cross-department mentions and to requests, in working hours."""
    async with rt.reader() as uow:
        return await views.responsiveness(uow, await viewer_of(uow, actor), window,
                                          department_id)


@router.get("/sla")
async def analytics_sla(actor: CurrentActor, rt: Rt, window: Chosen,
                        department_id: DepartmentFilter = None) -> AnalyticsSla:
    """Requests filed in the range per receiving department and type, SLAs met and
    breached."""
    async with rt.reader() as uow:
        return await views.sla(uow, await viewer_of(uow, actor), window, department_id)


@router.get("/delivery")
async def analytics_delivery(actor: CurrentActor, rt: Rt, window: Chosen,
                             department_id: DepartmentFilter = None) -> AnalyticsDelivery:
    """Tasks per department and per project: created, completed, cycle time, overdue
    (due in the range, before today, still open) and completed late."""
    async with rt.reader() as uow:
        return await views.delivery(uow, actor, await viewer_of(uow, actor), window,
                                    department_id)


@router.get("/satisfaction")
async def analytics_satisfaction(actor: CurrentActor, rt: Rt, window: Chosen,
                                 department_id: DepartmentFilter = None
                                 ) -> AnalyticsSatisfaction:
    """Ratings (1–5) of the requests filed in the range, per receiving department, and the
    scores (NPS, or a scale's average) of the surveys created in the range whose results
    the caller sees."""
    async with rt.reader() as uow:
        return await views.satisfaction(uow, actor, await viewer_of(uow, actor), window,
                                        department_id)


@router.get("/adoption")
async def analytics_adoption(actor: CurrentActor, rt: Rt, window: Chosen,
                             department_id: DepartmentFilter = None) -> AnalyticsAdoption:
    """The share of each department's people active, week by week (Mondays)."""
    async with rt.reader() as uow:
        return await views.adoption(uow, await viewer_of(uow, actor), window, department_id)


async def _drill_down_viewer(uow: UnitOfWork, actor: Actor,
                             department_id: int | None) -> tuple[Viewer, set[int] | None]:
    viewer = await viewer_of(uow, actor)
    viewer.require_breakdowns()
    return viewer, viewer.focus(department_id)


@router.get("/sla/requests")
async def analytics_sla_requests(
    actor: CurrentActor, rt: Rt, window: Chosen,
    department_id: DepartmentFilter = None,
    type_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    breached: bool | None = None,
    cursor: Cursor = None, limit: PageLimit = 50,
) -> AnalyticsRequestPage:
    """The requests behind an SLA figure (filed in the range to the department; of a type;
    breached or not) that the caller may open, newest first."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        _, focus = await _drill_down_viewer(uow, actor, department_id)
        rows = await queries.sla_requests(uow, actor, window.days, focus, type_id=type_id,
                                          breached=breached, before_id=before_id,
                                          limit=limit + 1)
    page = rows[:limit]
    return AnalyticsRequestPage(
        items=[AnalyticsRequestItem(
            id=r.id, number=number_of(r.id), title=r.title, status=r.status,
            department_id=r.department_id, type_id=r.type_id, filed_at=r.filed_at,
            response_hours=_hours(r.response_seconds),
            resolution_hours=_hours(r.resolution_seconds),
            response_breached=r.response_breached, resolution_breached=r.resolution_breached)
            for r in page],
        next_cursor=encode_cursor(page[-1].id) if len(rows) > limit else None)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


@router.get("/delivery/tasks")
async def analytics_delivery_tasks(
    actor: CurrentActor, rt: Rt, window: Chosen,
    department_id: DepartmentFilter = None,
    project_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    kind: Literal["overdue", "late", "completed"] = "overdue",
    cursor: Cursor = None, limit: PageLimit = 50,
) -> AnalyticsTaskPage:
    """The tasks behind a delivery figure, in projects the caller sees, newest first:
    `overdue` (due in the range before today, still open), `late` (completed in the range
    after their due day) or `completed` (in the range)."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        _, focus = await _drill_down_viewer(uow, actor, department_id)
        rows = await queries.delivery_tasks(uow, actor, window.days, window.today, focus,
                                            project_id=project_id, kind=kind,
                                            before_id=before_id, limit=limit + 1)
    page = rows[:limit]
    return AnalyticsTaskPage(
        items=[AnalyticsTaskItem(id=t.id, title=t.title, project_id=t.project_id,
                                 project_name=t.project_name, department_id=t.department_id,
                                 due_at=t.due_at, completed_at=t.completed_at, late=t.late)
               for t in page],
        next_cursor=encode_cursor(page[-1].id) if len(rows) > limit else None)


# --- exports -----------------------------------------------------------------------------

async def _sheets(uow: UnitOfWork, actor: Actor, chart: Chart, window: Window,
                  department_id: int | None) -> list[Sheet]:
    viewer = await viewer_of(uow, actor)
    match chart:
        case Chart.OVERVIEW:
            return exports.overview_sheets(
                await views.overview(uow, viewer, window, department_id))
        case Chart.NETWORK:
            return exports.network_sheets(
                await views.network(uow, viewer, window, department_id))
        case Chart.RESPONSIVENESS:
            return exports.responsiveness_sheets(
                await views.responsiveness(uow, viewer, window, department_id))
        case Chart.SLA:
            return exports.sla_sheets(await views.sla(uow, viewer, window, department_id))
        case Chart.DELIVERY:
            return exports.delivery_sheets(
                await views.delivery(uow, actor, viewer, window, department_id))
        case Chart.SATISFACTION:
            return exports.satisfaction_sheets(
                await views.satisfaction(uow, actor, viewer, window, department_id))
        case Chart.ADOPTION:
            return exports.adoption_sheets(
                await views.adoption(uow, viewer, window, department_id))


def _attachment(chart: Chart, window: Window, suffix: str) -> str:
    return content_disposition(
        f"数据洞察-{exports.TITLES[chart]}-{window.days.first}-{window.days.last}.{suffix}",
        inline=False)


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/export/{chart}.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
async def export_analytics_csv(chart: Chart, actor: CurrentActor, rt: Rt, window: Chosen,
                               department_id: DepartmentFilter = None) -> Response:
    """A dashboard's figures as CSV (UTF-8 with a byte order mark, Chinese headers)."""
    async with rt.reader() as uow:
        sheets = await _sheets(uow, actor, chart, window, department_id)
    return Response(content=exports.to_csv(sheets), media_type=CSV,
                    headers={"Content-Disposition": _attachment(chart, window, "csv")})


@router.get("/export/{chart}.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}}})
async def export_analytics_xlsx(chart: Chart, actor: CurrentActor, rt: Rt, window: Chosen,
                                department_id: DepartmentFilter = None) -> Response:
    """A dashboard's figures as an Excel workbook, a sheet per table."""
    async with rt.reader() as uow:
        sheets = await _sheets(uow, actor, chart, window, department_id)
    return Response(content=exports.to_xlsx(sheets), media_type=XLSX,
                    headers={"Content-Disposition": _attachment(chart, window, "xlsx")})
