"""How cheap the business calendar's arithmetic is: the requests domain computes a due time
(and measures paused working time) for every request it lists or changes, from one
`WorkCalendar` loaded per unit of work (`business_calendar.queries.work_calendar`, one
primary-key read when cached). In process, no server: the calendar is a pure value.

    .venv/bin/python -m bench.calendar [--count 10000] [--seed 1]

Prints one JSON document: for `--count` random starts (any minute of 2026, in Shanghai)
and SLAs (0.5 to 40 working hours), the milliseconds for all of them and microseconds
each, on a calendar whose per-day working periods are already computed (`warm`: a node
that has served a while) and on a new one per computation (`cold`: the first request
after a change of the calendar), with the default calendar and with 20 overrides; and
`working_time_between` over the same spans.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from xietong.business_calendar.work_calendar import DayOverride, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
SLA_HOURS = [0.5, 1, 2, 4, 8, 16, 24, 40]


def timed(work: Callable[[], object], count: int) -> dict[str, float]:
    began = time.perf_counter()
    work()
    seconds = time.perf_counter() - began
    return {"total_ms": round(seconds * 1000, 1), "us_each": round(seconds / count * 1e6, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    year = int(timedelta(days=365).total_seconds() // 60)
    starts = [datetime(2026, 1, 1, tzinfo=SHANGHAI) + timedelta(minutes=rng.randrange(year))
              for _ in range(options.count)]
    hours = [rng.choice(SLA_HOURS) for _ in range(options.count)]
    overrides = {date(2026, 1, 5) + timedelta(days=18 * n): DayOverride(working=n % 3 == 0,
                                                                       note="bench")
                 for n in range(20)}
    results: dict[str, Any] = {}
    for name, made in (("default", dict[date, DayOverride]()), ("20_overrides", overrides)):
        warm = WorkCalendar(overrides=made)
        for start, sla in zip(starts, hours, strict=True):  # computes the periods once
            warm.add_working_hours(start, sla)
        due = [warm.add_working_hours(s, h) for s, h in zip(starts, hours, strict=True)]

        def add_warm(calendar: WorkCalendar = warm) -> None:
            for start, sla in zip(starts, hours, strict=True):
                calendar.add_working_hours(start, sla)

        def add_cold(made: dict[date, DayOverride] = made) -> None:
            for start, sla in zip(starts, hours, strict=True):
                WorkCalendar(overrides=made).add_working_hours(start, sla)

        def between(calendar: WorkCalendar = warm, due: list[datetime] = due) -> None:
            for start, end in zip(starts, due, strict=True):
                calendar.working_time_between(start, end)

        results[name] = {"add_working_hours_warm": timed(add_warm, options.count),
                         "add_working_hours_cold": timed(add_cold, options.count),
                         "working_time_between_warm": timed(between, options.count)}
    print(json.dumps({
        "count": options.count, "sla_hours": SLA_HOURS, "starts": "random minutes of 2026",
        "python": platform.python_version(), "machine": {"cpus": os.cpu_count()},
        "at": datetime.now(UTC).isoformat(timespec="seconds"), **results}, indent=2))


if __name__ == "__main__":
    main()
