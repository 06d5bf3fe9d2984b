"""Writers of projects and tasks. Each records the task's history, emits its event to the
project's members and never commits (the caller's unit of work does)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, update

from xietong.audit.actions import AuditAction, do_record
from xietong.business_calendar.queries import work_calendar
from xietong.business_calendar.work_calendar import WorkCalendar
from xietong.chat.access import access_message
from xietong.chat.actions import (
    open_linked_channel,
    render_html,
    set_linked_members,
    update_linked_channel,
)
from xietong.chat.mentioning import ResolvedMentions
from xietong.core import ranks
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Conflict, Invalid, NotFound
from xietong.core.events import Audience
from xietong.core.text import clean_name
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.company_settings.queries import company_settings, standing_of
from xietong.policy import projects as projects_policy
from xietong.policy import require
from xietong.projects import queries
from xietong.projects.access import ProjectAccess, access_task
from xietong.projects.events import ProjectChanged, TaskChanged, project_scope
from xietong.projects.models import (
    Category,
    LabelColor,
    Project,
    ProjectLabel,
    ProjectMember,
    ProjectRole,
    ProjectStatus,
    Task,
    TaskDependency,
    TaskEntry,
    TaskPerson,
    TaskRole,
)
from xietong.projects.schemas import (
    MembersBody,
    ProjectCreate,
    ProjectUpdate,
    StatusesBody,
    TaskCreate,
    TaskFromMessage,
    TaskUpdate,
)
from xietong.projects.searching import do_index_project, do_index_task, do_index_tasks
from xietong.projects.templates import BY_KEY, ProjectTemplate
from xietong.projects.views import entry_out, project_data, tasks_out

# A title and description made of a message fit the task's columns.
TITLE_LENGTH = 200
DESCRIPTION_LENGTH = 20_000

# The colours labels take in turn when a set is made for a project (a template's).
LABEL_COLOURS_IN_TURN = (LabelColor.BLUE, LabelColor.GREEN, LabelColor.ORANGE,
                         LabelColor.PURPLE, LabelColor.TEAL, LabelColor.RED,
                         LabelColor.YELLOW, LabelColor.GREY)

# Every new project's board: 待处理 → 进行中 → 待验收 → 已完成, and 已取消 beside them.
DEFAULT_STATUSES: tuple[tuple[str, Category], ...] = (
    ("待处理", Category.TODO), ("进行中", Category.DOING), ("待验收", Category.DOING),
    ("已完成", Category.DONE), ("已取消", Category.CANCELLED))


async def _people(uow: UnitOfWork, user_ids: Iterable[int],
                  department_ids: Iterable[int]) -> set[int]:
    """The active people named, and those of the departments named (with the departments
    below them); an unknown or deactivated person or department is refused."""
    wanted = set(user_ids)
    active = await org_queries.active_user_ids(uow, wanted)
    if wanted - active:
        raise Invalid("Unknown or deactivated person.", code="unknown_person",
                      details={"user_ids": sorted(wanted - active)})
    departments = set(department_ids)
    if departments:
        parents = org_queries.parent_map(await org_queries.all_departments(uow))
        if departments - parents.keys():
            raise Invalid("Unknown department.", code="unknown_department",
                          details={"department_ids": sorted(departments - parents.keys())})
        subtree = {d for top in departments for d in org_queries.descendants_and_self(parents, top)}
        active |= await org_queries.active_member_ids_of_departments(uow, subtree)
    return active


async def emit_project(uow: UnitOfWork, project: Project, change: str,
                        user_ids: Iterable[int] = ()) -> None:
    await uow.flush()
    uow.emit(ProjectChanged(project=await project_data(uow, project), change=change,
                            user_ids=sorted(set(user_ids))),
             Audience.readers_of(project_scope(project.id)))


def project_target(project_id: int) -> str:
    return f"project:{project_id}"


async def _audit(uow: UnitOfWork, actor: Actor, action: AuditAction, project: Project,
                 details: dict[str, Any]) -> None:
    await do_record(uow, action, actor_id=actor.user_id, ip=actor.ip,
                    target=project_target(project.id), details={"name": project.name, **details})


async def do_create_project(uow: UnitOfWork, actor: Actor, data: ProjectCreate, *,
                            zone: ZoneInfo) -> Project:
    """The project, its board, its channel and, from a template, its first tasks (their
    days counted on the business calendar from `data.start_on`, by default today in `zone`,
    the company's time zone)."""
    creators = (await company_settings(uow)).create_projects
    require(projects_policy.can_create_project(actor, creators,
                                               await standing_of(uow, actor, creators)),
            "You may not create projects: an administrator chooses who may.")
    template = None
    if data.template is not None:
        template = BY_KEY.get(data.template)
        if template is None:
            raise Invalid("No such project template.", code="unknown_template",
                          details={"template": data.template, "known": sorted(BY_KEY)})
    people = await _people(uow, data.member_ids, data.department_ids) | {actor.user_id}
    project = Project(name=data.name, description=data.description, owner_id=actor.user_id,
                      visibility=data.visibility.value)
    uow.session.add(project)
    await uow.flush()
    uow.session.add_all(ProjectMember(project_id=project.id, user_id=u,
                                      role=(ProjectRole.OWNER if u == actor.user_id
                                            else ProjectRole.MEMBER).value)
                        for u in sorted(people))
    uow.session.add_all(ProjectStatus(project_id=project.id, name=name, category=category.value,
                                      position=position)
                        for position, (name, category) in enumerate(DEFAULT_STATUSES))
    channel = await open_linked_channel(
        uow, data.name, description=f"项目「{data.name}」的讨论", creator_id=actor.user_id,
        people=people)
    project.channel_id = channel.id
    if template is not None and template.tasks:
        calendar = await work_calendar(uow, default_zone=zone)
        first = data.start_on or utcnow().astimezone(zone).date()
        await _add_template_tasks(uow, actor, project, template, first, calendar)
    await emit_project(uow, project, "created", people)
    await do_index_project(uow, project)
    await _audit(uow, actor, AuditAction.PROJECT_CREATED, project, {
        "visibility": project.visibility, "member_ids": sorted(people),
        "template": template.key if template is not None else None})
    return project


def working_days(calendar: WorkCalendar, first: date, count: int) -> list[date]:
    """The first `count` working days from `first` on (`first` itself when it is one)."""
    found: list[date] = []
    day = first
    while len(found) < count:
        if calendar.is_working_day(day):
            found.append(day)
        day += timedelta(days=1)
    return found


async def _add_template_tasks(uow: UnitOfWork, actor: Actor, project: Project,
                              template: ProjectTemplate, first: date,
                              calendar: WorkCalendar) -> None:
    """The template's tasks in the first "to do" column, in its order, each with its
    "created" step of history. Written in a few statements for all of them, and told as
    the project's own `project.changed` ("created"): no `task.changed` for each (and so no
    card for each in the new channel), which nobody is yet there to read one by one."""
    statuses = await statuses_for(uow, project.id)
    todo = next(s for s in statuses if s.category == Category.TODO.value)
    days = working_days(calendar, first, template.duration_days)
    now = utcnow()
    made = {spec.key: Task(
        project_id=project.id, title=spec.title, description=spec.description,
        description_html=await _description_html(spec.description), status_id=todo.id,
        priority=spec.priority.value, start_at=days[spec.start], due_at=days[spec.last],
        labels=list(spec.labels), rank=rank, created_by=actor.user_id, created_at=now,
        updated_at=now) for spec, rank in zip(template.tasks,
                                              ranks.spread(len(template.tasks)), strict=True)}
    uow.session.add_all(made.values())
    await uow.flush()  # the tasks' ids, which nothing below needs back from the database
    for spec in template.tasks:
        if spec.parent is not None:
            made[spec.key].parent_id = made[spec.parent].id
    await uow.flush()
    await uow.session.execute(insert(TaskDependency), [
        {"task_id": made[spec.key].id, "depends_on_id": made[key].id}
        for spec in template.tasks for key in spec.after])
    await uow.session.execute(insert(TaskEntry), [
        {"task_id": task.id, "actor_id": actor.user_id, "kind": "created",
         "data": {"status_id": todo.id, "template": template.key}, "created_at": now}
        for task in made.values()])
    # The labels its tasks carry are the project's label set, coloured in turn.
    labels = list(dict.fromkeys(label for spec in template.tasks for label in spec.labels))
    if labels:
        await uow.session.execute(insert(ProjectLabel), [
            {"project_id": project.id, "name": name, "position": n,
             "color": LABEL_COLOURS_IN_TURN[n % len(LABEL_COLOURS_IN_TURN)].value}
            for n, name in enumerate(labels)])
    await do_index_tasks(uow, made.values())


async def do_update_project(uow: UnitOfWork, actor: Actor, found: ProjectAccess,
                            data: ProjectUpdate) -> Project:
    """Rename it, describe it, show it to others, archive it or bring it back. Its channel
    follows: renamed with it, archived (read-only) with it, brought back — with the
    project's members — with it. Audited: what changed, before and after."""
    require(projects_policy.can_manage_project(actor, found.standing),
            "Only the project's owner or an administrator changes it.")
    project = found.project
    given = data.model_fields_set
    for name in ("name", "description", "visibility", "archived"):
        if name in given and getattr(data, name) is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep it.",
                          code="null_setting")
    worded = (project.name, project.description)
    before = {"name": project.name, "visibility": project.visibility,
              "archived": project.archived_at is not None}
    if data.name is not None:
        project.name = data.name
    if data.description is not None:
        project.description = data.description
    if data.visibility is not None:
        project.visibility = data.visibility.value
    if data.archived is not None:
        project.archived_at = (project.archived_at or utcnow()) if data.archived else None
    after = {"name": project.name, "visibility": project.visibility,
             "archived": project.archived_at is not None}
    changed = {key: {"from": before[key], "to": after[key]} for key in before
               if before[key] != after[key]}
    if project.channel_id is not None and ("name" in changed or "archived" in changed):
        await update_linked_channel(
            uow, project.channel_id, name=project.name if "name" in changed else None,
            archived=project.archived_at is not None if "archived" in changed else None)
        if "archived" in changed and project.archived_at is None:
            # Who joined or left while it was archived is in its channel again.
            members = (await queries.members_of(uow, [project.id])).get(project.id, [])
            await set_linked_members(uow, project.channel_id, set(members))
    await emit_project(uow, project, "updated")
    if (project.name, project.description) != worded:
        await do_index_project(uow, project)
    if changed:
        await _audit(uow, actor, AuditAction.PROJECT_UPDATED, project, {"changed": changed})
    return project


