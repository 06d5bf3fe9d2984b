"""A request's milestones as cards in the conversation: the requester's direct conversation
with the system account (协同助手) and the receiving department's queue channel — who sees
them, what they say, what they must not do (page someone, notify twice), and the system
account being nobody anyone can be or pick."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from tests.helpers import Cast, Follow, Person, error_code
from tests.requests.test_requests import act, engineer, file, make_type
from tests.requests.test_sla_timers import Clock, run_until_idle, runner_for, stage_times
from xietong.chat.models import Channel
from xietong.core.clock import utcnow
from xietong.org.actions import SYSTEM_DISPLAY_NAME, SYSTEM_USERNAME
from xietong.org.models import User
from xietong.requests.models import RequestQueueChannel
from xietong.requests.timers import Stage

REQUESTS = "/api/v1/requests"
__all__ = ["engineer"]  # the fixture, used by name


async def bot_id(cast: Cast) -> int:
    async with cast.runtime.reader() as uow:
        found = await uow.session.scalar(select(User.id).where(User.username == SYSTEM_USERNAME))
    assert found is not None, "no system account yet"
    return found


async def channel_named(person: Person, name: str) -> dict[str, Any] | None:
    channels = (await person.api.get("/api/v1/channels")).json()["items"]
    return next((c for c in channels if c["name"] == name), None)


async def dm_with_assistant(person: Person, cast: Cast) -> dict[str, Any]:
    assistant = await bot_id(cast)
    channels: list[dict[str, Any]] = (await person.api.get("/api/v1/channels")).json()["items"]
    [dm] = [c for c in channels if c["kind"] == "dm" and c["member_ids"] is not None
            and set(c["member_ids"]) == {person.id, assistant}]
    return dm


async def cards_in(person: Person, channel_id: int) -> list[dict[str, Any]]:
    response = await person.api.get(f"/api/v1/channels/{channel_id}/messages")
    assert response.status_code == 200, response.text
    return [m for m in response.json()["items"] if m["card"] is not None]


def events(cards: list[dict[str, Any]]) -> list[str]:
    return [m["card"]["event"] for m in cards]


async def queue_of(cast: Cast, department: str) -> int:
    async with cast.runtime.reader() as uow:
        row = await uow.session.get(RequestQueueChannel, cast.departments[department])
    assert row is not None
    return row.channel_id


async def test_a_requests_milestones_reach_the_requester_and_the_queue(
        cast: Cast, follow: Follow, engineer: Person) -> None:
    await follow.held()
    filed = await file(cast.wangfang, department_id=cast.departments["研发部"],
                       title="客户导出报表 <b>报错</b>")
    await follow.catch_up()
    dm = await dm_with_assistant(cast.wangfang, cast)
    queue = await channel_named(cast.lina, "研发部 · 工单")
    assert queue is not None
    assert queue["kind"] == "department"
    assert queue["id"] == await queue_of(cast, "研发部")
    [card] = await cards_in(cast.wangfang, dm["id"])
    assert card["sender_id"] == await bot_id(cast)
    assert card["card"] == {
        "kind": "request", "event": "filed", "title": f"{filed['number']} 客户导出报表 <b>报错</b>",
        "link": f"/requests/{filed['id']}",
        "facts": {"number": filed["number"], "status": "new", "department": "研发部",
                  "assignee": None, "actor": "王芳", "clock": None}}
    # The plain-text fallback, shown as written (escaped, no Markdown made of it).
    assert card["text"] == f"【新工单】{filed['number']} 客户导出报表 <b>报错</b>（研发部）"
    assert "<b>" not in card["html"]
    assert "&lt;b&gt;" in card["html"]
    assert events(await cards_in(cast.lina, queue["id"])) == ["filed"]
    # Accepted, handed to the engineer, resolved and confirmed: each a card in both places.
    await act(cast.lina, filed["id"], "accept")
    response = await cast.lina.api.post(f"{REQUESTS}/{filed['id']}/assign",
                                        json={"assignee_id": engineer.id})
    assert response.status_code == 200, response.text
    await act(engineer, filed["id"], "resolve")
    await act(cast.wangfang, filed["id"], "confirm")
    await follow.catch_up()
    expected = ["filed", "accepted", "assigned", "closed"]
    in_dm = await cards_in(cast.wangfang, dm["id"])
    assert events(in_dm) == expected
    assert events(await cards_in(engineer, queue["id"])) == expected
    assigned = in_dm[2]["card"]["facts"]
    assert (assigned["assignee"], assigned["actor"]) == ("赵磊", "李娜")
    assert in_dm[3]["card"]["facts"]["status"] == "closed"
    # Caught up again, nothing is posted twice.
    await follow.catch_up()
    assert events(await cards_in(cast.wangfang, dm["id"])) == expected
    # The request's own notifications say it; the cards do not say it again as messages.
    kinds = {n["kind"] for n in (await cast.wangfang.api.get(
        "/api/v1/notifications")).json()["items"]}
    assert "direct_message" not in kinds
    assert "request_update" in kinds


async def test_the_queue_channel_is_the_departments_and_nobody_elses(
        cast: Cast, follow: Follow) -> None:
    await follow.held()
    await file(cast.wangfang, department_id=cast.departments["研发部"], title="接口超时")
    await follow.catch_up()
    queue_id = await queue_of(cast, "研发部")
    members = (await cast.lina.api.get(f"/api/v1/channels/{queue_id}/members")).json()
    member_ids = {m["user_id"] for m in members["items"]}
    assert cast.lina.id in member_ids
    assert await bot_id(cast) in member_ids
    assert cast.wangfang.id not in member_ids
    # Another department's people do not read it (the requester reads the DM's copy).
    for outsider in (cast.zhangwei, cast.wangfang, cast.alex):
        response = await outsider.api.get(f"/api/v1/channels/{queue_id}/messages")
        assert response.status_code in (403, 404), outsider.username
    # Someone who joins the department joins its queue channel; the system account stays.
    newcomer = await cast.add_person("sunli", "孙丽", departments=("研发部",))
    members = (await cast.lina.api.get(f"/api/v1/channels/{queue_id}/members")).json()
    member_ids = {m["user_id"] for m in members["items"]}
    assert newcomer.id in member_ids
    assert await bot_id(cast) in member_ids
    # An archived queue channel is replaced by a new one at the next card.
    async with cast.runtime.unit_of_work() as uow:
        await uow.session.execute(update(Channel).where(Channel.id == queue_id)
                                  .values(archived_at=utcnow()))
    await file(cast.wangfang, department_id=cast.departments["研发部"], title="登录失败")
    await follow.catch_up()
    assert await queue_of(cast, "研发部") != queue_id
    assert events(await cards_in(cast.lina, await queue_of(cast, "研发部"))) == ["filed"]


async def test_a_transfer_and_a_breach_are_cards_in_the_queue_that_has_it(
        cast: Cast, follow: Follow, engineer: Person) -> None:
    await follow.held()
    filed = await file(cast.zhangwei, department_id=cast.departments["研发部"], title="退货")
    await act(engineer, filed["id"], "accept")
    await engineer.api.post(f"{REQUESTS}/{filed['id']}/transfer",
                            json={"department_id": cast.departments["客服部"],
                                  "reason": "属于售后问题"})
    typed = await make_type(cast, "研发部", fields=[], name="故障排查")
    late = await file(cast.zhangwei, typed["id"], values={})
    times = await stage_times(cast.runtime, late["id"], "response")
    await run_until_idle(runner_for(cast.runtime, Clock(times[Stage.BREACHED]
                                                        + timedelta(seconds=1))))
    await follow.catch_up()
    service = await cards_in(cast.wangfang, await queue_of(cast, "客服部"))
    assert events(service) == ["transferred"]
    assert service[0]["text"].endswith("（客服部）")
    research = await cards_in(cast.lina, await queue_of(cast, "研发部"))
    assert events(research) == ["filed", "accepted", "transferred", "filed", "breached"]
    assert research[-1]["card"]["facts"]["clock"] == "response"
    assert research[-1]["text"].endswith("：响应已超时")
    assert events(await cards_in(cast.zhangwei, (await dm_with_assistant(
        cast.zhangwei, cast))["id"])) == ["filed", "accepted", "transferred", "filed",
                                          "breached"]


async def test_a_title_naming_someone_pages_nobody(cast: Cast, follow: Follow) -> None:
    await follow.held()
    await file(cast.wangfang, department_id=cast.departments["研发部"],
               title="@张伟 @all 请看一下")
    await follow.catch_up()
    [card] = await cards_in(cast.lina, await queue_of(cast, "研发部"))
    assert card["mentions"] == {"user_ids": [], "department_ids": [], "all": False}
    notified = (await cast.zhangwei.api.get("/api/v1/notifications")).json()["items"]
    assert notified == []


async def test_the_system_account_is_nobody_to_sign_in_as_or_to_pick(
        cast: Cast, follow: Follow) -> None:
    await follow.held()
    await file(cast.wangfang, department_id=cast.departments["研发部"], title="打印机卡纸")
    await follow.catch_up()
    assistant = await bot_id(cast)
    profile = (await cast.wangfang.api.get(f"/api/v1/users/{assistant}")).json()
    assert (profile["display_name"], profile["bot"]) == (SYSTEM_DISPLAY_NAME, True)
    # No directory lists it, for colleagues or administrators, by name or at all.
    for person in (cast.wangfang, cast.linxiaoyan):
        for query in ("", "?q=协同", "?q=xtzs", "?q=assistant"):
            listed = (await person.api.get(f"/api/v1/users{query}")).json()["items"]
            assert assistant not in {u["id"] for u in listed}, (person.username, query)
    queue_id = await queue_of(cast, "研发部")
    suggested = (await cast.lina.api.get(
        f"/api/v1/channels/{queue_id}/mention-suggestions?q=协同")).json()
    assert all(p.get("id") != assistant for p in suggested.get("people", []))
    # It has no password, and an administrator cannot give it one.
    login = await cast.client.post("/api/v1/auth/login",
                                   json={"login": SYSTEM_USERNAME, "password": ""})
    assert login.status_code in (401, 422)
    response = await cast.linxiaoyan.api.post(f"/api/v1/users/{assistant}/password-reset")
    assert response.status_code == 403
    assert error_code(response) == "system_account"
    # Nor edit it, deactivate it or put it in a department.
    for body in ({"display_name": "假助手"}, {"active": False}, {"role": "admin"}):
        response = await cast.linxiaoyan.api.patch(f"/api/v1/users/{assistant}", json=body)
        assert (response.status_code, error_code(response)) == (403, "system_account"), body
    department = cast.departments["研发部"]
    response = await cast.linxiaoyan.api.put(f"/api/v1/departments/{department}/members",
                                             json={"user_ids": [cast.lina.id, assistant]})
    assert response.status_code == 422, response.text
