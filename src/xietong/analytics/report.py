"""The collaboration maturity report (协作成熟度报告): per quarter, for the company or one
department (with the departments below it), a set of indicators scored 0–100, the overall
score (their mean), the trend against the previous quarter and the three weakest points.

A report is computed once, by a job (`analytics.report_jobs`), and kept whole in
`Report.data`, so a report someone forwarded reads the same later. Its shape (`data`):

    {"period", "label", "department_id", "department_name", "range": {"from", "to"},
     "overall": {"score", "previous", "change"},
     "indicators": [{"key", "name", "value", "display", "score", "previous_value",
                     "previous_score", "change", "samples", "target"}],
     "weakest": [{"key", "name", "score", "advice"}],
     "left_out": [keys without data this quarter]}

An indicator with no data in the quarter (no requests, no documents) has `score` null and
counts neither in the overall score nor among the weakest."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, true

from xietong.analytics import figures, metrics
from xietong.analytics.access import OrgChart
from xietong.analytics.models import TaskFact
from xietong.core.errors import Invalid
from xietong.core.uow import UnitOfWork
from xietong.documents import queries as documents_queries

_PERIOD = re.compile(r"([0-9]{4})-Q([1-4])")
_QUARTER_NAMES = ("一", "二", "三", "四")
# The oldest year a report may be asked for (before it, the server did not exist).
FIRST_YEAR = 2000
FRESH_DAYS = 90
# A first response this many working hours after it was asked for scores 0.
SLOW_HOURS = 8.0


# --- periods -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @property
    def period(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{_QUARTER_NAMES[self.number - 1]}季度"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next.first_day - timedelta(days=1)

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year,
                                                                           self.number - 1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year,
                                                                          self.number + 1)


def quarter_of_day(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def parse_period(text: str) -> Quarter:
    """"2026-Q4" as a quarter, or 422 `invalid_period`."""
    match = _PERIOD.fullmatch(text.strip())
    if match is None or int(match[1]) < FIRST_YEAR:
        raise Invalid(f"{text!r} is not a quarter: write it as 2026-Q4.",
                      code="invalid_period")
    return Quarter(int(match[1]), int(match[2]))


@dataclass(frozen=True, slots=True)
class Window:
    """The days a report counts (company-zone dates, inclusive) and the same as UTC
    instants [start, end). A quarter still under way is counted up to `today`."""

    first: date
    last: date
    start: datetime
    end: datetime
    # Tasks due up to this day are judged on time or not (a quarter under way: yesterday,
    # as today's are not late yet).
    due_until: date


def window_of(quarter: Quarter, zone: ZoneInfo, today: date) -> Window:
    """The counted range of `quarter` as of `today`; 422 `period_in_future` when it has not
    begun."""
    if quarter.first_day > today:
        raise Invalid(f"{quarter.period} has not begun yet.", code="period_in_future")
    last = min(quarter.last_day, today)
    due_until = quarter.last_day if quarter.last_day < today else today - timedelta(days=1)
    return Window(first=quarter.first_day, last=last,
                  start=_instant(quarter.first_day, zone),
                  end=_instant(last + timedelta(days=1), zone), due_until=due_until)


def _instant(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


# --- inputs: the figures an indicator is scored from ---------------------------------------

@dataclass(frozen=True, slots=True)
class Inputs:
    """The figures of one scope (a department's subtree, or the company) for one window."""

    # Cross-department links: share of the other departments talked to (the company: the
    # mean over its departments), and how many departments that is out of.
    link_share: float | None
    partners: int
    others: int
    messages: float
    cross_messages: float
    # First responses (requests and cross-department @mentions), in working seconds.
    response_seconds: Sequence[float]
    requests_filed: int
    requests_breached: int
    tasks_due: int
    tasks_on_time: int
    ratings: Sequence[int]
    pages: int
    fresh_pages: int


async def gather_inputs(uow: UnitOfWork, chart: OrgChart, scope: set[int] | None,
                        window: Window) -> Inputs:
    """The figures of `scope` (department ids; None: the company) over `window`: the
    dashboards' own (`analytics.figures`), so a report and the dashboards agree, and the
    pages of the documents domain."""
    days = figures.Days(window.first, window.last)
    groups: figures.Groups | None = None if scope is None else {ROW: scope}
    link_share, partners, others = await _links(uow, chart, scope, days)
    counts = await figures.count_totals(uow, days, (metrics.MESSAGES, metrics.CROSS_MESSAGES),
                                          scope)
    requests = (await figures.request_stats(uow, days, groups, keep_hours=True)).get(
        (ROW, None), figures.RequestStats())
    mentions = (await figures.mention_stats(uow, days, groups, keep_hours=True)).get(
        ROW, figures.MentionStats())
    ratings = (await figures.rating_stats(uow, days, groups)).get(ROW, figures.RatingStats())
    pages, fresh = await documents_queries.page_freshness(
        uow, scope, since=window.end - timedelta(days=FRESH_DAYS), until=window.end)
    if not partners and not counts[metrics.MESSAGES]:
        link_share = None  # nobody said anything: nothing to score, rather than a 0
    return Inputs(
        link_share=link_share, partners=partners, others=others,
        messages=counts[metrics.MESSAGES], cross_messages=counts[metrics.CROSS_MESSAGES],
        response_seconds=[h * figures.HOUR for h in (*requests.response_hours,
                                                      *mentions.hours)],
        requests_filed=requests.filed, requests_breached=requests.breached,
        **await _tasks(uow, scope, window),
        ratings=[n + 1 for n, count in enumerate(ratings.distribution) for _ in range(count)],
        pages=pages, fresh_pages=fresh)


# `figures` answers the company, and a single group, as row 0.
ROW = 0


async def _links(uow: UnitOfWork, chart: OrgChart, scope: set[int] | None,
                 days: figures.Days) -> tuple[float | None, int, int]:
    """The share of the other departments talked to (any interaction, either way): for a
    department's subtree, folded into one node; for the company, the mean over its
    departments (the network's density)."""
    known = set(chart.names)
    node_of = {d: (ROW if scope is not None and d in scope else d) for d in known}
    talked: dict[int, set[int]] = defaultdict(set)
    for source, target in await figures.pair_sums(uow, days, metrics.NETWORK_PAIRS, node_of):
        talked[source].add(target)
        talked[target].add(source)
    if scope is None:
        if len(known) < 2:
            return None, 0, 0
        shares = [len(talked[d]) / (len(known) - 1) for d in known]
        return statistics.fmean(shares), sum(1 for d in known if talked[d]), len(known)
    others = len(known - scope)
    if not others:
        return None, 0, 0
    return len(talked[ROW]) / others, len(talked[ROW]), others


async def _tasks(uow: UnitOfWork, scope: set[int] | None, window: Window) -> dict[str, int]:
    """Tasks due in the window (up to yesterday in a quarter under way), and how many of
    them were done by the day they were due (`figures.TaskStats` counts those completed
    late among the tasks completed, not among those due)."""
    on_time = and_(TaskFact.completed_day.is_not(None), TaskFact.completed_day <= TaskFact.due_at)
    within = true() if scope is None else TaskFact.department_id.in_(sorted(scope))
    row = (await uow.session.execute(
        select(func.count(TaskFact.task_id), func.count(TaskFact.task_id).filter(on_time))
        .where(TaskFact.due_at >= window.first, TaskFact.due_at <= window.due_until,
               TaskFact.deleted.is_(False), within))).one()
    return {"tasks_due": int(row[0]), "tasks_on_time": int(row[1])}


# --- scoring -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Definition:
    key: str
    name: str
    # What 100 takes: a share at or above `target` scores 100 (linear below it).
    target: str
    advice: str


DEFINITIONS: tuple[Definition, ...] = (
    Definition("links", "跨部门连接", "与一半以上的其他部门有往来",
               "主动与尚未往来的部门建立联系：共建项目群、邀请对方参加例会，或在需求提出时直接找到对口同事。"),
    Definition("cross_share", "跨部门交流占比", "30% 的消息是与其他部门的交流",
               "把跨部门的事情放到共享频道里讨论，减少只在部门内部转述，让信息直接到达相关同事。"),
    Definition("response", "首次响应时间", "0 小时为满分，8 个工作小时及以上为 0 分",
               "为跨部门需求和 @提及 设置值班人或响应约定，"
               "先回复“已收到、预计何时处理”，再跟进细节。"),
    Definition("sla", "SLA 达成率", "所有需求在 SLA 内响应并解决",
               "复核各类需求的 SLA 是否合理，对即将超时的需求提前提醒并及时转派，避免集中积压。"),
    Definition("on_time", "任务按时完成率", "所有到期任务按时完成",
               "在计划时预留缓冲，每周检查临近到期的任务，发现风险及时调整截止日期或增加人手。"),
    Definition("satisfaction", "需求满意度", "平均评分 5 分",
               "在需求关闭前与提出人确认结果，阅读低分评价的意见，把常见问题整理成知识文档。"),
    Definition("freshness", "知识新鲜度", "部门空间的所有页面近 90 天内有更新",
               "为重要页面指定负责人和复核周期，每季度清理过时内容，让同事查到的都是最新信息。"),
)
_BY_KEY = {d.key: d for d in DEFINITIONS}
LINK_TARGET = 0.5
CROSS_SHARE_TARGET = 0.3


@dataclass(frozen=True, slots=True)
class Measure:
    """An indicator's raw value, its 0–100 score and how it reads (None: no data)."""

    key: str
    value: float | None
    score: float | None
    display: str
    samples: int


def _share_score(share: float, target: float = 1.0) -> float:
    return round(min(1.0, share / target) * 100, 1)


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def score(inputs: Inputs) -> list[Measure]:
    """Each indicator of the design, scored 0–100 (pure: from the figures alone)."""
    measures: list[Measure] = []

    def add(key: str, value: float | None, points: float | None, display: str,
            samples: int) -> None:
        measures.append(Measure(key, value, points, display if value is not None else "—",
                                samples))

    share = inputs.link_share
    add("links", share, None if share is None else _share_score(share, LINK_TARGET),
        f"{inputs.partners} / {inputs.others} 个部门" if inputs.link_share is not None else "",
        inputs.partners)
    cross = inputs.cross_messages / inputs.messages if inputs.messages else None
    add("cross_share", cross, None if cross is None else _share_score(cross, CROSS_SHARE_TARGET),
        _percent(cross or 0), int(inputs.messages))
    hours = (statistics.median(inputs.response_seconds) / 3600
             if inputs.response_seconds else None)
    add("response", hours,
        None if hours is None else round(max(0.0, 1 - hours / SLOW_HOURS) * 100, 1),
        f"中位数 {hours or 0:.1f} 个工作小时", len(inputs.response_seconds))
    met = (1 - inputs.requests_breached / inputs.requests_filed
           if inputs.requests_filed else None)
    add("sla", met, None if met is None else _share_score(met), _percent(met or 0),
        inputs.requests_filed)
    on_time = inputs.tasks_on_time / inputs.tasks_due if inputs.tasks_due else None
    add("on_time", on_time, None if on_time is None else _share_score(on_time),
        _percent(on_time or 0), inputs.tasks_due)
    average = statistics.fmean(inputs.ratings) if inputs.ratings else None
    add("satisfaction", average,
        None if average is None else round((average - 1) / 4 * 100, 1),
        f"平均 {average or 0:.1f} / 5 分", len(inputs.ratings))
    fresh = inputs.fresh_pages / inputs.pages if inputs.pages else None
    add("freshness", fresh, None if fresh is None else _share_score(fresh),
        _percent(fresh or 0), inputs.pages)
    return measures


def overall(measures: Iterable[Measure]) -> float | None:
    scores = [m.score for m in measures if m.score is not None]
    return round(statistics.fmean(scores), 1) if scores else None


def report_data(quarter: Quarter, window: Window, *, department_id: int | None,
                department_name: str, current: Sequence[Measure],
                previous: Sequence[Measure]) -> dict[str, Any]:
    """The JSON kept in `Report.data` (the module docstring gives its shape)."""
    before = {m.key: m for m in previous}
    indicators: list[dict[str, Any]] = []
    for measure in current:
        definition = _BY_KEY[measure.key]
        earlier = before.get(measure.key)
        previous_score = earlier.score if earlier else None
        indicators.append({
            "key": measure.key, "name": definition.name, "value": measure.value,
            "display": measure.display, "score": measure.score, "samples": measure.samples,
            "target": definition.target,
            "previous_value": earlier.value if earlier else None,
            "previous_score": previous_score,
            "change": _change(measure.score, previous_score)})
    scored = sorted((i for i in indicators if i["score"] is not None),
                    key=lambda i: (i["score"], [d.key for d in DEFINITIONS].index(i["key"])))
    now_overall, then_overall = overall(current), overall(previous)
    return {
        "period": quarter.period, "label": quarter.label,
        "department_id": department_id, "department_name": department_name,
        "range": {"from": window.first.isoformat(), "to": window.last.isoformat()},
        "complete": window.last == quarter.last_day,
        "overall": {"score": now_overall, "previous": then_overall,
                    "change": _change(now_overall, then_overall)},
        "indicators": indicators,
        "weakest": [{"key": i["key"], "name": i["name"], "score": i["score"],
                     "advice": _BY_KEY[i["key"]].advice} for i in scored[:3]],
        "left_out": [i["key"] for i in indicators if i["score"] is None],
    }


def _change(now: float | None, then: float | None) -> float | None:
    return None if now is None or then is None else round(now - then, 1)


COMPANY_NAME = "全公司"


async def compute_report(uow: UnitOfWork, chart: OrgChart, quarter: Quarter, *,
                         department_id: int | None, zone: ZoneInfo,
                         today: date) -> dict[str, Any]:
    """The report's data for the company (`department_id` None) or a department and those
    below it, as of `today` (company-zone date)."""
    scope = None if department_id is None else chart.subtree(department_id)
    window = window_of(quarter, zone, today)
    previous_quarter = quarter.previous
    previous_window = window_of(previous_quarter, zone, today)
    current = score(await gather_inputs(uow, chart, scope, window))
    previous = score(await gather_inputs(uow, chart, scope, previous_window))
    name = COMPANY_NAME if department_id is None else chart.names.get(department_id, "")
    return report_data(quarter, window, department_id=department_id, department_name=name,
                       current=current, previous=previous)
