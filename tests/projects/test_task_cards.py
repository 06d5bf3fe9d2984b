"""A task's milestones as cards in its project's channel, by 协同助手: made, given to
someone, moved, its due day moved, overdue — once each; the system account stays in the
channel as members come and go."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.helpers import Cast, Follow, Person
from tests.projects.helpers import PROJECTS, TASKS, make_project, make_task, move, status_id
from xietong.core.clock import utcnow
from xietong.projects.reminders import send_reminders


async def cards(person: Person, channel_id: int) -> list[dict[str, Any]]:
    items = (await person.api.get(f"/api/v1/channels/{channel_id}/messages")).json()["items"]
    return [m for m in items if m["card"] is not None]


async def test_a_tasks_milestones_are_cards_in_the_project_channel(
        cast: Cast, follow: Follow) -> None:
    project = await make_project(cast.lina, "新品上市", member_ids=[cast.zhangwei.id])
    await follow.held()
    task = await make_task(cast.lina, project["id"], "发布会场地", due_at="2026-12-08")
    await cast.lina.api.patch(f"{TASKS}/{task['id']}", json={"assignee_id": cast.zhangwei.id})
    await cast.zhangwei.api.patch(f"{TASKS}/{task['id']}", json={"due_at": "2026-12-10"})
    await cast.zhangwei.api.patch(f"{TASKS}/{task['id']}", json={"title": "发布会场地预订"})
    await move(cast.zhangwei, task["id"], status_id(project, "进行中"))
    await move(cast.zhangwei, task["id"], status_id(project, "进行中"))  # within the column
    async with cast.runtime.unit_of_work() as uow:
        await send_reminders(uow, date(2026, 12, 11), utcnow())
    await follow.catch_up()
    posted = await cards(cast.zhangwei, project["channel_id"])
    assert [c["card"]["event"] for c in posted] == [
        "created", "assigned", "due_changed", "moved", "overdue"]
    moved = posted[3]
    assert moved["text"] == f"【任务状态变更】T-{task['id']} 发布会场地预订：进行中"
    assert moved["card"]["facts"] == {
        "number": f"T-{task['id']}", "status": "进行中", "category": "doing",
        "assignee": "张伟", "actor": "张伟", "due_at": "2026-12-10"}
    assert moved["card"]["link"] == f"/projects/{project['id']}?task={task['id']}"
    # The system account stays in the channel when the project's members change.
    await cast.lina.api.post(f"{PROJECTS}/{project['id']}/members",
                             json={"user_ids": [cast.wangfang.id]})
    senders = {c["sender_id"] for c in posted}
    members = (await cast.lina.api.get(
        f"/api/v1/channels/{project['channel_id']}/members")).json()["items"]
    assert senders <= {m["user_id"] for m in members}
    # Caught up again: nothing twice.
    await follow.catch_up()
    assert len(await cards(cast.zhangwei, project["channel_id"])) == 5
