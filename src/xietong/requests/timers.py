"""The SLA's timers, on the durable jobs: for each running clock (response, resolution) a
warning at a share of its working time (to the assignee), the breach at its due time (to
the receiving department's managers) and an escalation a further stretch of working time
later (to the managers one level up). Each is a step in the request's timeline, whose event
the notification consumer turns into notifications.

A timer is a job with a key naming the request, the timers' generation, the clock and the
stage. A clock that stops (answered, resolved, waiting, closed) has its timers cancelled in
the same transaction; a clock that starts again (resumed, reopened) gets a new generation
of timers from its new due time, and a job of an older generation does nothing. The
handler is idempotent: a stage already reached is not recorded twice, however often its
job runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from xietong.core.uow import UnitOfWork
from xietong.manifest import JobHandler, JobNeeds
from xietong.requests import queries
from xietong.requests.models import FINAL, EntryKind, Request, Status
from xietong.requests.sla import WorkingTime
from xietong.requests.steps import Step, record_steps

SLA_JOB = "requests.sla"
CLOCKS = ("response", "resolution")


class Stage(IntEnum):
    NONE = 0
    WARNED = 1
    BREACHED = 2
    ESCALATED = 3


ENTRY_OF = {Stage.WARNED: EntryKind.SLA_WARNING, Stage.BREACHED: EntryKind.SLA_BREACHED,
            Stage.ESCALATED: EntryKind.SLA_ESCALATED}


def running(request: Request, clock: str) -> bool:
    """Whether `clock` runs now: not while waiting, and not once it is done with."""
    status = Status(request.status)
    if status in FINAL or request.paused_at is not None:
        return False
    if clock == "response":
        return request.first_response_at is None
    return status is not Status.RESOLVED


def running_clocks(request: Request) -> set[str]:
    return {clock for clock in CLOCKS if running(request, clock)}


def stage_of(request: Request, clock: str) -> Stage:
    return Stage(request.response_stage if clock == "response" else request.resolution_stage)


def _due(request: Request, clock: str) -> datetime:
    return request.response_due_at if clock == "response" else request.resolution_due_at


def _hours(request: Request, clock: str) -> float:
    return request.response_sla_hours if clock == "response" else request.resolution_sla_hours


def stage_times(calendar: WorkingTime, request: Request, clock: str,
                now: datetime) -> dict[Stage, datetime]:
    """When each stage of `clock` falls, counted from `now`: the warning when the working
    time left is the unwarned share (at once if less is left), the breach at the due time,
    the escalation `escalate_after_hours` of working time after it."""
    due = _due(request, clock)
    left = (calendar.working_time_between(now, due) if due > now else timedelta(0))
    lead = timedelta(hours=(1 - request.warn_at_share) * _hours(request, clock))
    warn_at = (calendar.add_working_hours(now, (left - lead).total_seconds() / 3600)
               if left > lead else now)
    return {Stage.WARNED: warn_at, Stage.BREACHED: due,
            Stage.ESCALATED: calendar.add_working_hours(due, request.escalate_after_hours)}


def job_key(request: Request, clock: str, stage: Stage) -> str:
    return f"request-sla:{request.id}:{request.timers_generation}:{clock}:{stage.name.lower()}"


async def arm(uow: UnitOfWork, calendar: WorkingTime, request: Request, now: datetime,
              clocks: set[str]) -> None:
    """Queue the stages still to come of each of `clocks` (running ones) from `now`."""
    for clock in sorted(clocks):
        reached = stage_of(request, clock)
        times = stage_times(calendar, request, clock, now)
        # Each job knows when every stage of its clock falls: one that runs late, after a
        # later stage's job ran first (nodes were down, two nodes took a batch each), still
        # finds the stages before it recorded, in order, each at its own time.
        shown = {str(int(stage)): at.isoformat() for stage, at in times.items()}
        for stage, at in times.items():
            if stage > reached:
                await uow.enqueue(SLA_JOB, {
                    "request_id": request.id, "generation": request.timers_generation,
                    "clock": clock, "stage": int(stage), "times": shown},
                    run_at=at, key=job_key(request, clock, stage))


async def disarm(uow: UnitOfWork, request: Request, clocks: set[str]) -> None:
    """Cancel the stages not yet reached of each of `clocks`."""
    for clock in sorted(clocks):
        reached = stage_of(request, clock)
        for stage in (Stage.WARNED, Stage.BREACHED, Stage.ESCALATED):
            if stage > reached:
                await uow.cancel_job(job_key(request, clock, stage))


async def follow(uow: UnitOfWork, calendar: WorkingTime, request: Request,
                 were_running: set[str], now: datetime) -> None:
    """After a change of the request: cancel the timers of the clocks it stopped, and arm a
    new generation for those it started again."""
    now_running = running_clocks(request)
    await disarm(uow, request, were_running - now_running)
    started = now_running - were_running
    if started:
        request.timers_generation += 1
        await arm(uow, calendar, request, now, started)


def sla_handler(needs: JobNeeds) -> JobHandler:
    """The handler of `SLA_JOB`: record the stage (and any before it not yet recorded),
    once, if its clock still runs."""

    async def reach_stage(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        request = await queries.get_request(uow, int(payload["request_id"]), for_update=True)
        if request is None or request.timers_generation != payload["generation"]:
            return
        clock, target = str(payload["clock"]), Stage(payload["stage"])
        if not running(request, clock):
            return
        times: dict[str, str] = payload["times"]
        reached = [Stage(stage) for stage in range(stage_of(request, clock) + 1, target + 1)]
        for stage in reached:
            _reach(request, clock, stage)
        await record_steps(uow, request, [
            Step(None, ENTRY_OF[stage], {"clock": clock},
                 datetime.fromisoformat(times[str(int(stage))])) for stage in reached])

    return reach_stage


def _reach(request: Request, clock: str, stage: Stage) -> None:
    if clock == "response":
        request.response_stage = stage
        request.response_breached = request.response_breached or stage >= Stage.BREACHED
    else:
        request.resolution_stage = stage
        request.resolution_breached = request.resolution_breached or stage >= Stage.BREACHED
