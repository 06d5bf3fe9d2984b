"""What indexing one message costs in CPU, split into analysis and writing.

`--messages` realistic texts (bench/search.py's generator: the labelled corpus's templates
with order numbers and fillers) are
1. analysed and encoded as the index stores them (`analyse` + the backend's document
   encoding), pure Python, timed with the process CPU clock after one warm-up pass; then
2. sent as messages without indexing (bulk insert), and indexed one by one with
   `do_index_message` in units of work of `--per-unit` messages, as sends do: CPU time of
   this process (SQLAlchemy, the driver, and on SQLite the database engine itself) and
   wall time, per message. PostgreSQL's own CPU is not in the figure.

Run: .venv/bin/python -m bench.search_index [--messages 5000] [--postgres]
Prints one JSON document; figures are microseconds per message.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from bench.common import (
    Environment,
    add_database_options,
    machine_info,
    report_on_scratch,
)
from bench.search import generate
from xietong.chat.models import Channel, Message
from xietong.org.models import User
from xietong.runtime import Runtime
from xietong.search import fts_postgres, fts_sqlite
from xietong.search import text as analysis
from xietong.search.indexing import do_index_message
from xietong.settings import Settings


def analysis_microseconds(texts: list[str], postgres: bool) -> dict[str, float]:
    encode = (fts_postgres if postgres else fts_sqlite).encode_document

    def analyse_all() -> float:
        began = time.process_time()
        for text in texts:
            analysis.analyse(text)
        return time.process_time() - began

    def analyse_and_encode_all() -> float:
        began = time.process_time()
        for text in texts:
            analysed = analysis.analyse(text)
            encode(analysed.terms, [*analysed.extras, "__c1", "__a1"])
        return time.process_time() - began

    analyse_and_encode_all()  # warm: caches fill as they would in a running server
    per = 1e6 / len(texts)
    return {"analyse_us": round(analyse_all() * per, 1),
            "analyse_and_encode_us": round(analyse_and_encode_all() * per, 1)}


async def index_microseconds(rt: Runtime, texts: list[str], per_unit: int) -> dict[str, float]:
    async with rt.unit_of_work() as uow:
        await uow.session.execute(insert(User), [{
            "username": "sender", "display_name": "发送者", "role": "member",
            "search_text": "", "sort_key": ""}])
        user_id = await uow.session.scalar(select(User.id))
        assert user_id is not None
        channel = Channel(kind="private", name="索引", created_by=user_id)
        uow.session.add(channel)
        await uow.flush()
        now = datetime.now(UTC)
        await uow.session.execute(insert(Message), [{
            "channel_id": channel.id, "sender_id": user_id, "text": text, "html": text,
            "created_at": now, "mentions": {}, "file_ids": []} for text in texts])
    async with rt.reader() as uow:
        ids = list(await uow.session.scalars(select(Message.id).order_by(Message.id)))
    cpu = wall = 0.0
    for start in range(0, len(ids), per_unit):
        async with rt.unit_of_work() as uow:
            messages = list(await uow.session.scalars(
                select(Message).where(Message.id.in_(ids[start:start + per_unit]))))
            wall_began, cpu_began = time.perf_counter(), time.process_time()
            for message in messages:
                await do_index_message(uow, message)
            await uow.flush()
            cpu += time.process_time() - cpu_began
            wall += time.perf_counter() - wall_began
    return {"index_message_cpu_us": round(cpu / len(ids) * 1e6, 1),
            "index_message_wall_us": round(wall / len(ids) * 1e6, 1)}


async def run(args: argparse.Namespace, environment: Environment) -> dict[str, Any]:
    rng = random.Random(7)
    texts = [generate(rng, i)[0] for i in range(args.messages)]
    analysis.warm_up()
    postgres = environment.postgres_url is not None
    url = (environment.postgres_url.replace("postgresql://", "postgresql+asyncpg://")
           if environment.postgres_url else f"sqlite+aiosqlite:///{environment.sqlite_path}")
    rt = Runtime(Settings(data_dir=environment.data_dir, database_url=url,
                          secret_key="bench-secret-" + "x" * 32))
    try:
        indexed = await index_microseconds(rt, texts, args.per_unit)
    finally:
        await rt.close()
    return {"benchmark": "search_index", "machine": machine_info(),
            "database": environment.database, "messages": len(texts),
            "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
            **analysis_microseconds(texts, postgres), **indexed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--per-unit", type=int, default=1,
                        help="messages indexed per unit of work (1: as sends do)")
    add_database_options(parser)
    args = parser.parse_args()
    if min(args.messages, args.per_unit) <= 0:
        parser.error("all counts must be positive")
    report_on_scratch(args, run)


if __name__ == "__main__":
    main()
