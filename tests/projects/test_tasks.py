"""Tasks: making and changing them (every field checked, the history kept, Markdown made
safe), moving them on the board (ranks stable under concurrent moves), dependencies (a
cycle refused, a task one cannot see not found) and "my tasks" in the company's days."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from tests.api_inputs import Unchanged
from tests.helpers import Cast, Person, error_code
from tests.projects.helpers import (
    PROJECTS,
    TASKS,
    board,
    column_titles,
    make_project,
    make_task,
    move,
    set_labels,
    status_id,
)
from xietong.core.clock import utcnow


@pytest.fixture
async def project(cast: Cast) -> dict[str, Any]:
    """李娜's launch with 张伟 and 王芳 in it, and the labels its tasks carry."""
    made = await make_project(cast.lina, "新品上市",
                              member_ids=[cast.zhangwei.id, cast.wangfang.id])
    await set_labels(cast.lina, made["id"], "市场", "物料", "设计", "官网")
    return made


async def history(person: Person, task_id: int) -> list[tuple[str, dict[str, Any]]]:
    items = (await person.api.get(f"{TASKS}/{task_id}/history")).json()["items"]
    return [(e["kind"], e["data"]) for e in items]


async def test_a_task_is_made_changed_and_remembered(cast: Cast,
                                                     project: dict[str, Any]) -> None:
    task = await make_task(
        cast.lina, project["id"], "  准备发布会物料 ", assignee_id=cast.zhangwei.id,
        start_at="2026-12-07", due_at="2026-12-11", priority="high", estimate_hours=16,
        labels=["市场", "物料", "市场"],
        description="**重点**：<script>alert(1)</script>[点我](javascript:alert(1))")
    assert task["number"] == f"T-{task['id']}"
    assert (task["title"], task["assignee_id"], task["priority"]) == (
        "准备发布会物料", cast.zhangwei.id, "high")
    assert (task["start_at"], task["due_at"], task["labels"]) == (
        "2026-12-07", "2026-12-11", ["市场", "物料"])
    assert (task["status_id"], task["category"]) == (status_id(project, "待处理"), "todo")
    assert "<strong>重点</strong>" in task["description_html"]
    assert "<script" not in task["description_html"]
    assert "href=\"javascript:" not in task["description_html"]
    changed = await cast.zhangwei.api.patch(f"{TASKS}/{task['id']}", json={
        "due_at": "2026-12-14", "assignee_id": cast.wangfang.id, "labels": ["市场"],
        "title": "准备发布会物料"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["due_at"], changed.json()["assignee_id"]) == (
        "2026-12-14", cast.wangfang.id)
    # Cleared with null; only what changed is in its history.
    cleared = await cast.zhangwei.api.patch(f"{TASKS}/{task['id']}", json={"start_at": None})
    assert cleared.json()["start_at"] is None
    assert await history(cast.lina, task["id"]) == [
        ("created", {"status_id": status_id(project, "待处理")}),
        ("updated", {"changes": {"assignee_id": [cast.zhangwei.id, cast.wangfang.id],
                                 "due_at": ["2026-12-11", "2026-12-14"],
                                 "labels": [["市场", "物料"], ["市场"]]}}),
        ("updated", {"changes": {"start_at": ["2026-12-07", None]}})]
    # A sub-task sits under it.
    sub = await make_task(cast.wangfang, project["id"], "印刷海报", parent_id=task["id"])
    assert sub["parent_id"] == task["id"]


async def test_bad_tasks_are_refused_and_nothing_written(
        cast: Cast, project: dict[str, Any], unchanged: Unchanged) -> None:
    other = await make_project(cast.zhangwei, "渠道培训")
    foreign = await make_task(cast.zhangwei, other["id"], "培训材料")
    task = await make_task(cast.lina, project["id"], "发布会", start_at="2026-12-10")
    path = f"{PROJECTS}/{project['id']}/tasks"
    async with unchanged:
        for body, code in (
                ({"title": ""}, "invalid"), ({"title": "x" * 201}, "invalid"),
                ({"title": "t", "start_at": "2026-12-10", "due_at": "2026-12-09"},
                 "due_before_start"),
                ({"title": "t", "due_at": "12/09/2026"}, "invalid"),
                ({"title": "t", "priority": "p0"}, "invalid"),
                ({"title": "t", "estimate_hours": -1}, "invalid"),
                ({"title": "t", "labels": ["标签"] * 21}, "invalid"),
                ({"title": "t", "assignee_id": cast.liuyang.id}, "assignee_not_member"),
                ({"title": "t", "status_id": status_id(other, "待处理")}, "unknown_status"),
                ({"title": "t", "parent_id": foreign["id"]}, "unknown_parent")):
            response = await cast.lina.api.post(path, json=body)
            assert response.status_code == 422, (body, response.text)
            assert error_code(response) == code, (body, response.text)
        for body, code in (({"due_at": "2026-01-01", "start_at": "2026-02-01"},
                            "due_before_start"),
                           ({"title": None}, "null_setting"),
                           ({"assignee_id": cast.liuyang.id}, "assignee_not_member")):
            response = await cast.lina.api.patch(f"{TASKS}/{task['id']}", json=body)
            assert response.status_code == 422, (body, response.text)
            assert error_code(response) == code
        response = await cast.lina.api.patch(f"{TASKS}/{task['id']}",
                                             json={"due_at": "2026-12-01"})
        assert (response.status_code, error_code(response)) == (422, "due_before_start")
        # Moves to a column or beside a card elsewhere.
        response = await move(cast.lina, task["id"], status_id(other, "进行中"))
        assert error_code(response) == "unknown_status"
        response = await move(cast.lina, task["id"], status_id(project, "进行中"), foreign["id"])
        assert error_code(response) == "unknown_neighbour"
        response = await cast.lina.api.post(f"{TASKS}/{task['id']}/move",
                                            json={"status_id": "top", "after_id": None})
        assert response.status_code == 422


async def test_cards_move_where_they_are_dropped(cast: Cast, project: dict[str, Any]) -> None:
    todo, doing, done = (status_id(project, n) for n in ("待处理", "进行中", "已完成"))
    tasks = {t: await make_task(cast.lina, project["id"], t) for t in "ABCD"}
    assert await column_titles(cast.lina, project["id"], "待处理") == ["A", "B", "C", "D"]
    assert (await move(cast.lina, tasks["D"]["id"], todo)).status_code == 200  # to the top
    assert (await move(cast.lina, tasks["A"]["id"], todo, tasks["C"]["id"])).status_code == 200
    assert await column_titles(cast.lina, project["id"], "待处理") == ["D", "B", "C", "A"]
    moved = (await move(cast.zhangwei, tasks["B"]["id"], doing)).json()
    assert (moved["status_id"], moved["category"], moved["completed_at"]) == (doing, "doing",
                                                                              None)
    finished = (await move(cast.zhangwei, tasks["B"]["id"], done)).json()
    assert finished["completed_at"] is not None
    reopened = (await move(cast.zhangwei, tasks["B"]["id"], doing)).json()
    assert reopened["completed_at"] is None
    progress = (await board(cast.lina, project["id"]))["project"]["progress"]
    assert progress == {"todo": 3, "doing": 1, "done": 0, "cancelled": 0}
    # Dropped again and again at one spot, ranks lengthen, then the column is spread out.
    first = tasks["D"]["id"]
    for n in range(60):
        task = await make_task(cast.lina, project["id"], f"新 {n}")
        assert (await move(cast.lina, task["id"], todo, first)).status_code == 200
    column = next(c for c in (await board(cast.lina, project["id"]))["columns"]
                  if c["status"]["id"] == todo)["tasks"]
    ranks = [t["rank"] for t in column]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)
    assert max(len(r) for r in ranks) <= 40
    assert [t["title"] for t in column][:3] == ["D", "新 59", "新 58"]


