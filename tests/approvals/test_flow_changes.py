"""Changing an approval flow over the API: new steps (approvals under way keep theirs), and
every definition and change of a flow in the audit log with what changed."""

from __future__ import annotations

from typing import Any

from tests.api_inputs import Unchanged, problem_locs, refused
from tests.approvals.helpers import (
    FLOWS,
    approval,
    approve,
    approvers,
    make_flow,
    managers_of,
    start,
    step,
    user,
)
from tests.helpers import Cast, Person
from xietong.core.clock import utcnow

AUDIT = "/api/v1/audit"
ADDRESS = "203.0.113.7"  # the client address of every test client


async def flow_entries(reader: Person, flow_id: int, since: str) -> list[dict[str, Any]]:
    """The audit entries of the flow since `since`, oldest first."""
    response = await reader.api.get(AUDIT, params={
        "target": f"approval_flow:{flow_id}", "since": since, "limit": 500})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return list(reversed(items))


def stored(*steps: dict[str, Any]) -> list[dict[str, Any]]:
    """Steps as a flow stores them (what `details` record): approvers without nulls."""
    return [{"mode": s["mode"], "approvers": [dict(a) for a in s["approvers"]]} for s in steps]


async def test_new_steps_apply_to_approvals_started_from_then_on(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")

    legal_and_finance = [step("one", managers_of()),
                         step("all", user(cast.lina), user(cast.wangfang))]
    response = await admin.patch(f"{FLOWS}/{flow_id}", json={"steps": legal_and_finance})
    assert response.status_code == 200, response.text
    assert response.json()["steps"] == [
        {"mode": "one", "approvers": [{"user_id": None, "manager_of": "requester_department"}]},
        {"mode": "all", "approvers": [{"user_id": cast.lina.id, "manager_of": None},
                                      {"user_id": cast.wangfang.id, "manager_of": None}]}]
    assert (await cast.liuyang.api.get(f"{FLOWS}/{flow_id}")).json() == response.json()

    # The approval under way goes on with the one step it started with.
    under_way = await approval(cast.liuyang, 1)
    assert len(under_way["steps"]) == 1
    await approve(cast.zhangwei, 1)
    assert (await approval(cast.liuyang, 1))["status"] == "approved"
    # One started now has the new steps: 华东区's nearest manager (张伟), then 会签.
    await start(cast, flow_id, cast.liuyang, 2, department="华东区")
    started = await approval(cast.liuyang, 2)
    assert approvers(started, 1) == {cast.zhangwei.id: "pending"}
    assert approvers(started, 2) == {cast.lina.id: "waiting", cast.wangfang.id: "waiting"}


async def test_bad_steps_are_refused_and_nothing_written(cast: Cast,
                                                         unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    before = (await admin.get(f"{FLOWS}/{flow_id}")).json()
    async with unchanged:
        for steps, where in (
                ([], ["body", "steps"]),
                ([step("one", user(cast.lina), user(cast.wangfang))], ["body", "steps", 0]),
                ([step("any")], ["body", "steps", 0, "approvers"]),
                ([step("all", managers_of(), managers_of())], ["body", "steps", 0])):
            response = await admin.patch(f"{FLOWS}/{flow_id}",
                                         json={"name": "新名字", "steps": steps})
            refused(response, 422, "invalid")
            assert where in problem_locs(response), response.text
        response = await admin.patch(f"{FLOWS}/{flow_id}", json={
            "name": "新名字", "steps": [step("any", user(cast.lina), user(cast.alex))]})
        refused(response, 422, "approval_bad_approver")
        assert response.json()["error"]["details"] == {"user_ids": [cast.alex.id]}
        response = await admin.patch(f"{FLOWS}/{flow_id}", json={
            "steps": [step("any", managers_of(2_147_483_647))]})
        refused(response, 422, "approval_unknown_department")
        # A department's manager reads flows but does not write them.
        refused(await cast.zhangwei.api.patch(f"{FLOWS}/{flow_id}", json={
            "steps": [step("one", user(cast.lina))]}), 403, "forbidden")
    assert (await admin.get(f"{FLOWS}/{flow_id}")).json() == before


async def test_defining_and_changing_a_flow_is_audited(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    since = utcnow().isoformat()
    legal = cast.departments["研发部"]
    finance = cast.departments["客服部"]
    first = [step("all", managers_of(legal), managers_of(finance))]
    flow_id = await make_flow(cast, *first, name="合同会签")

    assert (await admin.patch(f"{FLOWS}/{flow_id}", json={
        "name": "合同会签（2026）"})).status_code == 200
    second = [step("one", managers_of()), *first]
    assert (await admin.patch(f"{FLOWS}/{flow_id}", json={"steps": second})).status_code == 200
    assert (await admin.patch(f"{FLOWS}/{flow_id}", json={"archived": True})).status_code == 200
    # What changes nothing records nothing: the same name, the same steps, archived again.
    unchanged = await admin.patch(f"{FLOWS}/{flow_id}", json={
        "name": "合同会签（2026）", "steps": second, "archived": True})
    assert unchanged.status_code == 200, unchanged.text

    entries = await flow_entries(cast.linxiaoyan, flow_id, since)
    assert [e["action"] for e in entries] == [
        "approval_flow.created", "approval_flow.updated", "approval_flow.updated",
        "approval_flow.updated"]
    assert entries[0]["details"] == {"name": "合同会签", "steps": stored(*first)}
    assert entries[1]["details"] == {"name": "合同会签（2026）", "changed": {
        "name": {"from": "合同会签", "to": "合同会签（2026）"}}}
    assert entries[2]["details"] == {"name": "合同会签（2026）", "changed": {
        "steps": {"from": stored(*first), "to": stored(*second)}}}
    assert entries[3]["details"] == {"name": "合同会签（2026）", "changed": {
        "archived": {"from": False, "to": True}}}
    for entry in entries:
        assert entry["actor_id"] == cast.linxiaoyan.id
        assert entry["target"] == f"approval_flow:{flow_id}"
        assert entry["ip"] == ADDRESS


async def test_refused_flow_changes_leave_no_record(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    since = utcnow().isoformat()
    refused(await cast.zhangwei.api.patch(f"{FLOWS}/{flow_id}", json={"name": "改名"}), 403)
    refused(await cast.zhangwei.api.post(FLOWS, json={
        "name": "请假", "steps": [step("one", managers_of())]}), 403)
    refused(await cast.linxiaoyan.api.patch(f"{FLOWS}/{flow_id}", json={
        "name": "改名", "steps": [step("one", user(cast.alex))]}), 422)
    response = await cast.linxiaoyan.api.get(AUDIT, params={"action": "approval_flow.",
                                                            "since": since})
    assert response.json()["items"] == []
    assert (await cast.linxiaoyan.api.get(f"{FLOWS}/{flow_id}")).json()["name"] == "报销审批"
