"""Terms as the API shows them, built from a few batched reads."""

from __future__ import annotations

import html
from collections.abc import Sequence

import nh3

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.glossary import queries
from xietong.glossary.access import Viewer
from xietong.glossary.models import GlossaryTerm, GlossaryTermRevision, TermStatus, TermVisibility
from xietong.glossary.schemas import (
    FieldChange,
    RevisionOut,
    TermCard,
    TermData,
    TermListItem,
    TermOut,
    TermRef,
)
from xietong.org import queries as org_queries
from xietong.org.schemas import DepartmentRef
from xietong.org.views import department_path
from xietong.policy import glossary as glossary_policy
from xietong.policy.glossary import TermStanding

EXCERPT_CHARS = 160
CARD_EXCERPT_CHARS = 120


def plain_text(definition_html: str) -> str:
    """The rendered definition as one line of plain text (no tags, entities decoded)."""
    return " ".join(html.unescape(nh3.clean(definition_html, tags=set())).split())


def excerpt(definition_html: str, limit: int = EXCERPT_CHARS) -> str:
    text = plain_text(definition_html)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def term_link(term_id: int) -> str:
    return f"/glossary/{term_id}"


async def department_refs(uow: UnitOfWork, department_ids: Sequence[int | None]
                          ) -> dict[int, DepartmentRef]:
    wanted = {d for d in department_ids if d is not None}
    if not wanted:
        return {}
    departments = await org_queries.all_departments(uow)
    names = {d.id: d.name for d in departments}
    parents = org_queries.parent_map(departments)
    return {d: DepartmentRef(id=d, path=department_path(names, parents, d))
            for d in wanted if d in names}


async def terms_data(uow: UnitOfWork, terms: Sequence[GlossaryTerm]) -> list[TermData]:
    ids = [t.id for t in terms]
    aliases = await queries.aliases_of(uow, ids)
    owners = await queries.owners_of(uow, ids)
    followers = await queries.follower_counts(uow, ids)
    departments = await department_refs(uow, [t.department_id for t in terms])
    return [TermData(
        id=t.id, term=t.term, aliases=aliases.get(t.id, []), english=t.english,
        definition=t.definition, definition_html=t.definition_html, examples=list(t.examples),
        department=departments.get(t.department_id) if t.department_id is not None else None,
        owner_ids=owners.get(t.id, []), visibility=TermVisibility(t.visibility),
        status=TermStatus(t.status), replaced_by_id=t.replaced_by_id,
        follower_count=followers.get(t.id, 0), created_by=t.created_by,
        created_at=t.created_at, updated_by=t.updated_by, updated_at=t.updated_at)
        for t in terms]


async def term_data(uow: UnitOfWork, term: GlossaryTerm) -> TermData:
    return (await terms_data(uow, [term]))[0]


def actions_for(actor: Actor, standing: TermStanding) -> list[str]:
    can = []
    if glossary_policy.can_edit_term(actor, standing):
        can.append("edit")
    if glossary_policy.can_delete_term(actor, standing):
        can.append("delete")
    return can


async def readable_ref(uow: UnitOfWork, viewer: Viewer, term_id: int | None) -> TermRef | None:
    """A term named by another (its successor), when the viewer may read it."""
    if term_id is None:
        return None
    other = (await queries.terms_by_ids(uow, [term_id])).get(term_id)
    if other is None:
        return None
    owners = (await queries.owners_of(uow, [other.id]))[other.id]
    if not viewer.may_read(other.department_id, other.visibility, owners):
        return None
    return TermRef(id=other.id, term=other.term)


async def term_out(uow: UnitOfWork, viewer: Viewer, term: GlossaryTerm,
                   standing: TermStanding) -> TermOut:
    data = await term_data(uow, term)
    following = term.id in await queries.followed_by(uow, viewer.actor.user_id, [term.id])
    return TermOut(**data.model_dump(), replaced_by=await readable_ref(
        uow, viewer, term.replaced_by_id), following=following,
        can=actions_for(viewer.actor, standing))


async def list_items(uow: UnitOfWork, actor: Actor,
                     terms: Sequence[GlossaryTerm]) -> list[TermListItem]:
    ids = [t.id for t in terms]
    aliases = await queries.aliases_of(uow, ids)
    followers = await queries.follower_counts(uow, ids)
    following = await queries.followed_by(uow, actor.user_id, ids)
    departments = await department_refs(uow, [t.department_id for t in terms])
    return [TermListItem(
        id=t.id, term=t.term, aliases=aliases.get(t.id, []), english=t.english,
        excerpt=excerpt(t.definition_html),
        department=departments.get(t.department_id) if t.department_id is not None else None,
        visibility=TermVisibility(t.visibility), status=TermStatus(t.status),
        follower_count=followers.get(t.id, 0), following=t.id in following,
        updated_at=t.updated_at) for t in terms]


async def term_card(uow: UnitOfWork, viewer: Viewer, term: GlossaryTerm) -> TermCard:
    aliases = (await queries.aliases_of(uow, [term.id]))[term.id]
    departments = await department_refs(uow, [term.department_id])
    return TermCard(
        id=term.id, term=term.term, english=term.english, aliases=aliases,
        excerpt=excerpt(term.definition_html, CARD_EXCERPT_CHARS),
        department=departments.get(term.department_id)
        if term.department_id is not None else None,
        status=TermStatus(term.status),
        replaced_by=await readable_ref(uow, viewer, term.replaced_by_id),
        link=term_link(term.id))


def revision_out(row: GlossaryTermRevision) -> RevisionOut:
    return RevisionOut(
        id=row.id, actor_id=row.actor_id, change=row.change,
        changes=[FieldChange(field=name, before=values[0], after=values[1])
                 for name, values in row.changes.items()],
        created_at=row.created_at)
