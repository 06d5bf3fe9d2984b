"""The writers of approvals: `check_*` validate, `do_*` write and emit. They never commit.

Other domains start and follow approvals of their subjects with `do_start_flow`,
`do_resubmit` and `do_withdraw`, read them with `queries.instance_for`,
`queries.approver_subjects` and `views.summary_for`, and hear how each ended from the
`core.signals.ApprovalConcluded` signal, in the unit of work of the decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from xietong.approvals import access, queries, views
from xietong.approvals.events import ApprovalChange, ApprovalChanged, to_concerned
from xietong.approvals.models import (
    ApprovalDelegation,
    ApprovalFlow,
    ApprovalInstance,
    ApprovalStatus,
    ApprovalTask,
    StepMode,
    TaskState,
)
from xietong.approvals.schemas import (
    MAX_PEOPLE_PER_STEP,
    REQUESTER_DEPARTMENT,
    Decision,
    FlowUpdate,
    StepSpec,
)
from xietong.audit.actions import AuditAction, do_record
from xietong.core.actor import Actor
from xietong.core.db import table_of
from xietong.core.errors import Conflict, Invalid
from xietong.core.events import Scope
from xietong.core.signals import ApprovalConcluded, FlowUsers
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.policy import approvals as approvals_policy
from xietong.policy import require

TITLE_LENGTH = 200
SUMMARY_LENGTH = 2000
# The longest absence a delegate covers in one go.
LONGEST_DELEGATION = timedelta(days=366)

_DECIDED_AS = {Decision.APPROVE: TaskState.APPROVED, Decision.REJECT: TaskState.REJECTED,
               Decision.RETURN: TaskState.RETURNED}
_CONCLUDED_AS = {Decision.REJECT: ApprovalStatus.REJECTED,
                 Decision.RETURN: ApprovalStatus.RETURNED}
_OPEN = (TaskState.WAITING.value, TaskState.PENDING.value)


async def approvable(uow: UnitOfWork, user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` who may receive an approval task: active people who are not
    guests (`policy.approvals.can_be_approver`)."""
    wanted = await org_queries.active_user_ids(uow, user_ids)
    return wanted - await org_queries.guest_ids(uow, wanted)


# --- flows --------------------------------------------------------------------------------

async def check_flow_approvers(uow: UnitOfWork, steps: Sequence[StepSpec]) -> None:
    """Every person a flow names may approve, and every department it names exists."""
    user_ids = {a.user_id for s in steps for a in s.approvers if a.user_id is not None}
    unfit = user_ids - await approvable(uow, user_ids)
    if unfit:
        raise Invalid("Approvers must be active people of the company (not guests).",
                      code="approval_bad_approver", details={"user_ids": sorted(unfit)})
    department_ids = {a.manager_of for s in steps for a in s.approvers
                      if isinstance(a.manager_of, int)}
    missing = department_ids - await org_queries.department_exists(uow, department_ids)
    if missing:
        raise Invalid("No such department.", code="approval_unknown_department",
                      details={"department_ids": sorted(missing)})


def _stored_steps(steps: Sequence[StepSpec]) -> list[dict[str, object]]:
    return [step.model_dump(mode="json", exclude_none=True) for step in steps]


def flow_target(flow_id: int) -> str:
    return f"approval_flow:{flow_id}"


async def do_create_flow(uow: UnitOfWork, actor: Actor, *, name: str,
                         steps: Sequence[StepSpec], now: datetime) -> ApprovalFlow:
    require(approvals_policy.can_manage_flows(actor),
            "Only administrators define approval flows.")
    flow = await create_flow(uow, name=name, steps=steps, created_by=actor.user_id, now=now)
    await do_record(uow, AuditAction.APPROVAL_FLOW_CREATED, actor_id=actor.user_id,
                    ip=actor.ip, target=flow_target(flow.id),
                    details={"name": flow.name, "steps": flow.steps})
    return flow


async def create_flow(uow: UnitOfWork, *, name: str, steps: Sequence[StepSpec],
                      created_by: int | None, now: datetime) -> ApprovalFlow:
    """A flow made by the console operator (`created_by` None: the demo) or, through
    `do_create_flow`, by an administrator."""
    await check_flow_approvers(uow, steps)
    flow = ApprovalFlow(name=name, steps=_stored_steps(steps), created_by=created_by,
                        created_at=now, updated_at=now)
    uow.session.add(flow)
    await uow.flush()
    return flow


