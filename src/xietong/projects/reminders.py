"""Reminders of due dates, once a day on the durable jobs: a task due tomorrow, a task one
day overdue, and — as many days overdue as the company's `overdue_manager_days` setting
says (3 unless an administrator chose otherwise; 0: never) — its assignee's manager too.

The job writes each reminder as a step of the task's history (a `task.changed` event), and
the notifications consumer turns the step into notifications: the same path as any other
change, so a reminder is recorded once, pushed live and kept. Days are the company's
(`JobNeeds.zone`); a job run twice in a day (a retry) finds its steps and writes none again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import JobHandler, JobNeeds
from xietong.org.company_settings.queries import company_settings
from xietong.projects.actions import record_steps
from xietong.projects.models import Category, Project, ProjectStatus, Task, TaskEntry

REMINDER_JOB = "projects.due-reminders"
REMINDER_SCHEDULE = "daily 09:00"

DUE_TOMORROW = "due_tomorrow"
OVERDUE = "overdue"
OVERDUE_MANAGER = "overdue_manager"
REMINDER_KINDS = (DUE_TOMORROW, OVERDUE, OVERDUE_MANAGER)
# Reminders written (and their tasks read back) together: a busy day's thousands in batches.
STEPS_AT_ONCE = 500


def due_days(today: date, manager_after: int) -> dict[date, list[str]]:
    """Which due day makes which reminders today (`manager_after`: the days overdue before
    the manager is told, 0 for never; one day overdue tells the assignee and them both)."""
    kinds: dict[date, list[str]] = {today + timedelta(days=1): [DUE_TOMORROW],
                                    today - timedelta(days=1): [OVERDUE]}
    if manager_after > 0:
        kinds.setdefault(today - timedelta(days=manager_after), []).append(OVERDUE_MANAGER)
    return kinds


async def send_reminders(uow: UnitOfWork, today: date, now: datetime) -> int:
    """Record today's reminders; how many."""
    kinds = due_days(today, (await company_settings(uow)).overdue_manager_days)
    tasks = (await uow.session.scalars(
        select(Task).join(ProjectStatus, ProjectStatus.id == Task.status_id)
        .join(Project, Project.id == Task.project_id)
        .where(Task.due_at.in_(list(kinds)), Task.assignee_id.is_not(None),
               ProjectStatus.category.in_([Category.TODO.value, Category.DOING.value]),
               Project.archived_at.is_(None))
        .order_by(Task.id))).all()
    if not tasks:
        return 0
    done = {(task_id, kind) for task_id, kind, data in await uow.session.execute(
        select(TaskEntry.task_id, TaskEntry.kind, TaskEntry.data).where(
            TaskEntry.task_id.in_([t.id for t in tasks]),
            TaskEntry.kind.in_(REMINDER_KINDS)))
        if isinstance(data, dict) and data.get("day") == today.isoformat()}
    steps = [(task, kind, {"day": today.isoformat(), "due_at": task.due_at.isoformat()})
             for task in tasks if task.due_at is not None
             for kind in kinds[task.due_at] if (task.id, kind) not in done]
    for start in range(0, len(steps), STEPS_AT_ONCE):
        await record_steps(uow, steps[start:start + STEPS_AT_ONCE], now)
    return len(steps)


def reminder_day(now: datetime, zone: ZoneInfo) -> date:
    """Today, in the company's time zone (in Shanghai the 7th begins at 16:00 UTC)."""
    return now.astimezone(zone).date()


def reminder_handler(needs: JobNeeds) -> JobHandler:
    async def handle(uow: UnitOfWork, _payload: dict[str, Any]) -> None:
        now = utcnow()
        await send_reminders(uow, reminder_day(now, needs.zone), now)

    return handle
