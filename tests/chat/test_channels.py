"""Channels and direct conversations as people use them: create, list, DMs, manage,
archive, join and leave. Everything goes through the HTTP API as the cast."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from tests.helpers import Cast, Person, error_code, statements

API = "/api/v1"


async def create_channel(person: Person, name: str, kind: str = "public",
                         **body: Any) -> dict[str, Any]:
    response = await person.api.post(f"{API}/channels", json={"name": name, "kind": kind, **body})
    assert response.status_code == 201, response.text
    channel: dict[str, Any] = response.json()
    return channel


async def member_ids(person: Person, channel_id: int) -> set[int]:
    response = await person.api.get(f"{API}/channels/{channel_id}/members")
    assert response.status_code == 200, response.text
    return {m["user_id"] for m in response.json()["items"]}


async def my_channels(person: Person) -> dict[int, dict[str, Any]]:
    response = await person.api.get(f"{API}/channels")
    assert response.status_code == 200, response.text
    return {c["id"]: c for c in response.json()["items"]}


async def post(person: Person, channel_id: int, text: str) -> dict[str, Any]:
    response = await person.api.post(f"{API}/channels/{channel_id}/messages", json={"text": text})
    assert response.status_code == 201, response.text
    message: dict[str, Any] = response.json()
    return message


async def open_dm(person: Person, *others: Person) -> tuple[int, dict[str, Any]]:
    response = await person.api.post(f"{API}/dms", json={"user_ids": [p.id for p in others]})
    assert response.status_code in (200, 201), response.text
    channel: dict[str, Any] = response.json()
    return response.status_code, channel


# --- creating ----------------------------------------------------------------------------

async def test_public_channel_with_people_and_a_department_subtree(cast: Cast) -> None:
    channel = await create_channel(cast.lina, "产品发布", "public",
                                   description="新版本发布协调",
                                   member_ids=[cast.wangfang.id],
                                   department_ids=[cast.departments["销售部"]])
    assert channel["kind"] == "public"
    assert channel["name"] == "产品发布"
    assert channel["description"] == "新版本发布协调"
    assert channel["archived"] is False
    # 销售部 brings 张伟 and, from 华东区 below it, 刘洋.
    expected = {cast.lina.id, cast.wangfang.id, cast.zhangwei.id, cast.liuyang.id}
    assert await member_ids(cast.lina, channel["id"]) == expected
    assert channel["member_count"] == 4

    members = (await cast.lina.api.get(f"{API}/channels/{channel['id']}/members")).json()
    roles = {m["user_id"]: m["role"] for m in members["items"]}
    assert roles[cast.lina.id] == "admin"
    assert roles[cast.liuyang.id] == "member"

    for person in (cast.lina, cast.wangfang, cast.zhangwei, cast.liuyang):
        assert channel["id"] in await my_channels(person), person.username
    for person in (cast.linxiaoyan, cast.zhoujianguo, cast.alex):
        assert channel["id"] not in await my_channels(person), person.username


async def test_private_channel_is_visible_to_its_members_only(cast: Cast) -> None:
    channel = await create_channel(cast.zhangwei, "大客户报价", "private",
                                   member_ids=[cast.liuyang.id])
    assert channel["kind"] == "private"
    assert await member_ids(cast.zhangwei, channel["id"]) == {cast.zhangwei.id, cast.liuyang.id}
    seen = await cast.liuyang.api.get(f"{API}/channels/{channel['id']}")
    assert seen.status_code == 200
    assert seen.json()["member_count"] == 2
    for outsider in (cast.lina, cast.linxiaoyan, cast.alex):
        response = await outsider.api.get(f"{API}/channels/{channel['id']}")
        assert response.status_code == 404, outsider.username
        assert error_code(response) == "not_found"
        assert "大客户报价" not in response.text


async def test_bad_channel_requests_are_refused(cast: Cast) -> None:
    guest = await cast.alex.api.post(f"{API}/channels", json={"name": "顾问群", "kind": "public"})
    assert guest.status_code == 403
    assert error_code(guest) == "forbidden"
    unknown_person = await cast.zhangwei.api.post(f"{API}/channels", json={
        "name": "x", "kind": "private", "member_ids": [999_999]})
    assert unknown_person.status_code == 422
    assert error_code(unknown_person) == "invalid"
    unknown_department = await cast.zhangwei.api.post(f"{API}/channels", json={
        "name": "x", "kind": "private", "department_ids": [999_999]})
    assert unknown_department.status_code == 422
    dm_kind = await cast.zhangwei.api.post(f"{API}/channels", json={"name": "x", "kind": "dm"})
    assert dm_kind.status_code == 422
    blank_name = await cast.zhangwei.api.post(f"{API}/channels", json={"name": "   "})
    assert blank_name.status_code == 422
    assert error_code(blank_name) == "invalid"
    # Nothing half-made is left behind.
    assert await my_channels(cast.zhangwei) == {}


async def test_department_and_announcement_channels_are_made_by_admins(cast: Cast) -> None:
    sales = cast.departments["销售部"]
    for kind in ("department", "announcement"):
        refused = await cast.zhangwei.api.post(f"{API}/channels", json={
            "name": "销售部全员", "kind": kind, "department_id": sales,
            "member_ids": [cast.liuyang.id]})
        assert refused.status_code == 403, kind
        assert error_code(refused) == "forbidden"
    assert await my_channels(cast.zhangwei) == {}

    department = await create_channel(cast.linxiaoyan, "销售部全员", "department",
                                      department_id=sales)
    assert department["kind"] == "department"
    assert department["department_id"] == sales
    assert await member_ids(cast.linxiaoyan, department["id"]) == {
        cast.linxiaoyan.id, cast.zhangwei.id, cast.liuyang.id}
    # Its members follow the organisation: nobody leaves it or is added by hand.
    leave = await cast.liuyang.api.post(f"{API}/channels/{department['id']}/leave")
    assert leave.status_code == 422
    add = await cast.linxiaoyan.api.post(f"{API}/channels/{department['id']}/members",
                                         json={"user_ids": [cast.lina.id]})
    assert add.status_code == 422

    announcement = await create_channel(cast.linxiaoyan, "公司公告", "announcement",
                                        member_ids=[cast.zhangwei.id, cast.lina.id])
    assert announcement["kind"] == "announcement"
    by_member = await cast.zhangwei.api.post(
        f"{API}/channels/{announcement['id']}/messages", json={"text": "我也想发公告"})
    assert by_member.status_code == 403
    assert error_code(by_member) == "announcement_only"
    await post(cast.linxiaoyan, announcement["id"], "五一放假安排")
    history = (await cast.lina.api.get(f"{API}/channels/{announcement['id']}/messages")).json()
    assert [m["text"] for m in history["items"]] == ["五一放假安排"]
    # The channel list says so before anyone types: may post, or not.
    assert (await my_channels(cast.zhangwei))[announcement["id"]]["can_post"] is False
    assert (await my_channels(cast.linxiaoyan))[announcement["id"]]["can_post"] is True
    # Archived: nobody may post, its admins neither.
    archived = await cast.linxiaoyan.api.patch(f"{API}/channels/{announcement['id']}",
                                               json={"archived": True})
    assert archived.status_code == 200, archived.text
    assert (await my_channels(cast.linxiaoyan))[announcement["id"]]["can_post"] is False


# --- my channels -------------------------------------------------------------------------

async def test_my_channels_carry_read_state(cast: Cast) -> None:
    quiet = await create_channel(cast.zhangwei, "安静频道", "private",
                                 member_ids=[cast.lina.id])
    busy = await create_channel(cast.zhangwei, "热闹频道", "private",
                                member_ids=[cast.lina.id])
    await post(cast.zhangwei, busy["id"], "第一条")
    await post(cast.zhangwei, busy["id"], "@lina 第二条")
    last = await post(cast.zhangwei, busy["id"], "第三条")

    mine = await my_channels(cast.lina)
    assert set(mine) == {quiet["id"], busy["id"]}
    assert mine[busy["id"]]["unread_count"] == 3
    assert mine[busy["id"]]["mention_count"] == 1
    assert mine[busy["id"]]["last_read_id"] == 0
    assert mine[busy["id"]]["last_message_id"] == last["id"]
    assert mine[busy["id"]]["role"] == "member"
    assert mine[busy["id"]]["member_ids"] is None
    assert mine[quiet["id"]]["unread_count"] == 0
    assert mine[quiet["id"]]["mention_count"] == 0
    assert mine[quiet["id"]]["last_message_id"] is None
    # The channel with news comes first.
    listed = (await cast.lina.api.get(f"{API}/channels")).json()["items"]
    assert [c["id"] for c in listed] == [busy["id"], quiet["id"]]
    # In a DM every message is for me: each unread one counts as a mention.
    dm = (await cast.zhangwei.api.post(f"{API}/dms", json={"user_ids": [cast.lina.id]})).json()
    await post(cast.zhangwei, dm["id"], "在吗")
    await post(cast.zhangwei, dm["id"], "有个客户问题")
    mine = await my_channels(cast.lina)
    assert (mine[dm["id"]]["unread_count"], mine[dm["id"]]["mention_count"]) == (2, 2)
    assert (await my_channels(cast.zhangwei))[dm["id"]]["mention_count"] == 0

    # The sender has read their own messages.
    his = (await my_channels(cast.zhangwei))[busy["id"]]
    assert his["unread_count"] == 0
    assert his["last_read_id"] == last["id"]
    assert his["role"] == "admin"


# --- direct conversations ----------------------------------------------------------------

async def test_dm_is_one_conversation_per_set_of_people(cast: Cast) -> None:
    status, first = await open_dm(cast.zhangwei, cast.lina)
    assert status == 201
    assert first["kind"] == "dm"
    assert first["member_count"] == 2
    status, again = await open_dm(cast.zhangwei, cast.lina)
    assert (status, again["id"]) == (200, first["id"])
    status, hers = await open_dm(cast.lina, cast.zhangwei)
    assert (status, hers["id"]) == (200, first["id"])
    # Naming oneself, or someone twice, is still the same set of people.
    response = await cast.lina.api.post(f"{API}/dms", json={
        "user_ids": [cast.zhangwei.id, cast.lina.id, cast.zhangwei.id]})
    assert (response.status_code, response.json()["id"]) == (200, first["id"])

    status, group = await open_dm(cast.zhangwei, cast.lina, cast.wangfang)
    assert status == 201
    assert group["id"] != first["id"]
    assert group["member_count"] == 3
    status, same_group = await open_dm(cast.wangfang, cast.lina, cast.zhangwei)
    assert (status, same_group["id"]) == (200, group["id"])
    status, larger = await open_dm(cast.wangfang, cast.lina, cast.zhangwei, cast.liuyang)
    assert status == 201
    assert larger["id"] not in (first["id"], group["id"])

    listed = await my_channels(cast.lina)
    assert set(listed) == {first["id"], group["id"], larger["id"]}
    assert set(listed[group["id"]]["member_ids"]) >= {cast.zhangwei.id, cast.wangfang.id}
    assert set(listed[first["id"]]["member_ids"]) >= {cast.zhangwei.id}
    assert cast.wangfang.id not in listed[first["id"]]["member_ids"]

    await post(cast.zhangwei, first["id"], "李娜，方便通个电话吗？")
    assert (await my_channels(cast.lina))[first["id"]]["unread_count"] == 1
    outsider = await cast.wangfang.api.get(f"{API}/channels/{first['id']}/messages")
    assert outsider.status_code == 404


async def test_opening_the_same_dm_at_once_makes_one_conversation(cast: Cast) -> None:
    responses = await asyncio.gather(*(
        (cast.zhangwei if n % 2 else cast.lina).api.post(
            f"{API}/dms", json={"user_ids": [cast.lina.id if n % 2 else cast.zhangwei.id]})
        for n in range(8)))
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert [r.status_code for r in responses].count(201) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    dms = [c for c in (await my_channels(cast.lina)).values() if c["kind"] == "dm"]
    assert len(dms) == 1


async def test_dm_members_are_fixed(cast: Cast) -> None:
    _, dm = await open_dm(cast.zhangwei, cast.lina)
    rename = await cast.zhangwei.api.patch(f"{API}/channels/{dm['id']}", json={"name": "小群"})
    assert rename.status_code in (403, 422)
    leave = await cast.lina.api.post(f"{API}/channels/{dm['id']}/leave")
    assert leave.status_code == 422
    add = await cast.lina.api.post(f"{API}/channels/{dm['id']}/members",
                                   json={"user_ids": [cast.wangfang.id]})
    assert add.status_code == 422
    assert await member_ids(cast.lina, dm["id"]) == {cast.zhangwei.id, cast.lina.id}


async def test_dm_with_unknown_person_is_refused(cast: Cast) -> None:
    response = await cast.zhangwei.api.post(f"{API}/dms", json={"user_ids": [999_999]})
    assert response.status_code == 422
    assert error_code(response) == "invalid"
    empty = await cast.zhangwei.api.post(f"{API}/dms", json={"user_ids": []})
    assert empty.status_code == 422


# --- managing ----------------------------------------------------------------------------

BIDI_CONTROLS = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067",
                 "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]


async def test_topic_and_description_refuse_bidi_controls_as_names_do(cast: Cast) -> None:
    """A topic "报价单\u202egpj.exe" would show as "报价单exe.jpg": refused on creation and on
    change, and nothing is made or changed; right-to-left text itself is welcome."""
    channel = await create_channel(cast.zhangwei, "华东区周会", "public")
    channel_url = f"{API}/channels/{channel['id']}"
    for control in BIDI_CONTROLS:
        for field in ("topic", "description"):
            value = f"报价单{control}gpj.exe"
            created = await cast.zhangwei.api.post(f"{API}/channels", json={
                "name": f"新频道 {field}", field: value})
            changed = await cast.zhangwei.api.patch(channel_url, json={field: value})
            for response in (created, changed):
                assert response.status_code == 422, (field, repr(control), response.text)
                assert error_code(response) == "invalid"
                assert [(p["loc"], p["type"]) for p in response.json()["error"]["details"]] == [
                    (["body", field], "bidi_control")]
    assert set(await my_channels(cast.zhangwei)) == {channel["id"]}
    seen = (await cast.zhangwei.api.get(channel_url)).json()
    assert (seen["topic"], seen["description"]) == ("", "")
    welcome = {"topic": "اجتماع أسبوعي · שבועי", "description": "第一行\n第二行 مرحبا"}
    updated = await cast.zhangwei.api.patch(channel_url, json=welcome)
    assert updated.status_code == 200, updated.text
    assert {k: updated.json()[k] for k in welcome} == welcome


async def test_channel_admin_renames_sets_topic_and_archives(cast: Cast) -> None:
    channel = await create_channel(cast.zhangwei, "华东区周会", "public",
                                   member_ids=[cast.liuyang.id])
    channel_url = f"{API}/channels/{channel['id']}"
    for outsider in (cast.liuyang, cast.lina):
        for change in ({"name": "改名"}, {"topic": "改话题"}, {"archived": True}):
            refused = await outsider.api.patch(channel_url, json=change)
            assert refused.status_code == 403, (outsider.username, change)
            assert error_code(refused) == "forbidden"

    renamed = await cast.zhangwei.api.patch(channel_url, json={"name": "华东区周例会",
                                                               "topic": "每周一 9:30"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "华东区周例会"
    assert renamed.json()["topic"] == "每周一 9:30"
    seen = (await cast.liuyang.api.get(channel_url)).json()
    assert (seen["name"], seen["topic"]) == ("华东区周例会", "每周一 9:30")

    # The organisation's admins may manage any channel they can see.
    by_org_admin = await cast.linxiaoyan.api.patch(channel_url, json={"description": "例会纪要"})
    assert by_org_admin.status_code == 200
    assert by_org_admin.json()["description"] == "例会纪要"

    archived = await cast.zhangwei.api.patch(channel_url, json={"archived": True})
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    assert (await my_channels(cast.liuyang))[channel["id"]]["archived"] is True


async def test_archived_channel_is_read_only_but_readable(cast: Cast) -> None:
    channel = await create_channel(cast.zhangwei, "旧项目", "public",
                                   member_ids=[cast.liuyang.id])
    channel_url = f"{API}/channels/{channel['id']}"
    kept = await post(cast.liuyang, channel["id"], "项目总结见附件")
    assert (await cast.zhangwei.api.patch(channel_url, json={"archived": True})).status_code == 200

    refused = await cast.liuyang.api.post(f"{channel_url}/messages", json={"text": "还有人吗"})
    assert refused.status_code == 403
    assert error_code(refused) == "channel_archived"
    reply = await cast.zhangwei.api.post(f"{channel_url}/messages", json={
        "text": "回复", "thread_root_id": kept["id"]})
    assert reply.status_code == 403
    assert error_code(reply) == "channel_archived"
    edit = await cast.liuyang.api.patch(f"{API}/messages/{kept['id']}", json={"text": "改一下"})
    assert edit.status_code == 403
    assert error_code(edit) == "channel_archived"
    join = await cast.lina.api.post(f"{channel_url}/join")
    assert join.status_code == 403
    assert error_code(join) == "channel_archived"
    add = await cast.zhangwei.api.post(f"{channel_url}/members",
                                       json={"user_ids": [cast.wangfang.id]})
    assert add.status_code == 403
    assert error_code(add) == "channel_archived"

    # History stays readable, for members and (public channel) visitors alike.
    for reader in (cast.liuyang, cast.lina):
        history = await reader.api.get(f"{channel_url}/messages")
        assert history.status_code == 200
        assert [m["text"] for m in history.json()["items"]] == ["项目总结见附件"]
    assert (await cast.lina.api.get(f"{API}/messages/{kept['id']}")).json()["text"] == \
        "项目总结见附件"

    # Unarchiving makes it writable again.
    assert (await cast.zhangwei.api.patch(channel_url, json={"archived": False})).status_code == 200
    await post(cast.liuyang, channel["id"], "重新启动")


async def test_archived_channel_takes_no_reactions_or_pins(cast: Cast) -> None:
    channel = await create_channel(cast.zhangwei, "已归档", "private",
                                   member_ids=[cast.liuyang.id])
    kept = await post(cast.zhangwei, channel["id"], "归档前的消息")
    archived = await cast.zhangwei.api.patch(f"{API}/channels/{channel['id']}",
                                             json={"archived": True})
    assert archived.status_code == 200
    react = await cast.liuyang.api.put(
        f"{API}/messages/{kept['id']}/reactions/{quote('👍', safe='')}")
    pin = await cast.liuyang.api.put(f"{API}/messages/{kept['id']}/pin")
    for response in (react, pin):
        assert response.status_code == 403
        assert error_code(response) == "channel_archived"
    message = (await cast.liuyang.api.get(f"{API}/messages/{kept['id']}")).json()
    assert (message["reactions"], message["pinned"]) == ({}, False)


async def test_join_and_leave_a_public_channel(cast: Cast) -> None:
    channel = await create_channel(cast.zhangwei, "全员闲聊", "public")
    channel_url = f"{API}/channels/{channel['id']}"
    await post(cast.zhangwei, channel["id"], "欢迎大家")

    # Before joining: visible (to decide whether to join), but not one's own.
    assert (await cast.wangfang.api.get(channel_url)).status_code == 200
    assert channel["id"] not in await my_channels(cast.wangfang)
    refused = await cast.wangfang.api.post(f"{channel_url}/messages", json={"text": "我来了"})
    assert refused.status_code == 403
    assert error_code(refused) == "not_a_member"

    assert (await cast.wangfang.api.post(f"{channel_url}/join")).status_code == 204
    assert (await cast.wangfang.api.post(f"{channel_url}/join")).status_code == 204
    assert await member_ids(cast.wangfang, channel["id"]) == {cast.zhangwei.id, cast.wangfang.id}
    mine = (await my_channels(cast.wangfang))[channel["id"]]
    assert mine["member_count"] == 2
    # What was said before joining counts as read.
    assert mine["unread_count"] == 0
    await post(cast.wangfang, channel["id"], "我来了")

    assert (await cast.wangfang.api.post(f"{channel_url}/leave")).status_code == 204
    assert channel["id"] not in await my_channels(cast.wangfang)
    assert await member_ids(cast.zhangwei, channel["id"]) == {cast.zhangwei.id}
    again = await cast.wangfang.api.post(f"{channel_url}/messages", json={"text": "再说一句"})
    assert again.status_code == 403
    assert error_code(again) == "not_a_member"


async def test_only_public_channels_can_be_joined(cast: Cast) -> None:
    private = await create_channel(cast.zhangwei, "销售内部", "private")
    response = await cast.lina.api.post(f"{API}/channels/{private['id']}/join")
    assert response.status_code == 404
    assert await member_ids(cast.zhangwei, private["id"]) == {cast.zhangwei.id}

    public = await create_channel(cast.zhangwei, "公开讨论", "public")
    guest = await cast.alex.api.post(f"{API}/channels/{public['id']}/join")
    assert guest.status_code in (403, 404)
    assert await member_ids(cast.zhangwei, public["id"]) == {cast.zhangwei.id}


async def test_channel_admin_removes_members_and_others_may_not(cast: Cast) -> None:
    channel = await create_channel(cast.zhangwei, "报价小组", "private",
                                   member_ids=[cast.liuyang.id, cast.lina.id, cast.wangfang.id])
    channel_url = f"{API}/channels/{channel['id']}"
    await post(cast.zhangwei, channel["id"], "内部报价：八折")

    refused = await cast.wangfang.api.delete(f"{channel_url}/members/{cast.liuyang.id}")
    assert refused.status_code == 403
    assert error_code(refused) == "forbidden"
    assert cast.liuyang.id in await member_ids(cast.zhangwei, channel["id"])

    removed = await cast.zhangwei.api.delete(f"{channel_url}/members/{cast.liuyang.id}")
    assert removed.status_code == 204
    assert await member_ids(cast.zhangwei, channel["id"]) == {
        cast.zhangwei.id, cast.lina.id, cast.wangfang.id}
    assert channel["id"] not in await my_channels(cast.liuyang)
    gone = await cast.liuyang.api.get(f"{channel_url}/messages")
    assert gone.status_code == 404
    assert "八折" not in gone.text

    not_there = await cast.zhangwei.api.delete(f"{channel_url}/members/{cast.liuyang.id}")
    assert not_there.status_code == 404

    # Anyone may remove themselves.
    leaving = await cast.lina.api.delete(f"{channel_url}/members/{cast.lina.id}")
    assert leaving.status_code == 204
    assert await member_ids(cast.zhangwei, channel["id"]) == {cast.zhangwei.id, cast.wangfang.id}


async def test_members_add_people_and_departments(cast: Cast) -> None:
    channel = await create_channel(cast.lina, "跨部门", "private", member_ids=[cast.wangfang.id])
    channel_url = f"{API}/channels/{channel['id']}"
    added = await cast.wangfang.api.post(f"{channel_url}/members", json={
        "department_ids": [cast.departments["销售部"]]})
    assert added.status_code == 200
    assert {m["user_id"] for m in added.json()["items"]} == {
        cast.lina.id, cast.wangfang.id, cast.zhangwei.id, cast.liuyang.id}
    outsider = await cast.linxiaoyan.api.post(f"{channel_url}/members",
                                              json={"user_ids": [cast.linxiaoyan.id]})
    assert outsider.status_code == 404
    assert cast.linxiaoyan.id not in await member_ids(cast.lina, channel["id"])


async def test_my_channels_cost_the_same_statements_however_many_announce(cast: Cast) -> None:
    """Whether one may post in an announcement channel reads the company's setting and the
    person's standing: once for the list, not once per announcement channel."""
    async def statements_for_the_list() -> int:
        with statements(cast.runtime) as seen:
            await my_channels(cast.zhangwei)
        return len(seen)

    first = await create_channel(cast.linxiaoyan, "公告一", "announcement",
                                 member_ids=[cast.zhangwei.id])
    await my_channels(cast.zhangwei)  # the first request may sign in: not counted
    one = await statements_for_the_list()
    for n in range(5):
        await create_channel(cast.linxiaoyan, f"公告{n + 2}", "announcement",
                             member_ids=[cast.zhangwei.id])
    assert await statements_for_the_list() == one
    mine = await my_channels(cast.zhangwei)
    assert [mine[c]["can_post"] for c in mine if mine[c]["kind"] == "announcement"] == [False] * 6
    assert mine[first["id"]]["can_post"] is False
