"""Finding a survey for someone: one they are neither asked, nor created, nor administer
does not exist for them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.policy import surveys as survey_policy
from xietong.policy.surveys import SurveyStanding
from xietong.surveys import queries
from xietong.surveys.models import Survey


@dataclass(frozen=True, slots=True)
class SurveyAccess:
    survey: Survey
    standing: SurveyStanding


def standing_of(actor: Actor, survey: Survey, part: bool | None) -> SurveyStanding:
    """`part`: None when the survey does not ask `actor`, else whether they answered."""
    return SurveyStanding(creator=survey.creator_id == actor.user_id,
                          in_audience=part is not None, answered=bool(part),
                          published=survey.results_published)


async def access_survey(uow: UnitOfWork, actor: Actor, survey_id: int, *,
                        for_update: bool = False) -> SurveyAccess:
    """The survey and where `actor` stands towards it, or `NotFound` when they may not see
    it; its row locked with `for_update` (what serialises answers, edits and closing)."""
    statement = select(Survey).where(Survey.id == survey_id)
    if for_update:
        statement = statement.with_for_update()
    survey = await uow.session.scalar(statement)
    if survey is None:
        raise NotFound("No such survey.")
    row = await queries.audience_row(uow, survey_id, actor.user_id)
    standing = standing_of(actor, survey, None if row is None else row.answered)
    if not survey_policy.can_see_survey(actor, standing):
        raise NotFound("No such survey.")
    return SurveyAccess(survey, standing)
