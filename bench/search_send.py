"""What indexing costs a send: messages per second with and without it, in process.

`--senders` people (20) post in a closed loop, each in its own unit of work exactly as
`POST /channels/{id}/messages` does (access check, `do_send_message`, `messages_out`,
commit with its event), for `--seconds` per round; rounds alternate indexing off and on
(`do_index_message` in the same unit of work, after the send), `--rounds` of each, on a
scratch SQLite file or PostgreSQL database. HTTP, authentication and the WebSocket fan-out
cost the same either way and are left out, so the difference is all indexing's.

Run: .venv/bin/python -m bench.search_send [--seconds 10] [--rounds 3] [--postgres]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from typing import Any

from sqlalchemy import insert, select
from tests.search import make_corpus

from bench.common import (
    Environment,
    add_database_options,
    latency_summary_ms,
    machine_info,
    report_on_scratch,
)
from xietong.chat import access, actions, views
from xietong.chat.models import Channel, ChannelMember
from xietong.core.actor import Actor, Role
from xietong.org.models import User
from xietong.runtime import Runtime
from xietong.search import text as analysis
from xietong.search.indexing import do_index_message
from xietong.settings import Settings


async def send_loop(rt: Runtime, actor: Actor, channel_id: int, stop_at: float, index: bool,
                    rng: random.Random, latencies: list[float]) -> None:
    while time.perf_counter() < stop_at:
        _c, _s, template, _t = rng.choice(make_corpus.TEMPLATES)
        body, _ = make_corpus.fill(template, rng)
        began = time.perf_counter()
        async with rt.unit_of_work() as uow:
            found = await access.access_channel_for_posting(uow, actor, channel_id)
            message, _created = await actions.do_send_message(
                uow, actor, found, text=body, client_msg_id=None, thread_root_id=None,
                file_ids=[], ack_required=False)
            if index:
                await do_index_message(uow, message)
            await views.messages_out(uow, [message])
        latencies.append(time.perf_counter() - began)


async def run(args: argparse.Namespace, environment: Environment) -> dict[str, Any]:
    url = (environment.postgres_url.replace("postgresql://", "postgresql+asyncpg://")
           if environment.postgres_url else f"sqlite+aiosqlite:///{environment.sqlite_path}")
    rt = Runtime(Settings(data_dir=environment.data_dir, database_url=url,
                          secret_key="bench-secret-" + "x" * 32))
    rng = random.Random(3)
    analysis.warm_up()
    try:
        async with rt.unit_of_work() as uow:
            await uow.session.execute(insert(User), [
                {"username": f"sender{i}", "display_name": f"发送者{i}", "role": "member",
                 "search_text": "", "sort_key": ""} for i in range(args.senders)])
        async with rt.reader() as uow:
            user_ids = list(await uow.session.scalars(select(User.id).order_by(User.id)))
        async with rt.unit_of_work() as uow:
            channels = [Channel(kind="private", name=f"吞吐{c}", created_by=user_ids[0])
                        for c in range(args.channels)]
            uow.session.add_all(channels)
            await uow.flush()
            uow.session.add_all(ChannelMember(channel_id=c.id, user_id=u)
                                for c in channels for u in user_ids)
        results: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
        for round_ in range(args.rounds * 2):
            index = round_ % 2 == 1
            latencies: list[float] = []
            stop_at = time.perf_counter() + args.seconds
            await asyncio.gather(*(
                send_loop(rt, Actor(user_id=u, role=Role.MEMBER),
                          channels[i % len(channels)].id, stop_at, index, rng, latencies)
                for i, u in enumerate(user_ids)))
            results["on" if index else "off"].append({
                "sends_per_s": round(len(latencies) / args.seconds, 1),
                **latency_summary_ms(latencies)})
    finally:
        await rt.close()

    def mean(kind: str) -> float:
        return float(sum(r["sends_per_s"] for r in results[kind])) / len(results[kind])

    return {"benchmark": "search_send", "machine": machine_info(),
            "database": environment.database, "senders": args.senders,
            "seconds_per_round": args.seconds, "rounds": results,
            "mean_sends_per_s": {"index_off": round(mean("off"), 1),
                                 "index_on": round(mean("on"), 1)},
            "indexing_slowdown_percent": round((1 - mean("on") / mean("off")) * 100, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--channels", type=int, default=10)
    add_database_options(parser)
    args = parser.parse_args()
    if min(args.seconds, args.rounds, args.senders, args.channels) <= 0:
        parser.error("all counts must be positive")
    report_on_scratch(args, run)


if __name__ == "__main__":
    main()
