"""Organisation events over the live WebSocket, in the spirit of Zulip's `verify_action`: a
client keeps a copy of the directory (the department tree, each department's members and
the people) built from one fetch plus the events it receives; after every change an admin
makes, that copy must equal a fresh fetch. Guests, who may not browse the org chart, get
none of it, and only the people they may see."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.helpers import Cast, Person
from tests.realtime.wsclient import Socket

API = "/api/v1"
Json = dict[str, Any]


@dataclass
class Directory:
    """What a directory page knows: departments (without their member counts, which it
    reloads), who is directly in each, and the people."""

    departments: dict[int, Json]
    members: dict[int, set[int]]
    people: dict[int, Json]

    def apply(self, event: Json) -> None:
        kind, data = event["type"], event["data"]
        if kind in ("department.created", "department.updated"):
            department = data["department"]
            self.departments[department["id"]] = _department(department)
            self.members.setdefault(department["id"], set())
        elif kind == "department.deleted":
            del self.departments[data["department_id"]]
            del self.members[data["department_id"]]
        elif kind == "department.members_changed":
            members = self.members[data["department_id"]]
            members |= set(data["added"])
            members -= set(data["removed"])
            for user_id in [*data["added"], *data["removed"]]:
                self.people.pop(user_id, None)  # their department list: reloaded below
        elif kind in ("user.created", "user.updated"):
            self.people[data["user"]["id"]] = data["user"]
        else:
            raise AssertionError(f"unexpected event {event}")


def _department(node: Json) -> Json:
    return {k: node[k] for k in ("id", "name", "parent_id", "position", "manager_ids")}


async def _get(person: Person, url: str, **params: Any) -> Any:
    response = await person.api.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def fetch_directory(person: Person) -> Directory:
    flat: dict[int, Json] = {}
    pending = (await _get(person, f"{API}/departments"))["items"]
    while pending:
        node = pending.pop()
        flat[node["id"]] = _department(node)
        pending.extend(node["children"])
    members = {d: set((await _get(person, f"{API}/departments/{d}/members"))["user_ids"])
               for d in flat}
    people: dict[int, Json] = {}
    cursor = None
    while True:
        page = await _get(person, f"{API}/users", limit=100, include_inactive="true",
                          **({"cursor": cursor} if cursor else {}))
        people.update({u["id"]: u for u in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            return Directory(flat, members, people)


def _others_dropped(socket: Socket) -> None:
    """Leave out what other domains say of the same changes (a department's documents space,
    made and renamed with it): the directory follows the organisation's events."""
    socket.events[:] = [e for e in socket.events if e["type"].startswith(("department.", "user."))]


async def take(socket: Socket, count: int, timeout: float = 5) -> list[Json]:
    deadline = asyncio.get_running_loop().time() + timeout
    _others_dropped(socket)
    while len(socket.events) < count:
        remaining = deadline - asyncio.get_running_loop().time()
        assert remaining > 0, f"expected {count} events, got {socket.events}"
        await socket.next_frame(remaining)
        _others_dropped(socket)
    taken = socket.events[:count]
    del socket.events[:count]
    return taken


