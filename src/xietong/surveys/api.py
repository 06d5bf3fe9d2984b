"""Surveys and votes over HTTP: thin routes over access, actions and views."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from pydantic import Field

from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, IdPath, Rt
from xietong.policy import require
from xietong.policy import surveys as survey_policy
from xietong.surveys import actions, queries
from xietong.surveys.access import SurveyAccess, access_survey
from xietong.surveys.export import results_workbook
from xietong.surveys.results import survey_results
from xietong.surveys.schemas import (
    ResponseCreate,
    SurveyCreate,
    SurveyOut,
    SurveyPage,
    SurveyResults,
    SurveySummaries,
    SurveyUpdate,
)
from xietong.surveys.views import survey_cards, survey_out, survey_summaries

router = APIRouter(prefix="/api/v1", tags=["surveys"])

# The most surveys one request of chat's cards asks for.
MAX_SUMMARIES = 100


async def _out(uow: UnitOfWork, actor: Actor, survey_id: int) -> SurveyOut:
    found = await access_survey(uow, actor, survey_id)
    return await survey_out(uow, actor, found.survey, found.standing, utcnow())


@router.post("/surveys", status_code=201)
async def create_survey(body: SurveyCreate, actor: CurrentActor, rt: Rt) -> SurveyOut:
    """A survey for the company or departments (`audience`), or for a channel's members
    (`channel_id`: posted into the channel; a `poll` is always so)."""
    async with rt.unit_of_work() as uow:
        survey = await actions.do_create_survey(uow, actor, body, now=utcnow())
        return await _out(uow, actor, survey.id)


@router.get("/surveys")
async def list_surveys(
    actor: CurrentActor, rt: Rt,
    box: Literal["todo", "mine", "all"] = "todo",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> SurveyPage:
    """`todo`: asking the caller, unanswered and open; `mine`: created by the caller; `all`:
    every survey the caller sees. Newest first."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    now = utcnow()
    async with rt.reader() as uow:
        rows = await queries.surveys_in(uow, actor, queries.Box(box, now), before_id=before_id,
                                        limit=limit + 1)
        page = rows[:limit]
        items = await survey_cards(uow, actor, page, now)
    return SurveyPage(items=items,
                      next_cursor=encode_cursor(page[-1].id) if len(rows) > limit else None)


@router.get("/survey-summaries")
async def list_survey_summaries(
    actor: CurrentActor, rt: Rt,
    ids: Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]],
                   Query(min_length=1, max_length=MAX_SUMMARIES)],
) -> SurveySummaries:
    """Several surveys at once, as the cards of the chat messages that link to them show
    them: those of `ids` the caller sees, the others left out as if they did not exist."""
    async with rt.reader() as uow:
        surveys = await queries.visible_surveys(uow, actor, ids)
        return SurveySummaries(items=await survey_summaries(uow, actor, surveys, utcnow()))


@router.get("/surveys/{survey_id}")
async def get_survey(survey_id: IdPath, actor: CurrentActor, rt: Rt) -> SurveyOut:
    async with rt.reader() as uow:
        return await _out(uow, actor, survey_id)


@router.patch("/surveys/{survey_id}")
async def update_survey(survey_id: IdPath, body: SurveyUpdate, actor: CurrentActor,
                        rt: Rt) -> SurveyOut:
    """Its questions only until someone answers."""
    async with rt.unit_of_work() as uow:
        found = await access_survey(uow, actor, survey_id, for_update=True)
        await actions.do_update_survey(uow, actor, found, body, now=utcnow())
        return await _out(uow, actor, survey_id)


@router.delete("/surveys/{survey_id}", status_code=204)
async def delete_survey(survey_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        found = await access_survey(uow, actor, survey_id, for_update=True)
        await actions.do_delete_survey(uow, actor, found)
    return Response(status_code=204)


@router.post("/surveys/{survey_id}/responses", status_code=201)
async def answer_survey(survey_id: IdPath, body: ResponseCreate, actor: CurrentActor,
                  rt: Rt) -> SurveyOut:
    """Answer once (a second time, even at the same moment: 409 `already_answered`)."""
    async with rt.unit_of_work() as uow:
        found = await access_survey(uow, actor, survey_id, for_update=True)
        await actions.do_respond(uow, actor, found, body.answers, now=utcnow())
        return await _out(uow, actor, survey_id)


@router.post("/surveys/{survey_id}/close")
async def close_survey(survey_id: IdPath, actor: CurrentActor, rt: Rt) -> SurveyOut:
    async with rt.unit_of_work() as uow:
        found = await access_survey(uow, actor, survey_id, for_update=True)
        await actions.do_close_survey(uow, actor, found, now=utcnow())
        return await _out(uow, actor, survey_id)


async def _results(uow: UnitOfWork, actor: Actor, survey_id: int) -> tuple[SurveyAccess,
                                                                            SurveyResults]:
    found = await access_survey(uow, actor, survey_id)
    require(survey_policy.can_see_results(actor, found.standing),
            "Only its creator sees the results, and respondents once they are published.",
            code="results_hidden")
    questions = (await queries.questions_of(uow, [survey_id]))[survey_id]
    return found, await survey_results(uow, found.survey, questions)


@router.get("/surveys/{survey_id}/results")
async def get_results(survey_id: IdPath, actor: CurrentActor, rt: Rt) -> SurveyResults:
    """Counts per option, scale averages, the NPS score, text answers and a breakdown by
    department. An anonymous survey shows only its number of responses below
    `min_group_size` of them, and no department with fewer."""
    async with rt.reader() as uow:
        return (await _results(uow, actor, survey_id))[1]


@router.get("/surveys/{survey_id}/results.xlsx", response_class=Response,
            responses={200: {"content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
async def export_results(survey_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    async with rt.reader() as uow:
        found, results = await _results(uow, actor, survey_id)
    name = quote(f"{found.survey.title}-结果.xlsx")
    return Response(
        content=results_workbook(found.survey.title, results),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})
