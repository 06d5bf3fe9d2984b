"""Shared by the benchmarks: a real server process on a scratch data dir (SQLite, or a
scratch PostgreSQL database + Redis prefix), setting up people over the API, a small
keep-alive HTTP client, process figures from /proc, and percentiles."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from xietong.org.models import Department, DepartmentManager, DepartmentMember, User
from xietong.runtime import Runtime
from xietong.settings import Settings

PASSWORD = "bench-password-密码"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"

# Cheaper argon2id (the smallest the settings allow) so that setting up a hundred people
# takes seconds; it changes sign-in cost only, nothing on the messaging paths measured.
FAST_ARGON2_ENV = {"XIETONG_ARGON2_TIME_COST": "2", "XIETONG_ARGON2_MEMORY_KIB": "19456",
                   "XIETONG_ARGON2_PARALLELISM": "1"}
FAST_ARGON2_NOTE = ("bench server runs with reduced argon2id cost (t=2, m=19456 KiB, p=1) to "
                    "create and sign in many people quickly; it affects sign-in only")


# --- figures ----------------------------------------------------------------------------

def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def latency_summary_ms(seconds: Sequence[float], *, with_max: bool = False,
                       quantiles: Sequence[float] = (0.5, 0.95, 0.99)
                       ) -> dict[str, float | None]:
    """p50/p95/p99 (or other `quantiles`, and max) in milliseconds; None where there are
    no samples."""
    ordered = sorted(seconds)
    summary: dict[str, float | None] = {}
    for q in quantiles:
        summary[f"p{int(q * 100)}_ms"] = (round(percentile(ordered, q) * 1000, 2)
                                          if ordered else None)
    if with_max:
        summary["max_ms"] = round(ordered[-1] * 1000, 2) if ordered else None
    return summary


def machine_info() -> dict[str, object]:
    return {"cpu_count": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "load_average_1m": os.getloadavg()[0],
            "note": "the load generator runs on the same cores as the server and its "
                    "database, and competes with them for CPU"}


def print_report(report: dict[str, Any]) -> None:
    print(json.dumps(report, ensure_ascii=False, indent=2))


# --- processes -------------------------------------------------------------------------

def raise_nofile_limit() -> int:
    """Raise this process's open-file limit to its hard limit; returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid: int) -> int:
    """VmRSS of a process, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (a server's worker processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [pid]
    while pending:
        tree.append(current := pending.pop())
        pending.extend(children.get(current, []))
    return tree


def total_cpu_seconds(pids: Sequence[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            continue  # gone meanwhile
    return total


class CpuMeter:
    """CPU used over an interval by the server (with its worker processes), PostgreSQL
    (when used) and the load generator (this process and its still-running worker
    processes), in cores."""

    def __init__(self, server_pid: int, postgres: bool, worker_pids: Sequence[int] = ()
                 ) -> None:
        self.server_pid = server_pid
        self.postgres = postgres
        self.worker_pids = list(worker_pids)
        self.server_pids = process_tree(server_pid)
        self._start = self._sample()

    def _sample(self) -> tuple[float, float, float, float]:
        pg = total_cpu_seconds(postgres_pids()) if self.postgres else 0.0
        me = resource.getrusage(resource.RUSAGE_SELF)
        mine = me.ru_utime + me.ru_stime + total_cpu_seconds(self.worker_pids)
        return time.monotonic(), total_cpu_seconds(self.server_pids), pg, mine

    def cores_used(self) -> dict[str, float]:
        now, server, pg, mine = self._sample()
        wall = max(now - self._start[0], 1e-9)
        figures = {"server_process": round((server - self._start[1]) / wall, 2),
                   "load_generator": round((mine - self._start[3]) / wall, 2)}
        if self.postgres:
            # Approximate: backends that exited during the interval take their time along.
            figures["postgresql"] = round(max(0.0, pg - self._start[2]) / wall, 2)
        return figures


# --- the scratch environment and the server --------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def add_compression_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-compression", action="store_true",
                        help="don't offer permessage-deflate (browsers do offer it)")


def add_sending_options(parser: argparse.ArgumentParser, *, drain: float,
                        rate_help: str = "messages per second",
                        seconds_help: str = "sending time") -> None:
    """The options of the benchmarks that send at a rate to members with open sockets
    (fanout, notifications); `check_sending_options` refuses the impossible ones."""
    parser.add_argument("--rate", type=float, default=100, help=rate_help)
    parser.add_argument("--seconds", type=float, default=30, help=seconds_help)
    parser.add_argument("--drain", type=float, default=drain,
                        help="seconds to wait for the last deliveries after sending")
    parser.add_argument("--receiver-procs", type=int, default=1,
                        help="processes holding the WebSockets")
    add_compression_option(parser)


def check_sending_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.receiver_procs < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--receiver-procs, --rate and --seconds must be positive")


def add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--postgres", action="store_true",
                        help="run on a scratch PostgreSQL database (dropped afterwards) with "
                             "Redis under a unique key prefix, instead of SQLite")


async def _postgres_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _forget_redis_prefix(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start:start + 1000])
    finally:
        client.close()


@dataclass
class Environment:
    """A scratch installation: its `XIETONG_*` environment and where its data lives."""

    env: dict[str, str]
    data_dir: Path
    postgres_url: str | None = None  # plain postgresql:// URL when on PostgreSQL

    @property
    def database(self) -> str:
        return "postgresql" if self.postgres_url else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "xietong.db"

    def runtime(self) -> Runtime:
        """An in-process runtime on this installation, running no jobs: what a benchmark
        writes its company with, straight into the database."""
        return Runtime(Settings(data_dir=self.data_dir, database_url=self.postgres_url or "",
                                secret_key="b" * 40, run_jobs=False))

    def xietong(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "xietong", *args], env=self.env,
                              check=True, capture_output=True, text=True).stdout


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def scratch_environment(extra_env: dict[str, str] | None = None, *, postgres: bool = False
                        ) -> Iterator[Environment]:
    """A scratch data dir, migrated; on PostgreSQL a new database `xietong_bench_<random>`
    and a unique Redis prefix, both removed afterwards."""
    # A `timeout` or `kill` must still stop the server and drop the scratch database.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="xietong-bench-") as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("XIETONG_")}
        data_dir = Path(scratch) / "data"
        env.update(XIETONG_DATA_DIR=str(data_dir), XIETONG_LOG_LEVEL="warning",
                   **(extra_env or {}))
        name = f"xietong_bench_{secrets.token_hex(4)}"
        prefix = f"{name}:"
        postgres_url = None
        if postgres:
            asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
            postgres_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
            env.update(XIETONG_DATABASE_URL=postgres_url, XIETONG_REDIS_URL=REDIS_URL,
                       XIETONG_REDIS_PREFIX=prefix)
        try:
            environment = Environment(env, data_dir, postgres_url)
            environment.xietong("migrate")
            yield environment
        finally:
            if postgres:
                asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                _forget_redis_prefix(prefix)


def report_on_scratch(args: argparse.Namespace,
                      run: Callable[[argparse.Namespace, Environment],
                                    Coroutine[Any, Any, dict[str, Any]]]) -> None:
    """The in-process benchmarks' main: `run` on a scratch installation, its report printed."""
    with scratch_environment(postgres=args.postgres) as environment:
        report = asyncio.run(run(args, environment))
    print_report(report)


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    environment: Environment | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/api/v1/events/ws"

    def xietong(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "xietong", *args], env=self.env,
                              check=True, capture_output=True, text=True).stdout


