"""Notification latency: from a message's send to the mentioned person's socket.

One channel of `--members` members (default 50) and a sender. The sender posts over HTTP
(`POST /api/v1/channels/{id}/messages`, keep-alive connections, open loop at `--rate` per
second for `--seconds`); message i @-mentions member i mod N by display name, as the web
client's composer inserts it ("@成员12 …"). Every member and the sender keep one WebSocket
open (in a separate receiver process). The notification centre's event-log consumer turns
each mention into a `notification.created` event on the mentioned person's own sockets;
its `data.message_id` maps it back to the send, whose time (CLOCK_MONOTONIC, shared by all
processes) is taken before the POST is written. For comparison the mentioned person's
`message.created` of the same message is timed too.

Reported: sent, acknowledged, notifications expected vs received, lost, duplicated,
misdirected (a mention notification on the socket of someone the message did not
mention), send→notification and send→message.created latency p50/p90/p99/max, and the gap
between the two on the same socket (what the consumer adds).

`--two-nodes` (with `--postgres`): two server processes on one database and Redis;
messages are posted to the first, every socket is on the second.

`--backlog N` measures the consumer alone: how fast it works off N mentions that are
already in the log. They are posted (at `--rate`) to a node running without consumers
(`XIETONG_RUN_CONSUMERS=false`, after a node with them has set up its position), then a
node with consumers is started on its own and the notifications table is counted every
20 ms until all N are there. Reported: seconds from that node's start, the drain rate
between the first and the last committed batch (the first batch, and start-up, left
out), and the server process's CPU per notification over the same span (less moved by
other work on the machine than the rate).

Run: .venv/bin/python -m bench.notifications [--rate 100] [--seconds 30] [--postgres
[--two-nodes]] | [--backlog 2000] [--postgres]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

import httpx

from bench.common import (
    FAST_ARGON2_ENV,
    FAST_ARGON2_NOTE,
    Admin,
    CpuMeter,
    Environment,
    Person,
    Server,
    add_database_options,
    add_sending_options,
    check_sending_options,
    latency_summary_ms,
    machine_info,
    print_report,
    process_tree,
    scratch_environment,
    serving,
    total_cpu_seconds,
)
from bench.fanout import Receivers, Sent, send_messages

QUANTILES = (0.5, 0.9, 0.99)
# What a socket saw: a message, a mention notification, or another notification (being
# added to the channel).
MESSAGE, MENTION, OTHER_NOTIFICATION = 0, 1, 2
# (what, event id, message id or 0, arrival time in ns)
Record = tuple[int, int, int, int]


def member_name(index: int) -> str:
    return f"成员{index}"


def record_frame(frame: dict[str, Any], arrived_ns: int) -> Record | None:
    """The receivers' record of a frame: messages and notifications, nothing else."""
    kind = frame.get("type")
    if kind == "message.created":
        return MESSAGE, frame["id"], frame["data"]["message"]["id"], arrived_ns
    if kind == "notification.created":
        notification = frame["data"]["notification"]
        if notification["kind"] == "mention":
            return MENTION, frame["id"], int(notification["data"]["message_id"]), arrived_ns
        return OTHER_NOTIFICATION, frame["id"], 0, arrived_ns
    return None


