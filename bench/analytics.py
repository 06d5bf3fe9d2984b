"""Collaboration analytics at company scale (issue 17): a year of history, the rollup
consumer's throughput and catch-up, and the dashboards' latency over a one-year range.

1. A synthetic company (`bench.analytics_data`: 20 departments in a tree, 1,000 people, 300
   channels of every kind incl. DMs, request types, projects) and a year of its event log:
   `--events` events (10,000,000) over the 365 company days before yesterday, as the
   rollup consumer reads them (`events` rows with the events' JSON, `event_recipients` of
   personal ones, the `messages` rows it looks answers up in), bulk-inserted; a sample of
   each type is checked against the real Event models.
2. The real rollup consumer (`Consumers.catch_up(only="analytics.rollups")` of an
   in-process runtime, with its batch size) works through the history from its start for
   at most `--consume-seconds` (900). If it finishes, every rollup is real. If not, the
   company days it handled whole are the sample: their rollup rows are copied onto the
   year's other days (day-keyed rows day by day in turn; one-per-item rows with the item's
   ids moved out of the way and its dates shifted by whole sample periods), and the
   consumer's position is put at the history's end. The report says which.
3. Yesterday's backlog (`--backlog`, default `--events` / 365) is appended and the
   consumer's catch-up time measured.
4. `xietong serve` on the result; as an administrator, each dashboard route with a
   one-year range (`from` = today − 364 days, `to` = today), `--samples` times (50) after 3
   warm-ups: p50/p95/p99 per route against the target p95 ≤ 100 ms.

    .venv/bin/python -m bench.analytics [--events 10000000] [--postgres]
    .venv/bin/python -m bench.analytics --events 200000   # a smoke run

Prints one JSON document (progress on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Date, event, func, insert, select, text, update
from sqlalchemy.sql.schema import Table

from bench.analytics_data import (
    History,
    build_company,
    first_free_ids,
    open_writer,
    validate_samples,
    write_span,
)
from bench.common import (
    FAST_ARGON2_ENV,
    FAST_ARGON2_NOTE,
    PASSWORD,
    Environment,
    add_database_options,
    free_port,
    latency_summary_ms,
    machine_info,
    print_report,
    scratch_environment,
    sign_in,
)
from xietong.core.db import Base, UTCDateTime
from xietong.realtime.models import ConsumerPosition, EventRecord

CONSUMER = "analytics.rollups"
TARGET_P95_MS = 100.0
TARGET_EVENTS_PER_S = 5000
DAYS = 365
ROUTES = ["access", "overview", "network", "responsiveness", "sla", "delivery",
          "satisfaction", "adoption"]
# The rollup tables a sample is copied across (the hourly one keeps 48 hours only; reports
# are made on demand).
SKIPPED_TABLES = {"analytics_hours", "analytics_reports", "analytics_active_weeks"}
ITEM_ID_OFFSET = 10_000_000


def progress(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class StatementTimes:
    """Wall time per SQL statement (as the driver gets it) on a runtime's engine, and one
    example of each with its parameters, to EXPLAIN the slow ones."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine.sync_engine
        self.totals: dict[str, list[float]] = {}
        self.examples: dict[str, tuple[str, Any, float]] = {}
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                executemany: bool) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any,
               executemany: bool) -> None:
        seconds = time.perf_counter() - conn.info["bench_started"].pop()
        key = " ".join(statement.split())
        key = key if len(key) <= 240 else key[:240] + " …"
        total = self.totals.setdefault(key, [0, 0.0])
        total[0] += 1
        total[1] += seconds
        if seconds >= self.examples.get(key, ("", None, -1.0))[2]:
            self.examples[key] = (statement, params, seconds)

    def detach(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.totals.clear()
        self.examples.clear()

    def sql_seconds(self) -> float:
        return sum(seconds for _, seconds in self.totals.values())

    def top(self, n: int) -> list[dict[str, Any]]:
        ranked = sorted(self.totals.items(), key=lambda item: -item[1][1])[:n]
        return [{"seconds": round(seconds, 3), "count": int(count),
                 "ms_each": round(seconds / count * 1000, 2), "sql": key}
                for key, (count, seconds) in ranked]

    async def explain(self, runtime: Any, key: str) -> list[str]:
        """EXPLAIN QUERY PLAN (SQLite) or EXPLAIN ANALYZE (PostgreSQL; plain EXPLAIN for a
        write) of the slowest run of this statement, with its parameters."""
        statement, params, _ = self.examples[key]
        verb = statement.lstrip()[:6].upper()
        if verb not in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            return []
        # ANALYZE runs the statement: only a read's (and the connection rolls back anyway).
        prefix = ("EXPLAIN QUERY PLAN " if not runtime.settings.is_postgres
                  else "EXPLAIN (ANALYZE, BUFFERS) " if verb == "SELECT" else "EXPLAIN ")
        async with runtime.engine.connect() as connection:
            rows = (await connection.exec_driver_sql(prefix + statement, params)).all()
        if runtime.settings.is_postgres:
            return [str(row[0]) for row in rows]
        return [f"{row[0]}<-{row[1]} {row[-1]}" for row in rows]


# --- 1. the history --------------------------------------------------------------------

async def generate(environment: Environment, history: History, start: datetime,
                   events: int) -> dict[str, Any]:
    writer = await open_writer(environment)
    try:
        figures = await write_span(history, writer, start, DAYS, events, log=progress)
    finally:
        await writer.close()
    return figures


# --- 2. and 3. the consumer ------------------------------------------------------------

async def set_position(environment: Environment, position: int) -> None:
    runtime = environment.runtime()
    try:
        async with runtime.unit_of_work() as uow:
            await uow.insert_ignoring_duplicates(ConsumerPosition, [
                {"name": CONSUMER, "position": position, "failures": 0}])
            await uow.session.execute(update(ConsumerPosition)
                                      .where(ConsumerPosition.name == CONSUMER)
                                      .values(position=position, failures=0))
    finally:
        await runtime.close()


async def position_of(runtime: Any) -> int:
    async with runtime.reader() as uow:
        return int(await uow.session.scalar(select(ConsumerPosition.position).where(
            ConsumerPosition.name == CONSUMER)) or 0)


async def consume(environment: Environment, start_position: int, last_id: int,
                  budget: float, *, statements: bool = False) -> dict[str, Any]:
    """The real consumer from `start_position` towards `last_id`, for at most `budget`
    seconds (cancelled then: the batch under way rolls back, the position stays).
    `statements`: also where its time went (SQL per statement, this process's CPU)."""
    runtime = environment.runtime()
    timer = StatementTimes(runtime.engine) if statements else None
    cpu = time.process_time()
    try:
        batch = runtime.consumers._batch  # reported, not changed
        began = time.monotonic()
        work = asyncio.create_task(runtime.consumers.catch_up(only=CONSUMER))
        elapsed = 0.0
        while not work.done():
            await asyncio.wait({work}, timeout=max(min(30.0, budget - elapsed), 0.1))
            elapsed = time.monotonic() - began
            if not work.done():
                done = await position_of(runtime) - start_position
                progress(f"consumer: {done:,} of {last_id - start_position:,} events in "
                         f"{elapsed:.0f} s ({done / elapsed:,.0f}/s)")
                if elapsed >= budget:
                    work.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await work
        seconds = time.monotonic() - began
        cpu = time.process_time() - cpu
        plans: dict[str, list[str]] = {}
        if timer is not None:
            timer.detach()
            for statement in timer.top(2):
                try:
                    plans[statement["sql"]] = await timer.explain(runtime, statement["sql"])
                except Exception as error:  # a plan is a nicety
                    plans[statement["sql"]] = [f"EXPLAIN failed: {error}"[:300]]
        position = await position_of(runtime)
        async with runtime.reader() as uow:
            failures = await uow.session.scalar(select(ConsumerPosition.failures).where(
                ConsumerPosition.name == CONSUMER))
            last_error = await uow.session.scalar(select(ConsumerPosition.last_error).where(
                ConsumerPosition.name == CONSUMER))
    finally:
        await runtime.close()
    handled = position - start_position
    figures: dict[str, Any] = {
        "events": handled, "of": last_id - start_position, "finished": position >= last_id,
        "seconds": round(seconds, 1),
        "events_per_s": round(handled / seconds) if seconds else None,
        "process_cpu_seconds": round(cpu, 1), "load_average_1m_at_end": os.getloadavg()[0],
        "batch": batch, "failures": failures,
        "last_error": (last_error or "")[-500:] or None}
    if timer is not None:
        figures["where_the_time_went"] = {
            "sql_seconds_wall": round(timer.sql_seconds(), 2),
            "note": "SQL: from the driver's cursor call to its return (on SQLite that is the "
                    "database's own work in its thread); the rest of the wall time is Python "
                    "in this process (SQLAlchemy building statements, parsing the events, "
                    "tallying) and waiting for a core",
            "slowest_statements": [{**statement, **({"plan": plans[statement["sql"]]}
                                                    if statement["sql"] in plans else {})}
                                   for statement in timer.top(8)]}
    return figures


def _rollup_tables() -> list[Table]:
    return [table for name, table in sorted(Base.metadata.tables.items())
            if name.startswith("analytics_") and name not in SKIPPED_TABLES]


async def scale_sample(environment: Environment, zone: ZoneInfo, first_day: date,
                       last_day: date, position: int) -> dict[str, Any]:
    """Copy the rollups of the company days the consumer handled whole onto the history's
    other days (see the module's docstring); returns what was copied."""
    runtime = environment.runtime()
    copied: dict[str, int] = {}
    try:
        async with runtime.reader() as uow:
            reached = await uow.session.scalar(
                select(EventRecord.created_at).where(EventRecord.id == position))
        if reached is None:
            raise RuntimeError("the consumer handled no event: nothing to scale")
        sample_end = reached.astimezone(zone).date()  # the day under way: not whole
        sample_days = (sample_end - first_day).days
        if sample_days < 7:
            raise RuntimeError(f"only {sample_days} whole days consumed: too few to scale")
        async with runtime.unit_of_work() as uow:
            session = uow.session
            for table in _rollup_tables():
                dates = [c for c in table.columns if isinstance(c.type, Date)]
                moments = [c for c in table.columns if isinstance(c.type, UTCDateTime)]
                if not dates:
                    continue
                anchor = dates[0]  # day, filed_day, created_day …
                keys = [c for c in table.primary_key.columns]
                # What the day under way got: dropped, it is rebuilt from the sample.
                await session.execute(table.delete().where(anchor >= sample_end))
                rows = [dict(row._mapping) for row in await session.execute(
                    select(table).where(anchor < sample_end))]
                new_rows: list[dict[str, Any]] = []
                item_key = keys[0] if keys and keys[0].name != anchor.name else None
                copy = 0
                while True:
                    copy += 1
                    shift = timedelta(days=sample_days * copy)
                    if first_day + shift > last_day:
                        break
                    for row in rows:
                        if row[anchor.name] + shift > last_day:
                            continue
                        moved = dict(row)
                        for column in dates:
                            if moved[column.name] is not None:
                                moved[column.name] += shift
                        for column in moments:
                            if moved[column.name] is not None:
                                moved[column.name] += shift
                        if item_key is not None:
                            moved[item_key.name] += ITEM_ID_OFFSET * copy
                        new_rows.append(moved)
                for at in range(0, len(new_rows), 5000):
                    await session.execute(insert(table), new_rows[at:at + 5000])
                copied[table.name] = len(new_rows)
            # The weekly active table folds the daily one by Monday: made again from it
            # (moving its rows by the sample's length would not land on Mondays).
            weeks = Base.metadata.tables["analytics_active_weeks"]
            active = Base.metadata.tables["analytics_active"]
            await session.execute(weeks.delete())
            folded = [{"week": w, "department_id": d, "user_id": u} for w, d, u in {
                (day - timedelta(days=day.weekday()), d, u) for day, u, d in
                await session.execute(select(active.c.day, active.c.user_id,
                                             active.c.department_id))}]
            for at in range(0, len(folded), 5000):
                await session.execute(insert(weeks), folded[at:at + 5000])
            copied[weeks.name] = len(folded)
    finally:
        await runtime.close()
    return {"sample_days": sample_days, "sample": f"{first_day} – "
            f"{first_day + timedelta(days=sample_days - 1)}",
            "rows_copied": copied}


async def last_history_id(environment: Environment) -> int:
    runtime = environment.runtime()
    try:
        async with runtime.reader() as uow:
            return int(await uow.session.scalar(select(func.max(EventRecord.id))) or 0)
    finally:
        await runtime.close()


async def rollup_sizes(environment: Environment) -> dict[str, int]:
    runtime = environment.runtime()
    try:
        async with runtime.reader() as uow:
            return {table.name: int(await uow.session.scalar(
                select(func.count()).select_from(table)) or 0) for table in _rollup_tables()}
    finally:
        await runtime.close()


async def database_mib(environment: Environment) -> float:
    if environment.postgres_url is None:
        size = sum(p.stat().st_size for p in environment.data_dir.glob("xietong.db*"))
        return round(size / 2**20, 1)
    runtime = environment.runtime()
    try:
        async with runtime.reader() as uow:
            size = await uow.session.scalar(text("SELECT pg_database_size(current_database())"))
    finally:
        await runtime.close()
    return round(int(size or 0) / 2**20, 1)


# --- 4. the dashboards -----------------------------------------------------------------

def measure_routes(base_url: str, username: str, params: dict[str, str], samples: int
                   ) -> dict[str, Any]:
    person = sign_in(base_url, username)
    results: dict[str, Any] = {}
    with httpx.Client(base_url=base_url, timeout=120,
                      headers={"Authorization": f"Bearer {person.token}"}) as client:
        for route in ROUTES:
            path = f"/api/v1/analytics/{route}"
            query = {} if route == "access" else params
            first = time.perf_counter()
            response = client.get(path, params=query)
            first_ms = (time.perf_counter() - first) * 1000
            if response.status_code != 200:
                results[route] = {"status": response.status_code,
                                  "body": response.text[:300]}
                continue
            for _ in range(2):
                client.get(path, params=query)
            seconds = []
            for _ in range(samples):
                began = time.perf_counter()
                response = client.get(path, params=query)
                seconds.append(time.perf_counter() - began)
                response.raise_for_status()
            results[route] = {"bytes": len(response.content), "first_ms": round(first_ms, 1),
                              **latency_summary_ms(seconds, with_max=True)}
    return results


async def explain_routes(environment: Environment, params: dict[str, str],
                         username: str) -> dict[str, Any]:
    """Each route once more, in process (the app through httpx's ASGI transport), its SQL
    statements timed; the two slowest EXPLAINed."""
    from xietong.app import create_app

    runtime = environment.runtime()
    timer = StatementTimes(runtime.engine)
    found: dict[str, Any] = {}
    try:
        transport = httpx.ASGITransport(app=create_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            signed = await client.post("/api/v1/auth/login",
                                       json={"login": username, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {signed.json()['token']}"}
            for route in ROUTES[1:]:
                path = f"/api/v1/analytics/{route}"
                await client.get(path, params=params, headers=headers)  # warm
                timer.reset()
                began = time.perf_counter()
                response = await client.get(path, params=params, headers=headers)
                took = time.perf_counter() - began
                slowest = timer.top(2)
                for statement in slowest:
                    full = next(k for k in timer.totals if k == statement["sql"])
                    try:
                        statement["plan"] = await timer.explain(runtime, full)
                    except Exception as error:  # a plan is a nicety
                        statement["plan"] = [f"EXPLAIN failed: {error}"[:300]]
                found[route] = {"status": response.status_code,
                                "request_ms": round(took * 1000, 1),
                                "statements": sum(int(c) for c, _ in timer.totals.values()),
                                "sql_ms": round(timer.sql_seconds() * 1000, 1),
                                "slowest": slowest}
    finally:
        timer.detach()
        await runtime.close()
    return found


@contextlib.contextmanager
def serving_patiently(environment: Environment, *, ready_seconds: float = 180
                      ) -> Iterator[str]:
    """`xietong serve` as `common.serving` starts it, but waiting up to `ready_seconds` for
    /healthz (a node starting on a loaded machine after a 10-million-event load may take
    longer than its 30 s), its stderr kept for the report when it fails; the base URL."""
    port = free_port()
    env = {**environment.env, "XIETONG_PORT": str(port)}
    log = environment.data_dir.parent / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "xietong", "serve"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=sink)
    base_url = f"http://127.0.0.1:{port}"
    try:
        began = time.monotonic()
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"xietong serve exited with {process.returncode}: "
                                   f"{log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() - began > ready_seconds:
                raise RuntimeError(f"xietong serve did not answer /healthz within "
                                   f"{ready_seconds:.0f} s: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        progress(f"serving after {time.monotonic() - began:.1f} s")
        yield base_url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- main ------------------------------------------------------------------------------

async def build(args: argparse.Namespace, environment: Environment, report: dict[str, Any],
                zone: ZoneInfo) -> dict[str, Any]:
    rng = random.Random(args.seed)
    began = time.monotonic()
    company = await build_company(environment, rng)
    report["company"] = {**company.summary(), "seconds": round(time.monotonic() - began, 1)}
    today = datetime.now(zone).date()
    yesterday = today - timedelta(days=1)
    first_day = yesterday - timedelta(days=DAYS)
    start = datetime.combine(first_day, datetime.min.time(), zone)
    backlog_start = datetime.combine(yesterday, datetime.min.time(), zone)
    first_event, first_message = await first_free_ids(environment)
    history = History(company, rng, postgres=environment.postgres_url is not None, zone=zone,
                      first_event_id=first_event, first_message_id=first_message)
    progress(f"company built; generating {args.events:,} events from {first_day}")
    report["generate"] = await generate(environment, history, start, args.events)
    report["generate"]["days"] = f"{first_day} – {yesterday - timedelta(days=1)}"
    report["generate"]["validated_with_event_models"] = validate_samples(history.samples)
    report["generate"]["by_type"] = dict(history.counts)
    report["generate"]["database_mib"] = await database_mib(environment)
    progress(f"generated: {report['generate']}")
    return {"history": history, "first_event": first_event, "first_day": first_day,
            "yesterday": yesterday, "today": today, "backlog_start": backlog_start}


async def run_consumer(args: argparse.Namespace, environment: Environment,
                       report: dict[str, Any], zone: ZoneInfo, made: dict[str, Any]) -> None:
    last_id = await last_history_id(environment)
    await set_position(environment, made["first_event"] - 1)
    progress("consumer: catching up on the history")
    consumed = await consume(environment, made["first_event"] - 1, last_id,
                             args.consume_seconds)
    report["history_consumer"] = consumed
    if consumed["finished"]:
        report["history_rollups"] = "the real consumer handled every event of the history"
    else:
        scaled = await scale_sample(environment, zone, made["first_day"],
                                    made["yesterday"] - timedelta(days=1),
                                    made["first_event"] - 1 + consumed["events"])
        await set_position(environment, last_id)
        report["history_rollups"] = {
            "how": "sample and scale: the real consumer handled the history from its "
                   f"start for {args.consume_seconds:.0f} s; the whole company days it "
                   "handled were copied onto the year's other days, and its position "
                   "set to the history's end", **scaled}
    report["rollup_rows"] = await rollup_sizes(environment)
    # Yesterday's backlog, then the consumer's catch-up on it.
    writer = await open_writer(environment)
    try:
        backlog = await write_span(made["history"], writer, made["backlog_start"], 1,
                                   args.backlog)
    finally:
        await writer.close()
    end_id = await last_history_id(environment)
    progress(f"backlog of {backlog['events']:,} events appended; catching up")
    caught = await consume(environment, last_id, end_id, args.consume_seconds,
                           statements=True)
    report["backlog"] = {"day": str(made["yesterday"]), "events": backlog["events"],
                         "catch_up_seconds": caught["seconds"],
                         "events_per_s": caught["events_per_s"],
                         "finished": caught["finished"], "failures": caught["failures"],
                         "process_cpu_seconds": caught["process_cpu_seconds"],
                         "where_the_time_went": caught.get("where_the_time_went")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000,
                        help="events in the year of history")
    parser.add_argument("--backlog", type=int, default=None,
                        help="events in yesterday's backlog (default: --events / 365)")
    parser.add_argument("--consume-seconds", type=float, default=900,
                        help="how long the consumer may work on the history before the "
                             "rest is scaled from what it did")
    parser.add_argument("--samples", type=int, default=50, help="timed requests per route")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--no-explain", action="store_true",
                        help="skip timing each route's statements in process and "
                             "EXPLAINing the slowest")
    add_database_options(parser)
    args = parser.parse_args()
    if args.events < DAYS * 10 or args.samples <= 0:
        parser.error(f"--events must be at least {DAYS * 10}; --samples positive")
    if args.backlog is None:
        args.backlog = max(args.events // DAYS, 1)
    report: dict[str, Any] = {
        "benchmark": "analytics", "machine": machine_info(),
        "database": "postgresql" if args.postgres else "sqlite",
        "events": args.events, "argon2": FAST_ARGON2_NOTE}
    env = {**FAST_ARGON2_ENV, "XIETONG_RUN_JOBS": "false"}
    began = time.monotonic()
    with scratch_environment(env, postgres=args.postgres) as environment:
        environment.xietong("create-admin", "--username", "benchadmin", "--password", PASSWORD)
        zone = environment.runtime().settings.zone
        made = asyncio.run(build(args, environment, report, zone))
        asyncio.run(run_consumer(args, environment, report, zone, made))
        report["database_mib"] = asyncio.run(database_mib(environment))
        progress("serving; measuring the dashboards")
        today = made["today"]
        params = {"from": str(today - timedelta(days=DAYS - 1)), "to": str(today)}
        try:
            with serving_patiently(environment) as base_url:
                routes = measure_routes(base_url, "benchadmin", params, args.samples)
        except Exception as error:  # the figures so far are still worth printing
            report["error"] = str(error)[-3000:]
            print_report(report)
            raise
        if not args.no_explain:
            progress("explaining the routes' slowest statements")
            report["dashboard_statements"] = asyncio.run(
                explain_routes(environment, params, "benchadmin"))
    worst = max((r["p95_ms"] for r in routes.values() if r.get("p95_ms") is not None),
                default=None)
    history_rate = report["history_consumer"]["events_per_s"]
    report.update({
        "dashboards": {"range": params, "as": "administrator (benchadmin)",
                       "samples": args.samples, "routes": routes},
        "targets": {"dashboard_p95_ms_max": TARGET_P95_MS,
                    "dashboard_met": worst is not None and worst <= TARGET_P95_MS
                    and all("p95_ms" in r for r in routes.values()),
                    "consumer_events_per_s_min": TARGET_EVENTS_PER_S,
                    "consumer_met": bool(history_rate and history_rate >= TARGET_EVENTS_PER_S)},
        "total_seconds": round(time.monotonic() - began, 1)})
    print_report(report)


if __name__ == "__main__":
    main()
