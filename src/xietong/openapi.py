"""What the OpenAPI document must say beyond what FastAPI infers from the routes.

FastAPI lists each route's success reply and a 422 in its own `{"detail": …}` shape, which
we never send. Every error we send has one shape, `{"error": {"code", "message",
"details"}}`, and can come from layers no route declares (the JSON body limit, the
control-character check, authentication and CSRF, the domain errors `app.py` maps). So the
errors are declared here, once, for every operation, instead of on each route: a generated
client or a contract tester sees every status the server may answer with.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from xietong.core.events import Event

ERROR_SCHEMA_NAME = "ErrorReply"

ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs: "
                         "invalid, not_found, too_many_requests, display_name_taken …"},
                "message": {"type": "string", "description": "For people, in the "
                            "language of Accept-Language (zh-CN or English)."},
                "details": {"description": "What exactly was wrong, when there is more to "
                            "say: for `invalid`, a list of {loc, msg, type}; else null or an "
                            "object."},
            },
        },
    },
}

# Every status an operation may answer with besides its success, and why.
ERROR_STATUSES: dict[int, str] = {
    400: "Bad request: a body that is not JSON, or parameters that cannot go together.",
    401: "Not signed in, or the session or token has ended.",
    403: "Not allowed, or a cookie-authenticated write without the CSRF header.",
    404: "No such thing, or nothing the caller may see.",
    409: "Conflicts with what exists (a taken username, a non-empty department).",
    413: "The body is larger than the limit.",
    422: "Well-formed but not valid: `details` lists each problem as {loc, msg, type}.",
    429: "Too many requests; `Retry-After` says how many seconds to wait.",
    503: "A service the server depends on is briefly unavailable; retry shortly.",
}

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                                "schema": {"type": "integer", "minimum": 0}}}

# FastAPI's own shapes for its 422, which we replace with ours.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def declare_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Add the error replies to every operation of `document` (FastAPI's OpenAPI dict) and
    drop FastAPI's unused validation-error schemas. Returns the same dict."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                reply: dict[str, Any] = {"description": description,
                                         "content": {"application/json": {"schema": reference}}}
                if status == 429:
                    reply["headers"] = _RETRY_AFTER
                responses[str(status)] = reply
    # Only FastAPI's 422 replies referred to them, and those are ours now.
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    return document


# ---- The event socket's frames --------------------------------------------------------
#
# `GET /api/v1/events/ws` is a WebSocket, which OpenAPI cannot describe as an operation; its
# frames are declared as components instead, so the web client's types of them are generated
# like every other shape. Each logged event type `a.b_c` gets `ABCData` (what its frame
# carries in `data`: the event's fields but `type`) and `ABCFrame` (the whole frame);
# `EventFrame` is their union, `EphemeralFrame` the union of the frames that never enter
# the log, and `SocketFrame` everything the server sends.

EVENT_FRAME = "EventFrame"
EPHEMERAL_FRAME = "EphemeralFrame"
SOCKET_FRAME = "SocketFrame"


def _literal_type(cls: type[Event]) -> str | None:
    default = cls.model_fields["type"].default
    return default if isinstance(default, str) and default else None


def schema_name(event_type: str) -> str:
    """`channel.member_added` → `ChannelMemberAdded`."""
    return "".join(part[:1].upper() + part[1:]
                   for part in re.split(r"[._]", event_type) if part)


class HelloData(BaseModel):
    user_id: int
    resumed: bool = Field(description="False: the client must reload its state (first "
                          "connection, or its position was unknown or pruned).")
    last_event_id: int = Field(description="The position the socket continues from.")


class TypingData(BaseModel):
    user_id: int


class PresenceData(BaseModel):
    user_id: int
    status: Literal["online", "away", "offline"]


class PongData(BaseModel):
    pass


class ErrorData(BaseModel):
    code: str = Field(description="bad_frame, unknown_type, bad_channel, too_many_errors, "
                      "bad_last_event_id, resync_required, unauthorized, idle_timeout …")
    message: str


# Frames without an id: never logged, never replayed. `channel_id` is set on typing only.
EPHEMERAL_DATA: dict[str, type[BaseModel]] = {
    "hello": HelloData,
    "typing": TypingData,
    "presence": PresenceData,
    "pong": PongData,
    "error": ErrorData,
}


def declare_events(document: dict[str, Any], event_types: list[type[Event]]) -> dict[str, Any]:
    """Add the socket's frames to the components of `document`. Returns the same dict."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    logged: dict[str, str] = {}
    for cls in event_types:
        event_type = _literal_type(cls)
        assert event_type is not None
        name = schema_name(event_type)
        data = _add_model(schemas, cls, f"{name}Data", drop=("type",))
        schemas[f"{name}Frame"] = _frame_schema(f"{name}Frame", event_type, data, logged=True)
        logged[event_type] = f"{name}Frame"
    ephemeral: dict[str, str] = {}
    for kind, model in EPHEMERAL_DATA.items():
        name = schema_name(kind)
        data = _add_model(schemas, model, f"{name}Data")
        schemas[f"{name}Frame"] = _frame_schema(f"{name}Frame", kind, data, logged=False)
        ephemeral[kind] = f"{name}Frame"
    schemas[EVENT_FRAME] = _union(EVENT_FRAME, logged,
                                  "A logged event, as the socket sends it (and replays it).")
    schemas[EPHEMERAL_FRAME] = _union(EPHEMERAL_FRAME, ephemeral,
                                      "A frame that is never logged nor replayed (no id).")
    schemas[SOCKET_FRAME] = {
        "title": SOCKET_FRAME,
        "description": "Any frame the event socket sends.",
        "anyOf": [{"$ref": _ref(EVENT_FRAME)}, {"$ref": _ref(EPHEMERAL_FRAME)}],
    }
    return document


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def _add_model(schemas: dict[str, Any], model: type[BaseModel], name: str,
               drop: tuple[str, ...] = ()) -> str:
    """Add `model`'s schema as it is sent (serialisation mode) under `name`, and the models
    it refers to under their own names, which must agree with what the routes declared."""
    schema = model.model_json_schema(mode="serialization", ref_template=_ref("{model}"))
    for nested, nested_schema in schema.pop("$defs", {}).items():
        existing = schemas.setdefault(nested, nested_schema)
        if existing != nested_schema:
            raise ValueError(f"{name} refers to a {nested} unlike the routes' {nested}")
    for field in drop:
        schema.get("properties", {}).pop(field, None)
        if field in schema.get("required", []):
            schema["required"].remove(field)
    schema["title"] = name
    schema.setdefault("properties", {})
    schema["required"] = list(schema["properties"])  # every field is always sent
    schema["additionalProperties"] = False
    schemas[name] = schema
    return name


