"""A small cast of named people in several departments, built through real actions,
each with a signed-in API client (bearer token from the real login endpoint)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event

from xietong.auth.actions import do_open_session
from xietong.core.actor import Actor, Origin, Role
from xietong.core.security import Argon2Cost, Passwords
from xietong.org import actions
from xietong.org.models import Department
from xietong.org.schemas import DepartmentUpdate
from xietong.runtime import Runtime


class RememberingPasswords(Passwords):
    """argon2id at the suite's cost, each password's first hash kept and reused: every test's
    cast signs up seven people with one password, and a hash (tens of milliseconds even at
    the weakest cost the settings allow) was much of a short test's time. Verifying is
    untouched: each sign-in checks the password against its hash for real."""

    def __init__(self, cost: Argon2Cost) -> None:
        super().__init__(cost)
        self._hashes: dict[str, str] = {}

    async def hash(self, password: str) -> str:
        if password not in self._hashes:
            self._hashes[password] = await super().hash(password)
        return self._hashes[password]

PASSWORD = "correct horse 电池 staple"


@dataclass
class Person:
    id: int
    username: str
    display_name: str
    role: Role
    api: httpx.AsyncClient
    token: str = ""


@dataclass
class Cast:
    runtime: Runtime
    client: httpx.AsyncClient
    departments: dict[str, int] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Person:
        people: dict[str, Person] = self.__dict__["people"]
        try:
            return people[name]
        except KeyError:
            raise AttributeError(name) from None

    async def add_person(self, username: str, display_name: str, *, role: Role = Role.MEMBER,
                         departments: tuple[str, ...] = (), title: str | None = None,
                         email: str | None = None) -> Person:
        async with self.runtime.unit_of_work() as uow:
            user = await actions.do_create_user(
                uow, None, username=username, display_name=display_name, password=PASSWORD,
                passwords=self.runtime.passwords, role=role, title=title, email=email,
                department_ids=[self.departments[d] for d in departments])
            # Signed in as a login would sign them in, without checking the password: an
            # argon2 verification per person was most of a test's setup (signing in is
            # tested for itself in tests/auth).
            token = await do_open_session(uow, user, Origin(ip="127.0.0.1"),
                                          self.runtime.login_policy.session_ttl)
        person = Person(user.id, username, display_name, role, self.client)
        person.token = token
        person.api = client_with_token(self.client, person.token)
        self.people[username] = person
        return person

    async def close(self) -> None:
        for person in self.people.values():
            await person.api.aclose()


def anonymous_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Another client on the same app with no credentials (`client` keeps the cast's
    cookies)."""
    return httpx.AsyncClient(transport=client._transport, base_url=client.base_url)


def client_with_token(client: httpx.AsyncClient, token: str) -> httpx.AsyncClient:
    """Another client on the same app, authenticated by a bearer token."""
    return httpx.AsyncClient(transport=client._transport, base_url=client.base_url,
                             headers={"Authorization": f"Bearer {token}"})


