"""Finding a project or task for someone: what they may not see does not exist for them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.policy import projects as projects_policy
from xietong.policy.projects import ProjectStanding
from xietong.projects import queries
from xietong.projects.models import Project, ProjectRole, Task, Visibility


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    project: Project
    standing: ProjectStanding
    role: ProjectRole | None


def standing_from(project: Project, role: ProjectRole | None) -> ProjectStanding:
    """Where someone with `role` in the project (None: not in it) stands towards it."""
    return ProjectStanding(member=role is not None, owner=role == ProjectRole.OWNER,
                           company_visible=project.visibility == Visibility.COMPANY.value,
                           archived=project.archived_at is not None)


async def standing_of(uow: UnitOfWork, actor: Actor,
                      project: Project) -> tuple[ProjectStanding, ProjectRole | None]:
    member = await queries.membership(uow, project.id, actor.user_id)
    role = ProjectRole(member.role) if member is not None else None
    return standing_from(project, role), role


async def access_project(uow: UnitOfWork, actor: Actor, project_id: int, *,
                         for_update: bool = False) -> ProjectAccess:
    """`for_update`: the project's row is locked until the commit — what serialises the
    moves on its board."""
    statement = select(Project).where(Project.id == project_id)
    if for_update:
        statement = statement.with_for_update()
    project = await uow.session.scalar(statement)
    if project is None:
        raise NotFound("No such project.")
    standing, role = await standing_of(uow, actor, project)
    if not projects_policy.can_see_project(actor, standing):
        raise NotFound("No such project.")
    return ProjectAccess(project, standing, role)


async def access_task(uow: UnitOfWork, actor: Actor, task_id: int, *,
                      for_update: bool = False) -> tuple[Task, ProjectAccess]:
    task = await uow.session.get(Task, task_id)
    if task is None:
        raise NotFound("No such task.")
    try:
        found = await access_project(uow, actor, task.project_id, for_update=for_update)
    except NotFound:
        raise NotFound("No such task.") from None
    return task, found
