"""Rules of surveys and votes (问卷与投票).

Anyone but a guest may ask: a company-wide survey is an administrator's; a department's is
for its people, those of the departments above it and its managers (and theirs); a channel's
(a quick poll) for whoever may post there. Only the audience answers. A survey's results are
its creator's and the administrators', and its respondents' once the creator publishes
them. Someone neither asked nor its creator nor an administrator does not see it at all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, true

from xietong.core.actor import Actor
from xietong.policy.org import is_guest


@dataclass(frozen=True, slots=True)
class SurveyStanding:
    """Where someone stands towards a survey (worked out by `surveys.access`)."""

    creator: bool = False
    in_audience: bool = False
    answered: bool = False
    published: bool = False


def can_create_surveys(actor: Actor) -> bool:
    return not is_guest(actor.role)


def can_ask_company(actor: Actor) -> bool:
    return actor.is_admin


def can_ask_departments(actor: Actor, chosen: Collection[int], reachable: Collection[int]) -> bool:
    """`reachable`: the departments at or below one the actor is in or manages."""
    return actor.is_admin or set(chosen) <= set(reachable)


def can_see_survey(actor: Actor, standing: SurveyStanding) -> bool:
    return actor.is_admin or standing.creator or standing.in_audience


def can_manage_survey(actor: Actor, standing: SurveyStanding) -> bool:
    """Edit, close, delete, remind."""
    return actor.is_admin or standing.creator


def can_answer(standing: SurveyStanding) -> bool:
    return standing.in_audience


def can_see_results(actor: Actor, standing: SurveyStanding) -> bool:
    return can_manage_survey(actor, standing) or (standing.published and standing.answered)


def seeing_sql(actor: Actor, *, creator: ColumnElement[bool],
               in_audience: ColumnElement[bool]) -> ColumnElement[bool]:
    """`can_see_survey` as an SQL condition over many surveys, each fact a condition the
    caller built."""
    return true() if actor.is_admin else or_(creator, in_audience)
