"""The WebSocket as clients use it: live delivery, resume, permissions, bad frames."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
import websockets

from tests.helpers import PASSWORD, Cast, Person, client_with_token, post, sign_in
from tests.realtime.wsclient import Socket, frame_validator
from xietong.realtime.log import LoggedEvent
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
    """A forged token, a negative position and one past the log's end are each refused with
    their own error frame and close code (before, the negative one was opened without a
    position and nothing about it was checked)."""
    cases = [("xts_forged", None, ("unauthorized", 4401)),
             (cast.lina.token, -1, ("bad_last_event_id", 4400)),
             (cast.lina.token, 10**12, ("bad_last_event_id", 4400))]
    for token, last, expected in cases:
        socket = await Socket.open(live_server, token, last_event_id=last)
        assert await socket.refused_with() == expected, (token, last)


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


@pytest.mark.parametrize("held", ["readable", "replay"])
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


# --- client mistakes: answered, never a stack trace ---------------------------------------

@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """`caplog`, also hearing uvicorn (whose loggers do not propagate to the root), where an
    exception escaping the socket handler is logged ("Exception in ASGI application")."""
    uvicorn_log = logging.getLogger("uvicorn")
    uvicorn_log.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        uvicorn_log.removeHandler(caplog.handler)


def _no_stack_traces(log: pytest.LogCaptureFixture) -> None:
    bad = [f"{r.name}: {r.getMessage()}" for r in log.records
           if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], bad


@pytest.mark.parametrize("position", ["²", "١٢", "０", "𝟏", "1²", "+1", " 1", "1_0", "0x1", ""])
async def test_a_position_that_is_not_ascii_digits_is_refused(
        cast: Cast, live_server: str, server_log: pytest.LogCaptureFixture,
        position: str) -> None:
    """Only ASCII digits are an event id: Unicode digits ("²", "٣", full-width) are refused
    with 4400 like any other bad position, not raised as a ValueError."""
    url = (live_server.replace("http://", "ws://") + "/api/v1/events/ws?token="
           + cast.lina.token + "&last_event_id=" + quote(position))
    socket = Socket(await websockets.connect(url), await frame_validator(live_server))
    try:
        assert await socket.refused_with() == ("bad_last_event_id", 4400)
    finally:
        await socket.close()
    _no_stack_traces(server_log)


async def test_a_deeply_nested_frame_is_a_policy_close(cast: Cast, live_server: str,
                                                       server_log: pytest.LogCaptureFixture
                                                       ) -> None:
    """2,000 levels of nesting (inside the 4 KB frame limit) would exhaust the JSON parser's
    recursion: the socket is closed with 1008, not 1012 (which asks the client to reconnect
    and try again, forever), and the log holds no stack trace."""
    frames = ["[" * 2000 + "]" * 2000,
              '{"a":' * 600 + "1" + "}" * 600,
              '{"type": "watch_presence", "user_ids": ' + "[" * 1900 + "]" * 1900 + "}",
              '{"type": "ping", "x": ' + "[" * 40 + "]" * 40 + "}",
              "[" * 3000]
    for frame in frames:
        socket = await Socket.open(live_server, cast.lina.token)
        try:
            await socket.connection.send(frame)
            assert await socket.refused_with() == ("bad_frame", 1008), frame[:60]
        finally:
            await socket.close()
    bystander = await Socket.open(live_server, cast.zhangwei.token)
    try:
        # Brackets inside strings are text, not nesting.
        await bystander.send({"type": "ping", "note": "[{" * 1000})
        await bystander.wait_for("pong")
        await bystander.send({"type": "watch_presence", "user_ids": [cast.lina.id]})
        await bystander.wait_for("presence", user_id=cast.lina.id)
    finally:
        await bystander.close()
    _no_stack_traces(server_log)


async def test_too_many_bad_frames_close_with_4429_cleanly(
        cast: Cast, live_server: str, server_log: pytest.LogCaptureFixture) -> None:
    """The twentieth mistake closes the socket with 4429, after its error frame; the
    socket's writer, woken by that frame, does not then write to the closed socket."""
    for _ in range(5):
        socket = await Socket.open(live_server, cast.lina.token)
        try:
            for _ in range(20):
                await socket.connection.send("not json{")
            assert await socket.refused_with() == ("too_many_errors", 4429)
        finally:
            await socket.close()
    _no_stack_traces(server_log)


