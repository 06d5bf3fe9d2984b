"""Test infrastructure: one real database per run (SQLite file or a fresh PostgreSQL
database), Redis when on PostgreSQL, the real app over httpx, and a cast of people.

Choose the backend with XIETONG_TEST_BACKEND=sqlite (default) or postgres; `make test`
runs both. Every table is emptied after each test, so tests never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.api_inputs import Unchanged, World, build_world
from tests.helpers import Cast, Follow, RememberingPasswords, build_cast
from tests.servers import operator_env, run_cli
from xietong.app import WS_MAX_SIZE, create_app
from xietong.core.ratelimit import MemoryCounter
from xietong.core.security import Argon2Cost
from xietong.migrate import upgrade_to_head
from xietong.models import Base
from xietong.runtime import Runtime
from xietong.settings import Settings

BACKEND = os.environ.get("XIETONG_TEST_BACKEND", "sqlite")
PG_ADMIN_URL = os.environ.get("XIETONG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("XIETONG_TEST_REDIS", "redis://127.0.0.1:6379/0")
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
# How long emptying the tables after a test may wait for a lock (see `_truncate`).
TRUNCATE_WAIT = "60s"
START_REDIS = ("redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' "
               "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log")


class Backend:
    """A database (and Redis key space) created for this test run and removed after it."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        self.tmp = tmp
        self.run_id = uuid.uuid4().hex[:10]
        self.database_name = f"xietong_test_{self.run_id}"
        self.redis_prefix = f"xietong-test-{self.run_id}:"

    @property
    def is_postgres(self) -> bool:
        return self.kind == "postgres"

    def database_url(self, name: str | None = None) -> str:
        if self.is_postgres:
            base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://",
                                                          "postgresql+asyncpg://")
            return f"{base}/{name or self.database_name}"
        return f"sqlite+aiosqlite:///{self.tmp / ((name or 'xietong') + '.db')}"

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": self.tmp / "data",
            "database_url": self.database_url(),
            "secret_key": "test-secret-key-" + "x" * 32,
            "redis_url": REDIS_URL if self.is_postgres else None,
            "redis_prefix": self.redis_prefix,
            # The weakest cost the settings allow (RFC 9106 / OWASP minimum): the suite hashes
            # hundreds of passwords. Production defaults are measured in bench/.
            "argon2_time_cost": 2, "argon2_memory_kib": 19456, "argon2_parallelism": 1,
            "login_slowdown_seconds": 0.05,
            # The suite's in-process runtime runs no job runner: tests of jobs start one
            # (or call `run_due` on a clock of their own) so that nothing else claims
            # their jobs. Real server processes (tests/servers.py) run theirs.
            "run_jobs": False,
            "run_consumers": False,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    async def create_database(self, name: str | None = None) -> None:
        if not self.is_postgres:
            return
        connection = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await connection.execute(f'CREATE DATABASE "{name or self.database_name}"')
        finally:
            await connection.close()

    async def drop_database(self, name: str | None = None) -> None:
        if not self.is_postgres:
            return
        connection = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await connection.execute(
                f'DROP DATABASE IF EXISTS "{name or self.database_name}" WITH (FORCE)')
        finally:
            await connection.close()

    @asynccontextmanager
    async def installation(self, data_dir: Path, admin_password: str,
                           redis: tuple[str, str] | None = None
                           ) -> AsyncIterator[dict[str, str]]:
        """A migrated installation of its own for real server processes (tests/servers.py):
        a new database, dropped afterwards, and an owner `boss`. Yields the operators'
        environment. `redis` (url, key prefix) replaces this backend's Redis."""
        name = f"xietong_node_{uuid.uuid4().hex[:8]}"
        await self.create_database(name)
        settings = self.settings()
        redis_url, redis_prefix = redis or (settings.redis_url, f"{settings.redis_prefix}{name}:")
        env = operator_env(self.database_url(name), data_dir, redis_url, redis_prefix)
        try:
            run_cli(env, "migrate")
            run_cli(env, "create-admin", "--username", "boss", "--password", admin_password)
            yield env
        finally:
            await self.drop_database(name)

    async def forget_redis_keys(self) -> None:
        if not self.is_postgres:
            return
        client = aioredis.Redis.from_url(REDIS_URL)
        try:
            keys = [k async for k in client.scan_iter(match=self.redis_prefix + "*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


async def _require_services() -> None:
    """On PostgreSQL runs the services must be up; say how to start them if not."""
    try:
        connection = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        await connection.close()
    except (OSError, asyncpg.PostgresError) as error:
        pytest.exit(f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({error}). "
                    f"Start it with: {START_POSTGRES}", returncode=3)
    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError) as error:
        pytest.exit(f"Redis is not reachable at {REDIS_URL} ({error}). "
                    f"Start it with: {START_REDIS}", returncode=3)
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xietong")


@pytest.fixture(scope="session")
async def backend(tmp_root: Path) -> AsyncIterator[Backend]:
    if BACKEND not in ("sqlite", "postgres"):
        pytest.exit(f"XIETONG_TEST_BACKEND must be sqlite or postgres, not {BACKEND!r}", 4)
    found = Backend(BACKEND, tmp_root)
    if found.is_postgres:
        await _require_services()
    await found.create_database()
    try:
        yield found
    finally:
        await found.drop_database()
        await found.forget_redis_keys()


@pytest.fixture(scope="session")
async def runtime(backend: Backend) -> AsyncIterator[Runtime]:
    rt = Runtime(backend.settings())
    rt.passwords = RememberingPasswords(Argon2Cost(rt.settings.argon2_time_cost,
                                                   rt.settings.argon2_memory_kib,
                                                   rt.settings.argon2_parallelism))
    await upgrade_to_head(rt)
    await rt.start()
    try:
        yield rt
    finally:
        await rt.close()


@pytest.fixture(autouse=True)
async def _clean_slate(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empty every table and forget failure counts after each test that used the database."""
    yield
    if "runtime" not in request.fixturenames:
        return
    rt: Runtime = request.getfixturevalue("runtime")
    backend: Backend = request.getfixturevalue("backend")
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if backend.is_postgres:
        await _truncate(rt, backend, tables)
    else:
        async with rt.engine.begin() as connection:
            # The department tree refers to itself with ON DELETE RESTRICT: unhook it first
            # (renaming too, or same-named departments would collide at the top level).
            await connection.execute(text(
                "UPDATE departments SET parent_id = NULL, name = 'deleted-' || id"))
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))
    # Event ids start again from 1: the hub must not wait for ids it has already passed.
    rt.realtime.hub.cursor = 0
    if isinstance(rt.failures, MemoryCounter):
        rt.failures = MemoryCounter()
    else:
        await backend.forget_redis_keys()


async def _truncate(rt: Runtime, backend: Backend, tables: list[str]) -> None:
    """TRUNCATE waits for every lock on the tables. A session some test left open in a
    transaction would make it (and so the whole run) wait for ever: after a while, say
    which sessions held on, end them so the next tests run, and fail this test."""
    for attempt in range(3):
        try:
            async with rt.engine.begin() as connection:
                await connection.execute(text(f"SET LOCAL lock_timeout = '{TRUNCATE_WAIT}'"))
                await connection.execute(text(
                    f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        except DBAPIError as error:
            # A node's background reader (the event tailer, a co-editing room catching up)
            # may hold one table while TRUNCATE holds the next: PostgreSQL ends one of the
            # two, and the tables are emptied on the next try.
            if "deadlock detected" in str(error) and attempt < 2:
                continue
            if "lock timeout" not in str(error):
                raise
            break
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        holders = await admin.fetch(
            "SELECT pid, state, xact_start, query FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid() AND xact_start IS NOT NULL",
            backend.database_name)
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid() AND xact_start IS NOT NULL",
            backend.database_name)
    finally:
        await admin.close()
    await rt.engine.dispose()
    async with rt.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    described = "; ".join(f"pid {h['pid']} {h['state']} since {h['xact_start']}: {h['query']}"
                          for h in holders)
    pytest.fail(f"a database session stayed in a transaction after the test: {described}")


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def cast(runtime: Runtime, client: httpx.AsyncClient) -> AsyncIterator[Cast]:
    built = await build_cast(runtime, client)
    yield built
    await built.close()


@pytest.fixture
def unchanged(cast: Cast) -> Unchanged:
    """`async with unchanged:` asserts that what it wraps left the rows, people and
    departments as they were (tests/api_inputs.py)."""
    return Unchanged(cast)


@pytest.fixture
async def world(cast: Cast) -> World:
    """A row for every kind of id the API takes, and the API's own OpenAPI document."""
    return await build_world(cast)


@asynccontextmanager
async def serving(runtime: Runtime) -> AsyncIterator[str]:
    """A real uvicorn server on a free port, in this event loop, on `runtime`.
    Yields its base URL (http://127.0.0.1:PORT); WebSocket tests connect to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on", ws_max_size=WS_MAX_SIZE,
                            ws_per_message_deflate=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
async def live_server(runtime: Runtime) -> AsyncIterator[str]:
    async with serving(runtime) as url:
        yield url


@pytest.fixture
async def follow(runtime: Runtime) -> AsyncIterator[Follow]:
    following = Follow(runtime)
    yield following
    await runtime.consumers.stop()
