"""Approval flows over the API: administrators define, rename and archive them; everyone
but guests reads them; bad flows are refused with a clear 4xx and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_inputs import Unchanged, problem_locs, refused
from tests.approvals.helpers import (
    FLOWS,
    approval,
    approve,
    make_flow,
    managers_of,
    start,
    step,
    user,
)
from tests.helpers import Cast
from xietong.approvals.schemas import MAX_APPROVERS_PER_STEP, MAX_STEPS
from xietong.core.errors import Conflict

API_USERS = "/api/v1/users"


async def test_an_administrator_defines_a_flow_everyone_but_guests_reads_it(cast: Cast) -> None:
    sales = cast.departments["销售部"]
    body = {"name": "  采购审批 ", "steps": [
        step("one", managers_of()),
        step("any", managers_of(sales), user(cast.lina)),
        step("all", user(cast.wangfang), user(cast.zhoujianguo))]}
    response = await cast.linxiaoyan.api.post(FLOWS, json=body)
    assert response.status_code == 201, response.text
    flow = response.json()
    assert flow["name"] == "采购审批"
    assert flow["steps"] == [
        {"mode": "one", "approvers": [{"user_id": None, "manager_of": "requester_department"}]},
        {"mode": "any", "approvers": [{"user_id": None, "manager_of": sales},
                                      {"user_id": cast.lina.id, "manager_of": None}]},
        {"mode": "all", "approvers": [{"user_id": cast.wangfang.id, "manager_of": None},
                                      {"user_id": cast.zhoujianguo.id, "manager_of": None}]}]
    assert flow["archived"] is False
    assert flow["created_by"] == cast.linxiaoyan.id

    for reader in (cast.liuyang, cast.zhangwei, cast.zhoujianguo):
        one = await reader.api.get(f"{FLOWS}/{flow['id']}")
        assert one.status_code == 200, one.text
        assert one.json() == flow
        assert (await reader.api.get(FLOWS)).json() == {"items": [flow], "next_cursor": None}
    refused(await cast.alex.api.get(FLOWS), 403)
    refused(await cast.alex.api.get(f"{FLOWS}/{flow['id']}"), 403)
    refused(await cast.liuyang.api.get(f"{FLOWS}/{flow['id'] + 1}"), 404, "not_found")


async def test_renaming_and_archiving_a_flow(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    renamed = await admin.patch(f"{FLOWS}/{flow_id}", json={"name": "报销审批（2025）"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "报销审批（2025）"
    archived = await admin.patch(f"{FLOWS}/{flow_id}", json={"archived": True})
    assert archived.json()["archived"] is True
    assert (await admin.get(FLOWS)).json()["items"] == []
    listed = (await admin.get(FLOWS, params={"include_archived": "true"})).json()["items"]
    assert [f["id"] for f in listed] == [flow_id]

    # An archived flow starts nothing new.
    with pytest.raises(Conflict) as refusal:
        await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    assert refusal.value.code == "approval_flow_archived"
    back = await admin.patch(f"{FLOWS}/{flow_id}", json={"archived": False})
    assert back.json()["archived"] is False
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")


async def test_an_approval_under_way_goes_on_when_its_flow_is_archived(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)),
                              step("one", user(cast.lina)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    await cast.linxiaoyan.api.patch(f"{FLOWS}/{flow_id}", json={"archived": True})
    await approve(cast.zhangwei, 1)
    await approve(cast.lina, 1)
    assert (await approval(cast.liuyang, 1))["status"] == "approved"


async def test_only_administrators_define_and_change_flows(cast: Cast,
                                                           unchanged: Unchanged) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    body = {"name": "请假审批", "steps": [step("one", managers_of())]}
    async with unchanged:
        # A department's manager and a member: no.
        for person in (cast.zhangwei, cast.liuyang, cast.alex):
            refused(await person.api.post(FLOWS, json=body), 403, "forbidden")
        for person in (cast.zhangwei, cast.liuyang):
            refused(await person.api.patch(f"{FLOWS}/{flow_id}", json={"archived": True}),
                    403, "forbidden")
    assert (await cast.liuyang.api.get(f"{FLOWS}/{flow_id}")).json()["archived"] is False
    assert (await cast.zhoujianguo.api.post(FLOWS, json=body)).status_code == 201


def steps_of(count: int, approvers: int = 1) -> list[dict[str, Any]]:
    return [{"mode": "all", "approvers": [{"user_id": 1 + n} for n in range(approvers)]}
            for _ in range(count)]


BAD_FLOWS: dict[str, dict[str, Any]] = {
    "no steps": {"name": "空流程", "steps": []},
    "steps missing": {"name": "空流程"},
    "too many steps": {"name": "长流程", "steps": steps_of(MAX_STEPS + 1)},
    "too many approvers": {"name": "大会签", "steps": steps_of(1, MAX_APPROVERS_PER_STEP + 1)},
    "no approvers": {"name": "无人", "steps": [{"mode": "any", "approvers": []}]},
    "unknown mode": {"name": "x", "steps": [{"mode": "some", "approvers": [{"user_id": 1}]}]},
    "mode missing": {"name": "x", "steps": [{"approvers": [{"user_id": 1}]}]},
    "approver names nobody": {"name": "x", "steps": [step("any", {})]},
    "approver names two": {"name": "x", "steps": [
        step("any", {"user_id": 1, "manager_of": "requester_department"})]},
    "manager of something else": {"name": "x", "steps": [step("any", managers_of("boss"))]},
    "manager of a text id": {"name": "x", "steps": [step("any", managers_of("3"))]},
    "one with two approvers": {"name": "x", "steps": [
        step("one", {"user_id": 1}, managers_of())]},
    "the same approver twice": {"name": "x", "steps": [
        step("all", managers_of(), managers_of())]},
    "unknown field": {"name": "x", "steps": [step("one", managers_of())], "owner": 1},
    "unknown approver field": {"name": "x", "steps": [
        step("one", {"user_id": 1, "role": "admin"})]},
    "blank name": {"name": "  ", "steps": [step("one", managers_of())]},
    "long name": {"name": "审" * 65, "steps": [step("one", managers_of())]},
    "name with bidi control": {"name": "报销\u202e审批", "steps": [step("one", managers_of())]},
    "steps not a list": {"name": "x", "steps": {"mode": "one"}},
    "user id true": {"name": "x", "steps": [step("one", {"user_id": True})]},
    "user id too large": {"name": "x", "steps": [step("one", {"user_id": 2**31})]},
}


@pytest.mark.parametrize("label", list(BAD_FLOWS))
async def test_malformed_flows_are_a_422(cast: Cast, unchanged: Unchanged, label: str) -> None:
    async with unchanged:
        response = await cast.linxiaoyan.api.post(FLOWS, json=BAD_FLOWS[label])
        refused(response, 422, "invalid")
        assert problem_locs(response), response.text


async def test_approvers_must_be_people_of_the_company(cast: Cast,
                                                        unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    gone = await cast.add_person("zhaolei", "赵磊", departments=("研发部",))
    response = await admin.patch(f"{API_USERS}/{gone.id}", json={"active": False})
    assert response.status_code == 200, response.text
    async with unchanged:
        for who in ({"user_id": 2_147_483_647}, {"user_id": cast.alex.id},
                    {"user_id": gone.id}):
            response = await admin.post(FLOWS, json={"name": "x", "steps": [
                step("any", user(cast.lina)), step("all", user(cast.wangfang), who)]})
            refused(response, 422, "approval_bad_approver")
            assert response.json()["error"]["details"] == {"user_ids": [who["user_id"]]}
        response = await admin.post(FLOWS, json={"name": "x", "steps": [
            step("any", managers_of(2_147_483_647))]})
        refused(response, 422, "approval_unknown_department")
        assert response.json()["error"]["details"] == {"department_ids": [2_147_483_647]}
        # In Chinese on request.
        response = await admin.post(FLOWS, headers={"accept-language": "zh-CN"}, json={
            "name": "x", "steps": [step("any", {"user_id": cast.alex.id})]})
        assert response.json()["error"]["message"] == "审批人必须是公司在职成员（不能是访客）。"



async def test_flow_lists_page(cast: Cast) -> None:
    made = [await make_flow(cast, step("one", user(cast.zhangwei)), name=f"流程{n}")
            for n in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await cast.liuyang.api.get(FLOWS, params=params)).json()
        seen += [f["id"] for f in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    refused(await cast.liuyang.api.get(FLOWS, params={"cursor": "nonsense"}), 400, "bad_cursor")
    refused(await cast.liuyang.api.get(FLOWS, params={"limit": 0}), 422, "invalid")
