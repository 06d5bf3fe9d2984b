"""Fan-out: send→deliver latency and delivery correctness over WebSockets.

Scenario A: 1 channel × 50 members; scenario B: 10 channels × 10 members (100 people).
Every member keeps one authenticated WebSocket open (in a separate receiver process);
this process posts messages over HTTP (`POST /api/v1/channels/{id}/messages`, keep-alive
connections, open loop at `--rate` per second in total for `--seconds`), each with a
`client_msg_id` that carries the send time (CLOCK_MONOTONIC, shared by all processes).
Every socket records when each event arrives. Reported per scenario: sent, acknowledged,
send→deliver latency over all deliveries, expected vs received deliveries, lost,
duplicated and out-of-order events (per socket, by event id).

Run: .venv/bin/python -m bench.fanout [--rate 100] [--seconds 30] [--postgres]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import queue
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event as EventType
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.common import (
    FAST_ARGON2_ENV,
    FAST_ARGON2_NOTE,
    Admin,
    CpuMeter,
    KeepAliveConnection,
    Person,
    Server,
    add_database_options,
    add_sending_options,
    check_sending_options,
    latency_summary_ms,
    machine_info,
    print_report,
    running_server,
)

TARGET_P99_MS = 50.0
SEND_TIMEOUT = 10.0
# (event id, message id or 0 for other events, send time in ns or 0, arrival time in ns)
Record = tuple[int, int, int, int]


# --- the receiver process --------------------------------------------------------------

# What a receiver keeps of a frame (parsed JSON, arrival in ns); None: nothing. A module-level
# function, so that it reaches the spawned receiver process by name.
Recorder = Callable[[dict[str, Any], int], Any]


def record_frame(frame: dict[str, Any], arrived_ns: int) -> Record | None:
    """Fan-out's record of one frame: every logged event, with the send time of messages."""
    event_id = frame.get("id")
    if event_id is None:
        return None  # ephemeral: typing, presence, pong
    if frame["type"] == "message.created":
        message = frame["data"]["message"]
        return event_id, message["id"], _sent_ns(message.get("client_msg_id")), arrived_ns
    return event_id, 0, 0, arrived_ns


def receiver_main(index: int, ws_url: str, tokens: list[str], compression: str | None,
                  stop: EventType, out: multiprocessing.Queue[Any],
                  recorder: Recorder = record_frame) -> None:
    """Open one socket per token, report "ready", record every frame until `stop`."""
    asyncio.run(_receive(index, ws_url, tokens, compression, stop, out, recorder))


async def _receive(index: int, ws_url: str, tokens: list[str], compression: str | None,
                   stop: EventType, out: multiprocessing.Queue[Any], recorder: Recorder
                   ) -> None:
    records: list[list[Any]] = [[] for _ in tokens]

    async def open_one(token: str) -> ClientConnection:
        connection = await connect(f"{ws_url}?token={token}", max_size=2**22,
                                   ping_interval=None, compression=compression)
        hello = json.loads(await connection.recv())
        if hello.get("type") != "hello":
            raise RuntimeError(f"expected hello, got {hello}")
        return connection

    async def read(connection: ClientConnection, into: list[Any]) -> None:
        async for raw in connection:
            arrived = time.monotonic_ns()
            record = recorder(json.loads(raw), arrived)
            if record is not None:
                into.append(record)

    connections = await asyncio.gather(*(open_one(token) for token in tokens))
    readers = [asyncio.create_task(read(c, r)) for c, r in zip(connections, records,
                                                               strict=True)]
    out.put(("ready", len(connections)))
    await asyncio.to_thread(stop.wait)  # a multiprocessing event: wait in a thread
    for connection in connections:
        await connection.close()
    await asyncio.gather(*readers, return_exceptions=True)
    out.put(("records", (index, records)))


def _sent_ns(client_msg_id: str | None) -> int:
    if not client_msg_id or "-" not in client_msg_id:
        return 0
    return int(client_msg_id.rsplit("-", 1)[1])


