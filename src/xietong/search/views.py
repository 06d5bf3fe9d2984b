"""Search results as the API shows them: the query parsed and resolved, the matches found,
and each hit shaped like the chat API's messages with its highlighted snippet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from xietong.chat import queries as chat_queries
from xietong.chat.views import messages_out
from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.search import queries
from xietong.search.highlight import snippet
from xietong.search.query import Highlight, parse
from xietong.search.schemas import SearchHit, SearchResults


async def hits_out(uow: UnitOfWork, message_ids: Sequence[int],
                   wanted: Sequence[Highlight]) -> list[SearchHit]:
    # In rank order, as chat has them now: one deleted since the search ran is left out.
    messages = await chat_queries.live_messages_in_order(uow, message_ids)
    shaped = await messages_out(uow, messages)
    return [SearchHit(message=out, highlight=snippet(message.text, wanted))
            for message, out in zip(messages, shaped, strict=True)]


async def search_results(uow: UnitOfWork, actor: Actor, q: str, *, now: datetime,
                         channel_id: int | None = None, sender_id: int | None = None,
                         before: datetime | None = None, after: datetime | None = None,
                         sort: queries.Sort = "relevance", limit: int = 20, offset: int = 0,
                         utc_offset_minutes: int = 480) -> SearchResults:
    """What `GET /search` answers (the channel filter already access-checked)."""
    parsed = parse(q, now=now, utc_offset_minutes=utc_offset_minutes)
    if parsed.is_empty and channel_id is None and sender_id is None and (
            before is None and after is None):
        return SearchResults(items=[], total=0, warnings=parsed.warnings)
    criteria = await queries.resolve(uow, actor, parsed, channel_id=channel_id,
                                     sender_id=sender_id, before=before, after=after)
    if criteria is None:
        return SearchResults(items=[], total=0, warnings=parsed.warnings)
    found = await queries.find(uow, actor, criteria, sort=sort, limit=limit, offset=offset,
                               now=now)
    items = await hits_out(uow, found.item_ids, parsed.highlights)
    return SearchResults(items=items, total=found.total, total_capped=found.total_capped,
                         warnings=parsed.warnings)
