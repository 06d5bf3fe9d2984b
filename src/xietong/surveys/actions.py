"""Writers of surveys: create (fixing its audience, posting a channel's survey or poll into
the channel, scheduling its reminder and its closing), edit, answer, close, delete. None
commits (the caller's unit of work does).

Answering once: the audience row's `answered` flag is set by a conditional UPDATE (`false`
→ `true`); the response is written only by the transaction that turned it. Two submissions
by one person at once: on PostgreSQL the second UPDATE waits for the first transaction and
then finds the flag set; on SQLite writers are serialised. Either way the second is a 409."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, update

from xietong.chat import queries as chat_queries
from xietong.chat.access import access_channel_for_posting
from xietong.chat.actions import do_send_message
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, Invalid
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.policy import require
from xietong.policy import surveys as survey_policy
from xietong.surveys import queries
from xietong.surveys.access import SurveyAccess
from xietong.surveys.events import SurveyChanged, SurveyInvited, concerned
from xietong.surveys.models import (
    AudienceKind,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyAudience,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
)
from xietong.surveys.schemas import AnswerIn, QuestionIn, SurveyCreate, SurveyUpdate

REMIND_JOB = "surveys.remind"
CLOSE_JOB = "surveys.close"
# Those who have not answered are reminded this long before the deadline (or halfway to a
# nearer one).
REMIND_BEFORE = timedelta(days=1)

CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
VALUE_RANGES = {QuestionKind.SCALE: (1, 5), QuestionKind.NPS: (0, 10)}


def is_closed(survey: Survey, now: datetime) -> bool:
    """Closed by hand or by the close job, or past its deadline (before the job ran)."""
    return survey.closed_at is not None or (survey.deadline is not None
                                            and survey.deadline <= now)


def check_questions(questions: Sequence[QuestionIn], kind: SurveyKind) -> None:
    """Choice questions have 2 or more distinct options, the others none; a poll is one
    choice question."""
    if kind == SurveyKind.POLL and (len(questions) != 1
                                    or questions[0].kind not in CHOICE_KINDS):
        raise Invalid("A poll is one single- or multiple-choice question.", code="poll_shape")
    for index, question in enumerate(questions):
        where = {"question": index}
        if question.kind in CHOICE_KINDS:
            if len(question.options) < 2:
                raise Invalid("A choice question needs at least two options.",
                              code="options_required", details=where)
            if len(set(question.options)) != len(question.options):
                raise Invalid("Two options of a question have the same words.",
                              code="options_repeated", details=where)
        elif question.options:
            raise Invalid("Only choice questions have options.", code="options_not_allowed",
                          details=where)


def check_deadline(deadline: datetime | None, now: datetime) -> None:
    if deadline is not None and deadline <= now:
        raise Invalid("The deadline has passed already.", code="deadline_past")


def _question_rows(survey_id: int, questions: Sequence[QuestionIn]) -> list[SurveyQuestion]:
    return [SurveyQuestion(survey_id=survey_id, position=position, kind=q.kind.value,
                           title=q.title, required=q.required,
                           options=[{"id": n, "label": label}
                                    for n, label in enumerate(q.options, start=1)])
            for position, q in enumerate(questions)]


async def _reachable_departments(uow: UnitOfWork, actor: Actor) -> set[int]:
    """The departments at or below one the actor is in or manages."""
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    tops = set((await org_queries.memberships_of(uow, [actor.user_id]))[actor.user_id]
               .department_ids) | await org_queries.departments_managed_by(uow, actor.user_id)
    return {d for top in tops if top in parents
            for d in org_queries.descendants_and_self(parents, top)}


async def _audience(uow: UnitOfWork, actor: Actor, data: SurveyCreate) -> set[int]:
    """Who the new survey asks, after checking the actor may ask them."""
    if data.channel_id is not None:
        if data.audience is not None:
            raise Invalid("Ask a channel's members or an audience, not both.",
                          code="audience_conflict")
        await access_channel_for_posting(uow, actor, data.channel_id)
        return await queries.people_among(
            uow, await chat_queries.member_ids(uow, data.channel_id))
    if data.kind == SurveyKind.POLL:
        raise Invalid("A poll is created in a channel (`channel_id`).",
                      code="poll_needs_channel")
    if data.audience is None:
        raise Invalid("Say whom the survey asks.", code="audience_required")
    if data.audience.kind == AudienceKind.COMPANY:
        require(survey_policy.can_ask_company(actor),
                "Only administrators ask the whole company.", code="may_not_ask_company")
        return await queries.people_among(uow, None)
    chosen = set(data.audience.department_ids)
    if not chosen:
        raise Invalid("Choose at least one department.", code="audience_required")
    unknown = chosen - await org_queries.department_exists(uow, chosen)
    if unknown:
        raise Invalid("No such department.", code="unknown_audience_department",
                      details={"department_ids": sorted(unknown)})
    require(survey_policy.can_ask_departments(actor, chosen,
                                              await _reachable_departments(uow, actor)),
            "You may ask only your own departments (and those below them, or that you "
            "manage).", code="may_not_ask_departments")
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    subtree = {d for top in chosen for d in org_queries.descendants_and_self(parents, top)}
    return await queries.people_among(
        uow, await org_queries.active_member_ids_of_departments(uow, subtree))


async def _schedule(uow: UnitOfWork, survey: Survey, now: datetime) -> None:
    """The reminder before the deadline and the closing at it (none without one)."""
    if survey.deadline is None:
        return
    payload = {"survey_id": survey.id}
    remind_at = survey.deadline - min(REMIND_BEFORE, (survey.deadline - now) / 2)
    await uow.enqueue(REMIND_JOB, payload, key=f"{REMIND_JOB}:{survey.id}", run_at=remind_at)
    await uow.enqueue(CLOSE_JOB, payload, key=f"{CLOSE_JOB}:{survey.id}",
                      run_at=survey.deadline)


async def _unschedule(uow: UnitOfWork, survey_id: int) -> None:
    await uow.cancel_job(f"{REMIND_JOB}:{survey_id}")
    await uow.cancel_job(f"{CLOSE_JOB}:{survey_id}")


async def do_create_survey(uow: UnitOfWork, actor: Actor, data: SurveyCreate, *,
                           now: datetime) -> Survey:
    require(survey_policy.can_create_surveys(actor), "Guests do not start surveys.",
            code="may_not_create_survey")
    check_questions(data.questions, data.kind)
    check_deadline(data.deadline, now)
    people = await _audience(uow, actor, data)
    if not people:
        raise Invalid("Nobody would be asked.", code="empty_audience")
    if data.channel_id is not None:
        audience_kind = AudienceKind.CHANNEL
    else:
        assert data.audience is not None
        audience_kind = data.audience.kind
    published = (data.results_published if data.results_published is not None
                 else data.kind == SurveyKind.POLL)
    survey = Survey(
        kind=data.kind.value, title=data.title, description=data.description,
        anonymous=data.anonymous, creator_id=actor.user_id, audience_kind=audience_kind.value,
        audience_department_ids=(sorted(set(data.audience.department_ids))
                                 if data.audience is not None else []),
        channel_id=data.channel_id, deadline=data.deadline, results_published=published,
        response_count=0, audience_size=len(people), created_at=now, updated_at=now)
    uow.session.add(survey)
    await uow.flush()
    uow.session.add_all(_question_rows(survey.id, data.questions))
    uow.session.add_all(SurveyAudience(survey_id=survey.id, user_id=u, answered=False)
                        for u in sorted(people))
    if data.channel_id is not None:
        found = await access_channel_for_posting(uow, actor, data.channel_id)
        text = (f"发起了投票：{survey.title}" if data.kind == SurveyKind.POLL
                else f"发起了问卷：{survey.title}").replace("@", "＠")
        message, _ = await do_send_message(
            uow, actor, found, text=f"{text}\n/surveys/{survey.id}", client_msg_id=None,
            thread_root_id=None, file_ids=[], ack_required=False)
        survey.message_id = message.id
    await _schedule(uow, survey, now)
    await uow.flush()
    if data.kind == SurveyKind.SURVEY:
        invited = people - {actor.user_id}
        if invited:
            uow.emit(SurveyInvited(survey_id=survey.id, title=survey.title,
                                   creator_id=actor.user_id, deadline=survey.deadline),
                     concerned(survey.id, invited))
    uow.emit(SurveyChanged(survey_id=survey.id, change="created"),
             concerned(survey.id, people | {actor.user_id}))
    return survey


async def _told(uow: UnitOfWork, survey: Survey) -> set[int]:
    people = await queries.audience_ids(uow, survey.id)
    return people | ({survey.creator_id} if survey.creator_id is not None else set())


async def do_update_survey(uow: UnitOfWork, actor: Actor, found: SurveyAccess,
                           changes: SurveyUpdate, *, now: datetime) -> None:
    require(survey_policy.can_manage_survey(actor, found.standing),
            "Only its creator and administrators change a survey.", code="may_not_manage_survey")
    survey = found.survey
    given = changes.model_fields_set
    if given - {"results_published"} and is_closed(survey, now):
        raise Conflict("The survey is closed.", code="survey_closed")
    if "questions" in given and changes.questions is not None:
        if survey.response_count:
            raise Conflict("Someone has answered: the questions stay as they were.",
                           code="questions_locked")
        check_questions(changes.questions, SurveyKind(survey.kind))
        await uow.session.execute(delete(SurveyQuestion)
                                  .where(SurveyQuestion.survey_id == survey.id))
        uow.session.add_all(_question_rows(survey.id, changes.questions))
    if changes.title is not None:
        survey.title = changes.title
    if changes.description is not None:
        survey.description = changes.description
    if changes.results_published is not None:
        survey.results_published = changes.results_published
    if "deadline" in given and changes.deadline != survey.deadline:
        check_deadline(changes.deadline, now)
        survey.deadline = changes.deadline
        await _unschedule(uow, survey.id)
        await _schedule(uow, survey, now)
    survey.updated_at = now
    await uow.flush()
    uow.emit(SurveyChanged(survey_id=survey.id, change="updated"),
             concerned(survey.id, await _told(uow, survey)))


def _check_answers(questions: Sequence[SurveyQuestion],
                   answers: Sequence[AnswerIn]) -> list[SurveyAnswer]:
    """The answers as rows (without their response), each checked against its question."""
    by_id = {q.id: q for q in questions}
    rows: list[SurveyAnswer] = []
    seen: set[int] = set()
    for index, answer in enumerate(answers):
        where = {"answer": index, "question_id": answer.question_id}
        question = by_id.get(answer.question_id)
        if question is None:
            raise Invalid("That question is not one of this survey's.",
                          code="unknown_question", details=where)
        if answer.question_id in seen:
            raise Invalid("A question is answered twice.", code="answer_repeated",
                          details=where)
        seen.add(answer.question_id)
        kind = QuestionKind(question.kind)
        row = SurveyAnswer(question_id=question.id, option_ids=[], value=None, text=None)
        if kind in CHOICE_KINDS:
            if answer.value is not None or answer.text is not None:
                raise Invalid("A choice question is answered with options.",
                              code="answer_wrong_kind", details=where)
            options = {o["id"] for o in question.options}
            chosen = list(dict.fromkeys(answer.option_ids))
            if set(chosen) - options:
                raise Invalid("That option is not one of the question's.",
                              code="unknown_option", details=where)
            if kind == QuestionKind.SINGLE and len(chosen) > 1:
                raise Invalid("Choose one option.", code="one_option_only", details=where)
            if not chosen:
                continue
            row.option_ids = sorted(chosen)
        elif kind in VALUE_RANGES:
            if answer.option_ids or answer.text is not None:
                raise Invalid("A scale question is answered with a number.",
                              code="answer_wrong_kind", details=where)
            if answer.value is None:
                continue
            low, high = VALUE_RANGES[kind]
            if not low <= answer.value <= high:
                raise Invalid(f"Answer with a number from {low} to {high}.",
                              code="answer_out_of_range",
                              details={**where, "min": low, "max": high})
            row.value = answer.value
        else:
            if answer.option_ids or answer.value is not None:
                raise Invalid("A text question is answered with words.",
                              code="answer_wrong_kind", details=where)
            if answer.text is None or not answer.text.strip():
                continue
            row.text = answer.text.strip()
        rows.append(row)
    answered = {row.question_id for row in rows}
    missing = [q.id for q in questions if q.required and q.id not in answered]
    if missing:
        raise Invalid("Some required questions have no answer.", code="answer_required",
                      details={"question_ids": missing})
    if not rows:
        raise Invalid("Answer at least one question.", code="answer_required",
                      details={"question_ids": [q.id for q in questions]})
    return rows


def new_response_id() -> str:
    """Random, so a response's id says nothing of when it came or who came before."""
    return secrets.token_hex(16)


