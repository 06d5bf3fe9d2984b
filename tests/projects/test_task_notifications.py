"""Tasks in the notification centre: a task given to someone, its due day (tomorrow, one day
overdue) and, long overdue, the assignee's manager — each once, on the company's days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import Cast, Follow, Person
from tests.projects.helpers import PROJECTS, TASKS, make_project, make_task, move, status_id
from xietong.core.clock import utcnow
from xietong.org.company_settings.definitions import DEFAULTS
from xietong.projects import reminders
from xietong.projects.reminders import (
    REMINDER_JOB,
    REMINDER_SCHEDULE,
    reminder_day,
    send_reminders,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def heard(person: Person) -> list[tuple[str, str]]:
    items = (await person.api.get("/api/v1/notifications")).json()["items"]
    return [(n["kind"], n["title"]) for n in items if n["kind"].startswith("task_")]


async def test_whoever_is_given_a_task_hears_of_it(cast: Cast, follow: Follow) -> None:
    project = await make_project(cast.lina, "新品上市",
                                 member_ids=[cast.zhangwei.id, cast.wangfang.id])
    await follow.held()
    task = await make_task(cast.lina, project["id"], "准备报价单", assignee_id=cast.zhangwei.id)
    await make_task(cast.lina, project["id"], "我自己的", assignee_id=cast.lina.id)
    await cast.lina.api.patch(f"{TASKS}/{task['id']}", json={"assignee_id": cast.wangfang.id})
    await cast.lina.api.patch(f"{TASKS}/{task['id']}", json={"title": "准备报价单 v2"})
    await follow.catch_up()
    assert await heard(cast.zhangwei) == [("task_assigned", "李娜 把任务指派给了你：准备报价单")]
    assert await heard(cast.wangfang) == [("task_assigned", "李娜 把任务指派给了你：准备报价单")]
    assert await heard(cast.lina) == []
    [item] = (await cast.wangfang.api.get("/api/v1/notifications")).json()["items"]
    assert item["link"] == f"/projects/{project['id']}?task={task['id']}"
    assert item["data"]["subject_label"] == f"T-{task['id']} 准备报价单"


# The day's reminders are written in batches: one at a time, and all in one.
@pytest.mark.parametrize("at_once", [1, 500])
async def test_due_days_remind_once_and_the_manager_hears_of_the_long_overdue(
        cast: Cast, follow: Follow, monkeypatch: pytest.MonkeyPatch, at_once: int) -> None:
    monkeypatch.setattr(reminders, "STEPS_AT_ONCE", at_once)
    # 刘洋 works in 华东区, under 销售部, which 张伟 manages.
    project = await make_project(cast.lina, "渠道活动", member_ids=[cast.liuyang.id])
    today = date(2026, 12, 7)
    due: dict[str, Any] = {
        "明天到期": today + timedelta(days=1), "昨天到期": today - timedelta(days=1),
        "逾期多日": today - timedelta(days=DEFAULTS.overdue_manager_days),
        "今天到期": today, "后天到期": today + timedelta(days=2)}
    made = {title: await make_task(cast.lina, project["id"], title,
                                   assignee_id=cast.liuyang.id, due_at=day.isoformat())
            for title, day in due.items()}
    finished = await make_task(cast.lina, project["id"], "做完了", assignee_id=cast.liuyang.id,
                               due_at=(today + timedelta(days=1)).isoformat())
    await move(cast.lina, finished["id"], status_id(project, "已完成"))
    await make_task(cast.lina, project["id"], "没人负责",
                    due_at=(today + timedelta(days=1)).isoformat())
    await follow.held()
    for _ in range(2):  # a retried run the same day writes nothing again
        async with cast.runtime.unit_of_work() as uow:
            await send_reminders(uow, today, utcnow())
    await follow.catch_up()
    assert sorted(await heard(cast.liuyang)) == sorted([
        ("task_due", "任务明天到期：明天到期"), ("task_due", "任务已逾期：昨天到期")])
    assert await heard(cast.zhangwei) == [("task_due", "刘洋 的任务已逾期多日：逾期多日")]
    assert await heard(cast.lina) == []
    history = (await cast.lina.api.get(
        f"{TASKS}/{made['明天到期']['id']}/history")).json()["items"]
    assert [(e["kind"], e["actor_id"], e["data"]["day"]) for e in history[1:]] == [
        ("due_tomorrow", None, "2026-12-07")]
    # An archived project reminds nobody.
    await cast.lina.api.patch(f"{PROJECTS}/{project['id']}", json={"archived": True})
    async with cast.runtime.unit_of_work() as uow:
        assert await send_reminders(uow, today + timedelta(days=1), utcnow()) == 0


def test_the_day_is_the_companys() -> None:
    # 01:30 in Shanghai on the 7th is still the 6th in UTC.
    assert reminder_day(datetime(2026, 12, 6, 17, 30, tzinfo=UTC), SHANGHAI) == date(2026, 12, 7)
    assert reminder_day(datetime(2026, 12, 6, 15, 59, tzinfo=UTC), SHANGHAI) == date(2026, 12, 6)
    assert (REMINDER_JOB, REMINDER_SCHEDULE) == ("projects.due-reminders", "daily 09:00")


async def manager_told(cast: Cast, follow: Follow, days: int | None) -> list[str]:
    """With the company's `overdue_manager_days` set to `days` (None: left at its default),
    which of 刘洋's tasks — 1, 3, 5 and 7 days overdue — 张伟, his manager, hears of."""
    if days is not None:
        response = await cast.linxiaoyan.api.patch(
            "/api/v1/admin/settings", json={"overdue_manager_days": days})
        assert response.status_code == 200, response.text
    project = await make_project(cast.lina, f"逾期规则 {days}", member_ids=[cast.liuyang.id])
    today = date(2026, 12, 21)
    for late in (1, 3, 5, 7):
        await make_task(cast.lina, project["id"], f"逾期{late}天", assignee_id=cast.liuyang.id,
                        due_at=(today - timedelta(days=late)).isoformat())
    await follow.held()
    async with cast.runtime.unit_of_work() as uow:
        await send_reminders(uow, today, utcnow())
    await follow.catch_up()
    items = (await cast.zhangwei.api.get("/api/v1/notifications")).json()["items"]
    return sorted(n["title"].removeprefix("刘洋 的任务已逾期多日：") for n in items
                  if n["kind"] == "task_due" and n["data"]["project_id"] == project["id"])


async def test_the_company_chooses_when_the_manager_is_told(cast: Cast,
                                                           follow: Follow) -> None:
    assert await manager_told(cast, follow, None) == ["逾期3天"]
    assert await manager_told(cast, follow, 5) == ["逾期5天"]
    # One day overdue: the assignee and the manager both hear of it that day.
    assert await manager_told(cast, follow, 1) == ["逾期1天"]
    assert (await heard(cast.liuyang)).count(("task_due", "任务已逾期：逾期1天")) == 3  # a run each
    assert await manager_told(cast, follow, 0) == []  # never
    for bad in (31, -1, 2.5, "3", True):
        response = await cast.linxiaoyan.api.patch("/api/v1/admin/settings",
                                                   json={"overdue_manager_days": bad})
        assert response.status_code == 422, (bad, response.text)
    response = await cast.zhangwei.api.patch("/api/v1/admin/settings",
                                             json={"overdue_manager_days": 7})
    assert response.status_code == 403
    settings = (await cast.linxiaoyan.api.get("/api/v1/admin/settings")).json()
    [days] = [s for s in settings["items"] if s["key"] == "overdue_manager_days"]
    assert (days["value"], days["default"]) == (0, 3)
