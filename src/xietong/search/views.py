"""Search results as the API shows them: the query parsed and resolved, the matches found,
and each hit shaped by its kind — a message as the chat API has it, a request as the
requests domain describes it (it answers `FoundItems`) — with its highlighted snippet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from xietong.chat import queries as chat_queries
from xietong.chat.views import messages_out
from xietong.core.actor import Actor
from xietong.core.signals import FoundItems
from xietong.core.uow import UnitOfWork
from xietong.search import queries
from xietong.search.highlight import snippet
from xietong.search.models import ItemKind
from xietong.search.query import Highlight, parse
from xietong.search.schemas import (
    HitKind,
    MessageHit,
    RequestHit,
    RequestSummary,
    SearchHit,
    SearchResults,
)
from xietong.search.scopes import ReadableScopes


@dataclass(frozen=True, slots=True)
class FoundRequest:
    """How the requests domain answers `FoundItems` for a request: its summary, and the
    text a hit highlights (`body`: its description and the form's text)."""

    summary: RequestSummary
    body: str


async def message_hits(uow: UnitOfWork, message_ids: Sequence[int],
                       wanted: Sequence[Highlight]) -> dict[int, MessageHit]:
    # As chat has them now: one deleted since the search ran is left out.
    messages = await chat_queries.live_messages_in_order(uow, message_ids)
    shaped = await messages_out(uow, messages)
    return {message.id: MessageHit(kind="message", message=out,
                                   highlight=snippet(message.text, wanted))
            for message, out in zip(messages, shaped, strict=True)}


async def request_hits(uow: UnitOfWork, request_ids: Sequence[int],
                       wanted: Sequence[Highlight]) -> dict[int, RequestHit]:
    answers: list[dict[int, FoundRequest] | None] = await uow.signal(
        FoundItems(ItemKind.REQUEST, tuple(request_ids)))
    return {request_id: RequestHit(kind="request", request=found.summary,
                                   title_highlight=snippet(found.summary.title, wanted),
                                   highlight=snippet(found.body, wanted))
            for answer in answers if answer for request_id, found in answer.items()}


async def hits_out(uow: UnitOfWork, found: Sequence[tuple[str, int]],
                   wanted: Sequence[Highlight]) -> list[SearchHit]:
    """The hits in `found`'s order (one rank over every kind), each kind shaped at once."""
    messages = await message_hits(
        uow, [item_id for kind, item_id in found if kind == ItemKind.MESSAGE], wanted)
    request_ids = [item_id for kind, item_id in found if kind == ItemKind.REQUEST]
    requests = await request_hits(uow, request_ids, wanted) if request_ids else {}
    hits: list[SearchHit] = []
    for kind, item_id in found:
        hit = (messages if kind == ItemKind.MESSAGE else requests).get(item_id)
        if hit is not None:
            hits.append(hit)
    return hits


async def search_results(uow: UnitOfWork, actor: Actor, q: str, *, scopes: ReadableScopes,
                         now: datetime,
                         channel_id: int | None = None, sender_id: int | None = None,
                         before: datetime | None = None, after: datetime | None = None,
                         kind: HitKind | None = None,
                         sort: queries.Sort = "relevance", limit: int = 20, offset: int = 0,
                         utc_offset_minutes: int = 480) -> SearchResults:
    """What `GET /search` answers (the channel filter already access-checked)."""
    parsed = parse(q, now=now, utc_offset_minutes=utc_offset_minutes)
    if parsed.is_empty and channel_id is None and sender_id is None and (
            before is None and after is None):
        return SearchResults(items=[], total=0, warnings=parsed.warnings)
    criteria = await queries.resolve(uow, actor, parsed, channel_id=channel_id,
                                     sender_id=sender_id, before=before, after=after,
                                     kind=kind)
    if criteria is None:
        return SearchResults(items=[], total=0, warnings=parsed.warnings)
    found = await queries.find(uow, actor, criteria, scopes=scopes, sort=sort, limit=limit,
                               offset=offset, now=now)
    items = await hits_out(uow, found.items, parsed.highlights)
    return SearchResults(items=items, total=found.total, total_capped=found.total_capped,
                         warnings=parsed.warnings)