async def do_update_flow(uow: UnitOfWork, actor: Actor, flow: ApprovalFlow,
                         changes: FlowUpdate, now: datetime) -> ApprovalFlow:
    """Rename, give new steps (approvals under way keep the steps they started with),
    archive (no new approvals start on it; those under way go on) or bring back. What
    changed is audited; a change to nothing changes and audits nothing."""
    require(approvals_policy.can_manage_flows(actor),
            "Only administrators change approval flows.")
    changed: dict[str, dict[str, object]] = {}
    if changes.name is not None and changes.name != flow.name:
        changed["name"] = {"from": flow.name, "to": changes.name}
        flow.name = changes.name
    if changes.steps is not None:
        await check_flow_approvers(uow, changes.steps)
        steps = _stored_steps(changes.steps)
        if steps != flow.steps:
            changed["steps"] = {"from": flow.steps, "to": steps}
            flow.steps = steps
    if changes.archived is not None and changes.archived != (flow.archived_at is not None):
        if changes.archived:
            await _refuse_if_in_use(uow, flow)
        changed["archived"] = {"from": not changes.archived, "to": changes.archived}
        flow.archived_at = now if changes.archived else None
    if not changed:
        return flow
    flow.updated_at = now
    await uow.flush()
    await do_record(uow, AuditAction.APPROVAL_FLOW_UPDATED, actor_id=actor.user_id,
                    ip=actor.ip, target=flow_target(flow.id),
                    details={"name": flow.name, "changed": changed})
    return flow


async def _refuse_if_in_use(uow: UnitOfWork, flow: ApprovalFlow) -> None:
    """Archiving a flow that active definitions (request types) still name would leave them
    unable to start their approvals: they are changed or archived first."""
    answers: list[list[str] | None] = await uow.signal(FlowUsers(flow.id))
    users = sorted(name for answer in answers for name in answer or [])
    if users:
        raise Conflict(f"The flow is in use by {', '.join(users)}; change or archive those "
                       "first.", code="approval_flow_in_use", details={"used_by": users})


# --- who approves -------------------------------------------------------------------------

async def _resolve(uow: UnitOfWork, steps: Sequence[dict[str, object]], *, requester_id: int,
                   requester_department_id: int | None) -> list[list[int]]:
    """The people of each step, in the order the flow names them, each once.

    `manager_of: requester_department` is the managers of the requester's department, or
    of the nearest department above it that has one. Nobody approves their own subject:
    the requester is never among the approvers (so a manager asking is approved by the
    manager above), and neither is anyone who is deactivated or a guest. A step left with
    nobody is refused, never skipped: the subject's domain says so to its requester."""
    specs = [StepSpec.model_validate(step) for step in steps]
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    managers = await org_queries.managers_of(uow)
    named = {a.user_id for s in specs for a in s.approvers if a.user_id is not None}
    fit = await approvable(uow, named.union(*managers.values())) - {requester_id}

    def managers_of(department_id: int) -> list[int]:
        return [m for m in managers.get(department_id, []) if m in fit]

    resolved = []
    for number, spec in enumerate(specs, start=1):
        people: list[int] = []
        for approver in spec.approvers:
            if approver.user_id is not None:
                found = [approver.user_id] if approver.user_id in fit else []
            elif approver.manager_of == REQUESTER_DEPARTMENT:
                chain = (org_queries.ancestors_and_self(parents, requester_department_id)
                         if requester_department_id is not None
                         and requester_department_id in parents else [])
                found = next((m for m in map(managers_of, chain) if m), [])
            else:
                assert isinstance(approver.manager_of, int)
                found = managers_of(approver.manager_of)
            people.extend(p for p in found if p not in people)
        if not people:
            raise Invalid(f"Step {number} of the approval flow has nobody to approve it "
                          "(no active manager or approver other than the requester).",
                          code="approval_no_approver", details={"step": number})
        resolved.append(people)
    return resolved


def _new_round(uow: UnitOfWork, instance: ApprovalInstance, people: list[list[int]],
               now: datetime) -> list[ApprovalTask]:
    """The tasks of every step of the instance's current round, waiting for their step."""
    tasks = [ApprovalTask(instance_id=instance.id, round=instance.round, step=number,
                          assignee_id=person, state=TaskState.WAITING.value, created_at=now)
             for number, step_people in enumerate(people, start=1) for person in step_people]
    uow.session.add_all(tasks)
    return tasks


