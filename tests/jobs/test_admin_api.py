"""`/api/v1/admin/jobs`: administrators list jobs and retry dead letters; nobody else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.helpers import Cast, anonymous_client, error_code
from tests.jobs.conftest import Clock, all_jobs
from xietong.core.uow import UnitOfWork
from xietong.jobs.models import JobState
from xietong.jobs.registry import JobRegistry
from xietong.jobs.runner import JobRunner
from xietong.runtime import Runtime

JOBS = "/api/v1/admin/jobs"


async def dead_letter_and_queued(runtime: Runtime, runner: JobRunner, registry: JobRegistry,
                                 clock: Clock) -> tuple[int, int]:
    async def broken(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        raise ValueError("webhook answered 500")

    registry.register("broken", broken)
    async with runtime.unit_of_work() as uow:
        failed = await uow.enqueue("broken", {}, run_at=clock.now, max_attempts=1)
        queued = await uow.enqueue("later", {}, run_at=clock.now + timedelta(days=1))
    assert failed is not None
    assert queued is not None
    assert await runner.run_due() == 1
    return failed, queued


async def test_admin_lists_jobs_by_state_and_retries_a_dead_letter(
        runtime: Runtime, cast: Cast, runner: JobRunner, registry: JobRegistry,
        clock: Clock) -> None:
    failed, queued = await dead_letter_and_queued(runtime, runner, registry, clock)
    admin = cast.linxiaoyan.api

    listed = await admin.get(JOBS)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert [item["id"] for item in page["items"]] == [queued, failed]
    assert page["next_cursor"] is None
    assert page["time_zone"] == "Asia/Shanghai"
    item = page["items"][1]
    assert {"id", "kind", "state", "run_at", "attempts", "last_error"} <= set(item)
    assert (item["kind"], item["state"], item["attempts"]) == ("broken", "failed", 1)
    assert item["last_error"] == "ValueError: webhook answered 500"

    only_failed = (await admin.get(JOBS, params={"state": "failed"})).json()["items"]
    assert [i["id"] for i in only_failed] == [failed]
    first = (await admin.get(JOBS, params={"limit": 1})).json()
    assert [i["id"] for i in first["items"]] == [queued]
    rest = (await admin.get(JOBS, params={"limit": 1, "cursor": first["next_cursor"]})).json()
    assert [i["id"] for i in rest["items"]] == [failed]

    retried = await admin.post(f"{JOBS}/{failed}/retry")
    assert retried.status_code == 200, retried.text
    assert (retried.json()["state"], retried.json()["attempts"]) == ("queued", 0)
    job = next(j for j in await all_jobs(runtime) if j.id == failed)
    assert job.state == JobState.QUEUED

    again = await cast.zhoujianguo.api.post(f"{JOBS}/{failed}/retry")
    assert again.status_code == 409
    assert error_code(again) == "job_not_failed"
    missing = await admin.post(f"{JOBS}/999999/retry")
    assert missing.status_code == 404
    assert error_code(missing) == "job_not_found"
    bad_state = await admin.get(JOBS, params={"state": "exploded"})
    assert bad_state.status_code == 422
    assert error_code(bad_state) == "invalid"


async def test_members_and_guests_may_not_see_or_retry_jobs(
        runtime: Runtime, cast: Cast, runner: JobRunner, registry: JobRegistry,
        clock: Clock, client: httpx.AsyncClient) -> None:
    failed, _ = await dead_letter_and_queued(runtime, runner, registry, clock)
    for person in (cast.zhangwei, cast.alex):
        listed = await person.api.get(JOBS)
        assert listed.status_code == 403
        assert error_code(listed) == "forbidden"
        retried = await person.api.post(f"{JOBS}/{failed}/retry")
        assert retried.status_code == 403
        assert error_code(retried) == "forbidden"
    async with anonymous_client(client) as nobody:
        anonymous = await nobody.get(JOBS)
    assert anonymous.status_code == 401
    assert error_code(anonymous) == "unauthorized"
    job = next(j for j in await all_jobs(runtime) if j.id == failed)
    assert job.state == JobState.FAILED
