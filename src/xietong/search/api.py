"""Search over HTTP: `GET /api/v1/search`, a thin route over query/queries/views."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Annotated, Protocol

import anyio.to_thread
from fastapi import APIRouter, Depends, Query

from xietong.chat.access import access_channel
from xietong.core.clock import utcnow
from xietong.core.ids import MAX_ID
from xietong.edge import CurrentActor, Services, get_services
from xietong.search import queries, views
from xietong.search import text as analysis
from xietong.search.events import TO_NOBODY, SearchPerformed
from xietong.search.query import EARLIEST, LATEST, clamp_instant
from xietong.search.schemas import MAX_QUERY_CHARS, HitKind, SearchResults
from xietong.search.scopes import ReadableScopes

router = APIRouter(prefix="/api/v1", tags=["search"])


class SearchServices(Services, Protocol):
    @property
    def readable_scopes(self) -> ReadableScopes:
        """Who may read which scope, by the rules of the domains that own them."""
        ...


Rt = Annotated[SearchServices, Depends(get_services)]

OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _visible_text(query: str) -> str:
    # Control characters (a NUL would not even reach PostgreSQL) separate words, like spaces.
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in query)


def _as_utc(value: datetime | None, offset_minutes: int) -> datetime | None:
    """A `before`/`after` parameter in UTC; without a zone it is local time at `tz`."""
    if value is None:
        return None
    if value.tzinfo is None and EARLIEST.year < value.year < LATEST.year:
        value = value.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    return clamp_instant(value)


@router.get("/search")
async def search(actor: CurrentActor, rt: Rt,
                 q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
                 channel_id: OptionalId = None, sender_id: OptionalId = None,
                 before: datetime | None = None, after: datetime | None = None,
                 kind: Annotated[HitKind | None, Query(
                     description="only hits of this kind; every kind by default")] = None,
                 sort: queries.Sort = "relevance",
                 limit: Annotated[int, Query(ge=1, le=100)] = 20,
                 offset: Annotated[int, Query(ge=0, le=queries.RANK_WINDOW)] = 0,
                 tz: Annotated[int, Query(ge=-720, le=840,
                                          description="minutes east of UTC for dates")] = 480,
                 ) -> SearchResults:
    """Messages, requests, tasks and projects the caller may read that match `q` (see
    `search/query.py` for the language), best first with a recency boost, or newest first
    with `sort=date`, in one list: each hit says its `kind`. A message hit carries its
    channel and id: GET /channels/{id}/messages?around=ID shows it in context; a request,
    task or project hit, its summary (GET /requests/{id}, /tasks/{id}, /projects/{id} show
    it). A channel filter finds messages only."""
    if not analysis.is_warm():
        # Loading jieba's dictionary takes CPU for about a second: not on the event loop.
        await anyio.to_thread.run_sync(analysis.warm_up)
    async with rt.reader() as uow:
        if channel_id is not None:
            await access_channel(uow, actor, channel_id)
        results = await views.search_results(
            uow, actor, _visible_text(q), scopes=rt.readable_scopes, now=utcnow(),
            channel_id=channel_id, kind=kind,
            sender_id=sender_id, before=_as_utc(before, tz), after=_as_utc(after, tz),
            sort=sort, limit=limit, offset=offset, utc_offset_minutes=tz)
    if offset == 0:  # a search, not the next page of one
        async with rt.unit_of_work() as uow:
            uow.emit(SearchPerformed(user_id=actor.user_id), TO_NOBODY)
    return results
