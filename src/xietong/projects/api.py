"""Projects and tasks over HTTP: thin routes over access, actions and views."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.i18n import CHINESE, prefers_chinese
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, IdPath, Rt, Services
from xietong.projects import actions, details, queries
from xietong.projects.access import ProjectAccess, access_project, access_task, standing_from
from xietong.projects.models import Category, Priority, Project, ProjectRole
from xietong.projects.queries import CardRow, TaskFilter, TaskOrder
from xietong.projects.schedule import critical_path, span_of
from xietong.projects.schemas import (
    MAX_SUMMARIES,
    AttachmentBody,
    Board,
    BoardColumn,
    ChecklistAdd,
    ChecklistBody,
    ChecklistItemUpdate,
    CommentBody,
    CommentList,
    CommentOut,
    DependencyBody,
    Gantt,
    GanttTask,
    LabelList,
    LabelsBody,
    MembersBody,
    MoveBody,
    ProjectCreate,
    ProjectList,
    ProjectOut,
    ProjectTemplateList,
    ProjectTemplateOut,
    ProjectUpdate,
    StatusesBody,
    TaskCard,
    TaskCardList,
    TaskCreate,
    TaskFromMessage,
    TaskHistory,
    TaskOut,
    TaskSummaries,
    TaskUpdate,
)
from xietong.projects.searching import visible_task_summaries
from xietong.projects.templates import TEMPLATES
from xietong.projects.views import (
    comment_out,
    entry_out,
    project_data,
    project_out,
    projects_data,
    task_out,
)

router = APIRouter(prefix="/api/v1", tags=["projects"])

# "Due soon": within this many days (today included).
SOON_DAYS = 3
MY_TASKS_LIMIT = 500


class Due(StrEnum):
    OVERDUE = "overdue"
    SOON = "soon"


def _due_window(rt: Services, due: Due | None) -> tuple[date | None, date | None]:
    """The due days `due` means, as (from, before): `overdue`, before today; `soon`, today
    and the next days; today in the company's zone."""
    if due is None:
        return None, None
    today = utcnow().astimezone(rt.settings.zone).date()
    if due == Due.OVERDUE:
        return None, today
    return today, today + timedelta(days=SOON_DAYS)


def _cards_response(answer: BaseModel) -> Response:
    """An answer holding cards as `queries.task_cards` reads them (dicts of `TaskCard`'s
    fields), serialised as they are, without FastAPI validating thousands of them a second
    time (pydantic would warn of the dicts standing in for models)."""
    return Response(content=answer.model_dump_json(warnings=False),
                    media_type="application/json")


async def _project_out(uow: UnitOfWork, actor: Actor, found: ProjectAccess) -> ProjectOut:
    return project_out(await project_data(uow, found.project), actor, found.standing,
                       found.role)


async def _refreshed(uow: UnitOfWork, actor: Actor, project: Project) -> ProjectOut:
    return await _project_out(uow, actor, await access_project(uow, actor, project.id))


@router.post("/projects", status_code=201)
async def create_project(body: ProjectCreate, actor: CurrentActor, rt: Rt) -> ProjectOut:
    async with rt.unit_of_work() as uow:
        project = await actions.do_create_project(uow, actor, body, zone=rt.settings.zone)
        return await _refreshed(uow, actor, project)


@router.get("/project-templates")
async def list_project_templates(
        _actor: CurrentActor,
        accept_language: Annotated[str | None, Header(max_length=200)] = None,
) -> ProjectTemplateList:
    """What a new project may start from (`template` of `POST /projects`): its name and
    description in the caller's language, how many tasks it brings and over how many
    working days."""
    language = "en" if accept_language and not prefers_chinese(accept_language) else CHINESE
    return ProjectTemplateList(items=[
        ProjectTemplateOut(key=t.key, name=t.name[language],
                           description=t.description[language], task_count=len(t.tasks),
                           duration_days=t.duration_days) for t in TEMPLATES])


@router.get("/projects")
async def list_projects(actor: CurrentActor, rt: Rt) -> ProjectList:
    """The caller's projects and the company-visible ones (all, for an administrator)."""
    async with rt.reader() as uow:
        projects = await queries.visible_projects(uow, actor)
        data = await projects_data(uow, projects)
        roles = await queries.my_roles(uow, actor.user_id)
    items = []
    for project, one in zip(projects, data, strict=True):
        role = ProjectRole(roles[project.id]) if project.id in roles else None
        items.append(project_out(one, actor, standing_from(project, role), role))
    return ProjectList(items=items)


@router.get("/projects/{project_id}")
async def get_project(project_id: IdPath, actor: CurrentActor, rt: Rt) -> ProjectOut:
    async with rt.reader() as uow:
        return await _project_out(uow, actor, await access_project(uow, actor, project_id))


