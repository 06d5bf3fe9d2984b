"""Surveys as replies: cards for lists, the whole survey, and the summaries chat cards
show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.policy import surveys as survey_policy
from xietong.policy.surveys import SurveyStanding
from xietong.surveys import queries
from xietong.surveys.access import standing_of
from xietong.surveys.actions import is_closed
from xietong.surveys.models import AudienceKind, QuestionKind, Survey, SurveyKind, SurveyQuestion
from xietong.surveys.results import hides_counts, option_counts
from xietong.surveys.schemas import (
    AudienceOut,
    OptionOut,
    QuestionOut,
    SurveyAction,
    SurveyCard,
    SurveyOut,
    SurveySummary,
)


def actions_for(actor: Actor, standing: SurveyStanding) -> list[SurveyAction]:
    can: list[SurveyAction] = []
    if survey_policy.can_manage_survey(actor, standing):
        can += ["edit", "close", "delete"]
    if survey_policy.can_see_results(actor, standing):
        can.append("results")
    return can


def question_out(question: SurveyQuestion) -> QuestionOut:
    return QuestionOut(id=question.id, kind=QuestionKind(question.kind), title=question.title,
                       required=question.required,
                       options=[OptionOut(id=o["id"], label=o["label"])
                                for o in question.options])


def survey_card(actor: Actor, survey: Survey, standing: SurveyStanding, question_count: int,
                now: datetime) -> SurveyCard:
    closed = is_closed(survey, now)
    return SurveyCard(
        id=survey.id, kind=SurveyKind(survey.kind), title=survey.title,
        anonymous=survey.anonymous, creator_id=survey.creator_id, deadline=survey.deadline,
        closed=closed, closed_at=survey.closed_at, results_published=survey.results_published,
        response_count=survey.response_count, audience_size=survey.audience_size,
        question_count=question_count, created_at=survey.created_at,
        in_audience=standing.in_audience, answered=standing.answered,
        may_answer=survey_policy.can_answer(standing) and not standing.answered and not closed,
        can=actions_for(actor, standing))


async def survey_cards(uow: UnitOfWork, actor: Actor, surveys: Sequence[Survey],
                       now: datetime) -> list[SurveyCard]:
    ids = [s.id for s in surveys]
    parts = await queries.parts_of(uow, actor.user_id, ids)
    counts = await queries.question_counts(uow, ids)
    return [survey_card(actor, s, standing_of(actor, s, parts.get(s.id)), counts.get(s.id, 0),
                        now) for s in surveys]


async def survey_out(uow: UnitOfWork, actor: Actor, survey: Survey, standing: SurveyStanding,
                     now: datetime) -> SurveyOut:
    questions = (await queries.questions_of(uow, [survey.id]))[survey.id]
    card = survey_card(actor, survey, standing, len(questions), now)
    return SurveyOut(
        **card.model_dump(), description=survey.description,
        audience=AudienceOut(kind=AudienceKind(survey.audience_kind),
                             department_ids=survey.audience_department_ids,
                             channel_id=survey.channel_id),
        channel_id=survey.channel_id, message_id=survey.message_id,
        questions=[question_out(q) for q in questions],
        questions_editable=survey.response_count == 0)


async def survey_summaries(uow: UnitOfWork, actor: Actor, surveys: Sequence[Survey],
                           now: datetime) -> list[SurveySummary]:
    """What chat's cards show: a poll's question, and its counts to those who see them."""
    ids = [s.id for s in surveys]
    parts = await queries.parts_of(uow, actor.user_id, ids)
    polls = [s.id for s in surveys if s.kind == SurveyKind.POLL.value]
    questions = await queries.questions_of(uow, polls)
    answers = await queries.first_answers(uow, polls)
    mine = await queries.choices_of(uow, [s.id for s in surveys
                                          if s.id in polls and not s.anonymous], actor.user_id)
    summaries = []
    for survey in surveys:
        standing = standing_of(actor, survey, parts.get(survey.id))
        card = survey_card(actor, survey, standing, 0, now)
        poll = questions.get(survey.id, [])[:1]
        counts = None
        if poll and survey_policy.can_see_results(actor, standing) and not hides_counts(survey):
            counts = option_counts(poll[0], answers.get(survey.id, []))
        summaries.append(SurveySummary(
            id=survey.id, kind=card.kind, title=survey.title, anonymous=survey.anonymous,
            deadline=survey.deadline, closed=card.closed, response_count=survey.response_count,
            audience_size=survey.audience_size, answered=card.answered,
            may_answer=card.may_answer, question=question_out(poll[0]) if poll else None,
            counts=counts,
            my_choices=mine.get(survey.id, []) if poll and not survey.anonymous
            and card.answered else None))
    return summaries
