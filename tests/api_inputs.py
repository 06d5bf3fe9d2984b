"""Every input the HTTP API declares, read from its own OpenAPI document, and a valid value
for each. Sweeps over all endpoints (tests/test_control_characters.py,
tests/test_strict_numbers.py) vary one input at a time and keep the others right, so that
the varied one is the only thing that can be refused, and an endpoint added tomorrow is
swept without anyone remembering to list it.

Also what a refused request must leave as it was (`Unchanged`, `snapshot`), and how a
refusal looks (`refused`), for those sweeps and tests/test_bad_input.py. The `unchanged` and
`world` fixtures (tests/conftest.py) build on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.helpers import PASSWORD, Cast, create_channel, error_code, post
from xietong.approvals.actions import do_start_flow
from xietong.core.clock import utcnow
from xietong.core.events import Scope
from xietong.jobs.probe import KIND as PROBE_JOB
from xietong.models import Base
from xietong.runtime import Runtime

API = "/api/v1"
USERS = f"{API}/users"
DEPARTMENTS = f"{API}/departments"
JSON = {"content-type": "application/json"}

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
        return VALID_PATH_VALUES.get(name) or str(self.ids[name])

    def query(self, operation: Operation) -> dict[str, Any]:
        """The required query parameters, valid."""
        lina = str(self.cast.lina.id)
        values: dict[str, Any] = {}
        for p in operation.parameters:
            if p.where == "query" and p.required:
                if resolved(self.document, p.schema).get("format") == "date":
                    values[p.name] = VALID_DATE
                else:
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
            case "number":
                return 1
            case "boolean":
                return False
            case "array":
                return [self.value(name, schema["items"])]
            case "object":
                # Its required fields, or else its first (an object may ask for one of
                # several, as a company setting's group does); a map (no properties, as
                # notification preferences' kinds) may be empty.
                properties = schema.get("properties", {})
                names = schema.get("required") or list(properties)[:1]
                return {field: self.value(field, properties[field]) for field in names}
        raise AssertionError(f"no valid value known for {name}: {schema}")


VALID_TEXT = {"login": "zhangwei", "password": PASSWORD, "old_password": PASSWORD,
              "new_password": "another horse 电池 staple", "username": "zhaomin",
              "email": "zm@example.com", "phone": "13800000000", "avatar_url": "/a.png",
              "work_start": "09:00", "work_end": "18:00", "lunch_start": "12:00",
              "lunch_end": "13:30", "time_zone": "Asia/Shanghai"}
# Path parameters that are not ids, and a valid date (the business calendar's days).
VALID_DATE = "2026-10-01"
VALID_PATH_VALUES = {"emoji": "👍", "day": VALID_DATE,
                     # analytics: the dashboard an export is of
                     "chart": "overview"}


async def build_world(cast: Cast) -> World:
    owner = cast.zhoujianguo
    document = await cast.client.get("/api/openapi.json")
    assert document.status_code == 200, document.text
    world = World(cast, document.json())
    channel_id = await create_channel(owner, "全员群", "public", cast.lina, cast.zhangwei)
    message = await post(owner, channel_id, "大家好", ack_required=True)
    upload = await owner.api.post(f"{API}/files", files={"file": ("a.txt", b"hello")})
    assert upload.status_code == 201, upload.text
    token = await owner.api.post(f"{API}/tokens", json={"name": "脚本"})
    assert token.status_code == 201, token.text
    async with cast.runtime.unit_of_work() as uow:
        # Queued for an hour from now: the suite's runtime runs no jobs anyway.
        job_id = await uow.enqueue(PROBE_JOB, {}, run_at=utcnow() + timedelta(hours=1))
    assert job_id is not None
    request_type = await owner.api.post(f"{API}/request-types", json={
        "name": "IT 支持", "department_id": cast.departments["研发部"], "fields": [],
        "response_sla_hours": 1, "resolution_sla_hours": 8})
    assert request_type.status_code == 201, request_type.text
    filed = await owner.api.post(f"{API}/requests", json={
        "type_id": request_type.json()["id"], "title": "电脑无法开机"})
    assert filed.status_code == 201, filed.text
    world.ids.update(type_id=request_type.json()["id"], request_id=filed.json()["id"])
    # An approval waiting for the owner: approvals know nothing of what they approve, so
    # its subject is of no domain's kind.
    flow = await owner.api.post(f"{API}/approval-flows", json={
        "name": "用印审批", "steps": [{"mode": "one", "approvers": [{"user_id": owner.id}]}]})
    assert flow.status_code == 201, flow.text
    async with cast.runtime.unit_of_work() as uow:
        await do_start_flow(uow, flow_id=flow.json()["id"], subject=Scope("sample", 1),
                            title="合同用印", requester_id=cast.lina.id,
                            requester_department_id=cast.departments["研发部"], now=utcnow())
    todo = (await owner.api.get(f"{API}/approvals")).json()["items"]
    project = await owner.api.post(f"{API}/projects", json={
        "name": "新品上市", "member_ids": [cast.liuyang.id]})
    assert project.status_code == 201, project.text
    tasks = []
    for title in ("发布会", "物料"):
        made = await owner.api.post(f"{API}/projects/{project.json()['id']}/tasks",
                                    json={"title": title})
        assert made.status_code == 201, made.text
        tasks.append(made.json()["id"])
    item = await owner.api.post(f"{API}/tasks/{tasks[0]}/checklist", json={"text": "订场地"})
    assert item.status_code == 201, item.text
    said = await owner.api.post(f"{API}/tasks/{tasks[0]}/comments", json={"text": "收到"})
    assert said.status_code == 201, said.text
    world.ids.update(project_id=project.json()["id"], task_id=tasks[0],
                     depends_on_id=tasks[1], item_id=item.json()["checklist"][0]["id"],
                     comment_id=said.json()["id"])
    objective = await owner.api.post(f"{API}/objectives", json={
        "title": "新品成功上市", "level": "company", "period": "2026-Q4"})
    assert objective.status_code == 201, objective.text
    with_result = await owner.api.post(
        f"{API}/objectives/{objective.json()['id']}/key-results",
        json={"title": "签约客户", "target": 50})
    assert with_result.status_code == 201, with_result.text
    world.ids.update(objective_id=objective.json()["id"],
                     key_result_id=with_result.json()["id"])
    spaces = (await owner.api.get(f"{API}/spaces")).json()["items"]
    space_id = next(s["id"] for s in spaces if s["department_id"] == cast.departments["研发部"])
    page = await owner.api.post(f"{API}/pages", json={"space_id": space_id, "title": "接口规范",
                                                      "template": "manual"})
    assert page.status_code == 201, page.text
    version = await owner.api.post(f"{API}/pages/{page.json()['id']}/versions",
                                   json={"name": "初稿"})
    assert version.status_code == 201, version.text
    world.ids.update(space_id=space_id, page_id=page.json()["id"],
                     version_id=version.json()["id"])
    kept = await owner.api.post(f"{API}/spaces/{space_id}/files",
                                json={"file_id": upload.json()["id"], "name": "接口规范.txt"})
    assert kept.status_code == 201, kept.text
    world.ids.update(library_file_id=kept.json()["id"], version_number=1)
    thread = await owner.api.post(f"{API}/pages/{page.json()['id']}/comments",
                                  json={"text": "第二节要补充示例"})
    assert thread.status_code == 201, thread.text
    reply = await owner.api.post(
        f"{API}/pages/{page.json()['id']}/comments/{thread.json()['id']}/replies",
        json={"text": "好的"})
    assert reply.status_code == 201, reply.text
    world.ids.update(thread_id=thread.json()["id"], page_comment_id=reply.json()["id"])
    term = await owner.api.post(f"{API}/glossary/terms", json={
        "term": "SLA", "department_id": cast.departments["客服部"],
        "definition": "服务等级协议：承诺的响应和解决时限。"})
    assert term.status_code == 201, term.text
    world.ids.update(term_id=term.json()["id"])
    starts = utcnow() + timedelta(days=2)
    meeting = await owner.api.post(f"{API}/meetings", json={
        "title": "经营分析会", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(), "attendee_ids": [cast.lina.id],
        "agenda": [{"title": "本季度回顾"}]})
    assert meeting.status_code == 201, meeting.text
    item = await owner.api.post(f"{API}/meetings/{meeting.json()['id']}/action-items",
                                json={"title": "整理会议材料"})
    assert item.status_code == 201, item.text
    world.ids.update(meeting_id=meeting.json()["id"],
                     agenda_item_id=meeting.json()["agenda"][0]["id"],
                     action_item_id=item.json()["id"])
    survey = await owner.api.post(f"{API}/surveys", json={
        "title": "满意度调查", "audience": {"kind": "company"},
        "questions": [{"kind": "scale", "title": "满意吗？"}]})
    assert survey.status_code == 201, survey.text
    world.ids.update(survey_id=survey.json()["id"])
    suggestion = await owner.api.post(f"{API}/suggestions", json={
        "department_id": cast.departments["客服部"], "body": "工单模板加上复现步骤"})
    assert suggestion.status_code == 201, suggestion.text
    case = await owner.api.post(f"{API}/showcase", json={
        "kind": "page", "target_id": page.json()["id"], "title": "接口规范的写法"})
    assert case.status_code == 201, case.text
    world.ids.update(suggestion_id=suggestion.json()["id"], case_id=case.json()["id"])
    announcement = await owner.api.post(f"{API}/announcements", json={
        "title": "春节放假通知", "body": "2 月 5 日至 11 日放假，12 日正常上班。",
        "audience": {"company": True}})
    assert announcement.status_code == 201, announcement.text
    world.ids.update(announcement_id=announcement.json()["id"])
    # analytics: a maturity report (the company's, pending: its job never runs here)
    report = await owner.api.post(f"{API}/analytics/reports", json={"period": "2026-Q1"})
    assert report.status_code == 202, report.text
    world.ids.update(report_id=report.json()["id"])
    world.ids.update(channel_id=channel_id, message_id=message["id"],
                     file_id=upload.json()["id"], token_id=token.json()["id"],
                     user_id=cast.liuyang.id, department_id=cast.departments["华东区"],
                     job_id=job_id, flow_id=flow.json()["id"],
                     approval_task_id=todo[0]["task"]["id"])
    return world


def problem_locs(response: httpx.Response) -> list[list[Any]]:
    """The `loc` of each problem in a 422's details."""
    details = response.json()["error"]["details"]
    assert isinstance(details, list), response.text
    return [problem["loc"] for problem in details]


