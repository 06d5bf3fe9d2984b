"""The department tree and its memberships, as administrators, managers, members and guests
meet them over HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.helpers import Cast, error_code
from xietong.app import create_app
from xietong.org.models import Department, DepartmentMember
from xietong.runtime import Runtime

DEPARTMENTS = "/api/v1/departments"


async def department_count(runtime: Runtime) -> int:
    async with runtime.reader() as uow:
        return await uow.session.scalar(select(func.count()).select_from(Department)) or 0


async def membership_rows(runtime: Runtime) -> set[tuple[int, int, bool]]:
    async with runtime.reader() as uow:
        rows = await uow.session.execute(select(DepartmentMember.department_id,
                                                DepartmentMember.user_id,
                                                DepartmentMember.is_primary))
        return {(d, u, p) for d, u, p in rows}


async def tree(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await api.get(DEPARTMENTS)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def node(items: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The node called `name` anywhere in the tree (names are unique in these tests)."""
    for item in items:
        if item["name"] == name:
            return item
        try:
            return node(item["children"], name)
        except LookupError:
            continue
    raise LookupError(name)


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


async def create(api: httpx.AsyncClient, name: str, parent_id: int | None = None,
                 **extra: Any) -> dict[str, Any]:
    response = await api.post(DEPARTMENTS, json={"name": name, "parent_id": parent_id, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# --- creating ----------------------------------------------------------------------------------

async def test_admin_creates_a_root_and_a_child(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    root = await create(admin, "市场部")
    assert root["parent_id"] is None
    assert root["path"] == ["市场部"]
    assert root["manager_ids"] == []
    assert root["member_count"] == 0

    child = await create(admin, "品牌组", root["id"], manager_ids=[cast.wangfang.id])
    assert child["parent_id"] == root["id"]
    assert child["path"] == ["市场部", "品牌组"]
    assert child["manager_ids"] == [cast.wangfang.id]

    fetched = await cast.zhangwei.api.get(f"{DEPARTMENTS}/{child['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == child
    market = node(await tree(cast.zhangwei.api), "市场部")
    assert names(market["children"]) == ["品牌组"]
    assert market["children"][0]["manager_ids"] == [cast.wangfang.id]


async def test_the_owner_creates_departments_too(cast: Cast) -> None:
    await create(cast.zhoujianguo.api, "法务部")
    assert "法务部" in names(await tree(cast.lina.api))


async def test_people_who_are_not_administrators_cannot_create(cast: Cast,
                                                               runtime: Runtime) -> None:
    before = await department_count(runtime)
    for person in (cast.zhangwei, cast.liuyang, cast.alex):  # manager, member, guest
        for body in ({"name": "影子部门"},
                     {"name": "影子小组", "parent_id": cast.departments["销售部"]}):
            response = await person.api.post(DEPARTMENTS, json=body)
            assert response.status_code == 403, (person.username, response.text)
            assert error_code(response) == "forbidden"
    assert await department_count(runtime) == before
    assert "影子部门" not in names(await tree(cast.linxiaoyan.api))


async def test_anonymous_callers_are_asked_to_sign_in(cast: Cast, runtime: Runtime) -> None:
    before = await department_count(runtime)
    # `cast.client` carries the cookie of the last sign-in; this one has never signed in.
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as nobody:
        response = await nobody.post(DEPARTMENTS, json={"name": "匿名部"})
        assert response.status_code == 401
        assert error_code(response) == "unauthorized"
        assert (await nobody.get(DEPARTMENTS)).status_code == 401
    assert await department_count(runtime) == before


async def test_a_parent_or_manager_that_does_not_exist_is_refused(cast: Cast,
                                                                  runtime: Runtime) -> None:
    before = await department_count(runtime)
    admin = cast.linxiaoyan.api
    response = await admin.post(DEPARTMENTS, json={"name": "孤儿组", "parent_id": 999_999})
    assert response.status_code == 422
    response = await admin.post(DEPARTMENTS, json={"name": "无人组", "manager_ids": [999_999]})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"manager_ids": [999_999]}
    assert await department_count(runtime) == before


# --- the tree ----------------------------------------------------------------------------------

async def test_the_tree_nests_children_with_managers_and_member_counts(cast: Cast) -> None:
    items = await tree(cast.liuyang.api)
    assert names(items) == ["总经办", "销售部", "研发部", "客服部"]
    assert all(item["parent_id"] is None for item in items)

    sales = node(items, "销售部")
    assert sales["id"] == cast.departments["销售部"]
    assert sales["manager_ids"] == [cast.zhangwei.id]
    assert sales["member_count"] == 1  # 张伟; 刘洋 is counted in 华东区, not twice
    assert names(sales["children"]) == ["华东区"]
    east = sales["children"][0]
    assert east["parent_id"] == sales["id"]
    assert east["manager_ids"] == []
    assert east["member_count"] == 1
    assert east["children"] == []

    assert node(items, "研发部")["manager_ids"] == [cast.lina.id]
    assert node(items, "客服部")["manager_ids"] == [cast.wangfang.id]
    assert node(items, "总经办")["member_count"] == 1  # 林晓燕; the owner is in no department
    # What a picker's filter matches: 研发, yanfa or yf all find 研发部; 华东区 below 销售部 too.
    assert node(items, "研发部")["search_text"] == "研发部 yanfabu yfb"
    assert "huadongqu" in east["search_text"]


async def test_a_department_counts_its_own_people_and_everyone_below_once(cast: Cast) -> None:
    """`@销售部` reaches 华东区 too: the tree says how many that is (each person once, the
    deactivated not at all), beside the department's own members."""
    admin = cast.zhoujianguo.api
    sales_id = cast.departments["销售部"]
    sub = await admin.post(DEPARTMENTS,
                           json={"name": "华东区上海组", "parent_id": cast.departments["华东区"]})
    assert sub.status_code == 201, sub.text
    # 刘洋 in 华东区 and in its sub-team; 王芳 (客服部) also in the sub-team.
    added = await admin.put(f"{DEPARTMENTS}/{sub.json()['id']}/members",
                            json={"user_ids": [cast.liuyang.id, cast.wangfang.id]})
    assert added.status_code == 200, added.text
    items = await tree(cast.liuyang.api)
    sales = node(items, "销售部")
    assert (sales["member_count"], sales["total_member_count"]) == (1, 3)  # 张伟 刘洋 王芳
    east = sales["children"][0]
    assert (east["member_count"], east["total_member_count"]) == (1, 2)  # 刘洋 once
    team = east["children"][0]
    assert (team["member_count"], team["total_member_count"]) == (2, 2)
    one = (await admin.get(f"{DEPARTMENTS}/{sales_id}")).json()
    assert (one["member_count"], one["total_member_count"]) == (1, 3)

    deactivated = await admin.patch(f"/api/v1/users/{cast.wangfang.id}", json={"active": False})
    assert deactivated.status_code == 200, deactivated.text
    sales = node(await tree(cast.liuyang.api), "销售部")
    assert (sales["member_count"], sales["total_member_count"]) == (1, 2)
    assert node(await tree(cast.liuyang.api), "客服部")["total_member_count"] == 0


async def test_siblings_are_listed_in_their_arranged_order(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    parent = cast.departments["研发部"]
    first = await create(admin, "甲组", parent)
    second = await create(admin, "乙组", parent)
    third = await create(admin, "丙组", parent)
    assert first["position"] < second["position"] < third["position"]
    assert names(node(await tree(admin), "研发部")["children"]) == ["甲组", "乙组", "丙组"]

    response = await admin.patch(f"{DEPARTMENTS}/{third['id']}", json={"position": 0})
    assert response.status_code == 200, response.text
    assert names(node(await tree(admin), "研发部")["children"]) == ["丙组", "甲组", "乙组"]

    # An explicit position at creation is honoured as well.
    await create(admin, "零组", parent, position=first["position"])
    arranged = names(node(await tree(admin), "研发部")["children"])
    assert arranged.index("丙组") < arranged.index("零组") < arranged.index("乙组")


async def test_one_department_with_its_breadcrumb_path(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    shanghai = await create(admin, "上海组", cast.departments["华东区"])
    response = await cast.liuyang.api.get(f"{DEPARTMENTS}/{shanghai['id']}")
    assert response.status_code == 200
    assert response.json()["path"] == ["销售部", "华东区", "上海组"]
    missing = await admin.get(f"{DEPARTMENTS}/999999")
    assert missing.status_code == 404
    assert error_code(missing) == "not_found"


async def test_guests_cannot_see_the_organisation(cast: Cast) -> None:
    response = await cast.alex.api.get(DEPARTMENTS)
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    for department_id in (cast.departments["销售部"], 999_999):
        for path in (f"{DEPARTMENTS}/{department_id}", f"{DEPARTMENTS}/{department_id}/members"):
            response = await cast.alex.api.get(path)
            assert response.status_code == 403, path
            assert error_code(response) == "forbidden"


# --- names -------------------------------------------------------------------------------------

async def test_sibling_names_are_unique_but_cousins_may_share_one(cast: Cast,
                                                                  runtime: Runtime) -> None:
    admin = cast.linxiaoyan.api
    before = await department_count(runtime)
    for name, parent in (("销售部", None), ("华东区", cast.departments["销售部"]),
                         (" 销售部 ", None)):
        response = await admin.post(DEPARTMENTS, json={"name": name, "parent_id": parent})
        assert response.status_code == 409, (name, response.text)
        assert error_code(response) == "name_taken"
    assert await department_count(runtime) == before

    # The same name under another parent, or at the top level, is a different department.
    under_rd = await create(admin, "华东区", cast.departments["研发部"])
    at_top = await create(admin, "华东区")
    assert len({under_rd["id"], at_top["id"], cast.departments["华东区"]}) == 3
    items = await tree(admin)
    assert names(node(items, "研发部")["children"]) == ["华东区"]
    assert names(items).count("华东区") == 1


async def test_rename(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    sales = cast.departments["销售部"]
    response = await admin.patch(f"{DEPARTMENTS}/{sales}", json={"name": "销售中心"})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "销售中心"
    items = await tree(admin)
    assert "销售中心" in names(items)
    assert "销售部" not in names(items)
    east = await admin.get(f"{DEPARTMENTS}/{cast.departments['华东区']}")
    assert east.json()["path"] == ["销售中心", "华东区"]

    # Renaming onto a sibling's name is refused and changes nothing.
    response = await admin.patch(f"{DEPARTMENTS}/{sales}", json={"name": "研发部"})
    assert response.status_code == 409
    assert error_code(response) == "name_taken"
    assert names(await tree(admin)) == names(items)

    # Only administrators rename.
    response = await cast.zhangwei.api.patch(f"{DEPARTMENTS}/{sales}", json={"name": "张伟的部门"})
    assert response.status_code == 403
    assert "销售中心" in names(await tree(admin))


async def test_move_under_another_parent(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    east = cast.departments["华东区"]
    response = await admin.patch(f"{DEPARTMENTS}/{east}",
                                 json={"parent_id": cast.departments["研发部"]})
    assert response.status_code == 200, response.text
    assert response.json()["path"] == ["研发部", "华东区"]
    items = await tree(admin)
    assert node(items, "销售部")["children"] == []
    assert names(node(items, "研发部")["children"]) == ["华东区"]
    # 刘洋 moved with 华东区: he is no longer found under 销售部.
    sales_people = await admin.get("/api/v1/users",
                                   params={"department_id": cast.departments["销售部"]})
    assert [u["username"] for u in sales_people.json()["items"]] == ["zhangwei"]

    # Moving next to a sibling of the same name is refused.
    await create(admin, "华南区", cast.departments["销售部"])
    south_rd = await create(admin, "华南区", cast.departments["研发部"])
    response = await admin.patch(f"{DEPARTMENTS}/{south_rd['id']}",
                                 json={"parent_id": cast.departments["销售部"]})
    assert response.status_code == 409
    assert error_code(response) == "name_taken"
    assert names(node(await tree(admin), "研发部")["children"]) == ["华东区", "华南区"]


async def test_a_department_cannot_move_under_itself_or_its_descendants(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    shanghai = await create(admin, "上海组", cast.departments["华东区"])
    before = await tree(admin)
    sales = cast.departments["销售部"]
    for new_parent in (sales, cast.departments["华东区"], shanghai["id"]):
        response = await admin.patch(f"{DEPARTMENTS}/{sales}", json={"parent_id": new_parent})
        assert response.status_code == 422, (new_parent, response.text)
        assert error_code(response) == "department_cycle"
    response = await admin.patch(f"{DEPARTMENTS}/{cast.departments['华东区']}",
                                 json={"parent_id": shanghai["id"], "name": "改名也不行"})
    assert response.status_code == 422
    assert error_code(response) == "department_cycle"
    assert await tree(admin) == before


async def test_move_to_the_top_level(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    east = cast.departments["华东区"]
    response = await admin.patch(f"{DEPARTMENTS}/{east}", json={"parent_id": None})
    assert response.status_code == 200, response.text
    assert response.json()["parent_id"] is None
    assert response.json()["path"] == ["华东区"]
    items = await tree(admin)
    assert "华东区" in names(items)
    assert node(items, "华东区")["parent_id"] is None
    assert node(items, "销售部")["children"] == []

    # Leaving parent_id out is not the same as null: the department stays where it is.
    response = await admin.patch(f"{DEPARTMENTS}/{east}",
                                 json={"parent_id": cast.departments["销售部"]})
    assert response.status_code == 200
    response = await admin.patch(f"{DEPARTMENTS}/{east}", json={"name": "华东大区"})
    assert response.status_code == 200
    assert response.json()["parent_id"] == cast.departments["销售部"]


async def test_change_managers(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    east = cast.departments["华东区"]
    response = await admin.patch(f"{DEPARTMENTS}/{east}",
                                 json={"manager_ids": [cast.liuyang.id, cast.zhangwei.id]})
    assert response.status_code == 200, response.text
    assert sorted(response.json()["manager_ids"]) == sorted([cast.liuyang.id, cast.zhangwei.id])
    assert sorted(node(await tree(admin), "华东区")["manager_ids"]) == sorted(
        [cast.liuyang.id, cast.zhangwei.id])
    response = await admin.patch(f"{DEPARTMENTS}/{east}", json={"manager_ids": [888_888]})
    assert response.status_code == 422
    assert sorted(node(await tree(admin), "华东区")["manager_ids"]) == sorted(
        [cast.liuyang.id, cast.zhangwei.id])


# --- deleting ----------------------------------------------------------------------------------

async def test_a_department_with_people_or_sub_departments_is_not_deleted(
        cast: Cast, runtime: Runtime) -> None:
    admin = cast.linxiaoyan.api
    empty_parent = await create(admin, "空壳部")
    await create(admin, "空壳组", empty_parent["id"])
    before = await department_count(runtime)
    # 销售部: people and a child; 华东区: people only; 空壳部: a child only.
    for department_id in (cast.departments["销售部"], cast.departments["华东区"],
                          empty_parent["id"]):
        response = await admin.delete(f"{DEPARTMENTS}/{department_id}")
        assert response.status_code == 409, response.text
        assert error_code(response) == "department_not_empty"
    assert await department_count(runtime) == before
    assert (await admin.get(f"{DEPARTMENTS}/{cast.departments['华东区']}")).status_code == 200


async def test_an_empty_department_is_deleted(cast: Cast, runtime: Runtime) -> None:
    admin = cast.linxiaoyan.api
    doomed = await create(admin, "临时项目组", cast.departments["研发部"],
                          manager_ids=[cast.lina.id])
    # A manager, and even an ordinary member, may not delete it.
    for person in (cast.lina, cast.liuyang):
        response = await person.api.delete(f"{DEPARTMENTS}/{doomed['id']}")
        assert response.status_code == 403
    before = await department_count(runtime)
    response = await admin.delete(f"{DEPARTMENTS}/{doomed['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert await department_count(runtime) == before - 1
    assert (await admin.get(f"{DEPARTMENTS}/{doomed['id']}")).status_code == 404
    assert node(await tree(admin), "研发部")["children"] == []
    again = await admin.delete(f"{DEPARTMENTS}/{doomed['id']}")
    assert again.status_code == 404


# --- members -----------------------------------------------------------------------------------

async def members(api: httpx.AsyncClient, department_id: int) -> list[int]:
    response = await api.get(f"{DEPARTMENTS}/{department_id}/members")
    assert response.status_code == 200, response.text
    assert response.json()["department_id"] == department_id
    user_ids: list[int] = response.json()["user_ids"]
    return user_ids


async def put_members(api: httpx.AsyncClient, department_id: int,
                      user_ids: list[int]) -> httpx.Response:
    return await api.put(f"{DEPARTMENTS}/{department_id}/members", json={"user_ids": user_ids})


async def user(api: httpx.AsyncClient, user_id: int) -> dict[str, Any]:
    response = await api.get(f"/api/v1/users/{user_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_admin_sets_the_members_of_a_department(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    rd = cast.departments["研发部"]
    response = await put_members(admin, rd, [cast.zhangwei.id, cast.lina.id, cast.lina.id])
    assert response.status_code == 200, response.text
    assert response.json() == {"department_id": rd,
                               "user_ids": sorted([cast.lina.id, cast.zhangwei.id])}
    assert await members(cast.liuyang.api, rd) == sorted([cast.lina.id, cast.zhangwei.id])
    zhang = await user(admin, cast.zhangwei.id)
    assert set(zhang["department_ids"]) == {cast.departments["销售部"], rd}
    assert zhang["primary_department_id"] == cast.departments["销售部"]  # unchanged
    assert node(await tree(admin), "研发部")["member_count"] == 2

    # Setting is exact: whoever is not listed leaves.
    response = await put_members(admin, rd, [cast.lina.id])
    assert response.status_code == 200
    assert await members(admin, rd) == [cast.lina.id]
    assert (await user(admin, cast.zhangwei.id))["department_ids"] == [cast.departments["销售部"]]


async def test_a_manager_sets_the_members_of_their_department_and_those_below(
        cast: Cast) -> None:
    zhang = cast.zhangwei.api
    sales, east = cast.departments["销售部"], cast.departments["华东区"]
    response = await put_members(zhang, sales, [cast.zhangwei.id, cast.wangfang.id])
    assert response.status_code == 200, response.text
    assert await members(zhang, sales) == sorted([cast.zhangwei.id, cast.wangfang.id])
    # 王芳 keeps 客服部 as her primary department.
    assert (await user(zhang, cast.wangfang.id))["primary_department_id"] == \
        cast.departments["客服部"]

    # 华东区 has no manager of its own; 张伟 manages it through 销售部.
    response = await put_members(zhang, east, [cast.liuyang.id, cast.lina.id])
    assert response.status_code == 200, response.text
    assert await members(zhang, east) == sorted([cast.liuyang.id, cast.lina.id])


async def test_managers_of_other_departments_and_members_cannot_set_members(
        cast: Cast, runtime: Runtime) -> None:
    sales, east = cast.departments["销售部"], cast.departments["华东区"]
    before = await membership_rows(runtime)
    for person, department_id in ((cast.lina, sales), (cast.lina, east), (cast.wangfang, east),
                                  (cast.liuyang, east), (cast.liuyang, sales)):
        response = await put_members(person.api, department_id, [person.id])
        assert response.status_code == 403, (person.username, response.text)
        assert error_code(response) == "forbidden"
    response = await put_members(cast.alex.api, east, [cast.alex.id])
    assert response.status_code == 403
    # A manager of a sub-department does not manage the department above it.
    admin = cast.linxiaoyan.api
    response = await admin.patch(f"{DEPARTMENTS}/{east}", json={"manager_ids": [cast.liuyang.id]})
    assert response.status_code == 200
    response = await put_members(cast.liuyang.api, sales, [cast.liuyang.id])
    assert response.status_code == 403
    assert await membership_rows(runtime) == before


async def test_leaving_the_primary_department_promotes_another(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    east, rd = cast.departments["华东区"], cast.departments["研发部"]
    assert (await put_members(admin, rd, [cast.lina.id, cast.liuyang.id])).status_code == 200
    liu = await user(admin, cast.liuyang.id)
    assert liu["primary_department_id"] == east
    assert liu["department_ids"] == [east, rd]  # primary first

    assert (await put_members(admin, east, [])).status_code == 200
    liu = await user(admin, cast.liuyang.id)
    assert liu["department_ids"] == [rd]
    assert liu["primary_department_id"] == rd

    # Leaving the last department leaves no primary at all.
    assert (await put_members(admin, rd, [cast.lina.id])).status_code == 200
    liu = await user(admin, cast.liuyang.id)
    assert liu["department_ids"] == []
    assert liu["primary_department_id"] is None


async def test_people_without_a_primary_department_get_the_one_they_join(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    support = cast.departments["客服部"]
    owner = await user(admin, cast.zhoujianguo.id)
    assert owner["department_ids"] == []
    assert owner["primary_department_id"] is None
    response = await put_members(admin, support, [cast.wangfang.id, cast.zhoujianguo.id])
    assert response.status_code == 200
    owner = await user(admin, cast.zhoujianguo.id)
    assert owner["department_ids"] == [support]
    assert owner["primary_department_id"] == support
    # Joining a second department does not steal the primary.
    assert (await put_members(admin, cast.departments["总经办"],
                              [cast.linxiaoyan.id, cast.zhoujianguo.id])).status_code == 200
    assert (await user(admin, cast.zhoujianguo.id))["primary_department_id"] == support


async def test_unknown_people_are_refused_and_nothing_changes(cast: Cast,
                                                              runtime: Runtime) -> None:
    admin = cast.linxiaoyan.api
    before = await membership_rows(runtime)
    response = await put_members(admin, cast.departments["研发部"],
                                 [cast.lina.id, cast.zhangwei.id, 987_654])
    assert response.status_code == 422, response.text
    assert error_code(response) == "invalid"
    assert response.json()["error"]["details"] == {"user_ids": [987_654]}
    assert await membership_rows(runtime) == before
    missing = await put_members(admin, 999_999, [cast.lina.id])
    assert missing.status_code == 404
    assert await membership_rows(runtime) == before


# --- concurrency -------------------------------------------------------------------------------

async def test_concurrent_creates_of_one_sibling_name_make_one_department(
        cast: Cast, runtime: Runtime) -> None:
    admins = (cast.linxiaoyan.api, cast.zhoujianguo.api)
    for round_number, parent in enumerate((None, cast.departments["研发部"],
                                           cast.departments["华东区"], None)):
        name = f"新项目组{round_number}"
        responses = await asyncio.gather(
            *(api.post(DEPARTMENTS, json={"name": name, "parent_id": parent})
              for api in admins))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 409], [r.text for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert error_code(loser) == "name_taken"
        async with runtime.reader() as uow:
            rows = await uow.session.scalar(
                select(func.count()).select_from(Department).where(Department.name == name))
        assert rows == 1


async def test_concurrent_renames_to_one_name_leave_siblings_distinct(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    one = await create(admin, "一组", cast.departments["研发部"])
    two = await create(admin, "二组", cast.departments["研发部"])
    responses = await asyncio.gather(
        admin.patch(f"{DEPARTMENTS}/{one['id']}", json={"name": "合并组"}),
        cast.zhoujianguo.api.patch(f"{DEPARTMENTS}/{two['id']}", json={"name": "合并组"}))
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert error_code(next(r for r in responses if r.status_code == 409)) == "name_taken"
    children = names(node(await tree(admin), "研发部")["children"])
    assert children.count("合并组") == 1
    assert len(children) == 2


# --- guests: only administrators make a guest an insider ------------------------------------

async def _department_channel_with_history(cast: Cast, department: str) -> int:
    """The department's channel (made by an admin), with a message already in it."""
    response = await cast.linxiaoyan.api.post("/api/v1/channels", json={
        "name": f"{department}全员", "kind": "department",
        "department_id": cast.departments[department]})
    assert response.status_code == 201, response.text
    channel_id: int = response.json()["id"]
    sent = await cast.linxiaoyan.api.post(f"/api/v1/channels/{channel_id}/messages",
                                          json={"text": "本季度销售目标：内部数字"})
    assert sent.status_code == 201, sent.text
    return channel_id


async def _guest_view(cast: Cast, channel_id: int) -> tuple[int, int, list[str]]:
    """What the guest gets: the channel's history status, the people lookup of 张伟,
    and the directory as the guest searches it."""
    guest = cast.alex.api
    history = await guest.get(f"/api/v1/channels/{channel_id}/messages")
    colleague = await guest.get(f"/api/v1/users/{cast.zhangwei.id}")
    directory = await guest.get("/api/v1/users")
    assert directory.status_code == 200
    return (history.status_code, colleague.status_code,
            sorted(u["username"] for u in directory.json()["items"]))


async def _guest_audit(cast: Cast) -> list[dict[str, Any]]:
    response = await cast.linxiaoyan.api.get("/api/v1/audit",
                                             params={"action": "guest.", "limit": 500})
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["items"]
    return entries


async def test_a_manager_cannot_put_a_guest_into_their_department(cast: Cast,
                                                                  runtime: Runtime) -> None:
    """A department manager (a member) sets their department's people, but a guest among
    the newcomers is refused (403, nothing changes): joining would hand the guest the
    department channel with its history and everyone in it as visible colleagues."""
    channel_id = await _department_channel_with_history(cast, "销售部")
    sales, east = cast.departments["销售部"], cast.departments["华东区"]
    before = await membership_rows(runtime)
    for department_id, wanted in ((sales, [cast.zhangwei.id, cast.alex.id]),
                                  (east, [cast.liuyang.id, cast.alex.id]),  # managed from above
                                  (sales, [cast.alex.id])):
        response = await put_members(cast.zhangwei.api, department_id, wanted)
        assert response.status_code == 403, response.text
        assert error_code(response) == "guest_needs_admin"
    assert await membership_rows(runtime) == before
    assert await _guest_view(cast, channel_id) == (404, 404, ["alex"])
    assert await _guest_audit(cast) == []

    # The same manager still sets members as before.
    response = await put_members(cast.zhangwei.api, sales, [cast.zhangwei.id, cast.lina.id])
    assert response.status_code == 200, response.text

    # A guest an admin put in may stay when the manager sets the list again, and may be
    # taken out: neither hands the guest anything new.
    admitted = await put_members(cast.linxiaoyan.api, east, [cast.liuyang.id, cast.alex.id])
    assert admitted.status_code == 200, admitted.text
    kept = await put_members(cast.zhangwei.api, east, [cast.liuyang.id, cast.alex.id,
                                                       cast.wangfang.id])
    assert kept.status_code == 200, kept.text
    assert len(await _guest_audit(cast)) == 1  # the admin's admission only
    removed = await put_members(cast.zhangwei.api, east, [cast.liuyang.id])
    assert removed.status_code == 200, removed.text
    assert await members(cast.linxiaoyan.api, east) == [cast.liuyang.id]
    assert (await _guest_view(cast, channel_id))[0] == 404
    # ... and once out, the manager cannot bring the guest back.
    again = await put_members(cast.zhangwei.api, east, [cast.liuyang.id, cast.alex.id])
    assert again.status_code == 403
    assert error_code(again) == "guest_needs_admin"


async def test_an_admin_puts_a_guest_into_a_department_and_it_is_audited(cast: Cast) -> None:
    """Admins may make a guest an insider, by any of the three ways a person joins a
    department; each is recorded as `guest.admitted` with the departments it opened."""
    channel_id = await _department_channel_with_history(cast, "销售部")
    admin = cast.linxiaoyan
    sales, rd, support = (cast.departments[d] for d in ("销售部", "研发部", "客服部"))

    response = await put_members(admin.api, sales, [cast.zhangwei.id, cast.alex.id])
    assert response.status_code == 200, response.text
    status, colleague, directory = await _guest_view(cast, channel_id)
    assert (status, colleague) == (200, 200)
    assert "zhangwei" in directory
    entries = await _guest_audit(cast)
    assert [(e["action"], e["actor_id"], e["target"], e["details"]) for e in entries] == [
        ("guest.admitted", admin.id, f"user:{cast.alex.id}",
         {"department_ids": [sales], "via": "department_members"})]

    # Through the person's own record: only the department that is new is recorded.
    response = await admin.api.patch(f"/api/v1/users/{cast.alex.id}",
                                     json={"department_ids": [sales, rd]})
    assert response.status_code == 200, response.text
    entries = await _guest_audit(cast)
    assert len(entries) == 2
    assert (entries[0]["target"], entries[0]["details"]) == (
        f"user:{cast.alex.id}", {"department_ids": [rd], "via": "user_update"})

    # A new guest created straight into a department.
    created = await admin.api.post("/api/v1/users", json={
        "username": "partner.bob", "display_name": "合作方 Bob", "password": "一个足够长的密码-42",
        "role": "guest", "department_ids": [support]})
    assert created.status_code == 201, created.text
    entries = await _guest_audit(cast)
    assert len(entries) == 3
    assert (entries[0]["target"], entries[0]["details"]) == (
        f"user:{created.json()['id']}", {"department_ids": [support], "via": "user_created"})

    # Members joining departments are not guests being admitted: nothing more recorded.
    response = await put_members(admin.api, rd, [cast.lina.id, cast.wangfang.id, cast.alex.id])
    assert response.status_code == 200
    response = await admin.api.patch(f"/api/v1/users/{cast.liuyang.id}",
                                     json={"department_ids": [support]})
    assert response.status_code == 200
    # Nor is setting a guest's departments to ones they already have, or fewer.
    response = await admin.api.patch(f"/api/v1/users/{cast.alex.id}",
                                     json={"department_ids": [rd]})
    assert response.status_code == 200
    assert len(await _guest_audit(cast)) == 3

    # A member made a guest keeps their departments: that, too, is a guest let in.
    response = await admin.api.patch(f"/api/v1/users/{cast.liuyang.id}",
                                     json={"role": "guest"})
    assert response.status_code == 200, response.text
    entries = await _guest_audit(cast)
    assert len(entries) == 4
    assert (entries[0]["target"], entries[0]["details"]) == (
        f"user:{cast.liuyang.id}", {"department_ids": [support], "via": "user_update"})
    # A guest made a member is no longer a guest: nothing to record as one.
    response = await admin.api.patch(f"/api/v1/users/{cast.alex.id}",
                                     json={"role": "member", "department_ids": [rd, sales]})
    assert response.status_code == 200, response.text
    assert len(await _guest_audit(cast)) == 4


async def test_a_manager_cannot_move_a_guest_in_through_their_record(cast: Cast,
                                                                     runtime: Runtime) -> None:
    """The other ways into a department are closed to managers too: a person's record
    (departments, primary department, role) is for administrators."""
    sales = cast.departments["销售部"]
    before = await membership_rows(runtime)
    for body in ({"department_ids": [sales]}, {"primary_department_id": sales},
                 {"role": "member"}):
        response = await cast.zhangwei.api.patch(f"/api/v1/users/{cast.alex.id}", json=body)
        assert response.status_code in (403, 404), response.text  # 404: unseen, or refused
        assert error_code(response) in ("forbidden", "not_found")
    assert await membership_rows(runtime) == before
    assert await _guest_audit(cast) == []
