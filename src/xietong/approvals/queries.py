"""Read paths of approvals: flows, instances and their tasks, the inbox boxes, delegates.
No writes (the one lock, `locked_instance`, is taken for the caller's writes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from xietong.approvals.models import (
    ApprovalDelegation,
    ApprovalFlow,
    ApprovalInstance,
    ApprovalTask,
    TaskState,
)
from xietong.core.events import Scope
from xietong.core.uow import UnitOfWork

DECIDED = (TaskState.APPROVED.value, TaskState.REJECTED.value, TaskState.RETURNED.value)

# Where a box's page ends: the (time, id) of its last item.
Position = tuple[datetime, int]


async def flow(uow: UnitOfWork, flow_id: int) -> ApprovalFlow | None:
    return await uow.session.get(ApprovalFlow, flow_id)


async def flow_names(uow: UnitOfWork, flow_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(flow_ids)
    if not wanted:
        return {}
    rows = await uow.session.execute(
        select(ApprovalFlow.id, ApprovalFlow.name).where(ApprovalFlow.id.in_(wanted)))
    return {flow_id: name for flow_id, name in rows}


async def flows_page(uow: UnitOfWork, *, include_archived: bool, before_id: int | None,
                     limit: int) -> Sequence[ApprovalFlow]:
    """Flows, newest first."""
    statement = select(ApprovalFlow)
    if not include_archived:
        statement = statement.where(ApprovalFlow.archived_at.is_(None))
    if before_id is not None:
        statement = statement.where(ApprovalFlow.id < before_id)
    return (await uow.session.scalars(statement.order_by(ApprovalFlow.id.desc())
                                      .limit(limit))).all()


async def instance_for(uow: UnitOfWork, subject: Scope) -> ApprovalInstance | None:
    """The approval of `subject` (`request:12`), if one was ever started."""
    return await uow.session.scalar(select(ApprovalInstance).where(
        ApprovalInstance.subject_kind == subject.kind,
        ApprovalInstance.subject_id == subject.id))


async def instances_for(uow: UnitOfWork, kind: str, subject_ids: Iterable[int]
                        ) -> Sequence[ApprovalInstance]:
    """The approvals of the subjects of `kind` among `subject_ids` that have one."""
    wanted = set(subject_ids)
    if not wanted:
        return []
    return (await uow.session.scalars(select(ApprovalInstance).where(
        ApprovalInstance.subject_kind == kind, ApprovalInstance.subject_id.in_(wanted)))).all()


async def locked_instance(uow: UnitOfWork, instance_id: int) -> ApprovalInstance | None:
    """The instance, read afresh under a row lock held until the commit (on SQLite the
    writer's transaction already excludes every other writer): every change of an
    instance and its tasks takes it first, so concurrent decisions run one after another
    and each sees what the one before it did."""
    return await uow.session.scalar(
        select(ApprovalInstance).where(ApprovalInstance.id == instance_id)
        .with_for_update().execution_options(populate_existing=True))


async def instances_by_id(uow: UnitOfWork, instance_ids: Iterable[int]
                          ) -> dict[int, ApprovalInstance]:
    wanted = set(instance_ids)
    if not wanted:
        return {}
    rows = await uow.session.scalars(
        select(ApprovalInstance).where(ApprovalInstance.id.in_(wanted)))
    return {row.id: row for row in rows}


async def tasks_of(uow: UnitOfWork, instance_ids: Iterable[int], *, fresh: bool = False
                   ) -> dict[int, list[ApprovalTask]]:
    """Every task of each instance (all rounds), by round, step and id. `fresh`: read
    again what the session already holds (after taking the instance's lock)."""
    wanted = set(instance_ids)
    found: dict[int, list[ApprovalTask]] = defaultdict(list)
    if not wanted:
        return found
    statement = (select(ApprovalTask).where(ApprovalTask.instance_id.in_(wanted))
                 .order_by(ApprovalTask.round, ApprovalTask.step, ApprovalTask.id))
    if fresh:
        statement = statement.execution_options(populate_existing=True)
    for task in await uow.session.scalars(statement):
        found[task.instance_id].append(task)
    return found


async def instance_id_of_task(uow: UnitOfWork, task_id: int) -> int | None:
    return await uow.session.scalar(
        select(ApprovalTask.instance_id).where(ApprovalTask.id == task_id))


async def todo(uow: UnitOfWork, user_id: int, *, after: Position | None,
               limit: int) -> Sequence[ApprovalTask]:
    """待我审批: the person's tasks whose step is under way, newest arrival first."""
    statement = select(ApprovalTask).where(ApprovalTask.assignee_id == user_id,
                                           ApprovalTask.state == TaskState.PENDING.value)
    return await _page(uow, statement, ApprovalTask.arrived_at, after, limit)


async def todo_count(uow: UnitOfWork, user_id: int) -> int:
    """How many tasks wait for the person's decision (on the index of `todo`)."""
    count = await uow.session.scalar(
        select(func.count()).select_from(ApprovalTask)
        .where(ApprovalTask.assignee_id == user_id,
               ApprovalTask.state == TaskState.PENDING.value))
    return count or 0


async def done(uow: UnitOfWork, user_id: int, *, after: Position | None,
               limit: int) -> Sequence[ApprovalTask]:
    """我已审批: the tasks the person decided, newest decision first."""
    statement = select(ApprovalTask).where(ApprovalTask.assignee_id == user_id,
                                           ApprovalTask.state.in_(DECIDED))
    return await _page(uow, statement, ApprovalTask.decided_at, after, limit)


async def _page(uow: UnitOfWork, statement: Select[ApprovalTask],
                column: InstrumentedAttribute[datetime | None], after: Position | None,
                limit: int) -> Sequence[ApprovalTask]:
    if after is not None:
        moment, task_id = after
        statement = statement.where(or_(column < moment,
                                        and_(column == moment, ApprovalTask.id < task_id)))
    return (await uow.session.scalars(
        statement.order_by(column.desc(), ApprovalTask.id.desc()).limit(limit))).all()


async def started_by(uow: UnitOfWork, user_id: int, *, before_id: int | None,
                     limit: int) -> Sequence[ApprovalInstance]:
    """我发起的: the approvals the person started, newest first."""
    statement = select(ApprovalInstance).where(ApprovalInstance.requester_id == user_id)
    if before_id is not None:
        statement = statement.where(ApprovalInstance.id < before_id)
    return (await uow.session.scalars(
        statement.order_by(ApprovalInstance.id.desc()).limit(limit))).all()


def subjects_approved_by(user_id: int, kind: str) -> Select[int]:
    """SQL: the ids of the subjects of `kind` whose approval names the person as an
    approver, in any step and round, decided or not, or named them and went to their
    delegate (an uncorrelated subquery, for `IN`)."""
    return (select(ApprovalInstance.subject_id)
            .join(ApprovalTask, ApprovalTask.instance_id == ApprovalInstance.id)
            .where(ApprovalInstance.subject_kind == kind,
                   or_(ApprovalTask.assignee_id == user_id,
                       ApprovalTask.on_behalf_of_id == user_id))
            .distinct())


async def approver_subjects(uow: UnitOfWork, user_id: int, kind: str) -> set[int]:
    """The subjects of `kind` (request ids) the person approves or approved: what a
    subject's domain lets its approvers see, and nothing more."""
    return set(await uow.session.scalars(subjects_approved_by(user_id, kind)))


async def delegation_of(uow: UnitOfWork, user_id: int) -> ApprovalDelegation | None:
    return await uow.session.get(ApprovalDelegation, user_id)


async def delegates_at(uow: UnitOfWork, user_ids: Iterable[int], now: datetime
                       ) -> dict[int, int]:
    """{person: delegate} for those of `user_ids` who are away at `now`."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await uow.session.execute(
        select(ApprovalDelegation.user_id, ApprovalDelegation.delegate_id)
        .where(ApprovalDelegation.user_id.in_(wanted), ApprovalDelegation.until > now))
    return {user_id: delegate_id for user_id, delegate_id in rows}
