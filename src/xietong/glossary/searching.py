"""Terms in search. Each term is one item of kind "term" in its own scope, `term:<id>`: its
name, aliases, English name, definition and examples. Who finds it is asked when a search
runs (`TermReaders`: whoever may read it now, `queries.seen_by`), so a change of visibility,
department or owners needs no re-indexing; a guest finds the company-wide terms, as they
read them.

Indexed in the transaction that creates a term or changes its words (`do_index_term`),
unindexed with its deletion; `xietong reindex` indexes every term afresh. Terms came with
search (migration 0027 makes their tables empty), so no migration indexes older ones."""

from __future__ import annotations

from typing import cast

from sqlalchemy import ColumnElement, select

from xietong.core.actor import Actor
from xietong.core.events import Scope
from xietong.core.signals import FoundItems, IndexRebuilding
from xietong.core.uow import UnitOfWork
from xietong.glossary import queries
from xietong.glossary.models import GlossaryTerm
from xietong.glossary.views import department_refs, plain_text
from xietong.search.indexing import (
    Searchable,
    do_index,
    do_index_many,
    do_unindex,
    do_unindex_kind,
)
from xietong.search.models import ItemKind
from xietong.search.schemas import TermStatus, TermSummary
from xietong.search.views import FoundTerm

TERM = "term"
REINDEX_BATCH = 1000


def searchable_body(term: GlossaryTerm, aliases: list[str]) -> str:
    """What a hit highlights: the other names, the definition as text, the examples."""
    return "\n".join(part for part in (" ".join(aliases), term.english,
                                       plain_text(term.definition_html), *term.examples)
                     if part)


def term_searchable(term: GlossaryTerm, aliases: list[str]) -> Searchable:
    """The term as the index sees it; `from:` its creator."""
    return Searchable(kind=ItemKind.TERM, item_id=term.id, scope=Scope(TERM, term.id),
                      author_id=term.created_by, created_at=term.created_at,
                      text=f"{term.term}\n{searchable_body(term, aliases)}")


async def do_index_term(uow: UnitOfWork, term: GlossaryTerm) -> None:
    """Index a term just created (after its flush), or again when its words changed."""
    await uow.flush()
    aliases = (await queries.aliases_of(uow, [term.id]))[term.id]
    await do_index(uow, term_searchable(term, aliases))


async def do_unindex_term(uow: UnitOfWork, term_id: int) -> None:
    await do_unindex(uow, ItemKind.TERM, term_id)


class TermReaders:
    """Who may find a term: whoever may read it now (the rule of `access_term`)."""

    kind = TERM

    def may_read(self, actor: Actor, scope_id: ColumnElement[int]) -> ColumnElement[bool]:
        return scope_id.in_(select(GlossaryTerm.id).where(queries.seen_by(actor)))


async def found_terms(uow: UnitOfWork, signal: FoundItems) -> dict[int, FoundTerm] | None:
    if signal.kind != ItemKind.TERM:
        return None
    terms = await queries.terms_by_ids(uow, signal.item_ids)
    aliases = await queries.aliases_of(uow, terms)
    departments = await department_refs(uow, [t.department_id for t in terms.values()])
    return {t.id: FoundTerm(
        summary=TermSummary(
            id=t.id, term=t.term, english=t.english, aliases=aliases.get(t.id, []),
            department=departments.get(t.department_id)
            if t.department_id is not None else None,
            status=cast(TermStatus, t.status)),
        body=searchable_body(t, aliases.get(t.id, [])))
        for t in terms.values()}


async def reindex_terms(uow: UnitOfWork, _signal: IndexRebuilding) -> tuple[str, int]:
    """Every term into the index afresh."""
    await do_unindex_kind(uow, ItemKind.TERM)
    count, after = 0, 0
    while batch := list(await uow.session.scalars(
            select(GlossaryTerm).where(GlossaryTerm.id > after).order_by(GlossaryTerm.id)
            .limit(REINDEX_BATCH))):
        aliases = await queries.aliases_of(uow, [t.id for t in batch])
        await do_index_many(uow, [term_searchable(t, aliases.get(t.id, [])) for t in batch])
        after, count = batch[-1].id, count + len(batch)
    return "terms", count
