"""`project.changed` and `task.changed` on the socket: to the project's members as they are
at delivery — someone added starts hearing at once, someone removed stops — and to nobody
else, company-visible or not; each frame carries the task as a fresh fetch shows it."""

from __future__ import annotations

from typing import Any

from tests.helpers import Cast
from tests.projects.helpers import PROJECTS, TASKS, make_project, make_task, move, status_id
from tests.realtime.wsclient import Socket


async def frames(socket: Socket, kind: str, count: int) -> list[dict[str, Any]]:
    seen = [f for f in socket.events if f["type"] == kind]
    while len(seen) < count:
        frame = await socket.next_frame()
        if frame["type"] == kind:
            seen.append(frame)
    return seen[:count]


async def test_project_and_task_changes_reach_the_members_only(cast: Cast,
                                                              live_server: str) -> None:
    names = ("lina", "zhangwei", "wangfang", "liuyang", "linxiaoyan")
    sockets = {name: await Socket.open(live_server, cast.people[name].token) for name in names}
    try:
        project = await make_project(cast.lina, "新品上市", visibility="company",
                                     member_ids=[cast.zhangwei.id])
        created = await frames(sockets["zhangwei"], "project.changed", 1)
        assert created[0]["scope"] == f"project:{project['id']}"
        assert created[0]["data"]["change"] == "created"
        task = await make_task(cast.zhangwei, project["id"], "渠道培训")
        for name in ("lina", "zhangwei"):
            [frame] = await frames(sockets[name], "task.changed", 1)
            assert frame["data"]["entry"]["kind"] == "created"
            assert frame["data"]["task"] == (
                await cast.lina.api.get(f"{TASKS}/{task['id']}")).json()
        # 王芳 joins: she hears the next change; 张伟 leaves: he does not.
        await cast.lina.api.post(f"{PROJECTS}/{project['id']}/members",
                                 json={"user_ids": [cast.wangfang.id]})
        await cast.lina.api.delete(f"{PROJECTS}/{project['id']}/members/{cast.zhangwei.id}")
        await frames(sockets["wangfang"], "project.changed", 1)
        moved = (await move(cast.lina, task["id"], status_id(project, "进行中"))).json()
        [frame] = await frames(sockets["wangfang"], "task.changed", 1)
        assert frame["data"]["task"] == moved
        assert frame["data"]["entry"]["kind"] == "moved"
        for name in ("zhangwei", "liuyang", "linxiaoyan"):
            quiet = await sockets[name].quiet(0.3)
            heard = [f for f in [*sockets[name].events, *quiet] if f["type"] == "task.changed"]
            assert len(heard) == (1 if name == "zhangwei" else 0), name
    finally:
        for socket in sockets.values():
            await socket.close()
