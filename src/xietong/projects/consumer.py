"""Who hears of a task's steps, read off the event log: the assignee of what was given to
them, and of its due day (tomorrow, overdue), and their manager when it is long overdue.
Like the other domains' notifications, a batch at a time, the same few statements however
large."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.notifications.actions import NewNotification, do_notify
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries
from xietong.policy import projects as projects_policy
from xietong.projects import queries
from xietong.projects.access import standing_from
from xietong.projects.events import TaskChanged, TaskCommented, project_scope
from xietong.projects.models import Project
from xietong.projects.reminders import DUE_TOMORROW, OVERDUE, OVERDUE_MANAGER
from xietong.projects.schemas import TaskEntryOut, TaskOut

NAME = "projects.notifications"


class TaskNotifications:
    name = NAME
    types = frozenset({"task.changed", "task.comment"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        await self._comments(uow, [e for e in events if e.type == "task.comment"])
        read = [(event.id, TaskChanged.model_validate_json(event.data)) for event in events
                if event.type == "task.changed"]
        read = [(i, c) for i, c in read if _reason(c.task, c.entry) is not None]
        if not read:
            return
        late = {c.task.assignee_id for _, c in read
                if c.entry.kind == OVERDUE_MANAGER and c.task.assignee_id is not None}
        named = {c.entry.actor_id for _, c in read if c.entry.actor_id is not None} | late
        names = {u.id: u.display_name
                 for u in await org_queries.users_by_ids(uow, named, None)}
        managers = await _managers_of(uow, late)
        wanted = [n for event_id, changed in read
                  for n in _notifications(event_id, changed.task, changed.entry, names,
                                          managers)]
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)


    async def _comments(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        """Those a comment mentions (`task_mentioned`), and the assignee, collaborators and
        watchers of a new one (`task_commented`): never its writer, each told once."""
        read = [(event.id, TaskCommented.model_validate_json(event.data)) for event in events]
        read = [(i, c) for i, c in read if c.newly_mentioned_ids or c.change == "created"]
        if not read:
            return
        writers = {c.comment.author_id for _, c in read if c.comment.author_id is not None}
        names = {u.id: u.display_name
                 for u in await org_queries.users_by_ids(uow, writers, None)}
        wanted = [n for event_id, c in read for n in _comment_notifications(event_id, c, names)]
        wanted = await _still_seeing(uow, wanted, {c.task.id: c.task.project_id for _, c in read})
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)


async def _still_seeing(uow: UnitOfWork, wanted: list[NewNotification],
                        projects_of: dict[int, int]) -> list[NewNotification]:
    """Only those who may see the task now (a watcher who has left a private project, a
    deactivated person, hear nothing of it): a few statements for the whole batch."""
    project_ids = set(projects_of.values())
    projects = {p.id: p for p in await uow.session.scalars(
        select(Project).where(Project.id.in_(project_ids)))}
    roles = await queries.roles_in(uow, project_ids, {n.user_id for n in wanted})
    people = {u.id: u for u in await org_queries.users_by_ids(
        uow, {n.user_id for n in wanted}, None)}
    kept = []
    for n in wanted:
        project_id = projects_of[int(n.data["task_id"])]
        user = people.get(n.user_id)
        project = projects.get(project_id)
        if user is None or not user.active or project is None:
            continue
        role = roles.get((project_id, n.user_id))
        if projects_policy.can_see_project(Actor(user_id=user.id, role=Role(user.role)),
                                           standing_from(project, role)):
            kept.append(n)
    return kept


def _comment_notifications(event_id: int, commented: TaskCommented,
                           names: dict[int, str]) -> list[NewNotification]:
    task, comment = commented.task, commented.comment
    writer = comment.author_id
    actor = names.get(writer, "") if writer is not None else ""
    mentioned = set(commented.newly_mentioned_ids) - {writer}
    following = (set() if commented.change != "created" else
                 ({task.assignee_id} if task.assignee_id is not None else set())
                 | set(task.collaborator_ids) | set(task.watcher_ids)) - {writer} - mentioned
    label = f"{task.number} {task.title}"
    data = {"task_id": task.id, "project_id": task.project_id, "subject_label": label,
            "actor_name": actor, "comment_id": comment.id}
    excerpt = comment.text[:200]
    who = actor or "有人"
    people = ([(u, NotificationKind.TASK_MENTIONED, f"{who} 在任务评论中提到了你：{task.title}")
               for u in sorted(mentioned)]
              + [(u, NotificationKind.TASK_COMMENTED, f"{who} 评论了任务：{task.title}")
                 for u in sorted(following)])
    return [NewNotification(user_id=user_id, kind=kind, title=title, body=excerpt,
                            scope=str(project_scope(task.project_id)), actor_id=writer,
                            data=data, link=f"/projects/{task.project_id}?task={task.id}",
                            source_event_id=event_id)
            for user_id, kind, title in people]


def _reason(task: TaskOut, entry: TaskEntryOut) -> str | None:
    """Why the step asks for someone's attention, if it does."""
    if task.assignee_id is None or task.assignee_id == entry.actor_id:
        return None
    if entry.kind == "created":
        return "assigned"
    changes = entry.data.get("changes")
    if entry.kind == "updated" and isinstance(changes, dict) and "assignee_id" in changes:
        return "assigned"
    if entry.kind in (DUE_TOMORROW, OVERDUE, OVERDUE_MANAGER):
        return entry.kind
    return None


