"""The dashboards' reads beyond the figures: names of request types and projects, the
drill-downs' lists, each item one the viewer may open (the requests' and projects' own
visibility rules, `seen_by`), and the scores of surveys whose results the viewer sees."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, select

from xietong.analytics.figures import Days, task_condition
from xietong.analytics.models import RequestFact, TaskFact
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.policy import surveys as survey_policy
from xietong.projects import queries as project_queries
from xietong.projects.models import Project, Task
from xietong.requests import queries as request_queries
from xietong.requests.models import Request, RequestType
from xietong.surveys import queries as survey_queries
from xietong.surveys.access import access_survey
from xietong.surveys.models import (
    AudienceKind,
    QuestionKind,
    Survey,
    SurveyKind,
    SurveyQuestion,
)
from xietong.surveys.results import hides_counts, tally


async def type_names(uow: UnitOfWork, type_ids: Collection[int]) -> dict[int, str]:
    if not type_ids:
        return {}
    return {type_id: name for type_id, name in await uow.session.execute(
        select(RequestType.id, RequestType.name).where(RequestType.id.in_(sorted(type_ids))))}


async def visible_project_names(uow: UnitOfWork, actor: Actor,
                                project_ids: Collection[int]) -> dict[int, str]:
    """The names of those of `project_ids` the actor sees (the others are left out)."""
    if not project_ids:
        return {}
    return {project_id: name for project_id, name in await uow.session.execute(
        select(Project.id, Project.name)
        .where(Project.id.in_(sorted(project_ids)), project_queries.seen_by(actor)))}


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: int
    title: str
    status: str
    department_id: int
    type_id: int | None
    filed_at: datetime
    response_seconds: float | None
    resolution_seconds: float | None
    response_breached: bool
    resolution_breached: bool


async def sla_requests(uow: UnitOfWork, actor: Actor, days: Days,
                       departments: Collection[int] | None, *, type_id: int | None,
                       breached: bool | None, before_id: int | None, limit: int
                       ) -> list[RequestRow]:
    """Requests filed in the range to `departments` (None: any), that the actor may open;
    newest first (by id), `limit` of them from before `before_id`."""
    conditions: list[ColumnElement[bool]] = [
        RequestFact.filed_day.between(days.first, days.last),
        request_queries.seen_by(actor.user_id)]
    if departments is not None:
        conditions.append(RequestFact.department_id.in_(sorted(departments)))
    if type_id is not None:
        conditions.append(RequestFact.type_id == type_id)
    if breached is not None:
        either = RequestFact.response_breached.is_(True) | RequestFact.resolution_breached.is_(
            True)
        conditions.append(either if breached else ~either)
    if before_id is not None:
        conditions.append(RequestFact.request_id < before_id)
    rows = await uow.session.execute(
        select(RequestFact.request_id, Request.title, Request.status,
               RequestFact.department_id, RequestFact.type_id, RequestFact.filed_at,
               RequestFact.response_seconds, RequestFact.resolution_seconds,
               RequestFact.response_breached, RequestFact.resolution_breached)
        .join(Request, Request.id == RequestFact.request_id)
        .where(*conditions).order_by(RequestFact.request_id.desc()).limit(limit))
    return [RequestRow(id=r[0], title=r[1], status=r[2], department_id=r[3], type_id=r[4],
                       filed_at=r[5], response_seconds=r[6], resolution_seconds=r[7],
                       response_breached=r[8], resolution_breached=r[9]) for r in rows]


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: int
    title: str
    project_id: int
    project_name: str
    department_id: int
    due_at: date | None
    completed_at: datetime | None
    late: bool


async def delivery_tasks(uow: UnitOfWork, actor: Actor, days: Days, today: date,
                         departments: Collection[int] | None, *, project_id: int | None,
                         kind: str, before_id: int | None, limit: int) -> Sequence[TaskRow]:
    """Tasks of `departments` (None: any) a delivery figure of `kind` counts in the range,
    in projects the actor sees; newest first (by id)."""
    conditions: list[ColumnElement[bool]] = [task_condition(kind, days, today),
                                             project_queries.seen_by(actor)]
    if departments is not None:
        conditions.append(TaskFact.department_id.in_(sorted(departments)))
    if project_id is not None:
        conditions.append(TaskFact.project_id == project_id)
    if before_id is not None:
        conditions.append(TaskFact.task_id < before_id)
    rows = await uow.session.execute(
        select(TaskFact.task_id, Task.title, TaskFact.project_id, Project.name,
               TaskFact.department_id, TaskFact.due_at, TaskFact.completed_at, TaskFact.late)
        .join(Task, Task.id == TaskFact.task_id)
        .join(Project, Project.id == TaskFact.project_id)
        .where(*conditions).order_by(TaskFact.task_id.desc()).limit(limit))
    return [TaskRow(id=r[0], title=r[1], project_id=r[2], project_name=r[3],
                    department_id=r[4], due_at=r[5], completed_at=r[6], late=r[7])
            for r in rows]


@dataclass(frozen=True, slots=True)
class SurveyScore:
    survey_id: int
    title: str
    kind: str  # "nps" or "scale": of its first such question
    responses: int
    score: float | None  # the NPS (-100–100) or the scale's average (1–5)


async def survey_scores(uow: UnitOfWork, actor: Actor, since: datetime, until: datetime,
                        departments: Collection[int] | None, *, limit: int
                        ) -> list[SurveyScore]:
    """The scores of the surveys created from `since` to before `until` that ask an NPS or a
    scale question, newest first, `limit` of them: only those whose results the actor may
    see (surveys' own rule) and that show their counts (an anonymous one with too few
    responses does not); with `departments`, only those asking some of them."""
    scored = (select(SurveyQuestion.survey_id)
              .where(SurveyQuestion.kind.in_([QuestionKind.NPS.value,
                                              QuestionKind.SCALE.value])))
    candidates = (await uow.session.scalars(
        select(Survey.id)
        .where(Survey.created_at >= since, Survey.created_at < until,
               Survey.kind == SurveyKind.SURVEY.value, Survey.id.in_(scored))
        .order_by(Survey.id.desc()).limit(limit * 4))).all()
    found: list[SurveyScore] = []
    for survey_id in candidates:
        if len(found) == limit:
            break
        try:
            seen = await access_survey(uow, actor, survey_id)
        except NotFound:
            continue
        survey = seen.survey
        if not survey_policy.can_see_results(actor, seen.standing) or hides_counts(survey):
            continue
        if departments is not None and (
                survey.audience_kind != AudienceKind.DEPARTMENTS.value
                or not set(survey.audience_department_ids) & set(departments)):
            continue
        questions = [q for q in (await survey_queries.questions_of(uow, [survey_id]))[survey_id]
                     if q.kind in (QuestionKind.NPS.value, QuestionKind.SCALE.value)]
        first = tally(questions[:1], await survey_queries.answers_of(uow, survey_id),
                      with_texts=False)[0]
        found.append(SurveyScore(
            survey_id=survey_id, title=survey.title, kind=first.kind.value,
            responses=survey.response_count,
            score=first.nps if first.kind == QuestionKind.NPS else first.average))
    return found
