"""Cross-department requests over HTTP: types, filing with a form, who sees what, the
workflow with its clocks, assignment, rating — and every refusal writing nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from tests.api_inputs import Unchanged
from tests.helpers import Cast, Person, error_code
from xietong.business_calendar.queries import work_calendar

TYPES = "/api/v1/request-types"
REQUESTS = "/api/v1/requests"

BUDGET_FORM: list[dict[str, Any]] = [
    {"key": "amount", "label": "金额", "type": "money", "required": True},
    {"key": "quarter", "label": "季度", "type": "select", "required": True,
     "options": ["Q1", "Q2", "Q3", "Q4"]},
    {"key": "needed_by", "label": "需要日期", "type": "date"},
    {"key": "headcount", "label": "人数", "type": "number"},
    {"key": "contact", "label": "对接人", "type": "person"},
    {"key": "reason", "label": "说明", "type": "long_text"},
]


async def make_type(cast: Cast, department: str = "研发部", *, by: Person | None = None,
                    assignment: str = "manager", fields: list[dict[str, Any]] | None = None,
                    name: str = "需求评审") -> dict[str, Any]:
    response = await (by or cast.linxiaoyan).api.post(TYPES, json={
        "name": name, "department_id": cast.departments[department],
        "fields": BUDGET_FORM if fields is None else fields,
        "response_sla_hours": 2, "resolution_sla_hours": 16, "assignment": assignment})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def file(person: Person, type_id: int | None = None, **body: Any) -> dict[str, Any]:
    payload = {"title": "客户演示环境需要新增报表导出", **body}
    if type_id is not None:
        payload["type_id"] = type_id
        payload.setdefault("values", {"amount": "12500.50", "quarter": "Q3"})
    response = await person.api.post(REQUESTS, json=payload)
    assert response.status_code == 201, response.text
    filed: dict[str, Any] = response.json()
    return filed


async def act(person: Person, request_id: int, action: str, reason: str | None = None
              ) -> Any:
    body: dict[str, Any] = {"action": action}
    if reason is not None:
        body["reason"] = reason
    return await person.api.post(f"{REQUESTS}/{request_id}/transition", json=body)


@pytest.fixture
async def engineer(cast: Cast) -> Person:
    """赵磊, an engineer in 研发部 (李娜 manages it)."""
    return await cast.add_person("zhaolei", "赵磊", departments=("研发部",), title="工程师")


# --- request types ---------------------------------------------------------------------------

async def test_admins_and_the_departments_managers_define_its_types(cast: Cast) -> None:
    by_admin = await make_type(cast)
    assert [f["key"] for f in by_admin["fields"]] == [f["key"] for f in BUDGET_FORM]
    by_manager = await make_type(cast, by=cast.lina, name="IT 支持", fields=[])
    assert by_manager["department_id"] == cast.departments["研发部"]
    # Someone else's department, a plain member, a guest: refused.
    for person in (cast.zhangwei, cast.liuyang, cast.alex):
        response = await person.api.post(TYPES, json={
            "name": "插队", "department_id": cast.departments["研发部"], "fields": [],
            "response_sla_hours": 1, "resolution_sla_hours": 2})
        assert response.status_code == 403, (person.username, response.text)
    # Every member sees the types (to file); a guest does not.
    listed = (await cast.liuyang.api.get(TYPES)).json()["items"]
    assert {t["name"] for t in listed} == {"需求评审", "IT 支持"}
    assert (await cast.alex.api.get(TYPES)).status_code == 403
    # The manager renames and archives theirs; archived types are left out of the list.
    changed = await cast.lina.api.patch(f"{TYPES}/{by_manager['id']}",
                                        json={"archived": True, "response_sla_hours": 0.5})
    assert changed.status_code == 200, changed.text
    assert changed.json()["response_sla_hours"] == 0.5
    listed = (await cast.liuyang.api.get(TYPES)).json()["items"]
    assert [t["name"] for t in listed] == ["需求评审"]
    assert (await cast.zhangwei.api.patch(f"{TYPES}/{by_admin['id']}",
                                          json={"name": "改名"})).status_code == 403


@pytest.mark.parametrize("change", [
    {"response_sla_hours": 0},
    {"response_sla_hours": -2},
    {"response_sla_hours": "2"},
    {"resolution_sla_hours": 1, "response_sla_hours": 4},
    {"fields": [{"key": "q", "label": "季度", "type": "select"}]},
    {"fields": [{"key": "q", "label": "季度", "type": "text", "options": ["a"]}]},
    {"fields": [{"key": "a", "label": "一", "type": "text"},
                {"key": "a", "label": "二", "type": "text"}]},
    {"fields": [{"key": "金额", "label": "金额", "type": "money"}]},
    {"fields": [{"key": "x", "label": "X", "type": "spreadsheet"}]},
    {"name": "   "},
    {"department_id": 999999},
])
async def test_a_bad_type_is_refused_and_nothing_written(cast: Cast, unchanged: Unchanged,
                                                         change: dict[str, Any]) -> None:
    body = {"name": "预算审批", "department_id": cast.departments["研发部"], "fields": [],
            "response_sla_hours": 2, "resolution_sla_hours": 8, **change}
    async with unchanged:
        response = await cast.linxiaoyan.api.post(TYPES, json=body)
    assert response.status_code == 422, response.text
    error_code(response)


async def test_two_types_of_one_name_in_a_department_conflict(cast: Cast) -> None:
    await make_type(cast)
    response = await cast.linxiaoyan.api.post(TYPES, json={
        "name": "需求评审", "department_id": cast.departments["研发部"], "fields": [],
        "response_sla_hours": 2, "resolution_sla_hours": 8})
    assert response.status_code == 409
    assert error_code(response) == "type_name_taken"
    # Another department may use the name.
    await make_type(cast, "客服部")


# --- filing --------------------------------------------------------------------------------

async def test_filing_checks_the_form_and_sets_the_clocks(cast: Cast) -> None:
    kind = await make_type(cast)
    filed = await file(cast.zhangwei, kind["id"], values={
        "amount": 12500.5, "quarter": "Q3", "needed_by": "2026-12-31", "headcount": 3,
        "contact": cast.liuyang.id, "reason": "  华东区的客户下周要看演示  "})
    assert filed["status"] == "new"
    assert filed["number"] == f"REQ-{filed['id']:05d}"
    assert filed["department_id"] == cast.departments["研发部"]
    assert filed["values"] == {"amount": "12500.50", "quarter": "Q3", "needed_by": "2026-12-31",
                               "headcount": 3, "contact": cast.liuyang.id,
                               "reason": "华东区的客户下周要看演示"}
    assert filed["assignee_id"] is None  # the managers assign from the queue
    assert set(filed["can"]) == {"withdraw", "watch_others", "comment"}
    # Due on the business calendar: 2 and 16 working hours from filing.
    async with cast.runtime.reader() as uow:
        calendar = await work_calendar(uow, default_zone=cast.runtime.settings.zone)
    created = datetime.fromisoformat(filed["created_at"])
    assert datetime.fromisoformat(filed["response_due_at"]) == \
        calendar.add_working_hours(created, 2)
    assert datetime.fromisoformat(filed["resolution_due_at"]) == \
        calendar.add_working_hours(created, 16)
    timeline = (await cast.zhangwei.api.get(f"{REQUESTS}/{filed['id']}/timeline")).json()
    assert [e["kind"] for e in timeline["items"]] == ["filed"]


@pytest.mark.parametrize(("values", "code"), [
    ({"quarter": "Q3"}, "required_field"),
    ({"amount": "   ", "quarter": "Q3"}, "required_field"),
    ({"amount": "12,500", "quarter": "Q3"}, "invalid_value"),
    ({"amount": "1.005", "quarter": "Q3"}, "invalid_value"),
    ({"amount": True, "quarter": "Q3"}, "invalid_value"),
    ({"amount": "100", "quarter": "第五季度"}, "invalid_value"),
    ({"amount": "100", "quarter": "Q3", "needed_by": "2026-02-30"}, "invalid_value"),
    ({"amount": "100", "quarter": "Q3", "needed_by": "明天"}, "invalid_value"),
    ({"amount": "100", "quarter": "Q3", "headcount": "三"}, "invalid_value"),
    ({"amount": "100", "quarter": "Q3", "headcount": float("1e300") * 10}, None),
    ({"amount": "100", "quarter": "Q3", "contact": 999999}, "unknown_reference"),
    ({"amount": "100", "quarter": "Q3", "contact": "李娜"}, "invalid_value"),
    ({"amount": "100", "quarter": "Q3", "reason": "长" * 20_001}, "invalid_value"),
    ({"amount": "100", "quarter": "Q3", "budget_code": "X"}, "unknown_field"),
])
async def test_bad_form_values_are_refused_and_nothing_written(
        cast: Cast, unchanged: Unchanged, values: dict[str, Any], code: str | None) -> None:
    kind = await make_type(cast)
    async with unchanged:
        response = await cast.zhangwei.api.post(REQUESTS, json={
            "type_id": kind["id"], "title": "预算", "values": values})
    assert 400 <= response.status_code < 500, response.text
    found = error_code(response) if response.headers["content-type"].startswith(
        "application/json") else None
    if code is not None:
        assert found == code, response.text


async def test_free_text_to_a_department_and_refusals(cast: Cast, unchanged: Unchanged) -> None:
    filed = await file(cast.wangfang, department_id=cast.departments["研发部"],
                       description="客户反馈导出的 Excel 打不开")
    assert filed["type_id"] is None
    assert filed["values"] == {}
    kind = await make_type(cast)
    async with unchanged:
        for body, status in (
                ({"title": "没有部门"}, 422),
                ({"title": "部门不存在", "department_id": 999999}, 422),
                ({"title": "类型与部门不符", "type_id": kind["id"],
                  "department_id": cast.departments["客服部"],
                  "values": {"amount": "1", "quarter": "Q1"}}, 422),
                ({"title": "", "department_id": cast.departments["研发部"]}, 422),
                ({"title": "x" * 201, "department_id": cast.departments["研发部"]}, 422),
                ({"title": "关注人不存在", "department_id": cast.departments["研发部"],
                  "watcher_ids": [999999]}, 422),
                ({"title": "多余字段", "department_id": cast.departments["研发部"],
                  "priority": "high"}, 422),
        ):
            response = await cast.zhangwei.api.post(REQUESTS, json=body)
            assert response.status_code == status, (body, response.text)
            error_code(response)
        # A guest files nothing.
        response = await cast.alex.api.post(REQUESTS, json={
            "title": "外部需求", "department_id": cast.departments["研发部"]})
        assert response.status_code == 403


# --- who sees it ---------------------------------------------------------------------------

async def test_a_request_is_seen_by_those_it_concerns_and_nobody_else(
        cast: Cast, engineer: Person) -> None:
    filed = await file(cast.liuyang, department_id=cast.departments["研发部"],
                       watcher_ids=[cast.wangfang.id])
    request_id = filed["id"]
    # The requester, a watcher, the receiving department's manager and member.
    for person in (cast.liuyang, cast.wangfang, cast.lina, engineer):
        response = await person.api.get(f"{REQUESTS}/{request_id}")
        assert response.status_code == 200, person.username
        assert (await person.api.get(f"{REQUESTS}/{request_id}/timeline")).status_code == 200
    # 销售部's manager is above the requester, not the receiving side; the admin and the
    # owner are not concerned either; the guest sees nothing.
    for person in (cast.zhangwei, cast.linxiaoyan, cast.zhoujianguo, cast.alex):
        for path in (f"{REQUESTS}/{request_id}", f"{REQUESTS}/{request_id}/timeline"):
            response = await person.api.get(path)
            assert response.status_code == 404, (person.username, path)
            assert error_code(response) == "not_found"
        response = await act(person, request_id, "accept")
        assert response.status_code == 404, person.username
        listed = (await person.api.get(REQUESTS, params={"box": "all"})).json()["items"]
        assert request_id not in [r["id"] for r in listed]
    # The boxes.
    assert [r["id"] for r in (await cast.liuyang.api.get(
        REQUESTS, params={"box": "mine"})).json()["items"]] == [request_id]
    assert [r["id"] for r in (await engineer.api.get(
        REQUESTS, params={"box": "queue"})).json()["items"]] == [request_id]
    assert [r["id"] for r in (await cast.wangfang.api.get(
        REQUESTS, params={"box": "watching"})).json()["items"]] == [request_id]
    assert (await cast.wangfang.api.get(REQUESTS, params={"box": "queue"})).json()["items"] == []


async def test_lists_page_newest_first_and_filter_by_status(cast: Cast) -> None:
    ids = [(await file(cast.zhangwei, department_id=cast.departments["研发部"],
                       title=f"需求 {n}"))["id"] for n in range(5)]
    await act(cast.lina, ids[1], "accept")
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"box": "mine", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await cast.zhangwei.api.get(REQUESTS, params=params)).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    accepted = (await cast.zhangwei.api.get(REQUESTS, params={"status": "accepted"})).json()
    assert [r["id"] for r in accepted["items"]] == [ids[1]]
    bad = await cast.zhangwei.api.get(REQUESTS, params={"cursor": "nonsense"})
    assert bad.status_code == 400
    assert (await cast.zhangwei.api.get(REQUESTS, params={"box": "everything"})).status_code == 422


# --- the workflow --------------------------------------------------------------------------

async def test_the_whole_way_from_filing_to_rating(cast: Cast, engineer: Person) -> None:
    filed = await file(cast.zhangwei, department_id=cast.departments["研发部"])
    request_id = filed["id"]
    # The requester cannot accept their own request; a member of the queue takes it.
    response = await act(cast.zhangwei, request_id, "accept")
    assert response.status_code == 403
    assert error_code(response) == "not_yours"
    accepted = (await act(engineer, request_id, "accept")).json()
    assert accepted["status"] == "accepted"
    assert accepted["assignee_id"] == engineer.id
    assert accepted["first_response_at"] is not None
    assert accepted["breached"] == {"response": False, "resolution": False}
    assert "resolve" in accepted["can"]
    assert "assign" in accepted["can"]
    # Waiting on the requester needs a reason and stops the clocks.
    response = await act(engineer, request_id, "wait")
    assert response.status_code == 422
    assert error_code(response) == "reason_required"
    waiting = (await act(engineer, request_id, "wait", "请提供客户的报表样例")).json()
    assert waiting["status"] == "waiting"
    assert waiting["paused_at"] is not None
    await asyncio.sleep(0.05)
    resumed = (await act(engineer, request_id, "resume")).json()
    assert resumed["status"] == "accepted"
    assert resumed["paused_at"] is None
    assert resumed["resolution_due_at"] >= waiting["resolution_due_at"]
    started = (await act(engineer, request_id, "start")).json()
    assert started["status"] == "in_progress"
    resolved = (await act(engineer, request_id, "resolve")).json()
    assert resolved["status"] == "resolved"
    assert resolved["resolved_at"] is not None
    # Only the requester confirms or reopens; reopening says why.
    assert (await act(engineer, request_id, "confirm")).status_code == 403
    response = await act(cast.zhangwei, request_id, "reopen")
    assert error_code(response) == "reason_required"
    reopened = (await act(cast.zhangwei, request_id, "reopen", "导出的表头还是英文")).json()
    assert reopened["status"] == "in_progress"
    assert reopened["resolved_at"] is None
    await act(engineer, request_id, "resolve")
    closed = (await act(cast.zhangwei, request_id, "confirm")).json()
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None
    assert closed["can"] == ["rate"]
    # Rating: the requester, once, 1 to 5.
    for body in ({"score": 0}, {"score": 6}, {"score": "5"}, {"score": 4.5}):
        response = await cast.zhangwei.api.post(f"{REQUESTS}/{request_id}/rating", json=body)
        assert response.status_code == 422, body
    response = await engineer.api.post(f"{REQUESTS}/{request_id}/rating", json={"score": 5})
    assert response.status_code == 403
    rated = (await cast.zhangwei.api.post(f"{REQUESTS}/{request_id}/rating",
                                          json={"score": 4, "comment": "很快，谢谢"})).json()
    assert rated["rating"] == 4
    assert rated["rating_comment"] == "很快，谢谢"
    again = await cast.zhangwei.api.post(f"{REQUESTS}/{request_id}/rating", json={"score": 5})
    assert again.status_code == 409
    assert error_code(again) == "already_rated"
    # Closed: nothing moves it.
    response = await act(engineer, request_id, "start")
    assert response.status_code == 409
    assert error_code(response) == "request_closed"
    timeline = (await cast.zhangwei.api.get(f"{REQUESTS}/{request_id}/timeline")).json()
    steps = [(e["kind"], e["data"].get("action")) for e in timeline["items"]]
    assert steps == [("filed", None), ("transition", "accept"), ("transition", "wait"),
                     ("transition", "resume"), ("transition", "start"),
                     ("transition", "resolve"), ("transition", "reopen"),
                     ("transition", "resolve"), ("transition", "confirm"), ("rated", None)]
    assert timeline["items"][2]["data"]["reason"] == "请提供客户的报表样例"
    assert {e["actor_id"] for e in timeline["items"][1:6]} == {engineer.id}


async def test_rejecting_needs_a_reason_and_withdrawing_is_the_requesters(
        cast: Cast, engineer: Person) -> None:
    first = await file(cast.zhangwei, department_id=cast.departments["研发部"])
    assert error_code(await act(cast.lina, first["id"], "reject")) == "reason_required"
    rejected = (await act(cast.lina, first["id"], "reject", "不属于研发部的职责")).json()
    assert rejected["status"] == "rejected"
    assert rejected["first_response_at"] is not None
    second = await file(cast.zhangwei, department_id=cast.departments["研发部"])
    assert (await act(engineer, second["id"], "withdraw")).status_code == 403
    withdrawn = (await act(cast.zhangwei, second["id"], "withdraw")).json()
    assert withdrawn["status"] == "withdrawn"
    # A rating needs a closed request.
    response = await cast.zhangwei.api.post(f"{REQUESTS}/{second['id']}/rating",
                                            json={"score": 3})
    assert response.status_code == 409


async def test_an_action_that_does_not_fit_the_status_conflicts(cast: Cast) -> None:
    filed = await file(cast.zhangwei, department_id=cast.departments["研发部"])
    for action in ("resume", "resolve", "confirm"):
        response = await act(cast.lina if action != "confirm" else cast.zhangwei,
                             filed["id"], action)
        assert response.status_code == 409, action
        assert error_code(response) == "wrong_status"
    response = await act(cast.lina, filed["id"], "fly")
    assert response.status_code == 422


async def test_two_members_taking_one_request_at_once(cast: Cast, engineer: Person) -> None:
    other = await cast.add_person("sunqiang", "孙强", departments=("研发部",))
    filed = await file(cast.zhangwei, department_id=cast.departments["研发部"])
    answers = await asyncio.gather(act(engineer, filed["id"], "accept"),
                                   act(other, filed["id"], "accept"))
    assert sorted(a.status_code for a in answers) == [200, 409]
    winner = next(a.json() for a in answers if a.status_code == 200)
    assert winner["assignee_id"] in (engineer.id, other.id)
    timeline = (await cast.zhangwei.api.get(f"{REQUESTS}/{filed['id']}/timeline")).json()
    assert [e["data"].get("action") for e in timeline["items"]] == [None, "accept"]


# --- assignment ----------------------------------------------------------------------------

async def test_managers_assign_members_of_the_department_only(cast: Cast,
                                                              engineer: Person) -> None:
    filed = await file(cast.zhangwei, department_id=cast.departments["研发部"])
    path = f"{REQUESTS}/{filed['id']}/assign"
    # Not the requester, not a plain member for someone else.
    assert (await cast.zhangwei.api.post(path, json={"assignee_id": engineer.id})
            ).status_code == 403
    assert (await engineer.api.post(path, json={"assignee_id": engineer.id})).status_code == 403
    response = await cast.lina.api.post(path, json={"assignee_id": cast.wangfang.id})
    assert response.status_code == 422
    assert error_code(response) == "not_in_department"
    assigned = (await cast.lina.api.post(path, json={"assignee_id": engineer.id})).json()
    assert assigned["assignee_id"] == engineer.id
    # The assignee hands it on to a colleague.
    other = await cast.add_person("sunqiang", "孙强", departments=("研发部",))
    handed = (await engineer.api.post(path, json={"assignee_id": other.id})).json()
    assert handed["assignee_id"] == other.id
    timeline = (await cast.lina.api.get(f"{REQUESTS}/{filed['id']}/timeline")).json()
    assert [e["data"] for e in timeline["items"] if e["kind"] == "assigned"] == [
        {"from": None, "to": engineer.id}, {"from": engineer.id, "to": other.id}]


async def test_round_robin_and_least_loaded_assignment(cast: Cast, engineer: Person) -> None:
    other = await cast.add_person("sunqiang", "孙强", departments=("研发部",))
    team = sorted([cast.lina.id, engineer.id, other.id])
    turns = await make_type(cast, assignment="round_robin", fields=[], name="IT 支持")
    got = [(await file(cast.zhangwei, turns["id"], values={}))["assignee_id"]
           for _ in range(4)]
    assert got == [team[0], team[1], team[2], team[0]]
    # Least loaded: whoever has the fewest open requests (李娜 and the first of the team
    # had two of the four; closing requests frees people).
    balanced = await make_type(cast, assignment="least_loaded", fields=[], name="资源借用")
    load = {person: got.count(person) for person in team}
    nxt = (await file(cast.zhangwei, balanced["id"], values={}))["assignee_id"]
    assert load[nxt] == min(load.values())


# --- transfer and watchers -----------------------------------------------------------------

async def test_a_transfer_hands_the_request_to_another_queue(cast: Cast,
                                                             engineer: Person) -> None:
    filed = await file(cast.zhangwei, department_id=cast.departments["研发部"])
    path = f"{REQUESTS}/{filed['id']}/transfer"
    accepted = (await act(engineer, filed["id"], "accept")).json()
    assert "transfer" in accepted["can"]
    body = {"department_id": cast.departments["客服部"], "reason": "属于售后问题"}
    # Not the requester, not a bystander; a reason and another, real department needed.
    assert (await cast.zhangwei.api.post(path, json=body)).status_code == 403
    for bad, code in (({**body, "reason": "  "}, "reason_required"),
                      ({**body, "department_id": cast.departments["研发部"]}, "same_department"),
                      ({**body, "department_id": 999999}, "unknown_department")):
        response = await engineer.api.post(path, json=bad)
        assert response.status_code == 422, bad
        assert error_code(response) == code
    moved = (await engineer.api.post(path, json=body)).json()
    assert moved["department_id"] == cast.departments["客服部"]
    assert moved["status"] == "new"
    assert moved["assignee_id"] is None
    # The clocks run on from filing; the first response stays given.
    assert moved["response_due_at"] == filed["response_due_at"]
    assert moved["first_response_at"] == accepted["first_response_at"]
    # 客服部 has it now; 研发部 no longer sees it.
    assert (await cast.wangfang.api.get(f"{REQUESTS}/{filed['id']}")).status_code == 200
    assert (await engineer.api.get(f"{REQUESTS}/{filed['id']}")).status_code == 404
    timeline = (await cast.wangfang.api.get(f"{REQUESTS}/{filed['id']}/timeline")).json()
    assert timeline["items"][-1]["kind"] == "transferred"
    assert timeline["items"][-1]["data"] == {"from": cast.departments["研发部"],
                                             "to": cast.departments["客服部"],
                                             "reason": "属于售后问题"}


async def test_watchers_come_and_go(cast: Cast, engineer: Person) -> None:
    filed = await file(cast.zhangwei, department_id=cast.departments["研发部"])
    path = f"{REQUESTS}/{filed['id']}/watchers"
    assert (await cast.wangfang.api.get(f"{REQUESTS}/{filed['id']}")).status_code == 404
    added = await cast.zhangwei.api.post(path, json={"user_ids": [cast.wangfang.id]})
    assert added.status_code == 200, added.text
    assert added.json()["watcher_ids"] == [cast.wangfang.id]
    # A watcher sees it, but does not bring others in, nor takes others out.
    assert (await cast.wangfang.api.get(f"{REQUESTS}/{filed['id']}")).status_code == 200
    assert (await cast.wangfang.api.post(path, json={"user_ids": [cast.liuyang.id]})
            ).status_code == 403
    response = await cast.zhangwei.api.post(path, json={"user_ids": [999999]})
    assert response.status_code == 422
    assert error_code(response) == "unknown_watcher"
    assert (await cast.zhangwei.api.post(path, json={"user_ids": []})).status_code == 422
    # Stopping oneself is always allowed.
    assert (await cast.wangfang.api.delete(f"{path}/{cast.wangfang.id}")).status_code == 204
    assert (await cast.wangfang.api.get(f"{REQUESTS}/{filed['id']}")).status_code == 404
    steps = (await cast.zhangwei.api.get(f"{REQUESTS}/{filed['id']}/timeline")).json()["items"]
    assert [(e["kind"], e["data"]) for e in steps if e["kind"] == "watchers"] == [
        ("watchers", {"added": [cast.wangfang.id], "removed": []}),
        ("watchers", {"added": [], "removed": [cast.wangfang.id]})]


# --- approvals -------------------------------------------------------------------------------

async def countersign_flow(cast: Cast) -> int:
    """合同会签: 销售部's and 客服部's managers both sign (会签)."""
    response = await cast.linxiaoyan.api.post("/api/v1/approval-flows", json={
        "name": "合同会签", "steps": [{"mode": "all", "approvers": [
            {"manager_of": cast.departments["销售部"]},
            {"manager_of": cast.departments["客服部"]}]}]})
    assert response.status_code == 201, response.text
    flow_id: int = response.json()["id"]
    return flow_id


async def approval_tasks(person: Person) -> list[dict[str, Any]]:
    page = (await person.api.get("/api/v1/approvals", params={"box": "todo"})).json()
    return [item["task"] for item in page["items"]]


async def test_a_type_with_a_flow_is_resolved_by_its_approval(cast: Cast,
                                                              engineer: Person) -> None:
    flow_id = await countersign_flow(cast)
    kind = await make_type(cast, fields=[], name="合同会签")
    changed = await cast.linxiaoyan.api.patch(f"{TYPES}/{kind['id']}",
                                              json={"approval_flow_id": flow_id})
    assert changed.json()["approval_flow_id"] == flow_id
    assert (await cast.linxiaoyan.api.patch(f"{TYPES}/{kind['id']}",
                                            json={"approval_flow_id": 999999})).status_code == 422
    filed = await file(engineer, kind["id"], values={}, title="与恒达电子的年度合同")
    assert filed["approval"]["status"] == "pending"
    # The approvers see what they approve (not otherwise theirs), and do nothing else to it.
    for approver in (cast.zhangwei, cast.wangfang):
        seen = await approver.api.get(f"{REQUESTS}/{filed['id']}")
        assert seen.status_code == 200
        assert seen.json()["can"] == []
        refused = await act(approver, filed["id"], "accept")
        assert refused.status_code == 403
        assert (await approver.api.post(f"{REQUESTS}/{filed['id']}/watchers",
                                        json={"user_ids": [cast.liuyang.id]})).status_code == 403
        assert filed["id"] in [r["id"] for r in (await approver.api.get(
            REQUESTS, params={"box": "all"})).json()["items"]]
    assert (await cast.liuyang.api.get(f"{REQUESTS}/{filed['id']}")).status_code == 404
    # The inbox says what the approval is about as people quote it, and whose it is.
    [item] = (await cast.zhangwei.api.get("/api/v1/approvals")).json()["items"]
    assert item["approval"]["subject"] == f"request:{filed['id']}"
    assert item["approval"]["reference"] == filed["number"]
    assert (item["approval"]["title"], item["approval"]["flow_name"]) == (
        "与恒达电子的年度合同", "合同会签")
    assert item["approval"]["requester_department_id"] == cast.departments["研发部"]
    # Nobody resolves it before its approval.
    await act(cast.lina, filed["id"], "start")
    early = await act(cast.lina, filed["id"], "resolve")
    assert early.status_code == 409
    assert error_code(early) == "approval_pending"
    # 会签: one signature is not enough; both resolve the request.
    for approver in (cast.zhangwei, cast.wangfang):
        [task] = await approval_tasks(approver)
        decided = await approver.api.post(f"/api/v1/approvals/{task['id']}/decide",
                                          json={"decision": "approve"})
        assert decided.status_code == 200, decided.text
        now = (await engineer.api.get(f"{REQUESTS}/{filed['id']}")).json()
        assert now["status"] == ("in_progress" if approver is cast.zhangwei else "resolved")
    assert now["approval"]["status"] == "approved"
    steps = (await engineer.api.get(f"{REQUESTS}/{filed['id']}/timeline")).json()["items"]
    assert steps[-1]["kind"] == "approval"
    assert steps[-1]["data"]["outcome"] == "approved"


async def test_a_returned_approval_waits_and_a_rejected_one_rejects(
        cast: Cast, engineer: Person) -> None:
    flow_id = await countersign_flow(cast)
    kind = await make_type(cast, fields=[], name="合同会签")
    await cast.linxiaoyan.api.patch(f"{TYPES}/{kind['id']}", json={"approval_flow_id": flow_id})
    filed = await file(engineer, kind["id"], values={}, title="框架合同")
    [task] = await approval_tasks(cast.zhangwei)
    await cast.zhangwei.api.post(f"/api/v1/approvals/{task['id']}/decide",
                                 json={"decision": "return", "comment": "付款条款要改"})
    waiting = (await engineer.api.get(f"{REQUESTS}/{filed['id']}")).json()
    assert waiting["status"] == "waiting"
    assert waiting["approval"]["status"] == "returned"
    # The requester changes it and resumes: a new round of the approval.
    resumed_reply = await act(engineer, filed["id"], "resume")
    assert resumed_reply.status_code == 200, resumed_reply.text
    resumed = resumed_reply.json()
    assert resumed["approval"]["status"] == "pending"
    assert resumed["approval"]["round"] == 2
    [task] = await approval_tasks(cast.wangfang)
    await cast.wangfang.api.post(f"/api/v1/approvals/{task['id']}/decide",
                                 json={"decision": "reject", "comment": "金额超出年度预算"})
    rejected = (await engineer.api.get(f"{REQUESTS}/{filed['id']}")).json()
    assert rejected["status"] == "rejected"
    assert rejected["closed_at"] is not None


async def test_a_file_in_a_requests_form_is_read_by_those_who_see_the_request(
        cast: Cast, engineer: Person) -> None:
    kind = await make_type(cast, fields=[{"key": "contract", "label": "合同文本",
                                          "type": "file", "required": True}], name="合同会签")
    upload = await cast.zhangwei.api.post("/api/v1/files",
                                          files={"file": ("合同.txt", "甲方乙方".encode())})
    assert upload.status_code == 201, upload.text
    file_id = upload.json()["id"]
    # Someone else's upload cannot be put into one's form.
    stolen = await cast.liuyang.api.post(REQUESTS, json={
        "type_id": kind["id"], "title": "合同", "values": {"contract": file_id}})
    assert stolen.status_code == 422
    assert error_code(stolen) == "unknown_reference"
    filed = await file(cast.zhangwei, kind["id"], values={"contract": file_id}, title="合同")
    assert filed["values"] == {"contract": [file_id]}
    # 研发部 receives the request and reads its file; 客服部 sees neither.
    assert (await engineer.api.get(f"/api/v1/files/{file_id}")).status_code == 200
    assert (await cast.wangfang.api.get(f"/api/v1/files/{file_id}")).status_code == 404


async def test_an_approval_returned_while_the_request_waits_keeps_where_it_goes_back(
        cast: Cast, engineer: Person) -> None:
    flow_id = await countersign_flow(cast)
    kind = await make_type(cast, fields=[], name="合同会签")
    await cast.linxiaoyan.api.patch(f"{TYPES}/{kind['id']}", json={"approval_flow_id": flow_id})
    filed = await file(engineer, kind["id"], values={}, title="补充协议")
    await act(cast.lina, filed["id"], "start")
    await act(cast.lina, filed["id"], "wait", "请补充对方的营业执照")
    [task] = await approval_tasks(cast.zhangwei)
    await cast.zhangwei.api.post(f"/api/v1/approvals/{task['id']}/decide",
                                 json={"decision": "return", "comment": "附件不全"})
    assert (await engineer.api.get(f"{REQUESTS}/{filed['id']}")).json()["status"] == "waiting"
    # Resumed, it goes back to where it was before either wait: in progress, not waiting.
    resumed = (await act(engineer, filed["id"], "resume")).json()
    assert resumed["status"] == "in_progress"
    assert resumed["approval"]["round"] == 2