def _frame_schema(title: str, kind: str, data: str, *, logged: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if logged:
        properties["id"] = {"type": "integer", "description": "Increasing; resume from it "
                            "with ?last_event_id="}
    properties["type"] = {"type": "string", "const": kind}
    if logged:
        properties["scope"] = {
            "anyOf": [{"type": "string", "pattern": r"^[a-z_]+:[0-9]+$"}, {"type": "null"}],
            "description": "What the event belongs to: channel:12, department:4, user:9 …"}
    properties["channel_id"] = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    properties["data"] = {"$ref": _ref(data)}
    required = (["id", "type", "scope", "channel_id", "data"] if logged
                else ["type", "channel_id", "data"])
    return {"title": title, "type": "object", "properties": properties, "required": required,
            "additionalProperties": False}


def _union(title: str, frames: dict[str, str], description: str) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "oneOf": [{"$ref": _ref(name)} for name in frames.values()],
        "discriminator": {"propertyName": "type",
                          "mapping": {kind: _ref(name) for kind, name in frames.items()}},
    }


def require_sent_fields(document: dict[str, Any]) -> dict[str, Any]:
    """Mark every field of what the server sends as required: replies and frames are
    serialised whole (no route leaves out unset or default fields), but a field with a
    default counts as optional in Pydantic's schema, and a generated client would make
    the reader check for it. Schemas that requests also use keep their optional fields.
    Returns the same dict."""
    schemas = document.get("components", {}).get("schemas", {})
    sent: set[str] = set()
    received: set[str] = set()
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            _collect_refs(operation.get("responses", {}), sent)
            _collect_refs(operation.get("requestBody", {}), received)
            _collect_refs(operation.get("parameters", []), received)
    # The frames' own fields are as declared (`scope` is not on every frame yet); what
    # they carry in `data` is sent whole.
    for union in (EVENT_FRAME, EPHEMERAL_FRAME):
        for frame in schemas.get(union, {}).get("discriminator", {}).get("mapping", {}).values():
            _collect_refs(schemas[frame.rsplit("/", 1)[-1]]["properties"]["data"], sent)
    sent, received = _closure(sent, schemas), _closure(received, schemas)
    for name in sent - received:
        schema = schemas[name]
        if "properties" in schema:
            schema["required"] = list(schema["properties"])
    return document


def _collect_refs(node: object, into: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                into.add(value.rsplit("/", 1)[-1])
            else:
                _collect_refs(value, into)
    elif isinstance(node, list):
        for item in node:
            _collect_refs(item, into)


def _closure(names: set[str], schemas: dict[str, Any]) -> set[str]:
    """`names` and every schema they refer to, however indirectly."""
    found: set[str] = set()
    pending = [name for name in names if name in schemas]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        refs: set[str] = set()
        _collect_refs(schemas[name], refs)
        pending.extend(ref for ref in refs if ref in schemas)
    return found