async def do_respond(uow: UnitOfWork, actor: Actor, found: SurveyAccess,
                     answers: Sequence[AnswerIn], *, now: datetime) -> None:
    """Record the actor's answers once (`found` fetched `for_update`)."""
    survey = found.survey
    require(survey_policy.can_answer(found.standing),
            "This survey does not ask you.", code="not_in_audience")
    if is_closed(survey, now):
        raise Conflict("The survey is closed.", code="survey_closed")
    questions = (await queries.questions_of(uow, [survey.id]))[survey.id]
    rows = _check_answers(questions, answers)
    turned = await uow.session.execute(
        update(SurveyAudience)
        .where(SurveyAudience.survey_id == survey.id, SurveyAudience.user_id == actor.user_id,
               SurveyAudience.answered.is_(False))
        .values(answered=True).execution_options(synchronize_session=False))
    if getattr(turned, "rowcount", 0) != 1:
        raise Conflict("You have answered this survey already.", code="already_answered")
    home = (await org_queries.memberships_of(uow, [actor.user_id]))[actor.user_id]
    response = SurveyResponse(
        id=new_response_id(), survey_id=survey.id,
        respondent_id=None if survey.anonymous else actor.user_id,
        department_id=home.primary_department_id or next(iter(home.department_ids), None),
        submitted_at=None if survey.anonymous else now)
    uow.session.add(response)
    await uow.flush()
    for row in rows:
        row.response_id = response.id
    uow.session.add_all(rows)
    await uow.session.execute(
        update(Survey).where(Survey.id == survey.id)
        .values(response_count=Survey.response_count + 1)
        .execution_options(synchronize_session=False))
    await uow.flush()
    await uow.session.refresh(survey)
    uow.emit(SurveyChanged(survey_id=survey.id, change="answered"),
             concerned(survey.id, await _told(uow, survey)))