async def sign_in(client: httpx.AsyncClient, login: str, password: str = PASSWORD) -> str:
    response = await client.post("/api/v1/auth/login", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def create_channel(person: Person, name: str, kind: str = "private",
                         *members: Person) -> int:
    """A channel made by `person` through the API, with `members` in it; returns its id."""
    response = await person.api.post("/api/v1/channels", json={
        "name": name, "kind": kind, "member_ids": [m.id for m in members]})
    assert response.status_code == 201, response.text
    channel_id: int = response.json()["id"]
    return channel_id


async def post(person: Person, channel_id: int, text: str, **body: Any) -> dict[str, Any]:
    """A message sent by `person` through the API; returns the message as answered."""
    response = await person.api.post(f"/api/v1/channels/{channel_id}/messages",
                                     json={"text": text, **body})
    assert response.status_code == 201, response.text
    message: dict[str, Any] = response.json()
    return message


def error_code(response: httpx.Response) -> str:
    """The error code of a JSON error reply, checking the shape on the way."""
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    code: str = body["error"]["code"]
    return code


async def build_cast(runtime: Runtime, client: httpx.AsyncClient) -> Cast:
    """周建国 owns the company (in no department); 林晓燕 is an admin; 张伟 manages 销售部
    (with 华东区 below it, where 刘洋 works); 李娜 manages 研发部; 王芳 manages 客服部;
    Alex is a guest."""
    cast = Cast(runtime, client)
    owner = await cast.add_person("zhoujianguo", "周建国", role=Role.OWNER, title="总经理")
    founder = Actor(user_id=owner.id, role=Role.OWNER)
    async with runtime.unit_of_work() as uow:
        for name, parent in (("总经办", None), ("销售部", None), ("华东区", "销售部"),
                             ("研发部", None), ("客服部", None)):
            department = await actions.do_create_department(
                uow, founder, name=name,
                parent_id=cast.departments[parent] if parent else None)
            cast.departments[name] = department.id
    await cast.add_person("linxiaoyan", "林晓燕", role=Role.ADMIN, departments=("总经办",),
                          title="总经理助理", email="lin@example.com")
    await cast.add_person("zhangwei", "张伟", departments=("销售部",), title="销售总监",
                          email="zhangwei@example.com")
    await cast.add_person("liuyang", "刘洋", departments=("华东区",), title="销售经理")
    await cast.add_person("lina", "李娜", departments=("研发部",), title="研发总监")
    await cast.add_person("wangfang", "王芳", departments=("客服部",), title="客服经理")
    await cast.add_person("alex", "外部顾问 Alex", role=Role.GUEST, title="顾问")
    async with runtime.unit_of_work() as uow:
        for name, manager in (("销售部", "zhangwei"), ("研发部", "lina"),
                              ("客服部", "wangfang")):
            department_row = await uow.session.get(Department, cast.departments[name])
            assert department_row is not None
            await actions.do_update_department(
                uow, founder, department_row,
                DepartmentUpdate(manager_ids=[cast.people[manager].id]))
    return cast


@contextmanager
def statements(runtime: Runtime, words: int | None = 4) -> Iterator[list[str]]:
    """The SQL statements the runtime's engine runs inside the block (each cut to its first
    `words` words; None: whole, on one line), for tests that hold a path's query count:
    transaction control (SQLite's BEGIN), PostgreSQL's advisory locks (SQLite has no such
    call), the node's reads of the event log (its delivery loop runs alongside any
    request) and its consumers' positions (a write wakes them) are left out."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        flat = " ".join(statement.split())
        if not (statement.startswith(("BEGIN", "SELECT pg_advisory_xact_lock"))
                or " FROM events" in flat or "event_consumers" in flat):
            seen.append(" ".join(statement.split()[:words]))

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def upload(person: Person, name: str, body: bytes,
                 content_type: str = "application/octet-stream") -> dict[str, Any]:
    """A file uploaded by `person` through the API; returns the file as answered."""
    response = await person.api.post("/api/v1/files", files={"file": (name, body, content_type)})
    assert response.status_code == 201, response.text
    stored: dict[str, Any] = response.json()
    return stored


class Follow:
    """Starts the runtime's event-log consumers when the test has arranged its world: a
    consumer seen for the first time starts at the end of the log, so what the arranging
    did (a channel created with its members, who are "added to it") is behind it."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.running = False

    async def live(self) -> None:
        """From here on, as on a serving node: events are handled as they commit."""
        await self.runtime.consumers.start()
        self.running = True

    async def held(self) -> None:
        """From here on, events are handled only at `catch_up()`."""
        await self.runtime.consumers.start()
        await self.runtime.consumers.stop()

    async def catch_up(self, only: str | None = None) -> None:
        await self.runtime.consumers.catch_up(only)
