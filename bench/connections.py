"""Idle WebSocket connections: memory and opening time on one server process.

Opens `--connections` (10,000) authenticated WebSockets (`?token=`) from `--users` people
(many sockets each) to one `xietong serve` process, `--open-concurrency` handshakes at a
time, and leaves them idle. Reported: the server's RSS (VmRSS from /proc/<pid>/status)
before and after, RSS per 1,000 connections, the time to open them, then one message
posted to the channel all of them read and whether (and how fast) it arrives on a
sample of the sockets (`--sample`, 0 = every socket). The open-file limit is raised to
the hard limit in this process and in the server.

Run: .venv/bin/python -m bench.connections [--connections 10000] [--users 10] [--postgres]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.common import (
    FAST_ARGON2_ENV,
    FAST_ARGON2_NOTE,
    Admin,
    KeepAliveConnection,
    Person,
    Server,
    add_compression_option,
    add_database_options,
    cpu_seconds,
    latency_summary_ms,
    machine_info,
    print_report,
    raise_nofile_limit,
    rss_kib,
    running_server,
)

TARGET_CONNECTIONS = 10_000
TARGET_MIB_PER_1000 = 40.0
OPEN_TIMEOUT = 60.0
DELIVERY_TIMEOUT = 30.0


async def open_sockets(server: Server, people: list[Person], count: int, concurrency: int,
                       compression: str | None
                       ) -> tuple[list[ClientConnection], list[float], dict[str, int]]:
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    failures: dict[str, int] = {}

    async def open_one(index: int) -> ClientConnection | None:
        token = people[index % len(people)].token
        async with limit:
            started = time.monotonic()
            try:
                connection = await asyncio.wait_for(
                    connect(f"{server.ws_url}?token={token}", ping_interval=None,
                            open_timeout=OPEN_TIMEOUT, compression=compression), OPEN_TIMEOUT)
                hello = json.loads(await asyncio.wait_for(connection.recv(), OPEN_TIMEOUT))
            except Exception as error:
                failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
                return None
            if hello.get("type") != "hello":
                failures["no_hello"] = failures.get("no_hello", 0) + 1
                await connection.close()
                return None
            latencies.append(time.monotonic() - started)
            return connection

    opened = await asyncio.gather(*(open_one(i) for i in range(count)))
    return [c for c in opened if c is not None], latencies, failures


async def await_message(connection: ClientConnection, message_id: int, deadline: float
                        ) -> float | None:
    """Monotonic time the `message.created` of `message_id` arrived, or None."""
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            frame = json.loads(await asyncio.wait_for(connection.recv(), remaining))
        except Exception:
            return None
        if (frame.get("type") == "message.created"
                and frame["data"]["message"]["id"] == message_id):
            return time.monotonic()
    return None


async def check_delivery(server: Server, sender: Person, channel_id: int,
                         sample: list[ClientConnection]) -> dict[str, object]:
    client = KeepAliveConnection(server.base_url)
    sent_at = time.monotonic()
    status, body = await client.request(
        "POST", f"/api/v1/channels/{channel_id}/messages", token=sender.token,
        json_body={"text": "全体注意：这条消息发给每一个连接。"})
    acknowledged_at = time.monotonic()
    await client.close()
    if status != 201:
        return {"error": f"posting failed: {status} {body[:200]!r}"}
    message_id = json.loads(body)["id"]
    deadline = sent_at + DELIVERY_TIMEOUT
    arrivals = await asyncio.gather(*(await_message(c, message_id, deadline) for c in sample))
    latencies = [a - sent_at for a in arrivals if a is not None]
    return {"sockets_checked": len(sample), "received": len(latencies),
            "missing": len(sample) - len(latencies),
            "ack_ms": round((acknowledged_at - sent_at) * 1000, 2),
            "send_to_deliver": latency_summary_ms(latencies, with_max=True)}


async def run(server: Server, people: list[Person], channel_id: int,
              args: argparse.Namespace) -> dict[str, Any]:
    await asyncio.sleep(1)
    rss_before = rss_kib(server.pid)
    cpu_before = cpu_seconds(server.pid)
    started = time.monotonic()
    sockets, open_latencies, failures = await open_sockets(
        server, people, args.connections, args.open_concurrency,
        None if args.no_compression else "deflate")
    open_seconds = time.monotonic() - started
    negotiated = (sockets[0].response.headers.get("Sec-WebSocket-Extensions")
                  if sockets and sockets[0].response else None)
    open_cpu = cpu_seconds(server.pid) - cpu_before
    await asyncio.sleep(args.settle)
    rss_after = rss_kib(server.pid)
    idle_cpu_before = cpu_seconds(server.pid)
    await asyncio.sleep(args.idle)
    idle_cores = (cpu_seconds(server.pid) - idle_cpu_before) / args.idle
    rss_idle = rss_kib(server.pid)
    grown_mib = (rss_after - rss_before) / 1024
    per_1000 = grown_mib / len(sockets) * 1000 if sockets else float("nan")
    sample = (sockets if args.sample <= 0 or args.sample >= len(sockets)
              else random.sample(sockets, args.sample))
    delivery = await check_delivery(server, people[0], channel_id, sample)

    closing = time.monotonic()
    limit = asyncio.Semaphore(500)

    async def close(connection: ClientConnection) -> None:
        async with limit:
            await connection.close()

    await asyncio.gather(*(close(c) for c in sockets), return_exceptions=True)
    close_seconds = time.monotonic() - closing
    await asyncio.sleep(2)
    return {
        "connections_requested": args.connections, "connections_open": len(sockets),
        "open_failures": failures, "negotiated_extensions": negotiated,
        "open_seconds": round(open_seconds, 2),
        "opened_per_s": round(len(sockets) / open_seconds, 1) if open_seconds else None,
        "open_latency": latency_summary_ms(open_latencies, with_max=True),
        "server_cpu_seconds_opening": round(open_cpu, 2),
        "server_cpu_ms_per_open": round(open_cpu / max(len(sockets), 1) * 1000, 3),
        "server_rss_mib": {"before": round(rss_before / 1024, 1),
                           "after_open": round(rss_after / 1024, 1),
                           f"after_{args.idle:g}s_idle": round(rss_idle / 1024, 1),
                           "after_close": round(rss_kib(server.pid) / 1024, 1)},
        "rss_mib_per_1000_connections": round(per_1000, 2),
        "server_cores_used_while_idle": round(idle_cores, 3),
        "delivery_to_sample": delivery,
        "close_seconds": round(close_seconds, 2),
        "target": {"connections": TARGET_CONNECTIONS,
                   "rss_mib_per_1000_max": TARGET_MIB_PER_1000,
                   "met": (len(sockets) >= TARGET_CONNECTIONS
                           and per_1000 <= TARGET_MIB_PER_1000)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=TARGET_CONNECTIONS)
    parser.add_argument("--users", type=int, default=10, help="people owning the sockets")
    parser.add_argument("--open-concurrency", type=int, default=100,
                        help="handshakes in flight at once")
    parser.add_argument("--settle", type=float, default=3,
                        help="seconds between the last open and the RSS reading")
    parser.add_argument("--idle", type=float, default=10,
                        help="seconds the sockets stay idle (server CPU measured)")
    parser.add_argument("--sample", type=int, default=1000,
                        help="sockets checked for the message (0 = all)")
    add_compression_option(parser)
    add_database_options(parser)
    args = parser.parse_args()
    if args.connections <= 0 or args.users <= 0 or args.open_concurrency <= 0:
        parser.error("--connections, --users and --open-concurrency must be positive")

    nofile = raise_nofile_limit()
    report: dict[str, Any] = {
        "benchmark": "connections", "machine": machine_info(),
        "database": "postgresql+redis" if args.postgres else "sqlite",
        "users": args.users, "open_concurrency": args.open_concurrency,
        "permessage_deflate_offered": not args.no_compression,
        "open_file_limit": {"load_generator": nofile,
                            "hard": resource.getrlimit(resource.RLIMIT_NOFILE)[1]},
        "argon2": FAST_ARGON2_NOTE}
    if args.connections + 100 > nofile:
        report["warning"] = f"the open-file limit {nofile} is below --connections"
    with running_server(FAST_ARGON2_ENV, postgres=args.postgres, raise_nofile=True) as server:
        report["open_file_limit"]["server"] = _server_nofile(server.pid)
        admin = Admin(server)
        try:
            people = admin.create_people("idle", args.users)
            channel_id = admin.create_channel("everyone", [p.user_id for p in people])
        finally:
            admin.close()
        report.update(asyncio.run(run(server, people, channel_id, args)))
    print_report(report)


def _server_nofile(pid: int) -> int | None:
    with open(f"/proc/{pid}/limits") as limits:
        for line in limits:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    return None


if __name__ == "__main__":
    main()
