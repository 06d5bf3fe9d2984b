"""The dashboards as the viewer may see them: the figures (`figures.py`) cut to the rows the
viewer may break down, suppressed where a row has too few people, and shaped as the replies
(`schemas.py`). The routes and the exports both call these."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from xietong.analytics import figures, metrics, queries
from xietong.analytics.access import OTHERS, Viewer
from xietong.analytics.figures import Days, subtree_groups
from xietong.analytics.schemas import (
    AnalyticsAccess,
    AnalyticsAdoption,
    AnalyticsAdoptionRow,
    AnalyticsDay,
    AnalyticsDelivery,
    AnalyticsDeliveryDepartment,
    AnalyticsDeliveryFigures,
    AnalyticsDeliveryProject,
    AnalyticsEdge,
    AnalyticsHour,
    AnalyticsMentionFigures,
    AnalyticsNetwork,
    AnalyticsNode,
    AnalyticsOverview,
    AnalyticsPeople,
    AnalyticsRange,
    AnalyticsRatingRow,
    AnalyticsRequestFigures,
    AnalyticsResponsiveness,
    AnalyticsResponsivenessRow,
    AnalyticsSatisfaction,
    AnalyticsSla,
    AnalyticsSlaRow,
    AnalyticsSlaTotals,
    AnalyticsSurveyScore,
    AnalyticsTotals,
)
from xietong.business_calendar.queries import work_calendar
from xietong.chat.models import ChannelKind
from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries

# The kinds of channel the overview counts messages in (`metrics.messages_in`).
CHANNEL_KINDS = tuple(kind.value for kind in ChannelKind)

OTHERS_NAME = "其他部门"
# A department whose cross-department share of messages is below this is an island.
ISLAND_THRESHOLD = 0.1
# The most projects the delivery dashboard lists (those with the most tasks created first).
MAX_PROJECTS = 100
# The most surveys the satisfaction dashboard lists (the newest).
MAX_SURVEYS = 20


@dataclass(frozen=True, slots=True)
class Window:
    """The days asked about, and the company's today and time zone."""

    days: Days
    today: date
    now: datetime
    zone: ZoneInfo


def access_out(viewer: Viewer) -> AnalyticsAccess:
    return AnalyticsAccess(scope=viewer.reach.value, department_ids=sorted(viewer.visible),
                           min_group_size=viewer.min_group_size)


def _range(days: Days) -> AnalyticsRange:
    return AnalyticsRange(from_=days.first, to=days.last)


def _name(viewer: Viewer, department_id: int) -> str:
    return OTHERS_NAME if department_id == OTHERS else viewer.chart.names.get(
        department_id, str(department_id))


# --- overview ----------------------------------------------------------------------------

async def _totals(uow: UnitOfWork, days: Days,
                  focus: Collection[int] | None) -> AnalyticsTotals:
    counts = await figures.count_totals(
        uow, days, (metrics.MESSAGES, metrics.FILES_UPLOADED, metrics.FILES_DOWNLOADED,
                    metrics.SEARCHES, metrics.REQUESTS_FILED), focus)
    channels = await figures.channel_totals(uow, days, focus)
    return AnalyticsTotals(messages=round(counts[metrics.MESSAGES]),
                           channels_active=channels.active, shared_channels=channels.shared,
                           files_uploaded=round(counts[metrics.FILES_UPLOADED]),
                           files_downloaded=round(counts[metrics.FILES_DOWNLOADED]),
                           searches=round(counts[metrics.SEARCHES]),
                           requests_filed=round(counts[metrics.REQUESTS_FILED]),
                           tasks_completed=await figures.tasks_completed(uow, days, focus))


async def _people(uow: UnitOfWork, days: Days, headcount: int,
                  focus: Collection[int] | None) -> AnalyticsPeople:
    found = await figures.active_people(uow, days, headcount, focus)
    return AnalyticsPeople(dau_avg=found.dau_avg, wau=found.wau, mau=found.mau,
                           active_share=found.active_share)


