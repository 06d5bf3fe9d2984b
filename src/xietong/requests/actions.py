"""Changes to requests and request types: check_* validate, do_* write, record the step
in the request's timeline and emit it. They never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete

from xietong.approvals import queries as approval_queries
from xietong.approvals.actions import do_resubmit, do_start_flow, do_withdraw
from xietong.approvals.models import ApprovalStatus
from xietong.audit.actions import AuditAction, do_record
from xietong.chat.access import access_message
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, Invalid, NotFound
from xietong.core.events import Scope
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.policy import requests as requests_policy
from xietong.policy import require
from xietong.policy.requests import Action
from xietong.requests import forms, queries, sla, timers, workflow
from xietong.requests.access import RequestAccess, require_type_manager
from xietong.requests.events import REQUEST, audience_of
from xietong.requests.models import (
    FINAL,
    Assignment,
    EntryKind,
    Request,
    RequestFile,
    RequestType,
    RequestWatcher,
    Status,
)
from xietong.requests.schemas import (
    FieldSpec,
    RequestCreate,
    RequestTypeCreate,
    RequestTypeUpdate,
)
from xietong.requests.searching import do_index_request
from xietong.requests.steps import Step, record_step, record_steps


@dataclass(frozen=True, slots=True)
class _Clocks:
    response_hours: float
    resolution_hours: float
    warn_at_share: float
    escalate_after_hours: float


# A request filed without a type (free text to a department) is answered within a working
# day and resolved within a working week.
UNTYPED = _Clocks(8.0, 40.0, 0.8, 4.0)


# --- request types ------------------------------------------------------------------------

async def do_create_type(uow: UnitOfWork, actor: Actor, body: RequestTypeCreate) -> RequestType:
    if not await org_queries.department_exists(uow, [body.department_id]):
        raise Invalid("No such department.", code="unknown_department",
                      details={"field": "department_id"})
    await require_type_manager(uow, actor, body.department_id)
    await _check_flow(uow, body.approval_flow_id)
    created = RequestType(
        department_id=body.department_id, name=body.name, description=body.description,
        fields=[spec.model_dump(mode="json") for spec in body.fields],
        response_sla_hours=body.response_sla_hours,
        resolution_sla_hours=body.resolution_sla_hours, assignment=body.assignment.value,
        warn_at_share=body.warn_at_share, escalate_after_hours=body.escalate_after_hours,
        approval_flow_id=body.approval_flow_id, created_by=actor.user_id)
    uow.session.add(created)
    await _flush_type(uow, body.name)
    await do_record(uow, AuditAction.REQUEST_TYPE_CREATED, actor_id=actor.user_id, ip=actor.ip,
                    target=type_target(created.id), details={
                        "name": created.name, "department_id": created.department_id,
                        "fields": [spec.key for spec in body.fields],
                        **{name: getattr(created, name) for name in _AUDITED_SETTINGS
                           if name not in ("name", "description", "archived")}})
    return created


async def do_update_type(uow: UnitOfWork, actor: Actor, request_type: RequestType,
                         change: RequestTypeUpdate) -> RequestType:
    """Change what is given; audit what changed (a change to nothing audits nothing)."""
    await require_type_manager(uow, actor, request_type.department_id)
    given = change.model_dump(exclude_unset=True)
    if "approval_flow_id" in given and given["approval_flow_id"] is not None \
            and given["approval_flow_id"] != request_type.approval_flow_id:
        # null takes the flow away; the flow it has already may stay even if archived since.
        await _check_flow(uow, given["approval_flow_id"])
    if None in (value for name, value in given.items() if name != "approval_flow_id"):
        raise Invalid("A setting cannot be set to null; leave it out to keep it.",
                      code="null_setting")
    response = given.get("response_sla_hours", request_type.response_sla_hours)
    resolution = given.get("resolution_sla_hours", request_type.resolution_sla_hours)
    if resolution < response:
        raise Invalid("The resolution SLA cannot be shorter than the response SLA.",
                      code="sla_order", details={"field": "resolution_sla_hours"})
    changed: dict[str, Any] = {}
    for name, value in given.items():
        if name == "fields":
            value = [FieldSpec.model_validate(spec).model_dump(mode="json") for spec in value]
            form_change = _form_change(request_type.fields, value)
            if form_change:
                changed[name] = form_change
        elif name == "assignment":
            value = Assignment(value).value
        if name != "fields" and getattr(request_type, name) != value:
            changed[name] = {"from": _shown(getattr(request_type, name)), "to": _shown(value)}
        setattr(request_type, name, value)
    await _flush_type(uow, request_type.name)
    if changed:
        await do_record(uow, AuditAction.REQUEST_TYPE_UPDATED, actor_id=actor.user_id,
                        ip=actor.ip, target=type_target(request_type.id),
                        details={"name": request_type.name,
                                 "department_id": request_type.department_id,
                                 "changed": changed})
    return request_type


def type_target(type_id: int) -> str:
    return f"request_type:{type_id}"


# The settings an audit entry of a type names (the form is recorded by its fields' keys).
_AUDITED_SETTINGS = ("name", "description", "response_sla_hours", "resolution_sla_hours",
                     "assignment", "warn_at_share", "escalate_after_hours", "approval_flow_id",
                     "archived")
# A description is recorded by its start: the audit log says it changed, not what it holds.
_SHOWN_TEXT = 200


def _shown(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _SHOWN_TEXT:
        return value[:_SHOWN_TEXT] + "…"
    return value


def _form_change(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]
                 ) -> dict[str, Any]:
    """How a form changed, by its fields' keys: added, removed, changed (label, type,
    required or options) and whether the fields kept are in another order. Empty: no change."""
    old = {spec["key"]: spec for spec in before}
    new = {spec["key"]: spec for spec in after}
    change: dict[str, Any] = {
        "added": [key for key in new if key not in old],
        "removed": [key for key in old if key not in new],
        "changed": [key for key in new if key in old and _spec(new[key]) != _spec(old[key])],
    }
    if [key for key in old if key in new] != [key for key in new if key in old]:
        change["reordered"] = True
    return {name: value for name, value in change.items() if value}


def _spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A stored field as compared: one stored before `options` was written out is the same."""
    return FieldSpec.model_validate(spec).model_dump(mode="json")