async def _arrive(uow: UnitOfWork, instance: ApprovalInstance, arriving: Sequence[ApprovalTask],
                  now: datetime) -> None:
    """Their step is reached: the tasks become pending, each with its approver, or with
    the delegate of an approver away now (recorded as on their behalf). A delegate who can
    no longer approve (deactivated, a guest, the requester) is passed over."""
    delegates = await queries.delegates_at(uow, [t.assignee_id for t in arriving], now)
    fit = await approvable(uow, delegates.values()) - {instance.requester_id}
    for task in arriving:
        delegate = delegates.get(task.assignee_id)
        if delegate is not None and delegate in fit:
            task.on_behalf_of_id, task.assignee_id = task.assignee_id, delegate
        task.state = TaskState.PENDING.value
        task.arrived_at = now


def _step_tasks(instance: ApprovalInstance, tasks: Iterable[ApprovalTask],
                step: int) -> list[ApprovalTask]:
    return [t for t in tasks if t.round == instance.round and t.step == step]


def _close_open(tasks: Iterable[ApprovalTask], now: datetime) -> None:
    for task in tasks:
        if task.state in _OPEN:
            task.state = TaskState.NOT_NEEDED.value
            task.decided_at = now


async def _emit(uow: UnitOfWork, instance: ApprovalInstance, tasks: Sequence[ApprovalTask],
                change: ApprovalChange, *, actor_id: int | None,
                task_id: int | None = None) -> None:
    approval = await views.one_approval_out(uow, instance, tasks)
    uow.emit(ApprovalChanged(approval=approval, change=change, actor_id=actor_id,
                             task_id=task_id),
             to_concerned(instance, tasks))


# --- an approval's life -------------------------------------------------------------------

async def do_start_flow(uow: UnitOfWork, *, flow_id: int, subject: Scope, title: str,
                        requester_id: int, requester_department_id: int | None,
                        now: datetime, summary: str = "") -> ApprovalInstance:
    """Start the approval of `subject` (`Scope("request", 12)`) by flow `flow_id`, for
    `requester_id` (whose department `manager_of: requester_department` is about). `title`
    and `summary` are what approvers see (cut to 200 and 2,000 characters). Step 1's
    tasks arrive at once. Refuses an unknown flow (422 `approval_unknown_flow`), an
    archived one (409 `approval_flow_archived`), a subject that has an approval already
    (409 `approval_already_started`) and a step with nobody to approve it (422
    `approval_no_approver`, details `{step}`); the caller's unit of work then rolls back."""
    flow = await queries.flow(uow, flow_id)
    if flow is None:
        raise Invalid("No such approval flow.", code="approval_unknown_flow",
                      details={"flow_id": flow_id})
    if flow.archived_at is not None:
        raise Conflict("That approval flow is archived: it starts no new approvals.",
                       code="approval_flow_archived")
    if await queries.instance_for(uow, subject) is not None:
        raise Conflict("This already has an approval.", code="approval_already_started")
    people = await _resolve(uow, flow.steps, requester_id=requester_id,
                            requester_department_id=requester_department_id)
    instance = ApprovalInstance(
        flow_id=flow.id, subject_kind=subject.kind, subject_id=subject.id,
        title=title[:TITLE_LENGTH], summary=summary[:SUMMARY_LENGTH], requester_id=requester_id,
        requester_department_id=requester_department_id, steps=list(flow.steps),
        status=ApprovalStatus.PENDING.value, round=1, current_step=1, created_at=now,
        updated_at=now)
    uow.session.add(instance)
    await uow.flush()  # a second start racing this one meets the unique key: a 409
    tasks = _new_round(uow, instance, people, now)
    await _arrive(uow, instance, _step_tasks(instance, tasks, 1), now)
    await uow.flush()
    await _emit(uow, instance, tasks, ApprovalChange.STARTED, actor_id=requester_id)
    return instance


def check_decision(decision: Decision, comment: str | None) -> None:
    """Rejecting says why, returning says what to change: the requester reads it."""
    if decision is not Decision.APPROVE and comment is None:
        raise Invalid("Say why you reject it or what to change: a comment is required.",
                      code="approval_comment_required")


def _check_pending(task: ApprovalTask) -> None:
    """The task's step is the current one and the task is not decided yet."""
    if task.state == TaskState.WAITING:
        raise Conflict("This step has not been reached yet.", code="approval_step_not_reached")
    if task.state == TaskState.NOT_NEEDED:
        raise Conflict("This task is closed: its step or its approval ended without it.",
                       code="approval_task_closed")
    if task.state != TaskState.PENDING:
        raise Conflict("You have decided this task already.", code="approval_already_decided")


