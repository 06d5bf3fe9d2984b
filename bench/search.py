"""Search at a million messages: indexing rate, index size, query latency.

A scratch installation (`xietong migrate`; SQLite, or a scratch PostgreSQL database) gets
`--people` people, `--channels` channels (a third public, each private one with 5–40
members) and `--messages` generated messages: office chat in Chinese and English from the
labelled corpus's templates (tests/search/make_corpus.py), with order numbers, the odd
rare project name, attachments and mentions, spread over two years. Messages are
bulk-inserted, then indexed with `do_index_many` (the backfill's path: analysis, then
batched inserts into the index) in batches of `--batch`, in their own transactions; the
indexing rate counts only that.

Then each query kind is timed `--queries` times, one at a time, as a random person, through
`search.views.search_results` (everything `GET /api/v1/search` does past authentication:
parse, resolve names, permission-checked match and rank, load the 20 hits, highlight):

- common:    two-character words in 2–6% of messages (会议, 报价, 客户, 测试) and "meeting"
- rare:      an order number (one message), a rare project name (~0.01%), a phrase
- filtered:  in:#channel, from:@person, has:file, after:date, sort=date

Run: .venv/bin/python -m bench.search [--messages 1000000] [--postgres] [--queries 200]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from tests.search import make_corpus

from bench.common import (
    Environment,
    add_database_options,
    latency_summary_ms,
    machine_info,
    report_on_scratch,
)
from xietong.chat.models import Channel, ChannelMember, Message
from xietong.core.actor import Actor, Role
from xietong.core.events import CHANNEL, Scope
from xietong.org.models import User
from xietong.runtime import Runtime
from xietong.search import text as analysis
from xietong.search.indexing import Searchable, do_index_many, optimise_index
from xietong.search.views import search_results
from xietong.settings import Settings

TARGET_P95_MS = 50.0
RARE_PROJECTS = ["翡翠计划", "北极星项目", "青鸟行动", "Project Lighthouse"]
SPAN = timedelta(days=730)


def generate(rng: random.Random, index: int) -> tuple[str, bool]:
    """One message's text, and whether it carries a file."""
    roll = rng.random()
    if roll < 0.12:
        text = rng.choice(make_corpus.FILLERS)
    else:
        _channels, _senders, template, _tags = rng.choice(make_corpus.TEMPLATES)
        text, _ = make_corpus.fill(template, rng)
    if rng.random() < 0.05:
        text += f" 订单号 SO-{index:07d}"
    if rng.random() < 0.0001:
        text = f"{rng.choice(RARE_PROJECTS)}：{text}"
    return text, rng.random() < 0.05


