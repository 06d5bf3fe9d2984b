"""Writers of a task's details: its project's label set, its watchers, checklist,
attachments and comments. Like `actions`, each records the task's history (comments have
their own event), pushes it to the project's members and never commits."""

from __future__ import annotations

from sqlalchemy import func, select

from xietong.chat.actions import render_html
from xietong.chat.mentioning import ResolvedMentions, people_named
from xietong.chat.mentions import MentionDirectory, find_mentions, mention_candidates
from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid, NotFound
from xietong.core.events import Audience
from xietong.core.uow import UnitOfWork
from xietong.files.queries import attachable_file_ids
from xietong.policy import projects as projects_policy
from xietong.policy import require
from xietong.projects import queries
from xietong.projects.access import ProjectAccess, standing_from
from xietong.projects.actions import check_work, emit_project, record_step
from xietong.projects.events import TaskCommented, project_scope
from xietong.projects.models import (
    ChecklistItem,
    Project,
    ProjectLabel,
    ProjectRole,
    Task,
    TaskAttachment,
    TaskComment,
    TaskPerson,
    TaskRole,
)
from xietong.projects.schemas import (
    LABEL_NAME_LENGTH,
    MAX_CHECKLIST_ITEMS,
    ChecklistBody,
    ChecklistItemUpdate,
    LabelsBody,
)
from xietong.projects.views import comment_out, task_out

MAX_ATTACHMENTS = 100


# --- labels ---------------------------------------------------------------------------------

async def do_set_labels(uow: UnitOfWork, actor: Actor, found: ProjectAccess,
                        body: LabelsBody) -> Project:
    """The project's label set as given, in order: existing ones (`id`) recoloured or
    renamed — on its tasks too —, new ones made, those left out taken off its tasks."""
    require(projects_policy.can_manage_labels(actor, found.standing),
            "Only the project's members manage its labels (and not once it is archived).",
            code="not_a_project_member")
    project = found.project
    names = [spec.name for spec in body.labels]
    if len(set(names)) != len(names):
        raise Invalid("Two labels have one name.", code="label_name_taken")
    current = {label.id: label for label in
               (await queries.labels_of(uow, [project.id])).get(project.id, [])}
    unknown = {spec.id for spec in body.labels if spec.id is not None} - current.keys()
    if unknown:
        raise Invalid("That label is not one of this project's.", code="unknown_label",
                      details={"label_ids": sorted(unknown)})
    # A label given by name alone that the set already has is that label (kept on its tasks).
    given_ids = {spec.id for spec in body.labels if spec.id is not None}
    by_name = {label.name: label.id for label in current.values() if label.id not in given_ids}
    body = LabelsBody(labels=[spec.model_copy(update={"id": by_name[spec.name]})
                              if spec.id is None and spec.name in by_name else spec
                              for spec in body.labels])
    # Labels older than label sets keep their longer names; a new name is short.
    old_names = {label.name for label in current.values()}
    too_long = [n for n in names if len(n) > LABEL_NAME_LENGTH and n not in old_names]
    if too_long:
        raise Invalid(f"A label's name is at most {LABEL_NAME_LENGTH} characters.",
                      code="label_too_long", details={"labels": too_long})
    renamed = {current[spec.id].name: spec.name for spec in body.labels
               if spec.id is not None and current[spec.id].name != spec.name}
    kept = {spec.id for spec in body.labels if spec.id is not None}
    removed = {current[i].name for i in set(current) - kept}
    for label_id in set(current) - kept:
        await uow.session.delete(current[label_id])
    await uow.flush()
    # Renamed labels first take names nobody holds (an invisible character no label name
    # may carry), so a swap of two names does not collide.
    for spec in body.labels:
        if spec.id is not None and spec.id in current and current[spec.id].name in renamed:
            current[spec.id].name = f"\u2060{spec.id}"
    await uow.flush()
    for position, spec in enumerate(body.labels):
        label = current[spec.id] if spec.id is not None else ProjectLabel(project_id=project.id)
        label.name, label.color, label.position = spec.name, spec.color.value, position
        uow.session.add(label)
    if renamed or removed:
        for task in await queries.tasks_of(uow, project.id):
            labels = list(task.labels or [])
            relabelled = list(dict.fromkeys(renamed.get(n, n) for n in labels
                                            if n not in removed))
            if relabelled != labels:
                task.labels = relabelled
    await emit_project(uow, project, "labels")
    return project


# --- watchers -------------------------------------------------------------------------------