async def overview(uow: UnitOfWork, viewer: Viewer, window: Window,
                   department_id: int | None) -> AnalyticsOverview:
    """The company's (or, with `department_id`, that subtree's) activity: people, totals
    against the range before, day by day, and today's messages hour by hour (the company's
    only). Open to every viewer, the overview-only included (the company as a whole)."""
    focus = viewer.focus(department_id) if department_id is not None else None
    days = window.days
    if department_id is None:
        headcount = await org_queries.count_active_users(uow)
    elif viewer.may_break_down(department_id):
        headcount = viewer.chart.people.get(department_id, 0)
    else:
        return AnalyticsOverview(range=_range(days), previous=_range(days.previous()),
                                 suppressed=True, people=None, previous_people=None,
                                 totals=None, previous_totals=None, daily=[], today_hourly=[])
    kinds = [metrics.messages_in(kind) for kind in CHANNEL_KINDS]
    daily = await figures.daily_counts(
        uow, days, (*kinds, metrics.FILES_UPLOADED, metrics.FILES_DOWNLOADED, metrics.SEARCHES),
        focus)
    active = await figures.daily_active(uow, days, focus)
    return AnalyticsOverview(
        range=_range(days), previous=_range(days.previous()), suppressed=False,
        people=await _people(uow, days, headcount, focus),
        previous_people=await _people(uow, days.previous(), headcount, focus),
        totals=await _totals(uow, days, focus),
        previous_totals=await _totals(uow, days.previous(), focus),
        daily=[AnalyticsDay(
            day=day, active=active[day],
            messages_by_kind={kind: round(counts[metrics.messages_in(kind)])
                              for kind in CHANNEL_KINDS},
            files_uploaded=round(counts[metrics.FILES_UPLOADED]),
            files_downloaded=round(counts[metrics.FILES_DOWNLOADED]),
            searches=round(counts[metrics.SEARCHES])) for day, counts in daily.items()],
        today_hourly=await _today_hourly(uow, window) if focus is None else [])


async def _today_hourly(uow: UnitOfWork, window: Window) -> list[AnalyticsHour]:
    midnight = datetime.combine(window.today, time.min, window.zone)
    start = midnight.astimezone(window.now.tzinfo)
    hours = []
    hour = start
    while hour <= window.now:
        hours.append(hour)
        hour += timedelta(hours=1)
    found = await figures.hourly(uow, start, window.now + timedelta(seconds=1),
                                 metrics.HOUR_MESSAGES)
    return [AnalyticsHour(hour=hour, messages=round(found.get(hour, 0))) for hour in hours]


# --- breakdowns --------------------------------------------------------------------------

def breakdown_rows(viewer: Viewer, department_id: int | None) -> dict[int, frozenset[int]]:
    """The rows a breakdown lists (after checking the filter) and what each sums."""
    viewer.require_breakdowns()
    viewer.focus(department_id)
    return subtree_groups(viewer.chart, viewer.rows(department_id))


async def network(uow: UnitOfWork, viewer: Viewer, window: Window,
                  department_id: int | None) -> AnalyticsNetwork:
    """Departments as nodes and their interactions as edges. Every department outside the
    rows folds into one node, `department_id` 0 ("其他部门"); edges of a suppressed node
    are left out, as are a node's with itself."""
    groups = breakdown_rows(viewer, department_id)
    node_of = {d: OTHERS for d in viewer.chart.names} | {OTHERS: OTHERS}
    for row, departments in groups.items():
        for department in departments:
            node_of[department] = row
    others = frozenset(d for d, node in node_of.items() if node == OTHERS)
    counts = await figures.counts_by_group(uow, window.days,
                                           (metrics.MESSAGES, metrics.CROSS_MESSAGES),
                                           {**groups, OTHERS: others})
    pairs = await figures.pair_sums(uow, window.days, metrics.NETWORK_PAIRS, node_of)
    company = await org_queries.count_active_users(uow)
    people = {row: viewer.chart.people.get(row, 0) for row in groups}
    people[OTHERS] = max(0, company - sum(people.values()))
    suppressed = {row: not viewer.may_break_down(row) for row in groups}
    suppressed[OTHERS] = people[OTHERS] < viewer.min_group_size
    edges = [(a, b, values) for (a, b), values in pairs.items()
             if not suppressed[a] and not suppressed[b]]
    strongest = max((sum(values.values()) for _, _, values in edges), default=0.0)
    nodes = list(groups)
    if any(OTHERS in (a, b) for a, b, _ in edges):
        nodes.append(OTHERS)
    return AnalyticsNetwork(
        threshold=ISLAND_THRESHOLD,
        nodes=[_node(viewer, row, people[row], counts[row], suppressed[row]) for row in nodes],
        edges=[AnalyticsEdge(from_department_id=a, to_department_id=b,
                             messages=round(values[metrics.PAIR_MESSAGES]),
                             mentions=round(values[metrics.PAIR_MENTIONS]),
                             requests=round(values[metrics.PAIR_REQUESTS]),
                             kudos=round(values[metrics.PAIR_KUDOS]),
                             weight=round(sum(values.values()) / strongest, 4))
               for a, b, values in sorted(edges, key=lambda e: (e[0], e[1]))])


