"""Objectives as the API shows them, built from a few batched reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.goals import queries
from xietong.goals.models import KeyResult, Level, Objective
from xietong.goals.queries import ObjectiveFields
from xietong.goals.schemas import ObjectiveData, ObjectiveOut
from xietong.policy import goals as goals_policy
from xietong.policy.goals import ObjectiveStanding


async def objectives_fields(uow: UnitOfWork, objectives: Sequence[ObjectiveFields], *,
                            chosen_by: Select[int] | None = None
                            ) -> list[dict[str, Any]]:
    """`ObjectiveData`'s fields for each objective (the enums as their values, the key
    results as dicts of theirs), read in three statements for the lot: a quarter's tree
    holds hundreds of objectives and thousands of key results, which a list serialises as
    they are (`objectives_data` validates them, for one or a few). `chosen_by`: the query
    of the objectives' ids, when they were read by one (their key results are read by it)."""
    ids: queries.Ids = chosen_by if chosen_by is not None else [o.id for o in objectives]
    key_results = await queries.key_result_fields(uow, ids)
    tasks, projects = await queries.links_of(
        uow, [kr["id"] for krs in key_results.values() for kr in krs] if chosen_by is None
        else select(KeyResult.id).where(KeyResult.objective_id.in_(chosen_by)))
    for krs in key_results.values():
        for kr in krs:
            kr["task_ids"], kr["project_ids"] = tasks.get(kr["id"], []), projects.get(kr["id"], [])
    return [{"id": o.id, "title": o.title, "description": o.description, "level": o.level,
             "owner_id": o.owner_id, "department_id": o.department_id,
             "parent_id": o.parent_id, "period": o.period, "visibility": o.visibility,
             "weight": o.weight, "progress": o.progress, "archived": o.archived_at is not None,
             "created_at": o.created_at, "updated_at": o.updated_at,
             "key_results": key_results.get(o.id, [])}
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
