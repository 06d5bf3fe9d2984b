"""Goals over HTTP: thin routes over access, actions and views."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Query, Response

from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.ids import MAX_ID
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, IdPath, Rt
from xietong.goals import actions, queries
from xietong.goals.access import access_key_result, access_objective, viewer_of
from xietong.goals.models import CheckIn, Level, Objective
from xietong.goals.periods import quarter_of
from xietong.goals.schemas import (
    CheckInCreate,
    CheckInList,
    CheckInOut,
    KeyResultAdded,
    KeyResultCreate,
    KeyResultUpdate,
    ObjectiveCreate,
    ObjectiveList,
    ObjectiveOut,
    ObjectiveUpdate,
    Period,
)
from xietong.goals.views import (
    actions_for,
    as_tree,
    objective_data,
    objective_out,
    objectives_fields,
)

router = APIRouter(prefix="/api/v1", tags=["goals"])

CHECK_INS_SHOWN = 200


async def _out(uow: UnitOfWork, actor: Actor, objective_id: int) -> ObjectiveOut:
    found = await access_objective(uow, actor, objective_id)
    return objective_out(await objective_data(uow, found.objective), actor, found.standing)


@router.post("/objectives", status_code=201)
async def create_objective(body: ObjectiveCreate, actor: CurrentActor, rt: Rt) -> ObjectiveOut:
    async with rt.unit_of_work() as uow:
        objective = await actions.do_create_objective(uow, actor, await viewer_of(uow, actor),
                                                      body)
        return await _out(uow, actor, objective.id)


@router.get("/objectives", response_model=ObjectiveList)
async def list_objectives(
    actor: CurrentActor, rt: Rt,
    period: Period | None = None,
    level: Level | None = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    tree: bool = False,
    archived: bool = False,
) -> Response:
    """The period's objectives the caller sees (default: this quarter in the company's time
    zone), with rolled-up progress; `tree`: each under the one it serves."""
    period = period or quarter_of(utcnow(), rt.settings.zone)
    async with rt.reader() as uow:
        viewer = await viewer_of(uow, actor)
        chosen = queries.objectives_query(
            period=period, seeing=queries.seen_by(actor),
            level=level.value if level else None, department_id=department_id,
            owner_id=owner_id, archived=archived)
        objectives = await queries.objectives_in(uow, chosen)
        fields = await objectives_fields(
            uow, objectives, chosen_by=chosen.with_only_columns(Objective.id).order_by(None))
    items = [{**one, "can": actions_for(actor, viewer.standing(o)), "children": []}
             for o, one in zip(objectives, fields, strict=True)]
    # `ObjectiveOut`s' fields as read (a quarter's tree holds hundreds of objectives and
    # thousands of key results), serialised once as the schema declares, not validated on
    # the way out (pydantic would warn of the dicts standing in for models).
    listed = ObjectiveList.model_construct(
        period=period, items=cast("list[ObjectiveOut]", as_tree(items) if tree else items))
    return Response(content=listed.model_dump_json(warnings=False),
                    media_type="application/json")


@router.get("/objectives/{objective_id}")
async def get_objective(objective_id: IdPath, actor: CurrentActor, rt: Rt) -> ObjectiveOut:
    async with rt.reader() as uow:
        return await _out(uow, actor, objective_id)


@router.patch("/objectives/{objective_id}")
async def update_objective(objective_id: IdPath, body: ObjectiveUpdate, actor: CurrentActor,
                           rt: Rt) -> ObjectiveOut:
    async with rt.unit_of_work() as uow:
        found = await access_objective(uow, actor, objective_id, for_update=True)
        await actions.do_update_objective(uow, actor, found, body)
        return await _out(uow, actor, objective_id)


@router.post("/objectives/{objective_id}/key-results", status_code=201)
async def add_key_result(objective_id: IdPath, body: KeyResultCreate, actor: CurrentActor,
                         rt: Rt) -> KeyResultAdded:
    """The new key result, with `objective`: the objective with it last."""
    async with rt.unit_of_work() as uow:
        found = await access_objective(uow, actor, objective_id, for_update=True)
        await actions.do_add_key_result(uow, actor, found, body)
        objective = await _out(uow, actor, objective_id)
    return KeyResultAdded(**objective.key_results[-1].model_dump(), objective=objective)


@router.patch("/key-results/{key_result_id}")
async def update_key_result(key_result_id: IdPath, body: KeyResultUpdate,
                            actor: CurrentActor, rt: Rt) -> ObjectiveOut:
    async with rt.unit_of_work() as uow:
        key_result, found = await access_key_result(uow, actor, key_result_id,
                                                    for_update=True)
        await actions.do_update_key_result(uow, actor, key_result, found, body)
        return await _out(uow, actor, found.objective.id)


@router.delete("/key-results/{key_result_id}", status_code=204)
async def delete_key_result(key_result_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        key_result, found = await access_key_result(uow, actor, key_result_id,
                                                    for_update=True)
        await actions.do_delete_key_result(uow, actor, key_result, found)
    return Response(status_code=204)


def _check_in_out(row: CheckIn) -> CheckInOut:
    return CheckInOut(id=row.id, key_result_id=row.key_result_id, author_id=row.author_id,
                      value=row.value, progress=row.progress, confidence=row.confidence,
                      note=row.note, created_at=row.created_at)


@router.post("/key-results/{key_result_id}/check-ins", status_code=201)
async def check_in(key_result_id: IdPath, body: CheckInCreate, actor: CurrentActor,
                   rt: Rt) -> CheckInOut:
    async with rt.unit_of_work() as uow:
        key_result, found = await access_key_result(uow, actor, key_result_id,
                                                    for_update=True)
        row = await actions.do_check_in(uow, actor, key_result, found, body)
        await uow.flush()
        return _check_in_out(row)


@router.get("/key-results/{key_result_id}/check-ins")
async def list_check_ins(key_result_id: IdPath, actor: CurrentActor, rt: Rt) -> CheckInList:
    """The key result's check-ins, newest first (the last 200)."""
    async with rt.reader() as uow:
        await access_key_result(uow, actor, key_result_id)
        rows = await queries.check_ins_of(uow, key_result_id, limit=CHECK_INS_SHOWN)
    return CheckInList(items=[_check_in_out(r) for r in rows])

