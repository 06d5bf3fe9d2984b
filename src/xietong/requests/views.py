"""Requests shaped for replies and events."""

from __future__ import annotations

from xietong.approvals.schemas import ApprovalSummary
from xietong.policy import requests as requests_policy
from xietong.policy.requests import Action, RequestStanding
from xietong.requests import workflow
from xietong.requests.models import FINAL, Request, RequestEntry, Status
from xietong.requests.schemas import Breached, EntryOut, RequestData, RequestOut


def number_of(request_id: int) -> str:
    """The number people quote ("REQ-00042")."""
    return f"REQ-{request_id:05d}"


def request_data(request: Request, watcher_ids: list[int],
                 approval: ApprovalSummary | None) -> RequestData:
    return RequestData(
        id=request.id, number=number_of(request.id), type_id=request.type_id,
        department_id=request.department_id, requester_id=request.requester_id,
        assignee_id=request.assignee_id, title=request.title,
        description=request.description, status=Status(request.status),
        values=request.values, watcher_ids=watcher_ids,
        source_message_id=request.source_message_id, created_at=request.created_at,
        updated_at=request.updated_at, response_due_at=request.response_due_at,
        resolution_due_at=request.resolution_due_at, paused_at=request.paused_at,
        first_response_at=request.first_response_at, resolved_at=request.resolved_at,
        closed_at=request.closed_at,
        breached=Breached(response=request.response_breached,
                          resolution=request.resolution_breached),
        rating=request.rating, rating_comment=request.rating_comment, approval=approval)


def offered(request: Request, standing: RequestStanding) -> list[str]:
    """What the actor may do to the request now, as the client offers it."""
    status = Status(request.status)
    can = [action.value for action in Action
           if workflow.applies(action, status)
           and (requests_policy.can_act(action, standing)
                or requests_policy.can_take(action, standing, request.assignee_id is None))]
    if status not in FINAL and status is not Status.RESOLVED and \
            requests_policy.can_assign(standing):
        can.append("assign")
    if status in (Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS) and \
            requests_policy.can_transfer(standing):
        can.append("transfer")
    if status not in FINAL and requests_policy.can_add_watchers(standing):
        can.append("watch_others")
    if status not in FINAL and requests_policy.can_comment(standing):
        can.append("comment")
    if status is Status.CLOSED and request.rating is None and \
            requests_policy.can_rate(standing):
        can.append("rate")
    return can


def request_out(request: Request, watcher_ids: list[int], standing: RequestStanding,
                approval: ApprovalSummary | None) -> RequestOut:
    return RequestOut(**dict(request_data(request, watcher_ids, approval)),
                      can=offered(request, standing))


def entry_out(entry: RequestEntry) -> EntryOut:
    return EntryOut(id=entry.id, kind=entry.kind, actor_id=entry.actor_id, data=entry.data,
                    created_at=entry.created_at)
