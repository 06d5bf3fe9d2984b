"""Writing the search index. Every function runs inside the caller's unit of work, so an
item and its index entry commit (or roll back) together; none commits.

The interface is the `Searchable`: any domain that wants its items found (messages and
requests now; documents and tasks later) describes an item with its scope (whose readers
may find it, see `search.scopes`) and calls `do_index` / `do_unindex` in its own actions
(requests: `requests.searching`), and answers `IndexRebuilding` by indexing all of its
items again. Messages, of chat below search, have their own shorthands, which search calls
on chat's signals:

    do_send_message   → await do_index_message(uow, message)       (after its flush)
    do_edit_message   → await do_index_message(uow, message)       (re-indexes in place)
    do_delete_message → await do_unindex_message(uow, message.id)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Executable, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from xietong.chat.models import Message
from xietong.core.db import table_of
from xietong.core.events import CHANNEL, Scope
from xietong.core.signals import IndexRebuilding
from xietong.core.uow import UnitOfWork
from xietong.search import fts_postgres, fts_sqlite
from xietong.search.models import ItemKind, SearchItem
from xietong.search.scopes import scope_tag
from xietong.search.text import analyse

# Tokens that carry no text, only facts filters look for (never produced by analysis,
# which starts marked tokens with a single "_"): the full-text index then answers
# "in this channel", "from this person", "with a file" together with the words.
MENTION_ALL_TAG = "__all"
FILE_TAG = "__f"


def author_tag(user_id: int) -> str:
    return f"__a{user_id}"


def mention_tag(user_id: int) -> str:
    return f"__u{user_id}"


def department_mention_tag(department_id: int) -> str:
    return f"__d{department_id}"


def kind_tag(kind: str) -> str:
    """The token every item of a kind other than messages carries: a search narrowed to a
    guest's few channels still reaches the (few) items of the other kinds through it."""
    return f"__kind_{kind}"


@dataclass(frozen=True, slots=True)
class Searchable:
    """An item as the index sees it."""

    kind: str
    item_id: int
    scope: Scope
    author_id: int | None
    created_at: datetime
    text: str
    has_file: bool = False
    in_thread: bool = False
    tags: tuple[str, ...] = ()


class MessageFields(Protocol):
    """What indexing reads of a message: a `Message`, or a row of these columns."""

    @property
    def id(self) -> int: ...
    @property
    def channel_id(self) -> int: ...
    @property
    def sender_id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def thread_root_id(self) -> int | None: ...
    @property
    def reply_count(self) -> int: ...
    @property
    def mentions(self) -> dict[str, Any]: ...
    @property
    def file_ids(self) -> list[int]: ...


MESSAGE_COLUMNS = (Message.id, Message.channel_id, Message.sender_id, Message.text,
                   Message.created_at, Message.thread_root_id, Message.reply_count,
                   Message.mentions, Message.file_ids)


def message_searchable(message: MessageFields) -> Searchable:
    mentions: dict[str, Any] = message.mentions or {}
    tags = [mention_tag(u) for u in mentions.get("user_ids", [])]
    tags += [department_mention_tag(d) for d in mentions.get("department_ids", [])]
    if mentions.get("all"):
        tags.append(MENTION_ALL_TAG)
    return Searchable(
        kind=ItemKind.MESSAGE, item_id=message.id, scope=Scope(CHANNEL, message.channel_id),
        author_id=message.sender_id, created_at=message.created_at, text=message.text,
        has_file=bool(message.file_ids),
        in_thread=message.thread_root_id is not None or (message.reply_count or 0) > 0,
        tags=tuple(tags))


def index_row(item: Searchable, *, is_postgres: bool) -> dict[str, Any]:
    """The `search_items` row of `item` (also written by migrations that index what was
    there before its kind was searchable)."""
    analysed = analyse(item.text)
    encode = (fts_postgres if is_postgres else fts_sqlite).encode_document
    tags = [scope_tag(item.scope), *item.tags]
    if item.kind != ItemKind.MESSAGE:
        tags.append(kind_tag(item.kind))
    if item.author_id is not None:
        tags.append(author_tag(item.author_id))
    if item.has_file:
        tags.append(FILE_TAG)
    return {"kind": item.kind, "item_id": item.item_id, "scope_kind": item.scope.kind,
            "scope_id": item.scope.id,
            "author_id": item.author_id, "created_at": item.created_at,
            "has_file": item.has_file, "in_thread": item.in_thread,
            "document": encode(analysed.terms, [*analysed.extras, *tags])}


def _row(uow: UnitOfWork, item: Searchable) -> dict[str, Any]:
    return index_row(item, is_postgres=uow.is_postgres)


_REPLACED = ("scope_kind", "scope_id", "author_id", "created_at", "has_file", "in_thread",
             "document")