def _node(viewer: Viewer, row: int, people: int, counts: dict[str, float],
          suppressed: bool) -> AnalyticsNode:
    if suppressed:
        return AnalyticsNode(department_id=row, name=_name(viewer, row), people=people,
                             messages=None, cross_messages=None, cross_share=None,
                             island=None, suppressed=True)
    cross_share = figures.share(counts[metrics.CROSS_MESSAGES], counts[metrics.MESSAGES])
    return AnalyticsNode(department_id=row, name=_name(viewer, row), people=people,
                         messages=round(counts[metrics.MESSAGES]),
                         cross_messages=round(counts[metrics.CROSS_MESSAGES]),
                         cross_share=cross_share,
                         island=cross_share is None or cross_share < ISLAND_THRESHOLD,
                         suppressed=False)


async def responsiveness(uow: UnitOfWork, viewer: Viewer, window: Window,
                         department_id: int | None) -> AnalyticsResponsiveness:
    """How fast each receiving department answers cross-department mentions and requests
    (first response, working hours)."""
    groups = breakdown_rows(viewer, department_id)
    mentions = await figures.mention_stats(uow, window.days, groups)
    requests = await figures.request_stats(uow, window.days, groups)
    rows = []
    for row in groups:
        shown = viewer.may_break_down(row)
        mention = mentions[row]
        request = requests.get((row, None), figures.RequestStats())
        rows.append(AnalyticsResponsivenessRow(
            department_id=row, name=_name(viewer, row), suppressed=not shown,
            mentions=AnalyticsMentionFigures(
                count=mention.count, answered=mention.answered,
                median_hours=mention.median_hours, p90_hours=mention.p90_hours)
            if shown else None,
            requests=AnalyticsRequestFigures(
                count=request.filed, responded=request.responded,
                median_hours=request.median_response_hours,
                p90_hours=request.p90_response_hours) if shown else None))
    return AnalyticsResponsiveness(rows=rows)


async def sla(uow: UnitOfWork, viewer: Viewer, window: Window,
              department_id: int | None) -> AnalyticsSla:
    """Requests filed in the range per receiving department and type: SLAs met and
    breached. `company`: the whole company's (the filtered department's, with one)."""
    groups = breakdown_rows(viewer, department_id)
    stats = await figures.request_stats(uow, window.days, groups, by_type=True)
    names = await queries.type_names(uow, {t for _, t in stats if t is not None})
    rows = []
    for row in groups:
        shown = viewer.may_break_down(row)
        kinds = sorted((t for r, t in stats if r == row), key=lambda t: (t is None, t or 0))
        if not shown:
            rows.append(AnalyticsSlaRow(
                department_id=row, name=_name(viewer, row), type_id=None, type_name=None,
                suppressed=True, filed=None, response_met=None, resolution_met=None,
                breached=None, compliance=None))
            continue
        for type_id in kinds or [None]:
            found = stats.get((row, type_id), figures.RequestStats())
            rows.append(AnalyticsSlaRow(
                department_id=row, name=_name(viewer, row), type_id=type_id,
                type_name=names.get(type_id) if type_id is not None else None,
                suppressed=False, filed=found.filed, response_met=found.response_met,
                resolution_met=found.resolution_met, breached=found.breached,
                compliance=found.compliance))
    total = await figures.request_totals(
        uow, window.days, viewer.chart.subtree(department_id) if department_id else None)
    return AnalyticsSla(rows=rows, company=AnalyticsSlaTotals(
        filed=total.filed, breached=total.breached, compliance=total.compliance))


