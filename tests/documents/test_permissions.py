"""Levels and their inheritance: a page takes its parent's grants (up to the space's)
unless it has its own, and then only those; grants to a department reach the departments
below it; guests are reached only personally; the space's managers and administrators
always manage; someone who manages a page but not its space cannot lock themselves out; a
move under another page changes who sees it."""

from __future__ import annotations

from tests.documents.helpers import (
    PAGES,
    SPACES,
    department_grant,
    make_page,
    make_space,
    move,
    person_grant,
    set_page_grants,
    shape,
    space_id_of,
    status,
    tree,
)
from tests.helpers import Cast, error_code


async def test_a_page_with_its_own_grants_ignores_its_parents(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    top = await make_page(cast.lina, space, "研发手册")
    secret = await make_page(cast.lina, space, "安全漏洞处理", parent_id=top["id"])
    below = await make_page(cast.lina, space, "漏洞清单", parent_id=secret["id"])
    # Everyone reads the space's pages...
    for page in (top, secret, below):
        assert await status(cast.wangfang, page["id"]) == 200
    # ... until the middle page has grants of its own: 客服部 only. They apply below it too.
    answer = await set_page_grants(cast.lina, secret["id"],
                                   [department_grant(cast, "客服部", "view")])
    assert (answer["inherit"], answer["inherited_from_page_id"]) == (False, None)
    assert answer["grants"] == answer["effective"] == [
        {"subject": "department", "user_id": None,
         "department_id": cast.departments["客服部"], "level": "view"}]
    assert answer["owner_ids"] == [cast.lina.id]
    assert [await status(cast.wangfang, p["id"]) for p in (top, secret, below)] == [200] * 3
    assert [await status(cast.zhangwei, p["id"]) for p in (top, secret, below)] == [
        200, 404, 404]
    # A page below inherits from the restricted one, and says so.
    inherited = (await cast.lina.api.get(f"{PAGES}/{below['id']}/permissions")).json()
    assert (inherited["inherit"], inherited["inherited_from_page_id"]) == (True, secret["id"])
    assert inherited["grants"] == []
    assert inherited["effective"] == answer["effective"]
    # The space's manager and the administrators always manage it.
    assert (await cast.lina.api.get(f"{PAGES}/{below['id']}")).json()["level"] == "manage"
    assert (await cast.linxiaoyan.api.get(f"{PAGES}/{below['id']}")).json()["level"] == (
        "manage")
    # 张伟's tree skips what he cannot see; 王芳's holds it all.
    assert shape(await tree(cast.zhangwei, space)) == [("研发手册", None)]
    assert shape(await tree(cast.wangfang, space)) == [
        ("研发手册", None), ("安全漏洞处理", "研发手册"), ("漏洞清单", "安全漏洞处理")]
    # Inheriting again: the company reads it all once more.
    again = await set_page_grants(cast.lina, secret["id"], [], inherit=True)
    assert (again["inherit"], again["inherited_from_page_id"]) == (True, None)
    assert [await status(cast.zhangwei, p["id"]) for p in (top, secret, below)] == [200] * 3
    refused = await cast.lina.api.put(f"{PAGES}/{secret['id']}/permissions", json={
        "inherit": True, "grants": [department_grant(cast, "客服部", "view")]})
    assert (refused.status_code, error_code(refused)) == (422, "inherit_takes_no_grants")


async def test_a_guest_granted_a_deep_page_sees_that_page_only(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    top = await make_page(cast.lina, space, "合作项目")
    middle = await make_page(cast.lina, space, "内部讨论", parent_id=top["id"])
    shared = await make_page(cast.lina, space, "给顾问的资料", parent_id=middle["id"])
    await set_page_grants(cast.lina, shared["id"], [
        person_grant(cast.alex, "comment"), department_grant(cast, "研发部", "edit")])
    assert [await status(cast.alex, p["id"]) for p in (top, middle, shared)] == [404, 404, 200]
    seen = (await cast.alex.api.get(f"{PAGES}/{shared['id']}")).json()
    assert (seen["level"], seen["breadcrumbs"]) == ("comment", [])
    # The space lists for him with what he sees of it, hung from the top.
    spaces = (await cast.alex.api.get(SPACES)).json()["items"]
    assert [(s["name"], s["level"], s["page_count"]) for s in spaces] == [("研发部", "none", 1)]
    assert shape(await tree(cast.alex, space)) == [("给顾问的资料", None)]
    # Nothing of the space itself: its grants are not his to read.
    assert (await cast.alex.api.get(f"{SPACES}/{space}/permissions")).status_code == 403
    # A department's or everyone's grant never reaches a guest, even one let into it.
    admitted = await cast.linxiaoyan.api.patch(f"/api/v1/users/{cast.alex.id}", json={
        "department_ids": [cast.departments["研发部"]]})
    assert admitted.status_code == 200, admitted.text
    await set_page_grants(cast.lina, shared["id"], [department_grant(cast, "研发部", "edit")])
    assert await status(cast.alex, shared["id"]) == 404
    assert (await cast.alex.api.get(SPACES)).json()["items"] == []


async def test_a_department_grant_reaches_the_departments_below(cast: Cast) -> None:
    space = await make_space(cast.lina, "客户档案", grants=[
        department_grant(cast, "销售部", "edit")])
    page = await make_page(cast.lina, space["id"], "重点客户")
    assert await status(cast.zhangwei, page["id"]) == 200
    # 刘洋 works in 华东区, below 销售部.
    assert (await cast.liuyang.api.get(f"{PAGES}/{page['id']}")).json()["level"] == "edit"
    assert await status(cast.wangfang, page["id"]) == 404
    # A grant to 华东区 alone does not reach 销售部 itself.
    await set_page_grants(cast.lina, page["id"], [department_grant(cast, "华东区", "view")])
    assert await status(cast.liuyang, page["id"]) == 200
    assert await status(cast.zhangwei, page["id"]) == 404


async def test_whoever_manages_a_page_but_not_its_space_keeps_their_access(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    page = await make_page(cast.lina, space, "值班表")
    await set_page_grants(cast.lina, page["id"], [person_grant(cast.zhangwei, "manage")])
    # 张伟 manages the page through its grants: he may hand it on, not leave himself out.
    refused = await cast.zhangwei.api.put(f"{PAGES}/{page['id']}/permissions", json={
        "inherit": False, "grants": [person_grant(cast.wangfang, "manage")]})
    assert (refused.status_code, error_code(refused)) == (422, "keep_your_access")
    refused = await cast.zhangwei.api.put(f"{PAGES}/{page['id']}/permissions", json={
        "inherit": True, "grants": []})
    assert (refused.status_code, error_code(refused)) == (422, "keep_your_access")
    assert await status(cast.wangfang, page["id"]) == 404
    kept = await cast.zhangwei.api.put(f"{PAGES}/{page['id']}/permissions", json={
        "inherit": False, "grants": [person_grant(cast.zhangwei, "manage"),
                                     person_grant(cast.wangfang, "edit")]})
    assert kept.status_code == 200, kept.text
    assert (await cast.wangfang.api.get(f"{PAGES}/{page['id']}")).json()["level"] == "edit"
    # The space's manager may leave a page to nobody but the managers.
    assert (await set_page_grants(cast.lina, page["id"], []))["effective"] == []
    assert [await status(p, page["id"]) for p in (cast.zhangwei, cast.wangfang, cast.lina)] == [
        404, 404, 200]


async def test_a_space_manage_grant_manages_every_page(cast: Cast) -> None:
    space = await make_space(cast.lina, "平台组", grants=[
        person_grant(cast.zhangwei, "manage")])
    page = await make_page(cast.lina, space["id"], "核心设计")
    await set_page_grants(cast.lina, page["id"], [person_grant(cast.lina, "manage")])
    assert (await cast.zhangwei.api.get(f"{PAGES}/{page['id']}")).json()["level"] == "manage"


async def test_moving_a_page_changes_who_sees_it_and_keeps_its_own_grants(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    closed = await make_page(cast.lina, space, "仅研发部")
    await set_page_grants(cast.lina, closed["id"], [department_grant(cast, "研发部", "edit")])
    page = await make_page(cast.lina, space, "接口草稿")
    child = await make_page(cast.lina, space, "接口草稿附录", parent_id=page["id"])
    assert await status(cast.wangfang, child["id"]) == 200
    # Under a restricted page, it and its child take that page's grants.
    assert (await move(cast.lina, page["id"], parent_id=closed["id"])).status_code == 200
    assert [await status(cast.wangfang, p["id"]) for p in (page, child)] == [404, 404]
    # Out again, to the top: the space's.
    assert (await move(cast.lina, page["id"], parent_id=None)).status_code == 200
    assert [await status(cast.wangfang, p["id"]) for p in (page, child)] == [200, 200]
    # A restricted page moved to another space keeps its own grants and its children's.
    under = await make_page(cast.lina, space, "研发部内部附录", parent_id=closed["id"])
    shared = await make_space(cast.lina, "共享资料")
    assert (await move(cast.lina, closed["id"], space_id=shared["id"])).status_code == 200
    assert [await status(cast.wangfang, p["id"]) for p in (closed, under)] == [404, 404]
    assert shape(await tree(cast.lina, shared["id"])) == [("仅研发部", None),
                                                         ("研发部内部附录", "仅研发部")]
    # In the trash and back, grants and all.
    assert (await cast.lina.api.delete(f"{PAGES}/{closed['id']}")).status_code == 204
    assert (await cast.lina.api.post(f"{PAGES}/{closed['id']}/restore")).status_code == 200
    assert [await status(cast.wangfang, p["id"]) for p in (closed, under)] == [404, 404]
    assert (await cast.lina.api.get(f"{PAGES}/{under['id']}/permissions")).json()[
        "inherited_from_page_id"] == closed["id"]
