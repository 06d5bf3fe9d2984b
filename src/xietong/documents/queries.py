"""Reads of documents, each a few statements whatever the size of a space: the page tree,
a page's ancestors and descendants (recursive queries), the grants that decide who sees what,
and the SQL form of "sees this page" for lists and search."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, func, literal, or_, select, true

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.documents.models import Favourite, Grant, Page, PageView, Space
from xietong.org.models import Department, DepartmentManager, DepartmentMember, User
from xietong.policy import documents as policy
from xietong.policy.documents import MANAGE

# Deeper than any real tree; a walk up or down stops there rather than run away.
MAX_DEPTH = 500


class GrantRow(NamedTuple):
    """A grant as the rules read it."""

    subject: str
    user_id: int | None
    department_id: int | None
    level: str


_GRANT_COLUMNS = (Grant.subject, Grant.user_id, Grant.department_id, Grant.level)


# --- who the actor is in the organisation, in SQL ----------------------------------------

def departments_at_or_above_mine(user_id: int) -> Select[tuple[int]]:
    """The person's departments and every department above them (a recursive query): a
    grant to any of them reaches the person."""
    found = (select(DepartmentMember.department_id.label("id"))
             .where(DepartmentMember.user_id == user_id).cte("doc_above_mine", recursive=True))
    found = found.union(select(Department.parent_id).join(found, Department.id == found.c.id)
                        .where(Department.parent_id.is_not(None)))
    return select(found.c.id)


def departments_at_or_below_managed(user_id: int) -> Select[tuple[int]]:
    """The departments the person manages and every department below them: whose spaces
    they manage."""
    found = (select(DepartmentManager.department_id.label("id"))
             .where(DepartmentManager.user_id == user_id).cte("doc_managed", recursive=True))
    found = found.union(select(Department.id).join(found, Department.parent_id == found.c.id))
    return select(found.c.id)


def grant_reaches(actor: Actor, above: Select[tuple[int]] | None = None
                  ) -> ColumnElement[bool]:
    """SQL over `doc_grants`: the grant reaches the actor (`policy.grant_applies`).
    `above`: `departments_at_or_above_mine(actor)`, when the statement has it already (one
    statement holds one query of that name)."""
    if above is None:
        above = departments_at_or_above_mine(actor.user_id)
    return policy.grant_applies_sql(
        actor, subject=Grant.subject, to_actor=Grant.user_id == actor.user_id,
        department_at_or_above_mine=Grant.department_id.in_(above))


def spaces_managed_by(actor: Actor, above: Select[tuple[int]] | None = None
                      ) -> CompoundSelect[int]:
    """The spaces the actor manages: owns, or manages the department of, or is granted
    `manage` on."""
    owned = select(Space.id).where(or_(
        Space.owner_id == actor.user_id,
        Space.department_id.in_(departments_at_or_below_managed(actor.user_id))))
    granted = select(Grant.space_id).where(Grant.space_id.is_not(None),
                                           Grant.level == MANAGE.label,
                                           grant_reaches(actor, above))
    return owned.union(granted)


def seen_by(actor: Actor) -> ColumnElement[bool]:
    """SQL over `doc_pages`: the actor sees the page now (the rule of `access_page`, live
    or in the trash alike; callers choose). Uncorrelated subqueries, each worked out once
    per statement."""
    above = departments_at_or_above_mine(actor.user_id)
    return policy.seeing_sql(
        actor,
        manages_space=Page.space_id.in_(spaces_managed_by(actor, above)),
        inherits=Page.grants_from_id.is_(None),
        space_grants_reach=Page.space_id.in_(
            select(Grant.space_id).where(Grant.space_id.is_not(None),
                                         grant_reaches(actor, above))),
        page_grants_reach=Page.grants_from_id.in_(
            select(Grant.page_id).where(Grant.page_id.is_not(None),
                                        grant_reaches(actor, above))))


def live_pages_seen_by(actor: Actor) -> Select[int]:
    """The ids of the live pages the actor sees, for `IN`."""
    return select(Page.id).where(Page.deleted_at.is_(None), seen_by(actor))


# --- grants ------------------------------------------------------------------------------

async def space_grants(uow: UnitOfWork, space_ids: Iterable[int]) -> dict[int, list[GrantRow]]:
    wanted = list(set(space_ids))
    found: dict[int, list[GrantRow]] = defaultdict(list)
    if wanted:
        for space_id, subject, user_id, department_id, level in await uow.session.execute(
                select(Grant.space_id, *_GRANT_COLUMNS).where(Grant.space_id.in_(wanted))
                .order_by(Grant.id)):
            if space_id is not None:
                found[space_id].append(GrantRow(subject, user_id, department_id, level))
    return found


async def page_grants(uow: UnitOfWork, page_ids: Iterable[int]) -> dict[int, list[GrantRow]]:
    wanted = list(set(page_ids))
    found: dict[int, list[GrantRow]] = defaultdict(list)
    if wanted:
        for page_id, subject, user_id, department_id, level in await uow.session.execute(
                select(Grant.page_id, *_GRANT_COLUMNS).where(Grant.page_id.in_(wanted))
                .order_by(Grant.id)):
            if page_id is not None:
                found[page_id].append(GrantRow(subject, user_id, department_id, level))
    return found


async def restricted_grants_in(uow: UnitOfWork, space_id: int) -> dict[int, list[GrantRow]]:
    """The grants of every restricted page of the space, by page: one statement for a
    tree."""
    found: dict[int, list[GrantRow]] = defaultdict(list)
    for page_id, subject, user_id, department_id, level in await uow.session.execute(
            select(Grant.page_id, *_GRANT_COLUMNS).join(Page, Page.id == Grant.page_id)
            .where(Page.space_id == space_id).order_by(Grant.id)):
        if page_id is not None:
            found[page_id].append(GrantRow(subject, user_id, department_id, level))
    return found


# --- the tree ----------------------------------------------------------------------------

class TreeRow(NamedTuple):
    id: int
    parent_id: int | None
    title: str
    rank: str
    icon: str
    updated_at: datetime
    grants_from_id: int | None


async def tree_rows(uow: UnitOfWork, space_id: int) -> Sequence[TreeRow]:
    """Every live page of the space as the tree shows it, as the database's rows (a space
    may hold tens of thousands of pages: no ORM objects, no copies), siblings in rank
    order."""
    connection = await uow.session.connection()
    result = await connection.execute(
        select(Page.id, Page.parent_id, Page.title, Page.rank, Page.icon, Page.updated_at,
               Page.grants_from_id)
        .where(Page.space_id == space_id, Page.deleted_at.is_(None))
        .order_by(Page.parent_id, Page.rank, Page.id))
    # The rows have TreeRow's fields, by name and in order.
    return cast("Sequence[TreeRow]", result.all())


class ChainRow(NamedTuple):
    id: int
    parent_id: int | None
    title: str
    icon: str
    grants_from_id: int | None
    depth: int


async def ancestors(uow: UnitOfWork, page_id: int) -> list[ChainRow]:
    """The pages above `page_id`, nearest first (a recursive query; not the page itself)."""
    chain = (select(Page.id, Page.parent_id, literal(0).label("depth"))
             .where(Page.id == page_id).cte("doc_chain", recursive=True))
    chain = chain.union_all(
        select(Page.id, Page.parent_id, (chain.c.depth + 1).label("depth"))
        .join(chain, Page.id == chain.c.parent_id).where(chain.c.depth < MAX_DEPTH))
    rows = await uow.session.execute(
        select(Page.id, Page.parent_id, Page.title, Page.icon, Page.grants_from_id,
               chain.c.depth).join(chain, chain.c.id == Page.id)
        .where(chain.c.depth > 0).order_by(chain.c.depth))
    return [ChainRow(*row) for row in rows]


def subtree(page_id: int) -> Select[tuple[int]]:
    """The ids of the page and every page below it, in the trash or not (a recursive
    query, for `IN`)."""
    found = (select(Page.id.label("id"), literal(0).label("depth"))
             .where(Page.id == page_id).cte("doc_subtree", recursive=True))
    found = found.union_all(
        select(Page.id, (found.c.depth + 1).label("depth"))
        .join(found, Page.parent_id == found.c.id).where(found.c.depth < MAX_DEPTH))
    return select(found.c.id)


async def siblings(uow: UnitOfWork, space_id: int, parent_id: int | None,
                   ) -> list[tuple[int, str]]:
    """The live pages under `parent_id` (None: the top of the space) as (id, rank), in
    order."""
    under = Page.parent_id.is_(None) if parent_id is None else Page.parent_id == parent_id
    return [(row.id, row.rank) for row in await uow.session.execute(
        select(Page.id, Page.rank).where(Page.space_id == space_id, under,
                                         Page.deleted_at.is_(None))
        .order_by(Page.rank, Page.id))]


async def page_counts(uow: UnitOfWork, space_ids: Iterable[int]) -> dict[int, int]:
    wanted = list(set(space_ids))
    if not wanted:
        return {}
    return {space_id: count for space_id, count in await uow.session.execute(
        select(Page.space_id, func.count()).where(Page.space_id.in_(wanted),
                                                  Page.deleted_at.is_(None))
        .group_by(Page.space_id))}


# --- spaces ------------------------------------------------------------------------------

async def spaces(uow: UnitOfWork, *, archived: bool | None = False) -> Sequence[Space]:
    """Every space (`archived`: only archived ones, or only live ones; None: all), shared
    ones after the departments', by name."""
    statement = select(Space)
    if archived is not None:
        statement = statement.where(Space.archived_at.is_not(None) if archived
                                    else Space.archived_at.is_(None))
    return (await uow.session.scalars(statement.order_by(Space.kind, Space.name, Space.id))
            ).all()


