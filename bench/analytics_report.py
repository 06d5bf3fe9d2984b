"""The collaboration maturity report at company scale: 20 departments of 20 people, a
quarter's rollups and the quarter's before it (daily counters for every department, pair
counts, 3,000 requests, 3,000 cross-department mentions, 5,000 tasks) and 40 pages in each
department space. Then, over real HTTP against a served node (which runs the jobs): the
company's report for the last quarter asked for, the time until its job has made it, and
`GET /reports/{id}.pdf` `--samples` times — the first PDF a node lays out (WeasyPrint and
its fonts loading) and the later ones — and one department's report the same way.

    .venv/bin/python -m bench.analytics_report [--postgres] [--samples 5]

The issue asks for a company report's PDF in under 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, insert, select

from bench.common import (
    PASSWORD,
    Admin,
    Environment,
    add_database_options,
    insert_company,
    latency_summary_ms,
    machine_info,
    print_report,
    scratch_environment,
    serving,
)
from xietong.analytics.models import (
    DepartmentCount,
    MentionFact,
    PairCount,
    RequestFact,
    TaskFact,
)
from xietong.analytics.report import Quarter, quarter_of_day
from xietong.core.clock import utcnow
from xietong.documents.models import Page, Space
from xietong.org.models import Department, User

DEPARTMENTS = 20
PEOPLE_PER_DEPARTMENT = 20
REQUESTS = 3_000
MENTIONS = 3_000
TASKS = 5_000
PAGES_PER_SPACE = 40
BATCH = 2_000
ZONE = ZoneInfo("Asia/Shanghai")


def _days(quarter: Quarter) -> list[date]:
    count = (quarter.last_day - quarter.first_day).days + 1
    return [quarter.first_day + timedelta(days=n) for n in range(count)]


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, day_time(rng.randrange(1, 10)), tzinfo=UTC)


def rollup_rows(quarters: list[Quarter], rng: random.Random) -> dict[type, list[dict[str, Any]]]:
    departments = range(1, DEPARTMENTS + 1)
    counts: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    days = [day for quarter in quarters for day in _days(quarter)]
    for day in days:
        for department_id in departments:
            messages = rng.randrange(50, 400)
            counts.append({"day": day, "department_id": department_id, "metric": "messages",
                           "value": messages})
            counts.append({"day": day, "department_id": department_id,
                           "metric": "cross_messages", "value": rng.randrange(0, messages // 3)})
        for _ in range(30):
            source, target = rng.sample(range(1, DEPARTMENTS + 1), 2)
            for metric in ("messages", "mentions"):
                pairs.append({"day": day, "from_department_id": source,
                              "to_department_id": target, "metric": metric,
                              "value": rng.randrange(1, 20)})
    pairs = list({(p["day"], p["from_department_id"], p["to_department_id"], p["metric"]): p
                  for p in pairs}.values())
    for n in range(1, REQUESTS + 1):
        day = rng.choice(days)
        responded = rng.random() < 0.9
        rating = rng.randrange(1, 6) if rng.random() < 0.4 else None
        requests.append({
            "request_id": n, "department_id": rng.randrange(1, DEPARTMENTS + 1),
            "requester_department_id": rng.randrange(1, DEPARTMENTS + 1), "type_id": None,
            "status": "closed" if rating else "in_progress", "filed_at": _moment(day, rng),
            "filed_day": day, "first_response_at": _moment(day, rng) if responded else None,
            "response_seconds": rng.uniform(600, 12 * 3600) if responded else None,
            "resolved_at": _moment(day + timedelta(days=2), rng) if rating else None,
            "resolution_seconds": None, "response_breached": rng.random() < 0.15,
            "resolution_breached": rng.random() < 0.1, "rating": rating})
    for n in range(1, MENTIONS + 1):
        day = rng.choice(days)
        source, target = rng.sample(range(1, DEPARTMENTS + 1), 2)
        answered = rng.random() < 0.8
        mentions.append({
            "message_id": n, "user_id": (target - 1) * PEOPLE_PER_DEPARTMENT + 1,
            "channel_id": 1, "from_department_id": source, "to_department_id": target,
            "mentioned_at": _moment(day, rng), "day": day,
            "answered_at": _moment(day, rng) if answered else None,
            "response_seconds": rng.uniform(60, 10 * 3600) if answered else None})
    for n in range(1, TASKS + 1):
        created = rng.choice(days)
        due = created + timedelta(days=rng.randrange(1, 30))
        done = due + timedelta(days=rng.randrange(-10, 6)) if rng.random() < 0.85 else None
        if done is not None and done < created:
            done = created
        tasks.append({
            "task_id": n, "project_id": rng.randrange(1, 40),
            "department_id": rng.randrange(1, DEPARTMENTS + 1), "created_at": _moment(created, rng),
            "created_day": created, "due_at": due,
            "completed_at": _moment(done, rng) if done else None, "completed_day": done,
            "cycle_seconds": None, "late": bool(done and done > due), "deleted": False})
    return {DepartmentCount: counts, PairCount: pairs, RequestFact: requests,
            MentionFact: mentions, TaskFact: tasks}


async def build_company(environment: Environment, quarter: Quarter, seed: int
                        ) -> dict[str, int]:
    rng = random.Random(seed)
    runtime = environment.runtime()
    try:
        password_hash = await runtime.passwords.hash(PASSWORD)
        now = utcnow()
        rows = rollup_rows([quarter.previous, quarter], rng)
        async with runtime.unit_of_work() as uow:
            session = uow.session
            await insert_company(session, departments=DEPARTMENTS,
                                 per_department=PEOPLE_PER_DEPARTMENT,
                                 password_hash=password_hash, managers=False)
            await session.execute(insert(Space), [
                {"id": d, "kind": "department", "department_id": d, "name": f"部门{d:02d}",
                 "description": "", "icon": "", "created_at": now, "updated_at": now}
                for d in range(1, DEPARTMENTS + 1)])
            start = datetime.combine(quarter.previous.first_day, day_time(2), tzinfo=UTC)
            span = (quarter.last_day - quarter.previous.first_day).days
            await session.execute(insert(Page), [
                {"space_id": d, "title": f"页面 {n}", "rank": f"a{n}",
                 "created_at": start, "updated_at": start,
                 "edited_at": start + timedelta(days=rng.randrange(span))}
                for d in range(1, DEPARTMENTS + 1) for n in range(1, PAGES_PER_SPACE + 1)])
            for table, table_rows in rows.items():
                for first in range(0, len(table_rows), BATCH):
                    await session.execute(insert(table), table_rows[first:first + BATCH])
            if uow.is_postgres:  # the ids written by hand: later rows' ids come after them
                for table in (Department, User, Space, Page):
                    await session.execute(select(func.setval(
                        func.pg_get_serial_sequence(table.__tablename__, "id"),
                        select(func.max(table.id)).scalar_subquery())))
    finally:
        await runtime.close()
    return {table.__tablename__: len(table_rows)  # type: ignore[attr-defined]
            for table, table_rows in rows.items()}


def make_report(client: httpx.Client, period: str, department_id: int | None,
                samples: int) -> dict[str, Any]:
    """Ask for a report, wait for its job, then fetch its PDF `samples` times."""
    import pypdf

    body: dict[str, Any] = {"period": period}
    if department_id is not None:
        body["department_id"] = department_id
    began = time.perf_counter()
    asked = client.post("/api/v1/analytics/reports", json=body)
    asked.raise_for_status()
    report_id = asked.json()["id"]
    while True:
        report = client.get(f"/api/v1/analytics/reports/{report_id}").json()
        if report["status"] != "pending":
            break
        time.sleep(0.05)
    made = time.perf_counter() - began
    if report["status"] != "ready":
        raise RuntimeError(f"the report failed: {report}")
    timings: list[float] = []
    pages = 0
    for _ in range(samples):
        began = time.perf_counter()
        pdf = client.get(f"/api/v1/analytics/reports/{report_id}.pdf")
        pdf.raise_for_status()
        timings.append(time.perf_counter() - began)
        pages = len(pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    began = time.perf_counter()
    client.get(f"/api/v1/analytics/reports/{report_id}.html").raise_for_status()
    html_seconds = time.perf_counter() - began
    return {"department_id": department_id, "overall": report["data"]["overall"]["score"],
            "weakest": [w["key"] for w in report["data"]["weakest"]],
            "job_seconds": round(made, 3), "pdf_first_seconds": round(timings[0], 3),
            "pdf_later": latency_summary_ms(timings[1:]) if len(timings) > 1 else None,
            "pdf_bytes": len(pdf.content), "pdf_pages": pages,
            "html_seconds": round(html_seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    add_database_options(parser)
    args = parser.parse_args()
    quarter = quarter_of_day(datetime.now(ZONE).date()).previous
    with scratch_environment(postgres=args.postgres) as environment:
        began = time.perf_counter()
        rows = asyncio.run(build_company(environment, quarter, args.seed))
        built = time.perf_counter() - began
        with serving(environment) as server:
            admin = Admin(server)
            client = httpx.Client(base_url=server.base_url, timeout=120, headers={
                "Authorization": f"Bearer {admin.person.token}"})
            try:
                company = make_report(client, quarter.period, None, args.samples)
                department = make_report(client, quarter.period, 1, args.samples)
            finally:
                client.close()
                admin.close()
    print_report({"benchmark": "analytics_report", "database": environment.database,
                  "period": quarter.period, "departments": DEPARTMENTS,
                  "people": DEPARTMENTS * PEOPLE_PER_DEPARTMENT, "rows": rows,
                  "build_seconds": round(built, 1), "company": company,
                  "department": department,
                  "company_pdf_under_10_s": company["pdf_first_seconds"] < 10,
                  "machine": machine_info()})


if __name__ == "__main__":
    main()
