"""Requests at company scale: `--requests` requests (20,000) of `--types` types (200) across
20 departments of 20 people, then over real HTTP against a served node the two lists people
open most — a department's queue (`box=queue`, a member of a department receiving ~1,000)
and "my requests" (`box=mine`) — `--samples` times each, p50/p95/p99; search for requests
(`kind=request`) as that member, by a word every request's title has (the worst case: the
newest matches are mostly other departments', each checked and passed over) and by a
number; then `--timers` SLA timers (10,000) falling due in the same minute, run by the
node's job runner: the time from their commit until every one is done, and a check that
each was recorded once.

    .venv/bin/python -m bench.requests [--postgres] [--requests 20000] [--timers 10000]

The company is written with multi-row inserts (not through the actions: that would measure
filing, not listing), then indexed as `xietong reindex` does (timed); the timers are the
jobs filing arms (a breach stage, whose handler also records the warning it finds missing),
due now.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from bench.common import (
    PASSWORD,
    Environment,
    add_database_options,
    latency_summary_ms,
    machine_info,
    print_report,
    scratch_environment,
    serving,
    sign_in,
)
from xietong.core.clock import utcnow
from xietong.jobs.models import Job, JobState
from xietong.org.models import Department, DepartmentManager, DepartmentMember, User
from xietong.requests.models import Request, RequestEntry, RequestType, Status
from xietong.requests.timers import SLA_JOB, Stage
from xietong.search.indexing import rebuild_everything

DEPARTMENTS = 20
PEOPLE_PER_DEPARTMENT = 20
# Six in eleven with running clocks (enough for 10,000 timers among 20,000).
STATUSES = [Status.NEW, Status.NEW, Status.ACCEPTED, Status.ACCEPTED, Status.IN_PROGRESS,
            Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED, Status.CLOSED,
            Status.REJECTED]



async def build_company(environment: Environment, requests: int, types: int,
                        seed: int) -> dict[str, Any]:
    """Departments, people (one password), types and requests; who to sign in as."""
    rng = random.Random(seed)
    runtime = environment.runtime()
    try:
        password_hash = await runtime.passwords.hash(PASSWORD)
        now = utcnow()
        async with runtime.unit_of_work() as uow:
            session = uow.session
            await session.execute(insert(Department), [
                {"id": d, "name": f"部门{d:02d}", "position": d}
                for d in range(1, DEPARTMENTS + 1)])
            people: list[dict[str, Any]] = [
                {"id": p, "username": f"user{p:04d}", "display_name": f"员工{p:04d}",
                 "role": "member", "password_hash": password_hash, "search_text": "",
                 "sort_key": f"{p:04d}"}
                      for p in range(1, DEPARTMENTS * PEOPLE_PER_DEPARTMENT + 1)]
            await session.execute(insert(User), people)
            department_of = {p: (p - 1) // PEOPLE_PER_DEPARTMENT + 1
                             for p in range(1, len(people) + 1)}
            await session.execute(insert(DepartmentMember), [
                {"department_id": d, "user_id": p, "is_primary": True}
                for p, d in department_of.items()])
            await session.execute(insert(DepartmentManager), [
                {"department_id": d, "user_id": (d - 1) * PEOPLE_PER_DEPARTMENT + 1}
                for d in range(1, DEPARTMENTS + 1)])
            await session.execute(insert(RequestType), [
                {"id": t, "department_id": (t - 1) % DEPARTMENTS + 1, "name": f"类型{t:03d}",
                 "description": "", "fields": [], "response_sla_hours": 4,
                 "resolution_sla_hours": 24, "assignment": "manager", "archived": False}
                for t in range(1, types + 1)])
            rows = []
            for n in range(1, requests + 1):
                requester = rng.randrange(1, len(people) + 1)
                type_id = rng.randrange(1, types + 1)
                department = (type_id - 1) % DEPARTMENTS + 1
                status = rng.choice(STATUSES)
                created = now - timedelta(minutes=requests - n)
                rows.append({
                    "id": n, "type_id": type_id, "department_id": department,
                    "requester_id": requester,
                    "requester_department_id": department_of[requester],
                    "assignee_id": (department - 1) * PEOPLE_PER_DEPARTMENT
                    + rng.randrange(1, PEOPLE_PER_DEPARTMENT + 1),
                    "title": f"第 {n} 号工单：客户报表导出需要按区域拆分", "description": "",
                    "values": {}, "status": status.value, "created_at": created,
                    "updated_at": created, "response_due_at": created + timedelta(hours=4),
                    "resolution_due_at": created + timedelta(days=3),
                    "response_breached": False, "resolution_breached": False,
                    "response_stage": 0, "resolution_stage": 0, "timers_generation": 0,
                    "response_sla_hours": 4.0, "resolution_sla_hours": 24.0,
                    "warn_at_share": 0.8, "escalate_after_hours": 4.0})
            for start in range(0, len(rows), 2000):
                await session.execute(insert(Request), rows[start:start + 2000])
        began = time.perf_counter()
        async with runtime.unit_of_work() as uow:
            await rebuild_everything(uow)
        indexing_seconds = time.perf_counter() - began
        # A plain member of department 1 (its queue) and the person who filed the most.
        async with runtime.reader() as uow:
            busiest = (await uow.session.execute(
                select(Request.requester_id, func.count()).group_by(Request.requester_id)
                .order_by(func.count().desc()).limit(1))).one()
            queue = await uow.session.scalar(
                select(func.count()).where(Request.department_id == 1))
            # A request in department 1's queue, to find by its number.
            numbered = await uow.session.scalar(
                select(func.max(Request.id)).where(Request.department_id == 1,
                                                   Request.id <= requests // 2))
    finally:
        await runtime.close()
    return {"queue_member": "user0002", "queue_size": queue,
            "mine_user": f"user{busiest[0]:04d}", "mine_size": busiest[1],
            "queue_number": f"REQ-{numbered:05d}",
            "indexing": {"seconds": round(indexing_seconds, 1),
                         "per_second": round(requests / indexing_seconds)}}


def measure_list(base_url: str, username: str, box: str, samples: int) -> dict[str, Any]:
    person = sign_in(base_url, username)
    with httpx.Client(base_url=base_url, timeout=30,
                      headers={"Authorization": f"Bearer {person.token}"}) as client:
        for _ in range(5):  # warm: connections, the calendar, the first queries
            client.get("/api/v1/requests", params={"box": box})
        seconds = []
        for _ in range(samples):
            began = time.perf_counter()
            response = client.get("/api/v1/requests", params={"box": box, "limit": 50})
            seconds.append(time.perf_counter() - began)
            response.raise_for_status()
        items = len(response.json()["items"])
    return {"box": box, "items_per_page": items, **latency_summary_ms(seconds)}


def measure_search(base_url: str, username: str, q: str, samples: int) -> dict[str, Any]:
    """`GET /api/v1/search?kind=request` for `q` as `username`, 20 hits a page."""
    person = sign_in(base_url, username)
    params: dict[str, str | int] = {"q": q, "kind": "request", "limit": 20}
    with httpx.Client(base_url=base_url, timeout=30,
                      headers={"Authorization": f"Bearer {person.token}"}) as client:
        for _ in range(5):  # warm: connections, jieba's dictionary, the first queries
            client.get("/api/v1/search", params=params)
        seconds = []
        for _ in range(samples):
            began = time.perf_counter()
            response = client.get("/api/v1/search", params=params)
            seconds.append(time.perf_counter() - began)
            response.raise_for_status()
        found = response.json()
    return {"q": q, "hits_on_page": len(found["items"]), "total": found["total"],
            "total_capped": found["total_capped"], **latency_summary_ms(seconds)}


async def arm_timers(environment: Environment, timers: int) -> tuple[float, int]:
    """Breach jobs of (up to) `timers` open requests, all due now, in one transaction; the
    commit's monotonic time and how many there are."""
    runtime = environment.runtime()
    try:
        now = utcnow()
        async with runtime.unit_of_work() as uow:
            open_ids = list(await uow.session.scalars(
                select(Request.id).where(Request.status.in_(
                    [Status.NEW.value, Status.ACCEPTED.value, Status.IN_PROGRESS.value]),
                    Request.paused_at.is_(None))
                .order_by(Request.id).limit(timers)))
            times = {str(int(Stage.WARNED)): (now - timedelta(minutes=30)).isoformat(),
                     str(int(Stage.BREACHED)): now.isoformat(),
                     str(int(Stage.ESCALATED)): (now + timedelta(hours=4)).isoformat()}
            await uow.session.execute(insert(Job), [
                {"kind": SLA_JOB, "state": JobState.QUEUED, "run_at": now, "attempts": 0,
                 "max_attempts": 10, "key": f"request-sla:{request_id}:0:response:breached",
                 "payload": {"request_id": request_id, "generation": 0, "clock": "response",
                             "stage": int(Stage.BREACHED), "times": times},
                 "created_at": now}
                for request_id in open_ids])
        return time.monotonic(), len(open_ids)
    finally:
        await runtime.close()