def _step_complete(mode: StepMode, step: Sequence[ApprovalTask]) -> bool:
    """`one` and `any` (或签): an approval completes the step; `all` (会签): every one."""
    if mode is StepMode.ALL:
        return all(t.state == TaskState.APPROVED for t in step)
    return any(t.state == TaskState.APPROVED for t in step)


async def _conclude(uow: UnitOfWork, instance: ApprovalInstance, tasks: Sequence[ApprovalTask],
                    status: ApprovalStatus, now: datetime, *, signal: bool = True) -> None:
    _close_open((t for t in tasks if t.round == instance.round), now)
    instance.status = status.value
    instance.concluded_at = now
    if signal:
        await uow.signal(ApprovalConcluded(views.subject_of(instance), status.value,
                                           instance.id))


async def do_decide(uow: UnitOfWork, actor: Actor, *, task_id: int, decision: Decision,
                    comment: str | None, now: datetime) -> access.HeldTask:
    """The actor decides their task. Approving completes it, and its step by the step's
    mode (the other approvers of a completed `one`/`any` step are closed as not needed),
    and the flow when the step was the last; the next step's tasks arrive otherwise.
    Rejecting or returning (each with a comment) ends the flow. Every decision keeps who, when
    and the comment. Holds the instance's lock, so of two decisions at once exactly one
    acts on a task; the other meets its outcome (409)."""
    check_decision(decision, comment)
    held = await access.access_task_for_change(uow, actor, task_id)
    task, instance, tasks = held.task, held.instance, held.tasks
    _check_pending(task)
    task.state = _DECIDED_AS[decision].value
    task.comment = comment
    task.decided_at = now
    if decision is not Decision.APPROVE:
        await _conclude(uow, instance, tasks, _CONCLUDED_AS[decision], now)
    else:
        step = _step_tasks(instance, tasks, task.step)
        if _step_complete(StepMode(instance.steps[task.step - 1]["mode"]), step):
            _close_open(step, now)
            if task.step == len(instance.steps):
                await _conclude(uow, instance, tasks, ApprovalStatus.APPROVED, now)
            else:
                instance.current_step = task.step + 1
                await _arrive(uow, instance, _step_tasks(instance, tasks, task.step + 1), now)
    instance.updated_at = now
    await uow.flush()
    await _emit(uow, instance, tasks, ApprovalChange.DECIDED, actor_id=actor.user_id,
                task_id=task.id)
    return held


async def do_add_approver(uow: UnitOfWork, actor: Actor, *, task_id: int, user_id: int,
                          note: str | None, now: datetime) -> access.HeldTask:
    """加签: the holder of a pending task adds `user_id` to its step. In an `all` step they
    must approve too; in `one` and `any` they are one more who may. Their task arrives at
    once (to their delegate, if they are away)."""
    held = await access.access_task_for_change(uow, actor, task_id)
    task, instance = held.task, held.instance
    _check_pending(task)
    if user_id == instance.requester_id:
        raise Invalid("The requester cannot approve their own request.",
                      code="approval_requester_cannot_approve")
    if user_id not in await approvable(uow, [user_id]):
        raise Invalid("Approvers must be active people of the company (not guests).",
                      code="approval_bad_approver", details={"user_ids": [user_id]})
    step = _step_tasks(instance, held.tasks, task.step)
    if any(user_id in (t.assignee_id, t.on_behalf_of_id)
           and t.state in (TaskState.PENDING, TaskState.APPROVED) for t in step):
        raise Conflict("That person already approves this step.",
                       code="approval_already_approver")
    if len(step) >= MAX_PEOPLE_PER_STEP:
        raise Invalid(f"A step has at most {MAX_PEOPLE_PER_STEP} approvers.",
                      code="approval_step_full")
    added = ApprovalTask(instance_id=instance.id, round=instance.round, step=task.step,
                         assignee_id=user_id, added_by_id=actor.user_id, note=note,
                         state=TaskState.WAITING.value, created_at=now)
    uow.session.add(added)
    await _arrive(uow, instance, [added], now)
    instance.updated_at = now
    await uow.flush()
    held.tasks.append(added)
    await _emit(uow, instance, held.tasks, ApprovalChange.APPROVER_ADDED, actor_id=actor.user_id,
          task_id=added.id)
    return held


