"""Approvals over HTTP: flows (administrators define them), the inbox of tasks, decisions,
co-approvers (加签) and delegates. Approvals are started by the domains of their subjects
(`actions.do_start_flow`), not over this API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from xietong.approvals import access, actions, queries, views
from xietong.approvals.models import ApprovalInstance, ApprovalTask
from xietong.approvals.queries import Position
from xietong.approvals.schemas import (
    AddApprover,
    ApprovalBox,
    ApprovalCounts,
    ApprovalItem,
    ApprovalPage,
    Decide,
    DelegationOut,
    DelegationSet,
    DelegationState,
    FlowCreate,
    FlowOut,
    FlowPage,
    FlowUpdate,
)
from xietong.core.clock import utcnow
from xietong.core.errors import BadRequest
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, IdPath, Rt
from xietong.policy import approvals as approvals_policy
from xietong.policy import require

router = APIRouter(prefix="/api/v1", tags=["approvals"])

Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=100)]


def _id_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    (before_id,) = decode_cursor(cursor, int)
    if not 1 <= before_id <= MAX_ID:
        raise BadRequest("The cursor is not one this server gave out.", code="bad_cursor")
    before: int = before_id
    return before


def _position(cursor: str | None) -> Position | None:
    """Where a page of tasks ended: the (time, id) of its last task."""
    if cursor is None:
        return None
    moment, task_id = decode_cursor(cursor, str, int)
    try:
        at = datetime.fromisoformat(moment)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None or not 1 <= task_id <= MAX_ID:
        raise BadRequest("The cursor is not one this server gave out.", code="bad_cursor")
    return at, task_id


# --- flows --------------------------------------------------------------------------------

@router.post("/approval-flows", status_code=201)
async def create_approval_flow(body: FlowCreate, actor: CurrentActor, rt: Rt) -> FlowOut:
    """Administrators only (department managers pick among the flows for their request
    types; they do not write them). A step of mode `one` names exactly one approver."""
    async with rt.unit_of_work() as uow:
        flow = await actions.do_create_flow(uow, actor, name=body.name, steps=body.steps,
                                            now=utcnow())
        return views.flow_out(flow)


@router.get("/approval-flows")
async def list_approval_flows(actor: CurrentActor, rt: Rt, include_archived: bool = False,
                              cursor: Cursor = None, limit: Limit = 50) -> FlowPage:
    """Newest first; archived flows only with `include_archived=true`. Not for guests."""
    require(approvals_policy.can_read_flows(actor), "Guests do not see approval flows.")
    before_id = _id_cursor(cursor)
    async with rt.reader() as uow:
        flows = await queries.flows_page(uow, include_archived=include_archived,
                                         before_id=before_id, limit=limit + 1)
    page = flows[:limit]
    return FlowPage(items=[views.flow_out(f) for f in page],
                    next_cursor=encode_cursor(page[-1].id) if len(flows) > limit else None)


@router.get("/approval-flows/{flow_id}")
async def get_approval_flow(flow_id: IdPath, actor: CurrentActor, rt: Rt) -> FlowOut:
    async with rt.reader() as uow:
        return views.flow_out(await access.access_flow(uow, actor, flow_id))


@router.patch("/approval-flows/{flow_id}")
async def update_approval_flow(flow_id: IdPath, body: FlowUpdate, actor: CurrentActor,
                               rt: Rt) -> FlowOut:
    """Rename, or archive (`archived: true`: it starts no new approvals; those under way
    go on) and bring back. Administrators only."""
    async with rt.unit_of_work() as uow:
        flow = await access.access_flow(uow, actor, flow_id)
        return views.flow_out(await actions.do_update_flow(uow, actor, flow, body, utcnow()))


# --- the inbox ----------------------------------------------------------------------------

def _task_cursor(tasks: Sequence[ApprovalTask], limit: int, box: ApprovalBox) -> str | None:
    if len(tasks) <= limit:
        return None
    last = tasks[limit - 1]
    at = last.arrived_at if box is ApprovalBox.TODO else last.decided_at
    assert at is not None
    return encode_cursor(at.isoformat(), last.id)


@router.get("/approvals")
async def list_approvals(actor: CurrentActor, rt: Rt, box: ApprovalBox = ApprovalBox.TODO,
                         cursor: Cursor = None, limit: Limit = 30) -> ApprovalPage:
    """`todo` (待我审批): my tasks whose step is under way, newest arrival first; `done`
    (我已审批): tasks I decided, newest decision first; `mine` (我发起的): approvals I
    started, newest first. Each item is the approval as it stands and my task in it."""
    async with rt.reader() as uow:
        if box is ApprovalBox.MINE:
            started = await queries.started_by(uow, actor.user_id,
                                               before_id=_id_cursor(cursor), limit=limit + 1)
            shown: Sequence[ApprovalInstance] = started[:limit]
            approvals = await views.approvals_out(uow, shown)
            return ApprovalPage(
                items=[ApprovalItem(approval=approvals[i.id], task=None) for i in shown],
                next_cursor=encode_cursor(shown[-1].id) if len(started) > limit else None)
        find = queries.todo if box is ApprovalBox.TODO else queries.done
        tasks = await find(uow, actor.user_id, after=_position(cursor), limit=limit + 1)
        page = tasks[:limit]
        instances = await queries.instances_by_id(uow, {t.instance_id for t in page})
        approvals = await views.approvals_out(uow, list(instances.values()))
    return ApprovalPage(
        items=[ApprovalItem(approval=approvals[t.instance_id], task=views.task_out(t))
               for t in page],
        next_cursor=_task_cursor(tasks, limit, box))


@router.get("/approvals/counts")
async def count_approvals(actor: CurrentActor, rt: Rt) -> ApprovalCounts:
    """How many tasks wait for my decision (the badge of 待我审批)."""
    async with rt.reader() as uow:
        return ApprovalCounts(todo=await queries.todo_count(uow, actor.user_id))


async def _item(uow: UnitOfWork, held: access.HeldTask) -> ApprovalItem:
    return ApprovalItem(approval=await views.one_approval_out(uow, held.instance, held.tasks),
                        task=views.task_out(held.task))


@router.post("/approvals/{approval_task_id}/decide")
async def decide_approval(approval_task_id: IdPath, body: Decide, actor: CurrentActor,
                          rt: Rt) -> ApprovalItem:
    """Decide my task (`approval_task_id`: a task's id, as the inbox lists it): `approve`,
    `reject` (the approval ends rejected) or `return` (sent back to the requester for
    changes); both need a comment, which the requester reads. Someone else's task is 404;
    a task decided already, of a step not reached yet or closed is 409."""
    async with rt.unit_of_work() as uow:
        held = await actions.do_decide(uow, actor, task_id=approval_task_id,
                                       decision=body.decision, comment=body.comment,
                                       now=utcnow())
        return await _item(uow, held)


@router.post("/approvals/{approval_task_id}/add-approver")
async def add_approver(approval_task_id: IdPath, body: AddApprover, actor: CurrentActor,
                       rt: Rt) -> ApprovalItem:
    """加签: add a co-approver to the step of my pending task (in an `all` step they must
    approve too; otherwise they are one more who may). `comment` tells them why."""
    async with rt.unit_of_work() as uow:
        held = await actions.do_add_approver(uow, actor, task_id=approval_task_id,
                                             user_id=body.user_id, note=body.comment,
                                             now=utcnow())
        return await _item(uow, held)


# --- delegates ----------------------------------------------------------------------------

def _delegation_out(delegate_id: int, until: datetime, created_at: datetime) -> DelegationOut:
    return DelegationOut(delegate_id=delegate_id, until=until, active=until > utcnow(),
                         created_at=created_at)


@router.get("/approvals/delegation")
async def get_delegation(actor: CurrentActor, rt: Rt) -> DelegationState:
    """My delegate while I am away, if I set one (`active`: it is in force now)."""
    async with rt.reader() as uow:
        found = await queries.delegation_of(uow, actor.user_id)
    return DelegationState(delegation=None if found is None else _delegation_out(
        found.delegate_id, found.until, found.created_at))


@router.put("/approvals/delegation")
async def set_delegation(body: DelegationSet, actor: CurrentActor, rt: Rt) -> DelegationOut:
    """Until `until` (within a year), approval tasks that arrive for me go to `delegate_id`,
    recorded as on my behalf; those already pending stay mine. Replaces an earlier one."""
    async with rt.unit_of_work() as uow:
        found = await actions.do_set_delegation(uow, actor, delegate_id=body.delegate_id,
                                                until=body.until, now=utcnow())
        return _delegation_out(found.delegate_id, found.until, found.created_at)


@router.delete("/approvals/delegation", status_code=204)
async def clear_delegation(actor: CurrentActor, rt: Rt) -> None:
    """Back early: tasks arrive for me again (those my delegate holds stay theirs)."""
    async with rt.unit_of_work() as uow:
        await actions.do_clear_delegation(uow, actor)
