"""Numbers and yes/no in JSON bodies are taken only as what they are: an id or a count must
be a JSON integer (not `true`, not "1", not 1.0) and a flag a JSON boolean (not "true", not
1). Lax parsing read `file_ids: [true]` as file 1 and `expires_in_days: true` as one day, so
a client's mistake quietly acted on a real row. Path and query parameters arrive as text and
are still parsed from digits (and "true" is no number there either)."""

from __future__ import annotations

from typing import Any

from tests.api_inputs import (
    Unchanged,
    World,
    kind,
    operations,
    problem_locs,
    refused,
    resolved,
    snapshot,
)
from tests.helpers import Cast

API = "/api/v1"
# What each JSON type must not be taken for.
NOT_AN_INTEGER: list[Any] = [True, False, "1", 1.0, "1.0"]
NOT_A_BOOLEAN: list[Any] = ["true", "false", 1, 0, 1.0, "1"]


async def test_every_number_and_flag_in_every_body_is_strict(world: World,
                                                             unchanged: Unchanged) -> None:
    """From the OpenAPI document: every integer, boolean or integer-list field of every JSON
    body, each wrong value in turn, the rest of the request valid."""
    document = world.document
    swept: set[tuple[str, str]] = set()
    failures: list[tuple[str, str, Any, int, str]] = []
    before = await snapshot(world)
    async with unchanged:
        for operation in operations(document):
            if operation.body is None:
                continue
            base = world.body(operation) or {}
            for name, schema in operation.body["properties"].items():
                field_kind = kind(document, schema)
                if field_kind == "array":
                    field_kind = "list of " + kind(document, resolved(document, schema)["items"])
                wrong: list[Any]
                if field_kind == "integer":
                    wrong, loc = NOT_AN_INTEGER, ["body", name]
                elif field_kind == "boolean":
                    wrong, loc = NOT_A_BOOLEAN, ["body", name]
                elif field_kind == "list of integer":
                    wrong, loc = [[value] for value in NOT_AN_INTEGER], ["body", name, 0]
                else:
                    continue
                swept.add((operation.id, name))
                for value in wrong:
                    response = await world.api.request(
                        operation.method, world.path(operation), params=world.query(operation),
                        json={**base, name: value})
                    if (response.status_code != 422
                            or response.json()["error"]["code"] != "invalid"
                            or loc not in problem_locs(response)):
                        failures.append((operation.id, name, value, response.status_code,
                                         response.text[:200]))
        assert failures == []
    assert await snapshot(world) == before
    assert {("post_message", "file_ids"), ("post_message", "thread_root_id"),
            ("post_message", "ack_required"), ("create_api_token", "expires_in_days"),
            ("update_channel", "archived"), ("update_user", "active"),
            ("mark_read", "message_id"), ("open_dm", "user_ids"),
            ("create_department", "position")} <= swept
    assert len(swept) >= 20, sorted(swept)


async def test_file_ids_must_be_integers(world: World, unchanged: Unchanged) -> None:
    api = world.api
    messages = f"{API}/channels/{world.ids['channel_id']}/messages"
    file_id = world.ids["file_id"]
    before = await snapshot(world)
    async with unchanged:
        for file_ids in ([True], [str(file_id)], [float(file_id)], [f"{file_id}.0"],
                         [file_id, True]):
            response = await api.post(messages, json={"text": "附件", "file_ids": file_ids})
            refused(response, 422, "invalid")
            assert ["body", "file_ids", len(file_ids) - 1] in problem_locs(response)
    assert await snapshot(world) == before
    sent = await api.post(messages, json={"text": "附件", "file_ids": [file_id]})
    assert sent.status_code == 201, sent.text
    assert sent.json()["file_ids"] == [file_id]


async def test_token_lifetimes_must_be_integers(cast: Cast) -> None:
    api = cast.zhangwei.api
    for days in (True, False, "30", 30.0, "30.0", 1.5):
        response = await api.post(f"{API}/tokens", json={"name": "脚本", "expires_in_days": days})
        refused(response, 422, "invalid")
        assert problem_locs(response) == [["body", "expires_in_days"]], days
    assert (await api.get(f"{API}/tokens")).json()["items"] == []
    made = await api.post(f"{API}/tokens", json={"name": "脚本", "expires_in_days": 30})
    assert made.status_code == 201, made.text
    assert made.json()["expires_at"] is not None


async def test_flags_must_be_booleans(world: World, unchanged: Unchanged) -> None:
    api = world.api
    channel = f"{API}/channels/{world.ids['channel_id']}"
    before = await snapshot(world)
    async with unchanged:
        for value in ("true", 1, "yes", "on"):
            refused(await api.patch(channel, json={"archived": value}), 422, "invalid")
            refused(await api.post(f"{channel}/messages", json={
                "text": "请确认", "ack_required": value}), 422, "invalid")
            refused(await api.patch(f"{API}/users/{world.cast.liuyang.id}",
                                    json={"active": value}), 422, "invalid")
    assert await snapshot(world) == before
    sent = await api.post(f"{channel}/messages", json={"text": "请确认", "ack_required": True})
    assert sent.status_code == 201, sent.text
    assert sent.json()["ack_required"] is True


async def test_numbers_in_paths_and_queries_are_still_parsed_from_text(world: World) -> None:
    api = world.api
    channel_id, sales = world.ids["channel_id"], world.cast.departments["销售部"]
    ok = await api.get(f"{API}/channels/{channel_id}/messages", params={"limit": "10"})
    assert ok.status_code == 200, ok.text
    found = await api.get(f"{API}/users", params={"department_id": str(sales),
                                                 "include_inactive": "true"})
    assert found.status_code == 200, found.text
    assert world.cast.zhangwei.id in [u["id"] for u in found.json()["items"]]
    assert (await api.get(f"{API}/channels/{channel_id}")).status_code == 200
    # "true" is no number in a URL either.
    refused(await api.get(f"{API}/channels/true"), 422, "invalid")
    refused(await api.get(f"{API}/channels/{channel_id}/messages", params={"limit": "true"}),
            422, "invalid")
    refused(await api.get(f"{API}/users", params={"department_id": "true"}), 422, "invalid")
