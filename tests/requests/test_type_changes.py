"""Defining and changing request types: every definition and change in the audit log with
what changed, refusals placed at the setting they concern and writing nothing, and a flow
archived after a type took it left alone by a change to something else."""

from __future__ import annotations

from typing import Any

from tests.api_inputs import Unchanged, problem_locs, refused
from tests.helpers import Cast, Person
from tests.requests.test_requests import BUDGET_FORM, TYPES, make_type
from xietong.core.clock import utcnow

AUDIT = "/api/v1/audit"
FLOWS = "/api/v1/approval-flows"
ADDRESS = "203.0.113.7"  # the client address of every test client


async def type_entries(reader: Person, type_id: int, since: str) -> list[dict[str, Any]]:
    """The audit entries of the type since `since`, oldest first."""
    response = await reader.api.get(AUDIT, params={
        "target": f"request_type:{type_id}", "since": since, "limit": 500})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return list(reversed(items))


async def make_flow(cast: Cast, name: str = "合同会签") -> int:
    response = await cast.linxiaoyan.api.post(FLOWS, json={"name": name, "steps": [
        {"mode": "all", "approvers": [{"manager_of": cast.departments["研发部"]},
                                      {"manager_of": cast.departments["客服部"]}]}]})
    assert response.status_code == 201, response.text
    flow_id: int = response.json()["id"]
    return flow_id


async def test_defining_a_type_and_changing_it_are_audited(cast: Cast) -> None:
    since = utcnow().isoformat()
    kind = await make_type(cast)
    flow_id = await make_flow(cast)
    # 李娜 manages 研发部: she changes its type's name, SLA, assignee rule, flow and form
    # (adds a field, drops one, relabels one, moves two).
    amount, quarter, needed_by, headcount, _contact, reason = BUDGET_FORM
    form = [quarter, {**amount, "label": "预算金额"}, needed_by, headcount, reason,
            {"key": "vendor", "label": "供应商", "type": "text"}]
    response = await cast.lina.api.patch(f"{TYPES}/{kind['id']}", json={
        "name": "预算评审", "response_sla_hours": 4, "resolution_sla_hours": 16,
        "assignment": "least_loaded", "approval_flow_id": flow_id, "fields": form,
        "description": "评审预算" * 100})
    assert response.status_code == 200, response.text
    # Unchanged settings sent again record nothing; taking the flow away is a change.
    response = await cast.lina.api.patch(f"{TYPES}/{kind['id']}", json={
        "name": "预算评审", "resolution_sla_hours": 16, "fields": form})
    assert response.status_code == 200, response.text
    response = await cast.linxiaoyan.api.patch(f"{TYPES}/{kind['id']}", json={
        "approval_flow_id": None, "archived": True})
    assert response.status_code == 200, response.text

    entries = await type_entries(cast.linxiaoyan, kind["id"], since)
    assert [e["action"] for e in entries] == [
        "request_type.created", "request_type.updated", "request_type.updated"]
    created, changed, archived = entries
    assert created["details"] == {
        "name": "需求评审", "department_id": cast.departments["研发部"],
        "fields": [f["key"] for f in BUDGET_FORM],
        "response_sla_hours": 2, "resolution_sla_hours": 16, "assignment": "manager",
        "warn_at_share": 0.8, "escalate_after_hours": 4, "approval_flow_id": None}
    assert created["actor_id"] == cast.linxiaoyan.id
    described = changed["details"]["changed"].pop("description")
    assert described["from"] == ""
    assert described["to"] == ("评审预算" * 100)[:200] + "…"
    assert changed["details"] == {
        "name": "预算评审", "department_id": cast.departments["研发部"], "changed": {
            "name": {"from": "需求评审", "to": "预算评审"},
            "response_sla_hours": {"from": 2, "to": 4},
            "assignment": {"from": "manager", "to": "least_loaded"},
            "approval_flow_id": {"from": None, "to": flow_id},
            "fields": {"added": ["vendor"], "removed": ["contact"], "changed": ["amount"],
                       "reordered": True}}}
    assert changed["actor_id"] == cast.lina.id
    assert archived["details"]["changed"] == {
        "approval_flow_id": {"from": flow_id, "to": None},
        "archived": {"from": False, "to": True}}
    for entry in entries:
        assert entry["target"] == f"request_type:{kind['id']}"
        assert entry["ip"] == ADDRESS


