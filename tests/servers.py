"""Real server processes for the tests that need them: kill -9, several nodes, Redis restarts."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

XIETONG = [sys.executable, "-m", "xietong"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Node:
    """One `xietong serve` process."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Node:
        log = open(Path(self.env["XIETONG_DATA_DIR"]) / f"node-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen([*XIETONG, "serve"],
                                        env={**self.env, "XIETONG_PORT": str(self.port)},
                                        stdout=log, stderr=subprocess.STDOUT)
        # Importing every domain takes seconds; on a busy two-core machine, tens of them.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"node on {self.port} exited"
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        # Not left serving for the rest of the run (and after it) by a test that gave up.
        self.kill()
        raise AssertionError(f"node on {self.port} did not become ready")

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, nothing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def operator_env(database_url: str, data_dir: Path, redis_url: str | None,
                 redis_prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIETONG_")}
    env.update(XIETONG_DATA_DIR=str(data_dir), XIETONG_DATABASE_URL=database_url,
               XIETONG_REDIS_PREFIX=redis_prefix, XIETONG_LOG_LEVEL="warning",
               # Test speed: the weakest argon2 cost the settings accept.
               XIETONG_ARGON2_TIME_COST="2", XIETONG_ARGON2_MEMORY_KIB="19456",
               XIETONG_ARGON2_PARALLELISM="1", XIETONG_SECRET_KEY="n" * 40)
    if redis_url:
        env["XIETONG_REDIS_URL"] = redis_url
    return env


def run_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([*XIETONG, *args], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


class RedisServer:
    """A private redis-server on a free port, so a test can stop and restart it."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None