class Receivers:
    """WebSockets held by `procs` spawned processes, one socket per token; each socket's
    records come back in token order."""

    def __init__(self, ws_url: str, tokens: Sequence[str], *, procs: int, compression: bool,
                 recorder: Recorder = record_frame) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._out: multiprocessing.Queue[Any] = context.Queue()
        # Contiguous shares, so that the workers' records concatenate back in token order.
        size = -(-len(tokens) // procs)
        shares = [list(tokens[i:i + size]) for i in range(0, len(tokens), size)]
        self._workers = [context.Process(target=receiver_main, daemon=True, args=(
            index, ws_url, share, "deflate" if compression else None, self._stop, self._out,
            recorder)) for index, share in enumerate(shares)]
        for worker in self._workers:
            worker.start()
        self.opened = sum(expect(self._out, "ready", 60) for _ in self._workers)

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self._workers if w.pid]

    def records(self) -> list[list[Any]]:
        """Close the sockets and return what each recorded."""
        self._stop.set()
        per_worker = dict(expect(self._out, "records", 120) for _ in self._workers)
        for worker in self._workers:
            worker.join(30)
        return [r for index in range(len(self._workers)) for r in per_worker[index]]


def expect(out: multiprocessing.Queue[Any], kind: str, timeout: float) -> Any:
    try:
        got_kind, value = out.get(timeout=timeout)
    except queue.Empty:
        raise RuntimeError(f"a receiver process sent no {kind!r} within {timeout} s") from None
    if got_kind != kind:
        raise RuntimeError(f"expected {kind!r} from a receiver, got {got_kind!r}")
    return value


# --- sending ---------------------------------------------------------------------------

