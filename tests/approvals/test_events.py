"""`approval.changed` on the socket: to the requester and the approvers of the approval
(every step, delegates and those they act for), to nobody else; each frame carries the
approval as a fresh fetch shows it, so a client kept in step by the frames alone stays
right."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.approvals.helpers import (
    APPROVALS,
    DELEGATION,
    KIND,
    approval,
    approve,
    decide,
    make_flow,
    start,
    step,
    todo_task,
    user,
)
from tests.helpers import Cast
from tests.realtime.wsclient import Socket
from xietong.approvals.actions import do_resubmit
from xietong.approvals.queries import instance_for
from xietong.core.clock import utcnow
from xietong.core.events import Scope


async def changes(socket: Socket, count: int) -> list[dict[str, Any]]:
    """The next `count` approval.changed frames (after those already read)."""
    seen = [f for f in socket.events if f["type"] == "approval.changed"]
    while len(seen) < count:
        frame = await socket.next_frame()
        if frame["type"] == "approval.changed":
            seen.append(frame)
    return seen[:count]


async def test_approval_changes_reach_the_people_concerned_only(cast: Cast,
                                                               live_server: str) -> None:
    flow_id = await make_flow(cast, step("one", user(cast.zhangwei)),
                              step("one", user(cast.lina)))
    response = await cast.lina.api.put(DELEGATION, json={
        "delegate_id": cast.wangfang.id, "until": (utcnow() + timedelta(days=1)).isoformat()})
    assert response.status_code == 200, response.text
    names = ("liuyang", "zhangwei", "lina", "wangfang", "linxiaoyan", "alex")
    sockets = {name: await Socket.open(live_server, cast.people[name].token) for name in names}
    try:
        # Started: the requester and both steps' approvers (李娜's step not reached yet,
        # so no delegate is involved).
        instance_id = await start(cast, flow_id, cast.liuyang, 1, department="华东区")
        started = await changes(sockets["liuyang"], 1)
        assert started[0]["scope"] == f"{KIND}:1"
        assert started[0]["data"]["change"] == "started"
        assert started[0]["data"]["actor_id"] == cast.liuyang.id
        assert started[0]["data"]["approval"]["id"] == instance_id
        for name in ("zhangwei", "lina"):
            assert (await changes(sockets[name], 1))[0]["id"] == started[0]["id"]

        # Decided: step 2 arrives for 李娜, who is away: 王芳 acts for her and now hears too.
        task = await todo_task(cast.zhangwei, 1)
        await approve(cast.zhangwei, 1)
        for name in ("liuyang", "zhangwei", "lina", "wangfang"):
            frames = await changes(sockets[name], 1 if name == "wangfang" else 2)
            decided = frames[-1]["data"]
            assert decided["change"] == "decided"
            assert (decided["actor_id"], decided["task_id"]) == (cast.zhangwei.id, task["id"])

        # Returned by the delegate, resubmitted by the requester's domain.
        delegated = await todo_task(cast.wangfang, 1)
        assert (await decide(cast.wangfang, delegated["id"], "return", "请补充附件")
                ).status_code == 200
        async with cast.runtime.unit_of_work() as uow:
            found = await instance_for(uow, Scope(KIND, 1))
            assert found is not None
            await do_resubmit(uow, found, utcnow())
        requester = await changes(sockets["liuyang"], 4)
        assert [f["data"]["change"] for f in requester] == [
            "started", "decided", "decided", "resubmitted"]
        for name in ("zhangwei", "lina", "wangfang"):
            assert [f["id"] for f in await changes(sockets[name], 4 if name != "wangfang"
                                                   else 3)] == [
                f["id"] for f in requester[-(4 if name != "wangfang" else 3):]]

        # Nobody else heard anything of it.
        for name in ("linxiaoyan", "alex"):
            quiet = await sockets[name].quiet(0.3)
            assert [f for f in quiet if f["type"] == "approval.changed"] == []
            assert [f for f in sockets[name].events if f["type"] == "approval.changed"] == []
    finally:
        for socket in sockets.values():
            await socket.close()


async def test_a_client_kept_by_the_frames_matches_a_fresh_fetch(cast: Cast,
                                                                live_server: str) -> None:
    """verify_action: after each kind of change the requester's copy, built from one
    fetch and then only from the frames, equals what the API answers then."""
    flow_id = await make_flow(cast, step("all", user(cast.zhangwei)),
                              step("any", user(cast.lina), user(cast.wangfang)))
    socket = await Socket.open(live_server, cast.liuyang.token)
    try:
        await start(cast, flow_id, cast.liuyang, 1, department="华东区")
        copy = (await changes(socket, 1))[0]["data"]["approval"]
        assert copy == await approval(cast.liuyang, 1)
        seen = 1

        async def in_step() -> None:
            nonlocal copy, seen
            frames = await changes(socket, seen + 1)
            seen += 1
            copy = frames[-1]["data"]["approval"]
            assert copy == await approval(cast.liuyang, 1)

        task = await todo_task(cast.zhangwei, 1)
        added = await cast.zhangwei.api.post(f"{APPROVALS}/{task['id']}/add-approver",
                                             json={"user_id": cast.zhoujianguo.id})
        assert added.status_code == 200, added.text
        await in_step()
        await approve(cast.zhangwei, 1)
        await in_step()
        await approve(cast.zhoujianguo, 1)
        await in_step()
        assert copy["current_step"] == 2
        rejected = await decide(cast.wangfang, (await todo_task(cast.wangfang, 1))["id"],
                                "reject", "不符合采购制度")
        assert rejected.status_code == 200, rejected.text
        await in_step()
        assert copy["status"] == "rejected"
        # And the approver's reply is that same approval.
        assert rejected.json()["approval"] == copy
    finally:
        await socket.close()
