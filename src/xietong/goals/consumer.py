"""What goals read off the event log: tasks moving (a task-counted key result's progress
follows them, and the roll-up above it) and check-ins owed (a notification to the owner).
A batch at a time; recounting is idempotent, reminders are recorded once per event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from xietong.core.clock import utcnow
from xietong.core.events import USER, CommittedEvent, Scope
from xietong.core.uow import UnitOfWork
from xietong.goals import queries
from xietong.goals.actions import emit_changes, recount
from xietong.goals.events import CheckInDue
from xietong.goals.models import KeyResult, Objective
from xietong.notifications.actions import NewNotification, do_notify
from xietong.notifications.models import NotificationKind
from xietong.projects.events import ProjectChanged, TaskChanged


class TaskProgress:
    """A task done, reopened, cancelled, added to or moved out of a linked project: the key
    results counting it are counted again and the periods rolled up."""

    name = "goals.task-progress"
    types = frozenset({"task.changed", "project.changed"})

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        task_ids: set[int] = set()
        project_ids: set[int] = set()
        for event in events:
            if event.type == "task.changed":
                task_ids.add(TaskChanged.model_validate_json(event.data).task.id)
            else:
                project_ids.add(ProjectChanged.model_validate_json(event.data).project.id)
        kr_ids = await queries.key_results_counting(uow, task_ids, project_ids)
        if not kr_ids:
            return
        key_results = (await uow.session.scalars(
            select(KeyResult).where(KeyResult.id.in_(kr_ids)))).all()
        moved = await recount(uow, key_results)
        if not moved:
            return
        periods = set(await uow.session.scalars(
            select(Objective.period).where(Objective.id.in_(moved))))
        for period in sorted(periods):
            await emit_changes(uow, period, {})


class CheckInReminders:
    """A check-in owed becomes a notification (`okr_check_in`) to the key result's owner."""

    name = "goals.notifications"
    types = frozenset({"okr.check_in_due"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        wanted = []
        for event in events:
            due = CheckInDue.model_validate_json(event.data)
            for user_id in event.recipients or ():
                wanted.append(NewNotification(
                    user_id=user_id, kind=NotificationKind.OKR_CHECK_IN,
                    title=f"本周请更新关键结果的进度：{due.key_result_title}",
                    body=due.objective_title, scope=str(Scope(USER, user_id)),
                    link=f"/okr?objective={due.objective_id}", source_event_id=event.id,
                    data={"objective_id": due.objective_id,
                          "key_result_id": due.key_result_id,
                          "subject_label": due.objective_title}))
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)
