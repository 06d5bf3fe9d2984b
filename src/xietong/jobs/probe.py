"""`jobs.probe`: a job kind for the tests and benchmarks that run real server processes.

It is registered only when `XIETONG_JOB_HANDLER_MODULES` names this module. Each run
inserts a row into `job_probe_runs` (which the test or benchmark creates with
`PROBE_TABLE_DDL`; no unique key, so a job that ran twice shows as two rows) in the job's
own transaction, after sleeping `sleep_ms` of the payload if it has one.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from sqlalchemy import text

from xietong.core.uow import UnitOfWork
from xietong.jobs.registry import JobRegistry

KIND = "jobs.probe"
PROBE_TABLE_DDL = ("CREATE TABLE IF NOT EXISTS job_probe_runs "
                   "(n INTEGER NOT NULL, pid INTEGER NOT NULL)")


async def run_probe(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    if payload.get("sleep_ms"):
        await asyncio.sleep(float(payload["sleep_ms"]) / 1000)
    await uow.session.execute(text("INSERT INTO job_probe_runs (n, pid) VALUES (:n, :pid)"),
                              {"n": int(payload["n"]), "pid": os.getpid()})


def register_job_handlers(registry: JobRegistry) -> None:
    registry.register(KIND, run_probe)