async def wait_for_timers(environment: Environment, timers: int) -> dict[str, Any]:
    runtime = environment.runtime()
    try:
        while True:
            async with runtime.reader() as uow:
                done = await uow.session.scalar(select(func.count()).where(
                    Job.kind == SLA_JOB, Job.state == JobState.DONE))
            if (done or 0) >= timers:
                break
            await asyncio.sleep(0.1)
        finished = time.monotonic()
        async with runtime.reader() as uow:
            entries = (await uow.session.execute(
                select(RequestEntry.kind, func.count(), func.count(RequestEntry.request_id
                                                                    .distinct()))
                .group_by(RequestEntry.kind))).all()
    finally:
        await runtime.close()
    return {"finished": finished,
            "entries": {kind: {"entries": n, "requests": d} for kind, n, d in entries}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--types", type=int, default=200)
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    add_database_options(parser)
    args = parser.parse_args()
    with scratch_environment(postgres=args.postgres) as environment:
        company = asyncio.run(build_company(environment, args.requests, args.types, args.seed))
        with serving(environment) as server:
            lists = [measure_list(server.base_url, company["queue_member"], "queue",
                                  args.samples),
                     measure_list(server.base_url, company["mine_user"], "mine", args.samples)]
            searches = [measure_search(server.base_url, company["queue_member"], q,
                                       args.samples)
                        for q in ("报表导出", company["queue_number"])]
            timers: dict[str, Any] | None = None
            if args.timers > 0:  # `--timers 0`: the lists and search only
                committed, armed = asyncio.run(arm_timers(environment, args.timers))
                waited = asyncio.run(wait_for_timers(environment, armed))
                seconds = waited["finished"] - committed
                timers = {"due_at_once": armed, "seconds": round(seconds, 1),
                          "per_second": round(armed / seconds, 1),
                          "recorded": waited["entries"]}
    print_report({"benchmark": "requests", "database": environment.database,
                  "requests": args.requests, "types": args.types, **company, "lists": lists,
                  "search": searches, "timers": timers, "machine": machine_info()})


if __name__ == "__main__":
    main()
