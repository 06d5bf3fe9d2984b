from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Query

from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, IdPath, get_services
from xietong.jobs import actions, queries
from xietong.jobs.models import Job, JobState
from xietong.jobs.schemas import JobOut, JobPage
from xietong.jobs.service import Jobs
from xietong.policy import jobs as jobs_policy
from xietong.policy import require

router = APIRouter(prefix="/api/v1/admin/jobs", tags=["jobs"])

ADMINS_ONLY = "Only administrators see and retry jobs."


class JobServices(Protocol):
    """What these routes use of the runtime."""

    @property
    def jobs(self) -> Jobs: ...

    def unit_of_work(self) -> UnitOfWork: ...

    def reader(self) -> UnitOfWork: ...


Rt = Annotated[JobServices, Depends(get_services)]


def job_out(job: Job) -> JobOut:
    return JobOut(id=job.id, kind=job.kind, state=JobState(job.state), run_at=job.run_at,
                  attempts=job.attempts, max_attempts=job.max_attempts,
                  last_error=job.last_error, key=job.key, recurrence=job.recurrence,
                  created_at=job.created_at, finished_at=job.finished_at)


@router.get("")
async def list_jobs(
    actor: CurrentActor, rt: Rt,
    state: JobState | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JobPage:
    """Newest first; `state=failed` lists the dead letters."""
    require(jobs_policy.can_manage_jobs(actor), ADMINS_ONLY)
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        found = await queries.list_jobs(uow, state=state, before_id=before_id, limit=limit + 1)
    page = found[:limit]
    return JobPage(items=[job_out(job) for job in page],
                   next_cursor=encode_cursor(page[-1].id) if len(found) > limit else None,
                   time_zone=rt.jobs.zone.key)


@router.post("/{job_id}/retry")
async def retry_job(actor: CurrentActor, rt: Rt, job_id: IdPath) -> JobOut:
    """A failed (dead-lettered) job back to `queued`, due now."""
    require(jobs_policy.can_manage_jobs(actor), ADMINS_ONLY)
    async with rt.unit_of_work() as uow:
        job = await actions.do_retry_job(uow, job_id, rt.jobs.clock())
        rt.jobs.wake_after_commit(uow)
    return job_out(job)
