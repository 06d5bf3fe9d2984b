"""Reads of projects and tasks, each a few statements whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, Row, Select, case, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from xietong.core.actor import Actor
from xietong.core.text import like_escaped
from xietong.core.uow import UnitOfWork
from xietong.files.models import StoredFile
from xietong.policy import projects as projects_policy
from xietong.projects.models import (
    Category,
    ChecklistItem,
    Priority,
    Project,
    ProjectLabel,
    ProjectMember,
    ProjectRole,
    ProjectStatus,
    Task,
    TaskAttachment,
    TaskComment,
    TaskDependency,
    TaskEntry,
    TaskPerson,
    TaskRole,
    Visibility,
    number_of,
)

# Still to be done: what "overdue" and "due soon" count.
OPEN_CATEGORIES = (Category.TODO.value, Category.DOING.value)


async def member_project_ids(uow: UnitOfWork, user_id: int) -> set[int]:
    return set(await uow.session.scalars(
        select(ProjectMember.project_id).where(ProjectMember.user_id == user_id)))


async def my_roles(uow: UnitOfWork, user_id: int) -> dict[int, str]:
    """The projects someone is in, with their role in each."""
    return {project_id: role for project_id, role in await uow.session.execute(
        select(ProjectMember.project_id, ProjectMember.role)
        .where(ProjectMember.user_id == user_id))}


async def membership(uow: UnitOfWork, project_id: int, user_id: int) -> ProjectMember | None:
    return await uow.session.get(ProjectMember, (project_id, user_id))


async def roles_in(uow: UnitOfWork, project_ids: Iterable[int],
                   user_ids: Iterable[int]) -> dict[tuple[int, int], ProjectRole]:
    """Each (project, person)'s role, for those of the people in those projects."""
    return {(project_id, user_id): ProjectRole(role)
            for project_id, user_id, role in await uow.session.execute(
                select(ProjectMember.project_id, ProjectMember.user_id, ProjectMember.role)
                .where(ProjectMember.project_id.in_(set(project_ids)),
                       ProjectMember.user_id.in_(set(user_ids))))}


