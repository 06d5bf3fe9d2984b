"""Rules of projects: who creates one, who sees it, who works on its tasks, who manages it."""

from __future__ import annotations

from dataclasses import dataclass

from xietong.core.actor import Actor
from xietong.policy.company import Group, Standing, is_in_group
from xietong.policy.org import is_guest


def can_create_project(actor: Actor, creators: Group, standing: Standing) -> bool:
    """Whom the company's `create_projects` setting names (by default every member)."""
    return is_in_group(actor, creators, standing)


@dataclass(frozen=True, slots=True)
class ProjectStanding:
    """Where someone stands towards a project (fetched by `projects.access`)."""

    member: bool = False
    owner: bool = False
    # The project shows itself to the whole company (`Visibility.COMPANY`).
    company_visible: bool = False
    archived: bool = False


def sees_every_project(actor: Actor) -> bool:
    """Administrators, who keep the company's projects in order."""
    return actor.is_admin


def sees_company_projects(actor: Actor) -> bool:
    """Everyone in the company sees the company-visible projects; a guest from outside sees
    only the projects they were added to."""
    return not is_guest(actor.role)


def seeing(actor: Actor) -> tuple[str, ...] | None:
    """The fields of `ProjectStanding` each of which shows the actor a project (None: every
    project shows, an administrator's): its members; everyone in the company when it is
    company-visible. The SQL form of the rule (`projects.queries.seen_by`, for lists and
    search) is built from this too."""
    if sees_every_project(actor):
        return None
    return ("member", "company_visible") if sees_company_projects(actor) else ("member",)


def can_see_project(actor: Actor, standing: ProjectStanding) -> bool:
    """Its members; everyone in the company when it is company-visible; administrators."""
    showing = seeing(actor)
    return showing is None or any(getattr(standing, name) for name in showing)


def can_work_on_tasks(actor: Actor, standing: ProjectStanding) -> bool:
    """Create, change, move and link tasks: its members, while it is not archived."""
    return standing.member and not standing.archived


def can_manage_project(actor: Actor, standing: ProjectStanding) -> bool:
    """Rename it, change who sees it and who is in it, archive it: its owners and the
    company's administrators."""
    return standing.owner or actor.is_admin


def can_manage_labels(actor: Actor, standing: ProjectStanding) -> bool:
    """The project's label set: whoever works on its tasks (labels are the team's own
    vocabulary, like a task's fields), not only its owner."""
    return can_work_on_tasks(actor, standing)


def can_comment(actor: Actor, standing: ProjectStanding) -> bool:
    """Comment on a task: those who work on the project's tasks."""
    return can_work_on_tasks(actor, standing)


def can_edit_comment(actor: Actor, standing: ProjectStanding, author: bool) -> bool:
    """A comment is changed by its writer only, while they still work on the project."""
    return author and can_work_on_tasks(actor, standing)


def can_delete_comment(actor: Actor, standing: ProjectStanding, author: bool) -> bool:
    """Its writer while a member; the project's owners and administrators, any comment."""
    return (author and standing.member) or can_manage_project(actor, standing)


def can_watch(actor: Actor, standing: ProjectStanding) -> bool:
    """Follow a task: anyone who sees it."""
    return can_see_project(actor, standing)
