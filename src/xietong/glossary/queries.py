"""Every read of the glossary, named."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Select, exists, func, or_, select

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.glossary.models import (
    GlossaryName,
    GlossaryTerm,
    GlossaryTermFollower,
    GlossaryTermOwner,
    GlossaryTermRevision,
)
from xietong.org import queries as org_queries
from xietong.org.models import Department, DepartmentManager, DepartmentMember, User
from xietong.policy import glossary as glossary_policy


def departments_at_or_above_mine(user_id: int) -> Select[tuple[int]]:
    """The person's departments and every department above them (a recursive query)."""
    # CTE names unique across domains: search ORs every kind's readers into one query.
    found = (select(DepartmentMember.department_id.label("id"))
             .where(DepartmentMember.user_id == user_id)
             .cte("glossary_above_mine", recursive=True))
    found = found.union(select(Department.parent_id).join(found, Department.id == found.c.id)
                        .where(Department.parent_id.is_not(None)))
    return select(found.c.id)


def departments_at_or_below_managed(user_id: int) -> Select[tuple[int]]:
    """The departments the person manages and every department below them."""
    found = (select(DepartmentManager.department_id.label("id"))
             .where(DepartmentManager.user_id == user_id)
             .cte("glossary_managed", recursive=True))
    found = found.union(select(Department.id).join(found, Department.parent_id == found.c.id))
    return select(found.c.id)


def seen_by(actor: Actor) -> ColumnElement[bool]:
    """SQL: the terms `actor` may read — `policy.glossary.can_read_term` over every row (the
    list, search)."""
    return glossary_policy.reading_sql(
        actor,
        owner=exists().where(GlossaryTermOwner.term_id == GlossaryTerm.id,
                             GlossaryTermOwner.user_id == actor.user_id),
        in_department=GlossaryTerm.department_id.in_(departments_at_or_above_mine(
            actor.user_id)),
        manages_department=GlossaryTerm.department_id.in_(departments_at_or_below_managed(
            actor.user_id)),
        visibility=GlossaryTerm.visibility)


def terms_query(actor: Actor, *, search: str | None, department_ids: set[int] | None,
                status: str | None, following: bool,
                after: tuple[str, int] | None, limit: int) -> Select[GlossaryTerm]:
    """The terms the list shows: readable by `actor`, A–Z by pinyin, after the cursor."""
    statement = select(GlossaryTerm).where(seen_by(actor))
    if search:
        statement = statement.where(GlossaryTerm.search_text.contains(search, autoescape=True))
    if department_ids is not None:
        statement = statement.where(GlossaryTerm.department_id.in_(department_ids))
    if status is not None:
        statement = statement.where(GlossaryTerm.status == status)
    if following:
        statement = statement.where(exists().where(
            GlossaryTermFollower.term_id == GlossaryTerm.id,
            GlossaryTermFollower.user_id == actor.user_id))
    if after is not None:
        key, term_id = after
        statement = statement.where(or_(GlossaryTerm.sort_key > key,
                                        (GlossaryTerm.sort_key == key)
                                        & (GlossaryTerm.id > term_id)))
    return statement.order_by(GlossaryTerm.sort_key, GlossaryTerm.id).limit(limit)


async def names_of(uow: UnitOfWork, term_ids: Iterable[int]) -> dict[int, list[GlossaryName]]:
    """Each term's names, the term first, then its aliases in their order."""
    wanted = sorted(set(term_ids))
    found: dict[int, list[GlossaryName]] = {term_id: [] for term_id in wanted}
    if wanted:
        for name in await uow.session.scalars(
                select(GlossaryName).where(GlossaryName.term_id.in_(wanted))
                .order_by(GlossaryName.term_id, GlossaryName.position)):
            found[name.term_id].append(name)
    return found


async def aliases_of(uow: UnitOfWork, term_ids: Iterable[int]) -> dict[int, list[str]]:
    return {term_id: [n.name for n in names if n.is_alias]
            for term_id, names in (await names_of(uow, term_ids)).items()}


