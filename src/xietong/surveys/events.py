"""Events of surveys. A survey's changes (created, edited, answered, closed, deleted) go to
the people it concerns — its audience and its creator, named when it changes — and carry
only the survey's id and what happened: a client asks for the survey afresh, and the
server decides then what it may see (counts only for those who see the results). So an
answer to an anonymous survey tells nobody who answered or what."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from xietong.core.events import Audience, Event, Scope

SURVEY = "survey"

Change = Literal["created", "updated", "answered", "closed", "deleted"]


class SurveyChanged(Event):
    type: Literal["survey.changed"] = "survey.changed"
    survey_id: int
    change: Change


class SurveyInvited(Event):
    """A survey asks these people (a notification each; not for polls: their card in the
    channel asks)."""

    type: Literal["survey.invited"] = "survey.invited"
    survey_id: int
    title: str
    creator_id: int | None
    deadline: datetime | None


class SurveyReminderDue(Event):
    """Those asked who have not answered, before the deadline (a notification each)."""

    type: Literal["survey.reminder_due"] = "survey.reminder_due"
    survey_id: int
    title: str
    deadline: datetime | None


SURVEY_EVENTS: tuple[type[Event], ...] = (SurveyChanged, SurveyInvited, SurveyReminderDue)


def concerned(survey_id: int, people: set[int]) -> Audience:
    return Audience.users(people, scope=Scope(SURVEY, survey_id))
