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
from sqlalchemy import select

from tests.conftest import Backend
from tests.servers import Node
from xietong.org.models import User
from xietong.runtime import Runtime

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


async def test_operator_commands(operator: Operator, backend: Backend) -> None:
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
    named = operator.run("create-admin", "--username", "chenhai", "--password", "s3cret-pass",
                         "--display-name", "陈海")
    assert named.returncode == 0, named.stderr
    # ensure-owner's "管理员 Admin" and a nameless create-admin are setup accounts (left out
    # of colleagues' directory); one made with a name is a person.
    runtime = Runtime(backend.settings(database_url=operator.env["XIETONG_DATABASE_URL"]))
    try:
        async with runtime.reader() as uow:
            rows = (await uow.session.execute(
                select(User.username, User.setup_account).order_by(User.id))).all()
    finally:
        await runtime.close()
    assert [tuple(row) for row in rows] == [("admin", True), ("ops", True), ("chenhai", False)]

    seeded = operator.run("seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "48 people" in seeded.stdout
    # Every domain's step ran as the operator, whatever role the demo gives its owner.
    for made in ("1 company holiday", "3 approval flows", "6 request types", "6 requests",
                 "14 spaces", "9 pages", "19 glossary terms", "3 announcements"):
        assert made in seeded.stdout, seeded.stdout
    assert "already there" in operator.run("seed-demo").stdout
    # The search index afresh: the demo's messages, its requests, its project and tasks.
    reindexed = operator.run("reindex")
    assert reindexed.returncode == 0, reindexed.stderr
    assert re.fullmatch(r"Indexed \d+ messages, 6 requests, 1 projects, 9 tasks, 7 objectives, "
                        r"9 pages, 19 terms\.\n", reindexed.stdout), \
        reindexed.stdout
    # The demo's history is counted from the first event; replaying it changes nothing.
    rebuilt = operator.run("analytics-rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert re.fullmatch(r"Recomputed the analytics from \d{4}-\d\d-\d\d: \d+ events read "
                        r"again\.\n", rebuilt.stdout), rebuilt.stdout
    assert operator.run("analytics-rebuild", "--since", "someday").returncode == 1
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


FAST_ARGON2 = {"XIETONG_ARGON2_TIME_COST": "2", "XIETONG_ARGON2_MEMORY_KIB": "19456",
               "XIETONG_ARGON2_PARALLELISM": "1"}


def printed_password(output: str) -> str:
    found = re.search(r"^\s+password\s+(\S+)$", output, re.MULTILINE)
    assert found is not None, output
    return found.group(1)


@pytest.mark.slow
def test_reset_password_ends_sessions_keeps_tokens_and_is_audited(operator: Operator) -> None:
    """`xietong reset-password` for someone who lost theirs: a generated password shown once
    (or one read from standard input), every session of theirs ended, API tokens kept, a
    lockout from failed sign-ins lifted where the counter is shared (Redis), and an entry
    in the audit log."""
    operator.env.update(FAST_ARGON2)
    assert operator.run("migrate").returncode == 0
    assert operator.run("create-admin", "--username", "operator",
                        "--password", "forgotten-1").returncode == 0
    node = Node({**operator.env, "XIETONG_CREDENTIAL_CACHE_SECONDS": "0",
                 "XIETONG_LOGIN_LOCKOUT_AFTER": "3", "XIETONG_LOGIN_SLOWDOWN_AFTER": "3",
                 "XIETONG_LOGIN_SLOWDOWN_SECONDS": "0"}).start()
    try:
        def sign_in(password: str) -> httpx.Response:
            return httpx.post(f"{node.url}/api/v1/auth/login",
                              json={"login": "operator", "password": password})

        def me(token: str) -> int:
            return httpx.get(f"{node.url}/api/v1/users/me",
                             headers={"Authorization": f"Bearer {token}"}).status_code

        sessions = [sign_in("forgotten-1").json()["token"] for _ in range(2)]
        api_token = httpx.post(f"{node.url}/api/v1/tokens", json={"name": "备份脚本"},
                               headers={"Authorization": f"Bearer {sessions[0]}"}
                               ).json()["token"]
        shared_counter = "XIETONG_REDIS_URL" in operator.env
        if shared_counter:  # locked out by failed sign-ins (3 here)
            assert [sign_in("guess-guess").status_code for _ in range(4)][-1] == 429

        reset = operator.run("reset-password", "operator")
        assert reset.returncode == 0, reset.stderr
        assert "2 sessions ended" in reset.stdout
        password = printed_password(reset.stdout)
        assert len(password) >= 20
        assert [me(token) for token in sessions] == [401, 401]
        assert me(api_token) == 200
        assert sign_in("forgotten-1").status_code == 401
        assert sign_in(password).status_code == 200

        # From standard input, for scripts; the password's own rules hold.
        for typed, code, said in (("short\n", 2, "at least 8 characters"),
                                  ("OPERATOR\n", 1, "must not be the username"),
                                  ("", 2, "at least 8 characters")):
            refused = subprocess.run([*XIETONG, "reset-password", "operator",
                                      "--password-stdin"], input=typed, env=operator.env,
                                     capture_output=True, text=True, timeout=120, check=False)
            assert refused.returncode == code, refused
            assert said in refused.stderr
            assert "Traceback" not in refused.stderr
        chosen = subprocess.run([*XIETONG, "reset-password", "OPERATOR", "--password-stdin"],
                                input="新的 口令 correct horse\n", env=operator.env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert chosen.returncode == 0, chosen.stderr
        assert "Password of 'operator' changed" in chosen.stdout
        assert "password " not in chosen.stdout  # nothing to show: the operator typed it
        signed_in = sign_in("新的 口令 correct horse")
        assert signed_in.status_code == 200

        unknown = operator.run("reset-password", "nobody")
        assert unknown.returncode == 1
        assert "There is no user 'nobody'" in unknown.stderr

        audit = httpx.get(f"{node.url}/api/v1/audit", params={"action": "password.reset"},
                          headers={"Authorization": f"Bearer {signed_in.json()['token']}"})
        entries = audit.json()["items"]
        assert [e["details"]["sessions_ended"] for e in entries] == [1, 2]
        assert {e["target"] for e in entries} == {f"user:{signed_in.json()['user']['id']}"}
        assert all(e["actor_id"] is None and e["details"]["via"] == "command_line"
                   and e["details"]["os_user"] for e in entries)
    finally:
        node.stop()