async def _check_flow(uow: UnitOfWork, flow_id: int | None) -> None:
    if flow_id is None:
        return
    flow = await approval_queries.flow(uow, flow_id)
    if flow is None or flow.archived_at is not None:
        raise Invalid("No such approval flow.", code="unknown_flow",
                      details={"field": "approval_flow_id"})


async def _flush_type(uow: UnitOfWork, name: str) -> None:
    try:
        await uow.flush()
    except Conflict:
        raise Conflict(f"The department already receives a type named {name!r}.",
                       code="type_name_taken", details={"field": "name"}) from None


# --- filing -------------------------------------------------------------------------------

async def do_file_request(uow: UnitOfWork, actor: Actor, body: RequestCreate, *,
                          calendar: sla.WorkingTime, now: datetime) -> tuple[Request, list[int]]:
    """File a request: of a type (its form checked, its SLA and assignment rule applied) or
    as free text to a department. Returns the request and its watchers."""
    require(requests_policy.can_file_requests(actor),
            "Guests do not file requests with the company's departments.")
    request_type, department_id = await _type_and_department(uow, body)
    fields = [FieldSpec.model_validate(spec) for spec in request_type.fields] \
        if request_type else []
    values = await forms.check_values(uow, fields, body.values, actor.user_id)
    watchers = sorted(set(body.watcher_ids) - {actor.user_id})
    if missing := set(watchers) - await org_queries.active_user_ids(uow, watchers):
        raise Invalid(f"No such person: {min(missing)}.", code="unknown_watcher",
                      details={"user_id": min(missing)})
    description = body.description
    if body.source_message_id is not None:
        quoted = (await access_message(uow, actor, body.source_message_id)).message
        if quoted.deleted_at is not None:
            raise NotFound("No such message.")
        description = description or quoted.text
    clocks = (_Clocks(request_type.response_sla_hours, request_type.resolution_sla_hours,
                      request_type.warn_at_share, request_type.escalate_after_hours)
              if request_type else UNTYPED)
    memberships = await org_queries.memberships_of(uow, [actor.user_id])
    request = Request(
        type_id=request_type.id if request_type else None, department_id=department_id,
        requester_id=actor.user_id,
        requester_department_id=memberships[actor.user_id].primary_department_id,
        title=body.title, description=description, values=values,
        status=Status.NEW.value, source_message_id=body.source_message_id,
        created_at=now, updated_at=now,
        response_sla_hours=clocks.response_hours,
        resolution_sla_hours=clocks.resolution_hours, warn_at_share=clocks.warn_at_share,
        escalate_after_hours=clocks.escalate_after_hours,
        response_due_at=sla.due_at(calendar, now, clocks.response_hours),
        resolution_due_at=sla.due_at(calendar, now, clocks.resolution_hours))
    uow.session.add(request)
    await uow.flush()
    await do_index_request(uow, request)
    if watchers:
        await uow.insert_ignoring_duplicates(
            RequestWatcher, [{"request_id": request.id, "user_id": w} for w in watchers])
    if files := forms.files_of(fields, values):
        await uow.insert_ignoring_duplicates(
            RequestFile, [{"request_id": request.id, "file_id": f} for f in sorted(files)])
    if request_type is not None and request_type.approval_flow_id is not None:
        await do_start_flow(uow, flow_id=request_type.approval_flow_id,
                            subject=Scope(REQUEST, request.id), title=request.title,
                            requester_id=actor.user_id,
                            requester_department_id=request.requester_department_id,
                            now=now, summary=request.description)
    steps = [Step(actor.user_id, EntryKind.FILED, {}, now)]
    rule = Assignment(request_type.assignment) if request_type else Assignment.MANAGER
    if (assignee := await _automatic_assignee(uow, rule, department_id)) is not None:
        request.assignee_id = assignee
        steps.append(Step(None, EntryKind.ASSIGNED,
                          {"from": None, "to": assignee, "rule": rule.value}, now))
    await record_steps(uow, request, steps, watcher_ids=watchers)
    await timers.arm(uow, calendar, request, now, timers.running_clocks(request))
    return request, watchers


