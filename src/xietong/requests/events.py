"""Events of requests: each change, with the request as it now is and its timeline entry,
to everyone who sees it (`audience_of`)."""

from __future__ import annotations

from typing import Literal

from xietong.core.events import Audience, Event, Scope
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.requests.models import Request
from xietong.requests.schemas import EntryOut, RequestData

REQUEST = "request"


class RequestChanged(Event):
    """A request was filed or changed: `entry` says how (the timeline's new step)."""

    type: Literal["request.changed"] = "request.changed"
    request: RequestData
    entry: EntryOut


REQUEST_EVENTS: tuple[type[Event], ...] = (RequestChanged,)


async def audience_of(uow: UnitOfWork, request: Request, watcher_ids: list[int],
                      also: list[int]) -> Audience:
    """Who sees the request now (the rule of `policy.requests.can_see_request`): its
    requester, watchers and assignee, the receiving department's queue (its members and
    those of the departments below it) and its managers (and those of the departments
    above it). Fixed when the change is made: someone who later leaves the department
    keeps the events emitted before."""
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    below = org_queries.descendants_and_self(parents, request.department_id)
    above = org_queries.ancestors_and_self(parents, request.department_id)
    queue = await org_queries.active_member_ids_of_departments(uow, below)
    managers = await org_queries.managers_of(uow, above)
    people = {request.requester_id, *watcher_ids, *queue, *also}
    people.update(m for ids in managers.values() for m in ids)
    if request.assignee_id is not None:
        people.add(request.assignee_id)
    return Audience.users(people, scope=Scope(REQUEST, request.id))