def wait_until_following(server: Server, person: Person, timeout: float = 30) -> None:
    """Until the consumer has noted `person`'s joining the channel: it is running and has
    handled what setting up did, so the measurement starts on a consumer at rest."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.base_url, timeout=10, headers={
            "Authorization": f"Bearer {person.token}"}) as client:
        while True:
            response = client.get("/api/v1/notifications")
            response.raise_for_status()
            if response.json()["items"]:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"no notification of joining the channel in {timeout} s")
            time.sleep(0.1)


def set_up(node: Server, count: int) -> tuple[list[Person], Person, int]:
    """`count` members and a sender in one channel, once the node's notification consumer
    follows them: (members, sender, channel id)."""
    admin = Admin(node)
    try:
        members = admin.create_people("nm", count, display_name=member_name)
        sender = admin.create_people("sender", 1, display_name=lambda _: "发送人")[0]
        channel_id = admin.create_channel("notification-bench",
                                          [p.user_id for p in [*members, sender]])
    finally:
        admin.close()
    wait_until_following(node, members[-1])
    return members, sender, channel_id


def run(servers: list[Server], args: argparse.Namespace) -> dict[str, Any]:
    send_to, sockets_on = servers[0], servers[-1]
    members, sender, channel_id = set_up(send_to, args.members)

    # Sockets in member order, the sender's last.
    receivers = Receivers(sockets_on.ws_url, [p.token for p in [*members, sender]],
                          procs=args.receiver_procs, compression=not args.no_compression,
                          recorder=record_frame)
    time.sleep(0.5)  # let the hub settle the new connections

    meters = [CpuMeter(servers[0].pid, args.postgres, receivers.pids),
              *(CpuMeter(s.pid, postgres=False) for s in servers[1:])]
    started = time.monotonic()
    sent = asyncio.run(send_messages(
        send_to.base_url, [(channel_id, sender)], args.rate, args.seconds,
        text=lambda i: f"@{member_name(i % args.members)} 第 {i} 条：请看一下报价单，"
                       f"下午三点前回复。"))
    send_seconds = time.monotonic() - started
    time.sleep(args.drain)
    cpu = meters[0].cores_used()
    if len(meters) > 1:
        cpu["second_node_process"] = meters[1].cores_used()["server_process"]
    records = receivers.records()
    return {"members": args.members, "sockets": receivers.opened,
            "send_seconds": round(send_seconds, 2), "cores_used": cpu,
            **analyse(args.members, records, sent)}


def backlog_run(environment: Environment, args: argparse.Namespace) -> dict[str, Any]:
    with serving(environment) as node:  # consumers on: their position row, at rest
        _members, sender, channel_id = set_up(node, args.members)
    without_consumers = replace(environment, env={**environment.env,
                                                  "XIETONG_RUN_CONSUMERS": "false"})
    with serving(without_consumers) as node:
        sent = asyncio.run(send_messages(
            node.base_url, [(channel_id, sender)], args.rate, args.backlog / args.rate,
            text=lambda i: f"@{member_name(i % args.members)} 第 {i} 条：请看一下报价单，"
                           f"下午三点前回复。"))
    expected = len(sent.sent_at)  # one mention notification per acknowledged message
    started = time.monotonic()
    with serving(environment) as node:
        ready = time.monotonic() - started
        samples = asyncio.run(_count_until(environment, node.pid, expected,
                                           give_up_after=max(60.0, expected / 10)))
    done = [s for s in samples if s[1] >= expected]
    progress = [s for s in samples if s[1] > 0]
    report: dict[str, Any] = {
        "members": args.members, "backlog_sent": sent.sent, "backlog": expected,
        "send_errors": dict(sent.errors), "node_ready_seconds": round(ready, 2),
        "notifications_recorded": samples[-1][1] if samples else 0,
        "all_recorded": bool(done)}
    if done and progress and done[0][0] > progress[0][0]:
        first, last = progress[0], done[0]
        handled = last[1] - first[1]
        report.update({
            "seconds_from_node_start": round(last[0] - started, 2),
            "drain_per_s": round(handled / (last[0] - first[0]), 1),
            "drain_measured_over": {"notifications": handled,
                                    "seconds": round(last[0] - first[0], 2)},
            "server_cpu_ms_per_notification": round((last[2] - first[2]) * 1000 / handled, 3),
            "server_cores_while_draining": round((last[2] - first[2]) / (last[0] - first[0]),
                                                 2)})
    return report


async def _count_until(environment: Environment, server_pid: int, expected: int,
                       give_up_after: float) -> list[tuple[float, int, float]]:
    """(time, new notifications, server CPU seconds) every 20 ms until `expected` new
    notifications are recorded (or `give_up_after` seconds have passed)."""
    count: Callable[[], Awaitable[int]]
    if environment.postgres_url:
        import asyncpg

        connection = await asyncpg.connect(environment.postgres_url)

        async def count() -> int:
            return int(await connection.fetchval("SELECT count(*) FROM notifications"))
    else:
        lite = sqlite3.connect(f"file:{environment.sqlite_path}?mode=ro", uri=True)

        async def count() -> int:
            return int(lite.execute("SELECT count(*) FROM notifications").fetchone()[0])
    try:
        base = await count()  # the members' "added to the channel"
        pids = process_tree(server_pid)
        samples: list[tuple[float, int, float]] = []
        deadline = time.monotonic() + give_up_after
        while True:
            recorded = await count() - base
            samples.append((time.monotonic(), recorded, total_cpu_seconds(pids)))
            if recorded >= expected or time.monotonic() > deadline:
                return samples
            await asyncio.sleep(0.02)
    finally:
        if environment.postgres_url:
            await connection.close()
        else:
            lite.close()


def analyse(members: int, records: list[list[Record]], sent: Sent) -> dict[str, object]:
    """`records`: each member's socket in order, then the sender's."""
    # Acknowledged message id → the member it mentions (message i mentions i mod members).
    mentions = {message_id: index % members for message_id, (index, _) in sent.sent_at.items()}
    wanted: list[set[int]] = [set() for _ in range(members + 1)]
    for message_id, member in mentions.items():
        wanted[member].add(message_id)
    to_notification: list[float] = []
    # (send time, send→notification): does the consumer keep up, or fall further behind?
    timeline: list[tuple[int, float]] = []
    to_message: list[float] = []
    gaps: list[float] = []
    received = duplicated = misdirected = unacknowledged = other = 0
    lost = messages_lost = 0
    for socket, arrivals in enumerate(records):
        notified: dict[int, int] = {}  # message id → arrival of its notification
        delivered: dict[int, int] = {}  # message id → arrival of message.created
        for what, _, message_id, arrived_ns in arrivals:
            if what == OTHER_NOTIFICATION:
                other += 1
            elif what == MESSAGE:
                delivered.setdefault(message_id, arrived_ns)
            elif message_id in notified:
                duplicated += 1
            else:
                notified[message_id] = arrived_ns
                if message_id not in sent.sent_at:
                    unacknowledged += 1  # e.g. committed but the answer timed out
                elif message_id not in wanted[socket]:
                    misdirected += 1
                else:
                    received += 1
        lost += len(wanted[socket] - notified.keys())
        messages_lost += len(wanted[socket] - delivered.keys())
        for message_id in wanted[socket]:
            sent_ns = sent.sent_at[message_id][1]
            if message_id in notified:
                to_notification.append((notified[message_id] - sent_ns) / 1e9)
                timeline.append((sent_ns, to_notification[-1]))
            if message_id in delivered:
                to_message.append((delivered[message_id] - sent_ns) / 1e9)
            if message_id in notified and message_id in delivered:
                gaps.append((notified[message_id] - delivered[message_id]) / 1e9)
    return {
        "sent": sent.sent, "acknowledged": len(sent.sent_at),
        "send_errors": dict(sent.errors),
        "ack_latency": latency_summary_ms(sent.ack_latencies, with_max=True,
                                          quantiles=QUANTILES),
        "sender_behind_schedule_max_ms": round(max(sent.behind_schedule, default=0) * 1000, 2),
        "notifications_expected": sum(len(w) for w in wanted),
        "notifications_received": received, "lost": lost, "duplicated": duplicated,
        "misdirected": misdirected, "notified_without_ack": unacknowledged,
        "other_notifications": other,
        "send_to_notification_latency": latency_summary_ms(
            to_notification, with_max=True, quantiles=QUANTILES),
        "send_to_notification_p50_ms_by_tenth_of_the_sends": _by_tenth(timeline),
        "send_to_message_latency_for_the_mentioned": latency_summary_ms(
            to_message, with_max=True, quantiles=QUANTILES),
        "messages_lost_for_the_mentioned": messages_lost,
        "notification_after_message": latency_summary_ms(gaps, with_max=True,
                                                         quantiles=QUANTILES),
    }


def _by_tenth(timeline: list[tuple[int, float]]) -> list[float | None]:
    """Median latency of each tenth of the notified sends, in send order."""
    ordered = [latency for _, latency in sorted(timeline)]
    tenths = [ordered[len(ordered) * i // 10:len(ordered) * (i + 1) // 10] for i in range(10)]
    return [latency_summary_ms(tenth, quantiles=(0.5,))["p50_ms"] for tenth in tenths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sending_options(parser, drain=5)
    parser.add_argument("--members", type=int, default=50,
                        help="channel members mentioned in turn (the sender besides)")
    parser.add_argument("--two-nodes", action="store_true",
                        help="send to one server process, hold the sockets on another "
                             "(needs --postgres)")
    parser.add_argument("--backlog", type=int, default=0,
                        help="instead: how fast the consumer works off this many mentions "
                             "already in the log (sent at --rate to a node without it)")
    add_database_options(parser)
    args = parser.parse_args()
    check_sending_options(parser, args)
    if args.members < 1:
        parser.error("--members must be positive")
    if args.two_nodes and not args.postgres:
        parser.error("--two-nodes needs --postgres")
    if args.backlog < 0 or (args.backlog and args.two_nodes):
        parser.error("--backlog must be positive and runs one node at a time")
    if args.backlog:
        backlog_main(args)
        return

    report: dict[str, Any] = {
        "benchmark": "notifications", "machine": machine_info(),
        "database": "postgresql+redis" if args.postgres else "sqlite",
        "nodes": 2 if args.two_nodes else 1,
        "rate_per_s": args.rate, "seconds": args.seconds, "drain_seconds": args.drain,
        "receiver_processes": args.receiver_procs, "argon2": FAST_ARGON2_NOTE,
        "permessage_deflate_offered": not args.no_compression,
        "latency_clock": "CLOCK_MONOTONIC from before the POST is written to when the "
                         "receiving process reads the frame (client-side queueing included)"}
    with (scratch_environment(FAST_ARGON2_ENV, postgres=args.postgres) as environment,
          ExitStack() as nodes):
        servers = [nodes.enter_context(serving(environment))
                   for _ in range(2 if args.two_nodes else 1)]
        report.update(run(servers, args))
    # Other work on the same cores moves these figures: say how busy the machine was.
    report["machine"]["load_average_1m_at_end"] = os.getloadavg()[0]
    print_report(report)


def backlog_main(args: argparse.Namespace) -> None:
    report: dict[str, Any] = {
        "benchmark": "notifications --backlog", "machine": machine_info(),
        "database": "postgresql+redis" if args.postgres else "sqlite",
        "rate_per_s_of_the_backlog_sends": args.rate, "argon2": FAST_ARGON2_NOTE}
    with scratch_environment(FAST_ARGON2_ENV, postgres=args.postgres) as environment:
        report.update(backlog_run(environment, args))
    report["machine"]["load_average_1m_at_end"] = os.getloadavg()[0]
    print_report(report)


if __name__ == "__main__":
    main()
