"""Spaces: one per department, made with it, named after it and following its renames, left
as a shared space when the department goes; shared spaces anyone but a guest makes; who
lists which; their settings, grants and archiving."""

from __future__ import annotations

from typing import Any

from tests.documents.helpers import (
    PAGES,
    SPACES,
    department_space,
    make_page,
    make_space,
    space_id_of,
)
from tests.helpers import Cast, Person, error_code

DEPARTMENTS = "/api/v1/departments"


async def listed(person: Person) -> dict[str, dict[str, Any]]:
    response = await person.api.get(SPACES)
    assert response.status_code == 200, response.text
    return {space["name"]: space for space in response.json()["items"]}


async def test_every_department_has_its_space_named_after_it(cast: Cast) -> None:
    spaces = await listed(cast.linxiaoyan)
    assert {n for n, s in spaces.items() if s["kind"] == "department"} == {
        "总经办", "销售部", "华东区", "研发部", "客服部"}
    sales = spaces["销售部"]
    assert sales["department_id"] == cast.departments["销售部"]
    assert sales["owner_ids"] == [cast.zhangwei.id]
    # Its default grants: the department edits, the company reads.
    grants = (await cast.zhangwei.api.get(f"{SPACES}/{sales['id']}/permissions")).json()
    assert grants == {"grants": [
        {"subject": "department", "user_id": None,
         "department_id": cast.departments["销售部"], "level": "edit"},
        {"subject": "everyone", "user_id": None, "department_id": None, "level": "view"}],
        "owner_ids": [cast.zhangwei.id]}
    # Levels: its manager manages, its people (and those below: 华东区) edit, others read.
    assert (await department_space(cast.zhangwei, cast, "销售部"))["level"] == "manage"
    assert (await department_space(cast.liuyang, cast, "销售部"))["level"] == "edit"
    assert (await department_space(cast.lina, cast, "销售部"))["level"] == "view"
    assert (await department_space(cast.linxiaoyan, cast, "销售部"))["level"] == "manage"
    # 张伟 manages 华东区's space too (he manages the department above it).
    assert (await department_space(cast.zhangwei, cast, "华东区"))["level"] == "manage"
    # A guest is reached by no department's nor everyone's grant.
    assert await listed(cast.alex) == {}


async def test_a_new_department_gets_its_space_which_follows_renames(cast: Cast) -> None:
    made = await cast.zhoujianguo.api.post(DEPARTMENTS, json={
        "name": "市场部", "manager_ids": [cast.wangfang.id]})
    assert made.status_code == 201, made.text
    department_id = made.json()["id"]
    space = (await listed(cast.wangfang))["市场部"]
    assert (space["department_id"], space["level"]) == (department_id, "manage")
    renamed = await cast.zhoujianguo.api.patch(f"{DEPARTMENTS}/{department_id}",
                                               json={"name": "品牌市场部"})
    assert renamed.status_code == 200, renamed.text
    spaces = await listed(cast.wangfang)
    assert "市场部" not in spaces
    assert spaces["品牌市场部"]["id"] == space["id"]
    # Its name is the department's: the space cannot be renamed on its own.
    refused = await cast.wangfang.api.patch(f"{SPACES}/{space['id']}", json={"name": "市场"})
    assert (refused.status_code, error_code(refused)) == (422, "name_follows_department")
    refused = await cast.wangfang.api.patch(f"{SPACES}/{space['id']}",
                                            json={"owner_id": cast.lina.id})
    assert (refused.status_code, error_code(refused)) == (422, "owner_follows_department")
    # Deleted (empty), the department leaves its space and pages as a shared space owned
    # by whoever deleted it.
    page = await make_page(cast.wangfang, space["id"], "品牌手册")
    gone = await cast.zhoujianguo.api.delete(f"{DEPARTMENTS}/{department_id}")
    assert gone.status_code == 204, gone.text
    kept = (await listed(cast.zhoujianguo))["品牌市场部"]
    assert (kept["kind"], kept["department_id"], kept["owner_ids"]) == (
        "shared", None, [cast.zhoujianguo.id])
    assert (await cast.zhoujianguo.api.get(f"{PAGES}/{page['id']}")).status_code == 200


async def test_anyone_but_a_guest_makes_a_shared_space_and_owns_it(cast: Cast) -> None:
    space = await make_space(cast.liuyang, "新品上市 🚀", description="跨部门资料",
                             icon="🚀")
    assert (space["kind"], space["owner_ids"], space["level"], space["icon"]) == (
        "shared", [cast.liuyang.id], "manage", "🚀")
    assert space["can"] == ["create_pages", "edit", "manage"]
    # By default the company reads it.
    assert (await listed(cast.lina))["新品上市 🚀"]["level"] == "view"
    assert "新品上市 🚀" not in await listed(cast.alex)
    refused = await cast.alex.api.post(SPACES, json={"name": "顾问空间"})
    assert (refused.status_code, error_code(refused)) == (403, "may_not_create_space")
    # Given grants instead: only those (and its owner).
    private = await make_space(cast.lina, "架构评审", grants=[
        {"subject": "user", "user_id": cast.zhangwei.id, "level": "comment"}])
    assert "架构评审" not in await listed(cast.wangfang)
    assert (await listed(cast.zhangwei))["架构评审"]["level"] == "comment"
    assert (await cast.wangfang.api.get(f"{SPACES}/{private['id']}")).status_code == 404