async def _type_and_department(uow: UnitOfWork, body: RequestCreate
                               ) -> tuple[RequestType | None, int]:
    if body.type_id is None:
        assert body.department_id is not None  # the body's own check
        if not await org_queries.department_exists(uow, [body.department_id]):
            raise Invalid("No such department.", code="unknown_department")
        return None, body.department_id
    request_type = await queries.get_type(uow, body.type_id)
    if request_type is None or request_type.archived:
        raise Invalid("No such request type.", code="unknown_type")
    if body.department_id is not None and body.department_id != request_type.department_id:
        raise Invalid("The type belongs to another department.", code="type_department")
    return request_type, request_type.department_id


async def assignable_ids(uow: UnitOfWork, department_id: int) -> list[int]:
    """Who may be given a department's requests: its active members and those of the
    departments below it, in id order."""
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    return sorted(await org_queries.active_member_ids_of_departments(
        uow, org_queries.descendants_and_self(parents, department_id)))


async def _automatic_assignee(uow: UnitOfWork, rule: Assignment,
                              department_id: int) -> int | None:
    if rule is Assignment.MANAGER:
        return None
    people = await assignable_ids(uow, department_id)
    if not people:
        return None
    if rule is Assignment.ROUND_ROBIN:
        last = await queries.last_assignee(uow, department_id)
        return next((p for p in people if last is not None and p > last), people[0])
    load = await queries.open_load(uow, people)
    return min(people, key=lambda person: (load[person], person))


