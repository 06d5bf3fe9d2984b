"""Job runner throughput: `--jobs` due jobs (the `jobs.probe` handler: one row written in
the job's own transaction) enqueued in one transaction while `--nodes` real `xietong serve`
processes wait; the time from that commit until every job is done.

The nodes poll every second (the enqueue happens in another process, so no node is woken
by it): up to one second of the figure is that first wait.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from contextlib import ExitStack

from sqlalchemy import text

from bench.common import (
    Environment,
    add_database_options,
    machine_info,
    print_report,
    scratch_environment,
    serving,
)
from xietong.jobs.probe import KIND, PROBE_TABLE_DDL
from xietong.runtime import Runtime
from xietong.settings import Settings


async def enqueue_and_wait(environment: Environment, jobs: int) -> dict[str, float | int]:
    settings = Settings(data_dir=environment.data_dir,
                        database_url=environment.postgres_url or "",
                        secret_key="b" * 40, run_jobs=False)
    runtime = Runtime(settings)
    try:
        async with runtime.engine.begin() as connection:
            await connection.execute(text(PROBE_TABLE_DDL))
        started = time.monotonic()
        async with runtime.unit_of_work() as uow:
            for n in range(jobs):
                await uow.enqueue(KIND, {"n": n}, key=f"probe:{n}")
        committed = time.monotonic()
        while True:
            async with runtime.reader() as uow:
                done = (await uow.session.execute(
                    text("SELECT count(*) FROM jobs WHERE state = 'done'"))).scalar_one()
            if done >= jobs:
                break
            await asyncio.sleep(0.05)
        finished = time.monotonic()
        async with runtime.reader() as uow:
            runs = (await uow.session.execute(
                text("SELECT count(*), count(DISTINCT n) FROM job_probe_runs"))).one()
    finally:
        await runtime.close()
    return {"enqueue_seconds": round(committed - started, 2),
            "run_seconds": round(finished - committed, 2),
            "jobs_per_s": round(jobs / (finished - committed), 1),
            "handler_runs": runs[0], "distinct_jobs_run": runs[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--nodes", type=int, default=1)
    add_database_options(parser)
    args = parser.parse_args()
    if args.nodes > 1 and not args.postgres:
        parser.error("several nodes need --postgres")
    extra = {"XIETONG_JOB_HANDLER_MODULES": "xietong.jobs.probe"}
    with scratch_environment(extra, postgres=args.postgres) as environment, ExitStack() as nodes:
        for _ in range(args.nodes):
            nodes.enter_context(serving(environment))
        figures = asyncio.run(enqueue_and_wait(environment, args.jobs))
    print_report({"benchmark": "jobs", "database": environment.database, "nodes": args.nodes,
                  "jobs": args.jobs, **figures, "machine": machine_info()})


if __name__ == "__main__":
    main()
