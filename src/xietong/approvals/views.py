"""Turning approval rows into API shapes, batching the lookups a page needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xietong.approvals import queries
from xietong.approvals.models import (
    ApprovalFlow,
    ApprovalInstance,
    ApprovalStatus,
    ApprovalTask,
    StepMode,
    TaskState,
)
from xietong.approvals.schemas import (
    ApprovalOut,
    ApprovalSummary,
    ApprovalTaskOut,
    FlowOut,
    StepOut,
    StepSpec,
    StepState,
)
from xietong.core.events import Scope
from xietong.core.signals import SubjectReferences
from xietong.core.uow import UnitOfWork

# The state of the step where the flow stands, by the flow's status.
_CURRENT_STEP_STATE = {
    ApprovalStatus.PENDING: StepState.PENDING,
    ApprovalStatus.APPROVED: StepState.APPROVED,
    ApprovalStatus.REJECTED: StepState.REJECTED,
    ApprovalStatus.RETURNED: StepState.RETURNED,
    ApprovalStatus.WITHDRAWN: StepState.SKIPPED,
}


def flow_out(flow: ApprovalFlow) -> FlowOut:
    return FlowOut(id=flow.id, name=flow.name,
                   steps=[StepSpec.model_validate(step) for step in flow.steps],
                   archived=flow.archived_at is not None, created_by=flow.created_by,
                   created_at=flow.created_at, updated_at=flow.updated_at)


def task_out(task: ApprovalTask) -> ApprovalTaskOut:
    return ApprovalTaskOut(id=task.id, step=task.step, round=task.round, user_id=task.assignee_id,
                   on_behalf_of=task.on_behalf_of_id, added_by=task.added_by_id, note=task.note,
                   state=TaskState(task.state), comment=task.comment, arrived_at=task.arrived_at,
                   decided_at=task.decided_at)


def subject_of(instance: ApprovalInstance) -> Scope:
    return Scope(instance.subject_kind, instance.subject_id)


def _step_state(instance: ApprovalInstance, number: int) -> StepState:
    status = ApprovalStatus(instance.status)
    if number < instance.current_step:
        return StepState.APPROVED
    if number > instance.current_step:
        return StepState.WAITING if status is ApprovalStatus.PENDING else StepState.SKIPPED
    return _CURRENT_STEP_STATE[status]


def steps_out(instance: ApprovalInstance, tasks: Iterable[ApprovalTask]) -> list[StepOut]:
    """The steps of the current round, each with its approvers."""
    by_step: dict[int, list[ApprovalTaskOut]] = defaultdict(list)
    for task in tasks:
        if task.round == instance.round:
            by_step[task.step].append(task_out(task))
    return [StepOut(number=number, mode=StepMode(step["mode"]),
                    state=_step_state(instance, number), approvers=by_step[number])
            for number, step in enumerate(instance.steps, start=1)]


def summary_out(instance: ApprovalInstance, tasks: Sequence[ApprovalTask]) -> ApprovalSummary:
    return ApprovalSummary(id=instance.id, status=ApprovalStatus(instance.status),
                           round=instance.round, current_step=instance.current_step,
                           steps=steps_out(instance, tasks))


@dataclass(frozen=True, slots=True)
class Names:
    """What an approval's shape names beyond its own rows: its flow's name (`{flow_id:
    name}`) and how people quote its subject (`{(kind, subject_id): "REQ-00042"}`)."""

    flows: dict[int, str]
    references: dict[tuple[str, int], str]


async def names_of(uow: UnitOfWork, instances: Iterable[ApprovalInstance]) -> Names:
    """The names of the flows of `instances` (one query) and their subjects' references,
    asked of the subjects' domains (`SubjectReferences`, once per kind)."""
    listed = list(instances)
    by_kind: dict[str, set[int]] = defaultdict(set)
    for instance in listed:
        by_kind[instance.subject_kind].add(instance.subject_id)
    references: dict[tuple[str, int], str] = {}
    for kind, subject_ids in by_kind.items():
        answers: list[dict[int, str] | None] = await uow.signal(
            SubjectReferences(kind, frozenset(subject_ids)))
        for answer in answers:
            references.update({(kind, i): text for i, text in (answer or {}).items()})
    return Names(await queries.flow_names(uow, {i.flow_id for i in listed}), references)


def approval_out(instance: ApprovalInstance, tasks: Sequence[ApprovalTask],
                 names: Names) -> ApprovalOut:
    """`tasks`: every task of the instance (all rounds); `names`: from `names_of`."""
    return ApprovalOut(
        **summary_out(instance, tasks).model_dump(), subject=str(subject_of(instance)),
        subject_kind=instance.subject_kind, subject_id=instance.subject_id,
        reference=names.references.get((instance.subject_kind, instance.subject_id)),
        flow_id=instance.flow_id, flow_name=names.flows.get(instance.flow_id, ""),
        title=instance.title, summary=instance.summary, requester_id=instance.requester_id,
        requester_department_id=instance.requester_department_id,
        history=[task_out(t) for t in tasks
                 if t.round < instance.round and t.state != TaskState.NOT_NEEDED],
        created_at=instance.created_at, updated_at=instance.updated_at,
        concluded_at=instance.concluded_at)


async def one_approval_out(uow: UnitOfWork, instance: ApprovalInstance,
                           tasks: Sequence[ApprovalTask]) -> ApprovalOut:
    """`approval_out` of one instance whose tasks are read already (a decision's)."""
    return approval_out(instance, tasks, await names_of(uow, [instance]))


async def approvals_out(uow: UnitOfWork, instances: Sequence[ApprovalInstance]
                        ) -> dict[int, ApprovalOut]:
    """Each instance's shape by id, with the tasks of all of them read in one query and
    their flows' names in another."""
    tasks = await queries.tasks_of(uow, [i.id for i in instances])
    names = await names_of(uow, instances)
    return {i.id: approval_out(i, tasks.get(i.id, []), names) for i in instances}


async def summary_for(uow: UnitOfWork, subject: Scope) -> ApprovalSummary | None:
    """What a subject's reply embeds as its `approval` (None: it has none)."""
    return (await summaries_for(uow, subject.kind, [subject.id])).get(subject.id)


async def summaries_for(uow: UnitOfWork, kind: str, subject_ids: Iterable[int]
                        ) -> dict[int, ApprovalSummary]:
    """`summary_for` of many subjects of one kind (a page of requests), in two queries."""
    instances = await queries.instances_for(uow, kind, subject_ids)
    tasks = await queries.tasks_of(uow, [i.id for i in instances])
    return {i.subject_id: summary_out(i, tasks.get(i.id, [])) for i in instances}
