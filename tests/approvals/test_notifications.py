"""The notification centre's "waiting for your approval": each approver is told when a
decision comes to them — the flow reaching their step, 加签, a resubmission — once, and
nobody else is."""

from __future__ import annotations

from tests.approvals.helpers import (
    APPROVALS,
    approve,
    decide,
    make_flow,
    start,
    step,
    todo_task,
    user,
)
from tests.helpers import Cast, Follow, Person
from xietong.approvals.actions import do_resubmit
from xietong.approvals.queries import instance_for
from xietong.core.clock import utcnow
from xietong.core.events import Scope

TITLE = "差旅报销 3,200 元"


async def waiting(person: Person) -> list[str]:
    page = (await person.api.get("/api/v1/notifications")).json()
    return [n["title"] for n in page["items"] if n["kind"] == "approval_waiting"]


async def test_each_approver_hears_when_the_decision_comes_to_them(cast: Cast,
                                                                   follow: Follow) -> None:
    await follow.held()
    # Step 1 会签 (张伟 and 王芳), then 李娜.
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei), user(cast.wangfang)),
                              step("one", user(cast.lina)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    await follow.catch_up()
    told = f"刘洋 的审批等待你处理：{TITLE}"
    assert await waiting(cast.zhangwei) == [told]
    assert await waiting(cast.wangfang) == [told]
    assert await waiting(cast.lina) == []  # not her step yet
    # 张伟 approves: 王芳 is still to decide, and is not told again.
    await approve(cast.zhangwei, 1)
    await follow.catch_up()
    assert await waiting(cast.wangfang) == [told]
    assert await waiting(cast.lina) == []
    # 王芳 approves: the flow reaches 李娜, who hears now; the requester hears nothing here.
    await approve(cast.wangfang, 1)
    await follow.catch_up()
    assert await waiting(cast.lina) == [told]
    assert await waiting(cast.liuyang) == []
    page = (await cast.lina.api.get("/api/v1/notifications")).json()["items"]
    assert page[0]["link"] == "/approvals"
    assert page[0]["scope"] == "expense:1"


async def test_a_co_approver_and_a_resubmission_are_told(cast: Cast, follow: Follow) -> None:
    await follow.held()
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)))
    await start(cast, flow_id, cast.liuyang, 1, department="华东区")
    task = await todo_task(cast.zhangwei, 1)
    added = await cast.zhangwei.api.post(f"{APPROVALS}/{task['id']}/add-approver",
                                         json={"user_id": cast.lina.id, "comment": "请法务把关"})
    assert added.status_code == 200, added.text
    await follow.catch_up()
    assert await waiting(cast.lina) == [f"刘洋 的审批等待你处理：{TITLE}"]
    # Returned, then resubmitted: step 1 comes to 张伟 again, a second notification.
    assert (await decide(cast.zhangwei, task["id"], "return", "金额写错了")).status_code == 200
    await follow.catch_up()
    assert len(await waiting(cast.zhangwei)) == 1
    async with cast.runtime.unit_of_work() as uow:
        instance = await instance_for(uow, Scope("expense", 1))
        assert instance is not None
        await do_resubmit(uow, instance, utcnow(), title=TITLE, summary="已改正金额")
    await follow.catch_up()
    assert len(await waiting(cast.zhangwei)) == 2
