"""Every SELECT of requests, named."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import CTE, ColumnElement, false, func, or_, select

from xietong.approvals import queries as approval_queries
from xietong.core.uow import UnitOfWork
from xietong.org.models import Department, DepartmentManager, DepartmentMember
from xietong.policy import requests as requests_policy
from xietong.requests.events import REQUEST
from xietong.requests.models import (
    FINAL,
    OPEN,
    Request,
    RequestEntry,
    RequestFile,
    RequestType,
    RequestWatcher,
)
from xietong.requests.schemas import RequestBox


@dataclass(frozen=True, slots=True)
class Reach:
    """Whose queues a person is in: `queue`, the departments they belong to and those above
    them (a member of 华东区 is in 销售部's queue); `managed`, the departments they manage
    and everything below them."""

    queue: frozenset[int]
    managed: frozenset[int]


def _queue_departments(user_id: int) -> CTE:
    """SQL: `Reach.queue`, the departments the person belongs to and every one above them
    (UNION, not UNION ALL: a cycle in the tree ends the walk instead of looping)."""
    queue = (select(DepartmentMember.department_id.label("id"))
             .where(DepartmentMember.user_id == user_id)
             .cte("request_queue_departments", recursive=True))
    return queue.union(select(Department.parent_id)
                       .join(queue, Department.id == queue.c.id)
                       .where(Department.parent_id.is_not(None)))


def _managed_departments(user_id: int) -> CTE:
    """SQL: `Reach.managed`, the departments the person manages and every one below them."""
    managed = (select(DepartmentManager.department_id.label("id"))
               .where(DepartmentManager.user_id == user_id)
               .cte("request_managed_departments", recursive=True))
    return managed.union(select(Department.id)
                         .join(managed, Department.parent_id == managed.c.id))


async def reach_of(uow: UnitOfWork, user_id: int) -> Reach:
    queue = await uow.session.scalars(select(_queue_departments(user_id).c.id))
    managed = await uow.session.scalars(select(_managed_departments(user_id).c.id))
    return Reach(frozenset(queue), frozenset(managed))


def standing_conditions(user_id: int) -> dict[str, ColumnElement[bool]]:
    """SQL conditions on a request's row, one per field of `policy.requests.RequestStanding`:
    where the person stands towards it. `access.standing_of` selects them for one request;
    `seen_by` joins them by the policy's rule for many at once (lists, search), so the page
    that shows a request and the queries that find it cannot disagree."""
    return {
        "requester": Request.requester_id == user_id,
        "watcher": Request.id.in_(select(RequestWatcher.request_id)
                                  .where(RequestWatcher.user_id == user_id)),
        "assignee": Request.assignee_id == user_id,
        "in_queue": Request.department_id.in_(select(_queue_departments(user_id).c.id)),
        "manager": Request.department_id.in_(select(_managed_departments(user_id).c.id)),
        "approver": Request.id.in_(approval_queries.subjects_approved_by(user_id, REQUEST)),
    }


def seen_by(user_id: int) -> ColumnElement[bool]:
    """SQL: the person sees the request now (`policy.requests.can_see_request`)."""
    conditions = standing_conditions(user_id)
    return or_(*(conditions[name] for name in requests_policy.SEEING))


async def get_type(uow: UnitOfWork, type_id: int) -> RequestType | None:
    return await uow.session.get(RequestType, type_id)


async def types_of(uow: UnitOfWork, department_id: int | None,
                   include_archived: bool) -> Sequence[RequestType]:
    query = select(RequestType).order_by(RequestType.department_id, RequestType.name,
                                         RequestType.id)
    if department_id is not None:
        query = query.where(RequestType.department_id == department_id)
    if not include_archived:
        query = query.where(RequestType.archived == false())
    return (await uow.session.scalars(query)).all()


async def get_request(uow: UnitOfWork, request_id: int, *, for_update: bool = False
                      ) -> Request | None:
    if for_update:
        return (await uow.session.scalars(
            select(Request).where(Request.id == request_id).with_for_update())).one_or_none()
    return await uow.session.get(Request, request_id)


async def watcher_ids(uow: UnitOfWork, request_ids: Iterable[int]) -> dict[int, list[int]]:
    wanted = list(set(request_ids))
    found: dict[int, list[int]] = defaultdict(list)
    if wanted:
        for request_id, user_id in await uow.session.execute(
                select(RequestWatcher.request_id, RequestWatcher.user_id)
                .where(RequestWatcher.request_id.in_(wanted))
                .order_by(RequestWatcher.user_id)):
            found[request_id].append(user_id)
    return found


def _box_condition(box: RequestBox, user_id: int, reach: Reach) -> ColumnElement[bool]:
    watching = Request.id.in_(select(RequestWatcher.request_id)
                              .where(RequestWatcher.user_id == user_id))
    departments = Request.department_id.in_(sorted(reach.queue | reach.managed))
    match box:
        case RequestBox.MINE:
            return Request.requester_id == user_id
        case RequestBox.ASSIGNED:
            return Request.assignee_id == user_id
        case RequestBox.QUEUE:
            return departments
        case RequestBox.WATCHING:
            return watching
        case RequestBox.ALL:
            return seen_by(user_id)


async def types_on_flow(uow: UnitOfWork, flow_id: int) -> list[str]:
    """The names of the active request types whose requests go through approval flow
    `flow_id`."""
    return list(await uow.session.scalars(
        select(RequestType.name).where(RequestType.approval_flow_id == flow_id,
                                       ~RequestType.archived).order_by(RequestType.name)))


async def list_requests(uow: UnitOfWork, *, box: RequestBox, user_id: int, reach: Reach,
                        statuses: Sequence[str], department_id: int | None,
                        before_id: int | None, limit: int) -> Sequence[Request]:
    """A box of requests, newest first, `limit` of them from before `before_id`."""
    query = select(Request).where(_box_condition(box, user_id, reach))
    if statuses:
        query = query.where(Request.status.in_(list(statuses)))
    if department_id is not None:
        query = query.where(Request.department_id == department_id)
    if before_id is not None:
        query = query.where(Request.id < before_id)
    return (await uow.session.scalars(query.order_by(Request.id.desc()).limit(limit))).all()


async def under_way_counts(uow: UnitOfWork, boxes: Iterable[RequestBox], user_id: int,
                           reach: Reach) -> dict[RequestBox, int]:
    """How many requests of each box are still under way (not closed, rejected or
    withdrawn): what the request centre's tabs show beside their names."""
    ended = sorted(status.value for status in FINAL)
    return {box: await uow.session.scalar(
        select(func.count()).select_from(Request)
        .where(_box_condition(box, user_id, reach), Request.status.not_in(ended))) or 0
        for box in boxes}


async def timeline(uow: UnitOfWork, request_id: int) -> Sequence[RequestEntry]:
    return (await uow.session.scalars(
        select(RequestEntry).where(RequestEntry.request_id == request_id)
        .order_by(RequestEntry.id))).all()


async def open_load(uow: UnitOfWork, user_ids: Iterable[int]) -> dict[int, int]:
    """How many open requests each person has assigned (0 for those with none)."""
    wanted = sorted(set(user_ids))
    load = dict.fromkeys(wanted, 0)
    if wanted:
        for user_id, count in await uow.session.execute(
                select(Request.assignee_id, func.count())
                .where(Request.assignee_id.in_(wanted),
                       Request.status.in_([s.value for s in OPEN]))
                .group_by(Request.assignee_id)):
            if user_id is not None:
                load[user_id] = count
    return load


async def last_assignee(uow: UnitOfWork, department_id: int) -> int | None:
    """Who got the department's latest assigned request (round-robin goes on from there)."""
    return (await uow.session.scalars(
        select(Request.assignee_id)
        .where(Request.department_id == department_id, Request.assignee_id.is_not(None))
        .order_by(Request.id.desc()).limit(1))).first()


async def request_ids_carrying(uow: UnitOfWork, file_id: int) -> list[int]:
    return list(await uow.session.scalars(
        select(RequestFile.request_id).where(RequestFile.file_id == file_id)))
