"""Projects: who makes one and who is in it (people and whole departments), its channel,
its default board, who sees it (members, the company when it says so, administrators; a
guest only what they were added to) and who changes it — every refusal writing nothing."""

from __future__ import annotations

from tests.api_inputs import Unchanged
from tests.helpers import Cast, error_code, statements
from tests.projects.helpers import PROJECTS, TASKS, board, make_project, make_task


async def test_a_project_gathers_people_and_departments_with_a_channel(cast: Cast) -> None:
    made = await make_project(cast.lina, "新品上市", description="Q3 的发布",
                              member_ids=[cast.wangfang.id],
                              department_ids=[cast.departments["销售部"]])
    # 销售部 brings 张伟 and, from 华东区 below it, 刘洋.
    assert set(made["member_ids"]) == {cast.lina.id, cast.wangfang.id, cast.zhangwei.id,
                                       cast.liuyang.id}
    assert (made["owner_id"], made["my_role"], made["can"]) == (cast.lina.id, "owner",
                                                                ["work", "manage"])
    assert [(s["name"], s["category"]) for s in made["statuses"]] == [
        ("待处理", "todo"), ("进行中", "doing"), ("待验收", "doing"), ("已完成", "done"),
        ("已取消", "cancelled")]
    assert made["progress"] == {"todo": 0, "doing": 0, "done": 0, "cancelled": 0}
    channel = (await cast.liuyang.api.get(f"/api/v1/channels/{made['channel_id']}")).json()
    assert channel["name"] == "新品上市"
    members = (await cast.lina.api.get(
        f"/api/v1/channels/{made['channel_id']}/members")).json()["items"]
    assert {m["user_id"] for m in members} == set(made["member_ids"])
    # Adding people joins them to the channel; removing takes them out of both.
    path = f"{PROJECTS}/{made['id']}/members"
    added = await cast.lina.api.post(path, json={"department_ids": [cast.departments["总经办"]]})
    assert added.status_code == 200, added.text
    assert cast.linxiaoyan.id in added.json()["member_ids"]
    assert (await cast.lina.api.delete(f"{path}/{cast.liuyang.id}")).status_code == 204
    members = (await cast.lina.api.get(
        f"/api/v1/channels/{made['channel_id']}/members")).json()["items"]
    assert {m["user_id"] for m in members} == {cast.lina.id, cast.wangfang.id,
                                               cast.zhangwei.id, cast.linxiaoyan.id}
    assert (await cast.liuyang.api.get(f"{PROJECTS}/{made['id']}")).status_code == 404
    # The owner stays; someone else is not removed by a member.
    response = await cast.lina.api.delete(f"{path}/{cast.lina.id}")
    assert (response.status_code, error_code(response)) == (409, "owner_stays")
    response = await cast.zhangwei.api.delete(f"{path}/{cast.wangfang.id}")
    assert response.status_code == 403
    # ... but anyone may leave.
    assert (await cast.zhangwei.api.delete(f"{path}/{cast.zhangwei.id}")).status_code == 204


async def test_who_sees_a_project_and_who_works_in_it(cast: Cast) -> None:
    private = await make_project(cast.lina, "内部重构")
    public = await make_project(cast.lina, "官网改版", visibility="company",
                                member_ids=[cast.alex.id])
    hidden_task = await make_task(cast.lina, private["id"], "拆分服务")
    open_task = await make_task(cast.lina, public["id"], "首页设计")
    # Not a member of the private one: it does not exist for them.
    for person in (cast.wangfang, cast.alex):
        assert (await person.api.get(f"{PROJECTS}/{private['id']}")).status_code == 404
        assert (await person.api.get(f"{PROJECTS}/{private['id']}/board")).status_code == 404
        assert (await person.api.get(f"{TASKS}/{hidden_task['id']}")).status_code == 404
        response = await person.api.post(f"{PROJECTS}/{private['id']}/tasks",
                                         json={"title": "我也来"})
        assert response.status_code == 404
    # A company-visible one is read by everyone in the company, worked on by its members.
    seen = (await cast.wangfang.api.get(f"{PROJECTS}/{public['id']}")).json()
    assert (seen["my_role"], seen["can"]) == (None, [])
    assert (await board(cast.wangfang, public["id"]))["columns"][0]["tasks"][0]["id"] == \
        open_task["id"]
    response = await cast.wangfang.api.post(f"{PROJECTS}/{public['id']}/tasks",
                                            json={"title": "我也来"})
    assert (response.status_code, error_code(response)) == (403, "not_a_project_member")
    response = await cast.wangfang.api.patch(f"{TASKS}/{open_task['id']}",
                                             json={"title": "改个名"})
    assert response.status_code == 403
    # A guest sees the company-visible project only because they were added to it.
    listed = {p["name"] for p in (await cast.alex.api.get(PROJECTS)).json()["items"]}
    assert listed == {"官网改版"}
    listed = {p["name"] for p in (await cast.wangfang.api.get(PROJECTS)).json()["items"]}
    assert listed == {"官网改版"}
    # Administrators see and manage every project, and work only where they are members.
    admin = (await cast.linxiaoyan.api.get(f"{PROJECTS}/{private['id']}")).json()
    assert admin["can"] == ["manage"]
    response = await cast.linxiaoyan.api.patch(f"{PROJECTS}/{private['id']}",
                                               json={"visibility": "company"})
    assert response.json()["visibility"] == "company"
    # A member does not manage it.
    response = await cast.alex.api.patch(f"{PROJECTS}/{public['id']}", json={"name": "改名"})
    assert response.status_code == 403


