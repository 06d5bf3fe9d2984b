"""Finding a term for someone: a term they may not read does not exist for them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.glossary import queries
from xietong.glossary.models import GlossaryTerm
from xietong.org import queries as org_queries
from xietong.policy import glossary as glossary_policy
from xietong.policy.glossary import TermStanding


@dataclass(frozen=True, slots=True)
class Viewer:
    """What a term's standing is worked out from: the departments at or above the actor's
    own, and those at or below the ones they manage."""

    actor: Actor
    above_mine: frozenset[int]
    managed: frozenset[int]
    # Where a term they write belongs unless they say: their primary department, else their
    # first (None: they are in none).
    home_department_id: int | None = None

    def standing(self, department_id: int | None, visibility: str,
                 owner_ids: Collection[int]) -> TermStanding:
        return TermStanding(
            owner=self.actor.user_id in owner_ids,
            in_department=department_id is not None and department_id in self.above_mine,
            manages_department=department_id is not None and department_id in self.managed,
            visibility=visibility)

    def may_read(self, department_id: int | None, visibility: str,
                 owner_ids: Collection[int]) -> bool:
        return glossary_policy.can_read_term(
            self.actor, self.standing(department_id, visibility, owner_ids))


async def viewer_of(uow: UnitOfWork, actor: Actor) -> Viewer:
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    mine = (await org_queries.memberships_of(uow, [actor.user_id]))[actor.user_id]
    above = {d for own in mine.department_ids if own in parents
             for d in org_queries.ancestors_and_self(parents, own)}
    managed = {d for top in await org_queries.departments_managed_by(uow, actor.user_id)
               if top in parents for d in org_queries.descendants_and_self(parents, top)}
    home = mine.primary_department_id or next(iter(mine.department_ids), None)
    return Viewer(actor, frozenset(above), frozenset(managed), home)


@dataclass(frozen=True, slots=True)
class TermAccess:
    term: GlossaryTerm
    owner_ids: list[int]
    standing: TermStanding
    viewer: Viewer


async def access_term(uow: UnitOfWork, actor: Actor, term_id: int, *,
                      viewer: Viewer | None = None, for_update: bool = False) -> TermAccess:
    """The term and where `actor` stands towards it, or `NotFound` when they may not read
    it; its row locked with `for_update`."""
    statement = select(GlossaryTerm).where(GlossaryTerm.id == term_id)
    if for_update:
        statement = statement.with_for_update()
    term = await uow.session.scalar(statement)
    if term is None:
        raise NotFound("No such term.")
    owner_ids = (await queries.owners_of(uow, [term.id]))[term.id]
    viewer = viewer or await viewer_of(uow, actor)
    standing = viewer.standing(term.department_id, term.visibility, owner_ids)
    if not glossary_policy.can_read_term(actor, standing):
        raise NotFound("No such term.")
    return TermAccess(term, owner_ids, standing, viewer)
