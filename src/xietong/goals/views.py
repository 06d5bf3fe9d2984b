"""Objectives as the API shows them, built from a few batched reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, select

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.goals import queries
from xietong.goals.models import KeyResult, Level, Objective
from xietong.goals.schemas import ObjectiveData, ObjectiveOut
from xietong.policy import goals as goals_policy
from xietong.policy.goals import ObjectiveStanding


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


class ObjectiveFields(Protocol):
    """What an objective's reply reads: an `Objective`, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def owner_id(self) -> int: ...
    @property
    def department_id(self) -> int | None: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def period(self) -> str: ...
    @property
    def visibility(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def progress(self) -> float: ...
    @property
    def archived_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


def key_result_fields(kr: KeyResultFields, task_ids: list[int],
                      project_ids: list[int]) -> dict[str, Any]:
    """`KeyResultOut`'s fields, the kind as its value."""
    return {"id": kr.id, "objective_id": kr.objective_id, "title": kr.title, "kind": kr.kind,
            "owner_id": kr.owner_id, "start": kr.start_value, "target": kr.target_value,
            "current": kr.current_value, "unit": kr.unit, "weight": kr.weight,
            "progress": kr.progress, "confidence": kr.confidence,
            "checked_in_at": kr.checked_in_at, "task_ids": task_ids, "project_ids": project_ids}


async def objectives_fields(uow: UnitOfWork, objectives: Sequence[ObjectiveFields], *,
                            chosen_by: Select[int] | None = None
                            ) -> list[dict[str, Any]]:
    """`ObjectiveData`'s fields for each objective (the enums as their values, the key
    results as dicts of theirs), read in three statements for the lot: a quarter's tree
    holds hundreds of objectives and thousands of key results, which a list serialises as
    they are (`objectives_data` validates them, for one or a few). `chosen_by`: the query
    of the objectives' ids, when they were read by one (their key results are read by it)."""
    ids: queries.Ids = chosen_by if chosen_by is not None else [o.id for o in objectives]
    key_results = await queries.key_result_rows(uow, ids)
    tasks, projects = await queries.links_of(
        uow, [kr.id for krs in key_results.values() for kr in krs] if chosen_by is None
        else select(KeyResult.id).where(KeyResult.objective_id.in_(chosen_by)))
    return [{"id": o.id, "title": o.title, "description": o.description, "level": o.level,
             "owner_id": o.owner_id, "department_id": o.department_id,
             "parent_id": o.parent_id, "period": o.period, "visibility": o.visibility,
             "weight": o.weight, "progress": o.progress, "archived": o.archived_at is not None,
             "created_at": o.created_at, "updated_at": o.updated_at,
             "key_results": [key_result_fields(kr, tasks.get(kr.id, []),
                                               projects.get(kr.id, []))
                             for kr in key_results.get(o.id, [])]}
            for o in objectives]


async def objectives_data(uow: UnitOfWork,
                          objectives: Sequence[ObjectiveFields]) -> list[ObjectiveData]:
    return [ObjectiveData.model_validate(fields)
            for fields in await objectives_fields(uow, objectives)]


async def objective_data(uow: UnitOfWork, objective: Objective) -> ObjectiveData:
    return (await objectives_data(uow, [objective]))[0]


def actions_for(actor: Actor, standing: ObjectiveStanding) -> list[str]:
    can = []
    if goals_policy.can_edit_objective(actor, standing):
        can += ["edit", "check_in"]
    return can


def objective_out(data: ObjectiveData, actor: Actor, standing: ObjectiveStanding) -> ObjectiveOut:
    # Built from a validated ObjectiveData's fields as they are, not validated again.
    fields = {name: getattr(data, name) for name in ObjectiveData.model_fields}
    return ObjectiveOut.model_construct(**fields, can=actions_for(actor, standing),
                                        children=[])


def as_tree(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Objectives' fields (`ObjectiveOut`'s), each under the one it serves (in its
    `children`) when that one is among `items`; the others are roots. Company, then
    department, then person objectives, each by id."""
    by_id = {o["id"]: o for o in items}
    order = {Level.COMPANY.value: 0, Level.DEPARTMENT.value: 1, Level.PERSON.value: 2}
    roots = []
    for item in sorted(items, key=lambda o: (order[o["level"]], o["id"])):
        parent = by_id.get(item["parent_id"]) if item["parent_id"] is not None else None
        if parent is not None and parent is not item:
            parent["children"].append(item)
        else:
            roots.append(item)
    return roots
