"""Requests in search. Each request is one item of kind "request" in its own scope,
`request:<id>`: its number, title, description and the text of its form. Who finds it is
asked when a search runs (`RequestReaders`: whoever sees the request now, by the SQL of
`queries.seen_by`), so a transfer, a watcher added or an approval started changes who finds
it without touching the index.

Indexed in the transaction that files the request (`do_index_request`; an action that
changes its text calls it again, one that removes a request calls `do_unindex`); `xietong
reindex` indexes every request afresh (`IndexRebuilding`), and migration 0021 indexed those
filed before requests were searchable. Search shows a hit by asking `FoundItems`, answered
here with the request's summary."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, select

from xietong.core.actor import Actor
from xietong.core.events import Scope
from xietong.core.signals import FoundItems, IndexRebuilding
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.schemas import DepartmentRef
from xietong.org.views import department_path
from xietong.requests.events import REQUEST
from xietong.requests.models import Request
from xietong.requests.queries import seen_by
from xietong.requests.views import number_of
from xietong.search.indexing import Searchable, do_index, do_index_many, do_unindex_kind
from xietong.search.models import ItemKind
from xietong.search.schemas import RequestStatus, RequestSummary
from xietong.search.views import FoundRequest


class RequestFields(Protocol):
    """What indexing reads of a request: a `Request`, or a row of these columns."""

    @property
    def id(self) -> int: ...
    @property
    def requester_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def values(self) -> Mapping[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...


REQUEST_COLUMNS = (Request.id, Request.requester_id, Request.title, Request.description,
                   Request.values, Request.created_at)


def searchable_body(request: RequestFields) -> str:
    """The text of a request besides its title: the description, then the form's text
    values in its order (text, long text, a select's choice, an amount, a date; people,
    departments and files are ids, not words)."""
    parts = [request.description, *(value for value in (request.values or {}).values()
                                    if isinstance(value, str))]
    return "\n".join(part for part in parts if part)


def request_searchable(request: RequestFields) -> Searchable:
    """The request as the index sees it: found by its number ("REQ-00042", "00042") and
    words; `from:` its requester; `has:file` when its form carries files."""
    text = f"{number_of(request.id)} {request.title}\n{searchable_body(request)}"
    has_file = any(isinstance(value, list) and value
                   for value in (request.values or {}).values())
    return Searchable(kind=ItemKind.REQUEST, item_id=request.id, scope=Scope(REQUEST, request.id),
                      author_id=request.requester_id, created_at=request.created_at, text=text,
                      has_file=has_file)


async def do_index_request(uow: UnitOfWork, request: Request) -> None:
    """Index a request just filed (after its flush), or again when its text changed."""
    await do_index(uow, request_searchable(request))


class RequestReaders:
    """Who may find a request: whoever sees it now (the rule of `access.access_request`)."""

    kind = REQUEST

    def may_read(self, actor: Actor, scope_id: ColumnElement[int]) -> ColumnElement[bool]:
        # The requests the actor sees, worked out once per search (where the indexes on
        # requester, department and assignee serve the rule), then a lookup per match: a
        # correlated EXISTS per match took 5 times as long on PostgreSQL for a word in every
        # request (bench.requests), and about as long for a rare one.
        return scope_id.in_(select(Request.id).where(seen_by(actor.user_id)))


async def found_requests(uow: UnitOfWork, signal: FoundItems) -> dict[int, FoundRequest] | None:
    """Search's hits of kind "request", as it shows them (the receiving department by its
    path from the root)."""
    if signal.kind != ItemKind.REQUEST:
        return None
    requests = (await uow.session.scalars(
        select(Request).where(Request.id.in_(signal.item_ids)))).all()
    if not requests:
        return {}
    departments = await org_queries.all_departments(uow)
    names = {d.id: d.name for d in departments}
    parents = org_queries.parent_map(departments)
    return {request.id: FoundRequest(
        summary=RequestSummary(
            id=request.id, number=number_of(request.id), title=request.title,
            status=cast(RequestStatus, request.status),
            department=DepartmentRef(id=request.department_id, path=department_path(
                names, parents, request.department_id))),
        body=searchable_body(request)) for request in requests}


REINDEX_BATCH = 2000


async def reindex_requests(uow: UnitOfWork, _signal: IndexRebuilding) -> tuple[str, int]:
    """Every request into the index afresh."""
    await do_unindex_kind(uow, ItemKind.REQUEST)
    count, after = 0, 0
    while batch := (await uow.session.execute(
            select(*REQUEST_COLUMNS).where(Request.id > after).order_by(Request.id)
            .limit(REINDEX_BATCH))).all():
        await do_index_many(uow, [request_searchable(row) for row in batch])
        after, count = batch[-1].id, count + len(batch)
    return "requests", count