async def do_add_members(uow: UnitOfWork, actor: Actor, found: ProjectAccess,
                         body: MembersBody) -> Project:
    require(projects_policy.can_manage_project(actor, found.standing),
            "Only the project's owner or an administrator changes who is in it.")
    project = found.project
    current = set((await queries.members_of(uow, [project.id])).get(project.id, []))
    joining = await _people(uow, body.user_ids, body.department_ids) - current
    uow.session.add_all(ProjectMember(project_id=project.id, user_id=u,
                                      role=ProjectRole.MEMBER.value) for u in sorted(joining))
    if project.channel_id is not None and joining:
        await set_linked_members(uow, project.channel_id, current | joining)
    await emit_project(uow, project, "members", joining)
    if joining:
        await _audit(uow, actor, AuditAction.PROJECT_MEMBERS_CHANGED, project,
                     {"added": sorted(joining), "removed": []})
    return project


async def do_remove_member(uow: UnitOfWork, actor: Actor, found: ProjectAccess,
                           user_id: int) -> Project:
    project = found.project
    leaving_self = user_id == actor.user_id
    require(leaving_self or projects_policy.can_manage_project(actor, found.standing),
            "Only the project's owner or an administrator removes someone else.")
    if user_id == project.owner_id:
        raise Conflict("The owner stays in the project.", code="owner_stays")
    member = await queries.membership(uow, project.id, user_id)
    if member is None:
        raise NotFound("Not a member of this project.")
    # Told before they go: after the commit they no longer read the project's scope.
    await emit_project(uow, project, "members", [user_id])
    await uow.session.delete(member)
    await uow.flush()
    current = set((await queries.members_of(uow, [project.id])).get(project.id, []))
    if project.channel_id is not None:
        await set_linked_members(uow, project.channel_id, current)
    await _audit(uow, actor, AuditAction.PROJECT_MEMBERS_CHANGED, project,
                 {"added": [], "removed": [user_id]})
    # Their tasks stay theirs to hand over; nothing else changes.
    return project


