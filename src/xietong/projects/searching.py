"""Projects and tasks in search. Each project is an item of kind "project" (its name and
description) and each task one of kind "task" (its number, title and description), both in
their project's scope `project:<id>`. Who finds them is asked when a search runs
(`ProjectReaders`: whoever sees the project now, by the SQL of `queries.seen_by`, the rule
of the project's page), so a member added, a project made company-visible or a guest
removed changes who finds its tasks without touching the index. An archived project and its
tasks stay findable by those who see it (its page still shows them).

Indexed in the transaction that creates them; a change of a project's name or description,
or of a task's title or description, indexes it again. `xietong reindex` indexes every
project and task afresh (`IndexRebuilding`), and a migration indexed those made before they
were searchable. Search shows a hit by asking `FoundItems`, answered here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import ColumnElement, func, select

from xietong.core.actor import Actor
from xietong.core.signals import FoundItems, IndexRebuilding
from xietong.core.uow import UnitOfWork
from xietong.projects.events import PROJECT, project_scope
from xietong.projects.models import Project, ProjectMember, ProjectStatus, Task, number_of
from xietong.projects.queries import seen_by
from xietong.search.indexing import Searchable, do_index, do_index_many, do_unindex_kind
from xietong.search.models import ItemKind
from xietong.search.schemas import ProjectRef, ProjectSummary, TaskCategory, TaskSummary
from xietong.search.views import FoundProject, FoundTask


class TaskFields(Protocol):
    """What indexing reads of a task: a `Task`, or a row of these columns."""

    @property
    def id(self) -> int: ...
    @property
    def project_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def created_by(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...


class ProjectFields(Protocol):
    """What indexing reads of a project: a `Project`, or a row of these columns."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def owner_id(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...


TASK_COLUMNS = (Task.id, Task.project_id, Task.title, Task.description, Task.created_by,
                Task.created_at)
PROJECT_COLUMNS = (Project.id, Project.name, Project.description, Project.owner_id,
                   Project.created_at)


def task_searchable(task: TaskFields) -> Searchable:
    """A task as the index sees it: found by its number ("T-42", "42"), its title and its
    description (the Markdown as written); `from:` whoever made it."""
    return Searchable(kind=ItemKind.TASK, item_id=task.id, scope=project_scope(task.project_id),
                      author_id=task.created_by, created_at=task.created_at,
                      text=f"{number_of(task.id)} {task.title}\n{task.description or ''}")


def project_searchable(project: ProjectFields) -> Searchable:
    """A project as the index sees it: its name and description; `from:` its owner."""
    return Searchable(kind=ItemKind.PROJECT, item_id=project.id,
                      scope=project_scope(project.id), author_id=project.owner_id,
                      created_at=project.created_at,
                      text=f"{project.name}\n{project.description or ''}")


async def do_index_task(uow: UnitOfWork, task: Task) -> None:
    """Index a task just made (after its flush), or again when its text changed."""
    await do_index(uow, task_searchable(task))


async def do_index_tasks(uow: UnitOfWork, tasks: Iterable[Task]) -> None:
    """Index tasks made together (a template's), in a few statements."""
    await do_index_many(uow, [task_searchable(task) for task in tasks])


async def do_index_project(uow: UnitOfWork, project: Project) -> None:
    """Index a project just made (after its flush), or again when its text changed."""
    await do_index(uow, project_searchable(project))


class ProjectReaders:
    """Who may find a project and its tasks: whoever sees the project now (the rule of
    `access.access_project`)."""

    kind = PROJECT

    def may_read(self, actor: Actor, scope_id: ColumnElement[int]) -> ColumnElement[bool]:
        # The projects the actor sees, worked out once per search, then a lookup per match
        # (as requests do: cheaper than a correlated EXISTS per match).
        return scope_id.in_(select(Project.id).where(seen_by(actor)))


async def task_summaries(uow: UnitOfWork, task_ids: Iterable[int]) -> list[TaskSummary]:
    """These tasks as a hit or a message's card shows them, in id order: one statement."""
    rows = await uow.session.execute(
        select(Task.id, Task.title, Task.assignee_id, Task.due_at, Project.id.label("pid"),
               Project.name, Project.archived_at, ProjectStatus.name.label("status"),
               ProjectStatus.category)
        .join(Project, Project.id == Task.project_id)
        .join(ProjectStatus, ProjectStatus.id == Task.status_id)
        .where(Task.id.in_(set(task_ids))).order_by(Task.id))
    return [TaskSummary(
        id=row.id, number=number_of(row.id), title=row.title,
        project=ProjectRef(id=row.pid, name=row.name, archived=row.archived_at is not None),
        status=row.status, category=cast(TaskCategory, row.category),
        assignee_id=row.assignee_id, due_at=row.due_at) for row in rows]


async def visible_task_summaries(uow: UnitOfWork, actor: Actor,
                                 task_ids: Sequence[int]) -> list[TaskSummary]:
    """Those of `task_ids` the actor may see (the others are left out, as if they did not
    exist), as `task_summaries` shows them."""
    visible = await uow.session.scalars(
        select(Task.id).where(Task.id.in_(set(task_ids)),
                              Task.project_id.in_(select(Project.id).where(seen_by(actor)))))
    return await task_summaries(uow, visible.all())


async def found_items(uow: UnitOfWork, signal: FoundItems
                      ) -> dict[int, FoundTask] | dict[int, FoundProject] | None:
    """Search's hits of kind "task" and "project", as it shows them."""
    if signal.kind == ItemKind.TASK:
        descriptions = dict((await uow.session.execute(
            select(Task.id, Task.description).where(Task.id.in_(signal.item_ids)))).all())
        return {summary.id: FoundTask(summary=summary, body=descriptions.get(summary.id, ""))
                for summary in await task_summaries(uow, signal.item_ids)}
    if signal.kind == ItemKind.PROJECT:
        counts = dict((await uow.session.execute(
            select(ProjectMember.project_id, func.count())
            .where(ProjectMember.project_id.in_(signal.item_ids))
            .group_by(ProjectMember.project_id))).all())
        projects = (await uow.session.scalars(
            select(Project).where(Project.id.in_(signal.item_ids)))).all()
        return {project.id: FoundProject(
            summary=ProjectSummary(id=project.id, name=project.name,
                                   archived=project.archived_at is not None,
                                   owner_id=project.owner_id,
                                   member_count=counts.get(project.id, 0)),
            body=project.description) for project in projects}
    return None


REINDEX_BATCH = 2000


async def reindex_projects(uow: UnitOfWork, _signal: IndexRebuilding) -> tuple[str, int]:
    """Every project into the index afresh."""
    await do_unindex_kind(uow, ItemKind.PROJECT)
    count, after = 0, 0
    while batch := (await uow.session.execute(
            select(*PROJECT_COLUMNS).where(Project.id > after).order_by(Project.id)
            .limit(REINDEX_BATCH))).all():
        await do_index_many(uow, [project_searchable(row) for row in batch])
        after, count = batch[-1].id, count + len(batch)
    return "projects", count


async def reindex_tasks(uow: UnitOfWork, _signal: IndexRebuilding) -> tuple[str, int]:
    """Every task into the index afresh."""
    await do_unindex_kind(uow, ItemKind.TASK)
    count, after = 0, 0
    while batch := (await uow.session.execute(
            select(*TASK_COLUMNS).where(Task.id > after).order_by(Task.id)
            .limit(REINDEX_BATCH))).all():
        await do_index_many(uow, [task_searchable(row) for row in batch])
        after, count = batch[-1].id, count + len(batch)
    return "tasks", count
