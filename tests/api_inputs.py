"""Every input the HTTP API declares, read from its own OpenAPI document, and a valid value
for each. Sweeps over all endpoints (tests/test_control_characters.py,
tests/test_strict_numbers.py) vary one input at a time and keep the others right, so that
the varied one is the only thing that can be refused, and an endpoint added tomorrow is
swept without anyone remembering to list it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from tests.helpers import PASSWORD, Cast, create_channel, post
from xietong.core.clock import utcnow
from xietong.jobs.probe import KIND as PROBE_JOB

Schema = dict[str, Any]


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # "path" or "query"
    schema: Schema
    required: bool


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str  # the template, e.g. /api/v1/messages/{message_id}/reactions/{emoji}
    parameters: tuple[Parameter, ...]
    # The JSON body's object schema (references resolved), or None.
    body: Schema | None
    multipart: bool


def operations(document: Schema) -> list[Operation]:
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            json_schema = content.get("application/json", {}).get("schema")
            found.append(Operation(
                id=operation["operationId"], method=method.upper(), path=path,
                parameters=tuple(Parameter(p["name"], p["in"], p["schema"],
                                           p.get("required", False))
                                 for p in operation.get("parameters", [])),
                body=resolved(document, json_schema) if json_schema else None,
                multipart="multipart/form-data" in content))
    return found


def resolved(document: Schema, schema: Schema) -> Schema:
    """`schema` with `$ref` followed and an `anyOf [X, null]` (an optional field) read as X."""
    while True:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = document["components"]["schemas"][name]
        elif "anyOf" in schema:
            kinds = [s for s in schema["anyOf"] if s.get("type") != "null"]
            assert len(kinds) == 1, schema  # no real unions in our API (yet)
            schema = kinds[0]
        else:
            return schema


def kind(document: Schema, schema: Schema) -> str:
    """"string", "integer", "boolean", "array", "object" … (an enum is a "string")."""
    schema = resolved(document, schema)
    return "string" if "enum" in schema else str(schema.get("type"))


@dataclass
class World:
    """Real rows for every kind of id an endpoint takes, made by the owner (周建国), who may
    do anything, so that a request with all inputs valid would really act."""

    cast: Cast
    document: Schema
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def api(self) -> httpx.AsyncClient:
        return self.cast.zhoujianguo.api

    def path(self, operation: Operation, **replace: str) -> str:
        values = {p.name: self.path_value(p.name) for p in operation.parameters
                  if p.where == "path"}
        values.update(replace)
        return operation.path.format(**values)

    def path_value(self, name: str) -> str:
        return "👍" if name == "emoji" else str(self.ids[name])

    def query(self, operation: Operation) -> dict[str, Any]:
        """The required query parameters, valid."""
        lina = str(self.cast.lina.id)
        values: dict[str, Any] = {}
        for p in operation.parameters:
            if p.where == "query" and p.required:
                values[p.name] = [lina] if kind(self.document, p.schema) == "array" else lina
        return values

    def body(self, operation: Operation) -> dict[str, Any] | None:
        """The body's required fields, valid."""
        if operation.body is None:
            return None
        return {name: self.value(name, operation.body["properties"][name])
                for name in operation.body.get("required", [])}

    def value(self, name: str, schema: Schema) -> Any:
        """A valid value for the body field `name`."""
        schema = resolved(self.document, schema)
        if "enum" in schema:
            return schema["enum"][0]
        match schema.get("type"):
            case "string":
                return VALID_TEXT.get(name, "新的名字")
            case "integer":
                return self.ids["message_id"] if "message" in name else self.cast.lina.id
            case "boolean":
                return False
            case "array":
                return [self.value(name, schema["items"])]
        raise AssertionError(f"no valid value known for {name}: {schema}")


VALID_TEXT = {"login": "zhangwei", "password": PASSWORD, "old_password": PASSWORD,
              "new_password": "another horse 电池 staple", "username": "zhaomin",
              "email": "zm@example.com", "phone": "13800000000", "avatar_url": "/a.png"}


async def build_world(cast: Cast, document: Schema) -> World:
    owner = cast.zhoujianguo
    world = World(cast, document)
    channel_id = await create_channel(owner, "全员群", "public", cast.lina, cast.zhangwei)
    message = await post(owner, channel_id, "大家好", ack_required=True)
    upload = await owner.api.post("/api/v1/files", files={"file": ("a.txt", b"hello")})
    assert upload.status_code == 201, upload.text
    token = await owner.api.post("/api/v1/tokens", json={"name": "脚本"})
    assert token.status_code == 201, token.text
    async with cast.runtime.unit_of_work() as uow:
        # Queued for an hour from now: the suite's runtime runs no jobs anyway.
        job_id = await uow.enqueue(PROBE_JOB, {}, run_at=utcnow() + timedelta(hours=1))
    assert job_id is not None
    world.ids.update(channel_id=channel_id, message_id=message["id"],
                     file_id=upload.json()["id"], token_id=token.json()["id"],
                     user_id=cast.liuyang.id, department_id=cast.departments["华东区"],
                     job_id=job_id)
    return world


def problem_locs(response: httpx.Response) -> list[list[Any]]:
    """The `loc` of each problem in a 422's details."""
    details = response.json()["error"]["details"]
    assert isinstance(details, list), response.text
    return [problem["loc"] for problem in details]
