"""The suggestion box is anonymous: a suggestion written over real HTTP by a signed-in
person leaves nothing that identifies them — not in any row of any table (the event log,
the audit log, the search index, the jobs, their own session's row included), not in Redis,
and not in any log line the server writes while handling it, uvicorn's access log
included. The author finds their suggestion again only by the receipt, a lookup that
leaves no trace either."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import redis.asyncio as aioredis
import uvicorn
from sqlalchemy import inspect, text

from tests.conftest import REDIS_URL, Backend
from tests.feedback.helpers import SUGGESTIONS
from tests.helpers import PASSWORD, Cast
from xietong.app import create_app
from xietong.edge import CSRF_COOKIE, CSRF_HEADER
from xietong.runtime import Runtime

USER_AGENT = "Mozilla/5.0 (Macintosh) AnonymityProbe/7.3.1"
# The loggers uvicorn writes to without passing records on to the root logger.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error")
# Left at WARNING: the database drivers at DEBUG write every statement with its parameters
# (the credential lookup's token digest, the actor's id), so a server logging at DEBUG is
# not anonymous — docs/api.md says so; `xietong serve` logs at INFO unless told otherwise.
# And the test's own HTTP client, which is not the server.
QUIET = ("aiosqlite", "asyncpg", "sqlalchemy", "httpx", "httpcore")


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Everything a formatter could write: the message with its arguments, and the
        # record's own fields (an access-log formatter may print `client_addr` from args).
        self.lines.append(f"{record.name} {record.levelname} {record.getMessage()} "
                          f"{record.args!r} {record.__dict__!r}")


@asynccontextmanager
async def logged_server(runtime: Runtime, captured: Captured) -> AsyncIterator[str]:
    """A real uvicorn server with its access log on, every logger at DEBUG into `captured`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port,
                            log_level="debug", access_log=True, lifespan="off")
    server = uvicorn.Server(config)  # configures uvicorn's loggers: ours go in after that
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in UVICORN_LOGGERS)]
    quiet = [logging.getLogger(n) for n in QUIET]
    levels = [logger.level for logger in loggers + quiet]
    for logger in loggers:
        logger.addHandler(captured)
        logger.setLevel(logging.DEBUG)
    for logger in quiet:
        logger.setLevel(logging.WARNING)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        for logger in loggers:
            logger.removeHandler(captured)
        for logger, level in zip(loggers + quiet, levels, strict=True):
            logger.setLevel(level)


