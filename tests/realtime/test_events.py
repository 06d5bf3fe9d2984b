"""Messaging events over the live WebSocket, in the spirit of Zulip's `verify_action`: a
client keeps a copy of a channel built from one fetch plus the events it receives; after
every action that copy must equal a fresh fetch. Also: who receives what (members only,
removed members no more), typing and presence."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import insert

from tests.conftest import Backend
from tests.helpers import Cast, Person
from tests.realtime.wsclient import Socket
from xietong.realtime import hub
from xietong.realtime.models import EventRecord

API = "/api/v1"
NO_MENTIONS = {"user_ids": [], "department_ids": [], "all": False}

Json = dict[str, Any]


@dataclass
class ChannelState:
    """What a client knows of one channel."""

    channel: Json
    messages: dict[int, Json]  # top-level, as the history shows them
    replies: dict[int, Json]  # thread replies, as the threads show them
    read_markers: dict[int, int]  # member -> last_read_id
    acks: dict[int, set[int]] = field(default_factory=dict)  # message -> who acknowledged

    def find(self, message_id: int) -> Json:
        return self.messages.get(message_id) or self.replies[message_id]

    def apply(self, event: Json) -> None:
        """Update the copy from one event, as a client would."""
        kind, data = event["type"], event["data"]
        if kind in ("message.created", "message.updated"):
            message = data["message"]
            home = self.messages if message["thread_root_id"] is None else self.replies
            home[message["id"]] = message
            if kind == "message.created":
                if message["thread_root_id"] is None:
                    # Posting reads everything up to one's own message.
                    self._advance(message["sender_id"], message["id"])
                if message["ack_required"]:
                    self.acks[message["id"]] = set()
        elif kind == "message.deleted":
            message = self.find(data["message_id"])
            message.update(text="", html="", deleted=True, reactions={}, pinned=False,
                           file_ids=[], files=[], mentions=copy.deepcopy(NO_MENTIONS))
            self.acks.pop(data["message_id"], None)
        elif kind == "reaction.added":
            reactions = self.find(data["message_id"])["reactions"]
            reactions.setdefault(data["emoji"], []).append(data["user_id"])
        elif kind == "reaction.removed":
            reactions = self.find(data["message_id"])["reactions"]
            reactions[data["emoji"]].remove(data["user_id"])
            if not reactions[data["emoji"]]:
                del reactions[data["emoji"]]
        elif kind == "message.pinned":
            self.find(data["message_id"])["pinned"] = data["pinned"]
        elif kind == "channel.read":
            self._advance(data["user_id"], data["last_read_id"])
        elif kind == "message.acknowledged":
            self.acks[data["message_id"]].add(data["user_id"])
            self._advance(data["user_id"], data["message_id"])  # acknowledging reads
        elif kind == "channel.member_added":
            # Newcomers start with everything so far counted as read.
            for user_id in data["user_ids"]:
                self.read_markers[user_id] = max(self.messages, default=0)
            self.channel["member_count"] = len(self.read_markers)
        elif kind == "channel.member_removed":
            for user_id in data["user_ids"]:
                self.read_markers.pop(user_id, None)
            self.channel["member_count"] = len(self.read_markers)
        elif kind == "channel.updated":
            self.channel = data["channel"]
        else:
            raise AssertionError(f"unexpected event {event}")
        if kind in ("message.created", "message.deleted") or (
                kind == "message.updated" and data["message"]["thread_root_id"] is None):
            live = [i for i in self.messages]
            self.channel["last_message_id"] = max(live, default=None)

    def _advance(self, user_id: int, message_id: int) -> None:
        self.read_markers[user_id] = max(self.read_markers.get(user_id, 0), message_id)


async def _get(person: Person, url: str, **params: Any) -> Any:
    response = await person.api.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def fetch_state(person: Person, channel_id: int) -> ChannelState:
    """A fresh copy of the channel, from the HTTP API only."""
    channel = await _get(person, f"{API}/channels/{channel_id}")
    page = await _get(person, f"{API}/channels/{channel_id}/messages", limit=200)
    messages = {m["id"]: m for m in page["items"]}
    replies: dict[int, Json] = {}
    for root in messages.values():
        if root["reply_count"]:
            thread = await _get(person, f"{API}/messages/{root['id']}/thread")
            assert thread["root"] == root
            replies.update((r["id"], r) for r in thread["replies"])
    members = await _get(person, f"{API}/channels/{channel_id}/members")
    acks = {}
    for message in [*messages.values(), *replies.values()]:
        if message["ack_required"] and not message["deleted"]:
            status = await _get(person, f"{API}/messages/{message['id']}/acks")
            acks[message["id"]] = set(status["acknowledged"])
    pins = await _get(person, f"{API}/channels/{channel_id}/pins")
    assert {p["id"] for p in pins} == {m["id"] for m in messages.values() if m["pinned"]}
    return ChannelState(channel, messages, replies,
                        {m["user_id"]: m["last_read_id"] for m in members["items"]}, acks)


@dataclass
class Client:
    """One person's open client: a socket and the copy of a channel it maintains."""

    person: Person
    socket: Socket
    channel_id: int
    state: ChannelState
    taken: int = 0

    @classmethod
    async def start(cls, live_server: str, person: Person, channel_id: int) -> Client:
        socket = await Socket.open(live_server, person.token)
        return cls(person, socket, channel_id, await fetch_state(person, channel_id))

    async def take(self, count: int, timeout: float = 5) -> list[Json]:
        """The next `count` logged events this socket receives."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.socket.events) < self.taken + count:
            remaining = deadline - asyncio.get_running_loop().time()
            assert remaining > 0, (f"{self.person.username} expected {count} events, got "
                                   f"{self.socket.events[self.taken:]}")
            await self.socket.next_frame(remaining)
        events = self.socket.events[self.taken:self.taken + count]
        self.taken += count
        return events


async def verify_action(clients: list[Client], action: Awaitable[httpx.Response],
                        *expected: str) -> list[Json]:
    """Do `action`; each client must receive exactly the `expected` event types, and its
    copy, with those events applied, must equal a fresh fetch."""
    response = await action
    assert response.status_code < 300, response.text
    received: list[Json] = []
    for client in clients:
        events = await client.take(len(expected))
        assert [e["type"] for e in events] == list(expected), events
        assert all(e["channel_id"] == client.channel_id for e in events), events
        ids = [e["id"] for e in events]
        assert ids == sorted(set(ids))
        for event in events:
            client.state.apply(event)
        assert client.state == await fetch_state(client.person, client.channel_id), \
            client.person.username
        received = events
    if not expected:
        # Nothing happened, so nothing may arrive (a stray event fails the next step too).
        for client in clients:
            late = [f for f in await client.socket.quiet(0.2) if "id" in f]
            assert late == [], late
            client.taken = len(client.socket.events)
    return received


def channel_frames(socket: Socket, channel_id: int) -> list[Json]:
    return [f for f in [*socket.events, *socket.other] if f.get("channel_id") == channel_id]


async def create_channel(person: Person, name: str, *members: Person,
                         kind: str = "private") -> int:
    response = await person.api.post(f"{API}/channels", json={
        "name": name, "kind": kind, "member_ids": [m.id for m in members]})
    assert response.status_code == 201, response.text
    channel_id: int = response.json()["id"]
    return channel_id


def emoji_url(message_id: int, emoji: str) -> str:
    return f"{API}/messages/{message_id}/reactions/{quote(emoji, safe='')}"


# --- verify_action -----------------------------------------------------------------------

async def test_every_message_event_keeps_a_client_in_step(cast: Cast, live_server: str) -> None:
    zhang, lina, liu = cast.zhangwei, cast.lina, cast.liuyang
    channel_id = await create_channel(zhang, "方案评审", lina, liu)
    messages_url = f"{API}/channels/{channel_id}/messages"
    clients = [await Client.start(live_server, lina, channel_id),
               await Client.start(live_server, zhang, channel_id)]
    outsiders = [await Socket.open(live_server, p.token)
                 for p in (cast.wangfang, cast.linxiaoyan, cast.alex)]
    try:
        async def verify(action: Awaitable[httpx.Response], *expected: str) -> list[Json]:
            return await verify_action(clients, action, *expected)

        first = (await verify(zhang.api.post(messages_url, json={"text": "第一版方案"}),
                              "message.created"))[0]["data"]["message"]
        second = (await verify(lina.api.post(messages_url, json={"text": "@zhangwei 看过了"}),
                               "message.created"))[0]["data"]["message"]
        assert second["mentions"]["user_ids"] == [zhang.id]
        await verify(zhang.api.patch(f"{API}/messages/{first['id']}",
                                     json={"text": "第二版方案 **已更新**"}), "message.updated")
        await verify(liu.api.put(emoji_url(first["id"], "👍")), "reaction.added")
        await verify(lina.api.put(emoji_url(first["id"], "+1")), "reaction.added")
        await verify(lina.api.put(emoji_url(first["id"], "+1")))
        # "+1" is 👍's shortcode: lina's 👍 is there already.
        await verify(lina.api.put(emoji_url(first["id"], "👍")))
        await verify(liu.api.delete(emoji_url(first["id"], "👍")), "reaction.removed")
        await verify(liu.api.delete(emoji_url(first["id"], "👍")))
        await verify(zhang.api.put(f"{API}/messages/{first['id']}/pin"), "message.pinned")
        await verify(zhang.api.put(f"{API}/messages/{first['id']}/pin"))
        reply = (await verify(
            liu.api.post(messages_url, json={"text": "细节见附件", "thread_root_id": first["id"]}),
            "message.created", "message.updated"))[0]["data"]["message"]
        await verify(liu.api.patch(f"{API}/messages/{reply['id']}", json={"text": "细节见邮件"}),
                     "message.updated")
        await verify(liu.api.put(emoji_url(reply["id"], "🎉")), "reaction.added")
        await verify(liu.api.post(f"{API}/channels/{channel_id}/read",
                                  json={"message_id": second["id"]}), "channel.read")
        # Reading what one has read already changes nothing.
        await verify(liu.api.post(f"{API}/channels/{channel_id}/read",
                                  json={"message_id": first["id"]}))
        notice = (await verify(
            zhang.api.post(messages_url, json={"text": "周五前请确认", "ack_required": True}),
            "message.created"))[0]["data"]["message"]
        await verify(liu.api.post(f"{API}/messages/{notice['id']}/ack"), "message.acknowledged")
        await verify(lina.api.post(f"{API}/messages/{notice['id']}/ack"),
                     "message.acknowledged")
        await verify(lina.api.post(f"{API}/messages/{notice['id']}/ack"))
        await verify(zhang.api.delete(f"{API}/messages/{reply['id']}"), "message.deleted")
        await verify(lina.api.delete(f"{API}/messages/{second['id']}"), "message.deleted")
        await verify(zhang.api.delete(f"{API}/messages/{first['id']}"), "message.deleted")
        await verify(zhang.api.patch(f"{API}/channels/{channel_id}",
                                     json={"topic": "Q3 方案"}), "channel.updated")
        await verify(zhang.api.post(f"{API}/channels/{channel_id}/members",
                                    json={"user_ids": [cast.zhoujianguo.id]}),
                     "channel.member_added")
        await verify(zhang.api.delete(f"{API}/channels/{channel_id}/members/{liu.id}"),
                     "channel.member_removed")
        last = await verify(zhang.api.post(messages_url, json={"text": "收尾"}),
                            "message.created")
        assert last[0]["data"]["message"]["text"] == "收尾"

        # Both clients saw the same events, in the same order.
        assert [e["id"] for e in clients[0].socket.events] == \
            [e["id"] for e in clients[1].socket.events]
        for outsider in outsiders:
            await outsider.quiet(0.2)
            assert channel_frames(outsider, channel_id) == []
    finally:
        for client in clients:
            await client.socket.close()
        for outsider in outsiders:
            await outsider.close()


async def test_event_payloads_say_what_changed(cast: Cast, live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "字段", cast.lina)
    socket = await Socket.open(live_server, cast.lina.token)
    try:
        sent = await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/messages",
                                            json={"text": "**加粗**", "client_msg_id": "c-1"})
        mid = sent.json()["id"]
        created = await socket.wait_for("message.created")
        assert created["channel_id"] == channel_id
        assert created["data"]["message"] == sent.json()
        await cast.lina.api.put(emoji_url(mid, "👍"))
        added = await socket.wait_for("reaction.added")
        assert added["data"] == {"message_id": mid, "emoji": "👍", "user_id": cast.lina.id}
        await cast.lina.api.delete(emoji_url(mid, "👍"))
        removed = await socket.wait_for("reaction.removed")
        assert removed["data"] == {"message_id": mid, "emoji": "👍", "user_id": cast.lina.id}
        await cast.lina.api.post(f"{API}/channels/{channel_id}/read", json={"message_id": mid})
        read = await socket.wait_for("channel.read")
        assert read["data"] == {"user_id": cast.lina.id, "last_read_id": mid}
        await cast.lina.api.put(f"{API}/messages/{mid}/pin")
        pinned = await socket.wait_for("message.pinned")
        assert pinned["data"] == {"message_id": mid, "pinned": True, "user_id": cast.lina.id}
        await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/members",
                                     json={"user_ids": [cast.wangfang.id]})
        joined = await socket.wait_for("channel.member_added")
        channel = (await cast.lina.api.get(f"{API}/channels/{channel_id}")).json()
        assert joined["data"] == {"user_ids": [cast.wangfang.id], "channel": channel,
                                  "added_by": cast.zhangwei.id}
        await cast.zhangwei.api.delete(f"{API}/messages/{mid}")
        deleted = await socket.wait_for("message.deleted")
        assert deleted["data"] == {"message_id": mid, "thread_root_id": None}
        ids = [e["id"] for e in socket.events]
        assert ids == sorted(set(ids))
    finally:
        await socket.close()


# --- who receives ------------------------------------------------------------------------

async def test_channel_events_reach_members_only(cast: Cast, live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "小圈子", cast.lina)
    dm = await cast.zhangwei.api.post(f"{API}/dms", json={"user_ids": [cast.wangfang.id]})
    dm_id: int = dm.json()["id"]
    public_id = await create_channel(cast.zhangwei, "公开", kind="public")
    sockets = {p.username: await Socket.open(live_server, p.token)
               for p in (cast.lina, cast.wangfang, cast.liuyang, cast.alex, cast.linxiaoyan)}
    try:
        for target in (channel_id, dm_id, public_id):
            sent = await cast.zhangwei.api.post(f"{API}/channels/{target}/messages",
                                                json={"text": "只给成员"})
            assert sent.status_code == 201
            await cast.zhangwei.api.put(emoji_url(sent.json()["id"], "👍"))
        await sockets["lina"].wait_for("reaction.added")
        await sockets["wangfang"].wait_for("reaction.added")
        for socket in sockets.values():
            await socket.quiet(0.3)
        assert {f["channel_id"] for f in sockets["lina"].events} == {channel_id}
        assert {f["channel_id"] for f in sockets["wangfang"].events} == {dm_id}
        # A public channel one has not joined is readable over HTTP, but not pushed.
        for name in ("liuyang", "alex", "linxiaoyan"):
            assert sockets[name].events == [], name
    finally:
        for socket in sockets.values():
            await socket.close()


async def test_removed_member_receives_nothing_more(cast: Cast, live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "项目群", cast.lina, cast.wangfang)
    url = f"{API}/channels/{channel_id}/messages"
    lina = await Socket.open(live_server, cast.lina.token)
    wangfang = await Socket.open(live_server, cast.wangfang.token)
    reconnected: Socket | None = None
    try:
        before = await cast.zhangwei.api.post(url, json={"text": "王芳还在"})
        await wangfang.wait_for("message.created")
        removed = await cast.zhangwei.api.delete(
            f"{API}/channels/{channel_id}/members/{cast.wangfang.id}")
        assert removed.status_code == 204
        for socket in (lina, wangfang):
            frame = await socket.wait_for("channel.member_removed")
            assert frame["data"] == {"user_ids": [cast.wangfang.id]}
        cutoff = len(wangfang.events) + len(wangfang.other)
        removal_id = wangfang.events[-1]["id"]

        after = await cast.zhangwei.api.post(url, json={"text": "王芳看不到这条"})
        mid = after.json()["id"]
        await cast.zhangwei.api.put(emoji_url(before.json()["id"], "👀"))
        await cast.zhangwei.api.patch(f"{API}/messages/{mid}", json={"text": "也看不到这次编辑"})
        await cast.zhangwei.api.put(f"{API}/messages/{mid}/pin")
        await cast.zhangwei.api.patch(f"{API}/channels/{channel_id}", json={"topic": "机密"})
        await lina.send({"type": "typing", "channel_id": channel_id})
        await lina.wait_for("channel.updated")
        later = await wangfang.quiet(0.5)
        assert [f for f in later if f.get("channel_id") == channel_id] == []
        assert len(wangfang.events) + len(wangfang.other) == cutoff + len(later)
        # She cannot type into it either.
        await wangfang.send({"type": "typing", "channel_id": channel_id})
        await wangfang.wait_for("error", code="bad_channel")

        # Reconnecting from before the removal replays nothing she may no longer see.
        await wangfang.close()
        reconnected = await Socket.open(live_server, cast.wangfang.token,
                                        last_event_id=removal_id)
        assert [f for f in await reconnected.quiet(0.5)
                if f.get("channel_id") == channel_id] == []
    finally:
        await lina.close()
        await wangfang.close()
        if reconnected is not None:
            await reconnected.close()


async def test_added_member_starts_receiving_at_once(cast: Cast, live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "新成员", cast.lina)
    newcomer = await Socket.open(live_server, cast.liuyang.token)
    try:
        await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/messages",
                                     json={"text": "加人之前"})
        added = await cast.lina.api.post(f"{API}/channels/{channel_id}/members",
                                         json={"user_ids": [cast.liuyang.id]})
        assert added.status_code == 200
        joined = await newcomer.wait_for("channel.member_added")
        assert joined["channel_id"] == channel_id
        await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/messages",
                                     json={"text": "欢迎刘洋"})
        created = await newcomer.wait_for("message.created")
        assert created["data"]["message"]["text"] == "欢迎刘洋"
        assert [e["type"] for e in newcomer.events] == ["channel.member_added",
                                                        "message.created"]
    finally:
        await newcomer.close()


async def _joined_then_message(socket: Socket, channel_id: int, text: str) -> Json:
    """The socket is told it joined `channel_id` (with the conversation) before the message."""
    joined = await socket.wait_for("channel.member_added")
    assert joined["channel_id"] == channel_id
    assert joined["data"]["channel"]["id"] == channel_id
    created = await socket.wait_for("message.created")
    assert created["data"]["message"]["text"] == text
    assert created["id"] > joined["id"]
    return joined


async def test_a_new_dm_is_live_for_both_people_at_once(cast: Cast, live_server: str) -> None:
    zhang, lina = cast.zhangwei, cast.lina
    sockets = [await Socket.open(live_server, p.token) for p in (zhang, lina)]
    try:
        opened = await zhang.api.post(f"{API}/dms", json={"user_ids": [lina.id]})
        assert opened.status_code == 201, opened.text
        dm_id = opened.json()["id"]
        await zhang.api.post(f"{API}/channels/{dm_id}/messages", json={"text": "在吗？"})
        for socket in sockets:
            joined = await _joined_then_message(socket, dm_id, "在吗？")
            assert sorted(joined["data"]["user_ids"]) == sorted([zhang.id, lina.id])
            assert joined["data"]["channel"]["kind"] == "dm"
        # Opening it again finds the same conversation and announces nothing new.
        again = await lina.api.post(f"{API}/dms", json={"user_ids": [zhang.id]})
        assert again.status_code == 200
        assert again.json()["id"] == dm_id
        assert [e["type"] for e in await sockets[0].quiet()] == []
    finally:
        for socket in sockets:
            await socket.close()


async def test_a_group_dm_is_live_for_everyone_in_it(cast: Cast, live_server: str) -> None:
    people = (cast.zhangwei, cast.lina, cast.wangfang)
    outsider = await Socket.open(live_server, cast.liuyang.token)
    sockets = [await Socket.open(live_server, p.token) for p in people]
    try:
        opened = await cast.lina.api.post(f"{API}/dms", json={
            "user_ids": [cast.zhangwei.id, cast.wangfang.id]})
        group_id = opened.json()["id"]
        await cast.wangfang.api.post(f"{API}/channels/{group_id}/messages",
                                     json={"text": "三方会议"})
        for socket in sockets:
            await _joined_then_message(socket, group_id, "三方会议")
        assert await outsider.quiet() == []
    finally:
        for socket in [outsider, *sockets]:
            await socket.close()


async def test_a_new_channel_is_live_for_its_creator_and_members(cast: Cast,
                                                                 live_server: str) -> None:
    creator, member = cast.zhangwei, cast.lina
    sockets = [await Socket.open(live_server, p.token) for p in (creator, member)]
    try:
        channel_id = await create_channel(creator, "新项目组", member)
        await member.api.post(f"{API}/channels/{channel_id}/messages", json={"text": "开工"})
        for socket in sockets:
            joined = await _joined_then_message(socket, channel_id, "开工")
            assert joined["data"]["channel"]["name"] == "新项目组"
            assert sorted(joined["data"]["user_ids"]) == sorted([creator.id, member.id])
    finally:
        for socket in sockets:
            await socket.close()


async def test_moving_into_a_department_makes_its_channel_live(cast: Cast,
                                                               live_server: str) -> None:
    admin, mover = cast.linxiaoyan, cast.wangfang
    rnd = cast.departments["研发部"]
    made = await admin.api.post(f"{API}/channels", json={
        "name": "研发部全员", "kind": "department", "department_id": rnd})
    channel_id = made.json()["id"]
    socket = await Socket.open(live_server, mover.token)
    try:
        moved = await admin.api.put(f"{API}/departments/{rnd}/members", json={
            "user_ids": [cast.lina.id, mover.id]})
        assert moved.status_code in (200, 204), moved.text
        await cast.lina.api.post(f"{API}/channels/{channel_id}/messages",
                                 json={"text": "欢迎王芳"})
        joined = await _joined_then_message(socket, channel_id, "欢迎王芳")
        assert joined["data"]["user_ids"] == [mover.id]
    finally:
        await socket.close()


# --- typing and presence -----------------------------------------------------------------

async def test_typing_reaches_the_other_members_only(cast: Cast, live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "打字", cast.lina, cast.wangfang)
    sockets = {p.username: await Socket.open(live_server, p.token)
               for p in (cast.zhangwei, cast.lina, cast.wangfang, cast.liuyang)}
    try:
        await sockets["lina"].send({"type": "typing", "channel_id": channel_id})
        for name in ("zhangwei", "wangfang"):
            frame = await sockets[name].wait_for("typing")
            assert frame["channel_id"] == channel_id
            assert frame["data"]["user_id"] == cast.lina.id
            assert "id" not in frame  # ephemeral: never logged, never replayed
        # An outsider can neither send typing into the channel nor see it.
        await sockets["liuyang"].send({"type": "typing", "channel_id": channel_id})
        await sockets["liuyang"].wait_for("error", code="bad_channel")
        for name in ("lina", "liuyang"):
            got = await sockets[name].quiet(0.3)
            assert [f for f in got if f["type"] == "typing"] == [], name
        assert [f for f in sockets["zhangwei"].other if f["type"] == "typing"] == [
            {"type": "typing", "channel_id": channel_id, "data": {"user_id": cast.lina.id}}]
    finally:
        for socket in sockets.values():
            await socket.close()


async def test_presence_of_watched_people(cast: Cast, live_server: str, backend: Backend,
                                          caplog: pytest.LogCaptureFixture) -> None:
    watcher = await Socket.open(live_server, cast.zhangwei.token)
    lina: Socket | None = None
    try:
        await watcher.send({"type": "watch_presence",
                            "user_ids": [cast.lina.id, cast.wangfang.id]})
        assert (await watcher.wait_for("presence", user_id=cast.lina.id))["data"]["status"] == \
            "offline"
        assert (await watcher.wait_for("presence", user_id=cast.wangfang.id)
                )["data"]["status"] == "offline"
        watcher.other.clear()

        lina = await Socket.open(live_server, cast.lina.token)
        online = await watcher.wait_for("presence", user_id=cast.lina.id)
        assert online["data"]["status"] == "online"
        status = await cast.zhangwei.api.get(f"{API}/presence",
                                             params={"user_ids": f"{cast.lina.id}"})
        assert status.json()["statuses"] == {str(cast.lina.id): "online"}
        # Someone not watched comes and goes unannounced.
        other = await Socket.open(live_server, cast.liuyang.token)
        await other.close()

        await lina.send({"type": "presence", "status": "away"})
        away = await watcher.wait_for("presence", user_id=cast.lina.id, status="away")
        assert away["data"] == {"user_id": cast.lina.id, "status": "away"}
        await lina.close()
        gone = await watcher.wait_for("presence", user_id=cast.lina.id, status="offline")
        assert gone["data"] == {"user_id": cast.lina.id, "status": "offline"}
        await watcher.quiet(0.3)
        assert [f["data"] for f in watcher.other if f["type"] == "presence"] == [
            {"user_id": cast.lina.id, "status": s} for s in ("online", "away", "offline")]
        watcher.other.clear()

        # Redis forgetting every key (a restart without persistence) loses no change.
        await backend.forget_redis_keys()
        lina = await Socket.open(live_server, cast.lina.token)
        again = await watcher.wait_for("presence", user_id=cast.lina.id, status="online")
        assert again["data"] == {"user_id": cast.lina.id, "status": "online"}
        await lina.close()
        await watcher.wait_for("presence", user_id=cast.lina.id, status="offline")
        watcher.other.clear()

        # Watching nobody stops the updates.
        await watcher.send({"type": "watch_presence", "user_ids": []})
        await watcher.quiet(0.2)
        watcher.other.clear()
        lina = await Socket.open(live_server, cast.lina.token)
        assert [f for f in await watcher.quiet(0.4) if f["type"] == "presence"] == []
        # Nothing above went wrong quietly (watching nobody once made Redis refuse a lookup).
        assert "presence lookup failed" not in caplog.text
    finally:
        await watcher.close()
        if lina is not None:
            await lina.close()


async def test_events_written_elsewhere_are_not_skipped_by_local_delivery(
        cast: Cast, live_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A node delivers its own commits without reading them back, but only while they
    continue its cursor. An event another process wrote just before (here: straight into
    the log, announcing nothing) must still arrive, first, and without waiting for the
    poll (made 30 s here, so a pass cannot come from it)."""
    monkeypatch.setattr(hub, "POLL_SECONDS", 30.0)
    channel_id = await create_channel(cast.zhangwei, "别的进程", cast.lina)
    channel = (await cast.zhangwei.api.get(f"{API}/channels/{channel_id}")).json()
    written = {"channel": {**channel, "topic": "written by another process"}}
    socket = await Socket.open(live_server, cast.lina.token)
    await asyncio.sleep(1.1)  # the tailer's current wait (of the old second) runs out
    try:
        async with cast.runtime.engine.begin() as connection:
            await connection.execute(insert(EventRecord).values(
                type="channel.updated", scope_kind="channel", scope_id=channel_id,
                personal=False, data=json.dumps(written)))
        started = time.monotonic()
        sent = await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/messages",
                                            json={"text": "紧随其后"})
        assert sent.status_code == 201
        created = await socket.wait_for("message.created")
        assert time.monotonic() - started < 5
        assert [e["type"] for e in socket.events] == ["channel.updated", "message.created"]
        assert socket.events[0]["data"] == written
        assert socket.events[0]["id"] < created["id"]
    finally:
        await socket.close()