# Every client frame of the protocol (API.md "WebSocket", realtime/socket.py) with each of
# its fields wrong: the answer is an error frame, the socket stays usable.
BAD_FRAMES: list[tuple[object, str]] = [
    (None, "unknown_type"), (1, "unknown_type"), ("ping", "unknown_type"),
    ([{"type": "ping"}], "unknown_type"), ({}, "unknown_type"),
    ({"type": None}, "unknown_type"), ({"type": ["ping"]}, "unknown_type"),
    ({"type": {"ping": 1}}, "unknown_type"), ({"type": "PING"}, "unknown_type"),
    ({"type": "x" * 3000}, "unknown_type"),
    ({"type": "typing"}, "bad_channel"), ({"type": "typing", "channel_id": None}, "bad_channel"),
    ({"type": "typing", "channel_id": "1"}, "bad_channel"),
    ({"type": "typing", "channel_id": "²"}, "bad_channel"),
    ({"type": "typing", "channel_id": 1.0}, "bad_channel"),
    ({"type": "typing", "channel_id": True}, "bad_channel"),
    ({"type": "typing", "channel_id": -1}, "bad_channel"),
    ({"type": "typing", "channel_id": 10**40}, "bad_channel"),
    ({"type": "typing", "channel_id": [1]}, "bad_channel"),
    ({"type": "typing", "channel_id": {"id": 1}}, "bad_channel"),
    ({"type": "presence"}, "unknown_type"), ({"type": "presence", "status": None}, "unknown_type"),
    ({"type": "presence", "status": "busy"}, "unknown_type"),
    ({"type": "presence", "status": ["online"]}, "unknown_type"),
    ({"type": "presence", "status": {"online": 1}}, "unknown_type"),
    ({"type": "presence", "status": "ＯＮＬＩＮＥ"}, "unknown_type"),
    ({"type": "watch_presence"}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": None}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": 1}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": "1,2"}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": {"1": 1}}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": ["1"]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": ["²"]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": [True]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": [1.5]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": [None]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": [[1]]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": [0]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": [-5]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": [10**40]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": [2**63]}, "bad_frame"),
    ({"type": "watch_presence", "user_ids": list(range(1, 1002))}, "bad_frame"),
]


async def test_every_frame_with_wrong_fields_gets_an_error_frame(
        cast: Cast, live_server: str, server_log: pytest.LogCaptureFixture) -> None:
    socket = await Socket.open(live_server, cast.lina.token)
    sent = 0
    try:
        for frame, code in BAD_FRAMES:
            if sent == 15:  # stay below the bad-frame limit: a fresh socket
                await socket.close()
                socket = await Socket.open(live_server, cast.lina.token)
                sent = 0
            socket.other.clear()
            await socket.connection.send(json.dumps(frame))
            sent += 1
            error = await socket.wait_for("error")
            assert error["data"]["code"] == code, frame
        for raw in (b"\x00\x01binary", b'{"type": "ping"}', "NaN", "1e999", "\"\\ud800\"",
                    '{"type": "ping", "type": "typing"}'):
            socket.other.clear()
            await socket.connection.send(raw)
            assert (await socket.wait_for("error"))["data"]["code"] in (
                "bad_frame", "unknown_type", "bad_channel"), raw
        # Still usable: the mistakes were answered, not fatal.
        await socket.send({"type": "ping"})
        await socket.wait_for("pong")
    finally:
        await socket.close()
    _no_stack_traces(server_log)