async def every_row(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the database holds (not only the models': the search
    index's own tables, alembic's), as sorted tuples."""
    async with runtime.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        rows = {}
        for name in sorted(names):
            result = await connection.execute(text(f'SELECT * FROM "{name}"'))
            rows[name] = sorted((tuple(row) for row in result), key=repr)
    return rows


async def redis_values(backend: Backend) -> dict[str, str]:
    """Every key of this run in Redis with its value as text (PostgreSQL runs only)."""
    if not backend.is_postgres:
        return {}
    client = aioredis.Redis.from_url(REDIS_URL)
    found: dict[str, str] = {}
    try:
        async for key in client.scan_iter(match=backend.redis_prefix + "*"):
            raw_kind = await client.type(key)
            kind = raw_kind.decode() if isinstance(raw_kind, bytes) else raw_kind
            value: Any = kind  # a stream or the like: its kind is enough to compare
            if kind == "string":
                value = await client.get(key)
            elif kind == "hash":
                value = await client.hgetall(key)
            elif kind == "set":
                value = await client.smembers(key)
            elif kind == "zset":
                value = await client.zrange(key, 0, -1, withscores=True)
            elif kind == "list":
                value = await client.lrange(key, 0, -1)
            found[key.decode()] = repr(value)
    finally:
        await client.aclose()
    return found


def changes(before: dict[str, list[tuple[Any, ...]]],
            after: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows in `after` that were not in `before`, per table (a changed row counts as new);
    rows that went away are listed under "-table"."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        if added := [row for row in new if row not in old]:
            found[table] = added
        if gone := [row for row in old if row not in new]:
            found["-" + table] = gone
    return found


async def test_a_suggestion_leaves_no_trace_of_its_author(
        runtime: Runtime, backend: Backend, cast: Cast) -> None:
    author = cast.lina
    captured = Captured()
    async with logged_server(runtime, captured) as url, httpx.AsyncClient(
            base_url=url, headers={"User-Agent": USER_AGENT}) as browser:
        # Signed in as the web client is: a session cookie, and the CSRF header on writes.
        login = await browser.post("/api/v1/auth/login",
                                   json={"login": author.username, "password": PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["token"]
        csrf = browser.cookies[CSRF_COOKIE]
        # Their session was last used a while ago: an ordinary request would now record
        # its use (time and address) on the session's row.
        async with runtime.engine.begin() as connection:
            await connection.execute(text(
                "UPDATE auth_tokens SET last_used_at = :long_ago, last_ip = NULL"),
                {"long_ago": datetime(2026, 1, 1, 8, 0)})
        rows_before, redis_before = await every_row(runtime), await redis_values(backend)
        captured.lines.clear()

        submitted = await browser.post(SUGGESTIONS, headers={CSRF_HEADER: csrf}, json={
            "department_id": cast.departments["总经办"], "category": "management",
            "body": "希望管理层每月公开一次经营数据 📊"})

        lines = list(captured.lines)
        rows_after, redis_after = await every_row(runtime), await redis_values(backend)
        assert submitted.status_code == 201, submitted.text
        receipt = submitted.json()["receipt"]

        # The author finds it again by the receipt alone, which leaves no trace either.
        captured.lines.clear()
        found = await browser.post(f"{SUGGESTIONS}/receipt", headers={CSRF_HEADER: csrf},
                                   json={"receipt": receipt.lower().replace("-", " ")})
        assert found.status_code == 200, found.text
        assert found.json()["body"] == "希望管理层每月公开一次经营数据 📊"
        lookup_lines = list(captured.lines)
        assert await every_row(runtime) == rows_after

        # The control: an ordinary request by the same person is recorded — its access
        # log line names the client, and the session's use is written down.
        captured.lines.clear()
        assert (await browser.get(SUGGESTIONS)).status_code == 200
        ordinary = list(captured.lines)

    # In the whole database, exactly one new row: the suggestion, holding only what it
    # says, where it goes and the day (no time of day, no author, no department of theirs).
    changed = changes(rows_before, rows_after)
    assert list(changed) == ["suggestions"], changed
    [row] = changed["suggestions"]
    async with runtime.reader() as uow:
        columns = [c["name"] for c in await uow.session.run_sync(
            lambda s: inspect(s.connection()).get_columns("suggestions"))]
    stored = dict(zip(columns, row, strict=True))
    today = date.today()
    submitted_on = stored.pop("submitted_on")
    submitted_on = (submitted_on if isinstance(submitted_on, date)
                    else date.fromisoformat(submitted_on))
    assert not isinstance(submitted_on, datetime)
    assert abs(submitted_on - today) <= timedelta(days=1)
    assert stored == {
        "id": submitted.json()["id"], "department_id": cast.departments["总经办"],
        "category": "management", "body": "希望管理层每月公开一次经营数据 📊",
        "from_department_id": None,
        "receipt_digest": hashlib.sha256(receipt.replace("-", "").encode()).hexdigest(),
        "status": "open", "answer": None, "answered_by": None, "answered_at": None}
    # Redis (on PostgreSQL runs: rate limits, presence, the event fan-out) learnt nothing of
    # them either.
    identity = [author.username, author.display_name, token, csrf, USER_AGENT, "127.0.0.1",
                hashlib.sha256(token.encode()).hexdigest()]
    for key, value in redis_after.items():
        if redis_before.get(key) != value:
            assert not [s for s in identity if s in key + value], (key, value)

    # Every log line written while the server handled the two requests.
    assert any('POST /api/v1/suggestions HTTP/1.1" 201' in line for line in lines), lines
    assert any('POST /api/v1/suggestions/receipt HTTP/1.1" 200' in line for line in lookup_lines)
    client_port = f":{browser_port(ordinary)}"
    for line in lines + lookup_lines:
        for secret in [*identity, receipt, client_port, f"user:{author.id}", "user_id"]:
            assert secret not in line, (secret, line)
    # The control shows what the test would catch: the address in the access log, the
    # session's use written down.
    assert any("127.0.0.1" in line and "GET /api/v1/suggestions" in line for line in ordinary)
    async with runtime.engine.connect() as connection:
        last_used = (await connection.execute(text(
            "SELECT last_used_at FROM auth_tokens ORDER BY last_used_at DESC"))).scalars().first()
    assert str(last_used) > "2026-01-02"


def browser_port(lines: list[str]) -> int:
    """The client's port as an ordinary access log line shows it (127.0.0.1:PORT)."""
    for line in lines:
        if "uvicorn.access" in line and "127.0.0.1:" in line:
            return int(line.split("127.0.0.1:")[1].split(" ")[0].split("'")[0].split('"')[0])
    raise AssertionError(f"no access log line names the client: {lines}")
