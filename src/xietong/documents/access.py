"""Finding a space or a page for someone, with their level in it: what they may not see does
not exist for them (404); what they see but may not do is refused (403).

`access_page(uow, actor, page_id, need=...)` is what every page route and the co-editing
socket ask: the page, its space and the caller's level, or the refusal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound
from xietong.core.uow import UnitOfWork
from xietong.documents import queries
from xietong.documents.models import Grant, Page, Space
from xietong.documents.queries import GrantRow
from xietong.org import queries as org_queries
from xietong.policy import documents as policy
from xietong.policy import require
from xietong.policy.documents import NONE, VIEW, Level

__all__ = ["PageAccess", "SpaceAccess", "Viewer", "access_page", "access_space", "viewer_of"]


class SpaceFields(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def owner_id(self) -> int | None: ...
    @property
    def department_id(self) -> int | None: ...
    @property
    def archived_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Viewer:
    """What someone's levels are worked out from: the departments at or above their own (a
    grant to one of them reaches them) and those at or below the ones they manage (whose
    spaces they manage)."""

    actor: Actor
    above_mine: frozenset[int]
    managed: frozenset[int]

    def reached(self, grants: Iterable[GrantRow]) -> Level:
        """The highest level these grants give the viewer (NONE if none reaches them)."""
        best = NONE
        for grant in grants:
            if policy.grant_applies(
                    self.actor, grant.subject, to_actor=grant.user_id == self.actor.user_id,
                    department_at_or_above_mine=grant.department_id in self.above_mine):
                best = max(best, Level.named(grant.level))
        return best

    def owns(self, space: SpaceFields) -> bool:
        """Its owner: a shared space's, or a manager of a department space's department or
        of one above it."""
        return (space.owner_id == self.actor.user_id
                or (space.department_id is not None and space.department_id in self.managed))

    def space_level(self, space: SpaceFields, grants: Iterable[GrantRow]) -> Level:
        return policy.space_level(self.actor, manages_space=self.owns(space),
                                  granted=self.reached(grants))

    def page_level(self, space: SpaceFields, space_level: Level, grants_from_id: int | None,
                   page_grants: dict[int, list[GrantRow]]) -> Level:
        """The level of a page of `space` whose grants come from `grants_from_id` (None:
        the space's), with the grants of restricted pages at hand."""
        granted = (NONE if grants_from_id is None
                   else self.reached(page_grants.get(grants_from_id, ())))
        return policy.page_level(space_level, inherits=grants_from_id is None,
                                 granted=granted, archived=space.archived_at is not None)


async def viewer_of(uow: UnitOfWork, actor: Actor) -> Viewer:
    """Three statements: the department tree, the actor's departments, those they manage."""
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    mine = (await org_queries.memberships_of(uow, [actor.user_id]))[actor.user_id]
    above = {d for own in mine.department_ids if own in parents
             for d in org_queries.ancestors_and_self(parents, own)}
    managed = {d for top in await org_queries.departments_managed_by(uow, actor.user_id)
               if top in parents for d in org_queries.descendants_and_self(parents, top)}
    return Viewer(actor, frozenset(above), frozenset(managed))


# --- spaces --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SpaceAccess:
    space: Space
    # The caller's level in the space itself (NONE when they see only some of its pages,
    # through those pages' own grants).
    level: Level
    viewer: Viewer
    grants: list[GrantRow]


async def access_space(uow: UnitOfWork, actor: Actor, space_id: int, *,
                       viewer: Viewer | None = None, for_update: bool = False,
                       pages_count: bool = True) -> SpaceAccess:
    """The space, for whoever reads it — or, with `pages_count`, sees any page of it."""
    statement = select(Space).where(Space.id == space_id)
    if for_update:
        statement = statement.with_for_update()
    space = await uow.session.scalar(statement)
    if space is None:
        raise NotFound("No such space.")
    viewer = viewer or await viewer_of(uow, actor)
    grants = (await queries.space_grants(uow, [space.id])).get(space.id, [])
    level = viewer.space_level(space, grants)
    if level < VIEW and not (pages_count and await queries.spaces_with_pages_seen(
            uow, actor, [space.id])):
        raise NotFound("No such space.")
    return SpaceAccess(space, level, viewer, grants)


def check_space_open(found: SpaceAccess) -> None:
    """Pages of an archived space are read only."""
    if found.space.archived_at is not None:
        raise Conflict("The space is archived: unarchive it first.", code="space_archived")


# --- pages ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PageAccess:
    """A page the caller sees: the page, its space, the caller's level in the page (capped
    at `view` in an archived space) and in the space itself."""

    page: Page
    level: Level
    space: Space
    space_level: Level
    viewer: Viewer
    # The level were the space not archived.
    open_level: Level


def check_level(found: PageAccess, need: Level) -> None:
    """Refuse unless the caller's level in the page is at least `need`: `Conflict`
    `space_archived` when only the space's archiving stands in the way, else `Forbidden`."""
    if found.level >= need:
        return
    if found.open_level >= need:
        raise Conflict("The space is archived: unarchive it first.", code="space_archived")
    require(False, f"You need the {need.label} level on this page.",
            code="page_level_too_low", details={"need": need.label, "have": found.level.label})


async def access_page(uow: UnitOfWork, actor: Actor, page_id: int, *, need: Level = VIEW,
                      viewer: Viewer | None = None, for_update: bool = False,
                      in_trash: bool = False) -> PageAccess:
    """The live page `page_id` (`in_trash`: the page in the trash instead) if the actor may
    read it, else `NotFound`; `Forbidden` when they read it but their level is below `need`
    (`Conflict` `space_archived` when only the space's archiving keeps them from it).
    `for_update`: the page's row is locked until the commit."""
    statement = select(Page).where(Page.id == page_id)
    if for_update:
        statement = statement.with_for_update()
    page = await uow.session.scalar(statement)
    if page is None or (page.deleted_at is not None) != in_trash:
        raise NotFound("No such page.")
    space = await uow.session.get(Space, page.space_id)
    if space is None:
        raise NotFound("No such page.")
    viewer = viewer or await viewer_of(uow, actor)
    space_grants, source_grants = await _grants_for(uow, space.id, page.grants_from_id)
    space_level = viewer.space_level(space, space_grants)
    level = viewer.page_level(space, space_level, page.grants_from_id, source_grants)
    if not policy.can_see_page(level):
        raise NotFound("No such page.")
    open_level = (level if space.archived_at is None else viewer.page_level(
        _unarchived(space), space_level, page.grants_from_id, source_grants))
    found = PageAccess(page, level, space, space_level, viewer, open_level)
    check_level(found, need)
    return found


async def _grants_for(uow: UnitOfWork, space_id: int, source_id: int | None,
                      ) -> tuple[list[GrantRow], dict[int, list[GrantRow]]]:
    """The space's grants and those of the page `source_id` (if any), in one statement."""
    condition = Grant.space_id == space_id
    if source_id is not None:
        condition = condition | (Grant.page_id == source_id)
    space_grants: list[GrantRow] = []
    page_grants: dict[int, list[GrantRow]] = {}
    for grant_space, grant_page, subject, user_id, department_id, level in (
            await uow.session.execute(
                select(Grant.space_id, Grant.page_id, Grant.subject, Grant.user_id,
                       Grant.department_id, Grant.level).where(condition).order_by(Grant.id))):
        row = GrantRow(subject, user_id, department_id, level)
        if grant_space is not None:
            space_grants.append(row)
        elif grant_page is not None:
            page_grants.setdefault(grant_page, []).append(row)
    return space_grants, page_grants


@dataclass(frozen=True, slots=True)
class _Unarchived:
    id: int
    owner_id: int | None
    department_id: int | None
    archived_at: datetime | None = None


def _unarchived(space: Space) -> _Unarchived:
    return _Unarchived(space.id, space.owner_id, space.department_id)


async def visible_ancestors(uow: UnitOfWork, found: PageAccess) -> list[queries.ChainRow]:
    """The pages above `found.page` the caller sees, from the top of the space down (those
    they may not see are left out: the path skips them)."""
    chain = await queries.ancestors(uow, found.page.id)
    if not chain:
        return []
    sources = {row.grants_from_id for row in chain if row.grants_from_id is not None}
    grants = await queries.page_grants(uow, sources)
    seen = [row for row in chain if policy.can_see_page(found.viewer.page_level(
        found.space, found.space_level, row.grants_from_id, grants))]
    return list(reversed(seen))


async def pages_seen_among(uow: UnitOfWork, viewer: Viewer, space: Space, space_level: Level,
                           rows: Sequence[tuple[int, int | None]]) -> dict[int, Level]:
    """Of (page id, grants_from_id) rows of one space, the levels of those the viewer sees."""
    sources = {source for _, source in rows if source is not None}
    grants = await queries.page_grants(uow, sources) if sources else {}
    levels = {}
    for page_id, source in rows:
        level = viewer.page_level(space, space_level, source, grants)
        if policy.can_see_page(level):
            levels[page_id] = level
    return levels


def seen_parents(found: SpaceAccess, rows: Sequence[queries.TreeRow],
                 restricted: dict[int, list[GrantRow]]) -> dict[int, int | None]:
    """Of a space's tree rows (`queries.tree_rows`, with the grants of its restricted pages),
    the pages the caller sees, each with the page it hangs from for them: its parent, or
    the nearest page above it they see when they may not see its parent (None: the top)."""
    viewer, space, space_level = found.viewer, found.space, found.level
    parents = {row.id: row.parent_id for row in rows}
    seen = {row.id for row in rows if policy.can_see_page(
        viewer.page_level(space, space_level, row.grants_from_id, restricted))}
    # The nearest seen page above each unseen one met on the way up (None: the top).
    above_unseen: dict[int, int | None] = {}

    def shown_above(page_id: int) -> int | None:
        path = []
        current = parents.get(page_id)
        while current is not None and current not in seen and current not in above_unseen:
            path.append(current)
            current = parents.get(current)
        found_parent = (current if current is None or current in seen
                        else above_unseen[current])
        for unseen in path:
            above_unseen[unseen] = found_parent
        return found_parent

    return {row.id: shown_above(row.id) for row in rows if row.id in seen}