async def close_survey(uow: UnitOfWork, survey: Survey, *, now: datetime) -> bool:
    """Close it (by hand, or at its deadline); whether it was open."""
    if survey.closed_at is not None:
        return False
    survey.closed_at = min(now, survey.deadline) if survey.deadline else now
    survey.updated_at = now
    await _unschedule(uow, survey.id)
    await uow.flush()
    uow.emit(SurveyChanged(survey_id=survey.id, change="closed"),
             concerned(survey.id, await _told(uow, survey)))
    return True


async def do_close_survey(uow: UnitOfWork, actor: Actor, found: SurveyAccess, *,
                          now: datetime) -> None:
    require(survey_policy.can_manage_survey(actor, found.standing),
            "Only its creator and administrators close a survey.",
            code="may_not_manage_survey")
    await close_survey(uow, found.survey, now=now)


async def do_delete_survey(uow: UnitOfWork, actor: Actor, found: SurveyAccess) -> None:
    require(survey_policy.can_manage_survey(actor, found.standing),
            "Only its creator and administrators delete a survey.",
            code="may_not_manage_survey")
    survey = found.survey
    told = await _told(uow, survey)
    await _unschedule(uow, survey.id)
    # Its questions, audience, responses and answers go with it (ON DELETE CASCADE).
    await uow.session.execute(delete(Survey).where(Survey.id == survey.id))
    await uow.flush()
    uow.emit(SurveyChanged(survey_id=survey.id, change="deleted"), concerned(survey.id, told))
