"""Nobody sees what they should not: private channels and DMs answer outsiders exactly as
if they did not exist, guests see only what they were invited to, and nobody edits
another person's words. (Events to sockets are checked in tests/realtime/test_events.py.)"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.helpers import Cast, Person, create_channel, error_code, post

API = "/api/v1"
SECRET = "收购价：每股 18.5 元"
THREAD_SECRET = "尽调报告下周到"
CHANNEL_NAME = "并购绝密"
THUMBS_UP = quote("👍", safe="")


async def every_route(api: httpx.AsyncClient, channel_id: int, message_id: int,
                      user_id: int) -> dict[str, httpx.Response]:
    """Every messaging endpoint that names this channel or message, as `api` calls it."""
    channel = f"{API}/channels/{channel_id}"
    message = f"{API}/messages/{message_id}"
    calls: dict[str, httpx.Response] = {
        "get channel": await api.get(channel),
        "history": await api.get(f"{channel}/messages"),
        "history around": await api.get(f"{channel}/messages", params={"around": message_id}),
        "members": await api.get(f"{channel}/members"),
        "pins": await api.get(f"{channel}/pins"),
        "post": await api.post(f"{channel}/messages", json={"text": "我能发吗"}),
        "read": await api.post(f"{channel}/read", json={"message_id": message_id}),
        "join": await api.post(f"{channel}/join"),
        "add members": await api.post(f"{channel}/members", json={"user_ids": [user_id]}),
        "rename": await api.patch(channel, json={"name": "改名"}),
        "leave": await api.post(f"{channel}/leave"),
        "remove": await api.delete(f"{channel}/members/{user_id}"),
        "get message": await api.get(message),
        "thread": await api.get(f"{message}/thread"),
        "edit history": await api.get(f"{message}/history"),
        "receipts": await api.get(f"{message}/receipts"),
        "acks": await api.get(f"{message}/acks"),
        "ack": await api.post(f"{message}/ack"),
        "remind": await api.post(f"{message}/remind"),
        "react": await api.put(f"{message}/reactions/{THUMBS_UP}"),
        "unreact": await api.delete(f"{message}/reactions/{THUMBS_UP}"),
        "pin": await api.put(f"{message}/pin"),
        "unpin": await api.delete(f"{message}/pin"),
        "edit": await api.patch(message, json={"text": "改"}),
        "delete": await api.delete(message),
    }
    return calls


def assert_hidden(calls: dict[str, httpx.Response], *secrets: str) -> None:
    for name, response in calls.items():
        assert response.status_code == 404, (name, response.status_code, response.text)
        assert error_code(response) == "not_found", name
        for secret in secrets:
            assert secret not in response.text, name


async def assert_untouched(member: Person, channel_id: int, message_id: int,
                           members: set[int]) -> None:
    history = (await member.api.get(f"{API}/channels/{channel_id}/messages")).json()["items"]
    assert [m["text"] for m in history] == [SECRET]
    message = history[0]
    assert message["id"] == message_id
    assert (message["reactions"], message["pinned"], message["edited_at"]) == ({}, False, None)
    assert message["reply_count"] == 1
    listed = (await member.api.get(f"{API}/channels/{channel_id}/members")).json()["items"]
    assert {m["user_id"] for m in listed} == members


async def _secret_conversation(cast: Cast, channel_id: int) -> int:
    root = await post(cast.zhangwei, channel_id, SECRET, ack_required=True)
    await post(cast.lina, channel_id, THREAD_SECRET, thread_root_id=root["id"])
    message_id: int = root["id"]
    return message_id


@pytest.mark.parametrize("outsider", ["wangfang", "linxiaoyan", "zhoujianguo", "alex"])
async def test_private_channel_is_invisible_to_outsiders(cast: Cast, outsider: str) -> None:
    channel_id = await create_channel(cast.zhangwei, CHANNEL_NAME, "private", cast.lina)
    message_id = await _secret_conversation(cast, channel_id)
    stranger = cast.people[outsider]

    calls = await every_route(stranger.api, channel_id, message_id, stranger.id)
    assert_hidden(calls, SECRET, THREAD_SECRET, CHANNEL_NAME)
    # Indistinguishable from ids that do not exist.
    missing = await every_route(stranger.api, 999_999, 999_999, stranger.id)
    assert {k: (r.status_code, r.json()) for k, r in calls.items()} == \
        {k: (r.status_code, r.json()) for k, r in missing.items()}
    await assert_untouched(cast.lina, channel_id, message_id, {cast.zhangwei.id, cast.lina.id})
    listed = (await stranger.api.get(f"{API}/channels")).json()["items"]
    assert channel_id not in {c["id"] for c in listed}


async def test_dm_is_invisible_to_everyone_else(cast: Cast) -> None:
    response = await cast.zhangwei.api.post(f"{API}/dms", json={"user_ids": [cast.lina.id]})
    assert response.status_code == 201
    dm_id: int = response.json()["id"]
    message_id = await _secret_conversation(cast, dm_id)
    for outsider in (cast.wangfang, cast.linxiaoyan, cast.zhoujianguo, cast.alex):
        calls = await every_route(outsider.api, dm_id, message_id, outsider.id)
        assert_hidden(calls, SECRET, THREAD_SECRET)
    await assert_untouched(cast.lina, dm_id, message_id, {cast.zhangwei.id, cast.lina.id})


async def test_ids_from_a_private_channel_are_no_use_elsewhere(cast: Cast) -> None:
    secret_channel = await create_channel(cast.zhangwei, CHANNEL_NAME, "private", cast.lina)
    message_id = await _secret_conversation(cast, secret_channel)
    own_channel = await create_channel(cast.wangfang, "客服日常", "private")
    url = f"{API}/channels/{own_channel}/messages"

    reply = await cast.wangfang.api.post(url, json={"text": "挂个回复",
                                                    "thread_root_id": message_id})
    nowhere = await cast.wangfang.api.post(url, json={"text": "挂个回复",
                                                      "thread_root_id": 999_999})
    assert (reply.status_code, reply.json()) == (nowhere.status_code, nowhere.json())
    assert reply.status_code == 422
    read = await cast.wangfang.api.post(f"{API}/channels/{own_channel}/read",
                                        json={"message_id": message_id})
    assert read.status_code == 422
    assert SECRET not in read.text
    # Re-using someone else's client_msg_id gives a message of one's own, never theirs.
    await post(cast.zhangwei, secret_channel, "带编号的消息", client_msg_id="shared-id-1")
    mine = await cast.wangfang.api.post(url, json={"text": "我的", "client_msg_id": "shared-id-1"})
    assert mine.status_code == 201
    assert (mine.json()["text"], mine.json()["channel_id"]) == ("我的", own_channel)
    thread = (await cast.lina.api.get(f"{API}/messages/{message_id}/thread")).json()
    assert [r["text"] for r in thread["replies"]] == [THREAD_SECRET]


async def test_removed_member_loses_access(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, CHANNEL_NAME, "private",
                                      cast.lina, cast.wangfang)
    message_id = await _secret_conversation(cast, channel_id)
    assert (await cast.wangfang.api.get(f"{API}/messages/{message_id}")).status_code == 200
    removed = await cast.zhangwei.api.delete(
        f"{API}/channels/{channel_id}/members/{cast.wangfang.id}")
    assert removed.status_code == 204
    calls = await every_route(cast.wangfang.api, channel_id, message_id, cast.wangfang.id)
    assert_hidden(calls, SECRET, THREAD_SECRET)
    await assert_untouched(cast.lina, channel_id, message_id, {cast.zhangwei.id, cast.lina.id})


async def test_public_channel_visitors_read_but_do_not_act(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "公开频道", "public", cast.lina)
    sent = await post(cast.zhangwei, channel_id, "欢迎旁听", ack_required=True)
    message = f"{API}/messages/{sent['id']}"
    history = await cast.wangfang.api.get(f"{API}/channels/{channel_id}/messages")
    assert history.status_code == 200
    assert [m["text"] for m in history.json()["items"]] == ["欢迎旁听"]
    assert (await cast.wangfang.api.get(message)).status_code == 200

    for name, response in {
        "post": await cast.wangfang.api.post(f"{API}/channels/{channel_id}/messages",
                                             json={"text": "路过"}),
        "react": await cast.wangfang.api.put(f"{message}/reactions/{THUMBS_UP}"),
        "pin": await cast.wangfang.api.put(f"{message}/pin"),
        "read": await cast.wangfang.api.post(f"{API}/channels/{channel_id}/read",
                                             json={"message_id": sent["id"]}),
        "ack": await cast.wangfang.api.post(f"{message}/ack"),
    }.items():
        assert response.status_code == 403, (name, response.text)
        assert error_code(response) == "not_a_member", name
    for name, response in {
        "rename": await cast.wangfang.api.patch(f"{API}/channels/{channel_id}",
                                                json={"name": "改名"}),
        "remove": await cast.wangfang.api.delete(
            f"{API}/channels/{channel_id}/members/{cast.lina.id}"),
        "delete": await cast.wangfang.api.delete(message),
        "edit": await cast.wangfang.api.patch(message, json={"text": "改"}),
    }.items():
        assert response.status_code == 403, (name, response.text)
    after = (await cast.lina.api.get(message)).json()
    assert (after["text"], after["reactions"], after["pinned"]) == ("欢迎旁听", {}, False)
    assert (await cast.lina.api.get(f"{API}/channels/{channel_id}")).json()["name"] == "公开频道"


async def test_guest_sees_only_channels_they_were_added_to(cast: Cast) -> None:
    closed = await create_channel(cast.zhangwei, "内部公开频道", "public", cast.lina)
    hidden = await post(cast.zhangwei, closed, "员工才能看的公开消息")
    invited = await create_channel(cast.zhangwei, "顾问对接", "public", cast.alex)
    await post(cast.zhangwei, invited, "欢迎 Alex")

    calls = await every_route(cast.alex.api, closed, hidden["id"], cast.alex.id)
    assert_hidden(calls, "员工才能看的公开消息", "内部公开频道")
    assert {c["id"] for c in (await cast.alex.api.get(f"{API}/channels")).json()["items"]} == {
        invited}

    history = await cast.alex.api.get(f"{API}/channels/{invited}/messages")
    assert history.status_code == 200
    assert [m["text"] for m in history.json()["items"]] == ["欢迎 Alex"]
    reply = await post(cast.alex, invited, "谢谢，很高兴加入")
    assert (await cast.alex.api.put(
        f"{API}/messages/{reply['id']}/reactions/{THUMBS_UP}")).status_code == 204
    # Guests do not bring in others, and cannot start conversations with strangers.
    add = await cast.alex.api.post(f"{API}/channels/{invited}/members",
                                   json={"user_ids": [cast.lina.id]})
    assert add.status_code == 403
    stranger = await cast.alex.api.post(f"{API}/dms", json={"user_ids": [cast.wangfang.id]})
    assert stranger.status_code == 404
    assert error_code(stranger) == "not_found"


async def test_guest_may_message_people_they_share_a_channel_with(cast: Cast) -> None:
    await create_channel(cast.zhangwei, "顾问对接", "private", cast.alex)
    response = await cast.alex.api.post(f"{API}/dms", json={"user_ids": [cast.zhangwei.id]})
    assert response.status_code == 201, response.text


async def test_nobody_edits_someone_elses_message(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "编辑权限", "public",
                                      cast.lina, cast.linxiaoyan, cast.zhoujianguo, cast.alex)
    sent = await post(cast.lina, channel_id, "李娜的原话")
    for other in (cast.zhangwei, cast.linxiaoyan, cast.zhoujianguo, cast.alex, cast.wangfang):
        response = await other.api.patch(f"{API}/messages/{sent['id']}",
                                          json={"text": "被改过的话"})
        assert response.status_code == 403, other.username
        assert error_code(response) == "forbidden"
    message = (await cast.lina.api.get(f"{API}/messages/{sent['id']}")).json()
    assert (message["text"], message["edited_at"]) == ("李娜的原话", None)
    # A guest cannot delete others' words either.
    by_guest = await cast.alex.api.delete(f"{API}/messages/{sent['id']}")
    assert by_guest.status_code == 403


async def test_only_an_admin_brings_a_guest_into_an_announcement_channel(cast: Cast) -> None:
    """Announcement channels are the company's own (often everyone in it): a guest added
    would read every announcement and see everyone in it. A member of the channel may add
    colleagues, but a guest — by name or inside a department — only an admin may add."""
    made = await cast.linxiaoyan.api.post(f"{API}/channels", json={
        "name": "全员公告", "kind": "announcement",
        "member_ids": [cast.zhangwei.id, cast.lina.id, cast.wangfang.id]})
    assert made.status_code == 201, made.text
    channel_id = made.json()["id"]
    await post(cast.linxiaoyan, channel_id, "下季度组织调整（内部）")
    members_url = f"{API}/channels/{channel_id}/members"
    refused = await cast.zhangwei.api.post(members_url, json={"user_ids": [cast.alex.id]})
    assert refused.status_code == 403, refused.text
    assert error_code(refused) == "guest_needs_admin"
    # Nor inside a department (an admin put the guest in 客服部).
    response = await cast.linxiaoyan.api.put(
        f"{API}/departments/{cast.departments['客服部']}/members",
        json={"user_ids": [cast.wangfang.id, cast.alex.id]})
    assert response.status_code == 200, response.text
    refused = await cast.zhangwei.api.post(members_url, json={
        "user_ids": [cast.liuyang.id], "department_ids": [cast.departments["客服部"]]})
    assert refused.status_code == 403, refused.text
    assert error_code(refused) == "guest_needs_admin"
    assert (await cast.alex.api.get(f"{API}/channels/{channel_id}/messages")).status_code == 404
    listed = (await cast.zhangwei.api.get(members_url)).json()["items"]
    assert {m["user_id"] for m in listed} == {
        cast.linxiaoyan.id, cast.zhangwei.id, cast.lina.id, cast.wangfang.id}

    # Colleagues, yes.
    added = await cast.zhangwei.api.post(members_url, json={"user_ids": [cast.liuyang.id]})
    assert added.status_code < 300, added.text
    # An admin may bring the guest in.
    added = await cast.linxiaoyan.api.post(members_url, json={"user_ids": [cast.alex.id]})
    assert added.status_code < 300, added.text
    history = await cast.alex.api.get(f"{API}/channels/{channel_id}/messages")
    assert history.status_code == 200
    audit = await cast.linxiaoyan.api.get(f"{API}/audit", params={"action": "guest.admitted"})
    newest = audit.json()["items"][0]
    assert (newest["actor_id"], newest["target"], newest["details"]) == (
        cast.linxiaoyan.id, f"user:{cast.alex.id}",
        {"channel_id": channel_id, "via": "announcement_channel"})
    # A member re-adding people who are all in already brings no guest in.
    again = await cast.zhangwei.api.post(members_url, json={"user_ids": [cast.alex.id]})
    assert again.status_code < 300, again.text
