"""Every SELECT of surveys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_, select

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.org.models import User
from xietong.policy import surveys as survey_policy
from xietong.policy.org import is_guest_sql
from xietong.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyAudience,
    SurveyQuestion,
    SurveyResponse,
)


async def people_among(uow: UnitOfWork, user_ids: Iterable[int] | None) -> set[int]:
    """Who of `user_ids` (None: everyone) may be asked: active people, not guests, not
    system accounts, not an installation's setup account."""
    statement = select(User.id).where(User.active, User.bot.is_(False),
                                      User.setup_account.is_(False), ~is_guest_sql(User.role))
    if user_ids is not None:
        wanted = sorted(set(user_ids))
        if not wanted:
            return set()
        statement = statement.where(User.id.in_(wanted))
    return set(await uow.session.scalars(statement))


async def audience_row(uow: UnitOfWork, survey_id: int, user_id: int) -> SurveyAudience | None:
    return await uow.session.get(SurveyAudience, (survey_id, user_id))


async def audience_ids(uow: UnitOfWork, survey_id: int) -> set[int]:
    return set(await uow.session.scalars(
        select(SurveyAudience.user_id).where(SurveyAudience.survey_id == survey_id)))


async def unanswered_ids(uow: UnitOfWork, survey_id: int) -> set[int]:
    return set(await uow.session.scalars(
        select(SurveyAudience.user_id).where(SurveyAudience.survey_id == survey_id,
                                             SurveyAudience.answered.is_(False))))


async def parts_of(uow: UnitOfWork, user_id: int,
                   survey_ids: Iterable[int]) -> dict[int, bool]:
    """survey id → whether `user_id` has answered, for the surveys that ask them."""
    ids = sorted(set(survey_ids))
    if not ids:
        return {}
    rows = await uow.session.execute(
        select(SurveyAudience.survey_id, SurveyAudience.answered)
        .where(SurveyAudience.user_id == user_id, SurveyAudience.survey_id.in_(ids)))
    return {survey_id: answered for survey_id, answered in rows}


async def questions_of(uow: UnitOfWork,
                       survey_ids: Iterable[int]) -> dict[int, list[SurveyQuestion]]:
    ids = sorted(set(survey_ids))
    found: dict[int, list[SurveyQuestion]] = defaultdict(list)
    if ids:
        for question in await uow.session.scalars(
                select(SurveyQuestion).where(SurveyQuestion.survey_id.in_(ids))
                .order_by(SurveyQuestion.survey_id, SurveyQuestion.position)):
            found[question.survey_id].append(question)
    return found


async def question_counts(uow: UnitOfWork, survey_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(survey_ids))
    if not ids:
        return {}
    rows = await uow.session.execute(
        select(SurveyQuestion.survey_id, func.count())
        .where(SurveyQuestion.survey_id.in_(ids)).group_by(SurveyQuestion.survey_id))
    return {survey_id: count for survey_id, count in rows}


def _asks(user_id: int) -> Select[int]:
    return select(SurveyAudience.survey_id).where(SurveyAudience.user_id == user_id)


def _seeing(actor: Actor) -> ColumnElement[bool]:
    return survey_policy.seeing_sql(actor, creator=Survey.creator_id == actor.user_id,
                                    in_audience=Survey.id.in_(_asks(actor.user_id)))


@dataclass(frozen=True, slots=True)
class Box:
    """Which list: `todo` (asked, not answered, still open), `mine` (created), `all`
    (every survey the caller sees)."""

    name: str
    now: datetime


