"""The rollup consumer against a scripted week of a company: every figure it keeps is known in
advance, on both databases, and reading the same days again (`analytics-rebuild`) changes
nothing.

The history runs on a known calendar (time-machine moves the clock; Monday 14 and Tuesday 15
December 2026 are working days, 09:00–18:00 less 12:00–13:30 in Shanghai), through the real
API, and the consumer is the runtime's own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tests.helpers import Cast, Follow, Person, create_channel, post, upload
from tests.projects.helpers import make_project, make_task
from tests.requests.test_requests import act, file, make_type
from xietong.analytics import metrics
from xietong.analytics.models import (
    ActiveDay,
    ActiveWeek,
    ChannelDay,
    DepartmentCount,
    HourCount,
    MentionFact,
    PairCount,
    RequestFact,
    TaskFact,
)
from xietong.analytics.rollups import NAME, RollupConsumer, oldest_whole_day, rebuild
from xietong.core.errors import Conflict
from xietong.org.models import Department
from xietong.realtime.log import EventLog
from xietong.realtime.retention import prune_batch
from xietong.runtime import Runtime

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY, TUESDAY, WEDNESDAY = date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 16)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(at(MONDAY, 8), tick=False) as traveller:
        yield traveller


async def tables(runtime: Runtime) -> dict[str, set[tuple[Any, ...]]]:
    """Every row the consumer keeps, as comparable tuples."""
    found: dict[str, set[tuple[Any, ...]]] = {}
    async with runtime.reader() as uow:
        for model in (DepartmentCount, PairCount, HourCount, ActiveDay, ActiveWeek, ChannelDay,
                      MentionFact, RequestFact, TaskFact):
            columns = list(model.__table__.columns)
            rows = await uow.session.execute(select(*columns))
            found[model.__tablename__] = {tuple(row) for row in rows}
    return found


async def counts(runtime: Runtime) -> dict[tuple[date, str, str], float]:
    """`analytics_counts` by day, department name and metric."""
    async with runtime.reader() as uow:
        names = dict((await uow.session.execute(select(Department.id, Department.name))).all())
        rows = await uow.session.execute(select(DepartmentCount))
        return {(r.day, names.get(r.department_id, "—"), r.metric): r.value
                for r in rows.scalars()}


async def pairs(runtime: Runtime, metric: str) -> dict[tuple[date, int, int], float]:
    async with runtime.reader() as uow:
        rows = await uow.session.execute(select(PairCount).where(PairCount.metric == metric))
        return {(r.day, r.from_department_id, r.to_department_id): r.value
                for r in rows.scalars()}


async def move(person: Person, task_id: int, status: str) -> None:
    response = await person.api.post(f"/api/v1/tasks/{task_id}/move", json={"status": status})
    assert response.status_code == 200, response.text


async def test_a_scripted_week_gives_exactly_the_expected_figures_and_a_replay_changes_nothing(
        cast: Cast, follow: Follow, clock: time_machine.Traveller) -> None:
    runtime = cast.runtime
    d = cast.departments
    zhaolei = await cast.add_person("zhaolei", "赵磊", departments=("研发部",), title="工程师")
    room = await create_channel(cast.zhangwei, "跨部门协作", "public", cast.lina, cast.liuyang,
                                zhaolei, cast.wangfang)
    kind = await make_type(cast)  # 研发部's: respond in 2 working hours, resolve in 16
    project = await make_project(cast.lina, "报表重构", member_ids=[zhaolei.id])
    await follow.held()

    # Monday, 09:05: 王芳 (客服部) files a request to 研发部; nobody answers it until 13:35.
    clock.move_to(at(MONDAY, 9, 5))
    late = await file(cast.wangfang, kind["id"], title="客户投诉：报表导出失败")
    # 10:00 张伟 (销售部) asks 李娜 (研发部) in the shared channel; she answers at 11:30.
    clock.move_to(at(MONDAY, 10))
    question = await post(cast.zhangwei, room, "@李娜 请评估一下报表需求")
    assert question["mentions"]["user_ids"] == [cast.lina.id]
    task_late = await make_task(cast.lina, project["id"], "导出修复", assignee_id=zhaolei.id,
                                due_at=str(MONDAY))
    task_on_time = await make_task(cast.lina, project["id"], "报表模板",
                                   assignee_id=zhaolei.id, due_at="2026-12-18")
    await make_task(cast.lina, project["id"], "性能评估", assignee_id=cast.lina.id,
                    due_at=str(MONDAY))
    clock.move_to(at(MONDAY, 11, 30))
    await post(cast.lina, room, "好的，今天评估")  # 90 minutes after: not a reply by time
    response = await cast.lina.api.put(f"/api/v1/messages/{question['id']}/reactions/👍")
    assert response.status_code == 204, response.text
    clock.move_to(at(MONDAY, 11, 35))
    await post(cast.zhangwei, room, "谢谢")  # 5 minutes after 李娜: 销售部 answers 研发部
    clock.move_to(at(MONDAY, 11, 40))
    await post(cast.liuyang, room, "@赵磊 看下这个客户的报表")  # 华东区 answers 销售部
    clock.move_to(at(MONDAY, 13, 35))
    assert (await act(cast.lina, late["id"], "accept")).status_code == 200
    # 14:00 张伟 files a request; 李娜 accepts at 15:00 and resolves it Tuesday 10:00.
    clock.move_to(at(MONDAY, 14))
    prompt = await file(cast.zhangwei, kind["id"], title="季度报表新增字段")
    clock.move_to(at(MONDAY, 15))
    assert (await act(cast.lina, prompt["id"], "accept")).status_code == 200
    clock.move_to(at(MONDAY, 16))
    await move(zhaolei, task_on_time["id"], "done")
    clock.move_to(at(MONDAY, 16, 30))
    stored = await upload(cast.zhangwei, "报价单.xlsx", b"PK\x03\x04 not really a workbook")
    shared = await post(cast.zhangwei, room, "最新报价单", file_ids=[stored["id"]])
    download = await cast.lina.api.get(f"/api/v1/files/{stored['id']}")
    assert download.status_code == 200

    # Tuesday.
    clock.move_to(at(TUESDAY, 9, 30))
    await post(zhaolei, room, "收到，已经在看")  # answers 刘洋's mention of Monday 11:40
    await move(zhaolei, task_late["id"], "done")  # due Monday: late
    clock.move_to(at(TUESDAY, 10))
    await post(cast.wangfang, room, "客服这边也需要", thread_root_id=shared["id"])
    assert (await act(cast.lina, prompt["id"], "start")).status_code == 200
    assert (await act(cast.lina, prompt["id"], "resolve")).status_code == 200
    assert (await act(cast.zhangwei, prompt["id"], "confirm")).status_code == 200
    rated = await cast.zhangwei.api.post(f"/api/v1/requests/{prompt['id']}/rating",
                                         json={"score": 4})
    assert rated.status_code in (200, 201), rated.text
    searched = await cast.wangfang.api.get("/api/v1/search", params={"q": "报表"})
    assert searched.status_code == 200
    kudos = await cast.wangfang.api.post("/api/v1/kudos", json={
        "recipient_id": cast.lina.id, "value": "customer_first", "message": "报表修得又快又好"})
    assert kudos.status_code == 201, kudos.text

    await follow.catch_up(NAME)
    got = await counts(runtime)

    def of(day: date, department: str, metric: str) -> float:
        return got.get((day, department, metric), 0)

    # Messages by the sender's department and day, and by kind of channel.
    assert [of(MONDAY, "销售部", metrics.MESSAGES), of(MONDAY, "研发部", metrics.MESSAGES),
            of(MONDAY, "华东区", metrics.MESSAGES), of(TUESDAY, "研发部", metrics.MESSAGES),
            of(TUESDAY, "客服部", metrics.MESSAGES)] == [3, 1, 1, 1, 1]
    assert of(MONDAY, "销售部", metrics.messages_in("public")) == 3
    # Answers across departments: 张伟 after 李娜, 刘洋 after 张伟, 王芳 in 张伟's thread
    # (赵磊's Tuesday message comes a day after 刘洋's: no answer by time).
    assert [of(MONDAY, "销售部", metrics.CROSS_MESSAGES), of(MONDAY, "华东区",
                                                             metrics.CROSS_MESSAGES),
            of(TUESDAY, "客服部", metrics.CROSS_MESSAGES),
            of(MONDAY, "研发部", metrics.CROSS_MESSAGES),
            of(TUESDAY, "研发部", metrics.CROSS_MESSAGES)] == [1, 1, 1, 0, 0]
    assert await pairs(runtime, metrics.PAIR_MESSAGES) == {
        (MONDAY, d["销售部"], d["研发部"]): 1, (MONDAY, d["华东区"], d["销售部"]): 1,
        (TUESDAY, d["客服部"], d["销售部"]): 1}
    # Mentions across departments, both ways.
    assert await pairs(runtime, metrics.PAIR_MENTIONS) == {
        (MONDAY, d["销售部"], d["研发部"]): 1, (MONDAY, d["华东区"], d["研发部"]): 1}
    assert of(MONDAY, "研发部", metrics.MENTIONS_IN) == 2
    # Files, reactions, searches, kudos.
    assert of(MONDAY, "销售部", metrics.FILES_UPLOADED) == 1
    assert of(MONDAY, "研发部", metrics.FILES_DOWNLOADED) == 1
    assert of(MONDAY, "研发部", metrics.REACTIONS) == 1
    assert of(TUESDAY, "客服部", metrics.SEARCHES) == 1
    assert await pairs(runtime, metrics.PAIR_KUDOS) == {(TUESDAY, d["客服部"], d["研发部"]): 1}
    # Requests: filed to 研发部, from 客服部 and 销售部.
    assert of(MONDAY, "研发部", metrics.REQUESTS_FILED) == 2
    assert await pairs(runtime, metrics.PAIR_REQUESTS) == {
        (MONDAY, d["客服部"], d["研发部"]): 1, (MONDAY, d["销售部"], d["研发部"]): 1}

    async with runtime.reader() as uow:
        requests = {r.request_id: r for r in (await uow.session.scalars(select(RequestFact)))}
        mentions = {(m.message_id, m.user_id): m
                    for m in (await uow.session.scalars(select(MentionFact)))}
        tasks = {t.task_id: t for t in (await uow.session.scalars(select(TaskFact)))}
        active = sorted((a.day, a.user_id) for a in await uow.session.scalars(select(ActiveDay)))
    # 09:05 → 13:35 is three working hours (lunch is not): over the two-hour SLA.
    assert requests[late["id"]].response_seconds == 3 * 3600
    assert requests[late["id"]].response_breached
    # 14:00 → 15:00 one hour; resolved Tuesday 10:00: 4 h on Monday + 1 h on Tuesday.
    assert requests[prompt["id"]].response_seconds == 3600
    assert requests[prompt["id"]].resolution_seconds == 5 * 3600
    assert not requests[prompt["id"]].response_breached
    assert requests[prompt["id"]].rating == 4
    # 李娜 answered 张伟 in 1.5 working hours; 赵磊 answered 刘洋 Monday 11:40 → Tuesday
    # 09:30: 20 minutes before lunch, 4.5 hours after it, half an hour on Tuesday.
    assert mentions[(question["id"], cast.lina.id)].response_seconds == 90 * 60
    assert [m.response_seconds for (_, user), m in mentions.items()
            if user == zhaolei.id] == [(20 + 270 + 30) * 60]
    assert tasks[task_late["id"]].late
    assert tasks[task_late["id"]].completed_day == TUESDAY
    on_time = tasks[task_on_time["id"]]
    assert not on_time.late
    assert on_time.cycle_seconds == (2 * 60 + 150) * 60
    assert tasks[task_on_time["id"]].department_id == d["研发部"]
    # Everyone who did something is active that day; nobody is listed twice.
    assert {(MONDAY, cast.lina.id), (TUESDAY, cast.wangfang.id)} <= set(active)
    assert len(active) == len(set(active))

    # Reading Monday and Tuesday again from the log changes nothing.
    before = await tables(runtime)
    async with runtime.unit_of_work() as uow:
        read = await rebuild(uow, RollupConsumer(zone=SHANGHAI),
                             EventLog(is_postgres=uow.is_postgres), since=MONDAY)
    assert read > 20
    assert await tables(runtime) == before
    # The week's people are folded by Monday; from Tuesday on, Monday's are kept.
    assert {(MONDAY, cast.lina.id), (MONDAY, cast.wangfang.id)} <= {
        (week, user_id) for week, _, user_id in before["analytics_active_weeks"]}
    async with runtime.unit_of_work() as uow:
        await rebuild(uow, RollupConsumer(zone=SHANGHAI), EventLog(is_postgres=uow.is_postgres),
                      since=TUESDAY)
    assert await tables(runtime) == before
    # And handing the consumer the same events twice over (its position moved back, as a
    # crash before the commit would leave it) is not possible: the position moved with them.
    await follow.catch_up(NAME)
    assert await tables(runtime) == before


async def test_a_replay_refuses_what_it_cannot_do_whole(cast: Cast, follow: Follow,
                                                         clock: time_machine.Traveller) -> None:
    """Before the consumer has started there is nothing to replay; a day the log no longer
    holds whole is refused (its counts would be replaced by part of them), and the oldest
    whole day is accepted."""
    runtime = cast.runtime
    room = await create_channel(cast.zhangwei, "跨部门协作", "public", cast.lina)

    async def replay(since: date) -> int:
        async with runtime.unit_of_work() as uow:
            log = EventLog(is_postgres=uow.is_postgres)
            return await rebuild(uow, RollupConsumer(zone=SHANGHAI), log, since=since)

    with pytest.raises(Conflict) as refused:
        await replay(MONDAY)
    assert refused.value.code == "analytics_not_started"

    await follow.held()
    clock.move_to(at(MONDAY, 10))
    await post(cast.zhangwei, room, "周一的消息")
    clock.move_to(at(TUESDAY, 10))
    await post(cast.lina, room, "周二的消息")
    await follow.catch_up(NAME)
    # Monday's events pruned (as the retention job does): Monday is no longer whole.
    async with runtime.unit_of_work() as uow:
        assert await prune_batch(uow, at(TUESDAY, 0), 1000) > 0
    before = await tables(runtime)
    with pytest.raises(Conflict) as refused:
        await replay(MONDAY)
    assert refused.value.code == "analytics_log_pruned"
    assert await tables(runtime) == before  # refused whole: nothing deleted
    # Whether events of Tuesday before its first kept one were pruned, the log cannot tell:
    # the first day it holds whole for certain is the next.
    clock.move_to(at(WEDNESDAY, 10))
    await post(cast.zhangwei, room, "周三的消息")
    await follow.catch_up(NAME)
    before = await tables(runtime)
    async with runtime.reader() as uow:
        oldest = await oldest_whole_day(uow, EventLog(is_postgres=uow.is_postgres), SHANGHAI)
    assert oldest == WEDNESDAY
    with pytest.raises(Conflict):
        await replay(TUESDAY)
    assert await replay(oldest) >= 1
    assert await tables(runtime) == before
