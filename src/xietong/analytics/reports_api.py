"""Routes of the maturity reports (`/api/v1/analytics/reports`): the list of those the
caller may see, asking for one (made by a job), and each as JSON, an HTML page and a PDF.

Who sees a report is who sees its figures: the company's to those who see the company, a
department's to those who see that department (`analytics.access.Viewer`); anything else
is a 404, as if it did not exist."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, false, select, true

from xietong.analytics import report_render
from xietong.analytics.access import Viewer, viewer_of
from xietong.analytics.models import Report
from xietong.analytics.report import COMPANY_NAME, parse_period
from xietong.analytics.report_jobs import READY, do_request_report
from xietong.core.clock import utcnow
from xietong.core.errors import Conflict, NotFound
from xietong.core.ids import Id
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.schemas import Strict
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, IdPath, Rt

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])

# PDFs laid out at once on a node (each takes a worker thread and a few hundred ms of CPU).
_PDF_SLOTS = threading.BoundedSemaphore(2)
_PAGE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


class AnalyticsReportAsk(Strict):
    period: Annotated[str, Field(max_length=16, description='A quarter: "2026-Q4".')]
    department_id: Id | None = None


class AnalyticsReportRange(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date


class AnalyticsReportOverall(BaseModel):
    score: float | None
    previous: float | None
    change: float | None


class AnalyticsReportIndicator(BaseModel):
    key: str
    name: str
    value: float | None
    display: str
    score: float | None
    samples: int
    target: str
    previous_value: float | None
    previous_score: float | None
    change: float | None


class AnalyticsReportWeakPoint(BaseModel):
    key: str
    name: str
    score: float
    advice: str


class AnalyticsReportData(BaseModel):
    period: str
    label: str
    department_id: int | None
    department_name: str
    range: AnalyticsReportRange
    complete: bool
    overall: AnalyticsReportOverall
    indicators: list[AnalyticsReportIndicator]
    weakest: list[AnalyticsReportWeakPoint]
    left_out: list[str]


class AnalyticsReport(BaseModel):
    id: int
    period: str
    department_id: int | None
    department_name: str
    status: str = Field(description="pending | ready | failed")
    # None: made by the recurring job at the start of the next quarter.
    requested_by: int | None
    created_at: datetime
    generated_at: datetime | None
    data: AnalyticsReportData | None


class AnalyticsReportPage(BaseModel):
    items: list[AnalyticsReport]
    next_cursor: str | None


def _out(report: Report, viewer: Viewer) -> AnalyticsReport:
    ready = report.status == READY
    if ready:
        name = str(report.data.get("department_name", ""))
    elif report.department_id is None:
        name = COMPANY_NAME
    else:
        name = viewer.chart.names.get(report.department_id, "")
    return AnalyticsReport(id=report.id, period=report.period, department_id=report.department_id,
                     department_name=name, status=report.status,
                     requested_by=report.requested_by, created_at=report.created_at,
                     generated_at=report.generated_at,
                     data=AnalyticsReportData.model_validate(report.data) if ready else None)


def _seen_by(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.sees_company:
        return true()
    if not viewer.visible:
        return false()
    return Report.department_id.in_(sorted(viewer.visible))


async def _access_report(uow: UnitOfWork, viewer: Viewer, report_id: int) -> Report:
    viewer.require_breakdowns()
    report = await uow.session.get(Report, report_id)
    if report is None or not (viewer.sees_company or report.department_id in viewer.visible):
        raise NotFound("There is no such report.", code="report_not_found")
    return report


def _ready(report: Report) -> dict[str, Any]:
    if report.status != READY:
        raise Conflict("The report is not ready: it is still being made, or it failed "
                       "(ask for it again).", code="report_not_ready")
    return report.data


@router.get("/reports")
async def analytics_reports(
    actor: CurrentActor, rt: Rt,
    period: Annotated[str | None, Query(max_length=16)] = None,
    department_id: Annotated[int | None, Query(ge=1)] = None,
    company: Annotated[bool, Query(description="Only the company's reports.")] = False,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> AnalyticsReportPage:
    """The reports the caller may see, newest first; `period` (2026-Q4), `department_id`
    or `company` narrow the list."""
    async with rt.reader() as uow:
        viewer = await viewer_of(uow, actor)
        viewer.require_breakdowns()
        statement = select(Report).where(_seen_by(viewer))
        if period is not None:
            statement = statement.where(Report.period == parse_period(period).period)
        if company:
            statement = statement.where(Report.department_id.is_(None))
        elif department_id is not None:
            statement = statement.where(Report.department_id == department_id)
        if cursor:
            statement = statement.where(Report.id < decode_cursor(cursor, int)[0])
        reports = list((await uow.session.scalars(
            statement.order_by(Report.id.desc()).limit(limit + 1))).all())
    more = len(reports) > limit
    reports = reports[:limit]
    return AnalyticsReportPage(items=[_out(r, viewer) for r in reports],
                      next_cursor=encode_cursor(reports[-1].id) if more else None)


@router.post("/reports", status_code=202)
async def analytics_ask_for_report(body: AnalyticsReportAsk, actor: CurrentActor,
                                   rt: Rt) -> AnalyticsReport:
    """Make the report of a quarter (`period`, 2026-Q4) for the company (no
    `department_id`) or a department and those below it: answered at once, `pending`,
    while a job computes it (then `ready`, or `failed`). A quarter under way is counted up
    to today; one not yet begun is a 422 `period_in_future`. Asking again while one's own
    is pending answers that one."""
    quarter = parse_period(body.period)
    today = utcnow().astimezone(rt.settings.zone).date()
    async with rt.unit_of_work() as uow:
        viewer = await viewer_of(uow, actor)
        report = await do_request_report(uow, actor, viewer, quarter,
                                         department_id=body.department_id, today=today)
        return _out(report, viewer)


_HTML_REPLY: dict[int | str, dict[str, Any]] = {
    200: {"description": "The report as a standalone HTML page.",
          "content": {"text/html": {"schema": {"type": "string"}}}}}
_PDF_REPLY: dict[int | str, dict[str, Any]] = {
    200: {"description": "The report as an A4 PDF.",
          "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/reports/{report_id}.html", response_class=HTMLResponse, responses=_HTML_REPLY)
async def analytics_report_page(report_id: IdPath, actor: CurrentActor, rt: Rt) -> HTMLResponse:
    """The report as a page to read or print (no script; 409 `report_not_ready` until it
    is made)."""
    async with rt.reader() as uow:
        report = await _access_report(uow, await viewer_of(uow, actor), report_id)
        data = _ready(report)
    page = report_render.render_html(data, generated_at=report.generated_at,
                                     zone=rt.settings.zone)
    return HTMLResponse(page, headers={"Content-Security-Policy": _PAGE_POLICY,
                                       "Cache-Control": "private, no-store",
                                       "X-Content-Type-Options": "nosniff"})


@router.get("/reports/{report_id}.pdf", response_class=Response, responses=_PDF_REPLY)
async def analytics_report_pdf(report_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    """The report as a PDF to forward, named 协作成熟度报告-<quarter>-<department>.pdf."""
    async with rt.reader() as uow:
        report = await _access_report(uow, await viewer_of(uow, actor), report_id)
        data = _ready(report)
    page = report_render.render_html(data, generated_at=report.generated_at,
                                     zone=rt.settings.zone)
    pdf = await asyncio.to_thread(_pdf, page)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": (
            f'attachment; filename="{report_render.ascii_file_name(data, "pdf")}"; '
            f"filename*=UTF-8''{quote(report_render.file_name(data, 'pdf'), safe='')}"),
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


def _pdf(page: str) -> bytes:
    with _PDF_SLOTS:
        return report_render.render_pdf(page)


@router.get("/reports/{report_id}")
async def analytics_report(report_id: IdPath, actor: CurrentActor, rt: Rt) -> AnalyticsReport:
    """One report: its indicators once `ready`."""
    async with rt.reader() as uow:
        viewer = await viewer_of(uow, actor)
        report = await _access_report(uow, viewer, report_id)
    return _out(report, viewer)
