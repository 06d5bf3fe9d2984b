"""Maturity reports are made by durable jobs: one asked for (`POST /analytics/reports`) is a
pending row and a job that fills it; every day at 06:00 a recurring job makes the company's
and each department's report for the quarter just ended, when a quarter has just begun.

The recurring job runs daily rather than on the quarter's first day alone because a
schedule never catches up: an installation that was down on 1 January still gets its
reports on the 2nd. It looks back only `CATCH_UP_DAYS` into the new quarter, so a department
made later in the quarter gets no report for a quarter it did not see, and it makes one
report per period and department however often it runs (the job key of each report is
the guard, the rows already made the quick answer)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from xietong.analytics.access import Viewer, org_chart
from xietong.analytics.models import Report
from xietong.analytics.report import Quarter, compute_report, parse_period, quarter_of_day
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid, NotFound
from xietong.core.uow import UnitOfWork
from xietong.manifest import JobHandler, JobKind, JobNeeds
from xietong.org.company_settings.queries import company_settings
from xietong.policy import analytics as policy

log = logging.getLogger("xietong.analytics")

REPORT_JOB = "analytics.report"
QUARTERLY_JOB = "analytics.quarterly-reports"
QUARTERLY_SCHEDULE = "daily 06:00"
# How many days into a quarter the recurring job still makes the last quarter's reports.
CATCH_UP_DAYS = 7
# A report's job is tried this often before the report is given up as failed.
REPORT_ATTEMPTS = 3

PENDING, READY, FAILED = "pending", "ready", "failed"


def _report_key(report_id: int) -> str:
    return f"{REPORT_JOB}:{report_id}"


def _scheduled_key(period: str, department_id: int | None) -> str:
    return f"{REPORT_JOB}:scheduled:{period}:{department_id or 'company'}"


def check_department(viewer: Viewer, department_id: int | None) -> None:
    """The viewer may have this report: the company's for those who see the company, a
    department's for those who see that department (404 otherwise), and only for a
    department large enough to be shown on its own (422 `report_group_too_small`)."""
    viewer.require_breakdowns()
    if department_id is None:
        if not viewer.sees_company:
            raise NotFound("Only those who see the whole company may have its report.",
                           code="analytics_department_hidden")
        return
    if department_id not in viewer.chart.names:
        raise Invalid(f"There is no department {department_id}.", code="unknown_department")
    if department_id not in viewer.visible:
        raise NotFound("You may not see this department's figures.",
                       code="analytics_department_hidden")
    if not policy.may_see_breakdown(viewer.chart.people.get(department_id, 0),
                                    viewer.min_group_size):
        raise Invalid(f"The department has fewer than {viewer.min_group_size} people: "
                      "its figures are not shown on their own.", code="report_group_too_small")


async def do_request_report(uow: UnitOfWork, actor: Actor, viewer: Viewer, quarter: Quarter, *,
                            department_id: int | None, today: date) -> Report:
    """A report asked for: a pending row and the job that fills it. The same person asking
    again while theirs is still pending gets that one (a second click makes nothing)."""
    check_department(viewer, department_id)
    if quarter.first_day > today:
        raise Invalid(f"{quarter.period} has not begun yet.", code="period_in_future")
    waiting = await uow.session.scalar(
        select(Report).where(Report.period == quarter.period,
                             _department_is(department_id), Report.status == PENDING,
                             Report.requested_by == actor.user_id))
    if waiting is not None:
        return waiting
    report = Report(period=quarter.period, department_id=department_id, status=PENDING,
                    requested_by=actor.user_id, created_at=utcnow(), data={})
    uow.session.add(report)
    await uow.session.flush()
    await uow.enqueue(REPORT_JOB, {"report_id": report.id}, key=_report_key(report.id),
                      max_attempts=REPORT_ATTEMPTS)
    return report


def _department_is(department_id: int | None) -> Any:
    return (Report.department_id.is_(None) if department_id is None
            else Report.department_id == department_id)


async def generate_report(uow: UnitOfWork, report_id: int, *, zone: ZoneInfo,
                          today: date) -> Report | None:
    """Fill a pending report (a report already filled is left as it is: the job may run
    twice). A report that cannot be computed is marked failed, with the reason, rather
    than retried: the same figures would fail the same way."""
    report = await uow.session.get(Report, report_id, with_for_update=True)
    if report is None or report.status != PENDING:
        return report
    try:
        async with uow.session.begin_nested():
            data = await compute_report(uow, await org_chart(uow),
                                        parse_period(report.period),
                                        department_id=report.department_id, zone=zone,
                                        today=today)
    except Exception as error:  # whatever it was, the report says it failed
        log.exception("maturity report %s could not be made", report_id)
        report.status = FAILED
        report.error = f"{type(error).__name__}: {error}"[:500]
    else:
        report.data = data
        report.status = READY
    report.generated_at = utcnow()
    return report


async def make_quarterly_reports(uow: UnitOfWork, *, zone: ZoneInfo, today: date) -> list[Report]:
    """In the first `CATCH_UP_DAYS` of a quarter: the last quarter's report for the company
    and for each department with enough people, each made once: pending rows, each filled
    by a job of its own (the new ones are answered)."""
    quarter = quarter_of_day(today)
    if today > quarter.first_day + timedelta(days=CATCH_UP_DAYS - 1):
        return []
    ended = quarter.previous
    chart = await org_chart(uow)
    min_size = (await company_settings(uow)).analytics_min_group_size
    wanted: list[int | None] = [None, *sorted(
        d for d in chart.names if policy.may_see_breakdown(chart.people.get(d, 0), min_size))]
    made = {department_id for department_id in await uow.session.scalars(
        select(Report.department_id).where(Report.period == ended.period,
                                           Report.requested_by.is_(None)))}
    created: list[Report] = []
    for department_id in wanted:
        if department_id in made:
            continue
        report = Report(period=ended.period, department_id=department_id, status=PENDING,
                        requested_by=None, created_at=utcnow(), data={})
        uow.session.add(report)
        await uow.session.flush()
        # The job's key is the guard against a second run making the same report again.
        if await uow.enqueue(REPORT_JOB, {"report_id": report.id},
                             key=_scheduled_key(ended.period, department_id),
                             max_attempts=REPORT_ATTEMPTS) is None:
            await uow.session.delete(report)
            continue
        created.append(report)
    return created


def report_handler(needs: JobNeeds) -> JobHandler:
    async def handle(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await generate_report(uow, int(payload["report_id"]), zone=needs.zone,
                              today=utcnow().astimezone(needs.zone).date())

    return handle


def quarterly_handler(needs: JobNeeds) -> JobHandler:
    async def handle(uow: UnitOfWork, _payload: dict[str, Any]) -> None:
        await make_quarterly_reports(uow, zone=needs.zone,
                                     today=utcnow().astimezone(needs.zone).date())

    return handle


REPORT_JOB_KINDS = (JobKind(REPORT_JOB, report_handler),
                    JobKind(QUARTERLY_JOB, quarterly_handler, every=QUARTERLY_SCHEDULE))
