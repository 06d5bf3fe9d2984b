"""History paging in a channel of a million messages.

A person and a channel are made through the API, and one message is posted there as a
template; the server is stopped and `--messages` − 1 more rows like it are bulk-inserted
straight into the scratch database (SQLite through the sqlite3 module, PostgreSQL through
asyncpg; executemany in transactions of `--batch` rows), `channels.last_message_id` is
set (and, on PostgreSQL, the id sequence moved on and the table ANALYZEd, as autovacuum
would soon do). The server is started again and `GET /api/v1/channels/{id}/messages`
(`limit` 50) is timed, one request at a time, `--requests` times at each position: the
oldest page (`after=0`), the middle (`before=<middle id>`), the newest page (no cursor),
`around=<middle id>`, and `before=<random id>`.

Run: .venv/bin/python -m bench.history [--messages 1000000] [--requests 200] [--postgres]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import (
    FAST_ARGON2_ENV,
    FAST_ARGON2_NOTE,
    Admin,
    Environment,
    KeepAliveConnection,
    Person,
    add_database_options,
    latency_summary_ms,
    machine_info,
    print_report,
    scratch_environment,
    serving,
)

TARGET_P99_MS = 20.0
SPACING = timedelta(seconds=30)  # between bulk messages; a million span about a year


def message_text(index: int) -> tuple[str, str]:
    text = (f"历史消息 #{index}：关于第 {index % 97} 号项目的进展，"
            f"请各位在周五前查看文档并回复意见。Status update {index}.")
    return text, f"<p>{text}</p>"


def bulk_rows(template: dict[str, Any], first_id: int, count: int, newest: datetime,
              as_created_at: Any) -> Iterator[tuple[Any, ...]]:
    """Rows like `template`, ids first_id.., oldest first, the last one just before
    `newest`."""
    columns = list(template)
    for offset in range(count):
        message_id = first_id + offset
        text, html = message_text(message_id)
        row = dict(template, id=message_id, text=text, html=html, client_msg_id=None,
                   created_at=as_created_at(newest - SPACING * (count - offset)))
        yield tuple(row[c] for c in columns)


# --- SQLite ----------------------------------------------------------------------------

def _sqlite_time_format(sample: str) -> Any:
    """A formatter producing timestamps the way SQLAlchemy stored `sample`."""
    if "+" in sample or "T" in sample:
        sep = "T" if "T" in sample else " "
        return lambda moment: moment.isoformat(sep=sep)
    return lambda moment: moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def bulk_insert_sqlite(environment: Environment, template_id: int, count: int, batch: int
                       ) -> dict[str, Any]:
    connection = sqlite3.connect(environment.sqlite_path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")  # a scratch load: no fsync needed
        row = connection.execute("SELECT * FROM messages WHERE id = ?", (template_id,)).fetchone()
        template = dict(row)
        newest = datetime.fromisoformat(template["created_at"]).replace(tzinfo=UTC)
        columns = list(template)
        # Column names come from the table itself, values are bound parameters.
        statement = (f"INSERT INTO messages ({', '.join(columns)}) "  # noqa: S608
                     f"VALUES ({', '.join('?' for _ in columns)})")
        rows = bulk_rows(template, template_id + 1, count,
                         newest, _sqlite_time_format(template["created_at"]))
        started = time.monotonic()
        inserted = 0
        while inserted < count:
            chunk = [next(rows) for _ in range(min(batch, count - inserted))]
            connection.execute("BEGIN")
            connection.executemany(statement, chunk)
            connection.execute("COMMIT")
            inserted += len(chunk)
        last_id = template_id + count
        connection.execute("UPDATE channels SET last_message_id = ? WHERE id = ?",
                           (last_id, template["channel_id"]))
        # The template has the smallest id: make it the oldest message too.
        connection.execute("UPDATE messages SET created_at = ? WHERE id = ?", (
            _sqlite_time_format(template["created_at"])(newest - SPACING * (count + 1)),
            template_id))
        seconds = time.monotonic() - started
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    size = sum(p.stat().st_size for p in environment.data_dir.glob("xietong.db*"))
    return {"rows": count, "seconds": round(seconds, 2),
            "rows_per_s": round(count / seconds), "database_mib": round(size / 2**20, 1),
            "method": f"sqlite3 executemany, {batch} rows per transaction, "
                      "synchronous=OFF during the load"}


# --- PostgreSQL ------------------------------------------------------------------------

async def bulk_insert_postgres(environment: Environment, template_id: int, count: int,
                               batch: int) -> dict[str, Any]:
    import asyncpg

    assert environment.postgres_url is not None
    connection = await asyncpg.connect(environment.postgres_url)
    try:
        record = await connection.fetchrow("SELECT * FROM messages WHERE id = $1", template_id)
        template = dict(record)
        columns = list(template)
        # Column names come from the table itself, values are bound parameters.
        statement = (f"INSERT INTO messages ({', '.join(columns)}) VALUES "  # noqa: S608
                     f"({', '.join(f'${i + 1}' for i in range(len(columns)))})")
        rows = bulk_rows(template, template_id + 1, count, template["created_at"],
                         lambda moment: moment)
        started = time.monotonic()
        inserted = 0
        while inserted < count:
            chunk = [next(rows) for _ in range(min(batch, count - inserted))]
            async with connection.transaction():
                await connection.executemany(statement, chunk)
            inserted += len(chunk)
        last_id = template_id + count
        await connection.execute("UPDATE channels SET last_message_id = $1 WHERE id = $2",
                                 last_id, template["channel_id"])
        await connection.execute(
            "SELECT setval(pg_get_serial_sequence('messages', 'id'), $1)", last_id)
        # The template has the smallest id: make it the oldest message too.
        await connection.execute("UPDATE messages SET created_at = $1 WHERE id = $2",
                                 template["created_at"] - SPACING * (count + 1), template_id)
        seconds = time.monotonic() - started
        analyse_started = time.monotonic()
        await connection.execute("ANALYZE messages")
        analyse_seconds = time.monotonic() - analyse_started
        size = await connection.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await connection.close()
    return {"rows": count, "seconds": round(seconds, 2),
            "rows_per_s": round(count / seconds), "analyze_seconds": round(analyse_seconds, 2),
            "database_mib": round(size / 2**20, 1),
            "method": f"asyncpg executemany, {batch} rows per transaction"}


# --- measuring -------------------------------------------------------------------------

async def time_pages(base_url: str, person: Person, channel_id: int,
                     positions: dict[str, list[str]], requests: int, warmup: int, limit: int
                     ) -> dict[str, Any]:
    connection = KeepAliveConnection(base_url)
    results: dict[str, Any] = {}
    try:
        for name, queries in positions.items():
            latencies: list[float] = []
            failures = short = 0
            first_ids: set[int] = set()
            for index in range(warmup + requests):
                query = queries[index % len(queries)]
                path = f"/api/v1/channels/{channel_id}/messages?limit={limit}{query}"
                started = time.perf_counter()
                status, body = await connection.request("GET", path, token=person.token)
                elapsed = time.perf_counter() - started
                if index < warmup:
                    continue
                if status != 200:
                    failures += 1
                    continue
                latencies.append(elapsed)
                items = json.loads(body)["items"]
                short += len(items) < limit
                if items:
                    first_ids.add(items[0]["id"])
            results[name] = {"query": queries[0] if len(queries) == 1 else "random",
                             "requests": requests, "failures": failures,
                             "short_pages": short,
                             "first_item_id": min(first_ids) if len(first_ids) == 1 else None,
                             **latency_summary_ms(latencies, with_max=True)}
    finally:
        await connection.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per position")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests first")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100_000, help="rows per transaction")
    add_database_options(parser)
    args = parser.parse_args()
    if args.messages < 2 or args.requests <= 0 or args.batch <= 0:
        parser.error("--messages must be at least 2; --requests and --batch positive")

    report: dict[str, Any] = {
        "benchmark": "history", "machine": machine_info(),
        "database": "postgresql+redis" if args.postgres else "sqlite",
        "messages": args.messages, "limit": args.limit, "argon2": FAST_ARGON2_NOTE}
    with scratch_environment(FAST_ARGON2_ENV, postgres=args.postgres) as environment:
        with serving(environment) as server:
            admin = Admin(server)
            try:
                person = admin.create_people("reader", 1)[0]
                channel_id = admin.create_channel("history", [person.user_id])
            finally:
                admin.close()
            template_id = asyncio.run(_post_template(server.base_url, person, channel_id))
        # The server is stopped: load the rest straight into the database.
        count = args.messages - 1
        if environment.postgres_url:
            report["insert"] = asyncio.run(bulk_insert_postgres(
                environment, template_id, count, args.batch))
        else:
            report["insert"] = bulk_insert_sqlite(environment, template_id, count, args.batch)
        first_id, last_id = template_id, template_id + count
        middle = first_id + args.messages // 2
        randoms = [f"&before={random.randint(first_id + args.limit, last_id)}"
                   for _ in range(args.requests + args.warmup)]
        positions = {"oldest": ["&after=0"], "middle": [f"&before={middle}"],
                     "newest": [""], "around": [f"&around={middle}"],
                     "random_before": randoms}
        with serving(environment) as server:
            started = time.monotonic()
            pages = asyncio.run(time_pages(server.base_url, person, channel_id, positions,
                                           args.requests, args.warmup, args.limit))
            report["measure_seconds"] = round(time.monotonic() - started, 2)
    worst = max((p["p99_ms"] for p in pages.values() if p["p99_ms"] is not None), default=None)
    report.update({"first_message_id": first_id, "last_message_id": last_id,
                   "middle_id": middle, "pages": pages,
                   "target": {"p99_ms_max": TARGET_P99_MS,
                              "met": worst is not None and worst <= TARGET_P99_MS}})
    print_report(report)


async def _post_template(base_url: str, person: Person, channel_id: int) -> int:
    connection = KeepAliveConnection(base_url)
    try:
        status, body = await connection.request(
            "POST", f"/api/v1/channels/{channel_id}/messages", token=person.token,
            json_body={"text": "模板消息 template"})
    finally:
        await connection.close()
    if status != 201:
        raise RuntimeError(f"posting the template failed: {status} {body[:200]!r}")
    message_id: int = json.loads(body)["id"]
    return message_id


if __name__ == "__main__":
    main()
