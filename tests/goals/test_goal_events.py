"""`objective.changed` on the socket: a company-visible objective's changes reach everyone
in the company but guests; a private one's only its owner and the managers above; each
frame carries the objective as a fresh fetch shows it, the roll-up's moves included.
And the weekly check-in reminder: once, to the key result's owner, on the company's days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.goals.helpers import OBJECTIVES, PERIOD, add_key_result, check_in, make_objective
from tests.helpers import Cast, Follow
from tests.projects.test_project_events import frames
from tests.realtime.wsclient import Socket
from xietong.goals.reminders import QUIET_DAYS, send_check_in_reminders


async def test_objective_changes_reach_who_sees_them(cast: Cast, live_server: str) -> None:
    names = ("zhoujianguo", "zhangwei", "liuyang", "lina", "alex")
    sockets = {name: await Socket.open(live_server, cast.people[name].token) for name in names}
    try:
        company = await make_objective(cast.zhoujianguo, "新品成功上市")
        for name in ("zhoujianguo", "zhangwei", "liuyang", "lina"):
            [frame] = await frames(sockets[name], "objective.changed", 1)
            assert (frame["data"]["change"], frame["data"]["objective"]["id"]) == (
                "created", company["id"])
        private = await make_objective(cast.liuyang, "个人成长", "person",
                                       visibility="private", parent_id=company["id"])
        result = await add_key_result(cast.liuyang, private["id"], "读完三本书", target=3)
        assert (await check_in(cast.liuyang, result["id"], current=3)).status_code == 201
        # 刘洋 and 张伟 (manager of 销售部, above 华东区) hear the private one; its
        # check-in also moves the company's, which everyone hears.
        for name in ("liuyang", "zhangwei"):
            heard = await frames(sockets[name], "objective.changed", 5)
            mine = [f["data"] for f in heard if f["data"]["objective"]["id"] == private["id"]]
            assert [d["change"] for d in mine] == ["created", "key_results", "check_in"]
            assert mine[-1]["objective"] == {
                k: v for k, v in (await cast.liuyang.api.get(
                    f"{OBJECTIVES}/{private['id']}")).json().items()
                if k not in ("can", "children")}
        [moved] = [f for f in await frames(sockets["lina"], "objective.changed", 2)
                   if f["data"]["change"] == "progress"]
        assert moved["data"]["objective"]["id"] == company["id"]
        assert moved["data"]["objective"]["progress"] == 1.0
        assert moved["scope"] == "okr:0"
        lina = [f for f in [*sockets["lina"].events, *await sockets["lina"].quiet(0.3)]
                if f["type"] == "objective.changed"]
        assert private["id"] not in {f["data"]["objective"]["id"] for f in lina}
        alex = [f for f in [*sockets["alex"].events, *await sockets["alex"].quiet(0.3)]
                if f["type"] == "objective.changed"]
        assert alex == []
    finally:
        for socket in sockets.values():
            await socket.close()


async def test_the_weekly_check_in_reminder_asks_each_owner_once(cast: Cast,
                                                                 follow: Follow) -> None:
    objective = await make_objective(cast.zhangwei, "华东区新品签约", "department",
                                     department_id=cast.departments["销售部"])
    await add_key_result(cast.zhangwei, objective["id"], "签约客户", target=30,
                         owner_id=cast.liuyang.id)
    recent = await add_key_result(cast.zhangwei, objective["id"], "培训场次", target=6)
    assert (await check_in(cast.zhangwei, recent["id"], current=1)).status_code == 201
    await follow.held()
    friday = date(2026, 12, 11)
    now = datetime.now(UTC)
    for _ in range(2):  # a retried job asks again for nothing
        async with cast.runtime.unit_of_work() as uow:
            sent = await send_check_in_reminders(uow, period=PERIOD, today=friday, now=now)
        assert sent == (1 if _ == 0 else 0)
    await follow.catch_up()
    items = (await cast.liuyang.api.get("/api/v1/notifications")).json()["items"]
    assert [(n["kind"], n["title"], n["link"]) for n in items] == [
        ("okr_check_in", "本周请更新关键结果的进度：签约客户",
         f"/okr?objective={objective['id']}")]
    assert [n for n in (await cast.zhangwei.api.get("/api/v1/notifications")).json()["items"]
            if n["kind"] == "okr_check_in"] == []
    # A week later both are owed one again (the check-in is older than QUIET_DAYS).
    async with cast.runtime.unit_of_work() as uow:
        sent = await send_check_in_reminders(
            uow, period=PERIOD, today=friday + timedelta(days=7),
            now=now + timedelta(days=QUIET_DAYS + 1))
    assert sent == 2