async def members_of(uow: UnitOfWork, project_ids: Iterable[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for project_id, user_id in await uow.session.execute(
            select(ProjectMember.project_id, ProjectMember.user_id)
            .where(ProjectMember.project_id.in_(set(project_ids)))
            .order_by(ProjectMember.project_id, ProjectMember.user_id)):
        found.setdefault(project_id, []).append(user_id)
    return found


async def statuses_of(uow: UnitOfWork,
                      project_ids: Iterable[int]) -> dict[int, list[ProjectStatus]]:
    found: dict[int, list[ProjectStatus]] = {}
    for status in await uow.session.scalars(
            select(ProjectStatus).where(ProjectStatus.project_id.in_(set(project_ids)))
            .order_by(ProjectStatus.project_id, ProjectStatus.position)):
        found.setdefault(status.project_id, []).append(status)
    return found


async def labels_of(uow: UnitOfWork,
                    project_ids: Iterable[int]) -> dict[int, list[ProjectLabel]]:
    found: dict[int, list[ProjectLabel]] = {}
    for label in await uow.session.scalars(
            select(ProjectLabel).where(ProjectLabel.project_id.in_(set(project_ids)))
            .order_by(ProjectLabel.project_id, ProjectLabel.position)):
        found.setdefault(label.project_id, []).append(label)
    return found


async def people_of(uow: UnitOfWork,
                    task_ids: Iterable[int]) -> dict[int, dict[TaskRole, list[int]]]:
    """Each task's collaborators and watchers, by role, in id order."""
    found: dict[int, dict[TaskRole, list[int]]] = {}
    for task_id, user_id, role in await uow.session.execute(
            select(TaskPerson.task_id, TaskPerson.user_id, TaskPerson.role)
            .where(TaskPerson.task_id.in_(set(task_ids)))
            .order_by(TaskPerson.task_id, TaskPerson.user_id)):
        found.setdefault(task_id, {}).setdefault(TaskRole(role), []).append(user_id)
    return found


async def checklists_of(uow: UnitOfWork,
                        task_ids: Iterable[int]) -> dict[int, list[ChecklistItem]]:
    found: dict[int, list[ChecklistItem]] = {}
    for item in await uow.session.scalars(
            select(ChecklistItem).where(ChecklistItem.task_id.in_(set(task_ids)))
            .order_by(ChecklistItem.task_id, ChecklistItem.position, ChecklistItem.id)):
        found.setdefault(item.task_id, []).append(item)
    return found


async def attachments_of(uow: UnitOfWork, task_ids: Iterable[int]
                         ) -> dict[int, list[tuple[TaskAttachment, StoredFile]]]:
    found: dict[int, list[tuple[TaskAttachment, StoredFile]]] = {}
    for attachment, stored in await uow.session.execute(
            select(TaskAttachment, StoredFile)
            .join(StoredFile, StoredFile.id == TaskAttachment.file_id)
            .where(TaskAttachment.task_id.in_(set(task_ids)))
            .order_by(TaskAttachment.task_id, TaskAttachment.created_at,
                      TaskAttachment.file_id)):
        found.setdefault(attachment.task_id, []).append((attachment, stored))
    return found


async def comment_counts(uow: UnitOfWork, task_ids: Iterable[int]) -> dict[int, int]:
    return {task_id: count for task_id, count in await uow.session.execute(
        select(TaskComment.task_id, func.count()).where(TaskComment.task_id.in_(set(task_ids)))
        .group_by(TaskComment.task_id))}


async def comments_page(uow: UnitOfWork, task_id: int, before_id: int | None,
                        limit: int) -> Sequence[TaskComment]:
    """The task's comments newest first, older than `before_id` when given."""
    statement = select(TaskComment).where(TaskComment.task_id == task_id)
    if before_id is not None:
        statement = statement.where(TaskComment.id < before_id)
    return (await uow.session.scalars(
        statement.order_by(TaskComment.id.desc()).limit(limit))).all()


async def projects_carrying(uow: UnitOfWork, file_id: int) -> set[int]:
    """The projects with a task the file is attached to."""
    return set(await uow.session.scalars(
        select(Task.project_id).join(TaskAttachment, TaskAttachment.task_id == Task.id)
        .where(TaskAttachment.file_id == file_id)))


async def progress_of(uow: UnitOfWork,
                      project_ids: Iterable[int]) -> dict[int, dict[Category, int]]:
    """Per project, its tasks (not sub-tasks) in each category."""
    found: dict[int, dict[Category, int]] = {}
    for project_id, category, count in await uow.session.execute(
            select(Task.project_id, ProjectStatus.category, func.count())
            .join(ProjectStatus, ProjectStatus.id == Task.status_id)
            .where(Task.project_id.in_(set(project_ids)), Task.parent_id.is_(None))
            .group_by(Task.project_id, ProjectStatus.category)):
        found.setdefault(project_id, {})[Category(category)] = count
    return found


def standing_conditions(user_id: int) -> dict[str, ColumnElement[bool]]:
    """SQL conditions on a project's row, one per field of `policy.projects.ProjectStanding`
    that can show it to someone (`policy.projects.seeing`)."""
    return {
        "member": Project.id.in_(select(ProjectMember.project_id)
                                 .where(ProjectMember.user_id == user_id)),
        "company_visible": Project.visibility == Visibility.COMPANY.value,
    }


def seen_by(actor: Actor) -> ColumnElement[bool]:
    """SQL: the actor sees the project now (`policy.projects.can_see_project`): the rule of
    the project's page, for the list of projects and for search."""
    showing = projects_policy.seeing(actor)
    if showing is None:
        return true()
    conditions = standing_conditions(actor.user_id)
    return or_(false(), *(conditions[name] for name in showing))


async def visible_projects(uow: UnitOfWork, actor: Actor) -> Sequence[Project]:
    """The projects the actor sees (`seen_by`); live ones first, newest first."""
    return (await uow.session.scalars(
        select(Project).where(seen_by(actor))
        .order_by(Project.archived_at.is_not(None), Project.id.desc()))).all()


async def dependencies_of(uow: UnitOfWork, task_ids: Iterable[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for task_id, depends_on in await uow.session.execute(
            select(TaskDependency.task_id, TaskDependency.depends_on_id)
            .where(TaskDependency.task_id.in_(set(task_ids)))
            .order_by(TaskDependency.task_id, TaskDependency.depends_on_id)):
        found.setdefault(task_id, []).append(depends_on)
    return found


async def reaches(uow: UnitOfWork, start: int, goal: int) -> bool:
    """Whether `start` depends, directly or through others, on `goal`: one query a level."""
    seen, frontier = {start}, {start}
    while frontier:
        frontier = set(await uow.session.scalars(
            select(TaskDependency.depends_on_id).where(TaskDependency.task_id.in_(frontier))))
        if goal in frontier:
            return True
        frontier -= seen
        seen |= frontier
    return False


async def last_rank(uow: UnitOfWork, project_id: int, status_id: int) -> str | None:
    """The rank of the column's bottom card (None: an empty column)."""
    return await uow.session.scalar(select(func.max(Task.rank)).where(
        Task.project_id == project_id, Task.status_id == status_id))


async def column(uow: UnitOfWork, project_id: int, status_id: int) -> list[tuple[int, str]]:
    """The column's tasks as (id, rank), in board order."""
    return [(row.id, row.rank) for row in await uow.session.execute(
        select(Task.id, Task.rank).where(Task.project_id == project_id,
                                         Task.status_id == status_id)
        .order_by(Task.rank, Task.id))]


async def tasks_of(uow: UnitOfWork, project_id: int) -> Sequence[Task]:
    return (await uow.session.scalars(
        select(Task).where(Task.project_id == project_id)
        .order_by(Task.status_id, Task.rank, Task.id))).all()


async def statuses_by_id(uow: UnitOfWork,
                         status_ids: Iterable[int]) -> dict[int, ProjectStatus]:
    return {status.id: status for status in await uow.session.scalars(
        select(ProjectStatus).where(ProjectStatus.id.in_(set(status_ids))))}


async def history_of(uow: UnitOfWork, task_id: int) -> Sequence[TaskEntry]:
    return (await uow.session.scalars(
        select(TaskEntry).where(TaskEntry.task_id == task_id).order_by(TaskEntry.id))).all()


class TaskOrder(StrEnum):
    BOARD = "board"  # by column position, then rank: as the board shows them
    DUE = "due"  # soonest due first, undated last
    PRIORITY = "priority"  # urgent first
    NEWEST = "newest"
    NUMBER = "number"  # oldest first, as they were numbered
    UPDATED = "updated"  # last changed first


_PRIORITY_ORDER = case({p.value: n for n, p in enumerate(Priority)}, value=Task.priority)


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Which tasks a list shows, and in what order: one project's (`project_id`), or
    someone's across the projects they are in (`assignee_id` and `member_id`), narrowed by
    the rest."""

    project_id: int | None = None
    assignee_id: int | None = None
    # Only tasks of projects this person is in: someone removed from one keeps none of its
    # tasks in their lists.
    member_id: int | None = None
    status_id: int | None = None
    label: str | None = None
    text: str | None = None
    priority: Priority | None = None
    # Due on or after `due_from` and before `due_before` (undated tasks are left out when
    # either is given); `open_only`: only those still to do or in progress.
    due_from: date | None = None
    due_before: date | None = None
    open_only: bool = False
    order: TaskOrder = TaskOrder.BOARD
    limit: int | None = None

    def scope(self) -> list[ColumnElement[bool]]:
        """The conditions that bound the set (a project, a person's tasks): what the
        cards' dependencies and checklists are read within."""
        conditions: list[ColumnElement[bool]] = []
        if self.project_id is not None:
            conditions.append(Task.project_id == self.project_id)
        if self.assignee_id is not None:
            conditions.append(Task.assignee_id == self.assignee_id)
        if self.member_id is not None:
            conditions.append(Task.project_id.in_(
                select(ProjectMember.project_id).where(ProjectMember.user_id == self.member_id)))
        if not conditions:
            raise ValueError("a task list needs a project or a person")
        return conditions


class CardRow(TypedDict):
    """A task as `schemas.TaskCard` shows it, as the database gives it (the enums as their
    values)."""

    id: int
    number: str
    project_id: int
    parent_id: int | None
    title: str
    status_id: int
    status: str
    category: str
    assignee_id: int | None
    priority: str
    start_at: date | None
    due_at: date | None
    labels: list[str]
    rank: str
    dependencies: list[int]
    completed_at: datetime | None
    checklist_done: int
    checklist_total: int


def _cards_statement(wanted: TaskFilter) -> Select[*tuple[Any, ...]]:
    """The cards' own columns, filtered as `wanted` says (not yet ordered)."""
    statement: Select[*tuple[Any, ...]] = (
        select(Task.id, Task.project_id, Task.parent_id, Task.title, Task.status_id,
               ProjectStatus.name, ProjectStatus.category, Task.assignee_id, Task.priority,
               Task.start_at, Task.due_at, Task.labels, Task.rank, Task.completed_at)
        .join(ProjectStatus, ProjectStatus.id == Task.status_id)
        .where(*wanted.scope()))
    if wanted.status_id is not None:
        statement = statement.where(Task.status_id == wanted.status_id)
    if wanted.text:
        statement = statement.where(
            Task.title.like(f"%{like_escaped(wanted.text)}%", escape="\\"))
    if wanted.priority is not None:
        statement = statement.where(Task.priority == wanted.priority.value)
    if wanted.due_from is not None:
        statement = statement.where(Task.due_at >= wanted.due_from)
    if wanted.due_before is not None:
        statement = statement.where(Task.due_at < wanted.due_before)
    if wanted.open_only:
        statement = statement.where(ProjectStatus.category.in_(OPEN_CATEGORIES))
    return statement


async def _card_rows(connection: AsyncConnection,
                     wanted: TaskFilter) -> list[Row[*tuple[Any, ...]]]:
    statement = _cards_statement(wanted)
    # Labels are a JSON list: matched here, alike on both databases (so no LIMIT then).
    limit = wanted.limit if wanted.label is None else None
    if wanted.order is TaskOrder.DUE and limit is not None:
        # Soonest due first, undated last: the dated ones read in the (assignee, due day)
        # index's order, stopping at the limit, rather than every task sorted — someone may
        # be given thousands.
        dated = list(await connection.execute(
            statement.where(Task.due_at.is_not(None))
            .order_by(Task.due_at, Task.id).limit(limit)))
        if len(dated) == limit:
            return dated
        return dated + list(await connection.execute(
            statement.where(Task.due_at.is_(None)).order_by(Task.id)
            .limit(limit - len(dated))))
    statement = statement.order_by(*{
        TaskOrder.BOARD: (ProjectStatus.position, Task.rank),
        TaskOrder.DUE: (Task.due_at.is_(None), Task.due_at),
        TaskOrder.PRIORITY: (_PRIORITY_ORDER, Task.rank),
        TaskOrder.NEWEST: (Task.id.desc(),),
        TaskOrder.NUMBER: (),
        TaskOrder.UPDATED: (Task.updated_at.desc(),),
    }[wanted.order], Task.id)
    if limit is not None:
        statement = statement.limit(limit)
    rows = list(await connection.execute(statement))
    if wanted.label is not None:
        rows = [row for row in rows if wanted.label in (row.labels or [])][:wanted.limit]
    return rows


async def task_cards(uow: UnitOfWork, wanted: TaskFilter) -> list[CardRow]:
    """Tasks as cards (`schemas.TaskCard`'s fields), filtered and ordered as `wanted` says,
    in three statements: the cards, their dependencies, their checklists' progress. Plain
    dicts read with the Core, not ORM objects or validated models: a board may hold
    thousands, and these are the database's own rows (the routes serialise them as their
    schemas declare)."""
    connection = await uow.session.connection()
    rows = await _card_rows(connection, wanted)
    if not rows:
        return []
    # The cards' dependencies and checklists: of the whole set when every card of it is
    # shown (a board), else of the cards listed.
    among = (wanted.scope() if wanted.limit is None
             else [Task.id.in_([row.id for row in rows])])
    waits: dict[int, list[int]] = {}
    for task_id, depends_on in await connection.execute(
            select(TaskDependency.task_id, TaskDependency.depends_on_id)
            .join(Task, Task.id == TaskDependency.task_id).where(*among)
            .order_by(TaskDependency.task_id, TaskDependency.depends_on_id)):
        waits.setdefault(task_id, []).append(depends_on)
    checks = {task_id: (int(done or 0), total) for task_id, total, done in await connection.execute(
        select(ChecklistItem.task_id, func.count(),
               func.sum(case((ChecklistItem.done, 1), else_=0)))
        .join(Task, Task.id == ChecklistItem.task_id).where(*among)
        .group_by(ChecklistItem.task_id))}
    return [{"id": task_id, "number": number_of(task_id), "project_id": project_id,
             "parent_id": parent_id, "title": title, "status_id": status_id,
             "status": status, "category": category, "assignee_id": assignee_id,
             "priority": priority, "start_at": start_at, "due_at": due_at,
             "labels": labels or [], "rank": rank,
             "dependencies": waits.get(task_id, []), "completed_at": completed_at,
             "checklist_done": checks.get(task_id, (0, 0))[0],
             "checklist_total": checks.get(task_id, (0, 0))[1]}
            for (task_id, project_id, parent_id, title, status_id, status, category,
                 assignee_id, priority, start_at, due_at, labels, rank, completed_at) in rows]
