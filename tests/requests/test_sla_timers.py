"""The SLA's timers on a clock the test moves: warning, breach and escalation in order,
each once, cancelled when the clock stops, armed again when it starts, each run once by
two nodes — and the notifications they end in."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.helpers import Cast, Follow, Person, statements
from tests.requests.test_requests import act, file, make_type
from xietong.business_calendar.queries import work_calendar
from xietong.core.actor import Actor, Role
from xietong.jobs.models import Job
from xietong.jobs.runner import JobRunner, RunnerOptions
from xietong.org import actions as org_actions
from xietong.org.models import Department
from xietong.org.schemas import DepartmentUpdate
from xietong.requests import timers
from xietong.requests.models import Request
from xietong.requests.timers import Stage
from xietong.runtime import Runtime


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def runner_for(runtime: Runtime, clock: Clock, node: str = "sla-node") -> JobRunner:
    """A runner on the runtime's own handlers, on the test's clock."""
    return JobRunner(registry=runtime.jobs.registry, writer=runtime.unit_of_work,
                     reader=runtime.reader, node=node, zone=runtime.settings.zone,
                     is_postgres=runtime.settings.is_postgres,
                     options=RunnerOptions(batch=50), clock=clock)


async def run_until_idle(runner: JobRunner) -> None:
    while await runner.run_due():
        pass


async def stage_times(runtime: Runtime, request_id: int, clock: str,
                      now: datetime | None = None) -> dict[Stage, datetime]:
    async with runtime.reader() as uow:
        request = await uow.session.get(Request, request_id)
        assert request is not None
        calendar = await work_calendar(uow, default_zone=runtime.settings.zone)
        return timers.stage_times(calendar, request, clock, now or request.created_at)


async def sla_steps(person: Person, request_id: int) -> list[tuple[str, str, str]]:
    timeline = (await person.api.get(f"/api/v1/requests/{request_id}/timeline")).json()
    return [(e["kind"], e["data"]["clock"], e["created_at"]) for e in timeline["items"]
            if e["kind"].startswith("sla_")]


async def jobs_of(runtime: Runtime, request_id: int) -> dict[str, str]:
    async with runtime.reader() as uow:
        rows = (await uow.session.scalars(
            select(Job).where(Job.key.like(f"request-sla:{request_id}:%")))).all()
    return {row.key or "": row.state for row in rows}


@pytest.fixture
async def east(cast: Cast) -> dict[str, Any]:
    """A type received by 华东区, which 刘洋 manages (under 销售部, which 张伟 manages), with
    an engineer of its own; 2 working hours to answer, 16 to resolve, escalation 4 after."""
    founder = Actor(user_id=cast.zhoujianguo.id, role=Role.OWNER)
    async with cast.runtime.unit_of_work() as uow:
        department = await uow.session.get(Department, cast.departments["华东区"])
        assert department is not None
        await org_actions.do_update_department(uow, founder, department,
                                               DepartmentUpdate(manager_ids=[cast.liuyang.id]))
    await cast.add_person("chenchen", "陈晨", departments=("华东区",))
    return await make_type(cast, "华东区", fields=[], name="客户拜访支持")


async def test_warning_breach_and_escalation_come_in_order_each_once(
        cast: Cast, east: dict[str, Any]) -> None:
    filed = await file(cast.wangfang, east["id"], values={})
    times = await stage_times(cast.runtime, filed["id"], "response")
    assert times[Stage.WARNED] < times[Stage.BREACHED] < times[Stage.ESCALATED]
    clock = Clock(times[Stage.WARNED] - timedelta(seconds=1))
    runner = runner_for(cast.runtime, clock)
    await run_until_idle(runner)
    assert await sla_steps(cast.liuyang, filed["id"]) == []
    for stage, kind in ((Stage.WARNED, "sla_warning"), (Stage.BREACHED, "sla_breached"),
                        (Stage.ESCALATED, "sla_escalated")):
        clock.now = times[stage]
        await run_until_idle(runner)
        steps = await sla_steps(cast.liuyang, filed["id"])
        assert steps[-1][:2] == (kind, "response"), steps
        # Recorded at the moment it fell due, not whenever a runner came round.
        assert datetime.fromisoformat(steps[-1][2]) == times[stage]
    request = (await cast.liuyang.api.get(f"/api/v1/requests/{filed['id']}")).json()
    assert request["breached"] == {"response": True, "resolution": False}
    # Running the jobs again (a node that died before its commit) records nothing twice.
    async with cast.runtime.unit_of_work() as uow:
        handler = cast.runtime.jobs.registry.handler_for(timers.SLA_JOB)
        assert handler is not None
        row = await uow.session.get(Request, filed["id"])
        assert row is not None
        await handler(uow, {"request_id": row.id, "generation": row.timers_generation,
                            "clock": "response", "stage": int(Stage.BREACHED),
                            "times": {str(int(s)): t.isoformat() for s, t in times.items()}})
    assert [s[0] for s in await sla_steps(cast.liuyang, filed["id"])] == [
        "sla_warning", "sla_breached", "sla_escalated"]


async def test_an_answer_cancels_the_response_timers_and_resolving_the_rest(
        cast: Cast, east: dict[str, Any]) -> None:
    filed = await file(cast.wangfang, east["id"], values={})
    assert set((await jobs_of(cast.runtime, filed["id"])).values()) == {"queued"}
    assert len(await jobs_of(cast.runtime, filed["id"])) == 6
    await act(cast.liuyang, filed["id"], "accept")
    states = await jobs_of(cast.runtime, filed["id"])
    assert {k: v for k, v in states.items() if ":response:" in k} == {
        k: "cancelled" for k in states if ":response:" in k}
    assert {v for k, v in states.items() if ":resolution:" in k} == {"queued"}
    await act(cast.liuyang, filed["id"], "resolve")
    assert set((await jobs_of(cast.runtime, filed["id"])).values()) == {"cancelled"}
    # However far the clock goes, nothing is recorded.
    far = (await stage_times(cast.runtime, filed["id"], "resolution"))[Stage.ESCALATED]
    await run_until_idle(runner_for(cast.runtime, Clock(far + timedelta(days=30))))
    assert await sla_steps(cast.liuyang, filed["id"]) == []


async def test_waiting_stops_the_clocks_and_resuming_arms_them_again(
        cast: Cast, east: dict[str, Any]) -> None:
    filed = await file(cast.wangfang, east["id"], values={})
    await act(cast.liuyang, filed["id"], "accept")
    waiting = (await act(cast.liuyang, filed["id"], "wait", "请补充客户的联系方式")).json()
    assert set((await jobs_of(cast.runtime, filed["id"])).values()) == {"cancelled"}
    resumed = (await act(cast.liuyang, filed["id"], "resume")).json()
    assert resumed["resolution_due_at"] >= waiting["resolution_due_at"]
    states = await jobs_of(cast.runtime, filed["id"])
    queued = sorted(k for k, v in states.items() if v == "queued")
    # A new generation of the resolution timers, none of the answered response clock.
    assert queued, states
    assert all(":1:resolution:" in k for k in queued), states
    times = await stage_times(cast.runtime, filed["id"], "resolution",
                              datetime.fromisoformat(resumed["updated_at"]))
    clock = Clock(times[Stage.BREACHED])
    await run_until_idle(runner_for(cast.runtime, clock))
    assert [s[:2] for s in await sla_steps(cast.liuyang, filed["id"])] == [
        ("sla_warning", "resolution"), ("sla_breached", "resolution")]


async def test_two_nodes_run_each_timer_once(cast: Cast, east: dict[str, Any]) -> None:
    filed = [await file(cast.wangfang, east["id"], values={}, title=f"拜访支持 {n}")
             for n in range(12)]
    latest = max([(await stage_times(cast.runtime, r["id"], "resolution"))[Stage.ESCALATED]
                  for r in filed])
    clock = Clock(latest + timedelta(minutes=1))
    first, second = runner_for(cast.runtime, clock, "node-a"), runner_for(cast.runtime, clock,
                                                                           "node-b")
    await asyncio.gather(run_until_idle(first), run_until_idle(second))
    for request in filed:
        steps = await sla_steps(cast.liuyang, request["id"])
        for clock_name in ("response", "resolution"):
            # Each stage once, in order, at its own time, whichever node ran which job.
            mine = [s for s in steps if s[1] == clock_name]
            assert [s[0] for s in mine] == ["sla_warning", "sla_breached", "sla_escalated"]
            times = await stage_times(cast.runtime, request["id"], clock_name)
            assert [datetime.fromisoformat(s[2]) for s in mine] == [
                times[Stage.WARNED], times[Stage.BREACHED], times[Stage.ESCALATED]]


async def test_the_steps_end_in_notifications_for_the_right_people(
        cast: Cast, east: dict[str, Any], follow: Follow) -> None:
    await follow.held()
    filed = await file(cast.wangfang, east["id"], values={})
    await follow.catch_up()

    async def titles(person: Person) -> list[str]:
        # (Joining 华东区's queue channel, where the request's cards go, is not its news.)
        page = (await person.api.get("/api/v1/notifications")).json()
        return [n["title"] for n in page["items"] if n["kind"] != "added_to_channel"]

    # Filed: 华东区's manager hears of it.
    assert await titles(cast.liuyang) == [f"王芳 提交了工单：{filed['title']}"]
    await cast.liuyang.api.post(f"/api/v1/requests/{filed['id']}/assign",
                                json={"assignee_id": cast.chenchen.id})
    await act(cast.chenchen, filed["id"], "accept")
    await follow.catch_up()
    assert await titles(cast.chenchen) == [f"刘洋 把工单指派给了你：{filed['title']}"]
    assert await titles(cast.wangfang) == [f"陈晨 已受理你的工单：{filed['title']}"]
    # The resolution clock breaches, then escalates one level up, to 张伟.
    times = await stage_times(cast.runtime, filed["id"], "resolution")
    await run_until_idle(runner_for(cast.runtime, Clock(times[Stage.ESCALATED])))
    await follow.catch_up()
    assert (await titles(cast.chenchen))[:2] == [
        f"工单已超过解决时限：{filed['title']}", f"工单即将超过解决时限：{filed['title']}"]
    assert (await titles(cast.liuyang))[0] == f"工单已超过解决时限：{filed['title']}"
    assert await titles(cast.zhangwei) == [f"工单超时未解决，已升级给你：{filed['title']}"]
    # Nobody else heard anything.
    assert await titles(cast.lina) == []


async def test_stages_recorded_together_cost_what_one_does(cast: Cast,
                                                           east: dict[str, Any]) -> None:
    """A late job recording three stages at once asks who sees the request, its watchers
    and its approval once, not once a stage (the entries themselves go in with one
    statement on PostgreSQL, one each on SQLite, whose inserts do not batch here)."""
    handler = cast.runtime.jobs.registry.handler_for(timers.SLA_JOB)
    assert handler is not None
    counts = []
    for target in (Stage.WARNED, Stage.ESCALATED):
        filed = await file(cast.wangfang, east["id"], values={})
        times = await stage_times(cast.runtime, filed["id"], "response")
        with statements(cast.runtime) as seen:
            async with cast.runtime.unit_of_work() as uow:
                await handler(uow, {"request_id": filed["id"], "generation": 0,
                                    "clock": "response", "stage": int(target),
                                    "times": {str(int(s)): t.isoformat()
                                              for s, t in times.items()}})
        counts.append(len([s for s in seen if not s.startswith("INSERT INTO request_entries")]))
        steps = await sla_steps(cast.liuyang, filed["id"])
        assert len(steps) == int(target)
    assert counts[0] == counts[1], counts
