"""Objectives as the API shows them, built from a few batched reads."""

from __future__ import annotations

from collections.abc import Sequence

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.goals import queries
from xietong.goals.models import GoalVisibility, KeyResult, KeyResultKind, Level, Objective
from xietong.goals.schemas import KeyResultOut, ObjectiveData, ObjectiveOut
from xietong.policy import goals as goals_policy
from xietong.policy.goals import ObjectiveStanding


def key_result_out(kr: KeyResult, task_ids: list[int], project_ids: list[int]) -> KeyResultOut:
    return KeyResultOut(
        id=kr.id, objective_id=kr.objective_id, title=kr.title, kind=KeyResultKind(kr.kind),
        owner_id=kr.owner_id, start=kr.start_value, target=kr.target_value,
        current=kr.current_value, unit=kr.unit, weight=kr.weight, progress=kr.progress,
        confidence=kr.confidence, checked_in_at=kr.checked_in_at, task_ids=task_ids,
        project_ids=project_ids)


async def objectives_data(uow: UnitOfWork,
                          objectives: Sequence[Objective]) -> list[ObjectiveData]:
    key_results = await queries.key_results_of(uow, [o.id for o in objectives])
    tasks, projects = await queries.links_of(
        uow, [kr.id for krs in key_results.values() for kr in krs])
    return [ObjectiveData(
        id=o.id, title=o.title, description=o.description, level=Level(o.level),
        owner_id=o.owner_id, department_id=o.department_id, parent_id=o.parent_id,
        period=o.period, visibility=GoalVisibility(o.visibility), weight=o.weight,
        progress=o.progress, archived=o.archived_at is not None, created_at=o.created_at,
        updated_at=o.updated_at,
        key_results=[key_result_out(kr, tasks.get(kr.id, []), projects.get(kr.id, []))
                     for kr in key_results.get(o.id, [])])
        for o in objectives]


async def objective_data(uow: UnitOfWork, objective: Objective) -> ObjectiveData:
    return (await objectives_data(uow, [objective]))[0]


def actions_for(actor: Actor, standing: ObjectiveStanding) -> list[str]:
    can = []
    if goals_policy.can_edit_objective(actor, standing):
        can += ["edit", "check_in"]
    return can


def objective_out(data: ObjectiveData, actor: Actor, standing: ObjectiveStanding) -> ObjectiveOut:
    return ObjectiveOut(**data.model_dump(), can=actions_for(actor, standing))


def as_tree(items: list[ObjectiveOut]) -> list[ObjectiveOut]:
    """Each objective under the one it serves when that one is among `items`; the others
    are roots. Company, then department, then person objectives, each by id."""
    by_id = {o.id: o for o in items}
    order = {Level.COMPANY: 0, Level.DEPARTMENT: 1, Level.PERSON: 2}
    roots = []
    for item in sorted(items, key=lambda o: (order[o.level], o.id)):
        parent = by_id.get(item.parent_id) if item.parent_id is not None else None
        if parent is not None and parent is not item:
            parent.children.append(item)
        else:
            roots.append(item)
    return roots
