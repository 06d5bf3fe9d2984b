"""Pages in search. Each live page is one item of kind "page" in its own scope `page:<id>`:
its title and its derived plain text. Who finds it is asked when a search runs
(`PageReaders`: whoever may read it now, by the SQL of `queries.seen_by`, the rule of
`access_page`), so a grant given or taken away changes who finds it without touching the
index.

Indexed in the transaction that makes a page, renames it or brings it back from the trash
(`do_index_page`; the co-editing socket calls it again when the derived text changes), and
taken out when it goes to the trash. `xietong reindex` indexes every live page afresh.
Pages came with search (migration 0027 makes their tables), so no migration indexes older
ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import ColumnElement, delete, select

from xietong.core.actor import Actor
from xietong.core.db import table_of
from xietong.core.events import Scope
from xietong.core.signals import FoundItems, IndexRebuilding
from xietong.core.uow import UnitOfWork
from xietong.documents.models import Page, Space
from xietong.documents.queries import live_pages_seen_by
from xietong.search.indexing import Searchable, do_index, do_index_many, do_unindex_kind
from xietong.search.models import ItemKind, SearchItem
from xietong.search.schemas import PageClassification, PageSpaceRef, PageSummary
from xietong.search.views import FoundPage

PAGE = "page"
REINDEX_BATCH = 1000
# What of a page's text the index takes: a book-length page is found by its first hundred
# thousand characters (the analysis of more costs the edit that indexes it).
INDEXED_CHARACTERS = 100_000


class PageFields(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def created_by(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...


PAGE_COLUMNS = (Page.id, Page.title, Page.text, Page.created_by, Page.created_at)


def page_searchable(page: PageFields) -> Searchable:
    """A page as the index sees it: its title and text; `from:` whoever made it."""
    return Searchable(kind=ItemKind.PAGE, item_id=page.id, scope=Scope(PAGE, page.id),
                      author_id=page.created_by, created_at=page.created_at,
                      text=f"{page.title}\n{page.text[:INDEXED_CHARACTERS]}")


async def do_index_page(uow: UnitOfWork, page: Page) -> None:
    """Index a page just made (after its flush), or again when its title or text changed."""
    await do_index(uow, page_searchable(page))


async def do_index_pages(uow: UnitOfWork, page_ids: Iterable[int]) -> None:
    """Index pages back from the trash, in a few statements."""
    wanted = list(set(page_ids))
    for start in range(0, len(wanted), REINDEX_BATCH):
        rows = (await uow.session.execute(
            select(*PAGE_COLUMNS).where(Page.id.in_(wanted[start:start + REINDEX_BATCH])))
                ).all()
        await do_unindex_pages(uow, [row.id for row in rows])
        await do_index_many(uow, [page_searchable(row) for row in rows])


async def do_unindex_pages(uow: UnitOfWork, page_ids: Sequence[int]) -> None:
    """Take pages out of the index (they went to the trash)."""
    items = table_of(SearchItem)
    for start in range(0, len(page_ids), REINDEX_BATCH):
        await uow.session.execute(delete(items).where(
            items.c.kind == ItemKind.PAGE,
            items.c.item_id.in_(list(page_ids[start:start + REINDEX_BATCH]))))


class PageReaders:
    """Who may find a page: whoever may read it now (the rule of `access_page`)."""

    kind = PAGE

    def may_read(self, actor: Actor, scope_id: ColumnElement[int]) -> ColumnElement[bool]:
        # The pages the actor reads, worked out once per search, then a lookup per match.
        return scope_id.in_(live_pages_seen_by(actor))


async def found_pages(uow: UnitOfWork, signal: FoundItems) -> dict[int, FoundPage] | None:
    """Search's hits of kind "page", as it shows them (those gone to the trash since are
    left out)."""
    if signal.kind != ItemKind.PAGE:
        return None
    rows = await uow.session.execute(
        select(Page.id, Page.title, Page.icon, Page.classification, Page.updated_at,
               Page.text, Space.id.label("space_id"), Space.name.label("space_name"))
        .join(Space, Space.id == Page.space_id)
        .where(Page.id.in_(signal.item_ids), Page.deleted_at.is_(None)))
    return {row.id: FoundPage(
        summary=PageSummary(id=row.id, title=row.title, icon=row.icon,
                            space=PageSpaceRef(id=row.space_id, name=row.space_name),
                            classification=cast(PageClassification, row.classification),
                            updated_at=row.updated_at),
        body=row.text) for row in rows}


async def reindex_pages(uow: UnitOfWork, _signal: IndexRebuilding) -> tuple[str, int]:
    """Every live page into the index afresh."""
    await do_unindex_kind(uow, ItemKind.PAGE)
    count, after = 0, 0
    while batch := (await uow.session.execute(
            select(*PAGE_COLUMNS).where(Page.id > after, Page.deleted_at.is_(None))
            .order_by(Page.id).limit(REINDEX_BATCH))).all():
        await do_index_many(uow, [page_searchable(row) for row in batch])
        after, count = batch[-1].id, count + len(batch)
    return "pages", count