async def spaces_with_pages_seen(uow: UnitOfWork, actor: Actor,
                                 space_ids: Iterable[int]) -> set[int]:
    """Those of the spaces where the actor sees a live page through a page's own grants
    (a guest granted one page of a space they cannot read otherwise)."""
    wanted = list(set(space_ids))
    if not wanted:
        return set()
    return set(await uow.session.scalars(
        select(Page.space_id).where(
            Page.space_id.in_(wanted), Page.deleted_at.is_(None),
            Page.grants_from_id.in_(select(Grant.page_id).where(
                Grant.page_id.is_not(None), grant_reaches(actor))))
        .distinct()))


def space_seen_by(actor: Actor, *, through_everyone: bool = True) -> ColumnElement[bool]:
    """SQL over `doc_spaces`: the actor reads the space itself (manages it, or a grant of it
    reaches them). `through_everyone=False`: leave out what a grant to everyone gives (the
    spaces whose events reach them by name, not through the company's scope)."""
    if policy.manages_every_space(actor):
        return true()
    above = departments_at_or_above_mine(actor.user_id)
    reaching = grant_reaches(actor, above)
    if not through_everyone:
        reaching = reaching & (Grant.subject != policy.EVERYONE)
    return or_(Space.id.in_(spaces_managed_by(actor, above)),
               Space.id.in_(select(Grant.space_id).where(Grant.space_id.is_not(None),
                                                         reaching)))