# --- working on it ------------------------------------------------------------------------

async def do_transition(uow: UnitOfWork, actor: Actor, found: RequestAccess, action: Action,
                        reason: str | None, *, calendar: sla.WorkingTime,
                        now: datetime) -> Request:
    """Move the request on by `action` (see `workflow`); the clocks stop while it waits
    and go on, with the working time that was left, when it stops waiting."""
    request, standing = found.request, found.standing
    status = _still_open(request)
    # The status first: of two people taking one request at once, the second finds it
    # taken (409), rather than told it is not theirs.
    if not workflow.applies(action, status):
        raise Conflict(f"A request that is {status.value} cannot take {action.value!r}.",
                       code="wrong_status", details={"status": status.value})
    taking = requests_policy.can_take(action, standing, request.assignee_id is None)
    require(requests_policy.can_act(action, standing) or taking,
            f"You may not {action.value} this request.", code="not_yours")
    reason = (reason or "").strip() or None
    if action in workflow.NEED_REASON and reason is None:
        raise Invalid(f"Say why ({action.value}).", code="reason_required")
    to = workflow.target(action, Status(request.status_before_wait)
                         if request.status_before_wait else None)
    were_running = timers.running_clocks(request)
    await _follow_approval(uow, request, action, now)
    if taking:
        request.assignee_id = actor.user_id
    _move(request, to, now, calendar=calendar, responds=action in workflow.RESPONSES)
    if action is Action.REOPEN:
        request.resolved_at = None
    data: dict[str, Any] = {"action": action.value, "from": status.value, "to": to.value}
    if reason:
        data["reason"] = reason
    if taking:
        data["assignee_id"] = actor.user_id
    await record_step(uow, request, None, actor.user_id, EntryKind.TRANSITION, data, now)
    await timers.follow(uow, calendar, request, were_running, now)
    return request


def _move(request: Request, to: Status, now: datetime, *,
          calendar: sla.WorkingTime | None, responds: bool) -> None:
    """Put the request in status `to`, with what comes with it: leaving a wait gives the
    clocks back the working time it took (given a calendar), entering one stops them (and
    notes where to go back to), the first response is timed, resolving and ending are
    dated. `responds`: the move answers the requester."""
    status = Status(request.status)
    if status is Status.WAITING and to is not Status.WAITING and request.paused_at is not None:
        if calendar is not None:
            paused = request.paused_at
            request.response_due_at = sla.after_pause(calendar, request.response_due_at,
                                                      paused, now)
            request.resolution_due_at = sla.after_pause(calendar, request.resolution_due_at,
                                                        paused, now)
        request.paused_at = None
        request.status_before_wait = None
    if to is Status.WAITING and status is not Status.WAITING:
        request.paused_at = now
        request.status_before_wait = status.value
    if responds and request.first_response_at is None:
        request.first_response_at = now
        request.response_breached = now > request.response_due_at
    if to is Status.RESOLVED:
        request.resolved_at = now
        request.resolution_breached = request.resolution_breached or \
            now > request.resolution_due_at
    if to in FINAL:
        request.closed_at = now
    request.status, request.updated_at = to.value, now


async def _follow_approval(uow: UnitOfWork, request: Request, action: Action,
                           now: datetime) -> None:
    """The approval goes with the request: nobody resolves it before its approval does;
    resuming one its approval sent back for changes submits it again (a new round from
    step 1); withdrawing it ends the approval."""
    instance = await approval_queries.instance_for(uow, Scope(REQUEST, request.id))
    if instance is None:
        return
    status = ApprovalStatus(instance.status)
    if action is Action.RESOLVE and status is not ApprovalStatus.APPROVED:
        raise Conflict("The request is resolved by its approval, not before it.",
                       code="approval_pending", details={"approval": status.value})
    if action is Action.RESUME and status is ApprovalStatus.RETURNED:
        await do_resubmit(uow, instance, now, title=request.title,
                          summary=request.description)
    elif action is Action.WITHDRAW and status in (ApprovalStatus.PENDING,
                                                  ApprovalStatus.RETURNED):
        await do_withdraw(uow, instance, now)


