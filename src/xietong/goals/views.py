"""Objectives as the API shows them, built from a few batched reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.goals import queries
from xietong.goals.models import GoalVisibility, KeyResultKind, Level, Objective
from xietong.goals.schemas import KeyResultOut, ObjectiveData, ObjectiveOut
from xietong.policy import goals as goals_policy
from xietong.policy.goals import ObjectiveStanding

# The stored values as their enums, looked up (`Enum(value)` costs more than the rest of a
# key result's shaping in a tree of hundreds).
_KINDS = {kind.value: kind for kind in KeyResultKind}
_LEVELS = {level.value: level for level in Level}
_VISIBILITIES = {visibility.value: visibility for visibility in GoalVisibility}


class KeyResultFields(Protocol):
    """What a key result's reply reads: a `KeyResult`, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def objective_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def owner_id(self) -> int | None: ...
    @property
    def start_value(self) -> float: ...
    @property
    def target_value(self) -> float: ...
    @property
    def current_value(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def progress(self) -> float: ...
    @property
    def confidence(self) -> int | None: ...
    @property
    def checked_in_at(self) -> datetime | None: ...


def key_result_out(kr: KeyResultFields, task_ids: list[int],
                   project_ids: list[int]) -> KeyResultOut:
    return KeyResultOut(
        id=kr.id, objective_id=kr.objective_id, title=kr.title, kind=_KINDS[kr.kind],
        owner_id=kr.owner_id, start=kr.start_value, target=kr.target_value,
        current=kr.current_value, unit=kr.unit, weight=kr.weight, progress=kr.progress,
        confidence=kr.confidence, checked_in_at=kr.checked_in_at, task_ids=task_ids,
        project_ids=project_ids)


async def objectives_data(uow: UnitOfWork,
                          objectives: Sequence[Objective]) -> list[ObjectiveData]:
    key_results = await queries.key_result_rows(uow, [o.id for o in objectives])
    tasks, projects = await queries.links_of(
        uow, [kr.id for krs in key_results.values() for kr in krs])
    return [ObjectiveData(
        id=o.id, title=o.title, description=o.description, level=_LEVELS[o.level],
        owner_id=o.owner_id, department_id=o.department_id, parent_id=o.parent_id,
        period=o.period, visibility=_VISIBILITIES[o.visibility], weight=o.weight,
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
    # Built from a validated ObjectiveData's fields as they are: validating hundreds of
    # objectives (and their key results) a second time was most of a tree's cost.
    fields = {name: getattr(data, name) for name in ObjectiveData.model_fields}
    return ObjectiveOut.model_construct(**fields, can=actions_for(actor, standing),
                                        children=[])


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
