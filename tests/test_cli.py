"""The `xietong` command as an operator uses it: real processes, a real uvicorn server."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Backend

XIETONG = [sys.executable, "-m", "xietong"]
STATIC_INDEX = Path(__file__).parents[1] / "src" / "xietong" / "static" / "index.html"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Operator:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def run(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*XIETONG, *args], env={**self.env, **extra_env},
                              capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
async def operator(backend: Backend, tmp_path: Path) -> AsyncIterator[Operator]:
    name = f"xietong_cli_{uuid.uuid4().hex[:8]}"
    await backend.create_database(name)
    settings = backend.settings()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIETONG_")}
    env.update(XIETONG_DATA_DIR=str(tmp_path / "data"),
               XIETONG_DATABASE_URL=backend.database_url(name),
               XIETONG_REDIS_PREFIX=settings.redis_prefix)
    if settings.redis_url:
        env["XIETONG_REDIS_URL"] = settings.redis_url
    yield Operator(env)
    await backend.drop_database(name)


def test_bad_settings_stop_with_one_sentence(operator: Operator) -> None:
    for variable, value in (("XIETONG_PORT", "eighty"), ("XIETONG_DATABASE_URL", "mysql://db"),
                            ("XIETONG_REDIS_URL", "localhost:6379"), ("XIETONG_WORKERS", "0")):
        result = operator.run("check", **{variable: value})
        assert result.returncode == 2, result
        message = result.stderr.strip()
        assert variable in message
        assert "Traceback" not in message
        assert len(message.splitlines()) == 1


def test_several_workers_need_postgresql_and_redis(operator: Operator, tmp_path: Path) -> None:
    """Worker processes are nodes: on SQLite, or without Redis, they could not share events."""
    for database, redis in (("sqlite:///" + str(tmp_path / "x.db"), "redis://127.0.0.1:6379/0"),
                            (operator.env["XIETONG_DATABASE_URL"], "")):
        result = operator.run("serve", XIETONG_WORKERS="2", XIETONG_DATABASE_URL=database,
                              XIETONG_REDIS_URL=redis)
        assert result.returncode == 2, result
        message = result.stderr.strip()
        assert "XIETONG_WORKERS above 1 needs PostgreSQL and XIETONG_REDIS_URL" in message
        assert len(message.splitlines()) == 1


def test_operator_commands(operator: Operator) -> None:
    result = operator.run("serve")
    assert result.returncode == 1
    assert "xietong migrate" in result.stderr

    assert operator.run("migrate").returncode == 0
    first = operator.run("ensure-owner")
    assert first.returncode == 0
    assert re.search(r"username\s+admin", first.stdout)
    again = operator.run("ensure-owner")
    assert again.returncode == 0
    assert "password" not in again.stdout  # nothing new, nothing printed

    created = operator.run("create-admin", "--username", "ops", "--password", "s3cret-pass")
    assert created.returncode == 0
    assert "Created owner 'ops'" in created.stdout
    repeated = operator.run("create-admin", "--username", "ops", "--password", "s3cret-pass")
    assert repeated.returncode == 0
    assert "already exists" in repeated.stdout
    bad = operator.run("create-admin", "--username", "no spaces", "--password", "s3cret-pass")
    assert bad.returncode == 2

    seeded = operator.run("seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "48 people" in seeded.stdout
    assert "already there" in operator.run("seed-demo").stdout
    checked = operator.run("check")
    assert checked.returncode == 0
    assert "Configuration OK" in checked.stdout


@pytest.mark.slow
def test_served_server_accepts_the_printed_credentials(operator: Operator) -> None:
    """What `make run` does: migrate, create the first owner, serve; then sign in."""
    assert operator.run("migrate").returncode == 0
    printed = operator.run("ensure-owner").stdout
    found = re.search(r"^\s+password\s+(\S+)$", printed, re.MULTILINE)
    assert found is not None, printed
    password = found.group(1)
    port = free_port()
    server = subprocess.Popen([*XIETONG, "serve"], env={**operator.env,
                                                        "XIETONG_PORT": str(port)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        assert httpx.get(f"{base}/readyz").status_code == 200
        with httpx.Client(base_url=base) as browser:
            login = browser.post("/api/v1/auth/login",
                                 json={"login": "admin", "password": password})
            assert login.status_code == 200, login.text
            assert login.json()["user"]["role"] == "owner"
            assert browser.get("/api/v1/users/me").json()["username"] == "admin"
            if STATIC_INDEX.exists():
                page = browser.get("/people", headers={"Accept": "text/html"})
                assert page.status_code == 200
                assert "<div id=\"app\"" in page.text
            assert browser.get("/api/openapi.json").json()["info"]["title"].startswith("Xietong")
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=15)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert server.returncode in (0, -signal.SIGTERM)
    assert "Finished server process" in output


def test_access_log_never_shows_socket_tokens() -> None:
    import logging

    from xietong.serving import RedactTokens

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("203.0.113.7:5000", "GET",
                                "/api/v1/events/ws?token=xts_secret&last_event_id=3", "1.1",
                                101), None)
    assert RedactTokens().filter(record)
    line = record.getMessage()
    assert "xts_secret" not in line
    assert "token=[redacted]&last_event_id=3" in line