# --- what a refusal must leave as it was -------------------------------------------------------

async def row_counts(runtime: Runtime) -> dict[str, int]:
    """Rows per table: a refused request must leave every count as it was."""
    counts = {}
    async with runtime.reader() as uow:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = await uow.session.scalar(
                select(func.count()).select_from(table)) or 0
    return counts


class Unchanged:
    """Snapshot the rows and what the cast's people and departments look like, and compare."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.before: tuple[dict[str, int], Any, Any] | None = None

    async def take(self) -> tuple[dict[str, int], Any, Any]:
        admin = self.cast.linxiaoyan.api
        people = (await admin.get(USERS, params={"include_inactive": "true", "limit": 200})).json()
        tree = (await admin.get(DEPARTMENTS)).json()
        return await row_counts(self.cast.runtime), people, tree

    async def __aenter__(self) -> Unchanged:
        self.before = await self.take()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is None:
            assert await self.take() == self.before


async def snapshot(world: World) -> list[Any]:
    """What a refused request could have changed without adding a row: the channel, its
    message, the owner's tokens (`Unchanged` covers row counts, people and departments)."""
    api = world.api
    return [(await api.get(f"{API}/channels/{world.ids['channel_id']}")).json(),
            (await api.get(f"{API}/messages/{world.ids['message_id']}")).json(),
            (await api.get(f"{API}/tokens")).json()]


def refused(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    found = error_code(response)
    assert isinstance(response.json()["error"]["message"], str)
    assert response.json()["error"]["message"]
    if code is not None:
        assert found == code, response.text