async def space_for_department(uow: UnitOfWork, department_id: int) -> Space | None:
    return await uow.session.scalar(select(Space).where(Space.department_id == department_id))


# --- a person's own lists ----------------------------------------------------------------

class PageRefRow(NamedTuple):
    id: int
    title: str
    icon: str
    space_id: int
    space_name: str
    updated_at: datetime
    at: datetime


async def favourites_of(uow: UnitOfWork, actor: Actor, limit: int) -> list[PageRefRow]:
    """The live pages the actor starred and still sees, newest star first."""
    rows = await uow.session.execute(
        select(Page.id, Page.title, Page.icon, Page.space_id, Space.name, Page.updated_at,
               Favourite.created_at)
        .join(Page, Page.id == Favourite.page_id).join(Space, Space.id == Page.space_id)
        .where(Favourite.user_id == actor.user_id, Page.deleted_at.is_(None), seen_by(actor))
        .order_by(Favourite.created_at.desc(), Page.id.desc()).limit(limit))
    return [PageRefRow(*row) for row in rows]


async def recent_of(uow: UnitOfWork, actor: Actor, limit: int) -> list[PageRefRow]:
    """The live pages the actor viewed last and still sees, newest view first."""
    rows = await uow.session.execute(
        select(Page.id, Page.title, Page.icon, Page.space_id, Space.name, Page.updated_at,
               PageView.viewed_at)
        .join(Page, Page.id == PageView.page_id).join(Space, Space.id == Page.space_id)
        .where(PageView.user_id == actor.user_id, Page.deleted_at.is_(None), seen_by(actor))
        .order_by(PageView.viewed_at.desc(), Page.id.desc()).limit(limit))
    return [PageRefRow(*row) for row in rows]


class PageSummaryRow(NamedTuple):
    id: int
    title: str
    icon: str
    space_id: int
    space_name: str
    classification: str
    updated_at: datetime


async def page_summaries(uow: UnitOfWork, actor: Actor,
                         page_ids: Sequence[int]) -> list[PageSummaryRow]:
    """Those of `page_ids` that are live and the actor sees, in id order."""
    rows = await uow.session.execute(
        select(Page.id, Page.title, Page.icon, Page.space_id, Space.name, Page.classification,
               Page.updated_at)
        .join(Space, Space.id == Page.space_id)
        .where(Page.id.in_(sorted(set(page_ids))), Page.deleted_at.is_(None), seen_by(actor))
        .order_by(Page.id))
    return [PageSummaryRow(*row) for row in rows]