async def test_a_malformed_origin_is_refused_not_raised(cast: Cast, live_server: str,
                                                        server_log: pytest.LogCaptureFixture
                                                        ) -> None:
    """A cookie-signed socket must come from our own pages; an Origin that is not even a
    URL ("http://[") is simply not ours (4403), not a ValueError."""
    for origin in ("http://[", "http://[::1", "\u00ff://x", "null", ""):
        socket = await Socket.open(live_server, "", Cookie=f"xietong_session={cast.lina.token}",
                                   Origin=origin)
        try:
            assert await socket.refused_with() == ("forbidden_origin", 4403), origin
        finally:
            await socket.close()
    _no_stack_traces(server_log)


# --- presence within a guest's scope ----------------------------------------------------------

async def _statuses(person: Person, *user_ids: int) -> dict[int, str]:
    response = await person.api.get("/api/v1/presence",
                                     params={"user_ids": ",".join(map(str, user_ids))})
    assert response.status_code == 200, response.text
    return {int(k): v for k, v in response.json()["statuses"].items()}


async def _presence_frames(socket: Socket, seconds: float = 0.4) -> list[dict[str, Any]]:
    return [f["data"] for f in await socket.quiet(seconds) if f["type"] == "presence"]


async def test_a_guest_learns_presence_only_of_people_they_may_see(cast: Cast,
                                                                   live_server: str) -> None:
    """Guests see the people they share a channel with (and themselves); presence, over
    HTTP and the socket, answers for those only. Anyone else — a colleague or an id that
    does not exist — is left out alike, so the answer says nothing of who exists."""
    await _channel(cast, "顾问对接", "private", "alex")  # 张伟 and Alex share it
    online = {name: await Socket.open(live_server, cast.people[name].token)
              for name in ("zhangwei", "wangfang")}
    guest = await Socket.open(live_server, cast.alex.token)
    try:
        asked = (cast.zhangwei.id, cast.wangfang.id, cast.lina.id, cast.alex.id, 999999)
        assert await _statuses(cast.alex, *asked) == {cast.zhangwei.id: "online",
                                                      cast.alex.id: "online"}
        # A member sees everyone (an unknown id is simply offline, as before).
        assert await _statuses(cast.lina, *asked) == {
            cast.zhangwei.id: "online", cast.wangfang.id: "online", cast.lina.id: "offline",
            cast.alex.id: "online", 999999: "offline"}

        await guest.send({"type": "watch_presence", "user_ids": list(asked)})
        assert sorted(await _presence_frames(guest), key=lambda d: d["user_id"]) == [
            {"user_id": cast.zhangwei.id, "status": "online"},
            {"user_id": cast.alex.id, "status": "online"}]
        # Changes of someone unseen never reach the guest; of someone seen, they do.
        await online["wangfang"].send({"type": "presence", "status": "away"})
        await online["zhangwei"].send({"type": "presence", "status": "away"})
        await guest.wait_for("presence", user_id=cast.zhangwei.id, status="away")
        await online["wangfang"].close()
        assert await _presence_frames(guest) == []
        assert [f for f in guest.other if f["type"] == "presence"
                and f["data"]["user_id"] != cast.zhangwei.id
                and f["data"]["user_id"] != cast.alex.id] == []
    finally:
        for socket in (*online.values(), guest):
            await socket.close()


