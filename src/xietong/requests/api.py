"""Requests and request types over HTTP: thin routes over access/actions/queries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from xietong.approvals import queries as approval_queries
from xietong.approvals.views import summaries_for, summary_for
from xietong.business_calendar.queries import work_calendar
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.events import Scope
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, IdPath, Rt
from xietong.policy import requests as requests_policy
from xietong.policy import require
from xietong.requests import access, actions, dispatching, queries
from xietong.requests.events import REQUEST
from xietong.requests.models import Request, RequestType, Status
from xietong.requests.schemas import (
    AssignBody,
    CommentBody,
    FieldSpec,
    RatingBody,
    RequestBox,
    RequestCounts,
    RequestCreate,
    RequestOut,
    RequestPage,
    RequestTypeCreate,
    RequestTypeList,
    RequestTypeOut,
    RequestTypeUpdate,
    SuggestBody,
    SuggestedAssignee,
    SuggestedDepartment,
    SuggestedType,
    Suggestions,
    Timeline,
    TransferBody,
    TransitionBody,
    WatchersBody,
)
from xietong.requests.views import entry_out, request_out

router = APIRouter(prefix="/api/v1", tags=["requests"])


def type_out(request_type: RequestType) -> RequestTypeOut:
    return RequestTypeOut(
        id=request_type.id, name=request_type.name, department_id=request_type.department_id,
        description=request_type.description,
        fields=[FieldSpec.model_validate(spec) for spec in request_type.fields],
        response_sla_hours=request_type.response_sla_hours,
        resolution_sla_hours=request_type.resolution_sla_hours,
        assignment=request_type.assignment, warn_at_share=request_type.warn_at_share,
        escalate_after_hours=request_type.escalate_after_hours,
        approval_flow_id=request_type.approval_flow_id, archived=request_type.archived)


async def _out(uow: UnitOfWork, actor: Actor, request: Request) -> RequestOut:
    watchers = (await queries.watcher_ids(uow, [request.id])).get(request.id, [])
    return request_out(request, watchers, await access.standing_of(uow, actor, request),
                       await summary_for(uow, Scope(REQUEST, request.id)))


@router.post("/request-types", status_code=201)
async def create_request_type(body: RequestTypeCreate, actor: CurrentActor,
                              rt: Rt) -> RequestTypeOut:
    """Administrators, and a department's managers for the department they manage."""
    async with rt.unit_of_work() as uow:
        return type_out(await actions.do_create_type(uow, actor, body))


@router.get("/request-types")
async def list_request_types(
    actor: CurrentActor, rt: Rt,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    include_archived: bool = False,
) -> RequestTypeList:
    """The types each department receives (archived ones on request), by department."""
    require(requests_policy.can_file_requests(actor),
            "Guests do not file requests with the company's departments.")
    async with rt.reader() as uow:
        found = await queries.types_of(uow, department_id, include_archived)
    return RequestTypeList(items=[type_out(t) for t in found])


@router.get("/request-types/{type_id}")
async def get_request_type(type_id: IdPath, actor: CurrentActor, rt: Rt) -> RequestTypeOut:
    async with rt.reader() as uow:
        return type_out(await access.access_type(uow, actor, type_id))


@router.patch("/request-types/{type_id}")
async def update_request_type(type_id: IdPath, body: RequestTypeUpdate, actor: CurrentActor,
                              rt: Rt) -> RequestTypeOut:
    async with rt.unit_of_work() as uow:
        found = await access.access_type(uow, actor, type_id)
        return type_out(await actions.do_update_type(uow, actor, found, body))


@router.post("/requests", status_code=201)
async def file_request(body: RequestCreate, actor: CurrentActor, rt: Rt) -> RequestOut:
    async with rt.unit_of_work() as uow:
        calendar = await work_calendar(uow, default_zone=rt.settings.zone)
        request, _ = await actions.do_file_request(uow, actor, body, calendar=calendar,
                                                   now=utcnow())
        return await _out(uow, actor, request)