def _delivery(stats: figures.TaskStats | None) -> AnalyticsDeliveryFigures:
    if stats is None:
        return AnalyticsDeliveryFigures(
            created=None, completed=None, completion_rate=None, median_cycle_days=None,
            due=None, overdue_open=None, overdue_rate=None, completed_late=None)
    return AnalyticsDeliveryFigures(
        created=stats.created, completed=stats.completed,
        completion_rate=stats.completion_rate, median_cycle_days=stats.median_cycle_days,
        due=stats.due, overdue_open=stats.overdue_open, overdue_rate=stats.overdue_rate,
        completed_late=stats.completed_late)


async def delivery(uow: UnitOfWork, actor: Actor, viewer: Viewer, window: Window,
                   department_id: int | None) -> AnalyticsDelivery:
    """Tasks per department (their assignees') and per project (the projects the caller
    sees, over the tasks of the departments they see). Cycle times in working days."""
    groups = breakdown_rows(viewer, department_id)
    focus = viewer.focus(department_id)
    calendar = await work_calendar(uow, default_zone=window.zone)
    day_seconds = calendar.hours.per_day.total_seconds()
    stats, per_project = await figures.delivery_stats(uow, window.days, groups, window.today,
                                                      focus, day_seconds=day_seconds)
    names = await queries.visible_project_names(uow, actor, per_project)
    shown = sorted((p for p in per_project if p in names),
                   key=lambda p: (-per_project[p].created, -per_project[p].completed, p))
    return AnalyticsDelivery(
        departments=[AnalyticsDeliveryDepartment(
            department_id=row, name=_name(viewer, row),
            suppressed=not viewer.may_break_down(row),
            **_delivery(stats[row] if viewer.may_break_down(row) else None).model_dump())
            for row in groups],
        projects=[AnalyticsDeliveryProject(project_id=p, name=names[p],
                                           **_delivery(per_project[p]).model_dump())
                  for p in shown[:MAX_PROJECTS]])


async def satisfaction(uow: UnitOfWork, actor: Actor, viewer: Viewer, window: Window,
                       department_id: int | None) -> AnalyticsSatisfaction:
    """Ratings of the requests filed in the range, by receiving department; the scores of
    the surveys created in the range whose results the caller sees (those asking the
    departments they see, unless they see the whole company and filter none)."""
    groups = breakdown_rows(viewer, department_id)
    ratings = await figures.rating_stats(uow, window.days, groups)
    rows = []
    for row in groups:
        shown = viewer.may_break_down(row)
        found = ratings[row]
        rows.append(AnalyticsRatingRow(
            department_id=row, name=_name(viewer, row), suppressed=not shown,
            ratings=found.ratings if shown else None,
            average=found.average if shown else None,
            distribution=list(found.distribution) if shown else None))
    since = datetime.combine(window.days.first, time.min, window.zone)
    until = datetime.combine(window.days.last + timedelta(days=1), time.min, window.zone)
    surveys = await queries.survey_scores(uow, actor, since, until,
                                          viewer.focus(department_id), limit=MAX_SURVEYS)
    return AnalyticsSatisfaction(requests=rows, surveys=[
        AnalyticsSurveyScore(survey_id=s.survey_id, title=s.title,
                             kind="nps" if s.kind == "nps" else "scale",
                             responses=s.responses, score=s.score) for s in surveys])


async def adoption(uow: UnitOfWork, viewer: Viewer, window: Window,
                   department_id: int | None) -> AnalyticsAdoption:
    """The share of each department's people active, week by week."""
    groups = breakdown_rows(viewer, department_id)
    found = await figures.weekly_adoption(uow, window.days, groups)
    rows = []
    for row in groups:
        people = viewer.chart.people.get(row, 0)
        shown = viewer.may_break_down(row)
        rows.append(AnalyticsAdoptionRow(
            department_id=row, name=_name(viewer, row), people=people, suppressed=not shown,
            shares=found.shares(row, people) if shown else None))
    return AnalyticsAdoption(weeks=found.weeks, rows=rows)
