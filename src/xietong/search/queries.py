"""Read paths of search: resolving a parsed query's names, and finding what the actor may
read now. All of search's SQL lives here and in the two backend modules.

Ranking: a match's relevance (FTS5's bm25, PostgreSQL's ts_rank; both over the same
tokens) divided by 1 + age/90 days, so a three-month-old message needs twice the relevance
of today's to rank above it. Relevance is computed over the newest RANK_WINDOW readable
matches: a word in tens of thousands of messages then costs about what a rarer one does,
and the newest matches are the ones a recency boost would put first anyway. `sort=date`
is exact: the newest matches first. Either way `total` counts up to RANK_WINDOW, and
says when it stopped there.

Messages, requests, tasks and projects are found together, in one order (`Criteria.kinds`:
every kind, or the one `kind=` asks for). Scope (channel), author and attachment filters are
tokens of the indexed document, so the full-text index intersects them with the words. Who
may read a scope changes, so that is asked at query time of the domain that owns its kind
(`search.scopes`; for channels `chat.access.readable_now`, the rule every channel request
follows; for requests `requests.queries.seen_by`; for projects and their tasks
`projects.queries.seen_by`) and checked as matches are read newest first; a guest,
who reads few channels, also has their channels as tokens, so the index looks only there
(and at the items of the other kinds, by their `__kind_<kind>` token).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    String,
    TableClause,
    TextClause,
    bindparam,
    func,
    literal_column,
    quoted_name,
    select,
    table,
    text,
)

from xietong.chat import access as chat_access
from xietong.chat import queries as chat_queries
from xietong.core.actor import Actor
from xietong.core.db import UTCDateTime
from xietong.core.events import CHANNEL, Scope
from xietong.core.uow import UnitOfWork
from xietong.org import access as org_access
from xietong.org import queries as org_queries
from xietong.policy import chat as chat_policy
from xietong.search import fts_postgres, fts_sqlite
from xietong.search.indexing import (
    FILE_TAG,
    MENTION_ALL_TAG,
    author_tag,
    department_mention_tag,
    kind_tag,
    mention_tag,
)
from xietong.search.models import ItemKind
from xietong.search.query import ParsedQuery
from xietong.search.scopes import ReadableScopes, scope_tag
from xietong.search.text import AnyOf, Expr, Seq

# Relevance is computed over this many newest matches; it is also where counting stops
# (the reply says when it did) and how deep paging goes.
RANK_WINDOW = 500
RECENCY_DAYS = 90.0
# Up to this many channels, a guest's channels are also index tokens (one OR of tags).
GUEST_CHANNELS_AS_TAGS = 50

Sort = Literal["relevance", "date"]
# The kinds of item a search finds, and shows (`search.views`).
SEARCHED_KINDS: tuple[str, ...] = (ItemKind.MESSAGE, ItemKind.REQUEST, ItemKind.TASK,
                                   ItemKind.PROJECT, ItemKind.OBJECTIVE, ItemKind.PAGE,
                                   ItemKind.TERM)


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
    kinds: tuple[str, ...] = SEARCHED_KINDS


@dataclass(frozen=True, slots=True)
class Found:
    # (kind, item id), best first: one order over every kind.
    items: list[tuple[str, int]]
    total: int
    total_capped: bool

    @property
    def item_ids(self) -> list[int]:
        return [item_id for _, item_id in self.items]


def _backend(uow: UnitOfWork) -> ModuleType:
    return fts_postgres if uow.is_postgres else fts_sqlite


# --- resolving names -----------------------------------------------------------------------

async def people_named(uow: UnitOfWork, actor: Actor, name: str) -> set[int]:
    """A username, an email, or a display name; failing those, directory matches (pinyin,
    initials). Only people the actor may see (`org.access.visible_user_ids`): a guest's
    `from:` cannot probe who works here."""
    visible = await org_access.visible_user_ids(uow, actor)
    found = await org_queries.find_user_by_login(uow, name)
    if found is not None and (visible is None or found.id in visible):
        return {found.id}
    matches = await org_queries.search_directory(
        uow, query=name, department_ids=None, visible_ids=visible, include_inactive=True,
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

class _Row:
    """Columns of the index row under the alias `s`, the name the backends' SQL fragments
    use (the FROM clause itself is theirs: FTS5 joins its table in first)."""

    id = literal_column("s.id", Integer)
    item_id = literal_column("s.item_id", Integer)
    kind = literal_column("s.kind", String)
    scope_kind = literal_column("s.scope_kind", String)
    scope_id = literal_column("s.scope_id", Integer)
    created_at = literal_column("s.created_at", UTCDateTime())
    in_thread = literal_column("s.in_thread", Boolean)


Condition = ColumnElement[bool] | TextClause


def _source(sql: str) -> TableClause:
    """A backend's FROM clause, written as it is (FTS5's needs `CROSS JOIN`, SQLite's way
    of fixing the join order, which SQLAlchemy cannot spell). It is a constant of the backend
    module, never built from input."""
    return table(quoted_name(sql, quote=False))


def _fragment(sql: str, **values: Any) -> TextClause:
    """A constant SQL fragment of a backend module with the values it names bound (every
    value is a bound parameter, the compiled match text included; timestamps typed, for
    SQLite's stored format)."""
    used = {name: value for name, value in values.items() if f":{name}" in sql}
    return text(sql).bindparams(*(
        bindparam(name, value, type_=UTCDateTime()) if isinstance(value, datetime)
        else bindparam(name, value) for name, value in used.items()))


def _channel_tag(channel_id: int) -> str:
    return scope_tag(Scope(CHANNEL, channel_id))


def _tag_filters(criteria: Criteria) -> list[Expr]:
    """Filters answered by the full-text index itself: an item's scope, author and
    attachments are tokens of its document, so the index intersects them with the words
    instead of the database checking every match."""
    tags: list[Expr] = []
    for ids, tag in ((criteria.channel_ids, _channel_tag), (criteria.sender_ids, author_tag)):
        if ids is not None:
            tags.append(AnyOf(tuple(Seq((tag(i),)) for i in sorted(ids))))
    if criteria.has_file:
        tags.append(Seq((FILE_TAG,)))
    return tags


def _row_filters(actor: Actor, criteria: Criteria, scopes: ReadableScopes) -> list[Condition]:
    """Conditions on the index row itself: its kind, that the actor may read its scope
    now, thread and dates."""
    where: list[Condition] = [_Row.kind.in_(criteria.kinds),
                              scopes.where(actor, _Row.scope_kind, _Row.scope_id)]
    if criteria.in_thread:
        where.append(_Row.in_thread)
    if criteria.sent_before is not None:
        where.append(_Row.created_at < criteria.sent_before)
    if criteria.sent_after is not None:
        where.append(_Row.created_at >= criteria.sent_after)
    return where


async def find(uow: UnitOfWork, actor: Actor, criteria: Criteria, *, scopes: ReadableScopes,
               sort: Sort, limit: int, offset: int, now: datetime) -> Found:
    """The items (of `criteria.kinds`) matching `criteria` that the actor may read, best
    first (or newest first), and how many there are, counted up to RANK_WINDOW."""
    backend = _backend(uow)
    if uow.is_postgres:
        # A prepared statement's generic plan cannot know how rare the searched words are,
        # and walks the whole index newest first looking for a rare one: plan each search
        # for its own words.
        await uow.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    ranked = sort == "relevance" and bool(criteria.must)
    must = [*criteria.must, *_tag_filters(criteria)]
    other_kinds = [kind for kind in criteria.kinds if kind != ItemKind.MESSAGE]
    if ItemKind.MESSAGE in criteria.kinds and not chat_policy.can_preview_public_channels(
            actor):
        # Only member channels are readable (a guest): few, so let the index look only
        # there, and at the items of the other kinds (fewer than messages by far), whose
        # readers are asked as usual.
        readable = await chat_queries.member_channel_ids(uow, actor.user_id)
        if not readable and not other_kinds:
            return Found([], 0, False)
        if len(readable) <= GUEST_CHANNELS_AS_TAGS:
            must.append(AnyOf((*(Seq((_channel_tag(c),)) for c in sorted(readable)),
                               *(Seq((kind_tag(kind),)) for kind in other_kinds))))
    match, exclude = backend.compile_query(must, criteria.must_not)
    where = _row_filters(actor, criteria, scopes)
    columns: list[Any] = [_Row.id.label("id"), _Row.kind.label("kind"),
                          _Row.item_id.label("item_id"), _Row.created_at.label("created_at")]
    if match is not None:
        where.insert(0, _fragment(backend.MATCH, match=match))
        source, newest_first = backend.SOURCE, backend.NEWEST_FIRST
        if ranked:
            columns.append(literal_column(backend.RANKED_COLUMN))
    else:
        source, newest_first = "search_items AS s", "s.id DESC"
        if exclude is not None:
            where.append(_fragment(backend.EXCLUDE_ONLY, exclude=exclude))
    newest = (select(*columns).select_from(_source(source)).where(*where)
              .order_by(text(newest_first)).limit(RANK_WINDOW).subquery("w"))
    order: list[Any] = [newest.c.id.desc()]
    if ranked:
        # Relevance damped by age: RECENCY_DAYS old needs twice the relevance of today.
        order.insert(0, _fragment(
            f"{backend.RELEVANCE} / (1.0 + {backend.AGE_DAYS} / {RECENCY_DAYS}) DESC",
            match=match, now=now))
    page: Select[Any] = (select(newest.c.kind, newest.c.item_id,
                                func.count().over().label("found"))
                         .order_by(*order).limit(limit).offset(offset))
    rows = (await uow.session.execute(page)).all()
    if rows:
        total = int(rows[0].found)
    elif offset == 0:
        total = 0
    else:  # paged past the end
        total = await uow.session.scalar(select(func.count()).select_from(newest)) or 0
    return Found([(row.kind, row.item_id) for row in rows], total, total >= RANK_WINDOW)


def criteria_from(parsed: ParsedQuery) -> Criteria:
    return Criteria(must=list(parsed.must), must_not=list(parsed.must_not),
                    has_file=parsed.has_file, in_thread=parsed.in_thread,
                    sent_before=parsed.sent_before, sent_after=parsed.sent_after)


async def resolve(uow: UnitOfWork, actor: Actor, parsed: ParsedQuery, *,
                  channel_id: int | None, sender_id: int | None, before: datetime | None,
                  after: datetime | None, kind: str | None = None) -> Criteria | None:
    """The parsed query with its names turned into ids and the request's own filters
    added (`kind`: only items of that kind); None when a name matches nothing the actor
    can see, so nothing can match."""
    criteria = criteria_from(parsed)
    if kind is not None:
        criteria.kinds = (kind,)
    if channel_id is not None:
        criteria.channel_ids = {channel_id}
    if parsed.channel_names:
        named: set[int] = set()
        for name in parsed.channel_names:
            found = await chat_access.readable_channel_ids_named(uow, actor, name)
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
            people = await people_named(uow, actor, name)
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
    if criteria.channel_ids is not None:
        # Only messages are in channels.
        criteria.kinds = tuple(k for k in criteria.kinds if k == ItemKind.MESSAGE)
    if criteria.channel_ids == set() or criteria.sender_ids == set() or not criteria.kinds:
        return None
    return criteria