async def _managers_of(uow: UnitOfWork, user_ids: set[int]) -> dict[int, set[int]]:
    """Each person's managers: those of their departments (walking up while one has none),
    never themselves."""
    if not user_ids:
        return {}
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    managers = await org_queries.managers_of(uow)
    memberships = await org_queries.memberships_of(uow, user_ids)
    found: dict[int, set[int]] = {}
    for user_id in user_ids:
        bosses: set[int] = set()
        for department_id in memberships[user_id].department_ids:
            for level in org_queries.ancestors_and_self(parents, department_id):
                here = set(managers.get(level, [])) - {user_id}
                if here:
                    bosses |= here
                    break
        found[user_id] = bosses
    return found


def _notifications(event_id: int, task: TaskOut, entry: TaskEntryOut, names: dict[int, str],
                   managers: dict[int, set[int]]) -> list[NewNotification]:
    reason = _reason(task, entry)
    assert task.assignee_id is not None
    label = f"{task.number} {task.title}"
    actor = names.get(entry.actor_id, "") if entry.actor_id is not None else ""
    titles = {
        "assigned": (NotificationKind.TASK_ASSIGNED,
                     f"{actor or '有人'} 把任务指派给了你：{task.title}"),
        DUE_TOMORROW: (NotificationKind.TASK_DUE, f"任务明天到期：{task.title}"),
        OVERDUE: (NotificationKind.TASK_DUE, f"任务已逾期：{task.title}"),
    }
    data = {"task_id": task.id, "project_id": task.project_id, "subject_label": label,
            "actor_name": actor, "step": entry.kind}
    people: list[tuple[int, NotificationKind, str]] = []
    if reason == OVERDUE_MANAGER:
        people = [(m, NotificationKind.TASK_DUE,
                   f"{names.get(task.assignee_id, '')} 的任务已逾期多日：{task.title}")
                  for m in sorted(managers.get(task.assignee_id, set()))]
    elif reason is not None:
        kind, title = titles[reason]
        people = [(task.assignee_id, kind, title)]
    return [NewNotification(user_id=user_id, kind=kind, title=title, body=label,
                            scope=str(project_scope(task.project_id)),
                            actor_id=entry.actor_id, data=data,
                            link=f"/projects/{task.project_id}?task={task.id}",
                            source_event_id=event_id)
            for user_id, kind, title in people]