async def test_two_people_dragging_at_once_end_with_one_order(
        cast: Cast, project: dict[str, Any]) -> None:
    todo = status_id(project, "待处理")
    for round_ in range(5):
        titles = [f"{round_}-{t}" for t in "ABCD"]
        tasks = [await make_task(cast.lina, project["id"], t) for t in titles]
        a, _b, c, d = (t["id"] for t in tasks)
        first, second = await asyncio.gather(move(cast.lina, d, todo, a),
                                             move(cast.zhangwei, c, todo, a))
        assert (first.status_code, second.status_code) == (200, 200)
        column = next(col for col in (await board(cast.lina, project["id"]))["columns"]
                      if col["status"]["id"] == todo)["tasks"]
        mine = [t for t in column if t["title"] in titles]
        order = [t["title"][-1] for t in mine]
        assert order in (["A", "D", "C", "B"], ["A", "C", "D", "B"]), order
        ranks = [t["rank"] for t in column]
        assert ranks == sorted(ranks)
        assert len(set(ranks)) == len(ranks), "no two cards share a place"


async def test_dependencies_never_make_a_loop(cast: Cast, project: dict[str, Any]) -> None:
    a, b, c = [await make_task(cast.lina, project["id"], t) for t in ("设计", "开发", "测试")]
    path = f"{TASKS}/{{}}/dependencies"
    # 测试 waits for 开发, which waits for 设计.
    response = await cast.lina.api.post(path.format(c["id"]), json={"depends_on_id": b["id"]})
    assert response.status_code == 201, response.text
    assert response.json()["dependencies"] == [b["id"]]
    await cast.lina.api.post(path.format(b["id"]), json={"depends_on_id": a["id"]})
    # Saying it again changes nothing.
    again = await cast.lina.api.post(path.format(c["id"]), json={"depends_on_id": b["id"]})
    assert again.json()["dependencies"] == [b["id"]]
    for task, on in ((a, c), (a, b), (b, c), (a, a)):
        response = await cast.lina.api.post(path.format(task["id"]),
                                            json={"depends_on_id": on["id"]})
        assert (response.status_code, error_code(response)) == (422, "dependency_cycle")
    assert (await cast.lina.api.get(f"{TASKS}/{a['id']}")).json()["dependencies"] == []
    # A task in a project the caller does not see does not exist for them.
    hidden = await make_task(cast.liuyang, (await make_project(cast.liuyang, "华东活动"))["id"],
                             "场地")
    response = await cast.lina.api.post(path.format(a["id"]),
                                        json={"depends_on_id": hidden["id"]})
    assert response.status_code == 404
    assert (await cast.lina.api.get(f"{TASKS}/{a['id']}")).json()["dependencies"] == []
    # Removing one; the history says both.
    removed = await cast.lina.api.delete(f"{TASKS}/{c['id']}/dependencies/{b['id']}")
    assert removed.json()["dependencies"] == []
    assert [k for k, _ in await history(cast.lina, c["id"])] == [
        "created", "dependency_added", "dependency_removed"]