def _raise_nofile_in_child() -> None:
    raise_nofile_limit()


@contextmanager
def serving(environment: Environment, *, raise_nofile: bool = False,
            poll_seconds: float = 0.1) -> Iterator[Server]:
    """`xietong serve` on a free port of `environment`, stopped (SIGTERM) afterwards; it is
    entered once /healthz answers (asked every `poll_seconds`)."""
    port = free_port()
    env = {**environment.env, "XIETONG_PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "xietong", "serve"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               preexec_fn=_raise_nofile_in_child if raise_nofile else None)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"xietong serve exited with {process.returncode}")
            try:
                if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("xietong serve did not answer /healthz within 30 s")
            time.sleep(poll_seconds)
        yield Server(base_url, env, process, environment)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running_server(extra_env: dict[str, str] | None = None, *, postgres: bool = False,
                   raise_nofile: bool = False) -> Iterator[Server]:
    """`xietong migrate` then `xietong serve` in a scratch data dir, stopped afterwards."""
    with (scratch_environment(extra_env, postgres=postgres) as environment,
          serving(environment, raise_nofile=raise_nofile) as server):
        yield server


# --- people and channels over the API --------------------------------------------------

@dataclass
class Person:
    user_id: int
    username: str
    token: str


def _checked(response: httpx.Response, *expected: int) -> dict[str, Any]:
    if response.status_code not in expected:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: "
                           f"{response.status_code} {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


def sign_in(base_url: str, username: str) -> Person:
    body = _checked(httpx.post(base_url + "/api/v1/auth/login",
                               json={"login": username, "password": PASSWORD}, timeout=30), 200)
    return Person(body["user"]["id"], username, body["token"])


class Admin:
    """An owner made with `xietong create-admin`, who makes people and channels."""

    def __init__(self, server: Server, username: str = "benchadmin") -> None:
        server.xietong("create-admin", "--username", username, "--password", PASSWORD)
        self.person = sign_in(server.base_url, username)
        self.client = httpx.Client(base_url=server.base_url, timeout=60, headers={
            "Authorization": f"Bearer {self.person.token}"})

    def close(self) -> None:
        self.client.close()

    def create_people(self, prefix: str, count: int,
                      display_name: Callable[[int], str] | None = None) -> list[Person]:
        """`count` members made with `POST /api/v1/users`, each signed in once; display
        names `display_name(index)`, by default "测试 <username>"."""
        people = []
        for index in range(count):
            username = f"{prefix}{index}"
            _checked(self.client.post("/api/v1/users", json={
                "username": username,
                "display_name": display_name(index) if display_name else f"测试 {username}",
                "password": PASSWORD}), 201)
            people.append(sign_in(str(self.client.base_url).rstrip("/"), username))
        return people

    def create_channel(self, name: str, member_ids: Sequence[int]) -> int:
        body = _checked(self.client.post("/api/v1/channels", json={
            "name": name, "kind": "public", "member_ids": list(member_ids)}), 201)
        channel_id: int = body["id"]
        return channel_id


# --- a small keep-alive HTTP/1.1 client ------------------------------------------------

class HttpError(Exception):
    pass


class KeepAliveConnection:
    """One persistent HTTP/1.1 connection, one request at a time.

    A few dozen lines over asyncio streams cost a fraction of httpx's CPU per request,
    which matters when the load generator shares two cores with the server.
    """

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._host_header = f"{self.host}:{self.port}".encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._last_method = "GET"

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def request(self, method: str, path: str, *, token: str | None = None,
                      json_body: object = None) -> tuple[int, bytes]:
        reader, writer = await self._connect()
        body = b"" if json_body is None else json.dumps(json_body, ensure_ascii=False).encode()
        head = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._host_header]
        if token:
            head.append(f"Authorization: Bearer {token}".encode())
        if json_body is not None:
            head.append(b"Content-Type: application/json")
        if json_body is not None or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body)}".encode())
        self._last_method = method
        writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        try:
            return await self._response(reader)
        except BaseException:
            await self.close()  # the stream is in an unknown state
            raise

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        try:
            raw_head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            raise HttpError("connection closed by the server") from error
        lines = raw_head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if status in (204, 304) or 100 <= status < 200 or self._last_method == "HEAD":
            body = b""
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            body = b"".join(chunks)
        else:
            body = await reader.read()
            await self.close()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()


async def insert_company(session: AsyncSession, *, departments: int, per_department: int,
                         password_hash: str, managers: bool = True) -> int:
    """Rows of a synthetic company, written directly: departments 部门01…, people user0001…
    (员工0001…, one password), each in one department (their primary one), in order;
    `managers`: the first person of each department manages it. Returns how many people."""
    people = departments * per_department
    await session.execute(insert(Department), [
        {"id": d, "name": f"部门{d:02d}", "position": d} for d in range(1, departments + 1)])
    await session.execute(insert(User), [
        {"id": p, "username": f"user{p:04d}", "display_name": f"员工{p:04d}",
         "role": "member", "password_hash": password_hash, "search_text": "",
         "sort_key": f"{p:04d}"} for p in range(1, people + 1)])
    await session.execute(insert(DepartmentMember), [
        {"department_id": (p - 1) // per_department + 1, "user_id": p, "is_primary": True}
        for p in range(1, people + 1)])
    if managers:
        await session.execute(insert(DepartmentManager), [
            {"department_id": d, "user_id": (d - 1) * per_department + 1}
            for d in range(1, departments + 1)])
    return people
