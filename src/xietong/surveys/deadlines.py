"""Durable jobs of a survey with a deadline: the reminder before it (to those asked who have
not answered, through the notification centre) and the closing at it. Enqueued with the
survey (`actions._schedule`), cancelled when it is closed or deleted, rescheduled when its
deadline moves. A handler's writes commit with the job's "done", so a retry reminds no one
twice."""

from __future__ import annotations

from typing import Any

from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import JobHandler, JobKind, JobNeeds
from xietong.org import queries as org_queries
from xietong.surveys import queries
from xietong.surveys.actions import CLOSE_JOB, REMIND_JOB, close_survey, is_closed
from xietong.surveys.events import SurveyReminderDue, concerned
from xietong.surveys.models import Survey


async def send_reminders(uow: UnitOfWork, survey_id: int) -> int:
    """Remind whoever is asked and has not answered; how many."""
    survey = await uow.session.get(Survey, survey_id)
    if survey is None or is_closed(survey, utcnow()):
        return 0
    owed = await org_queries.active_user_ids(uow, await queries.unanswered_ids(uow, survey_id))
    if owed:
        uow.emit(SurveyReminderDue(survey_id=survey.id, title=survey.title,
                                   deadline=survey.deadline), concerned(survey.id, owed))
    return len(owed)


def _remind(_needs: JobNeeds) -> JobHandler:
    async def handle(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await send_reminders(uow, int(payload["survey_id"]))

    return handle


def _close(_needs: JobNeeds) -> JobHandler:
    async def handle(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        survey = await uow.session.get(Survey, int(payload["survey_id"]), with_for_update=True)
        if survey is not None:
            await close_survey(uow, survey, now=utcnow())

    return handle


SURVEY_JOBS = (JobKind(REMIND_JOB, _remind), JobKind(CLOSE_JOB, _close))
