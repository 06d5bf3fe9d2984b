"""Sign-in cost with production argon2id parameters (t=3, m=64 MiB, p=4).

1. Raw hashing: hashes and verifications per second, one thread and one per core.
2. The login endpoint of a real server process, driven from this (separate) process by
   concurrent clients for a fixed time: sign-ins per second and latency percentiles.

Run: .venv/bin/python bench/login.py [--seconds 10] [--concurrency 1,4,8]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from argon2 import PasswordHasher

from bench.common import latency_summary_ms, running_server
from xietong.settings import Settings

PASSWORD = "bench-password-密码"


def hashing_figures(rounds: int) -> dict[str, object]:
    settings = Settings()
    hasher = PasswordHasher(time_cost=settings.argon2_time_cost,
                            memory_cost=settings.argon2_memory_kib,
                            parallelism=settings.argon2_parallelism)
    stored = hasher.hash(PASSWORD)
    started = time.perf_counter()
    for _ in range(rounds):
        hasher.verify(stored, PASSWORD)
    one_thread = rounds / (time.perf_counter() - started)
    cores = os.cpu_count() or 1
    started = time.perf_counter()
    with ThreadPoolExecutor(cores) as pool:
        list(pool.map(lambda _: hasher.verify(stored, PASSWORD), range(rounds * cores)))
    all_cores = rounds * cores / (time.perf_counter() - started)
    return {"argon2": {"time_cost": settings.argon2_time_cost,
                       "memory_kib": settings.argon2_memory_kib,
                       "parallelism": settings.argon2_parallelism},
            "verifications_per_s_one_thread": round(one_thread, 1),
            "verify_ms_one_thread": round(1000 / one_thread, 1),
            f"verifications_per_s_{cores}_threads": round(all_cores, 1)}


async def drive_logins(base_url: str, usernames: list[str], concurrency: int,
                       seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    failures = 0
    stop_at = time.monotonic() + seconds

    async def worker(index: int) -> None:
        nonlocal failures
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            username = usernames[index % len(usernames)]
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                response = await client.post("/api/v1/auth/login",
                                             json={"login": username, "password": PASSWORD})
                latencies.append(time.perf_counter() - started)
                failures += response.status_code != 200

    started = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.monotonic() - started
    return {"concurrency": concurrency, "sign_ins": len(latencies), "failed": failures,
            "sign_ins_per_s": round(len(latencies) / elapsed, 1), **latency_summary_ms(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", default="1,4,8")
    args = parser.parse_args()
    report: dict[str, object] = {"cpu_count": os.cpu_count(), "hashing": hashing_figures(20)}
    levels = [int(c) for c in args.concurrency.split(",")]
    with running_server() as server:
        usernames = [f"bench{i}" for i in range(max(levels))]
        for username in usernames:
            server.xietong("create-admin", "--username", username, "--password", PASSWORD)
        report["login_endpoint"] = [
            asyncio.run(drive_logins(server.base_url, usernames, level, args.seconds))
            for level in levels]
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