async def do_set_statuses(uow: UnitOfWork, actor: Actor, found: ProjectAccess,
                          body: StatusesBody) -> Project:
    """The board's columns as given, in order: existing ones renamed, moved or given a WIP
    limit, new ones made, those left out removed — refused while a task is in one. A board
    keeps a "to do" column (where new tasks go) and a "done" one (what progress counts)."""
    require(projects_policy.can_manage_project(actor, found.standing),
            "Only the project's owner or an administrator changes its board.")
    project = found.project
    names = [spec.name for spec in body.statuses]
    if len(set(names)) != len(names):
        raise Invalid("Two columns have one name.", code="status_name_taken")
    categories = {spec.category for spec in body.statuses}
    if Category.TODO not in categories or Category.DONE not in categories:
        raise Invalid("A board keeps a to-do column and a done column.",
                      code="statuses_incomplete")
    current = {s.id: s for s in await statuses_for(uow, project.id)}
    before = [_status_shown(s) for s in current.values()]
    unknown = {spec.id for spec in body.statuses if spec.id is not None} - current.keys()
    if unknown:
        raise Invalid("That status is not one of this project's.", code="unknown_status",
                      details={"status_ids": sorted(unknown)})
    kept = {spec.id for spec in body.statuses if spec.id is not None}
    removed = set(current) - kept
    if removed and await uow.session.scalar(select(Task.id).where(
            Task.status_id.in_(removed)).limit(1)) is not None:
        raise Conflict("Move the tasks out of a column before removing it.",
                       code="status_in_use")
    for status_id in removed:
        await uow.session.delete(current[status_id])
    await uow.flush()
    for position, spec in enumerate(body.statuses):
        status = current[spec.id] if spec.id is not None else ProjectStatus(project_id=project.id)
        status.name, status.category = spec.name, spec.category.value
        status.wip_limit, status.position = spec.wip_limit, position
        uow.session.add(status)
    await emit_project(uow, project, "statuses")
    after = [_status_shown(s) for s in await statuses_for(uow, project.id)]
    if after != before:
        await _audit(uow, actor, AuditAction.PROJECT_STATUSES_CHANGED, project,
                     {"changed": {"statuses": {"from": before, "to": after}}})
    return project