@dataclass
class Sent:
    sent: int = 0
    acknowledged: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # Acknowledged message id → (its index in the sending order, send time in ns).
    sent_at: dict[int, tuple[int, int]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ack_latencies: list[float] = field(default_factory=list)
    behind_schedule: list[float] = field(default_factory=list)


def meeting_text(index: int) -> str:
    return f"第 {index} 条消息：下午三点开会，请准时参加。"


async def send_messages(base_url: str, plan: list[tuple[int, Person]], rate: float,
                        seconds: float, connections: int = 32,
                        text: Callable[[int], str] = meeting_text) -> Sent:
    """Open loop: message i (`text(i)`) is posted at start + i/rate, whatever the earlier
    ones do."""
    result = Sent()
    pool: asyncio.Queue[KeepAliveConnection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(KeepAliveConnection(base_url))
    total = int(rate * seconds)

    async def send(index: int, channel_id: int, sender: Person) -> None:
        connection = await pool.get()
        try:
            sent_ns = time.monotonic_ns()
            result.sent += 1
            try:
                status, body = await asyncio.wait_for(connection.request(
                    "POST", f"/api/v1/channels/{channel_id}/messages", token=sender.token,
                    json_body={"text": text(index),
                               "client_msg_id": f"f{index}-{sent_ns}"}), SEND_TIMEOUT)
            except Exception as error:  # timeouts, resets: counted, not fatal
                result.errors[type(error).__name__] += 1
                return
            if status == 201:
                message_id = json.loads(body)["id"]
                result.acknowledged[channel_id].add(message_id)
                result.sent_at[message_id] = (index, sent_ns)
                result.ack_latencies.append((time.monotonic_ns() - sent_ns) / 1e9)
            else:
                result.errors[f"http_{status}"] += 1
        finally:
            pool.put_nowait(connection)

    tasks = []
    start = time.monotonic() + 0.1
    for index in range(total):
        due = start + index / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            result.behind_schedule.append(-delay)
        channel_id, sender = plan[index % len(plan)]
        tasks.append(asyncio.create_task(send(index, channel_id, sender)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        await pool.get_nowait().close()
    return result


# --- one scenario ----------------------------------------------------------------------

def run_scenario(server: Server, admin: Admin, name: str, channels: int, members: int,
                 args: argparse.Namespace) -> dict[str, object]:
    people = admin.create_people(f"{name.lower()}m", channels * members)
    groups = [people[c * members:(c + 1) * members] for c in range(channels)]
    channel_ids = [admin.create_channel(f"fanout-{name}-{c}", [p.user_id for p in group])
                   for c, group in enumerate(groups)]
    sockets = [(channel_id, person) for channel_id, group in zip(channel_ids, groups,
                                                                 strict=True)
               for person in group]
    # Message i goes to channel i mod channels, from that channel's members in turn.
    plan = [(channel_ids[i % channels], groups[i % channels][(i // channels) % members])
            for i in range(channels * members)]

    receivers = Receivers(server.ws_url, [p.token for _, p in sockets],
                          procs=args.receiver_procs, compression=not args.no_compression)
    time.sleep(0.5)  # let the hub settle the new connections

    meter = CpuMeter(server.pid, args.postgres, receivers.pids)
    started = time.monotonic()
    sent = asyncio.run(send_messages(server.base_url, plan, args.rate, args.seconds))
    send_seconds = time.monotonic() - started
    time.sleep(args.drain)
    cpu = meter.cores_used()
    records = receivers.records()
    opened = receivers.opened
    return {"channels": channels, "members_per_channel": members, "sockets": opened,
            "send_seconds": round(send_seconds, 2), "cores_used": cpu,
            **_analyse(sockets, records, sent)}


def _analyse(sockets: list[tuple[int, Person]], records: list[list[Record]],
             sent: Sent) -> dict[str, object]:
    latencies: list[float] = []
    expected = received = lost = duplicated = out_of_order = unacknowledged = 0
    for (channel_id, _), arrivals in zip(sockets, records, strict=True):
        wanted = sent.acknowledged.get(channel_id, set())
        expected += len(wanted)
        seen_events: set[int] = set()
        seen_messages: set[int] = set()
        highest = 0
        for event_id, message_id, sent_ns, arrived_ns in arrivals:
            if event_id in seen_events:
                duplicated += 1
                continue
            seen_events.add(event_id)
            if event_id < highest:
                out_of_order += 1
            highest = max(highest, event_id)
            if not message_id:
                continue
            if message_id not in wanted:
                unacknowledged += 1  # e.g. committed but the answer timed out
            elif message_id not in seen_messages:
                received += 1
                if sent_ns:
                    latencies.append((arrived_ns - sent_ns) / 1e9)
            seen_messages.add(message_id)
        lost += len(wanted - seen_messages)
    acknowledged = sum(len(ids) for ids in sent.acknowledged.values())
    summary = latency_summary_ms(latencies, with_max=True)
    p99 = summary["p99_ms"]
    return {
        "sent": sent.sent, "acknowledged": acknowledged,
        "send_errors": dict(sent.errors),
        "ack_latency": latency_summary_ms(sent.ack_latencies, with_max=True),
        "sender_behind_schedule_max_ms": round(max(sent.behind_schedule, default=0) * 1000, 2),
        "deliveries_expected": expected, "deliveries_received": received,
        "lost": lost, "duplicated": duplicated, "out_of_order": out_of_order,
        "delivered_without_ack": unacknowledged,
        "send_to_deliver_latency": summary,
        "target": {"p99_ms_max": TARGET_P99_MS, "zero_lost": True,
                   "met": p99 is not None and p99 <= TARGET_P99_MS and lost == 0},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sending_options(parser, drain=3, rate_help="messages per second, total",
                        seconds_help="sending time per scenario")
    parser.add_argument("--scenarios", default="A,B", help="A (1×50), B (10×10) or both")
    add_database_options(parser)
    args = parser.parse_args()
    check_sending_options(parser, args)

    shapes = {"A": (1, 50), "B": (10, 10)}
    report: dict[str, Any] = {
        "benchmark": "fanout", "machine": machine_info(),
        "database": "postgresql+redis" if args.postgres else "sqlite",
        "rate_per_s": args.rate, "seconds": args.seconds, "drain_seconds": args.drain,
        "receiver_processes": args.receiver_procs, "argon2": FAST_ARGON2_NOTE,
        "permessage_deflate_offered": not args.no_compression,
        "latency_clock": "CLOCK_MONOTONIC from before the POST is written to when the "
                         "receiving process reads the frame (client-side queueing included)",
        "scenarios": {}}
    with running_server(FAST_ARGON2_ENV, postgres=args.postgres) as server:
        admin = Admin(server)
        try:
            for name in args.scenarios.split(","):
                channels, members = shapes[name.strip().upper()]
                report["scenarios"][name] = run_scenario(server, admin, name.strip().upper(),
                                                         channels, members, args)
        finally:
            admin.close()
    print_report(report)


if __name__ == "__main__":
    main()