async def test_the_sla_order_is_refused_at_the_resolution_sla(cast: Cast,
                                                               unchanged: Unchanged) -> None:
    kind = await make_type(cast)
    since = utcnow().isoformat()
    async with unchanged:
        response = await cast.linxiaoyan.api.post(TYPES, json={
            "name": "IT 支持", "department_id": cast.departments["研发部"],
            "response_sla_hours": 8, "resolution_sla_hours": 4})
        refused(response, 422, "invalid")
        assert problem_locs(response) == [["body", "resolution_sla_hours"]]
        response = await cast.linxiaoyan.api.patch(f"{TYPES}/{kind['id']}", json={
            "resolution_sla_hours": 1})
        refused(response, 422, "sla_order")
        assert response.json()["error"]["details"] == {"field": "resolution_sla_hours"}
        # Someone else's department's manager changes nothing, and nothing is recorded.
        refused(await cast.zhangwei.api.patch(f"{TYPES}/{kind['id']}", json={
            "response_sla_hours": 1}), 403, "not_type_manager")
    assert await type_entries(cast.linxiaoyan, kind["id"], since) == []


async def test_a_flow_archived_since_stays_until_the_type_changes_it(cast: Cast) -> None:
    kind = await make_type(cast)
    flow_id = await make_flow(cast)
    other_id = await make_flow(cast, "采购审批")
    path = f"{TYPES}/{kind['id']}"
    assert (await cast.linxiaoyan.api.patch(path, json={
        "approval_flow_id": flow_id})).status_code == 200
    # The flow is archived while the type rests (a flow in use is not archived), then the
    # type comes back.
    assert (await cast.linxiaoyan.api.patch(path, json={"archived": True})).status_code == 200
    for archived in (flow_id, other_id):
        assert (await cast.linxiaoyan.api.patch(f"{FLOWS}/{archived}", json={
            "archived": True})).status_code == 200
    assert (await cast.linxiaoyan.api.patch(path, json={"archived": False})).status_code == 200
    # The form sent whole, as an editor sends it: the SLA changes, the flow stays as it is.
    response = await cast.lina.api.patch(path, json={
        "response_sla_hours": 1, "approval_flow_id": flow_id})
    assert response.status_code == 200, response.text
    assert response.json()["approval_flow_id"] == flow_id
    # Another archived flow is not taken.
    response = await cast.lina.api.patch(path, json={"approval_flow_id": other_id})
    refused(response, 422, "unknown_flow")
    assert (await cast.lina.api.get(path)).json()["approval_flow_id"] == flow_id


async def test_a_flow_in_use_is_not_archived_from_under_its_types(
        cast: Cast, unchanged: Unchanged) -> None:
    flow_id = await make_flow(cast)
    budget = await make_type(cast, name="预算审批")
    contract = await make_type(cast, name="合同会签", fields=[])
    for kind in (budget, contract):
        assert (await cast.linxiaoyan.api.patch(f"{TYPES}/{kind['id']}", json={
            "approval_flow_id": flow_id})).status_code == 200
    async with unchanged:
        response = await cast.linxiaoyan.api.patch(f"{FLOWS}/{flow_id}",
                                                   json={"archived": True})
    refused(response, 409, "approval_flow_in_use")
    assert response.json()["error"]["details"] == {"used_by": ["合同会签", "预算审批"]}
    # One type leaves the flow, the other rests: now it may be archived.
    assert (await cast.linxiaoyan.api.patch(f"{TYPES}/{budget['id']}", json={
        "approval_flow_id": None})).status_code == 200
    assert (await cast.linxiaoyan.api.patch(f"{TYPES}/{contract['id']}", json={
        "archived": True})).status_code == 200
    archived = await cast.linxiaoyan.api.patch(f"{FLOWS}/{flow_id}", json={"archived": True})
    assert archived.status_code == 200, archived.text
    assert archived.json()["archived"] is True