async def is_favourite(uow: UnitOfWork, user_id: int, page_id: int) -> bool:
    return await uow.session.get(Favourite, (user_id, page_id)) is not None


# --- freshness ---------------------------------------------------------------------------

async def pages_with_cadence(uow: UnitOfWork, *, space_id: int | None = None) -> Sequence[Page]:
    """Live pages with a review cadence (in one space, or everywhere), by id."""
    statement = select(Page).where(Page.review_every_days.is_not(None),
                                   Page.deleted_at.is_(None))
    if space_id is not None:
        statement = statement.where(Page.space_id == space_id)
    return (await uow.session.scalars(statement.order_by(Page.id))).all()


# --- who is reached, by name (audiences of events) ----------------------------------------

def everyone_reads(grants: Iterable[GrantRow]) -> bool:
    """The grants give everyone in the company a level."""
    return any(g.subject == policy.EVERYONE for g in grants)


async def people_reached(uow: UnitOfWork, grants: Iterable[GrantRow]) -> set[int]:
    """The active people these grants reach now: the persons named, the people of the
    departments named and of those below them, everyone for a grant to everyone (guests
    only by name)."""
    grants = list(grants)
    persons = {g.user_id for g in grants if g.subject == policy.PERSON and g.user_id}
    departments = {g.department_id for g in grants
                   if g.subject == policy.DEPARTMENT and g.department_id}
    everyone = any(g.subject == policy.EVERYONE for g in grants)
    found: set[int] = set()
    if persons:
        found |= set(await uow.session.scalars(
            select(User.id).where(User.id.in_(persons), User.active)))
    company = and_(User.active, User.bot.is_(False),
                   policy.reached_by_company_grants_sql(User.role))
    if everyone:
        found |= set(await uow.session.scalars(select(User.id).where(company)))
    elif departments:
        below = (select(Department.id.label("id")).where(Department.id.in_(departments))
                 .cte("doc_reached", recursive=True))
        below = below.union(select(Department.id).join(below, Department.parent_id == below.c.id))
        found |= set(await uow.session.scalars(
            select(DepartmentMember.user_id).join(User, User.id == DepartmentMember.user_id)
            .where(DepartmentMember.department_id.in_(select(below.c.id)), company)))
    return found


async def administrators(uow: UnitOfWork) -> set[int]:
    return set(await uow.session.scalars(
        select(User.id).where(User.active, policy.manages_every_space_sql(User.role))))


async def department_space_owners(uow: UnitOfWork, department_ids: Iterable[int],
                                  ) -> dict[int, list[int]]:
    """Each department's own managers (a department space's owners, as it shows them)."""
    found: dict[int, list[int]] = defaultdict(list)
    wanted = list(set(department_ids))
    if wanted:
        for department_id, user_id in await uow.session.execute(
                select(DepartmentManager.department_id, DepartmentManager.user_id)
                .where(DepartmentManager.department_id.in_(wanted))
                .order_by(DepartmentManager.user_id)):
            found[department_id].append(user_id)
    return found


async def managers_above(uow: UnitOfWork, department_id: int) -> set[int]:
    """The managers of the department and of every department above it: who manage its
    space."""
    chain = (select(Department.id.label("id"), Department.parent_id.label("parent_id"))
             .where(Department.id == department_id).cte("doc_chain_up", recursive=True))
    chain = chain.union(select(Department.id, Department.parent_id)
                        .join(chain, Department.id == chain.c.parent_id))
    return set(await uow.session.scalars(
        select(DepartmentManager.user_id).where(
            DepartmentManager.department_id.in_(select(chain.c.id)))))


# --- knowledge freshness, for analytics' maturity report ---------------------------------

async def page_freshness(uow: UnitOfWork, department_ids: Iterable[int] | None, *,
                         since: datetime, until: datetime) -> tuple[int, int]:
    """The pages that were live at `until` in the spaces of `department_ids` (every space
    not archived by then: None), and how many of them were last edited (or, never edited,
    created) at `since` or later: one query. Only a page's last edit is kept, so one
    edited again after `until` counts as kept up at `until` too."""
    live = and_(Page.created_at < until,
                or_(Page.deleted_at.is_(None), Page.deleted_at >= until),
                or_(Space.archived_at.is_(None), Space.archived_at >= until))
    if department_ids is not None:
        live = and_(live, Space.department_id.in_(sorted(set(department_ids))))
    touched = func.coalesce(Page.edited_at, Page.created_at)
    row = (await uow.session.execute(
        select(func.count(Page.id),
               func.count(Page.id).filter(touched >= since))
        .join(Space, Space.id == Page.space_id).where(live))).one()
    return int(row[0]), int(row[1])