async def _locked(uow: UnitOfWork, instance: ApprovalInstance
                  ) -> tuple[ApprovalInstance, list[ApprovalTask]]:
    locked = await queries.locked_instance(uow, instance.id)
    assert locked is not None, "an approval is never deleted"
    return locked, (await queries.tasks_of(uow, [locked.id], fresh=True))[locked.id]


async def do_resubmit(uow: UnitOfWork, instance: ApprovalInstance, now: datetime, *,
                      title: str | None = None, summary: str | None = None) -> ApprovalInstance:
    """Resubmit a returned approval (its subject's owner changed it): a new round starts
    at step 1 with the approvers resolved again, the earlier rounds' decisions kept as
    history. `title`/`summary`: new snapshots, if the subject changed. The caller checks
    who may; refuses an approval that is not returned (409 `approval_not_returned`) and a
    step with nobody to approve it now (422 `approval_no_approver`)."""
    instance, tasks = await _locked(uow, instance)
    if instance.status != ApprovalStatus.RETURNED:
        raise Conflict("Only an approval sent back for changes can be resubmitted.",
                       code="approval_not_returned")
    people = await _resolve(uow, instance.steps, requester_id=instance.requester_id,
                            requester_department_id=instance.requester_department_id)
    instance.round += 1
    instance.status = ApprovalStatus.PENDING.value
    instance.current_step = 1
    instance.concluded_at = None
    instance.updated_at = now
    if title is not None:
        instance.title = title[:TITLE_LENGTH]
    if summary is not None:
        instance.summary = summary[:SUMMARY_LENGTH]
    fresh = _new_round(uow, instance, people, now)
    await _arrive(uow, instance, _step_tasks(instance, fresh, 1), now)
    await uow.flush()
    await _emit(uow, instance, [*tasks, *fresh], ApprovalChange.RESUBMITTED,
          actor_id=instance.requester_id)
    return instance


async def do_withdraw(uow: UnitOfWork, instance: ApprovalInstance, now: datetime
                      ) -> ApprovalInstance:
    """The subject was taken back (a request withdrawn): a pending or returned approval
    ends as withdrawn and its open tasks close. The caller checks who may and needs no
    signal (it did this); refuses one already approved or rejected (409
    `approval_concluded`)."""
    instance, tasks = await _locked(uow, instance)
    if instance.status not in (ApprovalStatus.PENDING, ApprovalStatus.RETURNED):
        raise Conflict("This approval has ended already.", code="approval_concluded")
    await _conclude(uow, instance, tasks, ApprovalStatus.WITHDRAWN, now, signal=False)
    instance.updated_at = now
    await uow.flush()
    await _emit(uow, instance, tasks, ApprovalChange.WITHDRAWN, actor_id=instance.requester_id)
    return instance


# --- delegates ----------------------------------------------------------------------------

async def do_set_delegation(uow: UnitOfWork, actor: Actor, *, delegate_id: int,
                            until: datetime, now: datetime) -> ApprovalDelegation:
    """From now until `until`, tasks that arrive for the actor go to `delegate_id` (tasks
    already pending stay theirs). Replaces an earlier delegation. One step only: a
    delegate's own delegate is not asked, so two people covering for each other is fine."""
    require(approvals_policy.can_delegate(actor), "Guests have no approvals to delegate.")
    if delegate_id == actor.user_id:
        raise Invalid("Choose someone else as your delegate.", code="approval_delegate_self")
    if not now < until <= now + LONGEST_DELEGATION:
        raise Invalid("The end of the absence must be ahead, and within a year.",
                      code="approval_bad_until")
    if delegate_id not in await approvable(uow, [delegate_id]):
        raise Invalid("A delegate must be an active person of the company (not a guest).",
                      code="approval_bad_delegate", details={"delegate_id": delegate_id})
    # One statement: two settings at once neither collide nor mix (the later one wins).
    await uow.upsert(table_of(ApprovalDelegation),
                     {"user_id": actor.user_id, "delegate_id": delegate_id, "until": until,
                      "created_at": now}, key=("user_id",))
    delegation = await uow.session.get(ApprovalDelegation, actor.user_id, populate_existing=True)
    assert delegation is not None
    return delegation


async def do_clear_delegation(uow: UnitOfWork, actor: Actor) -> None:
    """Back before the end of the absence: tasks arrive for the actor again."""
    delegation = await queries.delegation_of(uow, actor.user_id)
    if delegation is not None:
        await uow.session.delete(delegation)
        await uow.flush()