async def setup(rt: Runtime, args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    async with rt.unit_of_work() as uow:
        await uow.session.execute(insert(User), [
            {"username": f"user{i}", "display_name": f"员工{i}", "role": "member",
             "search_text": f"user{i}", "sort_key": f"user{i:05d}"}
            for i in range(args.people)])
    async with rt.reader() as uow:
        user_ids = list(await uow.session.scalars(select(User.id).order_by(User.id)))
    channels: list[tuple[int, bool, list[int]]] = []
    async with rt.unit_of_work() as uow:
        for c in range(args.channels):
            public = c % 3 == 0
            channel = Channel(kind="public" if public else "private", name=f"频道{c}",
                              created_by=user_ids[0])
            uow.session.add(channel)
            await uow.flush()
            members = rng.sample(user_ids, rng.randint(5, 40))
            uow.session.add_all(ChannelMember(channel_id=channel.id, user_id=u) for u in members)
            channels.append((channel.id, public, members))
    return {"user_ids": user_ids, "channels": channels}


async def load(rt: Runtime, args: argparse.Namespace, rng: random.Random,
               world: dict[str, Any]) -> dict[str, Any]:
    start = datetime.now(UTC) - SPAN
    step = SPAN / args.messages
    insert_seconds = index_seconds = 0.0
    done = 0
    while done < args.messages:
        count = min(args.batch, args.messages - done)
        rows = []
        for offset in range(count):
            channel_id, _public, members = rng.choice(world["channels"])
            body, has_file = generate(rng, done + offset)
            rows.append({"channel_id": channel_id, "sender_id": rng.choice(members),
                         "text": body, "html": body, "created_at": start + step * (done + offset),
                         "mentions": {}, "file_ids": [1] if has_file else [],
                         "reply_count": 0, "ack_required": False})
        began = time.perf_counter()
        async with rt.unit_of_work() as uow:
            ids = list(await uow.session.scalars(
                insert(Message).returning(Message.id, sort_by_parameter_order=True), rows))
        insert_seconds += time.perf_counter() - began
        began = time.perf_counter()
        async with rt.unit_of_work() as uow:
            await do_index_many(uow, [
                Searchable(kind="message", item_id=message_id,
                           scope=Scope(CHANNEL, row["channel_id"]),
                           author_id=row["sender_id"], created_at=row["created_at"],
                           text=row["text"], has_file=bool(row["file_ids"]))
                for message_id, row in zip(ids, rows, strict=True)])
        index_seconds += time.perf_counter() - began
        done += count
    began = time.perf_counter()
    async with rt.unit_of_work() as uow:
        await optimise_index(uow)
    optimise_seconds = time.perf_counter() - began
    return {"messages": done, "message_insert_per_s": round(done / insert_seconds),
            "index_per_s": round(done / index_seconds),
            "index_seconds": round(index_seconds, 1),
            "optimise_seconds": round(optimise_seconds, 1)}


async def index_size(rt: Runtime) -> dict[str, float]:
    mib = 1024 * 1024
    async with rt.reader() as uow:
        if rt.settings.is_postgres:
            table = await uow.session.scalar(text(
                "SELECT pg_table_size('search_items')"))
            gin = await uow.session.scalar(text(
                "SELECT pg_relation_size('ix_search_items_document')"))
            others = await uow.session.scalar(text(
                "SELECT pg_indexes_size('search_items')"))
            messages = await uow.session.scalar(text("SELECT pg_total_relation_size('messages')"))
            return {"search_items_table_mib": round(table / mib, 1),
                    "gin_index_mib": round(gin / mib, 1),
                    "btree_indexes_mib": round((others - gin) / mib, 1),
                    "messages_table_mib": round(messages / mib, 1)}
        rows: dict[str, int] = dict((await uow.session.execute(text(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))).all())
        fts = sum(v for k, v in rows.items() if k.startswith("search_fts"))
        items = sum(v for k, v in rows.items()
                    if k == "search_items" or k.startswith(("ix_search_items",
                                                            "sqlite_autoindex_search_items")))
        messages = sum(v for k, v in rows.items()
                       if k == "messages" or k.startswith(("ix_messages", "uq_messages",
                                                           "sqlite_autoindex_messages")))
        return {"fts5_index_mib": round(fts / mib, 1),
                "search_items_with_indexes_mib": round(items / mib, 1),
                "messages_table_mib": round(messages / mib, 1)}


Query = Callable[[random.Random], dict[str, Any]]


def query_kinds(world: dict[str, Any], messages: int) -> dict[str, list[Query]]:
    channels = world["channels"]

    def q(text: str, **extra: Any) -> Query:
        return lambda rng: {"q": text, **extra}

    def in_channel(word: str) -> Query:
        def build(rng: random.Random) -> dict[str, Any]:
            channel_id, public, members = rng.choice(channels)
            who = rng.choice(members)
            return {"q": f"{word} in:#频道{channels.index((channel_id, public, members))}",
                    "as": who}
        return build

    def from_person(word: str) -> Query:
        return lambda rng: {"q": f"{word} from:@user{rng.randrange(len(world['user_ids']))}"}

    def order(rng: random.Random) -> dict[str, Any]:
        return {"q": f"SO-{rng.randrange(messages):07d}"}

    after = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    return {
        "common": [q("会议"), q("报价"), q("客户"), q("测试"), q("meeting")],
        "rare": [order, q("翡翠计划"), q("北极星项目"), q('"Project Lighthouse"')],
        "filtered": [in_channel("报价"), from_person("合同"), q("has:file 合同"),
                     q(f"会议 after:{after}"), q("报价", sort="date")],
    }


async def measure(rt: Runtime, world: dict[str, Any], args: argparse.Namespace,
                  rng: random.Random) -> dict[str, Any]:
    kinds = query_kinds(world, args.messages)
    results: dict[str, Any] = {}
    for kind, builders in kinds.items():
        latencies: list[float] = []
        totals: list[int] = []
        for run in range(args.queries + 10):
            spec = rng.choice(builders)(rng)
            who = spec.pop("as", None) or rng.choice(world["user_ids"])
            actor = Actor(user_id=who, role=Role.MEMBER)
            began = time.perf_counter()
            async with rt.reader() as uow:
                found = await search_results(uow, actor, spec.pop("q"), now=datetime.now(UTC),
                                             scopes=rt.readable_scopes, **spec)
            elapsed = time.perf_counter() - began
            if run >= 10:  # warm-up
                latencies.append(elapsed)
                totals.append(found.total)
        totals.sort()
        results[kind] = {**latency_summary_ms(latencies),
                         "median_total_hits": totals[len(totals) // 2],
                         "max_total_hits": totals[-1]}
    worst = max(results[k]["p95_ms"] or 0.0 for k in results)
    results["target"] = {"p95_ms_max": TARGET_P95_MS, "met": worst <= TARGET_P95_MS}
    return results


async def run(args: argparse.Namespace, environment: Environment) -> dict[str, Any]:
    rng = random.Random(args.seed)
    report: dict[str, Any] = {"benchmark": "search", "machine": machine_info(),
                              "database": "postgresql" if args.postgres else "sqlite",
                              "segmentation": analysis.SEGMENTATION}
    url = (environment.postgres_url.replace("postgresql://", "postgresql+asyncpg://")
           if environment.postgres_url else f"sqlite+aiosqlite:///{environment.sqlite_path}")
    settings = Settings(data_dir=environment.data_dir, database_url=url,
                        secret_key="bench-secret-" + "x" * 32)
    rt = Runtime(settings)
    try:
        analysis.warm_up()
        world = await setup(rt, args, rng)
        report["people"], report["channels"] = args.people, args.channels
        report["indexing"] = await load(rt, args, rng, world)
        report["index_size"] = await index_size(rt)
        report["latency_ms"] = await measure(rt, world, args, rng)
    finally:
        await rt.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--queries", type=int, default=200, help="timed runs per kind")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    add_database_options(parser)
    args = parser.parse_args()
    if min(args.messages, args.people, args.channels, args.queries, args.batch) <= 0:
        parser.error("all counts must be positive")
    report_on_scratch(args, run)


if __name__ == "__main__":
    main()