async def do_conclude_approval(uow: UnitOfWork, request: Request, outcome: str,
                               now: datetime) -> None:
    """The request's approval ended: approved, the request is resolved (the requester
    confirms); rejected, it is rejected; returned for changes, it waits on its requester
    (who resumes it to submit again). A request no longer open is left as it is."""
    status = Status(request.status)
    if status in FINAL or status is Status.RESOLVED:
        return
    were_running = timers.running_clocks(request)
    to = {"approved": Status.RESOLVED, "rejected": Status.REJECTED,
          "returned": Status.WAITING}[outcome]
    # No calendar here (a signal's handler has none): a request waiting when its approval
    # ends keeps the due times it had (both clocks end with approved and rejected anyway).
    _move(request, to, now, calendar=None, responds=True)
    await record_step(uow, request, None, None, EntryKind.APPROVAL,
                      {"outcome": outcome, "from": status.value, "to": to.value}, now)
    # Every outcome stops the clocks (none starts one): no calendar is needed to arm any.
    await timers.disarm(uow, request, were_running - timers.running_clocks(request))


async def do_assign(uow: UnitOfWork, actor: Actor, found: RequestAccess, assignee_id: int, *,
                    now: datetime) -> Request:
    request = found.request
    status = _still_open(request)
    require(requests_policy.can_assign(found.standing),
            "Only the department's managers or the assignee assign a request.",
            code="not_yours")
    if status is Status.RESOLVED:
        raise Conflict("A resolved request waits for its requester.", code="wrong_status",
                       details={"status": status.value})
    if assignee_id not in await assignable_ids(uow, request.department_id):
        raise Invalid("Only an active member of the receiving department can be assigned.",
                      code="not_in_department")
    if assignee_id == request.assignee_id:
        return request
    previous, request.assignee_id, request.updated_at = request.assignee_id, assignee_id, now
    await record_step(uow, request, None, actor.user_id, EntryKind.ASSIGNED,
                  {"from": previous, "to": assignee_id}, now)
    return request


async def do_transfer(uow: UnitOfWork, actor: Actor, found: RequestAccess, department_id: int,
                      reason: str, *, now: datetime) -> Request:
    """Pass the request to another department, which takes it from its queue: back to new,
    unassigned. The clocks run on: the requester has waited since filing, however many
    departments it passed through (a response still owed stays owed), and the escalation
    now goes to the new department's managers."""
    request = found.request
    status = _still_open(request)
    require(requests_policy.can_transfer(found.standing),
            "Only the department's managers or the assignee pass a request on.",
            code="not_yours")
    if status not in (Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS):
        raise Conflict(f"A request that is {status.value} cannot be transferred.",
                       code="wrong_status", details={"status": status.value})
    if department_id == request.department_id:
        raise Invalid("The request is with that department already.",
                      code="same_department")
    if not await org_queries.department_exists(uow, [department_id]):
        raise Invalid("No such department.", code="unknown_department")
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why (transfer).", code="reason_required")
    watchers = (await queries.watcher_ids(uow, [request.id])).get(request.id, [])
    # Those who saw it with the old department hear that it left them.
    left_behind = (await audience_of(uow, request, watchers, [])).user_ids or ()
    previous = request.department_id
    request.department_id, request.assignee_id = department_id, None
    request.status, request.updated_at = Status.NEW.value, now
    await record_step(uow, request, watchers, actor.user_id, EntryKind.TRANSFERRED,
                      {"from": previous, "to": department_id, "reason": reason}, now,
                      also=left_behind)
    return request