async def names_taken(uow: UnitOfWork, normalised: Iterable[str]
                      ) -> Sequence[tuple[str, int]]:
    """(normalised name, term id) of the names in `normalised` that some term holds."""
    wanted = sorted(set(normalised))
    if not wanted:
        return []
    rows = await uow.session.execute(
        select(GlossaryName.normalised, GlossaryName.term_id)
        .where(GlossaryName.normalised.in_(wanted)))
    return [(row.normalised, row.term_id) for row in rows]


async def owners_of(uow: UnitOfWork, term_ids: Iterable[int]) -> dict[int, list[int]]:
    wanted = sorted(set(term_ids))
    found: dict[int, list[int]] = {term_id: [] for term_id in wanted}
    if wanted:
        for term_id, user_id in await uow.session.execute(
                select(GlossaryTermOwner.term_id, GlossaryTermOwner.user_id)
                .where(GlossaryTermOwner.term_id.in_(wanted))
                .order_by(GlossaryTermOwner.term_id, GlossaryTermOwner.user_id)):
            found[term_id].append(user_id)
    return found


async def follower_counts(uow: UnitOfWork, term_ids: Iterable[int]) -> dict[int, int]:
    wanted = sorted(set(term_ids))
    if not wanted:
        return {}
    rows = await uow.session.execute(
        select(GlossaryTermFollower.term_id, func.count())
        .where(GlossaryTermFollower.term_id.in_(wanted))
        .group_by(GlossaryTermFollower.term_id))
    counts = {term_id: 0 for term_id in wanted}
    counts.update({term_id: count for term_id, count in rows})
    return counts


async def followed_by(uow: UnitOfWork, user_id: int, term_ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(term_ids))
    if not wanted:
        return set()
    return set(await uow.session.scalars(
        select(GlossaryTermFollower.term_id)
        .where(GlossaryTermFollower.user_id == user_id,
               GlossaryTermFollower.term_id.in_(wanted))))


async def followers_of(uow: UnitOfWork, term_ids: Iterable[int]) -> dict[int, set[int]]:
    wanted = sorted(set(term_ids))
    found: dict[int, set[int]] = {term_id: set() for term_id in wanted}
    if wanted:
        for term_id, user_id in await uow.session.execute(
                select(GlossaryTermFollower.term_id, GlossaryTermFollower.user_id)
                .where(GlossaryTermFollower.term_id.in_(wanted))):
            found[term_id].add(user_id)
    return found


async def terms_by_ids(uow: UnitOfWork, term_ids: Iterable[int]) -> dict[int, GlossaryTerm]:
    wanted = sorted(set(term_ids))
    if not wanted:
        return {}
    return {term.id: term for term in await uow.session.scalars(
        select(GlossaryTerm).where(GlossaryTerm.id.in_(wanted)))}


async def revisions_of(uow: UnitOfWork, term_id: int, *, before: int | None,
                       limit: int) -> Sequence[GlossaryTermRevision]:
    """The term's history, newest first."""
    statement = select(GlossaryTermRevision).where(GlossaryTermRevision.term_id == term_id)
    if before is not None:
        statement = statement.where(GlossaryTermRevision.id < before)
    return (await uow.session.scalars(
        statement.order_by(GlossaryTermRevision.id.desc()).limit(limit))).all()


async def department_readers(uow: UnitOfWork, department_id: int | None,
                             owner_ids: Iterable[int]) -> set[int]:
    """Who may read a department-only term of `department_id` now: the people of it and of
    the departments below it (not guests), the managers of it and of those above, its
    owners, the administrators — everyone `can_read_term` admits, as user ids."""
    people = set(owner_ids)
    people |= set(await uow.session.scalars(
        select(User.id).where(User.active, glossary_policy.reads_every_term_sql(User.role))))
    if department_id is not None:
        parents = org_queries.parent_map(await org_queries.all_departments(uow))
        if department_id in parents:
            above = org_queries.ancestors_and_self(parents, department_id)
            people |= {m for ms in (await org_queries.managers_of(uow, above)).values()
                       for m in ms}
            members = await org_queries.active_member_ids_of_departments(
                uow, org_queries.descendants_and_self(parents, department_id))
            people |= members - await org_queries.guest_ids(uow, members)
    return people
