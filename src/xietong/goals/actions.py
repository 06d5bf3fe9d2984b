"""Writers of goals. Each change rolls the period's progress up again and tells whoever
sees each objective it moved; none commits (the caller's unit of work does)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import delete, func, select

from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Conflict, Invalid, NotFound
from xietong.core.uow import UnitOfWork
from xietong.goals import queries
from xietong.goals.access import ObjectiveAccess, Viewer, access_objective
from xietong.goals.events import ObjectiveChanged, audience_of
from xietong.goals.models import (
    CheckIn,
    GoalVisibility,
    KeyResult,
    KeyResultKind,
    KeyResultProject,
    KeyResultTask,
    Level,
    Objective,
)
from xietong.goals.rollup import metric_progress, roll_up, tasks_progress
from xietong.goals.schemas import (
    CheckInCreate,
    KeyResultCreate,
    KeyResultUpdate,
    ObjectiveCreate,
    ObjectiveUpdate,
)
from xietong.goals.searching import do_index_objective
from xietong.goals.views import objective_data
from xietong.org import queries as org_queries
from xietong.policy import goals as goals_policy
from xietong.policy import require
from xietong.projects import queries as project_queries
from xietong.projects.models import Project, Task

MAX_KEY_RESULTS = 20


async def _person(uow: UnitOfWork, user_id: int) -> None:
    """An owner is an active person (not the system account)."""
    if (user_id not in await org_queries.active_user_ids(uow, [user_id])
            or await org_queries.bot_ids(uow, [user_id])):
        raise Invalid("Unknown or deactivated person.", code="unknown_person",
                      details={"user_id": user_id})


async def _parent(uow: UnitOfWork, actor: Actor, viewer: Viewer, parent_id: int,
                  period: str) -> Objective:
    """An objective to align to: one the actor sees, of the same period."""
    try:
        parent = (await access_objective(uow, actor, parent_id, viewer=viewer)).objective
    except NotFound:
        raise Invalid("The objective to align to does not exist.",
                      code="unknown_parent_objective", details={"parent_id": parent_id}) from None
    if parent.period != period:
        raise Invalid("Align to an objective of the same period.", code="period_mismatch",
                      details={"period": period, "parent_period": parent.period})
    return parent


async def emit_changes(uow: UnitOfWork, period: str, touched: Mapping[int, str]) -> None:
    """Roll the period up again, store what moved, and tell each objective's audience: with
    `touched`'s change for those the action changed, "progress" for those only the
    roll-up moved (the ones above it)."""
    await uow.flush()
    objectives, nodes = await queries.period_nodes(uow, period)
    now = utcnow()
    changed = dict(touched)
    for objective_id, progress in roll_up(nodes).items():
        row = objectives[objective_id]
        if abs(row.progress - progress) > 1e-9:
            row.progress = progress
            row.updated_at = now
            changed.setdefault(objective_id, "progress")
    await uow.flush()
    for objective_id, change in sorted(changed.items()):
        objective = objectives.get(objective_id) or await uow.session.get(Objective,
                                                                         objective_id)
        if objective is None:
            continue
        uow.emit(ObjectiveChanged(objective=await objective_data(uow, objective),
                                  change=change),
                 await audience_of(uow, objective))


async def do_create_objective(uow: UnitOfWork, actor: Actor, viewer: Viewer,
                              data: ObjectiveCreate) -> Objective:
    owner_id = data.owner_id or actor.user_id
    await _person(uow, owner_id)
    department_id = data.department_id
    if data.level == Level.COMPANY:
        department_id = None
    elif data.level == Level.DEPARTMENT and department_id is None:
        raise Invalid("A department objective names its department.",
                      code="department_required")
    elif data.level == Level.PERSON and department_id is None:
        department_id = (await org_queries.memberships_of(uow, [owner_id])
                         )[owner_id].primary_department_id
    if department_id is not None and not await org_queries.department_exists(
            uow, [department_id]):
        raise Invalid("Unknown department.", code="unknown_department",
                      details={"department_id": department_id})
    require(goals_policy.can_set_objective(
        actor, data.level.value, for_self=owner_id == actor.user_id,
        manages_department=department_id is not None and department_id in viewer.managed),
        "Company objectives are set by administrators, a department's by its managers, a "
        "person's by themselves or their managers.", code="may_not_set_objective")
    if data.level == Level.DEPARTMENT and data.visibility == GoalVisibility.PRIVATE:
        raise Invalid("A department's objective is seen at least by its department.",
                      code="visibility_too_narrow")
    if data.parent_id is not None:
        await _parent(uow, actor, viewer, data.parent_id, data.period)
    now = utcnow()
    objective = Objective(title=data.title, description=data.description,
                          level=data.level.value, owner_id=owner_id,
                          department_id=department_id, parent_id=data.parent_id,
                          period=data.period, visibility=data.visibility.value,
                          weight=data.weight, progress=0.0, created_by=actor.user_id,
                          created_at=now, updated_at=now)
    uow.session.add(objective)
    await uow.flush()
    await do_index_objective(uow, objective)
    await emit_changes(uow, objective.period, {objective.id: "created"})
    return objective


async def do_update_objective(uow: UnitOfWork, actor: Actor, found: ObjectiveAccess,
                              data: ObjectiveUpdate) -> Objective:
    require(goals_policy.can_edit_objective(actor, found.standing),
            "Only its owner, the managers above its department or an administrator change "
            "an objective.")
    objective = found.objective
    worded = (objective.title, objective.description, objective.owner_id)
    given = data.model_fields_set
    for name in ("title", "description", "owner_id", "visibility", "weight", "archived"):
        if name in given and getattr(data, name) is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep it.",
                          code="null_setting")
    if data.owner_id is not None and data.owner_id != objective.owner_id:
        await _person(uow, data.owner_id)
        objective.owner_id = data.owner_id
    if "parent_id" in given and data.parent_id != objective.parent_id:
        if data.parent_id is not None:
            await _parent(uow, actor, found.viewer, data.parent_id, objective.period)
            if (data.parent_id == objective.id
                    or objective.id in await queries.ancestors_of(uow, data.parent_id)):
                raise Invalid("An objective cannot serve itself, even through others.",
                              code="alignment_cycle", details={"parent_id": data.parent_id})
        objective.parent_id = data.parent_id
    if data.visibility is not None:
        if (objective.level == Level.DEPARTMENT.value
                and data.visibility == GoalVisibility.PRIVATE):
            raise Invalid("A department's objective is seen at least by its department.",
                          code="visibility_too_narrow")
        objective.visibility = data.visibility.value
    if data.title is not None:
        objective.title = data.title
    if data.description is not None:
        objective.description = data.description
    if data.weight is not None:
        objective.weight = data.weight
    change = "updated"
    if data.archived is not None and data.archived != (objective.archived_at is not None):
        objective.archived_at = utcnow() if data.archived else None
        change = "archived" if data.archived else "unarchived"
    objective.updated_at = utcnow()
    if (objective.title, objective.description, objective.owner_id) != worded:
        await do_index_objective(uow, objective)
    await emit_changes(uow, objective.period, {objective.id: change})
    return objective


def _check_editable(actor: Actor, found: ObjectiveAccess) -> None:
    require(goals_policy.can_edit_objective(actor, found.standing),
            "Only its owner, the managers above its department or an administrator change "
            "an objective's key results.")
    if found.objective.archived_at is not None:
        raise Conflict("The objective is archived.", code="objective_archived")


async def _set_links(uow: UnitOfWork, actor: Actor, key_result: KeyResult,
                     task_ids: Iterable[int], project_ids: Iterable[int]) -> None:
    """What a task-counted key result counts: tasks and projects the actor sees (others are
    refused by id, as if they did not exist)."""
    tasks, projects = sorted(set(task_ids)), sorted(set(project_ids))
    if (tasks or projects) and key_result.kind != KeyResultKind.TASKS.value:
        raise Invalid("Only a task-counted key result links tasks and projects.",
                      code="links_need_tasks_kind")
    # One query per kind with the project page's own rule (`seen_by`), not a lookup per
    # linked task: a key result may count hundreds.
    seen_tasks = set(await uow.session.scalars(
        select(Task.id).join(Project, Project.id == Task.project_id)
        .where(Task.id.in_(tasks), project_queries.seen_by(actor)))) if tasks else set()
    seen_projects = set(await uow.session.scalars(
        select(Project.id).where(Project.id.in_(projects), project_queries.seen_by(actor))
    )) if projects else set()
    unseen_tasks = [t for t in tasks if t not in seen_tasks]
    unseen_projects = [p for p in projects if p not in seen_projects]
    if unseen_tasks or unseen_projects:
        raise Invalid("Link tasks and projects you can see.", code="unknown_link",
                      details={"task_ids": unseen_tasks, "project_ids": unseen_projects})
    await uow.session.execute(delete(KeyResultTask)
                              .where(KeyResultTask.key_result_id == key_result.id))
    await uow.session.execute(delete(KeyResultProject)
                              .where(KeyResultProject.key_result_id == key_result.id))
    uow.session.add_all(KeyResultTask(key_result_id=key_result.id, task_id=t) for t in tasks)
    uow.session.add_all(KeyResultProject(key_result_id=key_result.id, project_id=p)
                        for p in projects)
    await uow.flush()


async def recount(uow: UnitOfWork, key_results: Iterable[KeyResult]) -> set[int]:
    """Each key result's progress from what it measures; the objectives whose key results
    moved."""
    krs = list(key_results)
    counts = await queries.task_counts(
        uow, [kr.id for kr in krs if kr.kind == KeyResultKind.TASKS.value])
    moved: set[int] = set()
    for kr in krs:
        if kr.kind == KeyResultKind.TASKS.value:
            progress = tasks_progress(*counts.get(kr.id, (0, 0)))
        else:
            progress = metric_progress(kr.start_value, kr.target_value, kr.current_value)
        if abs(kr.progress - progress) > 1e-9:
            kr.progress = progress
            moved.add(kr.objective_id)
    return moved


async def do_add_key_result(uow: UnitOfWork, actor: Actor, found: ObjectiveAccess,
                            data: KeyResultCreate) -> KeyResult:
    _check_editable(actor, found)
    objective = found.objective
    if data.owner_id is not None:
        await _person(uow, data.owner_id)
    count, last = (await uow.session.execute(
        select(func.count(), func.max(KeyResult.position))
        .where(KeyResult.objective_id == objective.id))).one()
    if count >= MAX_KEY_RESULTS:
        raise Invalid(f"An objective has at most {MAX_KEY_RESULTS} key results.",
                      code="too_many_key_results")
    now = utcnow()
    key_result = KeyResult(objective_id=objective.id, title=data.title, kind=data.kind.value,
                           owner_id=data.owner_id, start_value=data.start,
                           target_value=data.target, current_value=data.start,
                           unit=data.unit, weight=data.weight, progress=0.0,
                           position=(last or 0) + 1, created_at=now, updated_at=now)
    uow.session.add(key_result)
    await uow.flush()
    await _set_links(uow, actor, key_result, data.task_ids, data.project_ids)
    await recount(uow, [key_result])
    objective.updated_at = now
    await do_index_objective(uow, objective)
    await emit_changes(uow, objective.period, {objective.id: "key_results"})
    return key_result


async def do_update_key_result(uow: UnitOfWork, actor: Actor, key_result: KeyResult,
                               found: ObjectiveAccess, data: KeyResultUpdate) -> KeyResult:
    _check_editable(actor, found)
    given = data.model_fields_set
    for name in ("title", "start", "target", "unit", "weight", "task_ids", "project_ids"):
        if name in given and getattr(data, name) is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep it.",
                          code="null_setting")
    if "owner_id" in given:
        if data.owner_id is not None:
            await _person(uow, data.owner_id)
        key_result.owner_id = data.owner_id
    if data.title is not None:
        key_result.title = data.title
    if data.unit is not None:
        key_result.unit = data.unit
    if data.weight is not None:
        key_result.weight = data.weight
    if data.start is not None:
        key_result.start_value = data.start
    if data.target is not None:
        key_result.target_value = data.target
    if data.task_ids is not None or data.project_ids is not None:
        tasks, projects = await queries.links_of(uow, [key_result.id])
        await _set_links(uow, actor, key_result,
                         data.task_ids if data.task_ids is not None
                         else tasks.get(key_result.id, []),
                         data.project_ids if data.project_ids is not None
                         else projects.get(key_result.id, []))
    await recount(uow, [key_result])
    key_result.updated_at = found.objective.updated_at = utcnow()
    if "title" in given:
        await do_index_objective(uow, found.objective)
    await emit_changes(uow, found.objective.period, {found.objective.id: "key_results"})
    return key_result


async def do_delete_key_result(uow: UnitOfWork, actor: Actor, key_result: KeyResult,
                               found: ObjectiveAccess) -> None:
    _check_editable(actor, found)
    await uow.session.delete(key_result)
    found.objective.updated_at = utcnow()
    await do_index_objective(uow, found.objective)
    await emit_changes(uow, found.objective.period, {found.objective.id: "key_results"})


async def do_check_in(uow: UnitOfWork, actor: Actor, key_result: KeyResult,
                      found: ObjectiveAccess, data: CheckInCreate, *,
                      now: datetime | None = None) -> CheckIn:
    """Where the key result stands now: a metric's new value (left out: unchanged), and for
    either kind a confidence and a note. A task-counted one's progress is its tasks'."""
    require(goals_policy.can_check_in(actor, found.standing,
                                      key_result.owner_id == actor.user_id),
            "Only the key result's owner, the objective's owner, the managers above its "
            "department or an administrator check in.")
    if found.objective.archived_at is not None:
        raise Conflict("The objective is archived.", code="objective_archived")
    if key_result.kind == KeyResultKind.TASKS.value and data.current is not None:
        raise Invalid("This key result's progress comes from its tasks.",
                      code="progress_from_tasks")
    now = now or utcnow()
    if data.current is not None:
        key_result.current_value = data.current
    await recount(uow, [key_result])
    if data.confidence is not None:
        key_result.confidence = data.confidence
    key_result.checked_in_at = key_result.updated_at = now
    check_in = CheckIn(key_result_id=key_result.id, author_id=actor.user_id,
                       value=key_result.current_value
                       if key_result.kind == KeyResultKind.METRIC.value else None,
                       progress=key_result.progress, confidence=data.confidence,
                       note=data.note, created_at=now)
    uow.session.add(check_in)
    found.objective.updated_at = now
    await emit_changes(uow, found.objective.period, {found.objective.id: "check_in"})
    return check_in