def _status_shown(status: ProjectStatus) -> dict[str, Any]:
    return {"id": status.id, "name": status.name, "category": status.category,
            "wip_limit": status.wip_limit}


# --- tasks ----------------------------------------------------------------------------------

def check_work(actor: Actor, found: ProjectAccess) -> None:
    require(projects_policy.can_work_on_tasks(actor, found.standing),
            "Only the project's members work on its tasks (and not once it is archived).",
            code="not_a_project_member")


async def _check_assignee(uow: UnitOfWork, project_id: int, assignee_id: int | None) -> None:
    if assignee_id is not None and await queries.membership(uow, project_id,
                                                            assignee_id) is None:
        raise Invalid("Assign the task to a member of the project.",
                      code="assignee_not_member", details={"assignee_id": assignee_id})


async def check_labels(uow: UnitOfWork, project_id: int, labels: Iterable[str]) -> None:
    """A task's labels come from its project's label set."""
    wanted = set(labels)
    if not wanted:
        return
    known = {label.name for label in (await queries.labels_of(uow, [project_id])).get(
        project_id, [])}
    if wanted - known:
        raise Invalid("Those labels are not in the project's label set.",
                      code="unknown_label", details={"labels": sorted(wanted - known)})


async def _set_collaborators(uow: UnitOfWork, task: Task, user_ids: list[int]) -> list[int]:
    """The task's collaborators become `user_ids` (members of the project); those before."""
    wanted = set(user_ids)
    members = set((await queries.members_of(uow, [task.project_id])).get(task.project_id, []))
    if wanted - members:
        raise Invalid("Collaborators are members of the project.",
                      code="collaborator_not_member",
                      details={"user_ids": sorted(wanted - members)})
    before = (await queries.people_of(uow, [task.id])).get(task.id, {}).get(
        TaskRole.COLLABORATOR, [])
    if set(before) != wanted:
        await uow.session.execute(delete(TaskPerson).where(
            TaskPerson.task_id == task.id, TaskPerson.role == TaskRole.COLLABORATOR.value))
        uow.session.add_all(TaskPerson(task_id=task.id, user_id=u,
                                       role=TaskRole.COLLABORATOR.value) for u in sorted(wanted))
    return before