async def test_two_people_linking_opposite_ways_at_once_make_no_loop(
        cast: Cast, project: dict[str, Any]) -> None:
    for round_ in range(5):
        a, b = [await make_task(cast.lina, project["id"], f"{round_}{t}") for t in "AB"]
        first, second = await asyncio.gather(
            cast.lina.api.post(f"{TASKS}/{a['id']}/dependencies",
                               json={"depends_on_id": b["id"]}),
            cast.zhangwei.api.post(f"{TASKS}/{b['id']}/dependencies",
                                   json={"depends_on_id": a["id"]}))
        assert sorted([first.status_code, second.status_code]) == [201, 422]


async def test_my_tasks_are_the_open_ones_due_in_the_companys_days(
        cast: Cast, project: dict[str, Any], runtime: Any) -> None:
    today = utcnow().astimezone(runtime.settings.zone).date()
    done = status_id(project, "已完成")
    dates = {"昨天到期": today - timedelta(days=1), "今天到期": today,
             "后天到期": today + timedelta(days=2), "下周到期": today + timedelta(days=7)}
    made = {title: await make_task(cast.lina, project["id"], title,
                                   assignee_id=cast.zhangwei.id, due_at=day.isoformat())
            for title, day in dates.items()}
    undated = await make_task(cast.lina, project["id"], "没有日期", assignee_id=cast.zhangwei.id)
    for text in ("写提纲", "交初稿"):
        await cast.lina.api.post(f"{TASKS}/{undated['id']}/checklist", json={"text": text})
    await cast.lina.api.post(f"{TASKS}/{undated['id']}/dependencies",
                             json={"depends_on_id": made["下周到期"]["id"]})
    await make_task(cast.lina, project["id"], "别人的", assignee_id=cast.wangfang.id,
                    due_at=today.isoformat())
    finished = await make_task(cast.lina, project["id"], "已经做完", assignee_id=cast.zhangwei.id,
                               due_at=(today - timedelta(days=3)).isoformat())
    await move(cast.lina, finished["id"], done)

    async def titles(due: str = "") -> list[str]:
        response = await cast.zhangwei.api.get(f"{TASKS}?due={due}" if due else TASKS)
        assert response.status_code == 200, response.text
        return [t["title"] for t in response.json()["items"]]

    assert await titles() == ["昨天到期", "今天到期", "后天到期", "下周到期", "没有日期"]
    # Cards, as the board shows them: the checklist's progress and what it waits for.
    card = (await cast.zhangwei.api.get(TASKS)).json()["items"][-1]
    assert (card["checklist_done"], card["checklist_total"]) == (0, 2)
    assert card["dependencies"] == [made["下周到期"]["id"]]
    assert "description" not in card
    assert await titles("overdue") == ["昨天到期"]
    assert await titles("soon") == ["今天到期", "后天到期"]
    assert (await cast.zhangwei.api.get(f"{TASKS}?due=later")).status_code == 422
    # Removed from the project, their tasks there leave their list.
    await cast.lina.api.delete(f"{PROJECTS}/{project['id']}/members/{cast.zhangwei.id}")
    assert await titles() == []


