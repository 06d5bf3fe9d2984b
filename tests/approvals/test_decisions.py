"""Deciding approvals over the API: steps complete by their mode (one, 或签, 会签), a
rejection or a return ends the flow (and the subject's domain hears it in the same unit of
work), a returned approval is resubmitted from step 1, co-approvers (加签), and who may act
on which task, once."""

from __future__ import annotations

import asyncio

import pytest

from tests.api_inputs import Unchanged, refused
from tests.approvals.helpers import (
    APPROVALS,
    KIND,
    Concluded,
    approval,
    approve,
    approvers,
    box,
    decide,
    make_flow,
    managers_of,
    start,
    step,
    todo_task,
    user,
)
from tests.helpers import Cast
from xietong.approvals.actions import do_resubmit, do_withdraw
from xietong.approvals.queries import instance_for
from xietong.core.clock import utcnow
from xietong.core.errors import Conflict, Invalid
from xietong.core.events import Scope


async def test_any_step_completes_on_the_first_approval(cast: Cast,
                                                        concluded: Concluded) -> None:
    """或签: the first approval completes the step; the others' tasks close as not needed."""
    flow_id = await make_flow(cast, step("any", user(cast.zhangwei), user(cast.lina),
                                         user(cast.wangfang)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    item = await approve(cast.lina, 1)
    shown = item["approval"]
    assert shown["status"] == "approved"
    assert shown["concluded_at"] is not None
    assert approvers(shown, 1) == {cast.zhangwei.id: "not_needed", cast.lina.id: "approved",
                                   cast.wangfang.id: "not_needed"}
    assert shown["steps"][0]["state"] == "approved"
    assert item["task"]["state"] == "approved"
    assert [(s.subject, s.outcome) for s in concluded.heard] == [(Scope(KIND, 1), "approved")]
    # The others have nothing left to do, and cannot act on the closed task.
    assert (await box(cast.zhangwei))["items"] == []
    closed = [a for a in shown["steps"][0]["approvers"] if a["user_id"] == cast.zhangwei.id]
    refused(await decide(cast.zhangwei, closed[0]["id"], "approve"), 409, "approval_task_closed")
    refused(await decide(cast.wangfang, closed[0]["id"], "approve"), 404, "not_found")
    assert len(concluded.heard) == 1


async def test_all_step_completes_only_when_everyone_approved(cast: Cast,
                                                              concluded: Concluded) -> None:
    """会签: each approval counts; the step (and here the flow) completes with the last."""
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei), user(cast.lina),
                                         user(cast.wangfang)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    first = (await approve(cast.wangfang, 1))["approval"]
    assert first["status"] == "pending"
    assert approvers(first, 1) == {cast.zhangwei.id: "pending", cast.lina.id: "pending",
                                   cast.wangfang.id: "approved"}
    second = (await approve(cast.zhangwei, 1))["approval"]
    assert second["status"] == "pending"
    assert concluded.heard == []
    last = (await approve(cast.lina, 1))["approval"]
    assert last["status"] == "approved"
    assert set(approvers(last, 1).values()) == {"approved"}
    assert [s.outcome for s in concluded.heard] == ["approved"]


async def test_steps_follow_one_another(cast: Cast) -> None:
    """Step 1 (the requester's manager, found by walking up: 华东区 has none, 销售部 has
    张伟), then step 2: its tasks arrive only once step 1 completes."""
    flow_id = await make_flow(cast, step("one", managers_of()),
                              step("all", user(cast.lina), user(cast.wangfang)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    shown = await approval(cast.liuyang, 1)
    assert shown["current_step"] == 1
    assert [s["state"] for s in shown["steps"]] == ["pending", "waiting"]
    assert approvers(shown, 1) == {cast.zhangwei.id: "pending"}
    assert approvers(shown, 2) == {cast.lina.id: "waiting", cast.wangfang.id: "waiting"}
    assert (await box(cast.lina))["items"] == []
    # 李娜's task of step 2 exists, but its step has not been reached.
    waiting = shown["steps"][1]["approvers"][0]
    refused(await decide(cast.lina, waiting["id"], "approve"), 409, "approval_step_not_reached")

    await approve(cast.zhangwei, 1)
    shown = await approval(cast.liuyang, 1)
    assert shown["current_step"] == 2
    assert [s["state"] for s in shown["steps"]] == ["approved", "pending"]
    assert (await todo_task(cast.lina, 1))["id"] == waiting["id"]
    await approve(cast.lina, 1)
    await approve(cast.wangfang, 1)
    assert (await approval(cast.liuyang, 1))["status"] == "approved"


async def test_a_rejection_ends_the_flow_and_needs_a_comment(
        cast: Cast, concluded: Concluded, unchanged: Unchanged) -> None:
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei), user(cast.lina)),
                              step("one", user(cast.wangfang)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    await approve(cast.zhangwei, 1)
    task = await todo_task(cast.lina, 1)
    # Returning says what to change: it needs a comment as much.
    async with unchanged:
        for decision in ("reject", "return"):
            for comment in (None, "", "  \n "):
                refused(await decide(cast.lina, task["id"], decision, comment), 422,
                        "approval_comment_required")
    response = await decide(cast.lina, task["id"], "reject", "预算已超，请下季度再申请")
    assert response.status_code == 200, response.text
    shown = response.json()["approval"]
    assert shown["status"] == "rejected"
    assert [s["state"] for s in shown["steps"]] == ["rejected", "skipped"]
    decided = next(a for a in shown["steps"][0]["approvers"] if a["user_id"] == cast.lina.id)
    assert decided["state"] == "rejected"
    assert decided["comment"] == "预算已超，请下季度再申请"
    assert decided["decided_at"] is not None
    # Step 2's task was never reached and is closed.
    assert approvers(shown, 2) == {cast.wangfang.id: "not_needed"}
    assert [(s.subject, s.outcome) for s in concluded.heard] == [(Scope(KIND, 1), "rejected")]
    assert (await box(cast.wangfang))["items"] == []


async def test_the_subject_reacts_in_the_same_unit_of_work(cast: Cast,
                                                           concluded: Concluded) -> None:
    """A subject's domain that refuses the outcome (its handler raises) undoes the
    decision: both commit or neither does."""
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    task = await todo_task(cast.zhangwei, 1)
    concluded.refuse = True
    refused(await decide(cast.zhangwei, task["id"], "approve"), 409)
    assert (await approval(cast.liuyang, 1))["status"] == "pending"
    assert (await todo_task(cast.zhangwei, 1))["state"] == "pending"
    concluded.refuse = False
    assert (await decide(cast.zhangwei, task["id"], "approve")).status_code == 200
    assert (await approval(cast.liuyang, 1))["status"] == "approved"


async def test_return_then_resubmit_restarts_at_step_one(cast: Cast,
                                                         concluded: Concluded) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)),
                              step("one", user(cast.lina)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区", title="采购笔记本电脑")
    await approve(cast.zhangwei, 1)
    task = await todo_task(cast.lina, 1)
    response = await decide(cast.lina, task["id"], "return", "请补充三家比价单")
    assert response.status_code == 200, response.text
    shown = response.json()["approval"]
    assert shown["status"] == "returned"
    assert [s.outcome for s in concluded.heard] == ["returned"]
    # Nobody can act on a returned approval; the requester may not resubmit one that is not.
    refused(await decide(cast.lina, task["id"], "approve"), 409, "approval_already_decided")

    async with cast.runtime.unit_of_work() as uow:
        instance = await instance_for(uow, Scope(KIND, 1))
        assert instance is not None
        await do_resubmit(uow, instance, utcnow(), title="采购笔记本电脑（附比价单）")
    shown = await approval(cast.liuyang, 1)
    assert shown["status"] == "pending"
    assert shown["round"] == 2
    assert shown["current_step"] == 1
    assert shown["title"] == "采购笔记本电脑（附比价单）"
    assert shown["concluded_at"] is None
    assert approvers(shown, 1) == {cast.zhangwei.id: "pending"}
    assert approvers(shown, 2) == {cast.lina.id: "waiting"}
    # The first round's decisions are kept, with who, when and why.
    assert [(h["round"], h["step"], h["user_id"], h["state"], h["comment"])
            for h in shown["history"]] == [
        (1, 1, cast.zhangwei.id, "approved", None),
        (1, 2, cast.lina.id, "returned", "请补充三家比价单")]
    # 张伟 decides again, on the new round's task; the old one stays decided.
    new_task = await todo_task(cast.zhangwei, 1)
    assert new_task["round"] == 2
    await approve(cast.zhangwei, 1)
    await approve(cast.lina, 1)
    assert (await approval(cast.liuyang, 1))["status"] == "approved"
    assert [s.outcome for s in concluded.heard] == ["returned", "approved"]

    async with cast.runtime.unit_of_work() as uow:
        instance = await instance_for(uow, Scope(KIND, 1))
        assert instance is not None
        with pytest.raises(Conflict) as refusal:
            await do_resubmit(uow, instance, utcnow())
    assert refusal.value.code == "approval_not_returned"


async def test_a_withdrawn_subject_closes_its_approval(cast: Cast, concluded: Concluded) -> None:
    flow_id = await make_flow(cast, step("any", user(cast.zhangwei), user(cast.lina)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    async with cast.runtime.unit_of_work() as uow:
        instance = await instance_for(uow, Scope(KIND, 1))
        assert instance is not None
        await do_withdraw(uow, instance, utcnow())
    shown = await approval(cast.liuyang, 1)
    assert shown["status"] == "withdrawn"
    assert set(approvers(shown, 1).values()) == {"not_needed"}
    assert (await box(cast.zhangwei))["items"] == []
    assert concluded.heard == []  # the subject's domain did it; it needs no telling


async def test_an_approver_acts_once_and_only_on_their_own_task(
        cast: Cast, unchanged: Unchanged) -> None:
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei), user(cast.lina)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    task = await todo_task(cast.zhangwei, 1)
    async with unchanged:
        # Someone else's task is as missing as one that does not exist: the requester,
        # the other approver of the step, an administrator, a guest.
        for other in (cast.liuyang, cast.lina, cast.linxiaoyan, cast.zhoujianguo, cast.alex):
            refused(await decide(other, task["id"], "approve"), 404, "not_found")
            refused(await other.api.post(f"{APPROVALS}/{task['id']}/add-approver",
                                         json={"user_id": cast.wangfang.id}), 404, "not_found")
        refused(await decide(cast.zhangwei, 2_147_483_647, "approve"), 404, "not_found")
    assert (await decide(cast.zhangwei, task["id"], "approve")).status_code == 200
    async with unchanged:
        for decision in ("approve", "reject", "return"):
            refused(await decide(cast.zhangwei, task["id"], decision, "再来一次"), 409,
                    "approval_already_decided")
        refused(await cast.zhangwei.api.post(f"{APPROVALS}/{task['id']}/add-approver",
                                             json={"user_id": cast.wangfang.id}),
                409, "approval_already_decided")
    assert approvers(await approval(cast.liuyang, 1), 1) == {
        cast.zhangwei.id: "approved", cast.lina.id: "pending"}


async def test_bad_decisions_are_refused(cast: Cast, unchanged: Unchanged) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    task = await todo_task(cast.zhangwei, 1)
    path = f"{APPROVALS}/{task['id']}/decide"
    api = cast.zhangwei.api
    async with unchanged:
        for body in ({"decision": "maybe"}, {"decision": "APPROVE"}, {}, {"decision": None},
                     {"decision": "approve", "comment": 12},
                     {"decision": "approve", "comment": "好" * 2001},
                     {"decision": "approve", "comment": "同意\u202e"},
                     {"decision": "approve", "extra": 1}, {"decision": ["approve"]}):
            refused(await api.post(path, json=body), 422, "invalid")
        refused(await api.post(path, json={"decision": "approve", "comment": "同\x00意"}), 422,
                "control_characters")
        refused(await api.post(f"{APPROVALS}/0/decide", json={"decision": "approve"}), 422)
        refused(await api.post(f"{APPROVALS}/abc/decide", json={"decision": "approve"}), 422)
    # The longest comment fits, in any script, with line breaks.
    comment = "同意。\n" + "👍" * 1996
    response = await api.post(path, json={"decision": "approve", "comment": comment})
    assert response.status_code == 200, response.text
    assert response.json()["task"]["comment"] == comment


async def test_a_step_that_resolves_to_nobody_is_refused(cast: Cast,
                                                         unchanged: Unchanged) -> None:
    """Nobody approves their own subject: 张伟 manages 销售部 (at the top), so his manager
    is nobody. A deactivated approver counts for nobody too. Nothing is written."""
    flow_id = await make_flow(cast, step("one", managers_of()))
    named = await cast.add_person("zhaolei", "赵磊", departments=("研发部",))
    second = await make_flow(cast, step("one", user(cast.lina)),
                             step("any", user(named)))
    response = await cast.linxiaoyan.api.patch(f"/api/v1/users/{named.id}",
                                               json={"active": False})
    assert response.status_code == 200, response.text
    async with unchanged:
        for flow, requester, department, number in (
                (flow_id, cast.zhangwei, "销售部", 1),
                (flow_id, cast.zhoujianguo, None, 1),  # in no department
                (second, cast.liuyang, "华东区", 2)):
            with pytest.raises(Invalid) as refusal:
                await start(cast, flow, requester, 1, department=department)
            assert refusal.value.code == "approval_no_approver"
            assert refusal.value.details == {"step": number}
        with pytest.raises(Invalid) as unknown:
            await start(cast, 2_147_483_647, cast.liuyang, 1, department="华东区")
        assert unknown.value.code == "approval_unknown_flow"
    # A member of 销售部 is approved by 张伟.
    await start(cast, flow_id, cast.liuyang, 1, department="销售部")
    with pytest.raises(Conflict) as twice:
        await start(cast, flow_id, cast.liuyang, 1, department="销售部")
    assert twice.value.code == "approval_already_started"


async def test_managers_of_a_named_department(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("any", managers_of(cast.departments["研发部"]),
                                         managers_of(cast.departments["客服部"])))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    shown = await approval(cast.liuyang, 1)
    assert approvers(shown, 1) == {cast.lina.id: "pending", cast.wangfang.id: "pending"}


# --- 加签 -------------------------------------------------------------------------------------

async def test_a_co_approver_in_an_all_step_must_approve_too(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei)),
                              step("one", user(cast.wangfang)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    task = await todo_task(cast.zhangwei, 1)
    response = await cast.zhangwei.api.post(f"{APPROVALS}/{task['id']}/add-approver", json={
        "user_id": cast.lina.id, "comment": "涉及研发设备，请李娜一起看"})
    assert response.status_code == 200, response.text
    added = next(a for a in response.json()["approval"]["steps"][0]["approvers"]
             if a["user_id"] == cast.lina.id)
    assert added["added_by"] == cast.zhangwei.id
    assert added["note"] == "涉及研发设备，请李娜一起看"
    assert added["state"] == "pending"
    assert (await todo_task(cast.lina, 1))["id"] == added["id"]

    shown = (await approve(cast.zhangwei, 1))["approval"]
    assert shown["current_step"] == 1  # 李娜 has not approved yet
    assert (await box(cast.wangfang))["items"] == []
    shown = (await approve(cast.lina, 1))["approval"]
    assert shown["current_step"] == 2
    assert approvers(shown, 2) == {cast.wangfang.id: "pending"}


async def test_a_co_approver_in_an_any_step_is_one_more_who_may(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("any", user(cast.zhangwei), user(cast.wangfang)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    task = await todo_task(cast.zhangwei, 1)
    response = await cast.zhangwei.api.post(f"{APPROVALS}/{task['id']}/add-approver",
                                            json={"user_id": cast.lina.id})
    assert response.status_code == 200, response.text
    shown = (await approve(cast.lina, 1))["approval"]
    assert shown["status"] == "approved"
    assert approvers(shown, 1) == {cast.zhangwei.id: "not_needed",
                                   cast.wangfang.id: "not_needed", cast.lina.id: "approved"}


async def test_who_may_be_added(cast: Cast, unchanged: Unchanged) -> None:
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei), user(cast.lina)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    task = await todo_task(cast.zhangwei, 1)
    path = f"{APPROVALS}/{task['id']}/add-approver"
    api = cast.zhangwei.api
    async with unchanged:
        refused(await api.post(path, json={"user_id": cast.liuyang.id}), 422,
                "approval_requester_cannot_approve")
        refused(await api.post(path, json={"user_id": cast.lina.id}), 409,
                "approval_already_approver")
        refused(await api.post(path, json={"user_id": cast.zhangwei.id}), 409,
                "approval_already_approver")
        for stranger in (cast.alex.id, 2_147_483_647):
            refused(await api.post(path, json={"user_id": stranger}), 422,
                    "approval_bad_approver")
        for body in ({}, {"user_id": "3"}, {"user_id": True}, {"user_id": 0},
                     {"user_id": cast.wangfang.id, "role": "all"}):
            refused(await api.post(path, json=body), 422, "invalid")


# --- at once ----------------------------------------------------------------------------------

async def test_two_decisions_on_one_task_at_once_exactly_one_wins(
        cast: Cast, concluded: Concluded) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    for subject in range(1, 4):
        await start(cast, flow_id, cast.liuyang, subject, department="华东区")
    for subject, decisions in ((1, ("approve", "approve")), (2, ("approve", "reject")),
                               (3, ("return", "reject"))):
        task = await todo_task(cast.zhangwei, subject)
        answers = await asyncio.gather(*(decide(cast.zhangwei, task["id"], d, "意见")
                                         for d in decisions))
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        won = next(a for a in answers if a.status_code == 200).json()
        lost = next(a for a in answers if a.status_code == 409)
        refused(lost, 409, "approval_already_decided")
        shown = await approval(cast.liuyang, subject)
        assert shown["status"] == won["approval"]["status"]
        assert approvers(shown, 1) == {cast.zhangwei.id: won["task"]["state"]}
    assert len(concluded.heard) == 3


async def test_two_approvers_of_an_any_step_at_once(cast: Cast, concluded: Concluded) -> None:
    flow_id = await make_flow(cast, step("any", user(cast.zhangwei), user(cast.lina)),
                              step("one", user(cast.wangfang)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    tasks = [await todo_task(cast.zhangwei, 1), await todo_task(cast.lina, 1)]
    answers = await asyncio.gather(decide(cast.zhangwei, tasks[0]["id"], "approve"),
                                   decide(cast.lina, tasks[1]["id"], "approve"))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    refused(next(a for a in answers if a.status_code == 409), 409, "approval_task_closed")
    shown = await approval(cast.liuyang, 1)
    assert sorted(approvers(shown, 1).values()) == ["approved", "not_needed"]
    # Step 2 arrived once.
    assert len((await box(cast.wangfang))["items"]) == 1
    assert approvers(shown, 2) == {cast.wangfang.id: "pending"}
    assert concluded.heard == []
