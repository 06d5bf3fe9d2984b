"""The WebSocket as clients use it: live delivery, resume, permissions, bad frames."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.helpers import PASSWORD, Cast, client_with_token, post, sign_in
from tests.realtime.wsclient import Socket
from xietong.runtime import Runtime


async def _channel(cast: Cast, name: str, kind: str, *members: str) -> int:
    response = await cast.zhangwei.api.post("/api/v1/channels", json={
        "name": name, "kind": kind, "member_ids": [cast.people[m].id for m in members]})
    assert response.status_code == 201, response.text
    channel_id: int = response.json()["id"]
    return channel_id


async def test_member_receives_live_message_and_outsider_does_not(cast: Cast,
                                                                  live_server: str) -> None:
    channel_id = await _channel(cast, "报价讨论", "private", "lina")
    lina = await Socket.open(live_server, cast.lina.token)
    outsider = await Socket.open(live_server, cast.wangfang.token)
    try:
        sent = await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/messages",
                                            json={"text": "Q3 报价单已更新 **请查看**"})
        assert sent.status_code == 201
        frame = await lina.wait_for("message.created")
        assert frame["channel_id"] == channel_id
        assert frame["data"]["message"]["text"] == "Q3 报价单已更新 **请查看**"
        assert "<strong>请查看</strong>" in frame["data"]["message"]["html"]
        assert [f for f in await outsider.quiet() if f["type"] == "message.created"] == []
    finally:
        await lina.close()
        await outsider.close()


async def test_resume_replays_missed_events_once_in_order(cast: Cast, live_server: str) -> None:
    channel_id = await _channel(cast, "研发协作", "private", "lina")
    first = await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/messages",
                                         json={"text": "第一条"})
    assert first.status_code == 201
    socket = await Socket.open(live_server, cast.lina.token)
    await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/messages",
                                 json={"text": "第二条"})
    seen = await socket.wait_for("message.created")
    await socket.close()
    for n in range(3, 8):
        await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/messages",
                                     json={"text": f"第{n}条"})
    resumed = await Socket.open(live_server, cast.lina.token, last_event_id=seen["id"])
    try:
        await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/messages",
                                     json={"text": "第8条"})
        deadline = asyncio.get_running_loop().time() + 5
        while len([e for e in resumed.events if e["type"] == "message.created"]) < 6:
            assert asyncio.get_running_loop().time() < deadline, resumed.events
            await resumed.next_frame()
        texts = [e["data"]["message"]["text"] for e in resumed.events
                 if e["type"] == "message.created"]
        assert texts == [f"第{n}条" for n in range(3, 9)]
        ids = [e["id"] for e in resumed.events]
        assert ids == sorted(set(ids)), "events must arrive once, in order"
        assert all(i > seen["id"] for i in ids)
    finally:
        await resumed.close()


async def test_removed_member_stops_receiving(cast: Cast, live_server: str) -> None:
    channel_id = await _channel(cast, "项目群", "private", "lina", "wangfang")
    socket = await Socket.open(live_server, cast.wangfang.token)
    try:
        removed = await cast.zhangwei.api.delete(
            f"/api/v1/channels/{channel_id}/members/{cast.wangfang.id}")
        assert removed.status_code == 204
        await socket.wait_for("channel.member_removed")
        await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/messages",
                                     json={"text": "王芳看不到这条"})
        later = await socket.quiet(0.5)
        assert [f for f in later if f["type"] == "message.created"] == []
    finally:
        await socket.close()


async def test_bad_frames_get_errors_and_ping_gets_pong(cast: Cast, live_server: str) -> None:
    socket = await Socket.open(live_server, cast.lina.token)
    try:
        await socket.connection.send("not json{")
        assert (await socket.wait_for("error"))["data"]["code"] == "bad_frame"
        await socket.send({"type": "launch_missiles"})
        await socket.wait_for("error", code="unknown_type")
        await socket.send({"type": "typing", "channel_id": 999999})
        await socket.wait_for("error", code="bad_channel")
        await socket.send({"type": "ping"})
        await socket.wait_for("pong")
    finally:
        await socket.close()


async def test_bad_credentials_and_positions_are_refused(cast: Cast, live_server: str) -> None:
    for token, last in (("xts_forged", None), (cast.lina.token, -1),
                        (cast.lina.token, 10**12)):
        socket = await Socket.open(live_server, token,
                                   last_event_id=last if last is None or last >= 0 else None)
        if last == -1:
            await socket.close()
            continue
        error = socket.other[0]
        assert error["type"] == "error"
        assert error["data"]["code"] in ("unauthorized", "bad_last_event_id")
        await socket.close()


async def test_huge_frames_close_the_socket_without_harm(cast: Cast, live_server: str) -> None:
    """A frame over the size limit ends that socket (1009); the server and others carry on."""
    from xietong.app import WS_MAX_SIZE

    victim = await Socket.open(live_server, cast.lina.token)
    bystander = await Socket.open(live_server, cast.zhangwei.token)
    try:
        await victim.connection.send("x" * (WS_MAX_SIZE + 1))
        assert await victim.closed_with() == 1009
        await bystander.send({"type": "ping"})
        await bystander.wait_for("pong")
    finally:
        await victim.close()
        await bystander.close()


async def test_ending_a_sign_in_closes_the_sockets_it_opened(cast: Cast, live_server: str
                                                             ) -> None:
    """Logging out, revoking or deactivating ends a credential; the sockets it opened close
    with 4401 (the client must sign in again) and get nothing more. Other sign-ins stay."""
    channel_id = await _channel(cast, "凭证测试", "private", "lina")
    second = await sign_in(cast.client, "lina")
    kept = await Socket.open(live_server, cast.lina.token)
    ended = await Socket.open(live_server, second)
    bystander = await Socket.open(live_server, cast.zhangwei.token)
    try:
        assert [s.other[0]["type"] for s in (kept, ended, bystander)] == ["hello"] * 3
        async with client_with_token(cast.client, second) as device:
            assert (await device.post("/api/v1/auth/logout")).status_code == 204
        assert await ended.closed_with() == 4401
        assert ended.other[-1]["data"]["code"] == "unauthorized"
        await post(cast.zhangwei, channel_id, "登出之后")
        await kept.wait_for("message.created")

        # A new role is not the end of a sign-in.
        promoted = await cast.linxiaoyan.api.patch(f"/api/v1/users/{cast.lina.id}",
                                                   json={"role": "admin"})
        assert promoted.status_code == 200, promoted.text
        await kept.send({"type": "ping"})
        await kept.wait_for("pong")

        deactivated = await cast.linxiaoyan.api.patch(f"/api/v1/users/{cast.lina.id}",
                                                      json={"active": False})
        assert deactivated.status_code == 200, deactivated.text
        assert await kept.closed_with() == 4401
        await bystander.send({"type": "ping"})
        await bystander.wait_for("pong")
    finally:
        await cast.linxiaoyan.api.patch(f"/api/v1/users/{cast.lina.id}",
                                        json={"active": True, "role": "member"})
        for socket in (kept, ended, bystander):
            await socket.close()


async def test_a_new_password_closes_other_sessions_sockets_and_revoking_a_token_its_own(
        cast: Cast, live_server: str) -> None:
    """Changing the password ends the other sessions (their sockets close) but not the
    session that changed it nor API tokens; revoking an API token closes its sockets."""
    other_session = await sign_in(cast.client, "lina")
    made = await cast.lina.api.post("/api/v1/tokens", json={"name": "看板机器人"})
    assert made.status_code == 201
    this_session = await Socket.open(live_server, cast.lina.token)
    other = await Socket.open(live_server, other_session)
    bot = await Socket.open(live_server, made.json()["token"])
    try:
        changed = await cast.lina.api.post("/api/v1/users/me/password", json={
            "old_password": PASSWORD, "new_password": "换了新密码-2026"})
        assert changed.status_code == 204, changed.text
        assert await other.closed_with() == 4401
        for still_open in (this_session, bot):
            await still_open.send({"type": "ping"})
            await still_open.wait_for("pong")

        revoked = await cast.lina.api.delete(f"/api/v1/tokens/{made.json()['id']}")
        assert revoked.status_code == 204
        assert await bot.closed_with() == 4401
        await this_session.send({"type": "ping"})
        await this_session.wait_for("pong")
    finally:
        for socket in (this_session, other, bot):
            await socket.close()


@pytest.mark.parametrize("held", ["readable_channel_ids", "replay"])
async def test_a_sign_in_ended_while_its_socket_opens_closes_it(
        cast: Cast, live_server: str, runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
        held: str) -> None:
    """Logged out while the socket is being set up — before it is registered with the hub
    (which the after-commit check walks), or while missed events are replayed to it: it
    still closes with 4401, and not one event reaches the dead credential."""
    channel_id = await _channel(cast, "开门时登出", "private", "lina")
    await post(cast.zhangwei, channel_id, "登出前的消息")
    token = await sign_in(cast.client, "lina")
    entered, release = asyncio.Event(), asyncio.Event()
    real: Callable[..., Awaitable[Any]] = getattr(runtime.realtime, held)

    async def held_up(*args: Any) -> Any:
        entered.set()
        await release.wait()
        return await real(*args)

    monkeypatch.setattr(runtime.realtime, held, held_up)
    opening = asyncio.create_task(Socket.open(live_server, token, last_event_id=0))
    await asyncio.wait_for(entered.wait(), 5)
    async with client_with_token(cast.client, token) as device:
        assert (await device.post("/api/v1/auth/logout")).status_code == 204
    release.set()
    socket = await opening
    try:
        assert await socket.closed_with() == 4401
        assert socket.other[-1]["data"]["code"] == "unauthorized"
        assert socket.events == []
    finally:
        await socket.close()