async def test_a_boards_cards_say_what_the_tasks_say(cast: Cast,
                                                     project: dict[str, Any]) -> None:
    first = await make_task(cast.lina, project["id"], "设计", start_at="2026-12-01",
                            due_at="2026-12-03", labels=["设计", "官网"],
                            assignee_id=cast.zhangwei.id, priority="urgent",
                            description="很长的说明" * 100)
    second = await make_task(cast.lina, project["id"], "开发", parent_id=first["id"])
    await cast.lina.api.post(f"{TASKS}/{second['id']}/dependencies",
                             json={"depends_on_id": first["id"]})
    await move(cast.lina, first["id"], status_id(project, "已完成"))
    cards = [c for column in (await board(cast.lina, project["id"]))["columns"]
             for c in column["tasks"]]
    assert len(cards) == 2
    for card in cards:
        full = (await cast.lina.api.get(f"{TASKS}/{card['id']}")).json()
        assert card == {key: full[key] for key in card}
        assert "description" not in card


async def test_the_list_filters_and_sorts(cast: Cast, project: dict[str, Any]) -> None:
    doing = status_id(project, "进行中")
    await make_task(cast.lina, project["id"], "官网首页", assignee_id=cast.zhangwei.id,
                    due_at="2026-12-20", priority="low", labels=["官网"])
    await make_task(cast.lina, project["id"], "官网详情页", assignee_id=cast.wangfang.id,
                    due_at="2026-12-10", priority="urgent", labels=["官网", "设计"],
                    status_id=doing)
    await make_task(cast.lina, project["id"], "发布会 50% 预算", priority="high")
    path = f"{PROJECTS}/{project['id']}/tasks"

    async def titles(**params: Any) -> list[str]:
        response = await cast.wangfang.api.get(path, params=params)
        assert response.status_code == 200, response.text
        return [t["title"] for t in response.json()["items"]]

    assert await titles() == ["官网首页", "发布会 50% 预算", "官网详情页"]  # board order
    assert await titles(sort="due") == ["官网详情页", "官网首页", "发布会 50% 预算"]
    assert await titles(sort="priority") == ["官网详情页", "发布会 50% 预算", "官网首页"]
    assert await titles(sort="newest") == ["发布会 50% 预算", "官网详情页", "官网首页"]
    assert await titles(assignee_id=cast.zhangwei.id) == ["官网首页"]
    assert await titles(status_id=doing) == ["官网详情页"]
    assert await titles(label="设计") == ["官网详情页"]
    assert await titles(q="官网", sort="due") == ["官网详情页", "官网首页"]
    assert await titles(q="50%") == ["发布会 50% 预算"]  # a LIKE wildcard is a character
    assert await titles(q="%") == ["发布会 50% 预算"]
    for bad in ({"sort": "random"}, {"assignee_id": "me"}, {"label": ""}, {"q": "x" * 101}):
        assert (await cast.wangfang.api.get(path, params=bad)).status_code == 422, bad
    assert (await cast.liuyang.api.get(path)).status_code == 404


