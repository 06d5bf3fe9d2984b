"""The critical path of a project's schedule: the tasks whose every day of delay delays the
end of the whole project (critical path method over finish-to-start dependencies).

Each scheduled task lasts from its start to its due day (a task with only a due day lasts
that day). Earliest start: its own start, or the day after the latest earliest finish of
what it waits for, whichever is later; the project ends at the latest earliest finish.
Latest finish, walking back: the project's end, or the day before the earliest latest
start of what waits for it. A task with no slack between the two is critical. Days are
calendar days; dependencies on tasks outside the schedule (undated, or another project's)
do not bind it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Span:
    id: int
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def span_of(task_id: int, start: date | None, due: date | None) -> Span | None:
    """A task on the chart: from its start to its due day; with one of them, that day;
    with neither, not on the chart."""
    first, last = start or due, due or start
    return Span(task_id, first, last) if first is not None and last is not None else None


def critical_path(spans: list[Span], waits_for: dict[int, list[int]]) -> list[int]:
    """The critical tasks' ids in the order they happen (earliest start, then id)."""
    by_id = {s.id: s for s in spans}
    before = {s.id: [d for d in waits_for.get(s.id, []) if d in by_id] for s in spans}
    after: dict[int, list[int]] = {s.id: [] for s in spans}
    for task_id, predecessors in before.items():
        for predecessor in predecessors:
            after[predecessor].append(task_id)
    order = _topological(before, after)
    earliest_start: dict[int, date] = {}
    earliest_finish: dict[int, date] = {}
    for task_id in order:
        span = by_id[task_id]
        start = max([span.start, *(earliest_finish[p] + timedelta(days=1)
                                   for p in before[task_id])])
        earliest_start[task_id] = start
        earliest_finish[task_id] = start + timedelta(days=span.days - 1)
    if not order:
        return []
    end = max(earliest_finish.values())
    latest_start: dict[int, date] = {}
    slack: dict[int, int] = {}
    for task_id in reversed(order):
        finish = min([end, *(latest_start[s] - timedelta(days=1) for s in after[task_id])])
        latest_start[task_id] = finish - timedelta(days=by_id[task_id].days - 1)
        slack[task_id] = (finish - earliest_finish[task_id]).days
    critical = [t for t in order if slack[t] == 0]
    return sorted(critical, key=lambda t: (earliest_start[t], t))


def _topological(before: dict[int, list[int]], after: dict[int, list[int]]) -> list[int]:
    waiting = {task_id: len(predecessors) for task_id, predecessors in before.items()}
    ready = deque(sorted(t for t, n in waiting.items() if n == 0))
    order: list[int] = []
    while ready:
        task_id = ready.popleft()
        order.append(task_id)
        for successor in sorted(after[task_id]):
            waiting[successor] -= 1
            if waiting[successor] == 0:
                ready.append(successor)
    return order  # dependencies never loop (`actions.do_add_dependency`)
