"""Projects and tasks as the API shows them, built from a few batched reads."""

from __future__ import annotations

from collections.abc import Sequence

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.policy import projects as projects_policy
from xietong.policy.projects import ProjectStanding
from xietong.projects import queries
from xietong.projects.models import (
    Category,
    Priority,
    Project,
    ProjectRole,
    ProjectStatus,
    Task,
    TaskEntry,
    Visibility,
)
from xietong.projects.schemas import (
    ProjectData,
    ProjectOut,
    StatusOut,
    TaskEntryOut,
    TaskOut,
)


def number_of(task_id: int) -> str:
    return f"T-{task_id}"


def status_out(status: ProjectStatus) -> StatusOut:
    return StatusOut(id=status.id, name=status.name, category=Category(status.category),
                     position=status.position, wip_limit=status.wip_limit)


async def projects_data(uow: UnitOfWork, projects: Sequence[Project]) -> list[ProjectData]:
    ids = [p.id for p in projects]
    members = await queries.members_of(uow, ids)
    statuses = await queries.statuses_of(uow, ids)
    progress = await queries.progress_of(uow, ids)
    return [ProjectData(
        id=p.id, name=p.name, description=p.description, owner_id=p.owner_id,
        visibility=Visibility(p.visibility), channel_id=p.channel_id,
        archived=p.archived_at is not None, created_at=p.created_at,
        member_ids=members.get(p.id, []),
        statuses=[status_out(s) for s in statuses.get(p.id, [])],
        progress={c: progress.get(p.id, {}).get(c, 0) for c in Category})
        for p in projects]


async def project_data(uow: UnitOfWork, project: Project) -> ProjectData:
    return (await projects_data(uow, [project]))[0]


def actions_for(actor: Actor, standing: ProjectStanding) -> list[str]:
    can = []
    if projects_policy.can_work_on_tasks(actor, standing):
        can.append("work")
    if projects_policy.can_manage_project(actor, standing):
        can.append("manage")
    return can


def project_out(data: ProjectData, actor: Actor, standing: ProjectStanding,
                role: ProjectRole | None) -> ProjectOut:
    return ProjectOut(**data.model_dump(), my_role=role, can=actions_for(actor, standing))


async def tasks_out(uow: UnitOfWork, tasks: Sequence[Task]) -> list[TaskOut]:
    ids = [t.id for t in tasks]
    dependencies = await queries.dependencies_of(uow, ids)
    categories = await queries.categories_of(uow, {t.status_id for t in tasks})
    return [TaskOut(
        id=t.id, number=number_of(t.id), project_id=t.project_id, parent_id=t.parent_id,
        title=t.title, description=t.description, description_html=t.description_html,
        status_id=t.status_id, category=categories[t.status_id],
        assignee_id=t.assignee_id, priority=Priority(t.priority), start_at=t.start_at,
        due_at=t.due_at, estimate_hours=t.estimate_hours, labels=list(t.labels or []),
        rank=t.rank, dependencies=dependencies.get(t.id, []),
        source_message_id=t.source_message_id, created_by=t.created_by,
        created_at=t.created_at, updated_at=t.updated_at, completed_at=t.completed_at)
        for t in tasks]


async def task_out(uow: UnitOfWork, task: Task) -> TaskOut:
    return (await tasks_out(uow, [task]))[0]


def entry_out(entry: TaskEntry) -> TaskEntryOut:
    return TaskEntryOut(id=entry.id, actor_id=entry.actor_id, kind=entry.kind,
                        data=dict(entry.data or {}), created_at=entry.created_at)
