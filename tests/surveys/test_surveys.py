"""Surveys over HTTP: who asks whom, who answers (once, even at the same moment), who sees
the results; anonymous answers stored apart from who answered; small groups unseen; every
refusal a clear 4xx that writes nothing."""

from __future__ import annotations

import asyncio
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import inspect, select

from tests.api_inputs import Unchanged
from tests.helpers import Cast, Person, error_code
from tests.surveys.helpers import SATISFACTION, SURVEYS, answer, answers_for, in_days, make_survey
from xietong.surveys.models import SurveyAnswer, SurveyAudience, SurveyResponse
from xietong.surveys.results import MIN_GROUP_SIZE


async def test_a_company_survey_is_answered_once_and_counted(cast: Cast) -> None:
    survey = await make_survey(cast.linxiaoyan)
    assert survey["audience"] == {"kind": "company", "department_ids": [], "channel_id": None}
    # Everyone but the guest is asked (the owner, the admin herself and the four members).
    assert survey["audience_size"] == 6
    assert survey["can"] == ["edit", "close", "delete", "results"]
    assert (await answer(cast.zhangwei, survey, nps=10, text="食堂不错")).status_code == 201
    again = await answer(cast.zhangwei, survey, nps=0)
    assert (again.status_code, error_code(again)) == (409, "already_answered")
    mine = (await cast.zhangwei.api.get(f"{SURVEYS}/{survey['id']}")).json()
    assert (mine["answered"], mine["may_answer"], mine["response_count"]) == (True, False, 1)
    assert (await answer(cast.lina, survey, nps=6, scale=2, single=3,
                         multiple=[1, 2])).status_code == 201
    results = (await cast.linxiaoyan.api.get(f"{SURVEYS}/{survey['id']}/results")).json()
    assert results["responses"] == 2
    nps, scale, single, multiple, text = results["questions"]
    assert nps["distribution"][10] == 1
    assert nps["distribution"][6] == 1
    assert nps["nps"] == 0.0  # one promoter, one detractor
    assert (scale["average"], scale["distribution"]) == (3.0, [0, 1, 0, 1, 0])
    assert [o["count"] for o in single["options"]] == [1, 0, 1]
    assert [o["count"] for o in multiple["options"]] == [1, 1, 0]
    assert text["texts"] == ["食堂不错"]
    # The named survey's breakdown shows each department, however small.
    assert {d["name"]: d["responses"] for d in results["departments"]} == {"销售部": 1, "研发部": 1}


async def test_two_submissions_at_once_count_once(cast: Cast) -> None:
    survey = await make_survey(cast.linxiaoyan, anonymous=True)
    first, second = await asyncio.gather(answer(cast.liuyang, survey, nps=8),
                                         answer(cast.liuyang, survey, nps=9))
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    refused = first if first.status_code == 409 else second
    assert error_code(refused) == "already_answered"
    async with cast.runtime.reader() as uow:
        responses = (await uow.session.scalars(select(SurveyResponse))).all()
        answers = (await uow.session.scalars(select(SurveyAnswer))).all()
    assert len(responses) == 1
    assert len(answers) == 3
    fetched = (await cast.linxiaoyan.api.get(f"{SURVEYS}/{survey['id']}")).json()
    assert fetched["response_count"] == 1


async def test_anonymous_answers_are_stored_apart_from_who_answered(cast: Cast) -> None:
    survey = await make_survey(cast.linxiaoyan, anonymous=True)
    named = await make_survey(cast.linxiaoyan, "午餐调查")
    for person in (cast.zhangwei, cast.lina):
        said = await answer(person, survey, text=f"{person.display_name}的建议")
        assert said.status_code == 201
    assert (await answer(cast.zhangwei, named)).status_code == 201
    async with cast.runtime.reader() as uow:
        rows = (await uow.session.scalars(
            select(SurveyResponse).where(SurveyResponse.survey_id == survey["id"]))).all()
        who = (await uow.session.scalars(select(SurveyAudience).where(
            SurveyAudience.survey_id == survey["id"], SurveyAudience.answered))).all()
        kept = (await uow.session.scalars(
            select(SurveyResponse).where(SurveyResponse.survey_id == named["id"]))).one()
    # No respondent, no time, and an id that is neither a number nor in the order of coming.
    assert [(r.respondent_id, r.submitted_at) for r in rows] == [(None, None), (None, None)]
    assert all(len(r.id) == 32 and not r.id.isdigit() for r in rows)
    assert {w.user_id for w in who} == {cast.zhangwei.id, cast.lina.id}
    # Who answered is a flag with no id and no time of its own: nothing to join on.
    columns = {c.name for c in inspect(SurveyAudience).columns}
    assert columns == {"survey_id", "user_id", "answered"}
    # A named survey keeps its respondent.
    assert kept.respondent_id == cast.zhangwei.id
    assert kept.submitted_at is not None


