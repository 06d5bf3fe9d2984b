"""员工之声 on the socket and in notifications: kudos and answers reach everyone in the
company (no guest), each frame carrying what a fresh fetch shows; a new suggestion is no
event at all (the event log keeps exact times, the box only the day). The colleague thanked
— or each person of the team thanked but the giver — is notified, once."""

from __future__ import annotations

from typing import Any

from tests.feedback.helpers import KUDOS, SUGGESTIONS, suggest, thank
from tests.helpers import Cast, Follow
from tests.projects.test_project_events import frames
from tests.realtime.wsclient import Socket

NAMES = ("zhangwei", "lina", "wangfang", "linxiaoyan", "alex")
STAFF = ("zhangwei", "lina", "wangfang", "linxiaoyan")


async def heard(socket: Socket) -> list[dict[str, Any]]:
    return [f for f in [*socket.events, *await socket.quiet(0.3)]
            if f["type"].startswith(("kudos.", "suggestion."))]


async def test_kudos_and_answers_reach_the_company_but_suggestions_do_not(
        cast: Cast, live_server: str) -> None:
    sockets = {name: await Socket.open(live_server, cast.people[name].token) for name in NAMES}
    try:
        made = await suggest(cast, cast.lina, "客服部", "午休时间能否延长到一个半小时？")
        for socket in sockets.values():
            assert await heard(socket) == []
        given = await thank(cast.lina, "excellence", "文档写得真好", recipient_id=cast.wangfang.id)
        [fetched] = (await cast.zhangwei.api.get(KUDOS)).json()["items"]
        assert fetched == given
        for name in STAFF:
            [frame] = await frames(sockets[name], "kudos.given", 1)
            assert frame["scope"] == "voice:0"
            assert frame["data"]["kudos"] == fetched
        answered = await cast.wangfang.api.post(f"{SUGGESTIONS}/{made['id']}/answer",
                                                json={"answer": "下月起试行。"})
        assert answered.status_code == 200
        for name in STAFF:
            [frame] = await frames(sockets[name], "suggestion.answered", 1)
            fresh = (await cast.people[name].api.get(f"{SUGGESTIONS}/{made['id']}")).json()
            told = frame["data"]["suggestion"]
            assert {**told, "can_answer": fresh["can_answer"]} == fresh
        assert await heard(sockets["alex"]) == []
    finally:
        for socket in sockets.values():
            await socket.close()


async def notices(cast: Cast, name: str) -> list[tuple[str, str, str]]:
    items = (await cast.people[name].api.get("/api/v1/notifications")).json()["items"]
    return [(n["kind"], n["title"], n["link"]) for n in items if n["kind"] == "kudos_received"]


async def test_the_thanked_are_notified(cast: Cast, follow: Follow) -> None:
    colleague = await cast.add_person("caoying", "曹颖", departments=("客服部",))
    await follow.held()
    personal = await thank(cast.lina, "customer_first", "客户点名表扬了你",
                           recipient_id=cast.zhangwei.id)
    team = await thank(cast.wangfang, "teamwork", "客服部这个月辛苦了",
                       department_id=cast.departments["客服部"])
    await follow.catch_up()
    await follow.catch_up()  # a batch seen twice records nothing twice
    assert await notices(cast, "zhangwei") == [
        ("kudos_received", "李娜 因「客户第一」感谢了你", f"/kudos?highlight={personal['id']}")]
    # The team's people but the giver (王芳 is in 客服部 herself).
    assert await notices(cast, "caoying") == [
        ("kudos_received", "王芳 因「团队合作」感谢了客服部团队",
         f"/kudos?highlight={team['id']}")]
    assert await notices(cast, "wangfang") == []
    assert await notices(cast, "lina") == []
    [item] = [n for n in (await colleague.api.get("/api/v1/notifications")).json()["items"]
              if n["kind"] == "kudos_received"]
    assert (item["body"], item["actor_id"]) == ("客服部这个月辛苦了", cast.wangfang.id)
    assert item["data"] == {"kudos_id": team["id"], "value": "teamwork",
                            "actor_name": "王芳", "subject_label": "团队合作"}
    # Those who switched the kind off are not told.
    await cast.zhangwei.api.put("/api/v1/notifications/preferences",
                                json={"kinds": {"kudos_received": False}})
    await thank(cast.wangfang, recipient_id=cast.zhangwei.id)
    await follow.catch_up()
    assert len(await notices(cast, "zhangwei")) == 1