async def test_a_guests_presence_scope_follows_their_channels(cast: Cast,
                                                              live_server: str) -> None:
    """Someone who joins a channel with the guest may be watched from then on; once they
    leave it, their presence stops reaching the guest's socket, without a new watch."""
    channel_id = await _channel(cast, "顾问对接", "private", "alex")
    guest = await Socket.open(live_server, cast.alex.token)
    wangfang: Socket | None = None
    try:
        await guest.send({"type": "watch_presence", "user_ids": [cast.wangfang.id]})
        assert await _presence_frames(guest) == []

        added = await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/members",
                                             json={"user_ids": [cast.wangfang.id]})
        assert added.status_code in (200, 201, 204), added.text
        assert await _statuses(cast.alex, cast.wangfang.id) == {cast.wangfang.id: "offline"}
        await guest.send({"type": "watch_presence", "user_ids": [cast.wangfang.id]})
        await guest.wait_for("presence", user_id=cast.wangfang.id, status="offline")
        wangfang = await Socket.open(live_server, cast.wangfang.token)
        await guest.wait_for("presence", user_id=cast.wangfang.id, status="online")

        removed = await cast.zhangwei.api.delete(
            f"/api/v1/channels/{channel_id}/members/{cast.wangfang.id}")
        assert removed.status_code == 204, removed.text
        await guest.wait_for("channel.member_removed")
        await guest.quiet(0.3)
        guest.other.clear()
        await wangfang.send({"type": "presence", "status": "away"})
        await wangfang.close()
        wangfang = None
        assert await _presence_frames(guest, 0.6) == []
        assert await _statuses(cast.alex, cast.wangfang.id) == {}
    finally:
        await guest.close()
        if wangfang is not None:
            await wangfang.close()


async def test_a_member_made_a_guest_stops_learning_presence_at_once(
        cast: Cast, live_server: str) -> None:
    """A role change leaves the socket open, but narrows whom it may watch."""
    demoted = await Socket.open(live_server, cast.liuyang.token)
    wangfang: Socket | None = None
    try:
        await demoted.send({"type": "watch_presence", "user_ids": [cast.wangfang.id]})
        await demoted.wait_for("presence", user_id=cast.wangfang.id, status="offline")
        response = await cast.linxiaoyan.api.patch(f"/api/v1/users/{cast.liuyang.id}",
                                                   json={"role": "guest"})
        assert response.status_code == 200, response.text
        await demoted.send({"type": "ping"})
        await demoted.wait_for("pong")  # still open
        demoted.other.clear()
        wangfang = await Socket.open(live_server, cast.wangfang.token)
        assert await _presence_frames(demoted, 0.6) == []
        async with client_with_token(cast.client, cast.liuyang.token) as api:
            response = await api.get("/api/v1/presence",
                                     params={"user_ids": str(cast.wangfang.id)})
            assert response.status_code == 200
            assert response.json()["statuses"] == {}
    finally:
        await demoted.close()
        if wangfang is not None:
            await wangfang.close()


async def test_a_failing_dispatch_listener_stops_no_delivery(cast: Cast, live_server: str,
                                                             runtime: Runtime) -> None:
    """Node-local listeners see each event as it is delivered; one that raises is logged,
    and the sockets and the other listeners still get every event."""
    channel_id = await _channel(cast, "监听器", "private", "lina")
    seen: list[str] = []

    def broken(event: LoggedEvent) -> None:
        raise RuntimeError("a listener's bug")

    listeners = runtime.realtime.hub.dispatch_listeners
    listeners[:0] = [broken]
    listeners.append(lambda event: seen.append(event.type))
    lina = await Socket.open(live_server, cast.lina.token)
    try:
        sent_ids = []
        for text in ("第一条", "第二条"):
            sent = await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/messages",
                                                json={"text": text})
            assert sent.status_code == 201
            sent_ids.append(sent.json()["id"])
        first, second = sent_ids
        await lina.wait_for("message.created")
        while not any(f["data"]["message"]["id"] == second for f in lina.events
                      if f["type"] == "message.created"):
            await lina.next_frame()
        assert [f["data"]["message"]["id"] for f in lina.events
                if f["type"] == "message.created"] == [first, second]
        assert seen.count("message.created") == 2
    finally:
        listeners.remove(broken)
        del listeners[-1]
        await lina.close()