async def do_watch(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                   watching: bool) -> Task:
    """The actor follows the task (or stops): told of its comments."""
    require(projects_policy.can_watch(actor, found.standing), "You may not follow this task.")
    key = (task.id, actor.user_id, TaskRole.WATCHER.value)
    row = await uow.session.get(TaskPerson, key)
    if (row is not None) == watching:
        return task
    if watching:
        uow.session.add(TaskPerson(task_id=task.id, user_id=actor.user_id,
                                   role=TaskRole.WATCHER.value))
    else:
        await uow.session.delete(row)
    await record_step(uow, task, actor.user_id, "watch",
                      {"user_id": actor.user_id, "watching": watching}, utcnow())
    return task


# --- checklist ------------------------------------------------------------------------------

async def _checklist(uow: UnitOfWork, task: Task) -> list[ChecklistItem]:
    return (await queries.checklists_of(uow, [task.id])).get(task.id, [])


async def do_add_check_item(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                            text: str) -> Task:
    check_work(actor, found)
    items = await _checklist(uow, task)
    if len(items) >= MAX_CHECKLIST_ITEMS:
        raise Invalid(f"A checklist holds at most {MAX_CHECKLIST_ITEMS} items.",
                      code="checklist_full")
    uow.session.add(ChecklistItem(task_id=task.id, text=text, done=False,
                                  position=max((i.position for i in items), default=-1) + 1))
    await record_step(uow, task, actor.user_id, "checklist",
                      {"action": "added", "text": text}, utcnow())
    return task


async def _item(uow: UnitOfWork, task: Task, item_id: int) -> ChecklistItem:
    item = await uow.session.get(ChecklistItem, item_id)
    if item is None or item.task_id != task.id:
        raise NotFound("No such checklist item.")
    return item


async def do_update_check_item(uow: UnitOfWork, actor: Actor, task: Task,
                               found: ProjectAccess, item_id: int,
                               data: ChecklistItemUpdate) -> Task:
    check_work(actor, found)
    item = await _item(uow, task, item_id)
    given = data.model_fields_set
    if ("text" in given and data.text is None) or ("done" in given and data.done is None):
        raise Invalid("An item keeps its text and state.", code="null_setting")
    steps = []
    if data.text is not None and data.text != item.text:
        steps.append({"action": "renamed", "text": data.text, "before": item.text})
        item.text = data.text
    if data.done is not None and data.done != item.done:
        item.done = data.done
        steps.append({"action": "checked" if data.done else "unchecked", "text": item.text})
    if steps:
        await record_step(uow, task, actor.user_id, "checklist", steps[-1] if len(steps) == 1
                          else {"action": "changed", "text": item.text}, utcnow())
    return task


async def do_remove_check_item(uow: UnitOfWork, actor: Actor, task: Task,
                               found: ProjectAccess, item_id: int) -> Task:
    check_work(actor, found)
    item = await _item(uow, task, item_id)
    await uow.session.delete(item)
    await record_step(uow, task, actor.user_id, "checklist",
                      {"action": "removed", "text": item.text}, utcnow())
    return task


async def do_set_checklist(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                           body: ChecklistBody) -> Task:
    """The whole checklist as given, in order (renamed, ticked, reordered, added; items left
    out removed). More than the cap is refused before anything is read."""
    check_work(actor, found)
    current = {i.id: i for i in await _checklist(uow, task)}
    given_ids = [spec.id for spec in body.items if spec.id is not None]
    unknown = set(given_ids) - current.keys()
    if unknown or len(set(given_ids)) != len(given_ids):
        raise Invalid("Those are not items of this checklist (or one is given twice).",
                      code="unknown_check_item", details={"item_ids": sorted(unknown)})
    for item_id in set(current) - set(given_ids):
        await uow.session.delete(current[item_id])
    for position, spec in enumerate(body.items):
        item = current[spec.id] if spec.id is not None else ChecklistItem(task_id=task.id)
        item.text, item.done, item.position = spec.text, spec.done, position
        uow.session.add(item)
    await record_step(uow, task, actor.user_id, "checklist",
                      {"action": "set", "count": len(body.items)}, utcnow())
    return task


# --- attachments ----------------------------------------------------------------------------

async def do_attach(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                    file_id: int) -> Task:
    """One's own upload attached to the task: whoever sees the task may then download it."""
    check_work(actor, found)
    if not await attachable_file_ids(uow, actor.user_id, [file_id]):
        raise Invalid("Attach only files you uploaded.", code="unknown_file",
                      details={"file_id": file_id})
    if await uow.session.get(TaskAttachment, (task.id, file_id)) is not None:
        return task
    count = await uow.session.scalar(select(func.count()).select_from(TaskAttachment)
                                     .where(TaskAttachment.task_id == task.id))
    if (count or 0) >= MAX_ATTACHMENTS:
        raise Invalid(f"A task holds at most {MAX_ATTACHMENTS} files.",
                      code="attachments_full")
    now = utcnow()
    uow.session.add(TaskAttachment(task_id=task.id, file_id=file_id, added_by=actor.user_id,
                                   created_at=now))
    await record_step(uow, task, actor.user_id, "attachment_added", {"file_id": file_id}, now)
    return task


