"""The published contract (API.md, "Xietong HTTP API, version 1"), row by row: each endpoint
called exactly as the contract writes it — method, path, body fields and query parameters —
through the real app, and its reply checked for the status and the fields the contract
names. Outside clients and independent checkers are written against that page; what our
own guide (docs/api.md) adds is tested in the domains' folders.

Sections as the contract has them: auth and people, channels and messages, the event
socket, files and search, requests and approvals, projects and tasks, goals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import (
    PASSWORD,
    Cast,
    Person,
    anonymous_client,
    create_channel,
    error_code,
    post,
    sign_in,
    upload,
)
from tests.realtime.wsclient import Socket

API = "/api/v1"
PERIOD = "2026-Q4"


def has(body: dict[str, Any], *fields: str) -> None:
    """The reply names every field the contract names."""
    missing = [f for f in fields if f not in body]
    assert not missing, f"missing {missing} in {sorted(body)}"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


# --- Auth and people ---------------------------------------------------------------------

USER_FIELDS = ("id", "username", "display_name", "email", "role", "department_ids", "title")


async def test_login_answers_user_and_token_and_refuses_bad_credentials(cast: Cast) -> None:
    anonymous = anonymous_client(cast.client)
    try:
        body = await ok(await anonymous.post(f"{API}/auth/login", json={
            "login": "zhangwei", "password": PASSWORD}))
        has(body, "user", "token")
        has(body["user"], *USER_FIELDS)
        assert body["user"]["username"] == "zhangwei"
        assert "xietong_session" in anonymous.cookies
        assert "xietong_csrf" in anonymous.cookies
        me = await anonymous.get(f"{API}/users/me",
                                 headers={"Authorization": f"Bearer {body['token']}"})
        assert (await ok(me))["id"] == cast.zhangwei.id

        wrong = await anonymous.post(f"{API}/auth/login", json={
            "login": "lina", "password": "not the password"})
        assert wrong.status_code == 401
        error_code(wrong)
        for _ in range(12):
            last = await anonymous.post(f"{API}/auth/login", json={
                "login": "lina", "password": "still not it"})
        assert last.status_code == 429, last.text
        assert "Retry-After" in last.headers
    finally:
        await anonymous.aclose()


async def test_logout_ends_the_session(cast: Cast) -> None:
    anonymous = anonymous_client(cast.client)
    try:
        token = await sign_in(anonymous, "lina")
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await anonymous.post(f"{API}/auth/logout", headers=bearer)).status_code == 204
        assert (await anonymous.get(f"{API}/users/me", headers=bearer)).status_code == 401
    finally:
        await anonymous.aclose()


async def test_the_cookie_needs_the_csrf_header_on_writes(cast: Cast) -> None:
    browser = anonymous_client(cast.client)
    try:
        await sign_in(browser, "zhangwei")
        channel_id = await create_channel(cast.zhangwei, "报价", "private")
        refused = await browser.post(f"{API}/channels/{channel_id}/read", json={"message_id": 1})
        assert (refused.status_code, error_code(refused)) == (403, "csrf_failed")
        message = await post(cast.zhangwei, channel_id, "新报价")
        accepted = await browser.post(
            f"{API}/channels/{channel_id}/read", json={"message_id": message["id"]},
            headers={"X-CSRF-Token": browser.cookies["xietong_csrf"]})
        assert accepted.status_code in (200, 204), accepted.text
    finally:
        await browser.aclose()


async def test_api_tokens_are_shown_once_and_work_as_bearer(cast: Cast) -> None:
    made = await ok(await cast.zhangwei.api.post(f"{API}/tokens", json={"name": "周报机器人"}),
                    201)
    has(made, "id", "token")
    me = await cast.client.get(f"{API}/users/me",
                               headers={"Authorization": f"Bearer {made['token']}"})
    assert (await ok(me))["id"] == cast.zhangwei.id
    listed = await ok(await cast.zhangwei.api.get(f"{API}/tokens"))
    assert all("token" not in t for t in listed["items"])


async def test_users_me_and_one_user(cast: Cast) -> None:
    me = await ok(await cast.liuyang.api.get(f"{API}/users/me"))
    has(me, *USER_FIELDS)
    assert me["department_ids"] == [cast.departments["华东区"]]
    other = await ok(await cast.liuyang.api.get(f"{API}/users/{cast.zhangwei.id}"))
    has(other, *USER_FIELDS)
    assert (other["display_name"], other["title"], other["role"]) == ("张伟", "销售总监",
                                                                      "member")
    assert (await cast.liuyang.api.get(f"{API}/users/999999")).status_code == 404


async def test_an_admin_creates_a_user_and_a_member_may_not(cast: Cast) -> None:
    body = {"username": "chenjing", "display_name": "陈静", "email": "chen@example.com",
            "password": "另一个 correct horse", "role": "member",
            "department_ids": [cast.departments["研发部"]]}
    made = await ok(await cast.linxiaoyan.api.post(f"{API}/users", json=body), 201)
    has(made, *USER_FIELDS)
    assert (made["username"], made["department_ids"]) == ("chenjing",
                                                         [cast.departments["研发部"]])
    refused = await cast.zhangwei.api.post(f"{API}/users", json={**body, "username": "x2"})
    assert refused.status_code == 403


async def test_directory_search_by_name_initials_and_department(cast: Cast) -> None:
    found = await ok(await cast.zhangwei.api.get(f"{API}/users", params={"q": "张伟"}))
    assert [u["id"] for u in found["items"]] == [cast.zhangwei.id]
    initials = await ok(await cast.zhangwei.api.get(f"{API}/users", params={"q": "ln"}))
    assert cast.lina.id in [u["id"] for u in initials["items"]]
    sales = await ok(await cast.zhangwei.api.get(
        f"{API}/users", params={"department_id": cast.departments["销售部"]}))
    assert {u["id"] for u in sales["items"]} == {cast.zhangwei.id, cast.liuyang.id}
    has(sales, "items", "next_cursor")


async def test_departments_create_tree_move_and_members(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    made = await ok(await admin.post(f"{API}/departments", json={
        "name": "后端组", "parent_id": cast.departments["研发部"],
        "manager_ids": [cast.lina.id]}), 201)
    has(made, "id", "name", "parent_id", "manager_ids")
    assert made["parent_id"] == cast.departments["研发部"]

    tree = await ok(await cast.zhangwei.api.get(f"{API}/departments"))
    [research] = [d for d in tree["items"] if d["name"] == "研发部"]
    has(research, "id", "name", "parent_id", "manager_ids", "member_count", "children")
    [child] = research["children"]
    assert (child["id"], child["manager_ids"], child["member_count"]) == (made["id"],
                                                                          [cast.lina.id], 0)

    renamed = await ok(await admin.patch(f"{API}/departments/{made['id']}",
                                         json={"name": "服务端组"}))
    assert renamed["name"] == "服务端组"
    loop = await admin.patch(f"{API}/departments/{cast.departments['研发部']}",
                             json={"parent_id": made["id"]})
    assert 400 <= loop.status_code < 500
    error_code(loop)

    members = await ok(await admin.put(f"{API}/departments/{made['id']}/members",
                                       json={"user_ids": [cast.lina.id]}))
    assert members["user_ids"] == [cast.lina.id]
    assert (await cast.zhangwei.api.put(f"{API}/departments/{made['id']}/members",
                                        json={"user_ids": []})).status_code == 403


async def test_patch_user_by_admin_and_by_self(cast: Cast) -> None:
    own = await ok(await cast.liuyang.api.patch(f"{API}/users/{cast.liuyang.id}",
                                                json={"title": "大客户经理"}))
    assert own["title"] == "大客户经理"
    assert (await cast.liuyang.api.patch(f"{API}/users/{cast.liuyang.id}",
                                         json={"role": "admin"})).status_code == 403
    changed = await ok(await cast.linxiaoyan.api.patch(f"{API}/users/{cast.liuyang.id}", json={
        "role": "admin", "department_ids": [cast.departments["研发部"]], "active": True}))
    assert (changed["role"], changed["department_ids"]) == ("admin",
                                                            [cast.departments["研发部"]])
    gone = await ok(await cast.linxiaoyan.api.patch(f"{API}/users/{cast.alex.id}",
                                                    json={"active": False}))
    assert gone["active"] is False


async def test_password_change_ends_other_sessions(cast: Cast) -> None:
    other = anonymous_client(cast.client)
    try:
        second = await sign_in(other, "wangfang")
        assert (await cast.wangfang.api.post(f"{API}/users/me/password", json={
            "old_password": PASSWORD, "new_password": "新的 correct horse 2026"}
        )).status_code in (200, 204)
        ended = await other.get(f"{API}/users/me",
                                headers={"Authorization": f"Bearer {second}"})
        assert ended.status_code == 401
    finally:
        await other.aclose()


async def test_audit_log_for_admins_with_its_filters(cast: Cast) -> None:
    await cast.linxiaoyan.api.patch(f"{API}/users/{cast.liuyang.id}", json={"title": "经理"})
    page = await ok(await cast.linxiaoyan.api.get(f"{API}/audit", params={
        "actor_id": cast.linxiaoyan.id, "since": "2000-01-01T00:00:00Z"}))
    assert page["items"], page
    for entry in page["items"]:
        has(entry, "id", "at", "actor_id", "action", "target", "ip")
        assert entry["actor_id"] == cast.linxiaoyan.id
    action = page["items"][0]["action"]
    only = await ok(await cast.linxiaoyan.api.get(f"{API}/audit", params={"action": action}))
    assert {e["action"] for e in only["items"]} == {action}
    assert (await cast.zhangwei.api.get(f"{API}/audit")).status_code == 403


# --- Channels and messages ---------------------------------------------------------------

MESSAGE_FIELDS = ("id", "channel_id", "sender_id", "text", "html", "created_at", "edited_at",
                  "thread_root_id", "reply_count", "reactions", "mentions", "file_ids",
                  "ack_required", "client_msg_id")


@pytest.mark.parametrize("kind", ["public", "private", "department", "announcement"])
async def test_create_a_channel_of_each_kind(cast: Cast, kind: str) -> None:
    # Department and announcement channels are administrators' to make.
    creator = cast.linxiaoyan if kind in ("department", "announcement") else cast.zhangwei
    made = await ok(await creator.api.post(f"{API}/channels", json={
        "name": f"频道 {kind}", "kind": kind, "description": "说明",
        "member_ids": [cast.lina.id], "department_ids": [cast.departments["销售部"]]}), 201)
    has(made, "id", "name", "kind", "member_count")
    assert made["kind"] == kind


async def test_a_dm_is_the_same_conversation_each_time(cast: Cast) -> None:
    first = await cast.zhangwei.api.post(f"{API}/dms", json={"user_ids": [cast.lina.id]})
    assert first.status_code in (200, 201), first.text
    again = await cast.zhangwei.api.post(f"{API}/dms", json={"user_ids": [cast.lina.id]})
    assert again.status_code in (200, 201)
    assert again.json()["id"] == first.json()["id"]


async def test_my_channels_and_one_channel(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "报价讨论", "private", cast.lina)
    message = await post(cast.zhangwei, channel_id, "@李娜 看下报价")
    mine = await ok(await cast.lina.api.get(f"{API}/channels"))
    [listed] = [c for c in mine["items"] if c["id"] == channel_id]
    has(listed, "id", "name", "kind", "unread_count", "mention_count", "last_message_id")
    assert (listed["unread_count"], listed["mention_count"], listed["last_message_id"]) == (
        1, 1, message["id"])
    one = await ok(await cast.lina.api.get(f"{API}/channels/{channel_id}"))
    assert one["member_count"] == 2
    assert (await cast.wangfang.api.get(f"{API}/channels/{channel_id}")).status_code == 404


async def test_members_are_added_removed_and_join_a_public_channel(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "项目群", "private")
    assert (await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/members",
                                         json={"user_ids": [cast.lina.id]})).status_code < 300
    assert (await ok(await cast.lina.api.get(f"{API}/channels/{channel_id}")))[
        "member_count"] == 2
    assert (await cast.zhangwei.api.delete(
        f"{API}/channels/{channel_id}/members/{cast.lina.id}")).status_code == 204
    assert (await cast.lina.api.get(f"{API}/channels/{channel_id}")).status_code == 404

    public = await create_channel(cast.zhangwei, "随便聊聊", "public")
    assert (await cast.wangfang.api.post(f"{API}/channels/{public}/join")).status_code < 300
    assert (await ok(await cast.wangfang.api.get(f"{API}/channels/{public}")))[
        "member_count"] == 2


async def test_post_a_message_and_retry_it(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "发布会", "private", cast.lina)
    stored = await upload(cast.zhangwei, "报价.txt", b"Q4 quote")
    body = {"text": "样机周五到，@李娜 请安排测试", "client_msg_id": "weekly-49",
            "file_ids": [stored["id"]], "ack_required": True}
    first = await ok(await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/messages",
                                                  json=body), 201)
    has(first, *MESSAGE_FIELDS)
    assert (first["file_ids"], first["ack_required"], first["client_msg_id"]) == (
        [stored["id"]], True, "weekly-49")
    assert first["mentions"] == {"user_ids": [cast.lina.id], "department_ids": [],
                                 "all": False}
    assert first["reactions"] == {}
    assert first["reply_count"] == 0
    again = await ok(await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/messages",
                                                  json=body))
    assert again["id"] == first["id"]
    reply = await ok(await cast.lina.api.post(f"{API}/channels/{channel_id}/messages", json={
        "text": "收到", "thread_root_id": first["id"]}), 201)
    assert reply["thread_root_id"] == first["id"]


async def test_history_pages_with_before_after_and_limit(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "历史", "private")
    ids = [(await post(cast.zhangwei, channel_id, f"第{n}条"))["id"] for n in range(5)]
    newest = await ok(await cast.zhangwei.api.get(f"{API}/channels/{channel_id}/messages",
                                                  params={"limit": 2}))
    assert {m["id"] for m in newest["items"]} == set(ids[-2:])
    older = await ok(await cast.zhangwei.api.get(f"{API}/channels/{channel_id}/messages",
                                                 params={"before": ids[3], "limit": 2}))
    assert {m["id"] for m in older["items"]} == set(ids[1:3])
    after = await ok(await cast.zhangwei.api.get(f"{API}/channels/{channel_id}/messages",
                                                 params={"after": ids[0], "limit": 2}))
    assert [m["id"] for m in after["items"]] == ids[1:3]
    for message in newest["items"]:
        has(message, *MESSAGE_FIELDS)


async def test_thread_edit_delete_and_reactions(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "讨论", "private", cast.lina)
    root = await post(cast.zhangwei, channel_id, "方案A还是B？")
    await post(cast.lina, channel_id, "B", thread_root_id=root["id"])
    thread = await ok(await cast.lina.api.get(f"{API}/messages/{root['id']}/thread"))
    has(thread, "root", "replies")
    assert thread["root"]["reply_count"] == 1
    assert len(thread["replies"]) == 1

    edited = await ok(await cast.zhangwei.api.patch(f"{API}/messages/{root['id']}",
                                                    json={"text": "方案A还是方案B？"}))
    assert edited["text"] == "方案A还是方案B？"
    assert edited["edited_at"] is not None
    assert (await cast.lina.api.patch(f"{API}/messages/{root['id']}",
                                      json={"text": "改别人的"})).status_code == 403

    assert (await cast.lina.api.put(
        f"{API}/messages/{root['id']}/reactions/👍")).status_code in (200, 204)
    again = await ok(await cast.lina.api.get(f"{API}/messages/{root['id']}/thread"))
    assert again["root"]["reactions"] == {"👍": [cast.lina.id]}
    assert (await cast.lina.api.delete(
        f"{API}/messages/{root['id']}/reactions/👍")).status_code in (200, 204)

    assert (await cast.lina.api.delete(f"{API}/messages/{root['id']}")).status_code == 403
    assert (await cast.zhangwei.api.delete(f"{API}/messages/{root['id']}")).status_code == 204


async def test_read_receipts_and_acknowledgement(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "通知", "private", cast.lina,
                                      cast.wangfang)
    message = await post(cast.zhangwei, channel_id, "请确认收到", ack_required=True)
    assert (await cast.lina.api.post(f"{API}/channels/{channel_id}/read",
                                     json={"message_id": message["id"]})).status_code < 300
    receipts = await ok(await cast.zhangwei.api.get(f"{API}/messages/{message['id']}/receipts"))
    assert receipts == {"read": [cast.lina.id], "unread": [cast.wangfang.id]}
    assert (await cast.lina.api.post(f"{API}/messages/{message['id']}/ack")).status_code < 300
    plain = await post(cast.zhangwei, channel_id, "不用确认")
    assert (await cast.lina.api.post(f"{API}/messages/{plain['id']}/ack")).status_code >= 400


# --- Events (realtime) -------------------------------------------------------------------

async def test_the_socket_pushes_events_resumes_and_answers_ping(cast: Cast,
                                                                 live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "实时", "private", cast.lina)
    socket = await Socket.open(live_server, cast.lina.token)
    try:
        sent = await post(cast.zhangwei, channel_id, "第一条")
        event = await socket.wait_for("message.created")
        has(event, "id", "type", "scope", "channel_id", "data")
        assert (event["scope"], event["channel_id"]) == (f"channel:{channel_id}", channel_id)
        assert event["data"]["message"]["id"] == sent["id"]
        await socket.send({"type": "ping"})
        await socket.wait_for("pong")
        await socket.send({"type": "typing", "channel_id": channel_id})
    finally:
        await socket.close()
    await cast.zhangwei.api.put(f"{API}/messages/{sent['id']}/reactions/🎉")
    resumed = await Socket.open(live_server, cast.lina.token, last_event_id=event["id"])
    try:
        missed = await resumed.wait_for("reaction.added")
        assert missed["id"] > event["id"]
    finally:
        await resumed.close()


# --- Files and search --------------------------------------------------------------------

async def test_upload_download_and_who_may_fetch(cast: Cast) -> None:
    stored = await upload(cast.zhangwei, "报价单.txt", "第四季度报价".encode(), "text/plain")
    has(stored, "id", "name", "size", "content_type")
    assert (stored["name"], stored["size"]) == ("报价单.txt", len("第四季度报价".encode()))
    own = await cast.zhangwei.api.get(f"{API}/files/{stored['id']}")
    assert (own.status_code, own.content) == (200, "第四季度报价".encode())
    assert (await cast.lina.api.get(f"{API}/files/{stored['id']}")).status_code == 404
    channel_id = await create_channel(cast.zhangwei, "文件", "private", cast.lina)
    await post(cast.zhangwei, channel_id, "附件", file_ids=[stored["id"]])
    assert (await cast.lina.api.get(f"{API}/files/{stored['id']}")).status_code == 200


async def test_search_with_the_contract_parameters(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "搜索", "private", cast.lina)
    message = await post(cast.zhangwei, channel_id, "样机周五到货")
    await post(cast.lina, channel_id, "样机测试排期")
    found = await ok(await cast.lina.api.get(f"{API}/search", params={
        "q": "样机", "channel_id": channel_id, "sender_id": cast.zhangwei.id,
        "after": "2000-01-01T00:00:00Z", "before": "2100-01-01T00:00:00Z", "limit": 10}))
    has(found, "items", "total")
    assert found["total"] == 1
    [hit] = found["items"]
    has(hit, "message", "highlight")
    assert hit["message"]["id"] == message["id"]
    assert "<mark>" in hit["highlight"]
    outsider = await ok(await cast.wangfang.api.get(f"{API}/search", params={"q": "样机"}))
    assert outsider["total"] == 0


# --- Requests and approvals --------------------------------------------------------------

REQUEST_FIELDS = ("id", "number", "type_id", "department_id", "requester_id", "assignee_id",
                  "title", "status", "values", "created_at", "response_due_at",
                  "resolution_due_at", "first_response_at", "resolved_at", "breached",
                  "approval", "rating")


async def _request_type(cast: Cast, **extra: Any) -> dict[str, Any]:
    made: dict[str, Any] = await ok(await cast.lina.api.post(f"{API}/request-types", json={
        "name": "测试环境申请", "department_id": cast.departments["研发部"],
        "fields": [{"key": "env", "label": "环境", "type": "select", "required": True,
                    "options": ["staging", "demo"]},
                   {"key": "note", "label": "说明", "type": "text", "required": False}],
        "response_sla_hours": 2, "resolution_sla_hours": 16, **extra}), 201)
    return made


async def test_request_types_by_managers_and_listed_by_department(cast: Cast) -> None:
    made = await _request_type(cast)
    has(made, "id", "name", "department_id", "fields", "response_sla_hours",
        "resolution_sla_hours", "approval_flow_id")
    assert made["fields"][0]["options"] == ["staging", "demo"]
    refused = await cast.zhangwei.api.post(f"{API}/request-types", json={
        "name": "越权", "department_id": cast.departments["研发部"], "fields": [],
        "response_sla_hours": 2, "resolution_sla_hours": 16})
    assert refused.status_code == 403
    listed = await ok(await cast.zhangwei.api.get(
        f"{API}/request-types", params={"department_id": cast.departments["研发部"]}))
    assert [t["id"] for t in listed["items"]] == [made["id"]]


async def test_a_request_is_filed_listed_moved_assigned_and_rated(cast: Cast) -> None:
    kind = await _request_type(cast)
    channel_id = await create_channel(cast.zhangwei, "需求", "private")
    quoted = await post(cast.zhangwei, channel_id, "演示环境坏了")
    filed = await ok(await cast.zhangwei.api.post(f"{API}/requests", json={
        "type_id": kind["id"], "title": "演示环境需要重置", "description": "客户下周来访",
        "values": {"env": "demo"}, "source_message_id": quoted["id"]}), 201)
    has(filed, *REQUEST_FIELDS)
    assert (filed["status"], filed["values"], filed["breached"], filed["approval"]) == (
        "new", {"env": "demo", "note": None} if "note" in filed["values"] else {"env": "demo"},
        {"response": False, "resolution": False}, None)
    free = await ok(await cast.zhangwei.api.post(f"{API}/requests", json={
        "department_id": cast.departments["客服部"], "title": "客户投诉跟进"}), 201)
    assert free["type_id"] is None

    for params in ({"box": "mine"}, {"box": "all", "status": "new"},
                   {"department_id": cast.departments["研发部"]}):
        page = await ok(await cast.zhangwei.api.get(f"{API}/requests", params=params))
        assert filed["id"] in [r["id"] for r in page["items"]], params
    queue = await ok(await cast.lina.api.get(f"{API}/requests", params={"box": "queue"}))
    assert [r["id"] for r in queue["items"]] == [filed["id"]]
    watching = await ok(await cast.lina.api.get(f"{API}/requests", params={"box": "watching"}))
    assert watching["items"] == []
    assert (await cast.wangfang.api.get(f"{API}/requests/{filed['id']}")).status_code == 404

    request_id = filed["id"]
    assigned = await ok(await cast.lina.api.post(f"{API}/requests/{request_id}/assign",
                                                 json={"assignee_id": cast.lina.id}))
    assert assigned["assignee_id"] == cast.lina.id
    for person, action, reason, status in (
            (cast.lina, "accept", None, "accepted"), (cast.lina, "start", None, "in_progress"),
            (cast.lina, "wait", "需要客户的账号", "waiting"),
            (cast.lina, "resume", None, "in_progress"), (cast.lina, "resolve", None, "resolved"),
            (cast.zhangwei, "reopen", "还是打不开", "in_progress"),
            (cast.lina, "resolve", None, "resolved"), (cast.zhangwei, "confirm", None, "closed")):
        body: dict[str, Any] = {"action": action}
        if reason:
            body["reason"] = reason
        moved = await ok(await person.api.post(f"{API}/requests/{request_id}/transition",
                                               json=body))
        assert moved["status"] == status, (action, moved["status"])
    rated = await cast.zhangwei.api.post(f"{API}/requests/{request_id}/rating",
                                         json={"score": 5, "comment": "很快"})
    assert rated.status_code < 300, rated.text
    assert (await ok(await cast.zhangwei.api.get(f"{API}/requests/{request_id}")))[
        "rating"] == 5
    assert (await cast.zhangwei.api.post(f"{API}/requests/{request_id}/rating",
                                         json={"score": 4})).status_code == 409
    timeline = await ok(await cast.zhangwei.api.get(f"{API}/requests/{request_id}/timeline"))
    assert len(timeline["items"]) >= 9

    for action in ("reject", "withdraw"):
        other = await ok(await cast.zhangwei.api.post(f"{API}/requests", json={
            "department_id": cast.departments["研发部"], "title": f"要{action}的"}), 201)
        body = {"action": action, "reason": "不做"}
        actor = cast.lina if action == "reject" else cast.zhangwei
        moved = await ok(await actor.api.post(f"{API}/requests/{other['id']}/transition",
                                              json=body))
        assert moved["status"] == {"reject": "rejected", "withdraw": "withdrawn"}[action]


async def test_suggest_where_free_text_goes(cast: Cast) -> None:
    await _request_type(cast)
    answer = await ok(await cast.zhangwei.api.post(f"{API}/requests/suggest",
                                                   json={"text": "测试环境打不开，需要重置"}))
    has(answer, "departments", "types", "assignees")
    for department in answer["departments"]:
        has(department, "id", "score", "why")


async def test_the_business_calendar(cast: Cast) -> None:
    calendar = await ok(await cast.zhangwei.api.get(f"{API}/calendar"))
    has(calendar, "work_start", "work_end", "lunch_start", "lunch_end", "time_zone")
    changed = await ok(await cast.linxiaoyan.api.put(f"{API}/calendar", json={
        "work_start": "09:00", "work_end": "18:00", "lunch_start": "12:00",
        "lunch_end": "13:00", "time_zone": "Asia/Shanghai"}))
    assert changed["lunch_end"] == "13:00"
    assert (await cast.zhangwei.api.put(f"{API}/calendar", json={
        "work_start": "09:00", "work_end": "18:00", "lunch_start": None, "lunch_end": None,
        "time_zone": "Asia/Shanghai"})).status_code == 403
    days = await ok(await cast.zhangwei.api.get(f"{API}/calendar/days", params={
        "from": "2026-09-28", "to": "2026-10-11"}))
    assert [d["working"] for d in days["items"]][3:8] == [False] * 5  # 国庆
    day = await ok(await cast.linxiaoyan.api.put(f"{API}/calendar/days/2026-12-31",
                                                 json={"working": False, "note": "年会"}))
    assert (day["working"], day["note"]) == (False, "年会")
    due = await ok(await cast.zhangwei.api.get(f"{API}/calendar/due", params={
        "start": "2026-12-29T17:00:00+08:00", "hours": 2}))
    # 17:00–18:00 on the 29th, then 09:00–10:00 on the 30th (02:00 UTC).
    assert due["due_at"] == "2026-12-30T02:00:00Z"


async def test_an_approval_flow_runs_and_is_decided(cast: Cast) -> None:
    flow = await ok(await cast.linxiaoyan.api.post(f"{API}/approval-flows", json={
        "name": "环境审批", "steps": [
            {"mode": "one", "approvers": [{"manager_of": "requester_department"}]},
            {"mode": "any", "approvers": [{"user_id": cast.wangfang.id},
                                          {"manager_of": cast.departments["研发部"]}]}]}), 201)
    has(flow, "id", "name", "steps")
    kind = await _request_type(cast, approval_flow_id=flow["id"])
    filed = await ok(await cast.liuyang.api.post(f"{API}/requests", json={
        "type_id": kind["id"], "title": "演示环境", "values": {"env": "demo"}}), 201)
    has(filed["approval"], "status", "steps")
    assert filed["approval"]["status"] == "pending"

    todo = await ok(await cast.zhangwei.api.get(f"{API}/approvals", params={"box": "todo"}))
    [item] = todo["items"]
    decided = await ok(await cast.zhangwei.api.post(
        f"{API}/approvals/{item['task']['id']}/decide", json={"decision": "approve"}))
    assert decided["task"]["state"] == "approved"
    done = await ok(await cast.zhangwei.api.get(f"{API}/approvals", params={"box": "done"}))
    assert [i["task"]["id"] for i in done["items"]] == [item["task"]["id"]]
    mine = await ok(await cast.liuyang.api.get(f"{API}/approvals", params={"box": "mine"}))
    assert len(mine["items"]) == 1
    [second] = (await ok(await cast.wangfang.api.get(f"{API}/approvals")))["items"]
    returned = await ok(await cast.wangfang.api.post(
        f"{API}/approvals/{second['task']['id']}/decide",
        json={"decision": "return", "comment": "请写明用途"}))
    assert returned["approval"]["status"] == "returned"
    assert (await ok(await cast.liuyang.api.get(f"{API}/requests/{filed['id']}")))[
        "approval"]["status"] == "returned"


# --- Projects, tasks and goals -----------------------------------------------------------

TASK_FIELDS = ("id", "number", "project_id", "title", "status", "assignee_id", "start_at",
               "due_at", "priority", "parent_id", "rank", "labels", "dependencies",
               "source_message_id")


async def _project(cast: Cast, **extra: Any) -> dict[str, Any]:
    made: dict[str, Any] = await ok(await cast.zhangwei.api.post(f"{API}/projects", json={
        "name": "Q4 新品发布", "member_ids": [cast.lina.id],
        "department_ids": [cast.departments["华东区"]], "visibility": "members", **extra}), 201)
    return made


async def _task(person: Person, project_id: int, title: str, **body: Any) -> dict[str, Any]:
    made: dict[str, Any] = await ok(await person.api.post(
        f"{API}/projects/{project_id}/tasks", json={"title": title, **body}), 201)
    return made


async def test_projects_are_made_with_a_channel_and_seen_by_their_members(cast: Cast) -> None:
    project = await _project(cast)
    has(project, "id", "name", "channel_id", "visibility")
    assert project["channel_id"] is not None
    from_template = await _project(cast, template="product_launch")
    assert from_template["id"] != project["id"]
    mine = await ok(await cast.liuyang.api.get(f"{API}/projects"))
    assert {p["id"] for p in mine["items"]} == {project["id"], from_template["id"]}
    assert (await ok(await cast.lina.api.get(f"{API}/projects/{project['id']}")))[
        "id"] == project["id"]
    assert (await cast.wangfang.api.get(f"{API}/projects/{project['id']}")).status_code == 404
    company = await _project(cast, visibility="company")
    assert (await cast.wangfang.api.get(f"{API}/projects/{company['id']}")).status_code == 200


async def test_a_task_as_the_contract_has_it(cast: Cast) -> None:
    project = await _project(cast)
    await cast.zhangwei.api.put(f"{API}/projects/{project['id']}/labels",
                                json={"labels": [{"name": "官网", "color": "blue"}]})
    parent = await _task(cast.zhangwei, project["id"], "发布会筹备")
    task = await _task(cast.zhangwei, project["id"], "官网落地页", description="首屏与报名",
                       assignee_id=cast.lina.id, start_at="2026-12-01", due_at="2026-12-11",
                       priority="high", parent_id=parent["id"], labels=["官网"])
    has(task, *TASK_FIELDS)
    assert (task["project_id"], task["assignee_id"], task["priority"], task["parent_id"],
            task["labels"], task["dependencies"], task["source_message_id"]) == (
        project["id"], cast.lina.id, "high", parent["id"], ["官网"], [], None)
    assert task["start_at"].startswith("2026-12-01")
    assert task["due_at"].startswith("2026-12-11")
    assert task["status"] == "待处理"

    got = await ok(await cast.lina.api.get(f"{API}/tasks/{task['id']}"))
    has(got, *TASK_FIELDS)
    changed = await ok(await cast.lina.api.patch(f"{API}/tasks/{task['id']}", json={
        "title": "官网落地页 v2", "priority": "urgent", "due_at": "2026-12-12"}))
    assert (changed["title"], changed["priority"]) == ("官网落地页 v2", "urgent")
    assert (await cast.wangfang.api.get(f"{API}/tasks/{task['id']}")).status_code == 404


async def test_task_dates_may_be_given_as_times(cast: Cast) -> None:
    """The contract's times are ISO 8601 instants; a task's dates are days: a time gives
    its day as written."""
    project = await _project(cast)
    task = await _task(cast.zhangwei, project["id"], "样机测试",
                       start_at="2026-12-01T09:00:00+08:00", due_at="2026-12-11T18:00:00Z")
    assert (task["start_at"], task["due_at"]) == ("2026-12-01", "2026-12-11")
    for wrong in ("2026-12-11T99:00:00Z", "2026-12-11Tnoon", "2026-13-01T09:00:00Z", 20261211):
        refused = await cast.zhangwei.api.post(f"{API}/projects/{project['id']}/tasks",
                                               json={"title": "坏日期", "due_at": wrong})
        assert (refused.status_code, error_code(refused)) == (422, "invalid"), wrong


async def test_board_and_kanban_moves_by_status(cast: Cast) -> None:
    project = await _project(cast)
    first = await _task(cast.zhangwei, project["id"], "样机测试")
    second = await _task(cast.zhangwei, project["id"], "报价单")
    board = await ok(await cast.lina.api.get(f"{API}/projects/{project['id']}/board"))
    has(board, "columns")
    for column in board["columns"]:
        has(column, "status", "tasks")
    todo, doing = board["columns"][0], board["columns"][1]
    assert [t["id"] for t in todo["tasks"]] == [first["id"], second["id"]]
    for card in todo["tasks"]:
        assert card["status"] == todo["status"]["name"]

    # `status` as the contract's client would name a column: its name (what a task's
    # `status` says) or its category; `status_id` is its id.
    moved = await ok(await cast.lina.api.post(f"{API}/tasks/{first['id']}/move",
                                              json={"status": doing["status"]["name"]}))
    assert (moved["status"], moved["status_id"]) == (doing["status"]["name"],
                                                     doing["status"]["id"])
    moved = await ok(await cast.lina.api.post(f"{API}/tasks/{second['id']}/move", json={
        "status": moved["status"], "after_id": first["id"]}))
    assert moved["status_id"] == doing["status"]["id"]
    board = await ok(await cast.lina.api.get(f"{API}/projects/{project['id']}/board"))
    assert [t["id"] for t in board["columns"][1]["tasks"]] == [first["id"], second["id"]]
    done = await ok(await cast.lina.api.post(f"{API}/tasks/{first['id']}/move",
                                             json={"status": "done"}))
    assert done["category"] == "done"
    assert done["status"] == next(c["status"]["name"] for c in board["columns"]
                                  if c["status"]["category"] == "done")
    # And our own form still.
    ours = await ok(await cast.lina.api.post(f"{API}/tasks/{first['id']}/move", json={
        "status_id": doing["status"]["id"], "after_id": None}))
    assert ours["status_id"] == doing["status"]["id"]

    for wrong in ({"status": "没有这一列"}, {"status": doing["status"]}, {},
                  {"status": "done", "status_id": doing["status"]["id"]}):
        refused = await cast.lina.api.post(f"{API}/tasks/{first['id']}/move", json=wrong)
        assert refused.status_code == 422, (wrong, refused.text)
        error_code(refused)
    assert (await cast.wangfang.api.post(f"{API}/tasks/{first['id']}/move",
                                         json={"status": "done"})).status_code == 404


async def test_gantt_dependencies_and_cycles(cast: Cast) -> None:
    project = await _project(cast)
    design = await _task(cast.zhangwei, project["id"], "设计", start_at="2026-12-01",
                         due_at="2026-12-03")
    build = await _task(cast.zhangwei, project["id"], "开发", start_at="2026-12-04",
                        due_at="2026-12-10")
    linked = await cast.zhangwei.api.post(f"{API}/tasks/{build['id']}/dependencies",
                                          json={"depends_on_id": design["id"]})
    assert linked.status_code in (200, 201), linked.text
    assert linked.json()["dependencies"] == [design["id"]]
    cycle = await cast.zhangwei.api.post(f"{API}/tasks/{design['id']}/dependencies",
                                         json={"depends_on_id": build["id"]})
    assert cycle.status_code == 422
    gantt = await ok(await cast.zhangwei.api.get(f"{API}/projects/{project['id']}/gantt"))
    has(gantt, "tasks", "critical_path")
    for bar in gantt["tasks"]:
        has(bar, "id", "start", "end", "dependencies")
    assert gantt["critical_path"] == [design["id"], build["id"]]


async def test_my_work_overdue_and_soon(cast: Cast) -> None:
    project = await _project(cast)
    late = await _task(cast.zhangwei, project["id"], "逾期的", assignee_id=cast.lina.id,
                       due_at="2020-01-01")
    await _task(cast.zhangwei, project["id"], "别人的", assignee_id=cast.zhangwei.id,
                due_at="2020-01-01")
    mine = await ok(await cast.lina.api.get(f"{API}/tasks", params={"assignee": "me"}))
    assert [t["id"] for t in mine["items"]] == [late["id"]]
    overdue = await ok(await cast.lina.api.get(f"{API}/tasks", params={
        "assignee": "me", "due": "overdue"}))
    assert [t["id"] for t in overdue["items"]] == [late["id"]]
    soon = await ok(await cast.lina.api.get(f"{API}/tasks", params={
        "assignee": "me", "due": "soon"}))
    assert soon["items"] == []
    for card in mine["items"]:
        assert card["status"] == "待处理"


async def test_a_task_from_a_message(cast: Cast) -> None:
    project = await _project(cast)
    message = await post(cast.zhangwei, project["channel_id"], "周五前把报价单发给客户\n附上折扣")
    task = await ok(await cast.zhangwei.api.post(f"{API}/messages/{message['id']}/task", json={
        "project_id": project["id"], "assignee_id": cast.lina.id, "due_at": "2026-12-11"}), 201)
    has(task, *TASK_FIELDS)
    assert (task["title"], task["source_message_id"]) == ("周五前把报价单发给客户",
                                                          message["id"])


async def test_objectives_key_results_check_ins_and_the_tree(cast: Cast) -> None:
    company = await ok(await cast.linxiaoyan.api.post(f"{API}/objectives", json={
        "title": "新品成功上市", "level": "company", "owner_id": cast.zhoujianguo.id,
        "period": PERIOD}), 201)
    has(company, "id", "title", "level", "owner_id", "period", "progress")
    sales = await ok(await cast.zhangwei.api.post(f"{API}/objectives", json={
        "title": "华东区签约", "level": "department", "owner_id": cast.zhangwei.id,
        "department_id": cast.departments["销售部"], "parent_id": company["id"],
        "period": PERIOD}), 201)
    assert sales["parent_id"] == company["id"]
    own = await ok(await cast.liuyang.api.post(f"{API}/objectives", json={
        "title": "个人成长", "level": "person", "owner_id": cast.liuyang.id,
        "period": PERIOD}), 201)
    assert own["level"] == "person"
    refused = await cast.liuyang.api.post(f"{API}/objectives", json={
        "title": "公司目标", "level": "company", "owner_id": cast.liuyang.id, "period": PERIOD})
    assert refused.status_code == 403

    metric = await ok(await cast.zhangwei.api.post(
        f"{API}/objectives/{sales['id']}/key-results", json={
            "title": "签约客户", "kind": "metric", "start": 0, "target": 50, "unit": "家",
            "weight": 2}), 201)
    has(metric, "id", "title", "kind", "start", "target", "unit", "weight", "progress")
    assert (metric["kind"], metric["target"], metric["objective_id"]) == ("metric", 50,
                                                                          sales["id"])
    project = await _project(cast)
    task = await _task(cast.zhangwei, project["id"], "签约仪式")
    counted = await ok(await cast.zhangwei.api.post(
        f"{API}/objectives/{sales['id']}/key-results", json={
            "title": "完成签约任务", "kind": "tasks", "task_ids": [task["id"]]}), 201)
    assert counted["task_ids"] == [task["id"]]

    checked = await ok(await cast.zhangwei.api.post(
        f"{API}/key-results/{metric['id']}/check-ins",
        json={"current": 25, "confidence": 7, "note": "过半"}), 201)
    has(checked, "id", "progress")
    assert checked["progress"] == pytest.approx(0.5)

    tree = await ok(await cast.zhangwei.api.get(f"{API}/objectives", params={
        "period": PERIOD, "tree": "true"}))
    [top] = [o for o in tree["items"] if o["id"] == company["id"]]
    assert [c["id"] for c in top["children"]] == [sales["id"]]
    [child] = top["children"]
    assert 0 < child["progress"] < 1
    assert 0 < top["progress"] <= child["progress"]
    assert all(0 <= o["progress"] <= 1 for o in tree["items"])
