"""Shared by the benchmarks: a real server process on a scratch data dir, and percentiles."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def latency_summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    return {f"p{int(q * 100)}_ms": round(percentile(seconds, q) * 1000, 2)
            for q in (0.5, 0.95, 0.99)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def xietong(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "xietong", *args], env=self.env,
                              check=True, capture_output=True, text=True).stdout


@contextmanager
def running_server(extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """`xietong migrate` then `xietong serve` in a scratch data dir, stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="xietong-bench-") as scratch:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("XIETONG_")}
        env.update(XIETONG_DATA_DIR=str(Path(scratch) / "data"), XIETONG_PORT=str(port),
                   XIETONG_LOG_LEVEL="warning", **(extra_env or {}))
        subprocess.run([sys.executable, "-m", "xietong", "migrate"], env=env, check=True,
                       capture_output=True)
        process = subprocess.Popen([sys.executable, "-m", "xietong", "serve"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield Server(base_url, env, process)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
