"""Events of projects: a project or one of its tasks changed, to the project's members (the
`project` scope, resolved at delivery: someone removed stops hearing at once)."""

from __future__ import annotations

from typing import Literal

from xietong.core.events import CommittedEvent, Event, Scope
from xietong.core.uow import UnitOfWork
from xietong.projects import queries
from xietong.projects.schemas import CommentOut, ProjectData, TaskEntryOut, TaskOut

PROJECT = "project"


def project_scope(project_id: int) -> Scope:
    return Scope(PROJECT, project_id)


class ProjectChanged(Event):
    """A project was created or changed; `user_ids`: whose membership changed with it."""

    type: Literal["project.changed"] = "project.changed"
    project: ProjectData
    change: str
    user_ids: list[int]


class TaskChanged(Event):
    """A task was created or changed: `entry` says how (its history's new step)."""

    type: Literal["task.changed"] = "task.changed"
    task: TaskOut
    entry: TaskEntryOut


class TaskCommented(Event):
    """A comment on a task was written (`created`), changed (`edited`) or removed
    (`deleted`); `newly_mentioned_ids`: whom it mentions for the first time."""

    type: Literal["task.comment"] = "task.comment"
    task: TaskOut
    comment: CommentOut
    change: Literal["created", "edited", "deleted"]
    newly_mentioned_ids: list[int]


PROJECT_EVENTS: tuple[type[Event], ...] = (ProjectChanged, TaskChanged, TaskCommented)


class ProjectScopes:
    """A project's events reach its members (others who may see it read it on a page load)."""

    kind = PROJECT

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        return await queries.member_project_ids(uow, user_id)

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        return await queries.membership(uow, scope_id, user_id) is not None

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        if event.type != "project.changed":
            return set()
        user_ids = event.payload.get("user_ids", [])
        return {int(u) for u in user_ids} if isinstance(user_ids, list) else set()
