"""The Gantt chart's data and its critical path; a task made of a chat message."""

from __future__ import annotations

from datetime import date

from tests.helpers import Cast, create_channel, error_code, post
from tests.projects.helpers import PROJECTS, TASKS, make_project, make_task
from xietong.projects.schedule import Span, critical_path


def test_the_critical_path_is_the_chain_without_slack() -> None:
    day = date(2026, 12, 1).replace
    # 设计 (1–3) → 开发 (4–10) → 上线 (11–12); 设计 → 文案 (4–5) → 上线; 培训 (1–2) alone.
    spans = [Span(1, day(day=1), day(day=3)), Span(2, day(day=4), day(day=10)),
             Span(3, day(day=4), day(day=5)), Span(4, day(day=11), day(day=12)),
             Span(5, day(day=1), day(day=2))]
    waits = {2: [1], 3: [1], 4: [2, 3]}
    assert critical_path(spans, waits) == [1, 2, 4]
    # 开发 planned to start late: still on the path, what it waits for no longer is.
    late = [*spans[:1], Span(2, day(day=6), day(day=10)), *spans[2:]]
    assert critical_path(late, waits) == [2, 4]
    # A dependency on a task not on the chart does not bind; nothing at all: no path.
    assert critical_path([Span(9, day(day=1), day(day=1))], {9: [99]}) == [9]
    assert critical_path([], {}) == []


async def test_the_gantt_answer_has_what_a_chart_needs(cast: Cast) -> None:
    project = await make_project(cast.lina, "新品上市")
    design = await make_task(cast.lina, project["id"], "设计", start_at="2026-12-01",
                             due_at="2026-12-03")
    build = await make_task(cast.lina, project["id"], "开发", start_at="2026-12-04",
                            due_at="2026-12-10")
    copy = await make_task(cast.lina, project["id"], "文案", due_at="2026-12-05")
    launch = await make_task(cast.lina, project["id"], "上线", start_at="2026-12-11",
                             due_at="2026-12-12")
    idea = await make_task(cast.lina, project["id"], "以后再说")
    for task, on in ((build, design), (copy, design), (launch, build), (launch, copy)):
        response = await cast.lina.api.post(f"{TASKS}/{task['id']}/dependencies",
                                            json={"depends_on_id": on["id"]})
        assert response.status_code == 201, response.text
    gantt = (await cast.lina.api.get(f"{PROJECTS}/{project['id']}/gantt")).json()
    assert [(t["title"], t["start"], t["end"]) for t in gantt["tasks"]] == [
        ("设计", "2026-12-01", "2026-12-03"), ("开发", "2026-12-04", "2026-12-10"),
        ("文案", "2026-12-05", "2026-12-05"), ("上线", "2026-12-11", "2026-12-12")]
    assert gantt["tasks"][3]["dependencies"] == sorted([build["id"], copy["id"]])
    assert gantt["unscheduled"] == [idea["id"]]
    assert gantt["critical_path"] == [design["id"], build["id"], launch["id"]]
    assert (await cast.wangfang.api.get(f"{PROJECTS}/{project['id']}/gantt")).status_code \
        == 404


async def test_a_message_becomes_a_task_for_whoever_may_read_it(cast: Cast) -> None:
    project = await make_project(cast.lina, "新品上市", member_ids=[cast.zhangwei.id])
    channel_id = await create_channel(cast.zhangwei, "销售周会", "private", cast.liuyang)
    said = await post(cast.zhangwei, channel_id,
                      "客户要求下周三前提供报价单\n附：型号清单见邮件")
    response = await cast.zhangwei.api.post(f"/api/v1/messages/{said['id']}/task", json={
        "project_id": project["id"], "assignee_id": cast.lina.id, "due_at": "2026-12-09"})
    assert response.status_code == 201, response.text
    task = response.json()
    assert (task["title"], task["source_message_id"], task["assignee_id"]) == (
        "客户要求下周三前提供报价单", said["id"], cast.lina.id)
    assert task["description"] == "客户要求下周三前提供报价单\n附：型号清单见邮件"
    # A message the caller cannot read, a project they are not in, a deleted message.
    response = await cast.lina.api.post(f"/api/v1/messages/{said['id']}/task",
                                        json={"project_id": project["id"]})
    assert response.status_code == 404
    response = await cast.liuyang.api.post(f"/api/v1/messages/{said['id']}/task",
                                           json={"project_id": project["id"]})
    assert response.status_code == 404
    await cast.zhangwei.api.delete(f"/api/v1/messages/{said['id']}")
    response = await cast.zhangwei.api.post(f"/api/v1/messages/{said['id']}/task",
                                            json={"project_id": project["id"]})
    assert response.status_code == 404
    assert error_code(response) == "not_found"
