"""Announcement events on the socket, to exactly the people they concern: its publishing to
its audience and its author (not to anyone else, nor before its review approves it), the
end of a review to its author, a reminder to those who have not acknowledged, a read or an
acknowledgement to its author. Every frame is checked against the server's own schema."""

from __future__ import annotations

from typing import Any

from tests.announcements.helpers import API, company, decide, draft, submit
from tests.helpers import Cast
from tests.projects.test_project_events import frames
from tests.realtime.wsclient import Socket

NAMES = ("dujuan", "gaoyuan", "lina", "liuyang", "zhangwei", "alex")


async def heard(socket: Socket) -> list[dict[str, Any]]:
    return [f for f in [*socket.events, *await socket.quiet(0.3)]
            if f["type"].startswith("announcement.")]


async def test_who_hears_of_an_announcement(cast: Cast, live_server: str) -> None:
    co = await company(cast)
    sockets = {name: await Socket.open(live_server, cast.people[name].token) for name in NAMES}
    try:
        made = await draft(co.gaoyuan, title="代码冻结", requires_ack=True,
                           audience={"department_ids": [co.cast.departments["研发部"]]})
        await submit(co.gaoyuan, made["id"])
        await decide(co.lina, made["id"], "return", "请写明时间。")
        [reviewed] = await frames(sockets["gaoyuan"], "announcement.reviewed", 1)
        assert (reviewed["data"]["outcome"], reviewed["data"]["comment"]) == (
            "returned", "请写明时间。")
        assert reviewed["scope"] == f"announcement:{made['id']}"
        for name in NAMES:
            if name != "gaoyuan":
                assert await heard(sockets[name]) == [], name
        for socket in sockets.values():
            socket.events.clear()
        await submit(co.gaoyuan, made["id"])
        await decide(co.lina, made["id"])
        # 研发部 (李娜) and its author hear of it; 销售部, 人力资源部 and the guest do not.
        for name in ("gaoyuan", "lina"):
            published = [f for f in await heard(sockets[name])
                         if f["type"] == "announcement.published"]
            assert [f["data"]["announcement_id"] for f in published] == [made["id"]], name
        for name in ("dujuan", "liuyang", "zhangwei", "alex"):
            assert [f for f in await heard(sockets[name])
                    if f["type"] == "announcement.published"] == [], name
        for socket in sockets.values():
            socket.events.clear()
        # A read reaches its author only; a reminder those who have not acknowledged.
        assert (await co.lina.api.post(f"{API}/{made['id']}/read")).status_code == 200
        [receipt] = await frames(sockets["gaoyuan"], "announcement.receipt", 1)
        assert receipt["data"] == {"announcement_id": made["id"], "user_id": co.lina.id,
                                   "acknowledged": False}
        assert (await co.gaoyuan.api.post(f"{API}/{made['id']}/remind")).status_code == 200
        [reminded] = await frames(sockets["lina"], "announcement.reminded", 1)
        assert reminded["data"]["by"] == co.gaoyuan.id
        assert [f["type"] for f in await heard(sockets["gaoyuan"])] == ["announcement.receipt"]
        for name in ("dujuan", "liuyang", "zhangwei", "alex"):
            assert await heard(sockets[name]) == [], name
    finally:
        for socket in sockets.values():
            await socket.close()
