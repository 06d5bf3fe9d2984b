"""A year of a 300-person company's rollups (17 departments, 60 requests, mentions and tasks
a day): every dashboard answers a 365-day range within seconds on both databases — a bound
on runaway growth (a query per day or per row), not a benchmark; on the development machine
each takes 0.1–0.6 s on SQLite."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from tests.analytics.test_dashboards import ANALYTICS
from tests.helpers import Cast, statements
from xietong.analytics import metrics
from xietong.analytics.models import (
    ActiveDay,
    ActiveWeek,
    DepartmentCount,
    MentionFact,
    PairCount,
    RequestFact,
    TaskFact,
)
from xietong.core.actor import Actor
from xietong.org import actions

FIRST = date(2025, 12, 1)
DAYS = 365
PEOPLE = 300
SLOWEST = 3.0  # seconds: a bound, not a target
MOST_STATEMENTS = 20

Rows = list[dict[str, Any]]


async def test_a_year_of_rollups_answers_fast(cast: Cast) -> None:
    rng = random.Random(17)
    owner = Actor(user_id=cast.zhoujianguo.id, role=cast.zhoujianguo.role)
    async with cast.runtime.unit_of_work() as uow:
        for n in range(12):
            made = await actions.do_create_department(
                uow, owner, name=f"事业部{n}", parent_id=cast.departments["销售部"])
            cast.departments[made.name] = made.id
    departments = list(cast.departments.values())
    days = [FIRST + timedelta(days=n) for n in range(DAYS)]
    zone = cast.runtime.settings.zone
    counts: Rows = []
    pairs: Rows = []
    active: Rows = []
    requests: Rows = []
    mentions: Rows = []
    tasks: Rows = []
    for day in days:
        for department in departments:
            for metric in (metrics.MESSAGES, metrics.CROSS_MESSAGES, metrics.FILES_UPLOADED,
                           metrics.SEARCHES, metrics.REQUESTS_FILED,
                           metrics.messages_in("public"), metrics.messages_in("dm")):
                counts.append({"day": day, "department_id": department, "metric": metric,
                               "value": rng.randint(0, 50)})
            for other in rng.sample(departments, 3):
                if other != department:
                    pairs.append({"day": day, "from_department_id": department,
                                  "to_department_id": other, "metric": metrics.PAIR_MESSAGES,
                                  "value": rng.randint(1, 9)})
        for user_id in rng.sample(range(1000, 1000 + PEOPLE), PEOPLE * 2 // 3):
            active.append({"day": day, "user_id": user_id,
                           "department_id": departments[user_id % len(departments)]})
        at = datetime.combine(day, datetime.min.time(), zone)
        for _ in range(60):
            number = len(requests) + 1
            requests.append({
                "request_id": number, "department_id": rng.choice(departments),
                "requester_department_id": rng.choice(departments), "type_id": None,
                "status": "closed", "filed_at": at, "filed_day": day,
                "first_response_at": at, "response_seconds": rng.uniform(60, 40000),
                "resolved_at": at, "resolution_seconds": rng.uniform(600, 200000),
                "response_breached": rng.random() < 0.1,
                "resolution_breached": rng.random() < 0.1, "rating": rng.randint(1, 5)})
            mentions.append({
                "message_id": number, "user_id": 1, "channel_id": 1,
                "from_department_id": rng.choice(departments),
                "to_department_id": rng.choice(departments), "mentioned_at": at, "day": day,
                "answered_at": at, "response_seconds": rng.uniform(60, 40000)})
            tasks.append({
                "task_id": number, "project_id": rng.randint(1, 40),
                "department_id": rng.choice(departments), "created_at": at,
                "created_day": day, "due_at": day + timedelta(days=rng.randint(0, 20)),
                "completed_at": at, "completed_day": day + timedelta(days=rng.randint(0, 30)),
                "cycle_seconds": rng.uniform(3600, 500000), "late": rng.random() < 0.2})
    weeks = [{"week": week, "department_id": department, "user_id": user_id}
             for week, department, user_id in {
                 (a["day"] - timedelta(days=a["day"].weekday()), a["department_id"],
                  a["user_id"]) for a in active}]
    async with cast.runtime.unit_of_work() as uow:
        for model, rows in ((DepartmentCount, counts), (PairCount, pairs),
                            (ActiveDay, active), (RequestFact, requests),
                            (MentionFact, mentions), (TaskFact, tasks),
                            (ActiveWeek, weeks)):
            for start in range(0, len(rows), 5000):
                await uow.session.execute(insert(model), rows[start:start + 5000])
    year = {"from": str(days[0]), "to": str(days[-1])}
    admin = cast.linxiaoyan.api
    took, ran = {}, {}
    # The first request after a large write may pay for it (SQLite's checkpoint): not timed.
    assert (await admin.get(f"{ANALYTICS}/access")).status_code == 200
    for chart in ("overview", "network", "responsiveness", "sla", "delivery", "satisfaction",
                  "adoption", "export/sla.xlsx", "sla/requests"):
        started = time.perf_counter()
        with statements(cast.runtime) as seen:
            response = await admin.get(f"{ANALYTICS}/{chart}", params=year)
        took[chart] = round(time.perf_counter() - started, 3)
        ran[chart] = len(seen)
        assert response.status_code == 200, response.text
    assert max(took.values()) < SLOWEST, took
    # A handful of statements each, whatever the days, departments and rows.
    assert max(ran.values()) <= MOST_STATEMENTS, ran