async def do_change_watchers(uow: UnitOfWork, actor: Actor, found: RequestAccess, *,
                             add: Sequence[int] = (), remove: Sequence[int] = (),
                             now: datetime) -> list[int]:
    """Add or remove watchers (active people; the requester watches by filing). Returns
    the watchers after."""
    request = found.request
    if add:
        require(requests_policy.can_add_watchers(found.standing),
                "Only the requester and those working on it add watchers.", code="not_yours")
    for user_id in remove:
        require(requests_policy.can_remove_watcher(found.standing, user_id == actor.user_id),
                "You may stop watching yourself; others are removed by those who added them.",
                code="not_yours")
    before = set((await queries.watcher_ids(uow, [request.id])).get(request.id, []))
    wanted = set(add) - before - {request.requester_id}
    if missing := wanted - await org_queries.active_user_ids(uow, wanted):
        raise Invalid(f"No such person: {min(missing)}.", code="unknown_watcher",
                      details={"user_id": min(missing)})
    gone = set(remove) & before
    if wanted:
        await uow.insert_ignoring_duplicates(
            RequestWatcher, [{"request_id": request.id, "user_id": w} for w in sorted(wanted)])
    if gone:
        await uow.session.execute(delete(RequestWatcher).where(
            RequestWatcher.request_id == request.id, RequestWatcher.user_id.in_(sorted(gone))))
    after = sorted((before | wanted) - gone)
    if wanted or gone:
        request.updated_at = now
        # The removed hear of it too (the audience is who sees it after, and them).
        await record_step(uow, request, after, actor.user_id, EntryKind.WATCHERS,
                          {"added": sorted(wanted), "removed": sorted(gone)}, now,
                          also=sorted(gone))
    return after


async def do_rate(uow: UnitOfWork, actor: Actor, found: RequestAccess, score: int,
                  comment: str | None, *, now: datetime) -> Request:
    request = found.request
    require(requests_policy.can_rate(found.standing), "Only the requester rates a request.",
            code="not_yours")
    if request.status != Status.CLOSED.value:
        raise Conflict("A request is rated once it is closed.", code="not_closed")
    if request.rating is not None:
        raise Conflict("The request has been rated already.", code="already_rated")
    request.rating = score
    request.rating_comment = (comment or "").strip() or None
    request.updated_at = now
    data: dict[str, Any] = {"score": score}
    if request.rating_comment:
        data["comment"] = request.rating_comment
    await record_step(uow, request, None, actor.user_id, EntryKind.RATED, data, now)
    return request


async def do_comment(uow: UnitOfWork, actor: Actor, found: RequestAccess, body: str, *,
                     calendar: sla.WorkingTime, now: datetime) -> Request:
    """Add to the request's discussion. The requester's word on a request waiting for them
    is their answer: it goes back to the receiving side (resumed, the clocks run again)
    unless its approval sent it back, which the requester resubmits on purpose."""
    request = found.request
    require(requests_policy.can_comment(found.standing),
            "Only the requester, watchers and the receiving department discuss a request.",
            code="not_yours")
    status = _still_open(request)
    text = body.strip()
    if not text:
        raise Invalid("Write something.", code="empty_comment")
    request.updated_at = now
    await record_step(uow, request, None, actor.user_id, EntryKind.COMMENT, {"body": text}, now)
    if status is Status.WAITING and found.standing.requester \
            and not await _returned_by_approval(uow, request):
        await do_transition(uow, actor, found, Action.RESUME, None, calendar=calendar, now=now)
    return request


async def _returned_by_approval(uow: UnitOfWork, request: Request) -> bool:
    instance = await approval_queries.instance_for(uow, Scope(REQUEST, request.id))
    return instance is not None and instance.status == ApprovalStatus.RETURNED.value


def _still_open(request: Request) -> Status:
    status = Status(request.status)
    if status in FINAL:
        raise Conflict(f"The request is {status.value}: nothing more changes it.",
                       code="request_closed", details={"status": status.value})
    return status