# Statements on the table itself, not the mapped class: an ORM-enabled INSERT … ON CONFLICT
# goes through SQLAlchemy's bulk-persistence machinery and an ORM UPDATE/DELETE through
# session synchronisation, which together cost several times the statement itself, inside
# the sender's transaction. Nothing of the index is ever held as an object in a session.
_ITEMS = table_of(SearchItem)


@functools.cache
def _upsert(is_postgres: bool) -> Executable:
    # Built once: building (and cache-keying) an INSERT … ON CONFLICT per message costs
    # more than running it.
    statement = (postgres_insert if is_postgres else sqlite_insert)(_ITEMS)
    return statement.on_conflict_do_update(
        index_elements=[_ITEMS.c.kind, _ITEMS.c.item_id],
        set_={name: statement.excluded[name] for name in _REPLACED})


_MARK_THREAD_ROOT = (
    update(_ITEMS)
    .where(_ITEMS.c.kind == ItemKind.MESSAGE, _ITEMS.c.item_id == bindparam("root_id"),
           _ITEMS.c.in_thread.is_(False))
    .values(in_thread=True))

_UNINDEX = delete(_ITEMS).where(_ITEMS.c.kind == bindparam("item_kind"),
                                _ITEMS.c.item_id == bindparam("unindexed_id"))


async def do_index(uow: UnitOfWork, item: Searchable) -> None:
    """Add `item` to the index, or replace its entry (keeping its place in date order)."""
    await uow.session.execute(_upsert(uow.is_postgres), _row(uow, item))


async def do_index_many(uow: UnitOfWork, items: Sequence[Searchable]) -> None:
    """Add items known not to be indexed yet, in one batch (backfills, bulk loads)."""
    if items:
        await uow.session.execute(insert(_ITEMS), [_row(uow, i) for i in items])


async def do_unindex(uow: UnitOfWork, kind: str, item_id: int) -> None:
    await uow.session.execute(_UNINDEX, {"item_kind": kind, "unindexed_id": item_id})


async def do_unindex_kind(uow: UnitOfWork, kind: str) -> None:
    """Every item of `kind` out of the index (a domain's rebuild starts here)."""
    await uow.session.execute(delete(_ITEMS).where(_ITEMS.c.kind == kind))


async def do_index_message(uow: UnitOfWork, message: Message) -> None:
    """Index a message just sent or edited (call after the flush that gave it its id).
    A deleted message leaves the index; a reply marks its thread's root as in a thread."""
    if message.deleted_at is not None:
        await do_unindex_message(uow, message.id)
        return
    await do_index(uow, message_searchable(message))
    if message.thread_root_id is not None:
        await uow.session.execute(_MARK_THREAD_ROOT, {"root_id": message.thread_root_id})


async def do_unindex_message(uow: UnitOfWork, message_id: int) -> None:
    await do_unindex(uow, ItemKind.MESSAGE, message_id)


REBUILD_BATCH = 2000


async def rebuild_everything(uow: UnitOfWork) -> list[tuple[str, int]]:
    """Index every item afresh, messages and what the domains above search index (they
    answer `IndexRebuilding`), after an upgrade or if the index is suspect. Runs in the
    caller's unit of work; returns what was indexed, as `(what, how many)`."""
    indexed = [("messages", await _reindex_messages(uow))]
    indexed += [answer for answer in await uow.signal(IndexRebuilding()) if answer is not None]
    await optimise_index(uow)
    return indexed


async def rebuild_index(uow: UnitOfWork) -> int:
    """Index every live message afresh; how many (`rebuild_everything` does every kind)."""
    count = await _reindex_messages(uow)
    await optimise_index(uow)
    return count


async def _reindex_messages(uow: UnitOfWork) -> int:
    await do_unindex_kind(uow, ItemKind.MESSAGE)
    count = 0
    after = 0
    while True:
        batch = (await uow.session.execute(
            select(*MESSAGE_COLUMNS).where(Message.id > after, Message.deleted_at.is_(None))
            .order_by(Message.id).limit(REBUILD_BATCH))).all()
        if not batch:
            break
        await do_index_many(uow, [message_searchable(m) for m in batch])
        after = batch[-1].id
        count += len(batch)
    return count


async def optimise_index(uow: UnitOfWork) -> None:
    """After a bulk load: merge FTS5's segments (SQLite) or refresh planner statistics."""
    if uow.is_postgres:
        await uow.session.execute(text("ANALYZE search_items"))
    else:
        await uow.session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))


async def indexed_count(uow: UnitOfWork, kind: str = ItemKind.MESSAGE) -> int:
    return await uow.session.scalar(
        select(func.count()).select_from(SearchItem).where(SearchItem.kind == kind)) or 0
