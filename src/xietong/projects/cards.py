"""A task's milestones as compact cards in its project's channel: made, given to someone,
moved to another status, its due day moved, overdue — posted by the system account
(协同助手), read off the event log like the notifications, so each is posted once."""

from __future__ import annotations

from sqlalchemy import select

from xietong.chat.actions import admit_system_account, do_post_card
from xietong.chat.schemas import MessageCard
from xietong.core.actor import Actor, Role
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.actions import system_account
from xietong.projects.events import TaskChanged
from xietong.projects.models import Project, ProjectStatus
from xietong.projects.reminders import OVERDUE
from xietong.projects.schemas import TaskEntryOut

NAME = "projects.cards"

_HEADLINES = {"created": "新任务", "assigned": "任务已指派", "moved": "任务状态变更",
              "due_changed": "截止日期变更", "overdue": "任务已逾期"}


def card_event(entry: TaskEntryOut) -> str | None:
    """The card a history step makes, if any."""
    changes = entry.data.get("changes")
    if entry.kind == "created":
        return "created"
    if entry.kind == "moved" and entry.data.get("from") != entry.data.get("to"):
        return "moved"
    if entry.kind == "updated" and isinstance(changes, dict):
        if changes.get("assignee_id", [None, None])[1] is not None:
            return "assigned"
        if "due_at" in changes:
            return "due_changed"
    if entry.kind == OVERDUE:
        return "overdue"
    return None


class TaskCards:
    name = NAME
    types = frozenset({"task.changed"})

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        wanted = [(changed.task, changed.entry, event)
                  for changed in (TaskChanged.model_validate_json(e.data) for e in events)
                  if (event := card_event(changed.entry)) is not None]
        if not wanted:
            return
        channels = {project_id: channel_id for project_id, channel_id in (
            await uow.session.execute(select(Project.id, Project.channel_id).where(
                Project.id.in_({t.project_id for t, _, _ in wanted}))))
            if channel_id is not None}
        wanted = [w for w in wanted if w[0].project_id in channels]
        if not wanted:
            return
        statuses = {status_id: name for status_id, name in await uow.session.execute(
            select(ProjectStatus.id, ProjectStatus.name).where(
                ProjectStatus.id.in_({t.status_id for t, _, _ in wanted})))}
        people = {p for task, entry, _ in wanted for p in (entry.actor_id, task.assignee_id) if p}
        names = {u.id: u.display_name for u in await org_queries.users_by_ids(uow, people, None)}
        bot = await system_account(uow)
        poster = Actor(user_id=bot.id, role=Role.MEMBER)
        for channel_id in sorted({channels[t.project_id] for t, _, _ in wanted}):
            await admit_system_account(uow, channel_id, bot.id)
        for task, entry, event in wanted:
            status = statuses.get(task.status_id, "")
            card = MessageCard(
                kind="task", event=event, title=f"{task.number} {task.title}",
                link=f"/projects/{task.project_id}?task={task.id}",
                facts={"number": task.number, "status": status,
                       "category": task.category.value,
                       "assignee": names.get(task.assignee_id) if task.assignee_id else None,
                       "actor": names.get(entry.actor_id) if entry.actor_id else None,
                       "due_at": task.due_at.isoformat() if task.due_at else None})
            line = f"【{_HEADLINES[event]}】{card.title}"
            if event == "moved":
                line += f"：{status}"
            await do_post_card(uow, poster, channels[task.project_id], line, card)
