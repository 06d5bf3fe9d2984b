"""Every SELECT of 员工之声."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select

from xietong.core.uow import UnitOfWork
from xietong.feedback.models import Kudos, ShowcaseCase, Suggestion, SuggestionStatus
from xietong.org.queries import primary_department_of


async def suggestions_page(uow: UnitOfWork, *, department_ids: set[int] | None,
                           status: str | None, before_id: int | None,
                           limit: int) -> Sequence[Suggestion]:
    """Newest first; `department_ids` keeps those addressed to these departments."""
    statement = select(Suggestion).order_by(Suggestion.id.desc()).limit(limit)
    if department_ids is not None:
        statement = statement.where(Suggestion.department_id.in_(department_ids))
    if status is not None:
        statement = statement.where(Suggestion.status == status)
    if before_id is not None:
        statement = statement.where(Suggestion.id < before_id)
    return list(await uow.session.scalars(statement))


async def suggestion_by_receipt(uow: UnitOfWork, digest: str) -> Suggestion | None:
    return await uow.session.scalar(
        select(Suggestion).where(Suggestion.receipt_digest == digest))


async def suggestion_counts(uow: UnitOfWork) -> list[tuple[int, str, int]]:
    """(department addressed, status, count) for every pair that has suggestions."""
    rows = await uow.session.execute(
        select(Suggestion.department_id, Suggestion.status, func.count())
        .group_by(Suggestion.department_id, Suggestion.status))
    return [(d, s, n) for d, s, n in rows]


async def suggestions_from(uow: UnitOfWork) -> list[tuple[int | None, int]]:
    """(the authors' department as they gave it, or None, count)."""
    rows = await uow.session.execute(
        select(Suggestion.from_department_id, func.count())
        .group_by(Suggestion.from_department_id))
    return [(d, n) for d, n in rows]


def answered_count(counts: Iterable[tuple[int, str, int]]) -> int:
    return sum(n for _, status, n in counts if status == SuggestionStatus.ANSWERED.value)


async def kudos_page(uow: UnitOfWork, *, recipient_id: int | None, department_id: int | None,
                     before_id: int | None, limit: int) -> Sequence[Kudos]:
    """Newest first; `recipient_id` keeps a person's, `department_id` a team's."""
    statement = select(Kudos).order_by(Kudos.id.desc()).limit(limit)
    if recipient_id is not None:
        statement = statement.where(Kudos.recipient_id == recipient_id)
    if department_id is not None:
        statement = statement.where(Kudos.department_id == department_id)
    if before_id is not None:
        statement = statement.where(Kudos.id < before_id)
    return list(await uow.session.scalars(statement))


async def kudos_by_department(uow: UnitOfWork, start: datetime,
                              end: datetime) -> list[tuple[int | None, int]]:
    """(department, count) of kudos given in [start, end): a team's for the team, a
    person's for their primary department (None: they are in none)."""
    department = func.coalesce(Kudos.department_id, primary_department_of(Kudos.recipient_id))
    rows = await uow.session.execute(
        select(department, func.count())
        .where(Kudos.created_at >= start, Kudos.created_at < end).group_by(department))
    return [(d, n) for d, n in rows]


async def kudos_by_value(uow: UnitOfWork, start: datetime, end: datetime) -> list[tuple[str, int]]:
    rows = await uow.session.execute(
        select(Kudos.value, func.count())
        .where(Kudos.created_at >= start, Kudos.created_at < end).group_by(Kudos.value))
    return [(v, n) for v, n in rows]


async def showcase_cases(uow: UnitOfWork, limit: int) -> Sequence[ShowcaseCase]:
    return list(await uow.session.scalars(
        select(ShowcaseCase).order_by(ShowcaseCase.id.desc()).limit(limit)))
