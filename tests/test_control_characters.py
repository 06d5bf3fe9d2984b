"""One rule for control characters in all text input (`core.text.control_character_in`,
applied to every request by `app.ControlCharacters`): no C0 control but tab, line feed and
carriage return, no DEL, no C1 control, no unpaired surrogate — in any JSON body field, any
query parameter, any path parameter. Such input is a 422 `control_characters` naming where,
never a 500 (PostgreSQL refuses a NUL in text; no database can store a lone surrogate) and
never a write. Tabs, line breaks and emoji (even sent as JSON surrogate pairs) are text."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.api_inputs import (
    JSON,
    Operation,
    Unchanged,
    World,
    kind,
    operations,
    problem_locs,
    refused,
    resolved,
    snapshot,
)
from tests.helpers import Cast, create_channel, post
from tests.realtime.wsclient import Socket

API = "/api/v1"
NUL = "\u0000"


def control_refusal(response: httpx.Response, *locs: list[Any]) -> None:
    """A 422 `control_characters` naming exactly `locs`."""
    refused(response, 422, "control_characters")
    assert problem_locs(response) == list(locs), response.text


# --- the sweep: every endpoint, every input --------------------------------------------------

async def test_every_input_of_every_endpoint_refuses_nul(world: World,
                                                         unchanged: Unchanged) -> None:
    """Read the endpoints and their inputs from the OpenAPI document; for each, send a
    request that is valid except for a NUL in one input (each path parameter, each query
    parameter, each field of the JSON body, in turn)."""
    document = world.document
    failures: list[tuple[str, list[Any], int, str]] = []
    swept: dict[str, int] = {}
    before = await snapshot(world)

    async def attempt(operation: Operation, loc: list[Any], path: str,
                      params: dict[str, Any], body: dict[str, Any] | None) -> None:
        response = await world.api.request(operation.method, path, params=params, json=body)
        swept[operation.id] = swept.get(operation.id, 0) + 1
        if (response.status_code != 422 or response.json()["error"]["code"]
                != "control_characters" or problem_locs(response) != [loc]):
            failures.append((operation.id, loc, response.status_code, response.text[:300]))

    async with unchanged:
        for operation in operations(document):
            query, body = world.query(operation), world.body(operation)
            for parameter in operation.parameters:
                if parameter.where == "path":
                    await attempt(operation, ["path", parameter.name],
                                  world.path(operation, **{parameter.name: "1%00"}),
                                  query, body)
                else:
                    bad = [NUL] if kind(document, parameter.schema) == "array" else NUL
                    await attempt(operation, ["query", parameter.name], world.path(operation),
                                  {**query, parameter.name: bad}, body)
            for name, schema in (operation.body or {}).get("properties", {}).items():
                # Text fields get valid text with a NUL; others a NUL where their value goes
                # (refused either way, but the text fields are the ones that reached SQL).
                field_kind = kind(document, schema)
                if field_kind == "array":
                    value: Any = [f"{world.value(name, resolved(document, schema)['items'])}{NUL}"]
                    loc: list[Any] = ["body", name, 0]
                else:
                    value, loc = f"{world.value(name, schema)}{NUL}", ["body", name]
                await attempt(operation, loc, world.path(operation), query,
                              {**(body or {}), name: value})
        assert failures == []
    assert await snapshot(world) == before
    # Every endpoint with a path or query parameter or a JSON body was swept.
    with_inputs = {op.id for op in operations(document) if op.parameters or op.body}
    assert set(swept) == with_inputs
    assert sum(swept.values()) > 60, swept


# --- the places reported -----------------------------------------------------------------------

async def test_message_text_and_client_msg_id_with_nul_are_refused(world: World,
                                                                   unchanged: Unchanged) -> None:
    api = world.api
    messages = f"{API}/channels/{world.ids['channel_id']}/messages"
    message = f"{API}/messages/{world.ids['message_id']}"
    before = await snapshot(world)
    async with unchanged:
        control_refusal(await api.post(messages, json={"text": "报价\x00单"}), ["body", "text"])
        control_refusal(await api.post(messages, json={"text": "\x00"}), ["body", "text"])
        control_refusal(await api.post(messages, json={"text": "好", "client_msg_id": "a\x00"}),
                        ["body", "client_msg_id"])
        control_refusal(await api.patch(message, json={"text": "改\x00过"}), ["body", "text"])
        # Every place is named, not just the first.
        control_refusal(await api.post(messages, json={"text": "\x00", "client_msg_id": "\x00"}),
                        ["body", "text"], ["body", "client_msg_id"])
        # In document order, up to 20 of them (a reply does not grow with the body).
        control_refusal(await api.post(f"{API}/dms", json={"user_ids": ["\x00"] * 25}),
                        *[["body", "user_ids", index] for index in range(20)])
    assert await snapshot(world) == before
    assert (await api.get(f"{message}/history")).json()["items"] == []


async def test_channel_topic_and_description_with_nul_are_refused(world: World,
                                                                  unchanged: Unchanged) -> None:
    api = world.api
    channel = f"{API}/channels/{world.ids['channel_id']}"
    before = await snapshot(world)
    async with unchanged:
        for field in ("topic", "description"):
            control_refusal(await api.patch(channel, json={field: "本周\x00目标"}),
                            ["body", field])
            control_refusal(await api.post(f"{API}/channels", json={
                "name": "新频道", field: "\x00"}), ["body", field])
    assert await snapshot(world) == before


async def test_a_reaction_emoji_with_nul_is_refused(world: World,
                                                    unchanged: Unchanged) -> None:
    api = world.api
    reactions = f"{API}/messages/{world.ids['message_id']}/reactions"
    assert (await api.put(f"{reactions}/👍")).status_code == 204
    before = await snapshot(world)
    async with unchanged:
        for emoji in ("%00", "👍%00", "%F0%9F%91%8D%00", "%7F", "%C2%85"):
            control_refusal(await api.put(f"{reactions}/{emoji}"), ["path", "emoji"])
            control_refusal(await api.delete(f"{reactions}/{emoji}"), ["path", "emoji"])
    assert await snapshot(world) == before
    assert (await api.get(f"{API}/messages/{world.ids['message_id']}")).json()["reactions"] == {
        "👍": [world.cast.zhoujianguo.id]}


async def test_audit_filters_with_nul_are_refused(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    for name in ("action", "target", "cursor", "since"):
        control_refusal(await admin.get(f"{API}/audit", params={name: "login\x00"}),
                        ["query", name])
    control_refusal(await admin.get(f"{API}/audit?action=%00&target=%01"),
                    ["query", "action"], ["query", "target"])
    # The filters still work.
    found = await admin.get(f"{API}/audit", params={"action": "login."})
    assert found.status_code == 200, found.text


async def test_other_paths_and_queries_are_checked_too(cast: Cast) -> None:
    api = cast.zhangwei.api
    # A path no route takes, and one that is no API at all: the path is named as a whole.
    control_refusal(await api.get(f"{API}/nope%00"), ["path"])
    control_refusal(await api.get("/some%01page"), ["path"])
    # Parameter names, repeated parameters, C1 controls and DEL, anonymous callers.
    control_refusal(await api.get(f"{API}/users?q%00=1"), ["query", "q\ufffd"])
    control_refusal(await api.get(f"{API}/search?q=a&q=%00"), ["query", "q"])
    control_refusal(await api.get(f"{API}/users", params={"q": "张\x85伟"}), ["query", "q"])
    control_refusal(await api.get(f"{API}/users", params={"q": "张伟\x7f"}), ["query", "q"])
    async with httpx.AsyncClient(transport=cast.client._transport,
                                 base_url=cast.client.base_url) as anonymous:
        control_refusal(await anonymous.get(f"{API}/users/1%00"), ["path", "user_id"])
    # What stays allowed: tabs and line breaks, text that only mentions escapes, U+FFFD.
    for q in ("张\t伟", "张\n伟", "%00", "\\u0000", "\ufffd", "%ED%A0%80"):
        assert (await api.get(f"{API}/search", params={"q": q})).status_code == 200, q
    assert (await api.get(f"{API}/search?q=%ED%A0%80")).status_code == 200


async def test_the_refusal_speaks_chinese(cast: Cast) -> None:
    response = await cast.zhangwei.api.get(f"{API}/users", params={"q": "\x00"},
                                           headers={"accept-language": "zh-CN,zh;q=0.9"})
    refused(response, 422, "control_characters")
    assert response.json()["error"]["message"] == (
        "文本中不能含有控制字符（制表符和换行除外）或残缺的 Unicode 字符。")
    english = await cast.zhangwei.api.get(f"{API}/users", params={"q": "\x00"})
    assert english.json()["error"]["message"].isascii()
    assert response.headers["x-content-type-options"] == "nosniff"


# --- what counts: surrogates, escapes, whitespace, raw bytes -------------------------------------

async def test_lone_surrogates_are_refused(world: World, unchanged: Unchanged) -> None:
    api = world.api
    messages = f"{API}/channels/{world.ids['channel_id']}/messages"
    async with unchanged:
        for text in (b'"\\ud800"', b'"a\\udfff"', b'"\\ud83d x"', b'"\\ude00\\ud83d"',
                     b'"\\uD83D"', b'"\\\\\\ud800"'):
            control_refusal(await api.post(messages, content=b'{"text": ' + text + b"}",
                                           headers=JSON), ["body", "text"])
        # In a key (refused by name, with the surrogate shown as U+FFFD), deep inside a value.
        control_refusal(await api.post(messages, content=b'{"text": "x", "\\ud800": 1}',
                                       headers=JSON), ["body", "\ufffd"])
        control_refusal(await api.post(f"{API}/dms", content=(
            b'{"user_ids": [1, {"a": ["\\udc00"]}]}'), headers=JSON),
            ["body", "user_ids", 1, "a", 0])
        control_refusal(await api.patch(f"{API}/channels/{world.ids['channel_id']}",
                                        content=b'{"topic": "\\udbff"}', headers=JSON),
                        ["body", "topic"])


async def test_emoji_as_surrogate_pairs_and_escaped_backslashes_are_text(world: World) -> None:
    api = world.api
    messages = f"{API}/channels/{world.ids['channel_id']}/messages"
    for raw, text in ((b'"\\ud83d\\ude00 \\uD83C\\uDF38 ok"', "😀 🌸 ok"),
                      (b'"C:\\\\u0000\\\\ud800"', "C:\\u0000\\ud800"),
                      (b'"\\u00a0\\u00ff\\u4f60\\u597d"', "\u00a0\u00ff你好")):
        response = await api.post(messages, content=b'{"text": ' + raw + b"}", headers=JSON)
        assert response.status_code == 201, response.text
        assert response.json()["text"] == text
        fetched = await api.get(f"{API}/messages/{response.json()['id']}")
        assert fetched.json()["text"] == text
    # Sent by a client that escapes everything (Python's json.dumps does).
    response = await api.patch(f"{API}/channels/{world.ids['channel_id']}",
                               content=json.dumps({"topic": "冲刺 🚀"}).encode(), headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["topic"] == "冲刺 🚀"


async def test_tabs_and_line_breaks_are_text(world: World) -> None:
    api = world.api
    messages = f"{API}/channels/{world.ids['channel_id']}/messages"
    for text in ("第一行\n第二行", "名称\t数量\n苹果\t3", "windows\r\nline", "\u0009\u000a好"):
        sent = await post(world.cast.zhoujianguo, world.ids["channel_id"], text)
        assert sent["text"] == text
    # Escaped or raw, the same.
    response = await api.post(messages, content=b'{"text": "a\\u0009b\\u000ac\\u000dd"}',
                              headers=JSON)
    assert response.status_code == 201, response.text
    assert response.json()["text"] == "a\tb\nc\rd"


async def test_raw_del_and_c1_bytes_in_a_body_are_refused(world: World,
                                                          unchanged: Unchanged) -> None:
    messages = f"{API}/channels/{world.ids['channel_id']}/messages"
    async with unchanged:
        for text in ("a\x7fb", "a\x85b", "\x9b31m红"):
            body = json.dumps({"text": text}, ensure_ascii=False).encode()
            assert b"\\u" not in body  # sent as raw UTF-8
            control_refusal(await world.api.post(messages, content=body, headers=JSON),
                            ["body", "text"])
        # JSON's own rule for raw C0 bytes stands: not JSON at all.
        refused(await world.api.post(messages, content=b'{"text": "a\x00b"}', headers=JSON),
                400, "bad_json")


async def test_json_in_utf16_or_utf32_is_checked_too(world: World,
                                                     unchanged: Unchanged) -> None:
    """JSON parsing (and so the routes) reads UTF-16 and UTF-32 bodies as well as UTF-8; a
    quick look for UTF-8 bytes alone would let their escapes through."""
    messages = f"{API}/channels/{world.ids['channel_id']}/messages"
    async with unchanged:
        for encoding in ("utf-16", "utf-16-le", "utf-32", "utf-32-be"):
            for text in ("a\x00b", "a\x85b", "\x7f"):
                for ascii_only in (True, False):
                    body = json.dumps({"text": text}, ensure_ascii=ascii_only).encode(encoding)
                    control_refusal(await world.api.post(messages, content=body, headers=JSON),
                                    ["body", "text"])
            refused(await world.api.post(messages, content=(
                b'{"text": "\\ud800"}'.decode().encode(encoding)), headers=JSON),
                422, "control_characters")
    sent = await world.api.post(messages, content=json.dumps(
        {"text": "好 🌸"}, ensure_ascii=False).encode("utf-16"), headers=JSON)
    assert sent.status_code == 201, sent.text
    assert sent.json()["text"] == "好 🌸"


async def test_bodies_that_are_not_json_are_left_to_the_route(world: World) -> None:
    api = world.api
    messages = f"{API}/channels/{world.ids['channel_id']}/messages"
    # Not JSON (a hit of the quick scan, but no parse): the route's own 400.
    refused(await api.post(messages, content=b'{"text": "\\u0000', headers=JSON),
            400, "bad_json")
    # Not declared JSON: never read as JSON, so not ours to judge.
    refused(await api.post(messages, content=b'{"text": "\\u0000"}',
                           headers={"content-type": "text/plain"}), 422, "invalid")
    # Declared JSON in another spelling.
    control_refusal(await api.post(messages, content=b'{"text": "\\u0000"}',
                                   headers={"content-type": "Application/JSON; charset=utf-8"}),
                    ["body", "text"])
    control_refusal(await api.post(messages, content=b'{"text": "\\u0000"}',
                                   headers={"content-type": "application/merge-patch+json"}),
                    ["body", "text"])


# --- inputs outside JSON: uploads, sockets ------------------------------------------------------

def multipart(filename: bytes, extra: bytes = b"") -> tuple[bytes, dict[str, str]]:
    """A multipart body with the file name as raw bytes (clients may send anything)."""
    boundary = b"xietongboundary"
    body = (b"--" + boundary + b"\r\n"
            b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
            b"Content-Type: text/plain\r\n\r\nhello\r\n" + extra +
            b"--" + boundary + b"--\r\n")
    return body, {"content-type": f"multipart/form-data; boundary={boundary.decode()}"}


async def test_upload_names_are_cleaned_not_refused(cast: Cast) -> None:
    """A file name comes from the sender's disk, not from typing: its control characters are
    dropped (`files.actions.clean_file_name`) and the upload goes ahead."""
    api = cast.lina.api
    note = (b"--xietongboundary\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
            b"\x00\x01\r\n")
    for raw, name in ((b"\xe6\x8a\xa5\x00\xe4\xbb\xb7.txt", "报价.txt"),
                      (b"a\x01\x7f\xc2\x85b.txt", "ab.txt"),
                      (b"\xed\xa0\x80x.txt", None)):
        body, headers = multipart(raw, note)
        response = await api.post(f"{API}/files", content=body, headers=headers)
        assert response.status_code == 201, response.text
        stored = response.json()["name"]
        if name is not None:
            assert stored == name
        assert stored.endswith("x.txt") or name is not None
        assert not any(c < " " or "\x7f" <= c <= "\x9f" or "\ud800" <= c <= "\udfff"
                       for c in stored), stored
        download = await api.get(f"{API}/files/{response.json()['id']}")
        assert download.status_code == 200
        assert download.content == b"hello"


async def test_socket_frames_with_control_characters_get_an_error_frame(
        cast: Cast, live_server: str) -> None:
    socket = await Socket.open(live_server, cast.lina.token)
    try:
        for raw in ('{"type": "ping\\u0000"}', '{"type": "\\ud800"}',
                    '{"type": "presence", "status": "online\\u0000"}',
                    '{"type": "typing", "channel_id": "\\u0000"}',
                    '{"type": "watch_presence", "user_ids": ["\\udfff"]}'):
            await socket.connection.send(raw)
            frame = await socket.next_frame()
            assert frame["type"] == "error", (raw, frame)
        await socket.send({"type": "ping"})
        assert (await socket.wait_for("pong"))["type"] == "pong"
    finally:
        await socket.close()


async def test_a_refused_message_reaches_nobody(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "销售周会", "private", cast.lina)
    response = await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/messages",
                                            json={"text": "季度\x00目标", "client_msg_id": "m1"})
    control_refusal(response, ["body", "text"])
    page = (await cast.lina.api.get(f"{API}/channels/{channel_id}/messages")).json()
    assert page["items"] == []
    # The same client_msg_id is still free: the refusal stored nothing under it.
    sent = await post(cast.zhangwei, channel_id, "季度目标", client_msg_id="m1")
    assert sent["text"] == "季度目标"
