"""Delegates while away: tasks that arrive for a person during their absence go to their
delegate, recorded as on their behalf; before, after or once they are back, they do not."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from tests.api_inputs import Unchanged, refused
from tests.approvals.helpers import (
    DELEGATION,
    approval,
    approve,
    approvers,
    box,
    make_flow,
    start,
    step,
    todo_task,
    user,
)
from tests.helpers import Cast, Person
from xietong.approvals.queries import approver_subjects
from xietong.core.clock import utcnow


async def away(person: Person, delegate: Person, until: datetime) -> dict[str, Any]:
    response = await person.api.put(DELEGATION, json={"delegate_id": delegate.id,
                                                      "until": until.isoformat()})
    assert response.status_code == 200, response.text
    delegation: dict[str, Any] = response.json()
    return delegation


async def test_a_task_arriving_during_the_absence_goes_to_the_delegate(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)),
                              step("all", user(cast.lina), user(cast.wangfang)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    until = utcnow() + timedelta(days=3)
    set_ = await away(cast.lina, cast.zhoujianguo, until)
    assert set_["delegate_id"] == cast.zhoujianguo.id
    assert set_["active"] is True
    assert datetime.fromisoformat(set_["until"]) == until
    assert (await cast.lina.api.get(DELEGATION)).json() == {"delegation": set_}

    # Step 2 arrives while 李娜 is away: her task goes to 周建国, on her behalf.
    shown = (await approve(cast.zhangwei, 1))["approval"]
    step_two = {a["on_behalf_of"] or a["user_id"]: a for a in shown["steps"][1]["approvers"]}
    assert step_two[cast.lina.id]["user_id"] == cast.zhoujianguo.id
    assert step_two[cast.lina.id]["on_behalf_of"] == cast.lina.id
    assert step_two[cast.wangfang.id]["user_id"] == cast.wangfang.id
    assert step_two[cast.wangfang.id]["on_behalf_of"] is None
    assert (await box(cast.lina))["items"] == []
    delegated = await todo_task(cast.zhoujianguo, 1)
    assert delegated["on_behalf_of"] == cast.lina.id
    # The delegate decides; the decision is recorded as theirs, for her.
    await approve(cast.zhoujianguo, 1)
    await approve(cast.wangfang, 1)
    shown = await approval(cast.liuyang, 1)
    assert shown["status"] == "approved"
    done = (await box(cast.zhoujianguo, "done"))["items"]
    assert [(i["task"]["user_id"], i["task"]["on_behalf_of"]) for i in done] == [
        (cast.zhoujianguo.id, cast.lina.id)]
    # Both may see what they approve(d): the subject's domain asks.
    async with cast.runtime.reader() as uow:
        assert await approver_subjects(uow, cast.lina.id, "expense") == {1}
        assert await approver_subjects(uow, cast.zhoujianguo.id, "expense") == {1}
        assert await approver_subjects(uow, cast.liuyang.id, "expense") == set()


async def test_outside_the_absence_tasks_stay_with_the_approver(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.lina)))
    # Pending before she left: it stays hers.
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    until = utcnow() + timedelta(days=2)
    await away(cast.lina, cast.wangfang, until)
    assert (await todo_task(cast.lina, 1))["on_behalf_of"] is None
    # Arriving once the absence is over (the clock of the subject's domain says when).
    await start(cast, flow_id, cast.liuyang, 2, department="华东区",
                now=until + timedelta(minutes=1))
    assert (await todo_task(cast.lina, 2))["on_behalf_of"] is None
    # Arriving during it: to 王芳.
    await start(cast, flow_id, cast.liuyang, 3, department="华东区")
    assert (await todo_task(cast.wangfang, 3))["on_behalf_of"] == cast.lina.id
    # Back early: arrivals are hers again; what her delegate holds stays theirs.
    response = await cast.lina.api.delete(DELEGATION)
    assert response.status_code == 204, response.text
    assert (await cast.lina.api.get(DELEGATION)).json() == {"delegation": None}
    await start(cast, flow_id, cast.liuyang, 4, department="华东区")
    assert (await todo_task(cast.lina, 4))["on_behalf_of"] is None
    assert approvers(await approval(cast.liuyang, 3), 1) == {cast.wangfang.id: "pending"}
    # Deleting when there is none is fine.
    assert (await cast.lina.api.delete(DELEGATION)).status_code == 204


async def test_a_delegate_who_cannot_approve_is_passed_over(cast: Cast) -> None:
    """The delegate is the requester, or was deactivated meanwhile: the task stays with
    the approver."""
    flow_id = await make_flow(cast, step("one", user(cast.lina)))
    await away(cast.lina, cast.liuyang, utcnow() + timedelta(days=1))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    assert (await todo_task(cast.lina, 1))["on_behalf_of"] is None

    substitute = await cast.add_person("zhaolei", "赵磊", departments=("研发部",))
    await away(cast.lina, substitute, utcnow() + timedelta(days=1))
    response = await cast.linxiaoyan.api.patch(f"/api/v1/users/{substitute.id}",
                                               json={"active": False})
    assert response.status_code == 200, response.text
    await start(cast, flow_id, cast.liuyang, 2, department="华东区")
    assert (await todo_task(cast.lina, 2))["on_behalf_of"] is None


async def test_a_co_approver_away_is_covered_by_their_delegate(cast: Cast) -> None:
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    await away(cast.lina, cast.wangfang, utcnow() + timedelta(days=1))
    task = await todo_task(cast.zhangwei, 1)
    response = await cast.zhangwei.api.post(f"/api/v1/approvals/{task['id']}/add-approver",
                                            json={"user_id": cast.lina.id})
    assert response.status_code == 200, response.text
    added = await todo_task(cast.wangfang, 1)
    assert (added["on_behalf_of"], added["added_by"]) == (cast.lina.id, cast.zhangwei.id)


async def test_bad_delegations_are_refused(cast: Cast, unchanged: Unchanged) -> None:
    soon = (utcnow() + timedelta(days=1)).isoformat()
    api = cast.lina.api
    async with unchanged:
        refusals: list[tuple[dict[str, Any], str]] = [
            ({"delegate_id": cast.lina.id, "until": soon}, "approval_delegate_self"),
            ({"delegate_id": cast.alex.id, "until": soon}, "approval_bad_delegate"),
            ({"delegate_id": 2_147_483_647, "until": soon}, "approval_bad_delegate"),
            ({"delegate_id": cast.wangfang.id,
              "until": (utcnow() - timedelta(minutes=1)).isoformat()}, "approval_bad_until"),
            ({"delegate_id": cast.wangfang.id,
              "until": (utcnow() + timedelta(days=400)).isoformat()}, "approval_bad_until")]
        for body, code in refusals:
            refused(await api.put(DELEGATION, json=body), 422, code)
        malformed: list[dict[str, Any]] = [
            {"delegate_id": cast.wangfang.id},
            {"delegate_id": cast.wangfang.id, "until": "2030-01-01T09:00:00"},  # no offset
            {"delegate_id": cast.wangfang.id, "until": "下周一"},
            {"delegate_id": cast.wangfang.id, "until": 1_900_000_000},
            {"delegate_id": str(cast.wangfang.id), "until": soon},
            {"delegate_id": cast.wangfang.id, "until": soon, "reason": "出差"}]
        for body in malformed:
            refused(await api.put(DELEGATION, json=body), 422, "invalid")
        refused(await cast.alex.api.put(DELEGATION, json={"delegate_id": cast.lina.id,
                                                          "until": soon}), 403, "forbidden")
    # A time in the company's zone is the same moment; a second setting replaces the first.
    local = (utcnow() + timedelta(hours=5)).astimezone(timezone(timedelta(hours=8)))
    first = await away(cast.lina, cast.wangfang, local)
    assert datetime.fromisoformat(first["until"]) == local
    await away(cast.lina, cast.zhangwei, local + timedelta(days=1))
    now_set = (await api.get(DELEGATION)).json()["delegation"]
    assert now_set["delegate_id"] == cast.zhangwei.id
    assert datetime.fromisoformat(now_set["until"]) == local + timedelta(days=1)
