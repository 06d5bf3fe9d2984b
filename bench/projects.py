"""Projects at company scale: `--projects` projects (200) holding `--tasks` tasks (100,000)
across 20 departments of 20 people, then over real HTTP against a served node, `--samples`
times each, p50/p95/p99: the kanban board of a 2,000-task project (every column and card in
one answer), "my tasks" of someone with tasks in many projects, and the Gantt data (with
the critical path) of a 500-task project whose tasks wait for one another, and the OKR tree
of the quarter (`--objectives` objectives, 500: company, department and person ones aligned
up the tree, three key results each, some counted from projects' tasks); then the daily
due-date reminders for `--reminders` tasks (10,000) due tomorrow, in process: the time the
job's work takes, and a second run the same day writing none.

    .venv/bin/python -m bench.projects [--postgres] [--tasks 100000] [--reminders 10000]

The company is written with multi-row inserts (not through the actions: that would measure
making tasks, not reading them).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, insert, select, update

from bench.common import (
    PASSWORD,
    Environment,
    add_database_options,
    insert_company,
    latency_summary_ms,
    machine_info,
    print_report,
    scratch_environment,
    serving,
    sign_in,
)
from xietong.core import ranks
from xietong.core.clock import utcnow
from xietong.goals.models import KeyResult, KeyResultProject, Objective
from xietong.goals.periods import quarter_of
from xietong.projects.actions import DEFAULT_STATUSES
from xietong.projects.models import (
    Project,
    ProjectMember,
    ProjectStatus,
    Task,
    TaskDependency,
    TaskEntry,
)
from xietong.projects.reminders import reminder_day, send_reminders

DEPARTMENTS = 20
PEOPLE_PER_DEPARTMENT = 20
BOARD_TASKS = 2_000  # project 1
GANTT_TASKS = 500  # project 2
MEMBERS_PER_PROJECT = 20
BATCH = 5_000
COMPANY_OBJECTIVES = 10
OBJECTIVES_PER_DEPARTMENT = 5
KEY_RESULTS_PER_OBJECTIVE = 3


async def build_company(environment: Environment, projects: int, tasks: int, objectives: int,
                        seed: int) -> dict[str, Any]:
    """Departments, people, projects with their boards, members and tasks; the quarter's
    objectives and key results."""
    rng = random.Random(seed)
    runtime = environment.runtime()
    today = reminder_day(utcnow(), runtime.settings.zone)
    try:
        password_hash = await runtime.passwords.hash(PASSWORD)
        now = utcnow()
        people = DEPARTMENTS * PEOPLE_PER_DEPARTMENT
        async with runtime.unit_of_work() as uow:
            session = uow.session
            await insert_company(session, departments=DEPARTMENTS,
                                 per_department=PEOPLE_PER_DEPARTMENT,
                                 password_hash=password_hash, managers=True)
            await session.execute(insert(Project), [
                {"id": p, "name": f"项目{p:03d}", "description": "", "visibility": "members",
                 "owner_id": 1 if p <= 2 else rng.randrange(1, people + 1),
                 "created_at": now, "updated_at": now} for p in range(1, projects + 1)])
            # Members: user0002 is in every project (their "my tasks" spans them all).
            members: dict[int, list[int]] = {}
            for p in range(1, projects + 1):
                chosen = {1, 2} if p <= 2 else {2}
                while len(chosen) < MEMBERS_PER_PROJECT:
                    chosen.add(rng.randrange(1, people + 1))
                members[p] = sorted(chosen)
            await session.execute(insert(ProjectMember), [
                {"project_id": p, "user_id": u, "role": "member"}
                for p, users in members.items() for u in users])
            statuses = len(DEFAULT_STATUSES)
            await session.execute(insert(ProjectStatus), [
                {"id": (p - 1) * statuses + k + 1, "project_id": p, "name": name,
                 "category": category.value, "position": k}
                for p in range(1, projects + 1)
                for k, (name, category) in enumerate(DEFAULT_STATUSES)])
            # Tasks per project: the board's, the Gantt's, the rest spread evenly.
            rest = max(tasks - BOARD_TASKS - GANTT_TASKS, 0)
            counts = {1: BOARD_TASKS, 2: GANTT_TASKS}
            for p in range(3, projects + 1):
                counts[p] = rest // (projects - 2) + (1 if p - 3 < rest % (projects - 2) else 0)
            rows: list[dict[str, Any]] = []
            dependencies: list[dict[str, int]] = []
            task_id = 0
            for p, count in counts.items():
                column_of = [rng.randrange(statuses - 1) for _ in range(count)]
                spread = {k: iter(ranks.spread(max(column_of.count(k), 1)))
                          for k in range(statuses)}
                first = task_id + 1
                for n in range(count):
                    task_id += 1
                    begins = today + timedelta(days=n // 10 - 20)
                    rows.append({
                        "id": task_id, "project_id": p,
                        "title": f"任务 {task_id}：准备发布会物料",
                        "description": "", "description_html": "",
                        "status_id": (p - 1) * statuses + column_of[n] + 1,
                        "assignee_id": rng.choice(members[p]), "priority": "normal",
                        "start_at": begins,
                        "due_at": begins + timedelta(days=rng.randrange(1, 6)),
                        "labels": [], "rank": next(spread[column_of[n]]),
                        "created_at": now, "updated_at": now})
                    if p == 2 and n > 0:  # the Gantt's tasks wait for one or two earlier
                        for earlier in {rng.randrange(first, task_id)
                                        for _ in range(rng.randrange(1, 3))}:
                            dependencies.append({"task_id": task_id, "depends_on_id": earlier})
            for start in range(0, len(rows), BATCH):
                await session.execute(insert(Task), rows[start:start + BATCH])
            await session.execute(insert(TaskDependency), dependencies)
            period = quarter_of(now, runtime.settings.zone)
            await build_goals(session, objectives, period, projects, rng)
        async with runtime.reader() as uow:
            mine = await uow.session.scalar(select(func.count()).where(Task.assignee_id == 2))
    finally:
        await runtime.close()
    return {"board_project": 1, "gantt_project": 2, "member": "user0002",
            "my_tasks_total": mine, "tasks": task_id, "dependencies": len(dependencies),
            "period": period}


async def build_goals(session: Any, count: int, period: str, projects: int,
                      rng: random.Random) -> None:
    """`count` objectives: the company's, five per department aligned to them, and the
    rest people's aligned to their department's; a tenth department-only or private; three
    key results each, every fifth objective's first counted from a project's tasks."""
    now = utcnow()
    people = DEPARTMENTS * PEOPLE_PER_DEPARTMENT
    rows: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        if n <= COMPANY_OBJECTIVES:
            level, owner, department, parent = "company", 1, None, None
        elif n <= COMPANY_OBJECTIVES + DEPARTMENTS * OBJECTIVES_PER_DEPARTMENT:
            department = (n - COMPANY_OBJECTIVES - 1) // OBJECTIVES_PER_DEPARTMENT + 1
            level, owner = "department", (department - 1) * PEOPLE_PER_DEPARTMENT + 1
            parent = rng.randrange(1, COMPANY_OBJECTIVES + 1)
        else:
            level, owner = "person", rng.randrange(1, people + 1)
            department = (owner - 1) // PEOPLE_PER_DEPARTMENT + 1
            parent = (COMPANY_OBJECTIVES + (department - 1) * OBJECTIVES_PER_DEPARTMENT
                      + rng.randrange(1, OBJECTIVES_PER_DEPARTMENT + 1))
        visibility = ("company" if level == "company" or n % 10
                      else "department" if level == "department" or n % 20 else "private")
        rows.append({"id": n, "title": f"目标 {n}：提升客户满意度", "description": "",
                     "level": level, "owner_id": owner, "department_id": department,
                     "parent_id": parent if parent is not None and parent < n else None,
                     "period": period, "visibility": visibility, "weight": 1.0,
                     "progress": rng.random(), "created_at": now, "updated_at": now})
    await session.execute(insert(Objective), rows)
    results = [{"id": (n - 1) * KEY_RESULTS_PER_OBJECTIVE + k, "objective_id": n,
                "title": f"关键结果 {k}：签约客户数", "kind": "tasks" if k == 1 and n % 5 == 0
                else "metric", "start_value": 0.0, "target_value": 100.0,
                "current_value": float(rng.randrange(100)), "unit": "家", "weight": 1.0,
                "progress": rng.random(), "confidence": rng.randrange(1, 11), "position": k,
                "created_at": now, "updated_at": now}
               for n in range(1, count + 1) for k in range(1, KEY_RESULTS_PER_OBJECTIVE + 1)]
    await session.execute(insert(KeyResult), results)
    await session.execute(insert(KeyResultProject), [
        {"key_result_id": r["id"], "project_id": rng.randrange(3, projects + 1)}
        for r in results if r["kind"] == "tasks"])


def measure(base_url: str, username: str, path: str, samples: int,
            params: dict[str, str] | None = None) -> dict[str, Any]:
    person = sign_in(base_url, username)
    with httpx.Client(base_url=base_url, timeout=60,
                      headers={"Authorization": f"Bearer {person.token}"}) as client:
        for _ in range(5):  # warm: connections, the first queries
            client.get(path, params=params)
        seconds = []
        for _ in range(samples):
            began = time.perf_counter()
            response = client.get(path, params=params)
            seconds.append(time.perf_counter() - began)
            response.raise_for_status()
        size = len(response.content)
    return {"path": path, "params": params or {}, "bytes": size, **latency_summary_ms(seconds)}


async def remind(environment: Environment, reminders: int) -> dict[str, Any]:
    """`reminders` open tasks made due tomorrow, then the day's reminder work, twice."""
    runtime = environment.runtime()
    try:
        now = utcnow()
        today = reminder_day(now, runtime.settings.zone)
        tomorrow = today + timedelta(days=1)
        async with runtime.unit_of_work() as uow:
            # Clear the built company's due days out of the reminders' way, then pick.
            await uow.session.execute(update(Task).values(due_at=today + timedelta(days=30)))
            chosen = list(await uow.session.scalars(
                select(Task.id).join(ProjectStatus, ProjectStatus.id == Task.status_id)
                .where(ProjectStatus.category.in_(["todo", "doing"]))
                .order_by(Task.id).limit(reminders)))
            for start in range(0, len(chosen), BATCH):
                await uow.session.execute(update(Task).where(
                    Task.id.in_(chosen[start:start + BATCH])).values(due_at=tomorrow))
        began = time.perf_counter()
        async with runtime.unit_of_work() as uow:
            sent = await send_reminders(uow, today, now)
        first = time.perf_counter() - began
        began = time.perf_counter()
        async with runtime.unit_of_work() as uow:
            again = await send_reminders(uow, today, now)
        second = time.perf_counter() - began
        async with runtime.reader() as uow:
            entries = await uow.session.scalar(
                select(func.count()).where(TaskEntry.kind == "due_tomorrow"))
            distinct = await uow.session.scalar(
                select(func.count(func.distinct(TaskEntry.task_id)))
                .where(TaskEntry.kind == "due_tomorrow"))
    finally:
        await runtime.close()
    return {"due_tomorrow": len(chosen), "sent": sent, "seconds": round(first, 2),
            "per_second": round(sent / first, 1) if first else None,
            "second_run_sent": again, "second_run_seconds": round(second, 2),
            "entries": entries, "tasks_with_entries": distinct, "day": today.isoformat()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--objectives", type=int, default=500)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    add_database_options(parser)
    args = parser.parse_args()
    with scratch_environment(postgres=args.postgres) as environment:
        began = time.perf_counter()
        company = asyncio.run(build_company(environment, args.projects, args.tasks,
                                            args.objectives, args.seed))
        built = time.perf_counter() - began
        with serving(environment) as server:
            reads = [
                measure(server.base_url, company["member"],
                        f"/api/v1/projects/{company['board_project']}/board", args.samples),
                measure(server.base_url, company["member"], "/api/v1/tasks", args.samples),
                measure(server.base_url, company["member"], "/api/v1/tasks", args.samples,
                        {"due": "overdue"}),
                measure(server.base_url, company["member"],
                        f"/api/v1/projects/{company['gantt_project']}/gantt", args.samples),
                measure(server.base_url, company["member"], "/api/v1/objectives", args.samples,
                        {"period": company["period"], "tree": "true"}),
            ]
        reminders = asyncio.run(remind(environment, args.reminders)) if args.reminders else None
    print_report({"benchmark": "projects", "database": environment.database,
                  "projects": args.projects, **company, "build_seconds": round(built, 1),
                  "reads": reads, "reminders": reminders, "machine": machine_info()})


if __name__ == "__main__":
    main()


