"""What a project's owner or an administrator does to it is in the audit log, with what
changed: made (from which template, with whom), renamed, shown to the company, archived and
brought back, people added and removed, the board's columns rewritten. Administrators read
it; others may not."""

from __future__ import annotations

from typing import Any

from tests.helpers import Cast, Person
from tests.projects.helpers import PROJECTS, make_project

AUDIT = "/api/v1/audit"


async def project_entries(reader: Person, project_id: int) -> list[dict[str, Any]]:
    """The project's audit entries, oldest first."""
    response = await reader.api.get(AUDIT, params={"target": f"project:{project_id}"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return list(reversed(items))


async def test_a_projects_life_is_audited(cast: Cast) -> None:
    project = await make_project(cast.lina, "新品上市", template="event_planning",
                                 start_on="2026-12-07", member_ids=[cast.zhangwei.id])
    project_id = project["id"]
    path = f"{PROJECTS}/{project_id}"
    changes: list[dict[str, Any]] = [{"name": "春季新品上市"}, {"visibility": "company"},
                                     {"archived": True}, {"archived": False},
                                     {"description": "只改说明"}]
    for body in changes:
        response = await cast.lina.api.patch(path, json=body)
        assert response.status_code == 200, response.text
    await cast.lina.api.post(f"{path}/members", json={"user_ids": [cast.wangfang.id]})
    await cast.lina.api.delete(f"{path}/members/{cast.zhangwei.id}")
    statuses = [{"id": s["id"], "name": s["name"], "category": s["category"]}
                for s in project["statuses"]]
    statuses[1]["name"] = "处理中"
    response = await cast.linxiaoyan.api.put(f"{path}/statuses", json={"statuses": statuses})
    assert response.status_code == 200, response.text

    entries = await project_entries(cast.linxiaoyan, project_id)
    assert [(e["action"], e["actor_id"]) for e in entries] == [
        ("project.created", cast.lina.id), *[("project.updated", cast.lina.id)] * 4,
        ("project.members_changed", cast.lina.id), ("project.members_changed", cast.lina.id),
        ("project.statuses_changed", cast.linxiaoyan.id)]
    created, renamed, shown, archived, back, added, removed, board = (
        e["details"] for e in entries)
    assert created == {"name": "新品上市", "visibility": "members",
                       "member_ids": sorted([cast.lina.id, cast.zhangwei.id]),
                       "template": "event_planning"}
    assert renamed == {"name": "春季新品上市",
                       "changed": {"name": {"from": "新品上市", "to": "春季新品上市"}}}
    assert shown["changed"] == {"visibility": {"from": "members", "to": "company"}}
    assert archived["changed"] == {"archived": {"from": False, "to": True}}
    assert back["changed"] == {"archived": {"from": True, "to": False}}
    assert (added["added"], added["removed"]) == ([cast.wangfang.id], [])
    assert (removed["added"], removed["removed"]) == ([], [cast.zhangwei.id])
    before, after = board["changed"]["statuses"]["from"], board["changed"]["statuses"]["to"]
    assert [s["name"] for s in before] == ["待处理", "进行中", "待验收", "已完成", "已取消"]
    assert [s["name"] for s in after] == ["待处理", "处理中", "待验收", "已完成", "已取消"]
    # The audit log's filters find them by action and by person too.
    response = await cast.zhoujianguo.api.get(AUDIT, params={"action": "project.",
                                                             "actor_id": cast.lina.id})
    assert len(response.json()["items"]) == 7


async def test_nothing_changed_audits_nothing_and_only_admins_read_it(cast: Cast) -> None:
    project = await make_project(cast.lina, "年会")
    path = f"{PROJECTS}/{project['id']}"
    await cast.lina.api.patch(path, json={"name": "年会"})
    await cast.lina.api.post(f"{path}/members", json={"user_ids": []})
    # A refused change is not audited either.
    response = await cast.zhangwei.api.patch(path, json={"name": "别人的年会"})
    assert response.status_code == 404
    entries = await project_entries(cast.zhoujianguo, project["id"])
    assert [e["action"] for e in entries] == ["project.created"]
    for person in (cast.lina, cast.zhangwei, cast.alex):
        response = await person.api.get(AUDIT, params={"target": f"project:{project['id']}"})
        assert response.status_code == 403, response.text