@router.patch("/projects/{project_id}")
async def update_project(project_id: IdPath, body: ProjectUpdate, actor: CurrentActor,
                         rt: Rt) -> ProjectOut:
    async with rt.unit_of_work() as uow:
        found = await access_project(uow, actor, project_id, for_update=True)
        project = await actions.do_update_project(uow, actor, found, body)
        return await _refreshed(uow, actor, project)


@router.post("/projects/{project_id}/members")
async def add_project_members(project_id: IdPath, body: MembersBody, actor: CurrentActor,
                      rt: Rt) -> ProjectOut:
    async with rt.unit_of_work() as uow:
        found = await access_project(uow, actor, project_id, for_update=True)
        project = await actions.do_add_members(uow, actor, found, body)
        return await _refreshed(uow, actor, project)


@router.delete("/projects/{project_id}/members/{user_id}", status_code=204)
async def remove_project_member(project_id: IdPath, user_id: IdPath, actor: CurrentActor,
                        rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        found = await access_project(uow, actor, project_id, for_update=True)
        await actions.do_remove_member(uow, actor, found, user_id)
    return Response(status_code=204)


@router.put("/projects/{project_id}/statuses")
async def set_statuses(project_id: IdPath, body: StatusesBody, actor: CurrentActor,
                       rt: Rt) -> ProjectOut:
    async with rt.unit_of_work() as uow:
        found = await access_project(uow, actor, project_id, for_update=True)
        project = await actions.do_set_statuses(uow, actor, found, body)
        return await _refreshed(uow, actor, project)


@router.get("/projects/{project_id}/board", response_model=Board)
async def get_board(project_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    """Every column of the board with its cards in order, in one answer. Answered as the
    JSON it serialises to, without FastAPI validating thousands of cards a second time."""
    async with rt.reader() as uow:
        found = await access_project(uow, actor, project_id)
        project = await _project_out(uow, actor, found)
        cards = await queries.task_cards(uow, TaskFilter(project_id=project_id))
    by_status: dict[int, list[CardRow]] = {}
    for card in cards:
        by_status.setdefault(card["status_id"], []).append(card)
    board = Board.model_construct(project=project, columns=[
        BoardColumn.model_construct(
            status=status, tasks=cast("list[TaskCard]", by_status.get(status.id, [])),
            over_limit=(status.wip_limit is not None
                        and len(by_status.get(status.id, [])) > status.wip_limit))
        for status in project.statuses])
    return _cards_response(board)


@router.get("/projects/{project_id}/tasks", response_model=TaskCardList)
async def list_project_tasks(
    project_id: IdPath, actor: CurrentActor, rt: Rt,
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    label: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    priority: Annotated[Priority | None, Query()] = None,
    due: Annotated[Due | None, Query()] = None,
    due_from: Annotated[date | None, Query()] = None,
    due_to: Annotated[date | None, Query()] = None,
    sort: TaskOrder = TaskOrder.BOARD,
) -> Response:
    """The project's tasks as cards for its list, calendar and other views: by assignee,
    column, label, priority, words of the title, open ones `overdue` or due `soon` (as `GET
    /tasks` counts them), or due between `due_from` and `due_to` (both days included); in
    board, due-date, priority, newest-first, number or last-changed order."""
    window_from, window_before = _due_window(rt, due)
    if due_from is not None:
        window_from = max(due_from, window_from or due_from)
    if due_to is not None:
        window_before = min(due_to + timedelta(days=1), window_before or date.max)
    async with rt.reader() as uow:
        await access_project(uow, actor, project_id)
        cards = await queries.task_cards(uow, TaskFilter(
            project_id=project_id, assignee_id=assignee_id, status_id=status_id, label=label,
            text=q,
            priority=priority, open_only=due is not None,
            due_from=window_from, due_before=window_before,
            order=sort))
    return _cards_response(TaskCardList.model_construct(items=cast("list[TaskCard]", cards)))


@router.post("/projects/{project_id}/tasks", status_code=201)
async def create_task(project_id: IdPath, body: TaskCreate, actor: CurrentActor,
                      rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        found = await access_project(uow, actor, project_id, for_update=True)
        task = await actions.do_create_task(uow, actor, found, body)
        return await task_out(uow, task)


@router.get("/projects/{project_id}/gantt", response_model=Gantt)
async def get_gantt(project_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    """The project's dated tasks with their dependencies and its critical path, in one
    answer (a chart needs nothing else)."""
    async with rt.reader() as uow:
        await access_project(uow, actor, project_id)
        cards = await queries.task_cards(uow, TaskFilter(project_id=project_id))
    spans = {c["id"]: span for c in cards if (span := span_of(c["id"], c["start_at"],
                                                              c["due_at"]))}
    charted = sorted((c for c in cards if c["id"] in spans),
                     key=lambda c: (spans[c["id"]].start, c["id"]))
    gantt = Gantt.model_construct(
        tasks=[GanttTask.model_construct(
            id=c["id"], number=c["number"], title=c["title"], parent_id=c["parent_id"],
            category=Category(c["category"]), assignee_id=c["assignee_id"],
            start=spans[c["id"]].start, end=spans[c["id"]].end,
            dependencies=c["dependencies"]) for c in charted],
        unscheduled=[c["id"] for c in cards if c["id"] not in spans],
        critical_path=critical_path(list(spans.values()),
                                    {c["id"]: c["dependencies"] for c in cards}))
    return _cards_response(gantt)


@router.post("/messages/{message_id}/task", status_code=201)
async def task_from_message(message_id: IdPath, body: TaskFromMessage, actor: CurrentActor,
                            rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        found = await access_project(uow, actor, body.project_id, for_update=True)
        task = await actions.do_task_from_message(uow, actor, message_id, found, body)
        return await task_out(uow, task)


@router.get("/tasks", response_model=TaskCardList)
async def my_tasks(actor: CurrentActor, rt: Rt,
                   due: Annotated[Due | None, Query()] = None,
                   assignee: Annotated[Literal["me"], Query(
                       description="whose: the caller's (the only choice)")] = "me",
                   ) -> Response:
    """The caller's open tasks across the projects they are in, as cards, soonest due
    first (at most 500): all, `overdue` (due before today) or `soon` (due today or in the
    next days), today in the company's zone."""
    due_from, due_before = _due_window(rt, due)
    async with rt.reader() as uow:
        cards = await queries.task_cards(uow, TaskFilter(
            assignee_id=actor.user_id, member_id=actor.user_id, open_only=True,
            due_from=due_from, due_before=due_before, order=TaskOrder.DUE,
            limit=MY_TASKS_LIMIT))
    return _cards_response(TaskCardList.model_construct(items=cast("list[TaskCard]", cards)))


@router.get("/task-summaries")
async def task_summaries(
    actor: CurrentActor, rt: Rt,
    ids: Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]],
                   Query(min_length=1, max_length=MAX_SUMMARIES)],
) -> TaskSummaries:
    """Several tasks at once, as a message that names them shows them (`T-12`, or a link to
    the task): those of `ids` the caller may see, the others left out as if they did not
    exist. A client asks for the tasks a screen of messages names in one request."""
    async with rt.reader() as uow:
        return TaskSummaries(items=await visible_task_summaries(uow, actor, ids))


@router.get("/tasks/{task_id}")
async def get_task(task_id: IdPath, actor: CurrentActor, rt: Rt) -> TaskOut:
    async with rt.reader() as uow:
        task, _ = await access_task(uow, actor, task_id)
        return await task_out(uow, task)


@router.patch("/tasks/{task_id}")
async def update_task(task_id: IdPath, body: TaskUpdate, actor: CurrentActor,
                      rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        await actions.do_update_task(uow, actor, task, found, body)
        return await task_out(uow, task)


@router.post("/tasks/{task_id}/move")
async def move_task(task_id: IdPath, body: MoveBody, actor: CurrentActor, rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id, for_update=True)
        await uow.session.refresh(task)  # as it is now the board is ours
        await actions.do_move_task(uow, actor, task, found, into=body.column,
                                   after_id=body.after_id)
        return await task_out(uow, task)


@router.post("/tasks/{task_id}/dependencies", status_code=201)
async def add_dependency(task_id: IdPath, body: DependencyBody, actor: CurrentActor,
                         rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        await actions.do_add_dependency(uow, actor, task, found, body.depends_on_id)
        return await task_out(uow, task)


@router.delete("/tasks/{task_id}/dependencies/{depends_on_id}")
async def remove_dependency(task_id: IdPath, depends_on_id: IdPath, actor: CurrentActor,
                            rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        await actions.do_remove_dependency(uow, actor, task, found, depends_on_id)
        return await task_out(uow, task)


@router.get("/tasks/{task_id}/history")
async def task_history(task_id: IdPath, actor: CurrentActor, rt: Rt) -> TaskHistory:
    async with rt.reader() as uow:
        task, _ = await access_task(uow, actor, task_id)
        return TaskHistory(items=[entry_out(e) for e in await queries.history_of(uow, task.id)])


# --- a task's details -----------------------------------------------------------------------

@router.get("/projects/{project_id}/labels")
async def get_project_labels(project_id: IdPath, actor: CurrentActor, rt: Rt) -> LabelList:
    async with rt.reader() as uow:
        found = await access_project(uow, actor, project_id)
        return LabelList(items=(await project_data(uow, found.project)).labels)


@router.put("/projects/{project_id}/labels")
async def set_project_labels(project_id: IdPath, body: LabelsBody, actor: CurrentActor,
                             rt: Rt) -> ProjectOut:
    """The whole label set, in order: a label left out is taken off the tasks carrying it,
    one renamed (same `id`) is renamed on them."""
    async with rt.unit_of_work() as uow:
        found = await access_project(uow, actor, project_id, for_update=True)
        project = await details.do_set_labels(uow, actor, found, body)
        return await _refreshed(uow, actor, project)


@router.post("/tasks/{task_id}/watch")
async def watch_task(task_id: IdPath, actor: CurrentActor, rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        await details.do_watch(uow, actor, task, found, True)
        return await task_out(uow, task)


@router.delete("/tasks/{task_id}/watch")
async def unwatch_task(task_id: IdPath, actor: CurrentActor, rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        await details.do_watch(uow, actor, task, found, False)
        return await task_out(uow, task)


@router.post("/tasks/{task_id}/checklist", status_code=201)
async def add_checklist_item(task_id: IdPath, body: ChecklistAdd, actor: CurrentActor,
                             rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id, for_update=True)
        await details.do_add_check_item(uow, actor, task, found, body.text)
        return await task_out(uow, task)


@router.put("/tasks/{task_id}/checklist")
async def set_checklist(task_id: IdPath, body: ChecklistBody, actor: CurrentActor,
                        rt: Rt) -> TaskOut:
    """The whole checklist, in order: what reorders, renames and removes several at once."""
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id, for_update=True)
        await details.do_set_checklist(uow, actor, task, found, body)
        return await task_out(uow, task)


@router.patch("/tasks/{task_id}/checklist/{item_id}")
async def update_checklist_item(task_id: IdPath, item_id: IdPath, body: ChecklistItemUpdate,
                                actor: CurrentActor, rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        await details.do_update_check_item(uow, actor, task, found, item_id, body)
        return await task_out(uow, task)


@router.delete("/tasks/{task_id}/checklist/{item_id}")
async def remove_checklist_item(task_id: IdPath, item_id: IdPath, actor: CurrentActor,
                                rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        await details.do_remove_check_item(uow, actor, task, found, item_id)
        return await task_out(uow, task)


@router.post("/tasks/{task_id}/attachments", status_code=201)
async def attach_file(task_id: IdPath, body: AttachmentBody, actor: CurrentActor,
                      rt: Rt) -> TaskOut:
    """One's own upload (`POST /files`) attached: whoever sees the task may download it."""
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id, for_update=True)
        await details.do_attach(uow, actor, task, found, body.file_id)
        return await task_out(uow, task)


@router.delete("/tasks/{task_id}/attachments/{file_id}")
async def detach_file(task_id: IdPath, file_id: IdPath, actor: CurrentActor,
                      rt: Rt) -> TaskOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        await details.do_detach(uow, actor, task, found, file_id)
        return await task_out(uow, task)


@router.get("/tasks/{task_id}/comments")
async def list_task_comments(
    task_id: IdPath, actor: CurrentActor, rt: Rt,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> CommentList:
    """The task's comments, newest first; `next_cursor` pages to older ones."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        task, _ = await access_task(uow, actor, task_id)
        rows = await queries.comments_page(uow, task.id, before_id, limit + 1)
    page = rows[:limit]
    return CommentList(items=[comment_out(c) for c in page],
                       next_cursor=encode_cursor(page[-1].id) if len(rows) > limit else None)


@router.post("/tasks/{task_id}/comments", status_code=201)
async def add_task_comment(task_id: IdPath, body: CommentBody, actor: CurrentActor,
                           rt: Rt) -> CommentOut:
    """Markdown, sanitised like descriptions; `@name` mentions the people who see the task."""
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        comment = await details.do_add_comment(uow, actor, task, found, body.text)
        return comment_out(comment)


@router.patch("/tasks/{task_id}/comments/{comment_id}")
async def edit_task_comment(task_id: IdPath, comment_id: IdPath, body: CommentBody,
                            actor: CurrentActor, rt: Rt) -> CommentOut:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        comment = await details.comment_of(uow, task, comment_id)
        await details.do_edit_comment(uow, actor, task, found, comment, body.text)
        return comment_out(comment)


@router.delete("/tasks/{task_id}/comments/{comment_id}", status_code=204)
async def delete_task_comment(task_id: IdPath, comment_id: IdPath, actor: CurrentActor,
                              rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        task, found = await access_task(uow, actor, task_id)
        comment = await details.comment_of(uow, task, comment_id)
        await details.do_delete_comment(uow, actor, task, found, comment)
    return Response(status_code=204)