def _check_dates(start: date | None, due: date | None) -> None:
    if start is not None and due is not None and due < start:
        raise Invalid("The due date is before the start date.", code="due_before_start",
                      details={"start_at": start.isoformat(), "due_at": due.isoformat()})


async def record_step(uow: UnitOfWork, task: Task, actor_id: int | None, kind: str,
                      data: dict[str, Any], now: datetime) -> None:
    """A step of the task's history (`actor_id` None: the system's), pushed to the
    project's members as `task.changed` with the task as it now is."""
    await uow.flush()
    await uow.session.refresh(task)
    await record_steps(uow, [(task, kind, data)], now, actor_id=actor_id)


async def record_steps(uow: UnitOfWork, steps: Sequence[tuple[Task, str, dict[str, Any]]],
                       now: datetime, *, actor_id: int | None = None) -> None:
    """Steps of tasks' histories, each pushed as `task.changed`: the tasks are read back
    together, in a few statements for the lot (a day's reminders: hundreds at once)."""
    entries = [TaskEntry(task_id=task.id, actor_id=actor_id, kind=kind, data=data,
                         created_at=now) for task, kind, data in steps]
    uow.session.add_all(entries)
    await uow.flush()
    shaped = {out.id: out for out in await tasks_out(
        uow, list({task.id: task for task, _, _ in steps}.values()))}
    for (task, _, _), entry in zip(steps, entries, strict=True):
        uow.emit(TaskChanged(task=shaped[task.id], entry=entry_out(entry)),
                 Audience.readers_of(project_scope(task.project_id)))


async def _description_html(text: str) -> str:
    return await render_html(text, ResolvedMentions()) if text else ""


async def statuses_for(uow: UnitOfWork, project_id: int) -> list[ProjectStatus]:
    """The project's board columns, in order."""
    return (await queries.statuses_of(uow, [project_id])).get(project_id, [])