async def test_an_anonymous_survey_hides_groups_below_the_minimum(cast: Cast) -> None:
    rnd = [cast.lina] + [await cast.add_person(f"dev{n}", f"研发{n}", departments=("研发部",))
                         for n in range(5)]
    survey = await make_survey(cast.lina, "研发部匿名调查", anonymous=True,
                               audience={"kind": "departments",
                                         "department_ids": [cast.departments["研发部"]]})
    assert survey["audience_size"] == 6
    url = f"{SURVEYS}/{survey['id']}/results"
    for person in rnd[:MIN_GROUP_SIZE - 1]:
        assert (await answer(person, survey, text="希望少开会")).status_code == 201
    hidden = (await cast.lina.api.get(url)).json()
    assert (hidden["below_minimum"], hidden["responses"], hidden["questions"],
            hidden["departments"]) == (True, MIN_GROUP_SIZE - 1, [], [])
    assert (await answer(rnd[MIN_GROUP_SIZE - 1], survey, text="加油")).status_code == 201
    shown = (await cast.lina.api.get(url)).json()
    assert shown["below_minimum"] is False
    assert sorted(shown["questions"][4]["texts"]) == sorted(["希望少开会"] * 4 + ["加油"])
    assert [(d["name"], d["responses"]) for d in shown["departments"]] == [("研发部", 5)]
    # Texts are never broken down by department.
    assert all(q["texts"] is None for q in shown["departments"][0]["questions"])

    # A company survey: 研发部 has 5 answers, 销售部 one: it is left out of the breakdown.
    company = await make_survey(cast.linxiaoyan, anonymous=True)
    for person in [*rnd[:5], cast.zhangwei]:
        assert (await answer(person, company)).status_code == 201
    results = (await cast.linxiaoyan.api.get(f"{SURVEYS}/{company['id']}/results")).json()
    assert [d["name"] for d in results["departments"]] == ["研发部"]
    assert results["departments_withheld"] == 1
    assert results["questions"][0]["answered"] == 6