async def surveys_in(uow: UnitOfWork, actor: Actor, box: Box, *, before_id: int | None,
                     limit: int) -> Sequence[Survey]:
    """A page of the box, newest first."""
    statement = select(Survey)
    if box.name == "todo":
        statement = statement.where(
            Survey.id.in_(_asks(actor.user_id).where(SurveyAudience.answered.is_(False))),
            Survey.closed_at.is_(None),
            or_(Survey.deadline.is_(None), Survey.deadline > box.now))
    elif box.name == "mine":
        statement = statement.where(Survey.creator_id == actor.user_id)
    else:
        statement = statement.where(_seeing(actor))
    if before_id is not None:
        statement = statement.where(Survey.id < before_id)
    return (await uow.session.scalars(statement.order_by(Survey.id.desc()).limit(limit))).all()


async def todo_count(uow: UnitOfWork, user_id: int, now: datetime) -> int:
    return await uow.session.scalar(
        select(func.count()).select_from(Survey).where(
            Survey.id.in_(_asks(user_id).where(SurveyAudience.answered.is_(False))),
            Survey.closed_at.is_(None),
            or_(Survey.deadline.is_(None), Survey.deadline > now))) or 0


async def visible_surveys(uow: UnitOfWork, actor: Actor, ids: Iterable[int]) -> Sequence[Survey]:
    """Those of `ids` the caller sees (`policy.surveys.can_see_survey`)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return (await uow.session.scalars(
        select(Survey).where(Survey.id.in_(wanted), _seeing(actor)))).all()


@dataclass(frozen=True, slots=True)
class AnswerRow:
    response_id: str
    department_id: int | None
    question_id: int
    option_ids: list[int]
    value: int | None
    text: str | None


async def answers_of(uow: UnitOfWork, survey_id: int) -> list[AnswerRow]:
    """Every answer to the survey with its response's department, ordered by response
    (random for an anonymous survey's: not the order they came in)."""
    rows = await uow.session.execute(
        select(SurveyAnswer.response_id, SurveyResponse.department_id, SurveyAnswer.question_id,
               SurveyAnswer.option_ids, SurveyAnswer.value, SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey_id)
        .order_by(SurveyAnswer.response_id, SurveyAnswer.question_id))
    return [AnswerRow(r, d, q, list(o or []), v, t) for r, d, q, o, v, t in rows]


async def responses_by_department(uow: UnitOfWork, survey_id: int) -> dict[int | None, int]:
    rows = await uow.session.execute(
        select(SurveyResponse.department_id, func.count())
        .where(SurveyResponse.survey_id == survey_id).group_by(SurveyResponse.department_id))
    return {department_id: count for department_id, count in rows}


async def choices_of(uow: UnitOfWork, survey_ids: Iterable[int],
                     respondent_id: int) -> dict[int, list[int]]:
    """A named survey's respondent's chosen options, by survey, for its first question
    (the poll's). An anonymous survey's are not known: nothing ties them to anyone."""
    ids = sorted(set(survey_ids))
    if not ids:
        return {}
    rows = await uow.session.execute(
        select(SurveyResponse.survey_id, SurveyAnswer.option_ids)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id.in_(ids), SurveyResponse.respondent_id == respondent_id))
    return {survey_id: list(option_ids or []) for survey_id, option_ids in rows}


async def first_answers(uow: UnitOfWork, survey_ids: Iterable[int]) -> dict[int, list[AnswerRow]]:
    """Every answer to each survey's first question (a poll's only one), by survey."""
    ids = sorted(set(survey_ids))
    found: dict[int, list[AnswerRow]] = defaultdict(list)
    if not ids:
        return found
    first = (select(func.min(SurveyQuestion.id)).where(SurveyQuestion.survey_id.in_(ids))
             .group_by(SurveyQuestion.survey_id))
    rows = await uow.session.execute(
        select(SurveyResponse.survey_id, SurveyAnswer.response_id, SurveyResponse.department_id,
               SurveyAnswer.question_id, SurveyAnswer.option_ids, SurveyAnswer.value,
               SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.question_id.in_(first)))
    for survey_id, r, d, q, o, v, t in rows:
        found[survey_id].append(AnswerRow(r, d, q, list(o or []), v, t))
    return found