async def do_create_task(uow: UnitOfWork, actor: Actor, found: ProjectAccess, data: TaskCreate,
                         *, source_message_id: int | None = None) -> Task:
    check_work(actor, found)
    project = found.project
    statuses = await statuses_for(uow, project.id)
    if data.status_id is not None:
        status = next((s for s in statuses if s.id == data.status_id), None)
        if status is None:
            raise Invalid("That status is not one of this project's.", code="unknown_status")
    else:
        status = next(s for s in statuses if s.category == Category.TODO.value)
    _check_dates(data.start_at, data.due_at)
    await _check_assignee(uow, project.id, data.assignee_id)
    await check_labels(uow, project.id, data.labels)
    if data.parent_id is not None:
        parent = await uow.session.get(Task, data.parent_id)
        if parent is None or parent.project_id != project.id:
            raise Invalid("A sub-task's parent is a task of the same project.",
                          code="unknown_parent")
    bottom = await queries.last_rank(uow, project.id, status.id)
    now = utcnow()
    task = Task(project_id=project.id, parent_id=data.parent_id, title=data.title,
                description=data.description,
                description_html=await _description_html(data.description),
                status_id=status.id, assignee_id=data.assignee_id,
                priority=data.priority.value, start_at=data.start_at, due_at=data.due_at,
                estimate_hours=data.estimate_hours, labels=list(dict.fromkeys(data.labels)),
                rank=ranks.between(bottom, None),
                source_message_id=source_message_id, created_by=actor.user_id,
                created_at=now, updated_at=now,
                completed_at=now if status.category == Category.DONE.value else None)
    uow.session.add(task)
    await uow.flush()
    await record_step(uow, task, actor.user_id, "created", {"status_id": status.id}, now)
    await do_index_task(uow, task)
    return task


async def do_update_task(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                         data: TaskUpdate) -> Task:
    check_work(actor, found)
    given = data.model_fields_set
    if "title" in given and data.title is None:
        raise Invalid("A task keeps a title.", code="null_setting")
    if "priority" in given and data.priority is None:
        raise Invalid("A task keeps a priority.", code="null_setting")
    if "collaborator_ids" in given and data.collaborator_ids is None:
        raise Invalid("Give [] to take every collaborator off.", code="null_setting")
    _check_dates(data.start_at if "start_at" in given else task.start_at,
                 data.due_at if "due_at" in given else task.due_at)
    if "assignee_id" in given:
        await _check_assignee(uow, task.project_id, data.assignee_id)
    if data.labels:
        await check_labels(uow, task.project_id, data.labels)
    changes: dict[str, list[Any]] = {}
    if data.collaborator_ids is not None:
        after = sorted(set(data.collaborator_ids))
        before = await _set_collaborators(uow, task, after)
        if before != after:
            changes["collaborator_ids"] = [before, after]
    for name in sorted(given - {"collaborator_ids"}):
        value = getattr(data, name)
        if name == "labels":
            value = list(dict.fromkeys(value or []))
        if hasattr(value, "value"):
            value = value.value
        before = getattr(task, name)
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
            setattr(task, name, value)
    if "description" in changes:
        task.description_html = await _description_html(task.description)
    if not changes:
        return task
    now = utcnow()
    task.updated_at = now
    await record_step(uow, task, actor.user_id, "updated", {"changes": changes}, now)
    if "title" in changes or "description" in changes:
        await do_index_task(uow, task)
    return task