async def test_who_may_do_what(cast: Cast, unchanged: Unchanged) -> None:
    sales, rnd = cast.departments["销售部"], cast.departments["研发部"]
    async with unchanged:
        for person, body, code in (
                (cast.alex, {}, "may_not_create_survey"),
                (cast.zhangwei, {}, "may_not_ask_company"),
                (cast.zhangwei, {"audience": {"kind": "departments", "department_ids": [rnd]}},
                 "may_not_ask_departments"),
                (cast.liuyang, {"audience": {"kind": "departments", "department_ids": [sales]}},
                 "may_not_ask_departments")):
            response = await person.api.post(SURVEYS, json={
                "title": "越权", "questions": SATISFACTION, **{"audience": {"kind": "company"},
                                                              **body}})
            assert (response.status_code, error_code(response)) == (403, code), person.username
    # 张伟 manages 销售部, with 华东区 below it: he asks both, and 刘洋 is asked.
    survey = await make_survey(cast.zhangwei, "销售部周会反馈",
                               audience={"kind": "departments", "department_ids": [sales]})
    assert survey["audience_size"] == 2
    url = f"{SURVEYS}/{survey['id']}"
    # Outside the audience: it does not exist (李娜), or it exists to the admin.
    for path in ("", "/results", "/results.xlsx"):
        assert (await cast.lina.api.get(url + path)).status_code == 404
    managing: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PATCH", "", {"title": "x"}), ("DELETE", "", None), ("POST", "/close", None)]
    answering: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", "/responses", {"answers": []})]
    for method, path, sent in [*managing, *answering]:
        response = await cast.lina.api.request(method, url + path, json=sent)
        assert response.status_code == 404, (method, path)
    assert (await cast.linxiaoyan.api.get(url)).status_code == 200
    refused = await answer(cast.linxiaoyan, survey)
    assert (refused.status_code, error_code(refused)) == (403, "not_in_audience")
    # Asked: answers, but neither manages it nor sees its results.
    for method, path, sent in managing:
        response = await cast.liuyang.api.request(method, url + path, json=sent)
        assert (response.status_code, error_code(response)) == (
            403, "may_not_manage_survey"), (method, path)
    assert (await answer(cast.liuyang, survey)).status_code == 201
    hidden = await cast.liuyang.api.get(f"{url}/results")
    assert (hidden.status_code, error_code(hidden)) == (403, "results_hidden")
    # Published: respondents see them, those who have not answered still do not.
    published = await cast.zhangwei.api.patch(url, json={"results_published": True})
    assert published.json()["results_published"] is True
    assert (await cast.liuyang.api.get(f"{url}/results")).status_code == 200
    assert (await cast.zhangwei.api.get(f"{url}/results")).status_code == 200
    # The admin sees the results and closes it; nobody answers a closed survey.
    assert (await cast.linxiaoyan.api.get(f"{url}/results")).status_code == 200
    assert (await cast.linxiaoyan.api.post(f"{url}/close")).json()["closed"] is True
    late = await answer(cast.zhangwei, survey)
    assert (late.status_code, error_code(late)) == (409, "survey_closed")
    assert (await cast.zhangwei.api.delete(url)).status_code == 204
    assert (await cast.zhangwei.api.get(url)).status_code == 404


async def test_questions_stay_once_answered(cast: Cast) -> None:
    survey = await make_survey(cast.linxiaoyan)
    url = f"{SURVEYS}/{survey['id']}"
    changed = await cast.linxiaoyan.api.patch(url, json={
        "questions": [{"kind": "scale", "title": "满意吗？"}, *SATISFACTION]})
    assert changed.status_code == 200, changed.text
    assert [q["kind"] for q in changed.json()["questions"]][:2] == ["scale", "nps"]
    survey = changed.json()
    q = {question["kind"]: question["id"] for question in survey["questions"][1:]}
    assert (await cast.lina.api.post(f"{url}/responses", json={"answers": [
        {"question_id": survey["questions"][0]["id"], "value": 3},
        {"question_id": q["nps"], "value": 7}, {"question_id": q["scale"], "value": 5},
        {"question_id": q["single"], "option_ids": [2]}]})).status_code == 201
    locked = await cast.linxiaoyan.api.patch(url, json={"questions": SATISFACTION})
    assert (locked.status_code, error_code(locked)) == (409, "questions_locked")
    renamed = await cast.linxiaoyan.api.patch(url, json={"title": "2026 年员工满意度调查",
                                                         "deadline": in_days(3)})
    assert renamed.status_code == 200
    assert renamed.json()["questions_editable"] is False


def _questions(count: int, options: int = 2) -> list[dict[str, Any]]:
    return [{"kind": "single", "title": f"问题 {n}",
             "options": [f"选项 {m}" for m in range(options)]} for n in range(count)]


