"""The dashboards' figures, read from the rollup tables: plain functions over a unit of work
returning small dataclasses, no HTTP (the dashboards, exports and maturity reports share
them). Nothing here reads a domain's own tables, the messages least of all.

A figure "by group" sums the records of several departments into one row: a department's
row is its subtree (`subtree_groups`; people are recorded under their primary department),
a manager's "其他部门" row every department they may not break down. Days are the company's
(its time zone); a range is inclusive at both ends."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    case,
    distinct,
    func,
    literal_column,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.selectable import ScalarSelect

from xietong.analytics.access import OrgChart
from xietong.analytics.models import (
    ActiveDay,
    ActiveWeek,
    ApprovalFact,
    ChannelDay,
    DepartmentCount,
    HourCount,
    MentionFact,
    PairCount,
    RequestFact,
    TaskFact,
)
from xietong.core.uow import UnitOfWork

HOUR = 3600.0
DAY = 86400.0

# A row's key -> the departments whose records it sums.
Groups = Mapping[int, Collection[int]]


@dataclass(frozen=True, slots=True)
class Days:
    """An inclusive range of company days."""

    first: date
    last: date

    @property
    def count(self) -> int:
        return (self.last - self.first).days + 1

    def __iter__(self) -> Iterator[date]:
        return (self.first + timedelta(days=n) for n in range(self.count))

    def previous(self) -> Days:
        """The range of the same length just before this one."""
        return Days(self.first - timedelta(days=self.count), self.first - timedelta(days=1))

    def tail(self, days: int) -> Days:
        """The last `days` days of the range (all of it when shorter)."""
        return Days(max(self.first, self.last - timedelta(days=days - 1)), self.last)

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the range touches."""
        monday = self.first - timedelta(days=self.first.weekday())
        return [monday + timedelta(weeks=n)
                for n in range((self.last - monday).days // 7 + 1)]


def subtree_groups(chart: OrgChart, rows: Iterable[int]) -> dict[int, frozenset[int]]:
    """Each department of `rows` with its subtree: what its row sums."""
    return {row: frozenset(chart.subtree(row)) for row in rows}


def _owners(groups: Groups) -> dict[int, list[int]]:
    """Department -> the rows that sum it."""
    owners: dict[int, list[int]] = defaultdict(list)
    for row, departments in groups.items():
        for department_id in departments:
            owners[department_id].append(row)
    return owners


def _within(column: SQLColumnExpression[int], departments: Collection[int] | None
            ) -> ColumnElement[bool]:
    """Within `departments` (None: anywhere; the columns it is given are never null, and
    naming none lets SQLite count from an index without the department)."""
    return column.in_(sorted(departments)) if departments is not None else true()


def _between(column: SQLColumnExpression[date] | SQLColumnExpression[date | None],
             days: Days) -> ColumnElement[bool]:
    return column.between(days.first, days.last)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The `q`-th percentile (0–100) of `values`, interpolated between the closest ranks
    (as numpy's default); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# Percentile -> value, for each row.
Quantiles = dict[int, dict[int, float | None]]


async def _quantiles(uow: UnitOfWork, value: InstrumentedAttribute[float | None],
                     department: InstrumentedAttribute[int] | None,
                     conditions: Sequence[ColumnElement[bool]], groups: Groups | None,
                     qs: Sequence[int], scale: float = 1.0) -> Quantiles:
    """`percentile(values / scale, q)` for each q of `qs` and each row of `groups` (None:
    the company as row 0) over the records meeting `conditions`: only the value and its
    department are read, already in order (no sort in Python). Rows without values are
    left out. (Ranking in SQL with window functions and reading only the rows at the
    percentiles' ranks measured slower on SQLite: a department counts in several rows, and
    joining the rows to the records scanned one of them per record.)"""
    owners = _owners(groups) if groups is not None else None
    by_row: dict[int, list[float]] = defaultdict(list)
    if owners is not None:
        assert department is not None
        if not owners:
            return {}
        for department_id, v in await uow.session.execute(
                select(department, value)
                .where(*conditions, value.is_not(None), department.in_(sorted(owners)))
                .order_by(value)):
            for row in owners[department_id]:
                by_row[row].append(float(v or 0) / scale)  # never None here
    else:
        by_row[0] = [float(v or 0) / scale for v in await uow.session.scalars(
            select(value).where(*conditions, value.is_not(None)).order_by(value))]
    result: Quantiles = {}
    for row, ordered in by_row.items():
        if not ordered:
            continue
        result[row] = {}
        for q in qs:
            rank = (len(ordered) - 1) * q / 100
            low, high = math.floor(rank), math.ceil(rank)
            result[row][q] = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return result


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 2)


def share(part: float, whole: float) -> float | None:
    """part / whole, rounded to four places; None for nothing out of nothing."""
    return round(part / whole, 4) if whole else None


# --- counters ----------------------------------------------------------------------------

async def count_totals(uow: UnitOfWork, days: Days, metrics: Collection[str],
                       departments: Collection[int] | None = None) -> dict[str, float]:
    """Each metric summed over the range (over `departments` only, when given); every
    metric asked for is in the answer, 0 when nothing was counted."""
    found = dict.fromkeys(metrics, 0.0)
    for metric, value in await uow.session.execute(
            select(DepartmentCount.metric, func.sum(DepartmentCount.value))
            .where(_between(DepartmentCount.day, days), DepartmentCount.metric.in_(metrics),
                   _within(DepartmentCount.department_id, departments))
            .group_by(DepartmentCount.metric)):
        found[metric] = float(value or 0)
    return found


@dataclass(frozen=True, slots=True)
class ChannelTotals:
    # Conversations posted in over the range (by `departments`' people, when given), and
    # those of them where people of two departments or more posted: shared channels.
    active: int
    shared: int


async def channel_totals(uow: UnitOfWork, days: Days,
                         departments: Collection[int] | None = None) -> ChannelTotals:
    in_range = _between(ChannelDay.day, days)
    shared = (select(ChannelDay.channel_id).where(in_range).group_by(ChannelDay.channel_id)
              .having(func.count(distinct(ChannelDay.department_id)) > 1))
    active, both = (await uow.session.execute(
        select(func.count(distinct(ChannelDay.channel_id)),
               func.count(distinct(case((ChannelDay.channel_id.in_(shared),
                                          ChannelDay.channel_id)))))
        .where(in_range, _within(ChannelDay.department_id, departments)))).one()
    return ChannelTotals(active=int(active or 0), shared=int(both or 0))


async def daily_counts(uow: UnitOfWork, days: Days, metrics: Collection[str],
                       departments: Collection[int] | None = None
                       ) -> dict[date, dict[str, float]]:
    """Each metric per day of the range (every day present, zeros included)."""
    found = {day: dict.fromkeys(metrics, 0.0) for day in days}
    for day, metric, value in await uow.session.execute(
            select(DepartmentCount.day, DepartmentCount.metric, func.sum(DepartmentCount.value))
            .where(_between(DepartmentCount.day, days), DepartmentCount.metric.in_(metrics),
                   _within(DepartmentCount.department_id, departments))
            .group_by(DepartmentCount.day, DepartmentCount.metric)):
        found[day][metric] = float(value or 0)
    return found


async def counts_by_group(uow: UnitOfWork, days: Days, metrics: Collection[str],
                          groups: Groups) -> dict[int, dict[str, float]]:
    """Each metric summed over the range for each row of `groups`."""
    found = {row: dict.fromkeys(metrics, 0.0) for row in groups}
    owners = _owners(groups)
    if not owners:
        return found
    for department_id, metric, value in await uow.session.execute(
            select(DepartmentCount.department_id, DepartmentCount.metric,
                   func.sum(DepartmentCount.value))
            .where(_between(DepartmentCount.day, days), DepartmentCount.metric.in_(metrics),
                   DepartmentCount.department_id.in_(sorted(owners)))
            .group_by(DepartmentCount.department_id, DepartmentCount.metric)):
        for row in owners[department_id]:
            found[row][metric] += float(value or 0)
    return found


async def pair_sums(uow: UnitOfWork, days: Days, metrics: Collection[str],
                    node_of: Mapping[int, int]) -> dict[tuple[int, int], dict[str, float]]:
    """Interactions between nodes over the range: each department is folded into its node
    (`node_of`; departments it does not name are left out), and pairs within one node are
    left out too (a department talking to itself is no edge)."""
    found: dict[tuple[int, int], dict[str, float]] = {}
    for source, target, metric, value in await uow.session.execute(
            select(PairCount.from_department_id, PairCount.to_department_id, PairCount.metric,
                   func.sum(PairCount.value))
            .where(_between(PairCount.day, days), PairCount.metric.in_(metrics))
            .group_by(PairCount.from_department_id, PairCount.to_department_id,
                      PairCount.metric)):
        a, b = node_of.get(source), node_of.get(target)
        if a is None or b is None or a == b:
            continue
        pair = found.setdefault((a, b), dict.fromkeys(metrics, 0.0))
        pair[metric] += float(value or 0)
    return found


async def hourly(uow: UnitOfWork, since: datetime, until: datetime, metric: str
                 ) -> dict[datetime, float]:
    """A company-wide counter per hour (UTC hours from `since` to before `until`)."""
    return {hour: float(value) for hour, value in await uow.session.execute(
        select(HourCount.hour, HourCount.value)
        .where(HourCount.metric == metric, HourCount.hour >= since, HourCount.hour < until)
        .order_by(HourCount.hour))}


# --- people ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ActivePeople:
    dau_avg: float  # people active per day, on average over the range
    wau: int  # distinct people active in the range's last 7 days
    mau: int  # … in its last 30 days
    active: int  # distinct people active in the range
    active_share: float | None  # active / headcount (at most 1)


def _distinct_active(days: Days, departments: Collection[int] | None) -> ScalarSelect[int]:
    """SQL: people active in the range: those of the weeks wholly in it from `ActiveWeek`, of
    the days of the one or two it cuts from `ActiveDay`, each person once (a UNION)."""
    whole = [monday for monday in days.weeks()
             if monday >= days.first and monday + timedelta(days=6) <= days.last]
    parts = []
    if whole:
        parts.append(select(ActiveWeek.user_id).where(
            ActiveWeek.week.between(whole[0], whole[-1]),
            _within(ActiveWeek.department_id, departments)))
    for monday in days.weeks():
        if monday not in whole:
            cut = Days(max(days.first, monday), min(days.last, monday + timedelta(days=6)))
            parts.append(select(ActiveDay.user_id).where(
                _between(ActiveDay.day, cut), _within(ActiveDay.department_id, departments)))
    people = (union(*parts) if len(parts) > 1 else parts[0].distinct()).subquery()
    return select(func.count()).select_from(people).scalar_subquery()


async def active_people(uow: UnitOfWork, days: Days, headcount: int,
                        departments: Collection[int] | None = None) -> ActivePeople:
    """DAU (average), WAU, MAU and the share of `headcount` active in the range, asked in
    one statement."""
    person_days = (select(func.count()).select_from(ActiveDay)
                   .where(_between(ActiveDay.day, days),
                          _within(ActiveDay.department_id, departments))
                   .scalar_subquery())
    counted, active, wau, mau = (await uow.session.execute(select(
        person_days, _distinct_active(days, departments),
        _distinct_active(days.tail(7), departments),
        _distinct_active(days.tail(30), departments)))).one()
    return ActivePeople(
        dau_avg=round((counted or 0) / days.count, 2), wau=wau or 0, mau=mau or 0,
        active=active or 0,
        active_share=min(1.0, round((active or 0) / headcount, 4)) if headcount else None)


async def daily_active(uow: UnitOfWork, days: Days,
                       departments: Collection[int] | None = None) -> dict[date, int]:
    """People active on each day of the range (every day present)."""
    found = dict.fromkeys(days, 0)
    for day, count in await uow.session.execute(
            select(ActiveDay.day, func.count())
            .where(_between(ActiveDay.day, days), _within(ActiveDay.department_id, departments))
            .group_by(ActiveDay.day)):
        found[day] = count
    return found


@dataclass(frozen=True, slots=True)
class Adoption:
    weeks: list[date]  # Mondays
    # Row -> distinct people active in each week (within the range).
    active: dict[int, list[int]]

    def shares(self, row: int, people: int) -> list[float | None]:
        return [min(1.0, round(n / people, 4)) if people else None
                for n in self.active.get(row, [0] * len(self.weeks))]


async def weekly_adoption(uow: UnitOfWork, days: Days, groups: Groups) -> Adoption:
    """Distinct people active per week, for each row: the weeks wholly in the range counted
    from `ActiveWeek` (one row per week, department and person), the one or two the range
    cuts from `ActiveDay`'s days within the range."""
    weeks = days.weeks()
    active = {row: [0] * len(weeks) for row in groups}
    owners = _owners(groups)
    if not owners:
        return Adoption(weeks, active)
    departments = sorted(owners)
    whole = [n for n, monday in enumerate(weeks)
             if monday >= days.first and monday + timedelta(days=6) <= days.last]
    if whole:
        index = {monday: n for n, monday in enumerate(weeks)}
        for department_id, monday, count in await uow.session.execute(
                select(ActiveWeek.department_id, ActiveWeek.week, func.count())
                .where(ActiveWeek.week.between(weeks[whole[0]], weeks[whole[-1]]),
                       ActiveWeek.department_id.in_(departments))
                .group_by(ActiveWeek.department_id, ActiveWeek.week)):
            for row in owners[department_id]:
                active[row][index[monday]] += count
    for n in (n for n in range(len(weeks)) if n not in set(whole)):  # at most two
        cut = Days(max(days.first, weeks[n]), min(days.last, weeks[n] + timedelta(days=6)))
        for department_id, count in await uow.session.execute(
                select(ActiveDay.department_id, func.count(distinct(ActiveDay.user_id)))
                .where(_between(ActiveDay.day, cut), ActiveDay.department_id.in_(departments))
                .group_by(ActiveDay.department_id)):
            for row in owners[department_id]:
                active[row][n] += count
    return Adoption(weeks, active)


# --- requests ----------------------------------------------------------------------------

@dataclass(slots=True)
class RequestStats:
    """Requests filed in the range to a receiving department (and type)."""

    filed: int = 0
    responded: int = 0
    resolved: int = 0
    response_met: int = 0  # responded within its response SLA
    resolution_met: int = 0  # resolved within its resolution SLA
    breached: int = 0  # past either SLA
    response_hours: list[float] = field(default_factory=list)
    resolution_hours: list[float] = field(default_factory=list)
    # Percentile -> hours, when worked out in SQL (the lists are then left empty).
    response_quantiles: dict[int, float | None] | None = None
    resolution_quantiles: dict[int, float | None] | None = None

    @property
    def median_response_hours(self) -> float | None:
        return _rounded(_percentile(self.response_hours, self.response_quantiles, 50))

    @property
    def p90_response_hours(self) -> float | None:
        return _rounded(_percentile(self.response_hours, self.response_quantiles, 90))

    @property
    def median_resolution_hours(self) -> float | None:
        return _rounded(_percentile(self.resolution_hours, self.resolution_quantiles, 50))

    @property
    def p90_resolution_hours(self) -> float | None:
        return _rounded(_percentile(self.resolution_hours, self.resolution_quantiles, 90))

    @property
    def compliance(self) -> float | None:
        """The share filed that breached neither SLA."""
        return share(self.filed - self.breached, self.filed)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


async def request_stats(uow: UnitOfWork, days: Days, groups: Groups | None, *,
                        by_type: bool = False, keep_hours: bool = False
                        ) -> dict[tuple[int, int | None], RequestStats]:
    """Requests filed in the range by receiving row (and by type when `by_type`; else the
    type is None). `groups` None: the whole company as row 0. Counted in SQL, with the
    response times' median and p90 (without `by_type`); `keep_hours`: read every request's
    times into the lists instead."""
    if keep_hours:
        return await _request_stats_read(uow, days, groups, by_type=by_type)
    owners = _owners(groups) if groups is not None else None
    conditions = [_between(RequestFact.filed_day, days)]
    if owners is not None:
        conditions.append(RequestFact.department_id.in_(sorted(owners)))
    responded = RequestFact.first_response_at.is_not(None)
    resolved = RequestFact.resolved_at.is_not(None)
    kind = RequestFact.type_id if by_type else literal_column("NULL")
    keys = [RequestFact.department_id, RequestFact.type_id] if by_type else [
        RequestFact.department_id]
    found: dict[tuple[int, int | None], RequestStats] = {}
    for department_id, type_id, *counts in await uow.session.execute(
            select(RequestFact.department_id, kind, func.count(), _count_if(responded),
                   _count_if(resolved),
                   _count_if(and_(responded, or_(RequestFact.response_breached.is_(None),
                                                 RequestFact.response_breached.is_(False)))),
                   _count_if(and_(resolved, or_(RequestFact.resolution_breached.is_(None),
                                                RequestFact.resolution_breached.is_(False)))),
                   _count_if(or_(RequestFact.response_breached.is_(True),
                                 RequestFact.resolution_breached.is_(True))))
            .where(*conditions).group_by(*keys)):
        filed, responded_n, resolved_n, response_met, resolution_met, breached = map(int, counts)
        for row in owners[department_id] if owners is not None else [0]:
            stats = found.setdefault((row, type_id if by_type else None), RequestStats())
            stats.filed += filed
            stats.responded += responded_n
            stats.resolved += resolved_n
            stats.response_met += response_met
            stats.resolution_met += resolution_met
            stats.breached += breached
    if not by_type:
        response = await _quantiles(uow, RequestFact.response_seconds, RequestFact.department_id,
                                    [*conditions, responded], groups, (50, 90), HOUR)
        for (row, _), stats in found.items():
            stats.response_quantiles = response.get(row, {})
    return found


async def _request_stats_read(uow: UnitOfWork, days: Days, groups: Groups | None, *,
                              by_type: bool) -> dict[tuple[int, int | None], RequestStats]:
    owners = _owners(groups) if groups is not None else None
    query = (select(RequestFact.department_id, RequestFact.type_id,
                    RequestFact.first_response_at.is_not(None),
                    RequestFact.resolved_at.is_not(None), RequestFact.response_seconds,
                    RequestFact.resolution_seconds, RequestFact.response_breached,
                    RequestFact.resolution_breached)
             .where(_between(RequestFact.filed_day, days)))
    if owners is not None:
        query = query.where(RequestFact.department_id.in_(sorted(owners)))
    found: dict[tuple[int, int | None], RequestStats] = {}
    for (department_id, type_id, responded, resolved, response, resolution,
         response_breached, resolution_breached) in await uow.session.execute(query):
        rows = owners[department_id] if owners is not None else [0]
        for row in rows:
            stats = found.setdefault((row, type_id if by_type else None), RequestStats())
            stats.filed += 1
            if responded:
                stats.responded += 1
                stats.response_met += not response_breached
                if response is not None:
                    stats.response_hours.append(response / HOUR)
            if resolved:
                stats.resolved += 1
                stats.resolution_met += not resolution_breached
                if resolution is not None:
                    stats.resolution_hours.append(resolution / HOUR)
            stats.breached += bool(response_breached or resolution_breached)
    return found


async def request_totals(uow: UnitOfWork, days: Days,
                         departments: Collection[int] | None = None) -> RequestStats:
    """Requests filed in the range (to `departments`, when given): how many, how many
    breached an SLA (the other fields stay empty)."""
    breached = or_(RequestFact.response_breached.is_(True),
                   RequestFact.resolution_breached.is_(True))
    filed, late = (await uow.session.execute(
        select(func.count(), func.coalesce(func.sum(case((breached, 1), else_=0)), 0))
        .where(_between(RequestFact.filed_day, days),
               _within(RequestFact.department_id, departments)))).one()
    return RequestStats(filed=filed, breached=late)


@dataclass(slots=True)
class RatingStats:
    """Ratings (1–5) of the requests filed in the range to a receiving department."""

    distribution: list[int] = field(default_factory=lambda: [0] * 5)

    @property
    def ratings(self) -> int:
        return sum(self.distribution)

    @property
    def average(self) -> float | None:
        total = sum((n + 1) * count for n, count in enumerate(self.distribution))
        return round(total / self.ratings, 2) if self.ratings else None


async def rating_stats(uow: UnitOfWork, days: Days, groups: Groups | None
                       ) -> dict[int, RatingStats]:
    owners = _owners(groups) if groups is not None else None
    query = (select(RequestFact.department_id, RequestFact.rating, func.count())
             .where(_between(RequestFact.filed_day, days), RequestFact.rating.between(1, 5))
             .group_by(RequestFact.department_id, RequestFact.rating))
    if owners is not None:
        query = query.where(RequestFact.department_id.in_(sorted(owners)))
    found: dict[int, RatingStats] = (
        {row: RatingStats() for row in groups} if groups is not None else {0: RatingStats()})
    for department_id, rating, count in await uow.session.execute(query):
        if rating is None:  # not asked for: the statement wants a rating from 1 to 5
            continue
        for row in owners[department_id] if owners is not None else [0]:
            found[row].distribution[rating - 1] += count
    return found


# --- mentions ----------------------------------------------------------------------------

@dataclass(slots=True)
class MentionStats:
    """Cross-department @mentions of people of a department in the range, and answers."""

    count: int = 0
    answered: int = 0
    hours: list[float] = field(default_factory=list)
    # Percentile -> hours, when worked out in SQL (`hours` is then left empty).
    quantiles: dict[int, float | None] | None = None

    @property
    def median_hours(self) -> float | None:
        return _rounded(_percentile(self.hours, self.quantiles, 50))

    @property
    def p90_hours(self) -> float | None:
        return _rounded(_percentile(self.hours, self.quantiles, 90))


def _percentile(values: Sequence[float], quantiles: Mapping[int, float | None] | None,
                q: int) -> float | None:
    return percentile(values, q) if quantiles is None else quantiles.get(q)


async def mention_stats(uow: UnitOfWork, days: Days, groups: Groups | None, *,
                        keep_hours: bool = False) -> dict[int, MentionStats]:
    """By the mentioned people's row (`groups` None: the company as row 0). The median and
    p90 are worked out in SQL; `keep_hours`: read every answer's time into `hours`
    instead."""
    if keep_hours:
        return await _mention_stats_read(uow, days, groups)
    owners = _owners(groups) if groups is not None else None
    conditions = [_between(MentionFact.day, days)]
    if owners is not None:
        conditions.append(MentionFact.to_department_id.in_(sorted(owners)))
    found: dict[int, MentionStats] = (
        {row: MentionStats(quantiles={}) for row in groups} if groups is not None
        else {0: MentionStats(quantiles={})})
    for department_id, count, answered in await uow.session.execute(
            select(MentionFact.to_department_id, func.count(),
                   _count_if(MentionFact.answered_at.is_not(None)))
            .where(*conditions).group_by(MentionFact.to_department_id)):
        for row in owners[department_id] if owners is not None else [0]:
            found[row].count += count
            found[row].answered += int(answered)
    for row, quantiles in (await _quantiles(
            uow, MentionFact.response_seconds, MentionFact.to_department_id,
            [*conditions, MentionFact.answered_at.is_not(None)], groups, (50, 90),
            HOUR)).items():
        found[row].quantiles = quantiles
    return found


async def _mention_stats_read(uow: UnitOfWork, days: Days, groups: Groups | None
                              ) -> dict[int, MentionStats]:
    owners = _owners(groups) if groups is not None else None
    query = (select(MentionFact.to_department_id, MentionFact.answered_at.is_not(None),
                    MentionFact.response_seconds)
             .where(_between(MentionFact.day, days)))
    if owners is not None:
        query = query.where(MentionFact.to_department_id.in_(sorted(owners)))
    found: dict[int, MentionStats] = (
        {row: MentionStats() for row in groups} if groups is not None else {0: MentionStats()})
    for department_id, answered, seconds in await uow.session.execute(query):
        for row in owners[department_id] if owners is not None else [0]:
            stats = found[row]
            stats.count += 1
            if answered:
                stats.answered += 1
                if seconds is not None:
                    stats.hours.append(seconds / HOUR)
    return found


# --- tasks -------------------------------------------------------------------------------

@dataclass(slots=True)
class TaskStats:
    """Tasks of a department (its assignees') or project, in the range.

    created: created in the range; completed: completed in the range; completion_rate: the
    share of those created in the range completed by its end; due: due in the range;
    overdue_open: due in the range before today and not completed; completed_late: completed
    in the range after the day it was due. Deleted tasks count nowhere."""

    created: int = 0
    created_completed: int = 0
    completed: int = 0
    due: int = 0
    overdue_open: int = 0
    completed_late: int = 0
    # Cycle times in working seconds, and how many of them make a working day.
    cycle_seconds: list[float] = field(default_factory=list)
    day_seconds: float = DAY
    # Percentile -> cycle seconds, when worked out in SQL (`cycle_seconds` is then empty).
    cycle_quantiles: dict[int, float | None] | None = None

    @property
    def completion_rate(self) -> float | None:
        return share(self.created_completed, self.created)

    @property
    def overdue_rate(self) -> float | None:
        return share(self.overdue_open, self.due)

    @property
    def median_cycle_days(self) -> float | None:
        """In working days (cycle times are working time on the business calendar)."""
        median = _percentile(self.cycle_seconds, self.cycle_quantiles, 50)
        return None if median is None else round(median / self.day_seconds, 2)


async def tasks_completed(uow: UnitOfWork, days: Days,
                          departments: Collection[int] | None = None) -> int:
    """Tasks completed in the range (of `departments`' people, when given)."""
    return await uow.session.scalar(
        select(func.count()).select_from(TaskFact)
        .where(TaskFact.deleted.is_(False), _between(TaskFact.completed_day, days),
               _within(TaskFact.department_id, departments))) or 0


def task_condition(kind: str, days: Days, today: date) -> ColumnElement[bool]:
    """SQL: the tasks a delivery drill-down of `kind` lists (as `TaskStats` counts them)."""
    live = TaskFact.deleted.is_(False)
    if kind == "overdue":
        return and_(live, TaskFact.completed_at.is_(None),
                    TaskFact.due_at.between(days.first, min(days.last,
                                                            today - timedelta(days=1))))
    if kind == "late":
        return and_(live, _between(TaskFact.completed_day, days), TaskFact.late.is_(True))
    return and_(live, _between(TaskFact.completed_day, days))


async def _task_rows(uow: UnitOfWork, days: Days, departments: Collection[int] | None,
                     projects: Collection[int] | None = None
                     ) -> Sequence[tuple[int, int, date, date | None, date | None,
                                         float | None, bool]]:
    query = (select(TaskFact.department_id, TaskFact.project_id, TaskFact.created_day,
                    TaskFact.completed_day, TaskFact.due_at, TaskFact.cycle_seconds,
                    TaskFact.late)
             .where(TaskFact.deleted.is_(False),
                    or_(_between(TaskFact.created_day, days),
                        _between(TaskFact.completed_day, days),
                        _between(TaskFact.due_at, days))))
    if departments is not None:
        query = query.where(TaskFact.department_id.in_(sorted(departments)))
    if projects is not None:
        query = query.where(TaskFact.project_id.in_(sorted(projects)))
    return [tuple(row) for row in await uow.session.execute(query)]  # type: ignore[misc]


def _count_task(stats: TaskStats, days: Days, today: date, created: date,
                completed: date | None, due: date | None, cycle: float | None,
                late: bool) -> None:
    if days.first <= created <= days.last:
        stats.created += 1
        stats.created_completed += completed is not None and completed <= days.last
    if completed is not None and days.first <= completed <= days.last:
        stats.completed += 1
        stats.completed_late += late
        if cycle is not None:
            stats.cycle_seconds.append(cycle)
    if due is not None and days.first <= due <= days.last:
        stats.due += 1
        stats.overdue_open += completed is None and due < today


async def task_stats(uow: UnitOfWork, days: Days, groups: Groups | None, today: date, *,
                     day_seconds: float = DAY) -> dict[int, TaskStats]:
    """By the row of the task's department (`groups` None: the company as row 0).
    `day_seconds`: a working day's working time (`WorkingHours.per_day`)."""
    owners = _owners(groups) if groups is not None else None
    found: dict[int, TaskStats] = {row: TaskStats(day_seconds=day_seconds)
                                   for row in (groups if groups is not None else [0])}
    for department_id, _, created, completed, due, cycle, late in await _task_rows(
            uow, days, sorted(owners) if owners is not None else None):
        for row in owners[department_id] if owners is not None else [0]:
            _count_task(found[row], days, today, created, completed, due, cycle, late)
    return found


async def delivery_stats(uow: UnitOfWork, days: Days, groups: Groups, today: date,
                         departments: Collection[int] | None, *, day_seconds: float = DAY
                         ) -> tuple[dict[int, TaskStats], dict[int, TaskStats]]:
    """`task_stats` by row and `project_task_stats` by project (over the tasks of
    `departments`, None: everyone's): counted in SQL per department and project, the
    median cycle times ranked in SQL (`_quantiles`)."""
    owners = _owners(groups)
    by_row = {row: TaskStats(day_seconds=day_seconds, cycle_quantiles={}) for row in groups}
    by_project: dict[int, TaskStats] = {}
    created = _between(TaskFact.created_day, days)
    completed = _between(TaskFact.completed_day, days)
    due = _between(TaskFact.due_at, days)
    live = TaskFact.deleted.is_(False)
    conditions = [live, or_(created, completed, due)]
    if departments is not None:
        conditions.append(TaskFact.department_id.in_(sorted(set(owners) | set(departments))))
    for department_id, project_id, *counts in await uow.session.execute(
            select(TaskFact.department_id, TaskFact.project_id,
                   _count_if(created),
                   _count_if(and_(created, TaskFact.completed_day <= days.last)),
                   _count_if(completed),
                   _count_if(and_(completed, TaskFact.late.is_(True))),
                   _count_if(due),
                   _count_if(and_(due, TaskFact.completed_day.is_(None),
                                  TaskFact.due_at < today)))
            .where(*conditions).group_by(TaskFact.department_id, TaskFact.project_id)):
        targets = [by_row[row] for row in owners.get(department_id, ())]
        if departments is None or department_id in departments:
            targets.append(by_project.setdefault(
                project_id, TaskStats(day_seconds=day_seconds, cycle_quantiles={})))
        for stats in targets:
            (n_created, n_created_completed, n_completed, n_late, n_due,
             n_overdue) = map(int, counts)
            stats.created += n_created
            stats.created_completed += n_created_completed
            stats.completed += n_completed
            stats.completed_late += n_late
            stats.due += n_due
            stats.overdue_open += n_overdue
    cycles = [live, completed]
    for row, quantiles in (await _quantiles(uow, TaskFact.cycle_seconds, TaskFact.department_id,
                                            cycles, groups, (50,))).items():
        by_row[row].cycle_quantiles = quantiles
    projects = {project: [project] for project in by_project}
    if departments is not None:
        cycles.append(TaskFact.department_id.in_(sorted(departments)))
    for project, quantiles in (await _quantiles(uow, TaskFact.cycle_seconds, TaskFact.project_id,
                                                cycles, projects, (50,))).items():
        by_project[project].cycle_quantiles = quantiles
    return by_row, by_project


async def project_task_stats(uow: UnitOfWork, days: Days, today: date,
                             departments: Collection[int] | None = None,
                             projects: Collection[int] | None = None, *,
                             day_seconds: float = DAY) -> dict[int, TaskStats]:
    """By project, over the tasks of `departments` (None: everyone's), of `projects` only
    when given."""
    found: dict[int, TaskStats] = {}
    for _, project_id, created, completed, due, cycle, late in await _task_rows(
            uow, days, departments, projects):
        stats = found.setdefault(project_id, TaskStats(day_seconds=day_seconds))
        _count_task(stats, days, today, created, completed, due, cycle, late)
    return found


# --- approvals ---------------------------------------------------------------------------

@dataclass(slots=True)
class ApprovalStats:
    """Approvals started in the range by people of a department."""

    started: int = 0
    concluded: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    hours: list[float] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return _rounded(percentile(self.hours, 50))

    @property
    def p90_hours(self) -> float | None:
        return _rounded(percentile(self.hours, 90))


async def approval_stats(uow: UnitOfWork, days: Days, groups: Groups | None
                         ) -> dict[int, ApprovalStats]:
    """By the requester's row (`groups` None: the company as row 0)."""
    owners = _owners(groups) if groups is not None else None
    query = (select(ApprovalFact.requester_department_id, ApprovalFact.status,
                    ApprovalFact.concluded_at.is_not(None), ApprovalFact.duration_seconds)
             .where(_between(ApprovalFact.day, days)))
    if owners is not None:
        query = query.where(ApprovalFact.requester_department_id.in_(sorted(owners)))
    found: dict[int, ApprovalStats] = (
        {row: ApprovalStats() for row in groups} if groups is not None
        else {0: ApprovalStats()})
    for department_id, status, concluded, seconds in await uow.session.execute(query):
        for row in owners[department_id] if owners is not None else [0]:
            stats = found[row]
            stats.started += 1
            stats.outcomes[status] = stats.outcomes.get(status, 0) + 1
            if concluded:
                stats.concluded += 1
                if seconds is not None:
                    stats.hours.append(seconds / HOUR)
    return found
