"""Project templates: 产品上市, 客户实施, 活动策划 and a blank board, listed in the caller's
language; a project made from one starts with its tasks on the company's working days from
the chosen start, waiting for each other as the template says, in one transaction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.api_inputs import Unchanged
from tests.helpers import Cast, error_code, statements
from tests.projects.helpers import PROJECTS, TASKS, make_project
from xietong.core.clock import utcnow
from xietong.projects.templates import BY_KEY as TEMPLATE_BY_KEY
from xietong.projects.templates import TEMPLATES, TemplateTask

LIST = "/api/v1/project-templates"
SHANGHAI_TODAY_HOURS = 8


async def tasks_of(cast: Cast, project_id: int) -> dict[str, dict[str, Any]]:
    response = await cast.lina.api.get(f"{PROJECTS}/{project_id}/tasks")
    assert response.status_code == 200, response.text
    return {t["title"]: t for t in response.json()["items"]}


def weekdays_from(first: date, count: int, *, holidays: frozenset[date] = frozenset()
                  ) -> list[date]:
    """The first `count` Mondays to Fridays from `first` on, leaving out `holidays`."""
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


async def test_the_templates_are_listed_in_the_callers_language(cast: Cast) -> None:
    chinese = (await cast.liuyang.api.get(LIST)).json()["items"]
    assert [(t["key"], t["name"], t["task_count"]) for t in chinese] == [
        ("product_launch", "产品上市", 14), ("customer_rollout", "客户实施", 14),
        ("event_planning", "活动策划", 13), ("blank", "空白项目", 0)]
    assert chinese[0]["duration_days"] == 49
    assert chinese[-1]["duration_days"] == 0
    assert all(t["description"] for t in chinese)
    english = (await cast.alex.api.get(LIST, headers={"Accept-Language": "en-US,en"})).json()
    assert [t["name"] for t in english["items"]] == [
        "Product launch", "Customer implementation", "Event planning", "Blank project"]
    assert (await cast.liuyang.api.get(
        LIST, headers={"Accept-Language": "zh-CN,zh;q=0.9"})).json()["items"] == chinese


def test_every_template_runs_forward() -> None:
    """What a template says is a schedule that can be kept: a task starts after what it
    waits for is due, a sub-task lies within its parent, every key it names exists."""
    for template in TEMPLATES:
        if template.key == "blank":
            continue
        assert 8 <= len(template.tasks) <= 15, template.key
        by_key: dict[str, TemplateTask] = {t.key: t for t in template.tasks}
        assert len(by_key) == len(template.tasks)
        for task in template.tasks:
            assert task.days >= 1
            for earlier in task.after:
                assert by_key[earlier].last < task.start, (template.key, task.key, earlier)
            if task.parent is not None:
                parent = by_key[task.parent]
                assert parent.start <= task.start, task.key
                assert task.last <= parent.last, task.key


async def test_a_project_from_a_template_starts_with_its_tasks_on_working_days(
        cast: Cast) -> None:
    # 8 December is made a company holiday; the project is to start on Saturday the 5th.
    holiday = date(2026, 12, 8)
    response = await cast.linxiaoyan.api.put(f"/api/v1/calendar/days/{holiday.isoformat()}",
                                             json={"working": False, "note": "公司活动日"})
    assert response.status_code == 200, response.text
    project = await make_project(cast.lina, "春季新品上市", template="product_launch",
                                 start_on="2026-12-05", member_ids=[cast.zhangwei.id])
    tasks = await tasks_of(cast, project["id"])
    template = TEMPLATE_BY_KEY["product_launch"]
    assert len(tasks) == len(template.tasks) == 14
    titles = {t.key: t.title for t in template.tasks}
    # Working days from Monday the 7th, skipping weekends and the 8th (all before the
    # year's end, so no statutory holiday is among them).
    days = weekdays_from(date(2026, 12, 7), 20, holidays=frozenset({holiday}))
    assert days[:3] == [date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 10)]
    for spec in template.tasks:
        task = tasks[spec.title]
        if spec.last < len(days):
            assert (task["start_at"], task["due_at"]) == (
                days[spec.start].isoformat(), days[spec.last].isoformat()), spec.key
        for field in ("start_at", "due_at"):
            assert date.fromisoformat(task[field]).weekday() < 5, (spec.key, field)
            assert task[field] != holiday.isoformat()
        assert task["priority"] == spec.priority.value
        assert task["labels"] == list(spec.labels)
        assert (task["assignee_id"], task["category"]) == (None, "todo")
        assert sorted(task["dependencies"]) == sorted(tasks[titles[k]]["id"] for k in spec.after)
        assert task["parent_id"] == (tasks[titles[spec.parent]]["id"] if spec.parent else None)
    assert tasks["市场调研与竞品分析"]["start_at"] == "2026-12-07"
    assert tasks["确定产品定位与目标用户"]["start_at"] == "2026-12-15"  # 5 working days on
    # On the board in the template's order, and each with its step of history.
    board = (await cast.zhangwei.api.get(f"{PROJECTS}/{project['id']}/board")).json()
    assert [t["title"] for t in board["columns"][0]["tasks"]] == [
        t.title for t in template.tasks]
    assert board["project"]["progress"]["todo"] == 12  # not the two sub-tasks
    history = (await cast.lina.api.get(
        f"{TASKS}/{tasks['正式发布']['id']}/history")).json()["items"]
    assert [(e["kind"], e["actor_id"], e["data"]["template"]) for e in history] == [
        ("created", cast.lina.id, "product_launch")]
    # The chart has every task on it, the review last.
    gantt = (await cast.lina.api.get(f"{PROJECTS}/{project['id']}/gantt")).json()
    assert gantt["unscheduled"] == []
    assert gantt["tasks"][-1]["id"] == tasks["上市首月复盘"]["id"]
    # The labels its tasks carry are the project's label set, and its tasks are found by
    # the project's members (not by others).
    used = list(dict.fromkeys(label for spec in template.tasks for label in spec.labels))
    assert [label["name"] for label in project["labels"]] == used
    found = (await cast.zhangwei.api.get("/api/v1/search",
                                         params={"q": "竞品分析", "kind": "task"})).json()
    assert [hit["task"]["id"] for hit in found["items"]] == [tasks["市场调研与竞品分析"]["id"]]
    outside = (await cast.wangfang.api.get("/api/v1/search",
                                           params={"q": "竞品分析", "kind": "task"})).json()
    assert outside["items"] == []


async def test_a_template_starts_today_by_default_and_costs_a_few_statements(
        cast: Cast) -> None:
    today = (utcnow() + timedelta(hours=SHANGHAI_TODAY_HOURS)).date()
    days = (await cast.lina.api.get("/api/v1/calendar/days", params={
        "from": today.isoformat(), "to": (today + timedelta(days=20)).isoformat()})).json()
    first_working = next(d["date"] for d in days["items"] if d["working"])
    with statements(cast.runtime) as counted:
        project = await make_project(cast.lina, "华东客户实施", template="customer_rollout")
    tasks = await tasks_of(cast, project["id"])
    assert tasks["项目启动会"]["start_at"] == first_working
    assert len(tasks) == 14
    with statements(cast.runtime) as blank_counted:
        blank = await make_project(cast.lina, "空白的项目", template="blank")
    assert await tasks_of(cast, blank["id"]) == {}
    # Fourteen tasks with their dependencies and history: a row each (SQLite inserts them
    # one by one) and a few statements for all, not the several of a task made alone.
    assert len(counted) - len(blank_counted) <= len(tasks) + 10, (
        len(counted), len(blank_counted))


async def test_bad_templates_and_those_who_may_not_create_write_nothing(
        cast: Cast, unchanged: Unchanged) -> None:
    async with unchanged:
        response = await cast.lina.api.post(PROJECTS, json={"name": "试试", "template": "nope"})
        assert response.status_code == 422, response.text
        assert error_code(response) == "unknown_template"
        assert response.json()["error"]["details"]["template"] == "nope"
        for body in ({"template": ""}, {"template": 3}, {"template": "event_planning",
                                                         "start_on": "2026-02-30"}):
            response = await cast.lina.api.post(PROJECTS, json={"name": "试试", **body})
            assert response.status_code == 422, (body, response.text)
    response = await cast.linxiaoyan.api.patch("/api/v1/admin/settings",
                                               json={"create_projects": {"roles": ["admins"]}})
    assert response.status_code == 200, response.text
    async with unchanged:
        for person in (cast.lina, cast.alex):
            response = await person.api.post(PROJECTS, json={
                "name": "活动", "template": "event_planning"})
            assert response.status_code == 403, response.text
    made = await make_project(cast.linxiaoyan, "年会", template="event_planning")
    assert len(await tasks_of_admin(cast, made["id"])) == 13


async def tasks_of_admin(cast: Cast, project_id: int) -> list[dict[str, Any]]:
    response = await cast.linxiaoyan.api.get(f"{PROJECTS}/{project_id}/tasks")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