@router.get("/requests")
async def list_requests(
    actor: CurrentActor, rt: Rt,
    box: RequestBox = RequestBox.ALL,
    status: Annotated[list[Status] | None, Query()] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> RequestPage:
    """Newest first. `box`: `mine` (filed by me), `assigned` (mine to handle), `queue` (to
    my departments: those I belong to, and below those I manage), `watching`, `all`
    (everything I may see). `status` may repeat."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        reach = await queries.reach_of(uow, actor.user_id)
        rows = await queries.list_requests(
            uow, box=box, user_id=actor.user_id, reach=reach,
            statuses=[s.value for s in status or []], department_id=department_id,
            before_id=before_id, limit=limit + 1)
        page = rows[:limit]
        watchers = await queries.watcher_ids(uow, [r.id for r in page])
        approvals = await summaries_for(uow, REQUEST, [r.id for r in page])
        approving = (await approval_queries.approver_subjects(uow, actor.user_id, REQUEST)
                     if box is RequestBox.ALL else set())
        items = []
        for row in page:
            standing = access.standing_from(row, actor, reach, watchers.get(row.id, []),
                                            approving)
            items.append(request_out(row, watchers.get(row.id, []), standing,
                                     approvals.get(row.id)))
    return RequestPage(items=items,
                       next_cursor=encode_cursor(page[-1].id) if len(rows) > limit else None)


@router.get("/requests/counts")
async def count_requests(actor: CurrentActor, rt: Rt) -> RequestCounts:
    """How many requests of each box are still under way, for the tabs of the request
    centre: `mine`, `assigned`, `queue`, `watching` (as `GET /requests?box=` has them)."""
    boxes = (RequestBox.MINE, RequestBox.ASSIGNED, RequestBox.QUEUE, RequestBox.WATCHING)
    async with rt.reader() as uow:
        reach = await queries.reach_of(uow, actor.user_id)
        counts = await queries.under_way_counts(uow, boxes, actor.user_id, reach)
    return RequestCounts(**{box.value: n for box, n in counts.items()})


@router.post("/requests/suggest")
async def suggest_dispatch(body: SuggestBody, actor: CurrentActor, rt: Rt) -> Suggestions:
    """Where a request written as free text should go: departments (never one's own),
    types and the least loaded people of the first department, each with why (the words
    that weighed most). From a model trained nightly on the company's closed requests, or
    the keyword lists while there is too little history."""
    require(requests_policy.can_file_requests(actor),
            "Guests do not file requests with the company's departments.")
    async with rt.reader() as uow:
        found = await dispatching.suggestions(uow, body.text, requester_id=actor.user_id)
    return Suggestions(
        departments=[SuggestedDepartment(id=d.id, name=d.name, score=s.score,
                                         why=list(s.why), source=s.source)
                     for d, s in found.departments],
        types=[SuggestedType(id=t.id, name=t.name, department_id=t.department_id,
                             score=s.score, why=list(s.why)) for t, s in found.types],
        assignees=[SuggestedAssignee(user_id=u, open_requests=n) for u, n in found.assignees])


@router.get("/requests/{request_id}")
async def get_request(request_id: IdPath, actor: CurrentActor, rt: Rt) -> RequestOut:
    async with rt.reader() as uow:
        found = await access.access_request(uow, actor, request_id)
        return await _out(uow, actor, found.request)


@router.get("/requests/{request_id}/timeline")
async def get_timeline(request_id: IdPath, actor: CurrentActor, rt: Rt) -> Timeline:
    async with rt.reader() as uow:
        await access.access_request(uow, actor, request_id)
        entries = await queries.timeline(uow, request_id)
    return Timeline(items=[entry_out(e) for e in entries])


@router.post("/requests/{request_id}/transition")
async def transition_request(request_id: IdPath, body: TransitionBody, actor: CurrentActor,
                             rt: Rt) -> RequestOut:
    async with rt.unit_of_work() as uow:
        found = await access.access_request(uow, actor, request_id, for_update=True)
        calendar = await work_calendar(uow, default_zone=rt.settings.zone)
        await actions.do_transition(uow, actor, found, body.action, body.reason,
                                    calendar=calendar, now=utcnow())
        return await _out(uow, actor, found.request)


@router.post("/requests/{request_id}/assign")
async def assign_request(request_id: IdPath, body: AssignBody, actor: CurrentActor,
                         rt: Rt) -> RequestOut:
    async with rt.unit_of_work() as uow:
        found = await access.access_request(uow, actor, request_id, for_update=True)
        await actions.do_assign(uow, actor, found, body.assignee_id, now=utcnow())
        return await _out(uow, actor, found.request)


@router.post("/requests/{request_id}/transfer")
async def transfer_request(request_id: IdPath, body: TransferBody, actor: CurrentActor,
                           rt: Rt) -> RequestOut:
    """Pass the request to another department (the receiving managers or the assignee; a
    reason is required). It goes back to new, unassigned, in the new department's queue;
    its SLA clocks run on from filing."""
    async with rt.unit_of_work() as uow:
        found = await access.access_request(uow, actor, request_id, for_update=True)
        await actions.do_transfer(uow, actor, found, body.department_id, body.reason,
                                  now=utcnow())
        return await _out(uow, actor, found.request)


@router.post("/requests/{request_id}/watchers")
async def add_watchers(request_id: IdPath, body: WatchersBody, actor: CurrentActor,
                       rt: Rt) -> RequestOut:
    """Bring people in to follow the request (its requester and those working on it);
    they see it from then on."""
    async with rt.unit_of_work() as uow:
        found = await access.access_request(uow, actor, request_id, for_update=True)
        await actions.do_change_watchers(uow, actor, found, add=body.user_ids, now=utcnow())
        return await _out(uow, actor, found.request)


@router.delete("/requests/{request_id}/watchers/{user_id}", status_code=204)
async def remove_watcher(request_id: IdPath, user_id: IdPath, actor: CurrentActor,
                         rt: Rt) -> None:
    """Stop watching (oneself), or take someone out (who may add watchers)."""
    async with rt.unit_of_work() as uow:
        found = await access.access_request(uow, actor, request_id, for_update=True)
        await actions.do_change_watchers(uow, actor, found, remove=[user_id], now=utcnow())


@router.post("/requests/{request_id}/comments", status_code=201)
async def comment_on_request(request_id: IdPath, body: CommentBody, actor: CurrentActor,
                             rt: Rt) -> RequestOut:
    """Add to the request's discussion (its timeline). The requester answering a request
    that waits for them resumes it."""
    async with rt.unit_of_work() as uow:
        found = await access.access_request(uow, actor, request_id, for_update=True)
        calendar = await work_calendar(uow, default_zone=rt.settings.zone)
        await actions.do_comment(uow, actor, found, body.body, calendar=calendar,
                                 now=utcnow())
        return await _out(uow, actor, found.request)


@router.post("/requests/{request_id}/rating")
async def rate_request(request_id: IdPath, body: RatingBody, actor: CurrentActor,
                       rt: Rt) -> RequestOut:
    async with rt.unit_of_work() as uow:
        found = await access.access_request(uow, actor, request_id, for_update=True)
        await actions.do_rate(uow, actor, found, body.score, body.comment, now=utcnow())
        return await _out(uow, actor, found.request)