async def test_bad_spaces_are_refused(cast: Cast) -> None:
    for body in ({"name": ""}, {"name": "  "}, {"name": "x" * 81}, {"name": "a", "icon": "ab"},
                 {"name": "a", "grants": [{"subject": "user", "level": "view"}]},
                 {"name": "a", "grants": [{"subject": "everyone", "user_id": 3,
                                           "level": "view"}]},
                 {"name": "a", "grants": [{"subject": "everyone", "level": "own"}]},
                 {"name": "a", "description": "x" * 2001}):
        response = await cast.lina.api.post(SPACES, json=body)
        assert (response.status_code, error_code(response)) == (422, "invalid"), body
    twice = await cast.lina.api.post(SPACES, json={"name": "a", "grants": [
        {"subject": "everyone", "level": "view"}, {"subject": "everyone", "level": "edit"}]})
    assert (twice.status_code, error_code(twice)) == (422, "duplicate_grant")
    stranger = await cast.lina.api.post(SPACES, json={"name": "a", "grants": [
        {"subject": "user", "user_id": 999_999, "level": "view"}]})
    assert (stranger.status_code, error_code(stranger)) == (422, "unknown_person")
    assert "a" not in await listed(cast.lina)


async def test_managers_change_archive_and_grant_a_space(cast: Cast) -> None:
    space = await make_space(cast.lina, "技术分享")
    url = f"{SPACES}/{space['id']}"
    # A reader may not change it.
    refused = await cast.wangfang.api.patch(url, json={"description": "改"})
    assert refused.status_code == 403
    changed = await cast.lina.api.patch(url, json={"name": "技术分享会", "icon": "🎤",
                                                   "description": "每月一次"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["icon"]) == ("技术分享会", "🎤")
    # Handed to 张伟, who manages it now; 李娜 reads it as everyone does.
    handed = await cast.lina.api.patch(url, json={"owner_id": cast.zhangwei.id})
    assert handed.json()["owner_ids"] == [cast.zhangwei.id]
    assert (await listed(cast.lina))["技术分享会"]["level"] == "view"
    guest_owner = await cast.zhangwei.api.patch(url, json={"owner_id": cast.alex.id})
    assert (guest_owner.status_code, error_code(guest_owner)) == (403, "guest_cannot_own")
    # Archived: still read, no new pages; back again.
    page = await make_page(cast.zhangwei, space["id"], "第一期")
    archived = await cast.zhangwei.api.patch(url, json={"archived": True})
    assert archived.json()["archived"] is True
    assert "技术分享会" not in await listed(cast.zhangwei)
    assert "技术分享会" in {s["name"] for s in (await cast.zhangwei.api.get(
        SPACES, params={"archived": "true"})).json()["items"]}
    closed = await cast.zhangwei.api.post(PAGES, json={"space_id": space["id"],
                                                       "title": "第二期"})
    assert (closed.status_code, error_code(closed)) == (409, "space_archived")
    rename = await cast.zhangwei.api.patch(f"{PAGES}/{page['id']}", json={"title": "改名"})
    assert (rename.status_code, error_code(rename)) == (409, "space_archived")
    read = await cast.wangfang.api.get(f"{PAGES}/{page['id']}")
    assert read.status_code == 200
    assert read.json()["level"] == "view"
    assert (await cast.zhangwei.api.get(f"{PAGES}/{page['id']}")).json()["can"] == ["export"]
    assert (await cast.zhangwei.api.patch(url, json={"archived": False})).status_code == 200
    assert (await cast.zhangwei.api.patch(f"{PAGES}/{page['id']}",
                                          json={"title": "改名"})).status_code == 200
    # Its grants: only 李娜 now, as an editor.
    granted = await cast.zhangwei.api.put(f"{url}/permissions", json={"grants": [
        {"subject": "user", "user_id": cast.lina.id, "level": "edit"}]})
    assert granted.status_code == 200, granted.text
    assert (await listed(cast.lina))["技术分享会"]["level"] == "edit"
    assert "技术分享会" not in await listed(cast.wangfang)
    assert (await cast.wangfang.api.get(f"{PAGES}/{page['id']}")).status_code == 404
    refused = await cast.lina.api.put(f"{url}/permissions", json={"grants": []})
    assert refused.status_code == 403
    # A null where a value is kept is refused, not stored.
    nulled = await cast.zhangwei.api.patch(url, json={"name": None})
    assert (nulled.status_code, error_code(nulled)) == (422, "null_setting")


async def test_a_space_is_found_by_id_only_by_who_reads_it(cast: Cast) -> None:
    sales = await space_id_of(cast, "销售部")
    assert (await cast.lina.api.get(f"{SPACES}/{sales}")).status_code == 200
    assert (await cast.alex.api.get(f"{SPACES}/{sales}")).status_code == 404
    assert (await cast.alex.api.get(f"{SPACES}/{sales}/tree")).status_code == 404
    assert (await cast.lina.api.get(f"{SPACES}/999999")).status_code == 404
