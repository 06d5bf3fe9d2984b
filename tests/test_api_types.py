"""The web client's API and event types are generated from the server's OpenAPI document
(`make types`), never written by hand: the committed `schema.d.ts` must be what the current
document generates, and the document must declare every realtime event's frame."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest

from xietong.domains import DOMAINS
from xietong.openapi import schema_name

ROOT = Path(__file__).parents[1]
COMMITTED = ROOT / "web" / "src" / "api" / "schema.d.ts"
# The events messaging has today: the discovery must find at least these.
CHAT_EVENTS = {"message.created", "message.updated", "message.deleted", "reaction.added",
               "reaction.removed", "channel.read", "channel.updated", "channel.member_added",
               "channel.member_removed", "message.pinned", "message.acknowledged",
               "message.ack_reminder"}
EPHEMERAL = {"hello", "typing", "presence", "pong", "error"}


async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def validator(doc: dict[str, Any], name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": doc["components"]})


@pytest.mark.slow
def test_the_committed_web_types_are_what_the_document_generates(tmp_path: Path) -> None:
    generated = tmp_path / "schema.d.ts"
    result = subprocess.run(["make", "-s", "types", f"TYPES_OUT={generated}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert generated.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        "web/src/api/schema.d.ts is stale or was edited by hand: run `make types`")


def test_the_cli_prints_the_document_the_server_serves(tmp_path: Path) -> None:
    written = tmp_path / "openapi.json"
    result = subprocess.run([sys.executable, "-m", "xietong", "openapi", "--output",
                             str(written)], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    printed = subprocess.run([sys.executable, "-m", "xietong", "openapi"], capture_output=True,
                             text=True, timeout=120, check=True).stdout
    assert json.loads(printed) == json.loads(written.read_text(encoding="utf-8"))
    doc = json.loads(printed)
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/channels/{channel_id}/messages" in doc["paths"]
    assert "SocketFrame" in doc["components"]["schemas"]


async def test_every_event_type_is_declared_with_its_frame(client: httpx.AsyncClient) -> None:
    doc = await document(client)
    schemas = doc["components"]["schemas"]
    declared = {event_type: ref.rsplit("/", 1)[-1] for event_type, ref
                in schemas["EventFrame"]["discriminator"]["mapping"].items()}
    discovered = {cls.model_fields["type"].default
                  for domain in DOMAINS for cls in domain.event_types}
    assert discovered >= CHAT_EVENTS
    assert set(declared) == discovered
    for event_type, frame in declared.items():
        assert frame == f"{schema_name(event_type)}Frame"
        properties = schemas[frame]["properties"]
        assert properties["type"]["const"] == event_type
        assert set(schemas[frame]["required"]) == {"id", "type", "scope", "channel_id", "data"}
        data = properties["data"]["$ref"].rsplit("/", 1)[-1]
        assert "type" not in schemas[data]["properties"]
    ephemeral = schemas["EphemeralFrame"]["discriminator"]["mapping"]
    assert set(ephemeral) == EPHEMERAL
    assert schema_name("channel.member_added") == "ChannelMemberAdded"


async def test_the_frame_schemas_refuse_what_the_server_never_sends(
        client: httpx.AsyncClient) -> None:
    """The socket test client checks every frame it receives against `SocketFrame`; this
    shows that check has teeth."""
    frames = validator(await document(client), "SocketFrame")
    message = {"id": 1, "channel_id": 3, "sender_id": 2, "text": "好", "html": "<p>好</p>",
               "created_at": "2026-01-01T00:00:00Z", "edited_at": None, "deleted": False,
               "thread_root_id": None, "reply_count": 0, "last_reply_at": None,
               "reactions": {}, "mentions": {"user_ids": [], "department_ids": [], "all": False},
               "file_ids": [], "files": [], "ack_required": False, "client_msg_id": None,
               "pinned": False, "card": None}
    created = {"id": 9, "type": "message.created", "scope": "channel:3", "channel_id": 3,
               "data": {"message": message}}
    assert frames.is_valid(created)
    assert frames.is_valid({**created, "scope": None, "channel_id": None})
    assert frames.is_valid({"type": "pong", "channel_id": None, "data": {}})
    assert frames.is_valid({"type": "hello", "channel_id": None,
                            "data": {"user_id": 2, "resumed": False, "last_event_id": 9}})
    refused = [
        {**created, "type": "message.exploded"},  # no such event
        {key: value for key, value in created.items() if key != "scope"},  # always said
        {**created, "scope": "channel"},  # a kind without its id
        {key: value for key, value in created.items() if key != "id"},  # a logged one has an id
        {**created, "data": {"message_id": 1}},  # another event's data
        {**created, "data": {"message": {**message, "mentions": {"all": False}}}},
        {**created, "data": {"message": message, "extra": 1}},
        {"type": "presence", "channel_id": None, "data": {"user_id": 2, "status": "asleep"}},
        {"type": "hello", "channel_id": None, "data": {"user_id": 2}},
    ]
    for frame in refused:
        assert not frames.is_valid(frame), frame