def _plain(value: object) -> object:
    """A field's value as JSON keeps it (dates as ISO text)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def check_column(statuses: Sequence[ProjectStatus], wanted: int | str) -> ProjectStatus:
    """The board's column `wanted` names: its id, its name, or a category (the first column
    of it; a column named like a category is that column). `statuses` are the project's, in
    board order."""
    by_name = {s.name: s for s in statuses} if isinstance(wanted, str) else {}
    found = next((s for s in statuses if s.id == wanted), None) or by_name.get(str(wanted))
    if found is None and wanted in set(Category):
        found = next((s for s in statuses if s.category == wanted), None)
    if found is None:
        raise Invalid("That status is not one of this project's.", code="unknown_status")
    return found


async def do_move_task(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess, *,
                       into: int | str, after_id: int | None) -> Task:
    """Into the column `into` names (`check_column`: an id, a name or a category), right
    after `after_id` (None: the top). The caller holds the project's row
    (`access_task(for_update=True)`), so moves on one board take turns and two people
    dragging at once end with one order."""
    check_work(actor, found)
    status = check_column((await queries.statuses_of(uow, [task.project_id])).get(
        task.project_id, []), into)
    status_id = status.id
    column = [(i, r) for i, r in await queries.column(uow, task.project_id, status_id)
              if i != task.id]
    if after_id is None:
        position = 0
    else:
        position = next((n + 1 for n, (i, _) in enumerate(column) if i == after_id), -1)
        if position < 0:
            raise Invalid("after_id is not a task of that column.", code="unknown_neighbour")
    before = column[position - 1][1] if position > 0 else None
    after = column[position][1] if position < len(column) else None
    if before is not None and after is not None and before >= after:
        rank = await _respread(uow, column, position, task.id)  # no room between a tie
    else:
        rank = ranks.between(before, after)
        if len(rank) > ranks.MAX_LENGTH:
            rank = await _respread(uow, column, position, task.id)
    moved_from = task.status_id
    task.status_id, task.rank = status_id, rank
    now = utcnow()
    done = status.category == Category.DONE
    task.completed_at = (task.completed_at or now) if done else None
    task.updated_at = now
    await record_step(uow, task, actor.user_id, "moved",
                  {"from": moved_from, "to": status_id, "after_id": after_id}, now)
    return task


async def _respread(uow: UnitOfWork, column: list[tuple[int, str]], position: int,
                    task_id: int) -> str:
    """Renumber the column evenly with the task at `position`; the task's new rank."""
    order = [i for i, _ in column]
    order.insert(position, task_id)
    spread = ranks.spread(len(order))
    for other, rank in zip(order, spread, strict=True):
        if other != task_id:
            await uow.session.execute(update(Task).where(Task.id == other).values(rank=rank))
    return spread[position]


async def do_add_dependency(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                            depends_on_id: int) -> Task:
    """`task` waits for `depends_on_id` to finish. A task the actor cannot see is not found;
    one that would close a loop (it already waits, through others, for `task`) is refused."""
    check_work(actor, found)
    if depends_on_id == task.id:
        raise Invalid("A task cannot wait for itself.", code="dependency_cycle")
    other, _ = await access_task(uow, actor, depends_on_id)
    # Both rows locked in id order: two people linking A→B and B→A at once take turns, and
    # the second sees the first's link.
    await uow.session.execute(select(Task.id).where(Task.id.in_([task.id, other.id]))
                              .order_by(Task.id).with_for_update())
    if await uow.session.get(TaskDependency, (task.id, other.id)) is not None:
        return task
    if await queries.reaches(uow, other.id, task.id):
        raise Invalid("That would make the tasks wait for each other.",
                      code="dependency_cycle", details={"depends_on_id": other.id})
    uow.session.add(TaskDependency(task_id=task.id, depends_on_id=other.id))
    now = utcnow()
    await record_step(uow, task, actor.user_id, "dependency_added", {"depends_on_id": other.id},
                  now)
    return task


async def do_remove_dependency(uow: UnitOfWork, actor: Actor, task: Task,
                               found: ProjectAccess, depends_on_id: int) -> Task:
    check_work(actor, found)
    link = await uow.session.get(TaskDependency, (task.id, depends_on_id))
    if link is None:
        raise NotFound("The task does not wait for that one.")
    await uow.session.delete(link)
    await record_step(uow, task, actor.user_id, "dependency_removed",
                  {"depends_on_id": depends_on_id}, utcnow())
    return task



async def do_task_from_message(uow: UnitOfWork, actor: Actor, message_id: int,
                               found: ProjectAccess, data: TaskFromMessage) -> Task:
    """A task made of a message the actor may read (quoted as its description, linked by
    `source_message_id`); one they may not read, or a deleted one, does not exist."""
    quoted = (await access_message(uow, actor, message_id)).message
    if quoted.deleted_at is not None:
        raise NotFound("No such message.")
    first_line = next((line.strip() for line in quoted.text.splitlines() if line.strip()),
                      "")
    title = data.title or clean_name(first_line[:TITLE_LENGTH]) or "来自消息的任务"
    return await do_create_task(
        uow, actor, found,
        TaskCreate(title=title, description=quoted.text[:DESCRIPTION_LENGTH],
                   assignee_id=data.assignee_id, due_at=data.due_at),
        source_message_id=message_id)
