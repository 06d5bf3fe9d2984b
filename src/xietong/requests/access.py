"""Fetch a request (or a type) *and* find where the actor stands towards it, or raise.

A request the actor may not see is missing to them (404), so its id reveals nothing."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.policy import requests as requests_policy
from xietong.policy import require
from xietong.policy.requests import RequestStanding
from xietong.requests import queries
from xietong.requests.models import Request, RequestType
from xietong.requests.queries import Reach


@dataclass(frozen=True, slots=True)
class RequestAccess:
    request: Request
    standing: RequestStanding


def standing_from(request: Request, actor: Actor, reach: Reach,
                  watcher_ids: Collection[int], approving: Collection[int]) -> RequestStanding:
    """Where the actor stands, from facts already fetched (a page of requests):
    `approving`, the requests whose approval names the actor."""
    return RequestStanding(
        requester=request.requester_id == actor.user_id,
        watcher=actor.user_id in watcher_ids,
        assignee=request.assignee_id == actor.user_id,
        in_queue=request.department_id in reach.queue,
        manager=request.department_id in reach.managed,
        approver=request.id in approving)


async def standing_of(uow: UnitOfWork, actor: Actor, request: Request) -> RequestStanding:
    """Where the actor stands towards one request, in one statement: the conditions
    search and the lists use too (`queries.standing_conditions`)."""
    conditions = queries.standing_conditions(actor.user_id)
    row = (await uow.session.execute(
        select(*(condition.label(name) for name, condition in conditions.items()))
        .where(Request.id == request.id))).one()
    # SQLite answers 1/0, and NULL where a column is (no assignee).
    return RequestStanding(**{name: bool(value) for name, value in row._mapping.items()})


async def access_request(uow: UnitOfWork, actor: Actor, request_id: int, *,
                         for_update: bool = False) -> RequestAccess:
    """The request and the actor's standing, if they may see it (`for_update`: locked
    until the commit, so two changes of one request apply one after the other)."""
    request = await queries.get_request(uow, request_id, for_update=for_update)
    if request is None:
        raise NotFound("No such request.")
    standing = await standing_of(uow, actor, request)
    if not requests_policy.can_see_request(standing):
        raise NotFound("No such request.")
    return RequestAccess(request, standing)


async def access_type(uow: UnitOfWork, actor: Actor, type_id: int) -> RequestType:
    """A request type: every member may see the types, to file requests."""
    require(requests_policy.can_file_requests(actor),
            "Guests do not file requests with the company's departments.")
    found = await queries.get_type(uow, type_id)
    if found is None:
        raise NotFound("No such request type.")
    return found


async def require_type_manager(uow: UnitOfWork, actor: Actor, department_id: int) -> None:
    """Refuse unless the actor may define the types `department_id` receives."""
    reach = await queries.reach_of(uow, actor.user_id)
    require(requests_policy.can_manage_request_types(actor, department_id in reach.managed),
            "Only administrators and the department's managers define its request types.",
            code="not_type_manager")
