"""Fetch a flow or a task *and* check the actor may use it, or raise.

A task is only ever its assignee's: anyone else's is reported missing (404), so task ids
reveal nothing about what others approve.
"""

from __future__ import annotations

from dataclasses import dataclass

from xietong.approvals import queries
from xietong.approvals.models import ApprovalFlow, ApprovalInstance, ApprovalTask
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.policy import approvals as approvals_policy
from xietong.policy import require


async def access_flow(uow: UnitOfWork, actor: Actor, flow_id: int) -> ApprovalFlow:
    require(approvals_policy.can_read_flows(actor), "Guests do not see approval flows.")
    flow = await queries.flow(uow, flow_id)
    if flow is None:
        raise NotFound("No such approval flow.")
    return flow


@dataclass(frozen=True, slots=True)
class HeldTask:
    """A task of the actor's, with its instance locked and every task of it read afresh."""

    task: ApprovalTask
    instance: ApprovalInstance
    tasks: list[ApprovalTask]


async def access_task_for_change(uow: UnitOfWork, actor: Actor, task_id: int) -> HeldTask:
    """The actor's task `task_id`, for a decision or a co-approver: call in a unit of work,
    which then holds the instance's lock (`queries.locked_instance`) until it commits."""
    instance_id = await queries.instance_id_of_task(uow, task_id)
    instance = None if instance_id is None else await queries.locked_instance(uow, instance_id)
    if instance is None:
        raise NotFound("No such approval task.")
    tasks = (await queries.tasks_of(uow, [instance.id], fresh=True))[instance.id]
    task = next(t for t in tasks if t.id == task_id)
    if not approvals_policy.holds_task(actor, task):
        raise NotFound("No such approval task.")
    return HeldTask(task, instance, tasks)