async def test_an_archived_project_is_read_only(cast: Cast) -> None:
    made = await make_project(cast.lina, "年会筹备")
    task = await make_task(cast.lina, made["id"], "订场地")
    archived = await cast.lina.api.patch(f"{PROJECTS}/{made['id']}", json={"archived": True})
    assert archived.json()["archived"] is True
    assert archived.json()["can"] == ["manage"]
    response = await cast.lina.api.patch(f"{TASKS}/{task['id']}", json={"title": "订酒店"})
    assert (response.status_code, error_code(response)) == (403, "not_a_project_member")
    listed = (await cast.lina.api.get(PROJECTS)).json()["items"]
    assert [p["archived"] for p in listed] == [True]


async def test_bad_projects_are_refused_and_nothing_written(cast: Cast,
                                                            unchanged: Unchanged) -> None:
    async with unchanged:
        for body, code in (({"name": ""}, "invalid"), ({"name": "x" * 81}, "invalid"),
                           ({"name": "项目", "visibility": "everyone"}, "invalid"),
                           ({"name": "项目", "member_ids": [999_999]}, "unknown_person"),
                           ({"name": "项目", "department_ids": [999_999]},
                            "unknown_department"),
                           ({"name": "项目", "extra": 1}, "invalid")):
            response = await cast.lina.api.post(PROJECTS, json=body)
            assert response.status_code == 422, body
            assert error_code(response) == code, (body, response.text)
    made = await make_project(cast.lina)
    response = await cast.lina.api.patch(f"{PROJECTS}/{made['id']}", json={"name": None})
    assert (response.status_code, error_code(response)) == (422, "null_setting")


async def test_the_owner_shapes_the_board(cast: Cast, unchanged: Unchanged) -> None:
    made = await make_project(cast.lina, "官网改版", member_ids=[cast.zhangwei.id])
    ids = {s["name"]: s["id"] for s in made["statuses"]}
    task = await make_task(cast.lina, made["id"], "首页", status_id=ids["进行中"])
    path = f"{PROJECTS}/{made['id']}/statuses"
    board_spec = [
        {"id": ids["待处理"], "name": "需求池", "category": "todo"},
        {"name": "设计中", "category": "doing", "wip_limit": 3},
        {"id": ids["进行中"], "name": "开发中", "category": "doing", "wip_limit": 1},
        {"id": ids["已完成"], "name": "已上线", "category": "done"}]
    response = await cast.lina.api.put(path, json={"statuses": board_spec})
    assert response.status_code == 200, response.text
    assert [(s["name"], s["category"], s["wip_limit"]) for s in response.json()["statuses"]] \
        == [("需求池", "todo", None), ("设计中", "doing", 3), ("开发中", "doing", 1),
            ("已上线", "done", None)]
    # The task stayed in its renamed column; a second card there goes over its limit.
    await make_task(cast.lina, made["id"], "详情页", status_id=ids["进行中"])
    columns = {c["status"]["name"]: c for c in (await board(cast.lina, made["id"]))["columns"]}
    assert columns["开发中"]["tasks"][0]["id"] == task["id"]
    assert columns["开发中"]["over_limit"] is True
    assert columns["需求池"]["over_limit"] is False
    async with unchanged:
        for bad, status, code in (
                ([s for s in board_spec if s.get("id") != ids["进行中"]], 409,
                 "status_in_use"),
                ([s for s in board_spec if s["category"] != "done"], 422,
                 "statuses_incomplete"),
                ([*board_spec, {"name": "需求池", "category": "todo"}], 422,
                 "status_name_taken"),
                ([*board_spec, {"id": 999_999, "name": "别的", "category": "doing"}], 422,
                 "unknown_status"),
                ([{"name": f"列{n}", "category": "todo"} for n in range(13)], 422, "invalid")):
            response = await cast.lina.api.put(path, json={"statuses": bad})
            assert (response.status_code, error_code(response)) == (status, code), bad
        assert (await cast.zhangwei.api.put(path, json={"statuses": board_spec})
                ).status_code == 403


async def test_the_list_costs_the_same_few_statements_for_many_projects(cast: Cast) -> None:
    async def count() -> int:
        with statements(cast.runtime) as seen:
            response = await cast.wangfang.api.get(PROJECTS)
        assert response.status_code == 200
        return len(seen)

    await make_project(cast.lina, "一", visibility="company", member_ids=[cast.wangfang.id])
    await count()  # the token's first use is checked against the database once
    few = await count()
    for n in range(6):
        await make_project(cast.lina, f"项目{n}", visibility="company")
    many = await count()
    assert many == few, "one more project must not cost more statements"
    listed = (await cast.wangfang.api.get(PROJECTS)).json()["items"]
    assert len(listed) == 7
    assert [p["my_role"] for p in listed if p["name"] == "一"] == ["member"]
    assert {p["can"] == [] for p in listed if p["name"] != "一"} == {True}
