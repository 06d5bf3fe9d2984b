"""Message throughput: acknowledged sends per second.

`--senders` people (20) each post messages in a closed loop (next one as soon as the last
is answered) over their own keep-alive HTTP connection, spread over `--procs` load
processes, to `--channels` channels they all belong to, for `--seconds` after a short
warm-up. Reported: acknowledged sends per second, latency p50/p95/p99/max, errors, and
the CPU the server, PostgreSQL and the load generator used meanwhile.

`--workers` above 1 serves with that many worker processes (XIETONG_WORKERS; PostgreSQL
and Redis only).

Run: .venv/bin/python -m bench.throughput [--seconds 30] [--senders 20] [--procs 2]
     [--sqlite-synchronous full|normal] [--postgres [--workers 2]]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import queue
import time
from collections import Counter
from typing import Any

from bench.common import (
    FAST_ARGON2_ENV,
    FAST_ARGON2_NOTE,
    Admin,
    CpuMeter,
    KeepAliveConnection,
    add_database_options,
    latency_summary_ms,
    machine_info,
    print_report,
    running_server,
)

TARGET_PER_S = 1000
REQUEST_TIMEOUT = 30.0


def sender_main(base_url: str, jobs: list[tuple[str, int]], start_at: float,
                measure_from: float, stop_at: float, out: multiprocessing.Queue[Any]) -> None:
    out.put(asyncio.run(_send(base_url, jobs, start_at, measure_from, stop_at)))


async def _send(base_url: str, jobs: list[tuple[str, int]], start_at: float,
                measure_from: float, stop_at: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()

    async def sender(index: int, token: str, channel_id: int) -> None:
        connection = KeepAliveConnection(base_url)
        await connection.request("GET", "/healthz")  # connect before the clock starts
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        sequence = 0
        while (now := time.monotonic()) < stop_at:
            sequence += 1
            try:
                status, body = await asyncio.wait_for(connection.request(
                    "POST", f"/api/v1/channels/{channel_id}/messages", token=token,
                    json_body={"text": f"吞吐测试 {index}/{sequence}：本周例会改到周四。",
                               "client_msg_id": f"t{index}-{sequence}-{time.time_ns()}"}),
                    REQUEST_TIMEOUT)
            except Exception as error:
                if now >= measure_from:
                    errors[type(error).__name__] += 1
                continue
            done = time.monotonic()
            if now < measure_from or done > stop_at:
                continue  # warm-up, or answered after the window closed
            if status == 201:
                latencies.append(done - now)
            else:
                errors[f"http_{status}:{body[:80].decode(errors='replace')}"] += 1
        await connection.close()

    await asyncio.gather(*(sender(i, token, channel_id)
                           for i, (token, channel_id) in enumerate(jobs)))
    return {"latencies": latencies, "errors": dict(errors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="measured time")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured time first")
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--procs", type=int, default=2, help="load-generating processes")
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    add_database_options(parser)
    parser.add_argument("--sqlite-synchronous", choices=("full", "normal"), default=None,
                        help="SQLite durability (XIETONG_SQLITE_SYNCHRONOUS; default: the "
                             "server's default, full)")
    args = parser.parse_args()
    if min(args.seconds, args.senders, args.procs, args.channels, args.workers) <= 0:
        parser.error("--seconds, --senders, --procs, --channels and --workers must be positive")
    if args.workers > 1 and not args.postgres:
        parser.error("--workers above 1 needs --postgres (worker processes share Redis)")

    report: dict[str, Any] = {
        "benchmark": "throughput", "machine": machine_info(),
        "database": "postgresql+redis" if args.postgres else "sqlite",
        "server_workers": args.workers,
        "sqlite_synchronous": None if args.postgres else (args.sqlite_synchronous or "default"),
        "senders": args.senders, "load_processes": args.procs, "channels": args.channels,
        "seconds": args.seconds, "warmup_seconds": args.warmup, "argon2": FAST_ARGON2_NOTE}
    server_env = {**FAST_ARGON2_ENV, "XIETONG_WORKERS": str(args.workers)}
    if args.sqlite_synchronous is not None:
        server_env["XIETONG_SQLITE_SYNCHRONOUS"] = args.sqlite_synchronous
    with running_server(server_env, postgres=args.postgres) as server:
        admin = Admin(server)
        try:
            people = admin.create_people("sender", args.senders)
            channel_ids = [admin.create_channel(f"throughput-{c}", [p.user_id for p in people])
                           for c in range(args.channels)]
        finally:
            admin.close()
        jobs = [(p.token, channel_ids[i % args.channels]) for i, p in enumerate(people)]
        context = multiprocessing.get_context("spawn")
        out: multiprocessing.Queue[Any] = context.Queue()
        start_at = time.monotonic() + 3  # time for the workers to start and connect
        measure_from = start_at + args.warmup
        stop_at = measure_from + args.seconds
        workers = [context.Process(target=sender_main, daemon=True, args=(
            server.base_url, jobs[i::args.procs], start_at, measure_from, stop_at, out))
            for i in range(args.procs)]
        for worker in workers:
            worker.start()
        time.sleep(max(0.0, measure_from - time.monotonic()))
        meter = CpuMeter(server.pid, args.postgres, [w.pid for w in workers if w.pid])
        time.sleep(max(0.0, stop_at - time.monotonic()))
        cpu = meter.cores_used()
        results = []
        for _ in workers:
            try:
                results.append(out.get(timeout=REQUEST_TIMEOUT + 30))
            except queue.Empty:
                raise RuntimeError("a load process sent no result") from None
        for worker in workers:
            worker.join(30)

    latencies = [x for result in results for x in result["latencies"]]
    errors: Counter[str] = Counter()
    for result in results:
        errors.update(result["errors"])
    per_second = len(latencies) / args.seconds
    report.update({
        "acknowledged": len(latencies), "acks_per_s": round(per_second, 1),
        "latency": latency_summary_ms(latencies, with_max=True),
        "errors": sum(errors.values()), "error_kinds": dict(errors.most_common(10)),
        "cores_used": cpu,
        "target": {"acks_per_s_min": TARGET_PER_S, "met": per_second >= TARGET_PER_S}})
    print_report(report)


if __name__ == "__main__":
    main()
