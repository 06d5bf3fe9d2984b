"""The glossary over HTTP: thin routes over access, actions, views and the matcher."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Response

from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.edge import CurrentActor, IdPath, Rt
from xietong.glossary import actions, queries
from xietong.glossary.access import access_term, viewer_of
from xietong.glossary.matcher import MATCHERS, Match, MatchedTerm
from xietong.glossary.models import TermStatus
from xietong.glossary.schemas import (
    FollowState,
    RecogniseBody,
    Recognised,
    RecognisedTerm,
    RevisionPage,
    TermCard,
    TermCreate,
    TermOut,
    TermPage,
    TermUpdate,
)
from xietong.glossary.views import list_items, revision_out, term_card, term_out
from xietong.org import queries as org_queries
from xietong.org.names import search_term

router = APIRouter(prefix="/api/v1/glossary", tags=["glossary"])

# Texts longer than this are matched in a worker thread, as long messages are rendered.
INLINE_MATCH_CHARS = 4_000


@router.get("/terms")
@router.get("", name="list_glossary")  # the published contract's `GET /glossary?q=`
async def list_terms(
    actor: CurrentActor, rt: Rt,
    q: Annotated[str | None, Query(max_length=100)] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: TermStatus | None = None,
    following: bool = False,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> TermPage:
    """The terms the caller may read, A–Z by pinyin. `q` matches the term, its aliases and
    English name (and their pinyin: "huikuan" finds 回款); `department_id` keeps a
    department's terms and those of the departments below it; `following` the caller's."""
    after = decode_cursor(cursor, str, int) if cursor else None
    wanted = search_term(q) if q else None
    async with rt.reader() as uow:
        departments: set[int] | None = None
        if department_id is not None:
            parents = org_queries.parent_map(await org_queries.all_departments(uow))
            departments = (org_queries.descendants_and_self(parents, department_id)
                           if department_id in parents else set())
        rows = list(await uow.session.scalars(queries.terms_query(
            actor, search=wanted, department_ids=departments,
            status=status.value if status else None, following=following,
            after=(str(after[0]), int(after[1])) if after else None, limit=limit + 1)))
        page = rows[:limit]
        items = await list_items(uow, actor, page)
    return TermPage(items=items, next_cursor=encode_cursor(page[-1].sort_key, page[-1].id)
                    if len(rows) > limit else None)


@router.post("/terms", status_code=201)
@router.post("", status_code=201, name="create_glossary_term")
async def create_term(body: TermCreate, actor: CurrentActor, rt: Rt) -> TermOut:
    async with rt.unit_of_work() as uow:
        viewer = await viewer_of(uow, actor)
        term = await actions.do_create_term(uow, actor, viewer, body)
        found = await access_term(uow, actor, term.id, viewer=viewer)
        return await term_out(uow, viewer, found.term, found.standing)


@router.get("/terms/{term_id}")
async def get_term(term_id: IdPath, actor: CurrentActor, rt: Rt) -> TermOut:
    async with rt.reader() as uow:
        found = await access_term(uow, actor, term_id)
        return await term_out(uow, found.viewer, found.term, found.standing)


@router.patch("/terms/{term_id}")
async def update_term(term_id: IdPath, body: TermUpdate, actor: CurrentActor,
                      rt: Rt) -> TermOut:
    async with rt.unit_of_work() as uow:
        found = await access_term(uow, actor, term_id, for_update=True)
        term = await actions.do_update_term(uow, actor, found, body)
        # Where the caller stands now (they may have given it to another department or other
        # owners): the reply says so, even if they may no longer read it.
        owners = (await queries.owners_of(uow, [term.id]))[term.id]
        return await term_out(uow, found.viewer, term, found.viewer.standing(
            term.department_id, term.visibility, owners))


@router.delete("/terms/{term_id}", status_code=204)
async def delete_term(term_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        found = await access_term(uow, actor, term_id, for_update=True)
        await actions.do_delete_term(uow, actor, found)
    return Response(status_code=204)


@router.get("/terms/{term_id}/card")
async def get_term_card(term_id: IdPath, actor: CurrentActor, rt: Rt) -> TermCard:
    """What a hover card over a recognised term shows."""
    async with rt.reader() as uow:
        found = await access_term(uow, actor, term_id)
        return await term_card(uow, found.viewer, found.term)


@router.get("/terms/{term_id}/history")
async def list_term_history(
    term_id: IdPath, actor: CurrentActor, rt: Rt,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> RevisionPage:
    """Who changed what and when, newest first; `next_cursor` pages to older changes."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        await access_term(uow, actor, term_id)
        rows = await queries.revisions_of(uow, term_id, before=before_id, limit=limit + 1)
    page = rows[:limit]
    return RevisionPage(items=[revision_out(r) for r in page],
                        next_cursor=encode_cursor(page[-1].id) if len(rows) > limit else None)


async def _follow(term_id: int, actor: CurrentActor, rt: Rt, *, following: bool) -> FollowState:
    async with rt.unit_of_work() as uow:
        found = await access_term(uow, actor, term_id)
        await actions.do_follow(uow, actor, found, following=following)
        count = (await queries.follower_counts(uow, [term_id]))[term_id]
    return FollowState(following=following, follower_count=count)


@router.put("/terms/{term_id}/follow")
async def follow_term(term_id: IdPath, actor: CurrentActor, rt: Rt) -> FollowState:
    """Be told (`glossary_term_changed`) when the term's definition changes or it is
    deprecated. Anyone who reads it may; twice is once."""
    return await _follow(term_id, actor, rt, following=True)


@router.delete("/terms/{term_id}/follow")
async def unfollow_term(term_id: IdPath, actor: CurrentActor, rt: Rt) -> FollowState:
    return await _follow(term_id, actor, rt, following=False)


def _recognised(found: list[Match]) -> Recognised:
    return Recognised(items=[RecognisedTerm(start=m.start, end=m.end, term_id=m.term.id,
                                            term=m.term.term) for m in found])


@router.post("/recognise")
async def recognise_terms(body: RecogniseBody, actor: CurrentActor, rt: Rt) -> Recognised:
    """The glossary's terms in `text` that the caller may read: leftmost first, the longest
    at each place, none overlapping (客户成功部 is 客户成功, not 客户); full-width and
    upper- or lower-case forms match; a Latin name only as a whole word. Offsets count code
    points of `text`. Ask once for a screen of messages (joined by line breaks), not per
    message."""
    async with rt.reader() as uow:
        matcher = await MATCHERS.matcher_for(uow)
        viewer = await viewer_of(uow, actor) if matcher.restricted else None

    def readable(term: MatchedTerm) -> bool:
        assert viewer is not None
        return viewer.may_read(term.department_id, term.visibility, term.owner_ids)

    admits = readable if viewer is not None else None
    if len(body.text) <= INLINE_MATCH_CHARS:
        return _recognised(matcher.find(body.text, admits))
    return _recognised(await anyio.to_thread.run_sync(matcher.find, body.text, admits))

