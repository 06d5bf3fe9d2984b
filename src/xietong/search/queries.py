"""Read paths of search: resolving a parsed query's names, and finding what the actor may
read now. All of search's SQL lives here and in the two backend modules.

Ranking: a match's relevance (FTS5's bm25, PostgreSQL's ts_rank; both over the same
tokens) divided by 1 + age/90 days, so a three-month-old message needs twice the relevance
of today's to rank above it. Relevance is computed over the newest RANK_WINDOW readable
matches: a word in tens of thousands of messages then costs about what a rarer one does,
and the newest matches are the ones a recency boost would put first anyway. `sort=date`
is exact: the newest matches first. Either way `total` counts up to RANK_WINDOW, and
says when it stopped there.

Channel, author and attachment filters are tokens of the indexed document, so the
full-text index intersects them with the words; who may read a channel changes, so that
is checked against channel membership at query time, row by row, as matches are read
newest first (for a guest, who reads few channels, their channels are tokens too).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any, Literal

from sqlalchemy import TextClause, bindparam, func, or_, select, text

from xietong.chat import queries as chat_queries
from xietong.chat.models import Channel, ChannelKind, ChannelMember, Message
from xietong.core.actor import Actor, Role
from xietong.core.db import UTCDateTime
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.search import fts_postgres, fts_sqlite
from xietong.search.indexing import (
    FILE_TAG,
    MENTION_ALL_TAG,
    author_tag,
    channel_tag,
    department_mention_tag,
    mention_tag,
)
from xietong.search.models import ItemKind
from xietong.search.query import ParsedQuery
from xietong.search.text import AnyOf, Expr, Seq

# Relevance is computed over this many newest matches; it is also where counting stops
# (the reply says when it did) and how deep paging goes.
RANK_WINDOW = 500
RECENCY_DAYS = 90.0
GUEST_CHANNELS_AS_TAGS = 50

Sort = Literal["relevance", "date"]


@dataclass
class Criteria:
    """Everything a search asks for, names already resolved to ids."""

    must: list[Expr] = field(default_factory=list)
    must_not: list[Expr] = field(default_factory=list)
    channel_ids: set[int] | None = None
    sender_ids: set[int] | None = None
    has_file: bool = False
    in_thread: bool = False
    sent_before: datetime | None = None
    sent_after: datetime | None = None


@dataclass(frozen=True, slots=True)
class Found:
    item_ids: list[int]
    total: int
    total_capped: bool


def _backend(uow: UnitOfWork) -> ModuleType:
    return fts_postgres if uow.is_postgres else fts_sqlite


# --- resolving names -----------------------------------------------------------------------

_READABLE_AS_GUEST = ("s.channel_id IN (SELECT cm.channel_id FROM channel_members AS cm "
                      "WHERE cm.user_id = :me)")
_READABLE = ("(s.channel_id IN (SELECT cm.channel_id FROM channel_members AS cm "
             "WHERE cm.user_id = :me) OR s.channel_id IN (SELECT c.id FROM channels AS c "
             "WHERE c.kind = :public_kind))")


def _readable_sql(actor: Actor) -> str:
    """Channels the actor may read now: those they belong to, and public ones unless they
    are a guest (the rule of `chat.access.can_preview`)."""
    return _READABLE_AS_GUEST if actor.role == Role.GUEST else _READABLE


async def readable_channels_named(uow: UnitOfWork, actor: Actor, name: str) -> set[int]:
    """Ids of the channels called `name` (any case) that the actor may read."""
    readable = ChannelMember.user_id == actor.user_id
    query = (select(Channel.id).outerjoin(ChannelMember, (ChannelMember.channel_id == Channel.id)
                                          & (ChannelMember.user_id == actor.user_id))
             .where(func.lower(Channel.name) == name.lower()))
    if actor.role == Role.GUEST:
        query = query.where(readable)
    else:
        query = query.where(or_(readable, Channel.kind == ChannelKind.PUBLIC.value))
    return set(await uow.session.scalars(query))


async def people_named(uow: UnitOfWork, name: str) -> set[int]:
    """A username, an email, or a display name; failing those, directory matches (pinyin,
    initials)."""
    found = await org_queries.find_user_by_login(uow, name)
    if found is not None:
        return {found.id}
    matches = await org_queries.search_directory(
        uow, query=name, department_ids=None, visible_ids=None, include_inactive=True,
        after=None, limit=50)
    exact = {u.id for u in matches if u.display_name.casefold() == name.casefold()}
    return exact or {u.id for u in matches}


async def mentions_of(uow: UnitOfWork, user_id: int) -> Expr:
    """What mentions a person: their name, one of their departments (or one above), @all."""
    memberships = (await org_queries.memberships_of(uow, [user_id]))[user_id]
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    departments: set[int] = set()
    for department_id in memberships.department_ids:
        departments.update(org_queries.ancestors_and_self(parents, department_id))
    tags = [mention_tag(user_id), *(department_mention_tag(d) for d in sorted(departments)),
            MENTION_ALL_TAG]
    return AnyOf(tuple(Seq((tag,)) for tag in tags))


# --- finding -------------------------------------------------------------------------------

def _filters(actor: Actor, criteria: Criteria, params: dict[str, Any]) -> list[str]:
    params["me"] = actor.user_id
    if actor.role != Role.GUEST:
        params["public_kind"] = ChannelKind.PUBLIC.value
    params["kind"] = ItemKind.MESSAGE
    where = ["s.kind = :kind", _readable_sql(actor)]
    if criteria.in_thread:
        where.append("s.in_thread")
    if criteria.sent_before is not None:
        params["sent_before"] = criteria.sent_before
        where.append("s.created_at < :sent_before")
    if criteria.sent_after is not None:
        params["sent_after"] = criteria.sent_after
        where.append("s.created_at >= :sent_after")
    return where


def _statement(sql: str, params: dict[str, Any]) -> tuple[TextClause, dict[str, Any]]:
    """The statement and the parameters it names (timestamps typed, for SQLite's format)."""
    named = set(re.findall(r":(\w+)", sql))
    used = {name: value for name, value in params.items() if name in named}
    typed = [bindparam(name, type_=UTCDateTime()) for name in ("sent_before", "sent_after", "now")
             if name in used]
    return text(sql).bindparams(*typed), used


def _tag_filters(criteria: Criteria) -> list[Expr]:
    """Filters answered by the full-text index itself: an item's channel, author and
    attachments are tokens of its document, so the index intersects them with the words
    instead of the database checking every match."""
    tags: list[Expr] = []
    for ids, tag in ((criteria.channel_ids, channel_tag), (criteria.sender_ids, author_tag)):
        if ids is not None:
            tags.append(AnyOf(tuple(Seq((tag(i),)) for i in sorted(ids))))
    if criteria.has_file:
        tags.append(Seq((FILE_TAG,)))
    return tags


async def find(uow: UnitOfWork, actor: Actor, criteria: Criteria, *, sort: Sort, limit: int,
               offset: int, now: datetime) -> Found:
    """Ids of the messages matching `criteria` that the actor may read, best first (or
    newest first), and how many there are, counted up to RANK_WINDOW."""
    backend = _backend(uow)
    if uow.is_postgres:
        # A prepared statement's generic plan cannot know how rare the searched words are,
        # and walks the whole index newest first looking for a rare one: plan each search
        # for its own words.
        await uow.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    ranked = sort == "relevance" and bool(criteria.must)
    must = [*criteria.must, *_tag_filters(criteria)]
    if actor.role == Role.GUEST:
        # A guest reads a few channels: let the index look only at those.
        readable = await chat_queries.member_channel_ids(uow, actor.user_id)
        if not readable:
            return Found([], 0, False)
        if len(readable) <= GUEST_CHANNELS_AS_TAGS:
            must.append(AnyOf(tuple(Seq((channel_tag(c),)) for c in sorted(readable))))
    match, exclude = backend.compile_query(must, criteria.must_not)
    params: dict[str, Any] = {"window": RANK_WINDOW, "limit": limit, "offset": offset}
    where = _filters(actor, criteria, params)
    inner = "s.id, s.item_id, s.created_at"
    if match is not None:
        params["match"] = match
        source = backend.SOURCE
        where.insert(0, backend.MATCH)
        newest_first = backend.NEWEST_FIRST
        if ranked:
            inner += ", s.document" if uow.is_postgres else f", {backend.RELEVANCE} AS relevance"
    else:
        source = "search_items AS s"
        newest_first = "s.id DESC"
        if exclude is not None:
            params["exclude"] = exclude
            where.append(backend.EXCLUDE_ONLY)
    order = "w.id DESC"
    if ranked:
        params["now"] = now
        relevance = backend.RELEVANCE if uow.is_postgres else "w.relevance"
        order = f"{relevance} / (1.0 + {backend.AGE_DAYS} / {RECENCY_DAYS}) DESC, w.id DESC"
    # Every piece of SQL here is a constant of this module or a backend module; every value
    # (the compiled match text included) is a bound parameter.
    condition = " AND ".join(where)
    newest = (f"SELECT {inner} FROM {source} WHERE {condition} "  # noqa: S608
              f"ORDER BY {newest_first} LIMIT :window")
    rows = (await uow.session.execute(*_statement(
        f"SELECT w.item_id, count(*) OVER () AS found FROM ({newest}) AS w "  # noqa: S608
        f"ORDER BY {order} LIMIT :limit OFFSET :offset", params))).all()
    if rows:
        total = rows[0].found
    elif offset == 0:
        total = 0
    else:  # paged past the end
        total = await uow.session.scalar(*_statement(
            f"SELECT count(*) FROM ({newest}) AS w", params)) or 0  # noqa: S608
    return Found([row.item_id for row in rows], total, total >= RANK_WINDOW)


async def messages_by_id(uow: UnitOfWork, message_ids: Sequence[int]) -> list[Message]:
    """The live messages among `message_ids`, in that order."""
    if not message_ids:
        return []
    found = {m.id: m for m in await uow.session.scalars(
        select(Message).where(Message.id.in_(message_ids), Message.deleted_at.is_(None)))}
    return [found[i] for i in message_ids if i in found]


def criteria_from(parsed: ParsedQuery) -> Criteria:
    return Criteria(must=list(parsed.must), must_not=list(parsed.must_not),
                    has_file=parsed.has_file, in_thread=parsed.in_thread,
                    sent_before=parsed.sent_before, sent_after=parsed.sent_after)


async def resolve(uow: UnitOfWork, actor: Actor, parsed: ParsedQuery, *,
                  channel_id: int | None, sender_id: int | None, before: datetime | None,
                  after: datetime | None) -> Criteria | None:
    """The parsed query with its names turned into ids and the request's own filters
    added; None when a name matches nothing the actor can see, so nothing can match."""
    criteria = criteria_from(parsed)
    if channel_id is not None:
        criteria.channel_ids = {channel_id}
    if parsed.channel_names:
        named: set[int] = set()
        for name in parsed.channel_names:
            found = await readable_channels_named(uow, actor, name)
            if not found:
                parsed.warnings.append(f"No channel you can read is called {name!r}.")
            named |= found
        criteria.channel_ids = named if criteria.channel_ids is None else (
            criteria.channel_ids & named)
    senders: set[int] | None = None
    if sender_id is not None:
        senders = {sender_id}
    if parsed.sender_names or parsed.from_me:
        named = {actor.user_id} if parsed.from_me else set()
        for name in parsed.sender_names:
            people = await people_named(uow, name)
            if not people:
                parsed.warnings.append(f"Nobody is called {name!r}.")
            named |= people
        senders = named if senders is None else senders & named
    criteria.sender_ids = senders
    if parsed.mentions_me:
        criteria.must.append(await mentions_of(uow, actor.user_id))
    if before is not None:
        criteria.sent_before = min(filter(None, (criteria.sent_before, before)))
    if after is not None:
        criteria.sent_after = max(filter(None, (criteria.sent_after, after)))
    if criteria.channel_ids == set() or criteria.sender_ids == set():
        return None
    return criteria