async def test_every_org_change_keeps_an_open_directory_in_step(cast: Cast,
                                                                 live_server: str) -> None:
    admin = cast.linxiaoyan  # admins see deactivated people too: the copy keeps them
    copy = await fetch_directory(admin)
    socket = await Socket.open(live_server, admin.token)
    member = await Socket.open(live_server, cast.lina.token)
    guest = await Socket.open(live_server, cast.alex.token)

    async def verify(action: Awaitable[httpx.Response], *expected: str) -> list[Json]:
        response = await action
        assert response.status_code < 300, response.text
        events = await take(socket, len(expected))
        assert [e["type"] for e in events] == list(expected), events
        for event in events:
            assert event["scope"].split(":")[0] in ("department", "user"), event
            assert event["channel_id"] is None
            copy.apply(event)
        fresh = await fetch_directory(admin)
        for user_id in set(fresh.people) - set(copy.people):
            copy.people[user_id] = fresh.people[user_id]  # reloaded after a membership change
        assert copy == fresh
        # A member's directory follows the same events, in the same order.
        assert [e["id"] for e in await take(member, len(expected))] == [e["id"] for e in events]
        return events

    try:
        sales = cast.departments["销售部"]
        created = await verify(admin.api.post(f"{API}/departments", json={
            "name": "大客户部", "parent_id": sales, "manager_ids": [cast.zhangwei.id]}),
            "department.created")
        key_accounts = created[0]["data"]["department"]["id"]
        assert created[0]["scope"] == f"department:{key_accounts}"
        assert created[0]["data"]["department"]["path"] == ["销售部", "大客户部"]
        await verify(admin.api.patch(f"{API}/departments/{key_accounts}",
                                     json={"name": "重点客户部"}), "department.updated")
        await verify(admin.api.patch(f"{API}/departments/{key_accounts}",
                                     json={"parent_id": None}), "department.updated")
        # Changing nothing announces nothing.
        await verify(admin.api.patch(f"{API}/departments/{key_accounts}",
                                     json={"name": "重点客户部"}))
        await verify(admin.api.put(f"{API}/departments/{key_accounts}/members",
                                   json={"user_ids": [cast.wangfang.id, cast.liuyang.id]}),
                     "department.members_changed")
        await verify(admin.api.put(f"{API}/departments/{key_accounts}/members",
                                   json={"user_ids": [cast.wangfang.id]}),
                     "department.members_changed")
        newcomer = (await verify(admin.api.post(f"{API}/users", json={
            "username": "chenjing", "display_name": "陈静", "password": "correct-horse-42",
            "department_ids": [key_accounts]}),
            "department.members_changed", "user.created"))[1]["data"]["user"]
        updated = await verify(cast.wangfang.api.patch(f"{API}/users/{cast.wangfang.id}",
                                                       json={"title": "大客户经理"}),
                               "user.updated")
        assert updated[0]["data"]["changed"] == ["title"]
        assert updated[0]["scope"] == f"user:{cast.wangfang.id}"
        moved = await verify(admin.api.patch(f"{API}/users/{newcomer['id']}", json={
            "department_ids": [sales]}),
            "department.members_changed", "department.members_changed", "user.updated")
        assert moved[2]["data"]["changed"] == ["department_ids", "primary_department_id"]
        deactivated = await verify(admin.api.patch(f"{API}/users/{newcomer['id']}",
                                                   json={"active": False}), "user.updated")
        assert deactivated[0]["data"]["changed"] == ["active"]
        assert deactivated[0]["data"]["user"]["active"] is False
        await verify(admin.api.put(f"{API}/departments/{key_accounts}/members",
                                   json={"user_ids": []}), "department.members_changed")
        await verify(admin.api.delete(f"{API}/departments/{key_accounts}"),
                     "department.deleted")

        # The guest shares no channel with anyone involved: no org chart, no people.
        assert [e for e in await guest.quiet(0.3) if "id" in e] == []
    finally:
        for open_socket in (socket, member, guest):
            await open_socket.close()


async def test_a_guest_sees_changes_of_the_people_they_may_see_and_becomes_a_member_live(
        cast: Cast, live_server: str) -> None:
    admin, alex = cast.linxiaoyan, cast.alex
    shared = await cast.zhangwei.api.post(f"{API}/channels", json={
        "name": "外部合作", "kind": "private", "member_ids": [alex.id]})
    assert shared.status_code == 201, shared.text
    guest = await Socket.open(live_server, alex.token)
    try:
        # 张伟 shares a channel with the guest; 李娜 does not.
        for person, title in ((cast.lina, "首席架构师"), (cast.zhangwei, "销售副总裁")):
            changed = await person.api.patch(f"{API}/users/{person.id}", json={"title": title})
            assert changed.status_code == 200, changed.text
        seen = await guest.wait_for("user.updated")
        assert seen["data"]["user"]["id"] == cast.zhangwei.id
        assert [e["data"]["user"]["id"] for e in guest.events
                if e["type"] == "user.updated"] == [cast.zhangwei.id]
        created = await admin.api.post(f"{API}/departments", json={"name": "外包组"})
        assert created.status_code == 201
        assert [e for e in await guest.quiet(0.3) if e["type"].startswith("department.")] == []

        # Made a member, the same open socket now follows the org chart and everyone.
        promoted = await admin.api.patch(f"{API}/users/{alex.id}", json={"role": "member"})
        assert promoted.status_code == 200, promoted.text
        await guest.wait_for("user.updated", changed=["role"])
        renamed = await admin.api.patch(f"{API}/departments/{created.json()['id']}",
                                        json={"name": "外协组"})
        assert renamed.status_code == 200
        await guest.wait_for("department.updated")
        guest.events.clear()
        retitled = await cast.lina.api.patch(f"{API}/users/{cast.lina.id}",
                                             json={"title": "研发总监"})
        assert retitled.status_code == 200
        now_seen = await guest.wait_for("user.updated", changed=["title"])
        assert now_seen["data"]["user"]["id"] == cast.lina.id
    finally:
        await guest.close()


async def test_a_resumed_socket_replays_org_events_by_scope(cast: Cast, live_server: str) -> None:
    """Replay asks the same question as live delivery: a member resuming gets the org
    events it missed; a guest resuming from the same position gets none of the chart."""
    admin = cast.linxiaoyan
    position = await cast.runtime.realtime.last_event_id()
    created = await admin.api.post(f"{API}/departments", json={"name": "法务部"})
    assert created.status_code == 201
    member = await Socket.open(live_server, cast.lina.token, last_event_id=position)
    guest = await Socket.open(live_server, cast.alex.token, last_event_id=position)
    try:
        replayed = await member.wait_for("department.created")
        assert replayed["data"]["department"]["name"] == "法务部"
        assert [e for e in await guest.quiet(0.3) if "id" in e] == []
    finally:
        await member.close()
        await guest.close()