async def test_bad_surveys_and_answers_are_refused(cast: Cast, unchanged: Unchanged) -> None:
    survey = await make_survey(cast.linxiaoyan)
    q = {question["kind"]: question["id"] for question in survey["questions"]}
    company: dict[str, Any] = {"audience": {"kind": "company"}}
    async with unchanged:
        cases: list[tuple[dict[str, Any], int, str | None]] = [
                ({"questions": _questions(1, 10_000)}, 422, None),
                ({"questions": _questions(1_000)}, 422, None),
                ({"questions": []}, 422, None),
                ({"questions": [{"kind": "single", "title": "空", "options": ["", " "]}]},
                 422, None),
                ({"questions": [{"kind": "single", "title": "一个", "options": ["是"]}]},
                 422, "options_required"),
                ({"questions": [{"kind": "single", "title": "重复", "options": ["是", "是"]}]},
                 422, "options_repeated"),
                ({"questions": [{"kind": "scale", "title": "打分", "options": ["是", "否"]}]},
                 422, "options_not_allowed"),
                ({"deadline": in_days(-1)}, 422, "deadline_past"),
                ({"kind": "poll"}, 422, "poll_shape"),
                ({"audience": None}, 422, "audience_required"),
                ({"audience": {"kind": "departments", "department_ids": []}}, 422,
                 "audience_required"),
                ({"audience": {"kind": "departments", "department_ids": [999_999]}}, 422,
                 "unknown_audience_department"),
                ({"title": ""}, 422, None),
                ({"title": "问" * 201}, 422, None),
                ({"anonymous": "yes"}, 422, None)]
        for body, status, code in cases:
            response = await cast.linxiaoyan.api.post(SURVEYS, json={
                "title": "坏问卷", "questions": SATISFACTION, **company, **body})
            assert response.status_code == status, (body, response.text[:200])
            if code:
                assert error_code(response) == code
        url = f"{SURVEYS}/{survey['id']}/responses"
        good = answers_for(survey)
        for answers, code in (
                ([*good, {"question_id": 999_999, "value": 3}], "unknown_question"),
                ([*good[:1], {"question_id": q["scale"], "value": 7}, *good[2:]],
                 "answer_out_of_range"),
                ([{"question_id": q["nps"], "value": 11}, *good[1:]], "answer_out_of_range"),
                ([*good[:2], {"question_id": q["single"], "option_ids": [1, 2]}, *good[3:]],
                 "one_option_only"),
                ([*good[:2], {"question_id": q["single"], "option_ids": [9]}, *good[3:]],
                 "unknown_option"),
                ([*good[:2], {"question_id": q["single"], "text": "一"}, *good[3:]],
                 "answer_wrong_kind"),
                (good[1:], "answer_required"),
                ([*good, good[0]], "answer_repeated"),
                ([], "answer_required")):
            response = await cast.lina.api.post(url, json={"answers": answers})
            assert (response.status_code, error_code(response)) == (422, code), answers
        huge = await cast.lina.api.post(url, json={"answers": [
            *good, {"question_id": q["text"], "text": "长" * 5_000}]})
        assert huge.status_code == 422
    # The refusals left the person free to answer.
    assert (await answer(cast.lina, survey)).status_code == 201


async def test_the_lists_and_the_export(cast: Cast) -> None:
    survey = await make_survey(cast.linxiaoyan, "年度调查")
    other = await make_survey(cast.zhangwei, "销售部调查", audience={
        "kind": "departments", "department_ids": [cast.departments["销售部"]]})

    async def box(person: Person, name: str) -> list[int]:
        page = (await person.api.get(SURVEYS, params={"box": name})).json()
        return [item["id"] for item in page["items"]]

    assert await box(cast.liuyang, "todo") == [other["id"], survey["id"]]
    assert await box(cast.lina, "todo") == [survey["id"]]
    assert await box(cast.zhangwei, "mine") == [other["id"]]
    assert await box(cast.lina, "all") == [survey["id"]]
    assert await box(cast.linxiaoyan, "all") == [other["id"], survey["id"]]
    assert await box(cast.alex, "all") == []
    assert (await answer(cast.liuyang, survey, text="=HYPERLINK(\"x\")")).status_code == 201
    assert await box(cast.liuyang, "todo") == [other["id"]]
    page = (await cast.liuyang.api.get(SURVEYS, params={"box": "todo", "limit": 1})).json()
    assert page["next_cursor"] is None
    exported = await cast.linxiaoyan.api.get(f"{SURVEYS}/{survey['id']}/results.xlsx")
    assert exported.status_code == 200
    book = load_workbook(BytesIO(exported.content))
    texts = [row for row in book["文字回答"].iter_rows(values_only=True)]
    # A formula typed as an answer stays text.
    assert texts[1] == ("还有什么建议？", "'=HYPERLINK(\"x\")")