async def do_detach(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                    file_id: int) -> Task:
    check_work(actor, found)
    row = await uow.session.get(TaskAttachment, (task.id, file_id))
    if row is None:
        raise NotFound("That file is not attached to the task.")
    await uow.session.delete(row)
    await record_step(uow, task, actor.user_id, "attachment_removed", {"file_id": file_id},
                      utcnow())
    return task


async def file_readable_by(uow: UnitOfWork, actor: Actor, file_id: int) -> bool:
    """Whether a task the file is attached to is one the actor sees."""
    for project_id in await queries.projects_carrying(uow, file_id):
        project = await uow.session.get(Project, project_id)
        if project is None:
            continue
        member = await queries.membership(uow, project_id, actor.user_id)
        role = ProjectRole(member.role) if member is not None else None
        if projects_policy.can_see_project(actor, standing_from(project, role)):
            return True
    return False


# --- comments -------------------------------------------------------------------------------

async def _mentions(uow: UnitOfWork, actor: Actor, project: Project,
                    text: str) -> tuple[list[int], MentionDirectory | None]:
    """Whom the text's @names mention among the people who may see the task: display names
    among the project's members, usernames among those the writer may see (chat's parsing,
    `chat.mentions`); and the directory that marks them in the HTML."""
    candidates = mention_candidates(text)
    if not candidates:
        return [], None
    members = set((await queries.members_of(uow, [project.id])).get(project.id, []))
    rows = await people_named(uow, actor, candidates, among=members)
    # Only those who may see the task are mentioned: the others' names stay text.
    seeing = {row.id for row in rows if projects_policy.can_see_project(
        Actor(user_id=row.id, role=Role(row.role)),
        standing_from(project, ProjectRole.MEMBER if row.id in members else None))}
    directory = MentionDirectory(people={row.id: (row.username, row.display_name)
                                         for row in rows if row.id in seeing})
    return sorted(set(find_mentions(text, directory).user_ids)), directory


async def _render(uow: UnitOfWork, actor: Actor, project: Project,
                  text: str) -> tuple[str, list[int]]:
    if not text.strip():
        raise Invalid("A comment needs some text.", code="empty_comment")
    mentioned, directory = await _mentions(uow, actor, project, text)
    html = await render_html(text, ResolvedMentions(user_ids=tuple(mentioned),
                                                    directory=directory))
    return html, mentioned


async def _emit_comment(uow: UnitOfWork, task: Task, comment: TaskComment, change: str,
                        newly_mentioned: list[int]) -> None:
    await uow.flush()
    uow.emit(TaskCommented(task=await task_out(uow, task), comment=comment_out(comment),
                           change=change, newly_mentioned_ids=newly_mentioned),
             Audience.readers_of(project_scope(task.project_id)))


async def do_add_comment(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                         text: str) -> TaskComment:
    require(projects_policy.can_comment(actor, found.standing),
            "Only the project's members comment on its tasks (and not once it is archived).",
            code="not_a_project_member")
    html, mentioned = await _render(uow, actor, found.project, text)
    comment = TaskComment(task_id=task.id, author_id=actor.user_id, text=text, html=html,
                          mentioned_ids=mentioned, created_at=utcnow())
    uow.session.add(comment)
    await _emit_comment(uow, task, comment, "created", mentioned)
    return comment


async def comment_of(uow: UnitOfWork, task: Task, comment_id: int) -> TaskComment:
    comment = await uow.session.get(TaskComment, comment_id)
    if comment is None or comment.task_id != task.id:
        raise NotFound("No such comment.")
    return comment


async def do_edit_comment(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                          comment: TaskComment, text: str) -> TaskComment:
    require(projects_policy.can_edit_comment(actor, found.standing,
                                             comment.author_id == actor.user_id),
            "Only its writer changes a comment.")
    if text == comment.text:
        return comment
    html, mentioned = await _render(uow, actor, found.project, text)
    before = set(comment.mentioned_ids or [])
    comment.text, comment.html, comment.mentioned_ids = text, html, mentioned
    comment.edited_at = utcnow()
    await _emit_comment(uow, task, comment, "edited", [u for u in mentioned if u not in before])
    return comment


async def do_delete_comment(uow: UnitOfWork, actor: Actor, task: Task, found: ProjectAccess,
                            comment: TaskComment) -> None:
    require(projects_policy.can_delete_comment(actor, found.standing,
                                               comment.author_id == actor.user_id),
            "Only its writer, the project's owner or an administrator removes a comment.")
    await uow.session.delete(comment)
    await _emit_comment(uow, task, comment, "deleted", [])
