"""Projects and tasks as the API shows them, built from a few batched reads."""

from __future__ import annotations

from collections.abc import Sequence

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.files.schemas import file_out
from xietong.policy import projects as projects_policy
from xietong.policy.projects import ProjectStanding
from xietong.projects import queries
from xietong.projects.models import (
    Category,
    LabelColor,
    Priority,
    Project,
    ProjectRole,
    ProjectStatus,
    Task,
    TaskComment,
    TaskEntry,
    TaskRole,
    Visibility,
    number_of,
)
from xietong.projects.schemas import (
    ChecklistItemOut,
    CommentOut,
    LabelOut,
    ProjectData,
    ProjectOut,
    StatusOut,
    TaskAttachmentOut,
    TaskEntryOut,
    TaskOut,
)


def status_out(status: ProjectStatus) -> StatusOut:
    return StatusOut(id=status.id, name=status.name, category=Category(status.category),
                     position=status.position, wip_limit=status.wip_limit)


async def projects_data(uow: UnitOfWork, projects: Sequence[Project]) -> list[ProjectData]:
    ids = [p.id for p in projects]
    members = await queries.members_of(uow, ids)
    statuses = await queries.statuses_of(uow, ids)
    progress = await queries.progress_of(uow, ids)
    labels = await queries.labels_of(uow, ids)
    return [ProjectData(
        id=p.id, name=p.name, description=p.description, owner_id=p.owner_id,
        visibility=Visibility(p.visibility), channel_id=p.channel_id,
        archived=p.archived_at is not None, created_at=p.created_at,
        member_ids=members.get(p.id, []),
        statuses=[status_out(s) for s in statuses.get(p.id, [])],
        progress={c: progress.get(p.id, {}).get(c, 0) for c in Category},
        labels=[LabelOut(id=label.id, name=label.name, color=LabelColor(label.color))
                for label in labels.get(p.id, [])])
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
    statuses = await queries.statuses_by_id(uow, {t.status_id for t in tasks})
    people = await queries.people_of(uow, ids)
    checklists = await queries.checklists_of(uow, ids)
    attachments = await queries.attachments_of(uow, ids)
    comments = await queries.comment_counts(uow, ids)
    return [TaskOut(
        id=t.id, number=number_of(t.id), project_id=t.project_id, parent_id=t.parent_id,
        title=t.title, description=t.description, description_html=t.description_html,
        status_id=t.status_id, status=statuses[t.status_id].name,
        category=Category(statuses[t.status_id].category),
        assignee_id=t.assignee_id, priority=Priority(t.priority), start_at=t.start_at,
        due_at=t.due_at, estimate_hours=t.estimate_hours, labels=list(t.labels or []),
        rank=t.rank, dependencies=dependencies.get(t.id, []),
        source_message_id=t.source_message_id, created_by=t.created_by,
        created_at=t.created_at, updated_at=t.updated_at, completed_at=t.completed_at,
        collaborator_ids=people.get(t.id, {}).get(TaskRole.COLLABORATOR, []),
        watcher_ids=people.get(t.id, {}).get(TaskRole.WATCHER, []),
        checklist=[ChecklistItemOut(id=i.id, text=i.text, done=i.done)
                   for i in checklists.get(t.id, [])],
        checklist_done=sum(i.done for i in checklists.get(t.id, [])),
        checklist_total=len(checklists.get(t.id, [])),
        attachments=[TaskAttachmentOut(file=file_out(stored), added_by=a.added_by,
                                       created_at=a.created_at)
                     for a, stored in attachments.get(t.id, [])],
        comment_count=comments.get(t.id, 0))
        for t in tasks]


async def task_out(uow: UnitOfWork, task: Task) -> TaskOut:
    return (await tasks_out(uow, [task]))[0]


def entry_out(entry: TaskEntry) -> TaskEntryOut:
    return TaskEntryOut(id=entry.id, actor_id=entry.actor_id, kind=entry.kind,
                        data=dict(entry.data or {}), created_at=entry.created_at)


def comment_out(comment: TaskComment) -> CommentOut:
    return CommentOut(id=comment.id, task_id=comment.task_id, author_id=comment.author_id,
                      text=comment.text, html=comment.html,
                      mentioned_ids=list(comment.mentioned_ids or []),
                      created_at=comment.created_at, edited_at=comment.edited_at)