async def test_the_list_narrows_to_priorities_and_due_days(
        cast: Cast, project: dict[str, Any], runtime: Any) -> None:
    """The list, calendar and other views ask for a priority, the open tasks overdue or due
    soon (as "my tasks" counts them), or a window of due days; and in number or last-changed
    order."""
    today = utcnow().astimezone(runtime.settings.zone).date()
    done = status_id(project, "已完成")
    made = {}
    for title, days, priority in (("昨天到期", -1, "urgent"), ("今天到期", 0, "normal"),
                                  ("后天到期", 2, "high"), ("下周到期", 7, "normal"),
                                  ("早已做完", -3, "urgent")):
        made[title] = await make_task(cast.lina, project["id"], title, priority=priority,
                                      due_at=(today + timedelta(days=days)).isoformat())
    made["没有日期"] = await make_task(cast.lina, project["id"], "没有日期", priority="urgent")
    await move(cast.lina, made["早已做完"]["id"], done)
    # Changed last: first in last-changed order.
    await cast.lina.api.patch(f"{TASKS}/{made['今天到期']['id']}", json={"priority": "low"})
    path = f"{PROJECTS}/{project['id']}/tasks"

    async def titles(**params: Any) -> list[str]:
        response = await cast.wangfang.api.get(path, params=params)
        assert response.status_code == 200, response.text
        return [t["title"] for t in response.json()["items"]]

    assert await titles(priority="urgent", sort="number") == ["昨天到期", "早已做完", "没有日期"]
    assert await titles(due="overdue") == ["昨天到期"]  # the finished one is not overdue
    assert await titles(due="soon", sort="due") == ["今天到期", "后天到期"]
    # A month of the calendar: both days included, finished tasks too, undated ones not.
    window = {"due_from": (today - timedelta(days=3)).isoformat(),
              "due_to": (today + timedelta(days=2)).isoformat(), "sort": "due"}
    assert await titles(**window) == ["早已做完", "昨天到期", "今天到期", "后天到期"]
    assert await titles(**window, due="overdue") == ["昨天到期"]
    assert await titles(due_from=today.isoformat(), due_to=today.isoformat()) == ["今天到期"]
    assert await titles(due_from=today.isoformat(),
                        due_to=(today - timedelta(days=1)).isoformat()) == []
    assert (await titles(sort="number")) == list(made)
    assert (await titles(sort="updated"))[0] == "今天到期"
    for bad in ({"priority": "asap"}, {"due": "later"}, {"due_from": "2026-13-01"},
                {"due_to": "tomorrow"}, {"sort": "updated_at"}):
        assert (await cast.wangfang.api.get(path, params=bad)).status_code == 422, bad
    assert (await cast.liuyang.api.get(path, params={"due": "overdue"})).status_code == 404
