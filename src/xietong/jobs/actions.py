"""The jobs domain's writes besides enqueueing (which is `UnitOfWork.enqueue`)."""

from __future__ import annotations

from datetime import datetime

from xietong.core.errors import Conflict, NotFound
from xietong.core.uow import UnitOfWork
from xietong.jobs import queries
from xietong.jobs.models import Job


async def do_retry_job(uow: UnitOfWork, job_id: int, now: datetime) -> Job:
    """Put a dead-lettered job back in the queue, due now, with its attempts reset (its
    last error stays until it runs)."""
    job = await uow.session.get(Job, job_id)
    if job is None:
        raise NotFound("There is no such job.", code="job_not_found")
    if not await queries.requeue_failed(uow, job_id, now):
        raise Conflict("Only a failed job can be retried.", code="job_not_failed",
                       details={"state": job.state})
    await uow.session.refresh(job)
    return job
