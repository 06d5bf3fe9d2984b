"""Glossary terms over HTTP: who writes, reads, deletes and follows them (the people of the
owning department and those below it, its managers, its owners, administrators; guests only
read), names unique across every term in their folded form, the history of who changed
what, the list and its filters, the hover card, and every refusal writing nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.api_inputs import Unchanged
from tests.glossary.helpers import TERMS, make_term
from tests.helpers import Cast, Person, anonymous_client, error_code


async def _get(person: Person, term_id: int) -> Any:
    return await person.api.get(f"{TERMS}/{term_id}")


async def test_creating_a_term_records_it_with_its_owners_and_history(cast: Cast) -> None:
    made = await make_term(
        cast, cast.zhangwei, "回款", "销售部", aliases=["收款", "回笼资金"],
        english="Payment Collection",
        definition="合同款项**实际到账**。<script>alert(1)</script>[链接](javascript:alert(1))",
        examples=["这单合同 9 月底前完成 60% 回款。"])
    assert {k: made[k] for k in ("term", "aliases", "english", "examples", "visibility",
                                 "status", "owner_ids", "follower_count", "following",
                                 "can", "replaced_by", "replaced_by_id")} == {
        "term": "回款", "aliases": ["收款", "回笼资金"], "english": "Payment Collection",
        "examples": ["这单合同 9 月底前完成 60% 回款。"], "visibility": "company",
        "status": "active", "owner_ids": [cast.zhangwei.id], "follower_count": 0,
        "following": False, "can": ["edit", "delete"], "replaced_by": None,
        "replaced_by_id": None}
    assert made["department"] == {"id": cast.departments["销售部"], "path": ["销售部"]}
    # Markdown rendered and sanitised, as a task's description is.
    assert "<strong>实际到账</strong>" in made["definition_html"]
    assert "<script" not in made["definition_html"]
    assert "href=\"javascript" not in made["definition_html"]
    assert (made["created_by"], made["updated_by"]) == (cast.zhangwei.id, cast.zhangwei.id)
    history = (await cast.lina.api.get(f"{TERMS}/{made['id']}/history")).json()
    [created] = history["items"]
    assert (created["change"], created["actor_id"]) == ("created", cast.zhangwei.id)
    assert {c["field"]: c["after"] for c in created["changes"]}["aliases"] == ["收款", "回笼资金"]
    # A department without managers: its term is owned by whoever wrote it.
    east = await make_term(cast, cast.liuyang, "大客户", "华东区")
    assert east["owner_ids"] == [cast.liuyang.id]
    # Owners may be named, from any department.
    named = await make_term(cast, cast.zhangwei, "商机", "销售部",
                            owner_ids=[cast.liuyang.id, cast.lina.id])
    assert named["owner_ids"] == sorted([cast.liuyang.id, cast.lina.id])


async def test_who_may_write_read_and_delete_a_term(cast: Cast, unchanged: Unchanged) -> None:
    sales = cast.departments["销售部"]
    term = await make_term(cast, cast.zhangwei, "回款", "销售部")
    hidden = await make_term(cast, cast.zhangwei, "底价", "销售部", visibility="department")
    # Reading: a company-wide term is everyone's, guests' too; a department's own is its
    # people's (刘洋 in 华东区, below 销售部), its managers' and the administrators'.
    for person in (cast.liuyang, cast.lina, cast.wangfang, cast.alex, cast.linxiaoyan):
        assert (await _get(person, term["id"])).status_code == 200, person.username
    for person, status in ((cast.liuyang, 200), (cast.zhangwei, 200), (cast.linxiaoyan, 200),
                           (cast.zhoujianguo, 200), (cast.lina, 404), (cast.alex, 404)):
        for path in ("", "/card", "/history"):
            response = await person.api.get(f"{TERMS}/{hidden['id']}{path}")
            assert response.status_code == status, (person.username, path)
    # What each may do, as the term says.
    for person, can in ((cast.zhangwei, ["edit", "delete"]), (cast.liuyang, ["edit"]),
                        (cast.linxiaoyan, ["edit", "delete"]), (cast.lina, []),
                        (cast.alex, [])):
        assert (await _get(person, term["id"])).json()["can"] == can, person.username
    # Writing: the department's people and managers, administrators.
    edited = await cast.liuyang.api.patch(f"{TERMS}/{term['id']}", json={"english": "Collection"})
    assert edited.status_code == 200, edited.text
    by_admin = await cast.linxiaoyan.api.patch(f"{TERMS}/{term['id']}",
                                               json={"examples": ["月底前回款"]})
    assert by_admin.status_code == 200, by_admin.text
    async with unchanged:
        for person in (cast.lina, cast.wangfang, cast.alex):
            response = await person.api.patch(f"{TERMS}/{term['id']}", json={"english": "X"})
            assert (response.status_code, error_code(response)) == (
                403, "may_not_write_term"), person.username
            response = await person.api.delete(f"{TERMS}/{term['id']}")
            assert response.status_code == 403, person.username
        # Someone who may not read it finds nothing to change or remove.
        for request in (cast.lina.api.patch(f"{TERMS}/{hidden['id']}", json={"english": "X"}),
                        cast.lina.api.delete(f"{TERMS}/{hidden['id']}"),
                        cast.alex.api.put(f"{TERMS}/{hidden['id']}/follow")):
            response = await request
            assert (response.status_code, error_code(response)) == (404, "not_found")
        # Creating: not for another department, never for a guest.
        for person in (cast.lina, cast.wangfang, cast.alex):
            response = await person.api.post(TERMS, json={
                "term": "越权术语", "department_id": sales, "definition": "不该写入。"})
            assert (response.status_code, error_code(response)) == (
                403, "may_not_write_term"), person.username
        response = await cast.alex.api.post(TERMS, json={
            "term": "访客术语", "department_id": cast.departments["客服部"],
            "definition": "不该写入。"})
        assert response.status_code == 403
        # Deleting: the department's managers and administrators; its people deprecate.
        response = await cast.liuyang.api.delete(f"{TERMS}/{term['id']}")
        assert (response.status_code, error_code(response)) == (403, "may_not_delete_term")
    # A named owner from another department may write it, not delete it.
    owned = await make_term(cast, cast.zhangwei, "商机", "销售部", owner_ids=[cast.lina.id])
    assert (await _get(cast.lina, owned["id"])).json()["can"] == ["edit"]
    response = await cast.lina.api.patch(f"{TERMS}/{owned['id']}", json={"english": "Deal"})
    assert response.status_code == 200, response.text
    # Managers above create for the departments below; administrators for any.
    assert (await make_term(cast, cast.zhangwei, "渠道", "华东区"))["term"] == "渠道"
    assert (await make_term(cast, cast.linxiaoyan, "工单", "客服部"))["term"] == "工单"
    assert (await cast.zhangwei.api.delete(f"{TERMS}/{term['id']}")).status_code == 204
    assert (await _get(cast.zhangwei, term["id"])).status_code == 404
    assert (await cast.linxiaoyan.api.delete(f"{TERMS}/{hidden['id']}")).status_code == 204
    async with anonymous_client(cast.client) as nobody:
        assert (await nobody.get(TERMS)).status_code == 401
        assert (await nobody.get(f"{TERMS}/{owned['id']}/card")).status_code == 401


async def test_names_are_unique_across_every_term(cast: Cast, unchanged: Unchanged) -> None:
    sla = await make_term(cast, cast.wangfang, "SLA", "客服部", aliases=["服务等级协议"])
    hidden = await make_term(cast, cast.zhangwei, "底价", "销售部", visibility="department")
    body = {"department_id": cast.departments["客服部"], "definition": "重名。"}
    async with unchanged:
        # The same name, whatever its width, case or spacing; as a term or an alias.
        for term, aliases in (("SLA", []), ("ｓｌａ", []), ("工单", ["Sla"]),
                              ("服务等级协议", []), ("工单", [" 服务等级协议 "])):
            response = await cast.wangfang.api.post(TERMS, json={
                **body, "term": term, "aliases": aliases})
            assert response.status_code == 409, (term, aliases)
            assert error_code(response) == "term_name_taken"
            assert response.json()["error"]["details"]["term_id"] == sla["id"]
            assert response.json()["error"]["details"]["term"] == "SLA"
            assert "SLA" in response.json()["error"]["message"]
        # A term the caller may not read is named by nothing.
        response = await cast.wangfang.api.post(TERMS, json={**body, "term": "底价"})
        assert response.status_code == 409
        assert "底价" not in str(response.json()["error"]["details"].get("term"))
        assert "term_id" not in response.json()["error"]["details"]
        assert str(hidden["id"]) not in response.json()["error"]["message"]
        # One name twice in a term, or a name too short to be recognised.
        for term, aliases, code in (("工单", ["工单"], "term_name_repeated"),
                                    ("工单", ["Ticket", "TICKET"], "term_name_repeated"),
                                    ("工单", ["T"], "term_name_too_short"),
                                    ("单", [], "term_name_too_short")):
            response = await cast.wangfang.api.post(TERMS, json={
                **body, "term": term, "aliases": aliases})
            assert (response.status_code, error_code(response)) == (422, code), (term, aliases)
    # Renaming onto another term's name.
    other = await cast.wangfang.api.post(TERMS, json={**body, "term": "工单"})
    assert other.status_code == 201
    async with unchanged:
        response = await cast.wangfang.api.patch(f"{TERMS}/{other.json()['id']}",
                                                 json={"aliases": ["sla"]})
        assert (response.status_code, error_code(response)) == (409, "term_name_taken")
    # A term may swap its name with its alias.
    swapped = await cast.wangfang.api.patch(f"{TERMS}/{sla['id']}", json={
        "term": "服务等级协议", "aliases": ["SLA"]})
    assert swapped.status_code == 200, swapped.text
    assert (swapped.json()["term"], swapped.json()["aliases"]) == ("服务等级协议", ["SLA"])


async def test_two_people_claiming_one_name_at_once(cast: Cast) -> None:
    async def claim(person: Person, department: str) -> Any:
        return await person.api.post(TERMS, json={
            "term": "Sprint", "department_id": cast.departments[department],
            "definition": "两周一个周期。"})

    answers = await asyncio.gather(claim(cast.lina, "研发部"), claim(cast.wangfang, "客服部"))
    assert sorted(a.status_code for a in answers) == [201, 409]
    [refused] = [a for a in answers if a.status_code == 409]
    assert error_code(refused) == "term_name_taken"
    listed = (await cast.lina.api.get(TERMS)).json()["items"]
    assert [t["term"] for t in listed] == ["Sprint"]


async def test_changes_are_recorded_with_who_changed_what(cast: Cast) -> None:
    term = await make_term(cast, cast.wangfang, "工单", "客服部", english="Ticket")
    await cast.wangfang.api.patch(f"{TERMS}/{term['id']}", json={
        "definition": "新的定义。", "aliases": ["服务单"]})
    await cast.linxiaoyan.api.patch(f"{TERMS}/{term['id']}", json={"visibility": "department"})
    # Nothing changed: nothing recorded.
    same = await cast.wangfang.api.patch(f"{TERMS}/{term['id']}", json={"english": "Ticket"})
    assert same.status_code == 200
    history = (await cast.wangfang.api.get(f"{TERMS}/{term['id']}/history",
                                           params={"limit": 2})).json()
    assert [(r["change"], r["actor_id"]) for r in history["items"]] == [
        ("updated", cast.linxiaoyan.id), ("updated", cast.wangfang.id)]
    assert history["items"][0]["changes"] == [
        {"field": "visibility", "before": "company", "after": "department"}]
    assert {c["field"]: (c["before"], c["after"]) for c in history["items"][1]["changes"]} == {
        "definition": ("工单的定义。", "新的定义。"), "aliases": ([], ["服务单"])}
    older = (await cast.wangfang.api.get(f"{TERMS}/{term['id']}/history", params={
        "cursor": history["next_cursor"]})).json()
    assert [r["change"] for r in older["items"]] == ["created"]
    assert older["next_cursor"] is None
    fetched = (await _get(cast.wangfang, term["id"])).json()
    assert (fetched["updated_by"], fetched["definition_html"]) == (
        cast.linxiaoyan.id, "<p>新的定义。</p>\n")


async def test_deprecating_points_to_the_term_to_use(cast: Cast, unchanged: Unchanged) -> None:
    old = await make_term(cast, cast.wangfang, "用户成功", "客服部")
    new = await make_term(cast, cast.wangfang, "客户成功", "客服部")
    hidden = await make_term(cast, cast.wangfang, "客服内部", "客服部", visibility="department")
    path = f"{TERMS}/{old['id']}"
    async with unchanged:
        for body, code in (
                ({"replaced_by_id": new["id"]}, "replacement_needs_deprecation"),
                ({"status": "deprecated", "replaced_by_id": old["id"]}, "unknown_replacement"),
                ({"status": "deprecated", "replaced_by_id": 999_999}, "unknown_replacement"),
                ({"status": "deprecated", "replaced_by_id": hidden["id"]},
                 "replacement_hidden"),
                ({"status": None}, "null_setting"), ({"term": None}, "null_setting"),
                ({"owner_ids": []}, "owners_required"),
                ({"owner_ids": [cast.alex.id]}, "unknown_person"),
                ({"owner_ids": [999_999]}, "unknown_person"),
                ({"department_id": 999_999}, "unknown_department")):
            response = await cast.wangfang.api.patch(path, json=body)
            assert (response.status_code, error_code(response)) == (422, code), body
        # Into another department: only into one the writer may write for.
        response = await cast.wangfang.api.patch(path, json={
            "department_id": cast.departments["研发部"]})
        assert (response.status_code, error_code(response)) == (403, "may_not_write_term")
    response = await cast.wangfang.api.patch(path, json={
        "status": "deprecated", "replaced_by_id": new["id"]})
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["replaced_by"]) == (
        "deprecated", {"id": new["id"], "term": "客户成功"})
    card = (await cast.alex.api.get(f"{path}/card")).json()
    assert card["replaced_by"] == {"id": new["id"], "term": "客户成功"}
    # A deprecated term is no successor; in use again, it points nowhere.
    other = await make_term(cast, cast.wangfang, "售后", "客服部")
    response = await cast.wangfang.api.patch(f"{TERMS}/{other['id']}", json={
        "status": "deprecated", "replaced_by_id": old["id"]})
    assert (response.status_code, error_code(response)) == (422, "replacement_deprecated")
    revived = await cast.wangfang.api.patch(path, json={"status": "active"})
    assert (revived.json()["status"], revived.json()["replaced_by_id"]) == ("active", None)


async def test_the_card_shows_what_a_hover_needs(cast: Cast) -> None:
    term = await make_term(cast, cast.wangfang, "SLA", "客服部", aliases=["服务等级协议"],
                           english="Service Level Agreement",
                           definition="**服务等级协议**：对客户承诺的响应和解决时限。" * 6)
    card = (await cast.alex.api.get(f"{TERMS}/{term['id']}/card")).json()
    assert {k: card[k] for k in ("id", "term", "english", "aliases", "status",
                                 "replaced_by", "link")} == {
        "id": term["id"], "term": "SLA", "english": "Service Level Agreement",
        "aliases": ["服务等级协议"], "status": "active", "replaced_by": None,
        "link": f"/glossary/{term['id']}"}
    assert card["department"] == {"id": cast.departments["客服部"], "path": ["客服部"]}
    # Plain text, cut to about two lines.
    assert card["excerpt"].startswith("服务等级协议：对客户承诺")
    assert "<" not in card["excerpt"]
    assert "*" not in card["excerpt"]
    assert len(card["excerpt"]) <= 120
    assert card["excerpt"].endswith("…")
    assert (await cast.alex.api.get(f"{TERMS}/999999/card")).status_code == 404


async def test_following_a_term(cast: Cast) -> None:
    term = await make_term(cast, cast.wangfang, "SLA", "客服部")
    path = f"{TERMS}/{term['id']}/follow"
    for _ in range(2):  # twice is once
        response = await cast.alex.api.put(path)
        assert response.json() == {"following": True, "follower_count": 1}
    assert (await cast.lina.api.put(path)).json() == {"following": True, "follower_count": 2}
    assert (await _get(cast.alex, term["id"])).json()["following"] is True
    listed = (await cast.alex.api.get(TERMS, params={"following": "true"})).json()["items"]
    assert [t["term"] for t in listed] == ["SLA"]
    assert (await cast.alex.api.delete(path)).json() == {"following": False,
                                                         "follower_count": 1}
    assert (await cast.alex.api.delete(path)).json()["following"] is False
    assert (await cast.alex.api.get(TERMS, params={"following": "true"})).json()["items"] == []


async def test_the_list_filters_and_pages(cast: Cast) -> None:
    for term, department, aliases in (("回款", "销售部", ["收款"]), ("商机", "销售部", []),
                                      ("大客户", "华东区", []), ("迭代", "研发部", ["Sprint"]),
                                      ("SLA", "客服部", []), ("工单", "客服部", [])):
        await make_term(cast, cast.linxiaoyan, term, department, aliases=aliases)
    await make_term(cast, cast.zhangwei, "底价", "销售部", visibility="department")

    async def listed(person: Person, **params: Any) -> list[str]:
        response = await person.api.get(TERMS, params=params)
        assert response.status_code == 200, response.text
        return [t["term"] for t in response.json()["items"]]

    # A–Z by pinyin, Latin and Chinese together.
    assert await listed(cast.lina) == ["大客户", "迭代", "工单", "回款", "商机", "SLA"]
    assert "底价" in await listed(cast.liuyang)
    # By the name, an alias, pinyin or initials.
    assert await listed(cast.lina, q="huikuan") == ["回款"]
    assert await listed(cast.lina, q="收款") == ["回款"]
    assert await listed(cast.lina, q="sprint") == ["迭代"]
    assert await listed(cast.lina, q="gd") == ["工单"]
    assert await listed(cast.lina, q="100%_") == []
    # A department and those below it.
    assert await listed(cast.lina, department_id=cast.departments["销售部"]) == [
        "大客户", "回款", "商机"]
    assert await listed(cast.lina, department_id=cast.departments["华东区"]) == ["大客户"]
    assert await listed(cast.lina, department_id=999_999) == []
    # Pages.
    first = (await cast.lina.api.get(TERMS, params={"limit": 4})).json()
    rest = (await cast.lina.api.get(TERMS, params={"limit": 4,
                                                   "cursor": first["next_cursor"]})).json()
    assert [t["term"] for t in first["items"] + rest["items"]] == await listed(cast.lina)
    assert rest["next_cursor"] is None
    item = first["items"][0]
    assert set(item) == {"id", "term", "aliases", "english", "excerpt", "department",
                         "visibility", "status", "follower_count", "following", "updated_at"}
    assert (await cast.lina.api.get(TERMS, params={"cursor": "bogus"})).status_code == 400
    assert (await cast.lina.api.get(TERMS, params={"status": "gone"})).status_code == 422


async def test_bad_input_is_refused_and_writes_nothing(cast: Cast, unchanged: Unchanged) -> None:
    valid = {"term": "工单", "department_id": cast.departments["客服部"],
             "definition": "一件需要处理的事情。"}
    async with unchanged:
        for change in ({"term": ""}, {"term": "   "}, {"term": "字" * 65},
                       {"term": "工\u200b单"}, {"term": "工\n单"}, {"term": 5},
                       {"aliases": ["别名"] * 21}, {"aliases": "工单"},
                       {"aliases": ["字" * 65]}, {"english": "E" * 129},
                       {"definition": ""}, {"definition": "  \n "},
                       {"definition": "字" * 10_001}, {"definition": "\u202e反向"},
                       {"examples": ["例"] * 11}, {"examples": ["字" * 501]},
                       {"examples": ["第一行\n第二行"]},
                       {"department_id": 0}, {"department_id": "1"},
                       {"department_id": 2**31}, {"owner_ids": [0]},
                       {"owner_ids": list(range(1, 12))}, {"visibility": "secret"},
                       {"status": "active"}, {"unknown": 1}):
            response = await cast.wangfang.api.post(TERMS, json={**valid, **change})
            assert response.status_code == 422, change
            assert error_code(response)
        response = await cast.wangfang.api.post(TERMS, json={**valid, "department_id": 999_999})
        assert (response.status_code, error_code(response)) == (422, "unknown_department")
        response = await cast.wangfang.api.post(TERMS, content=b"[1, 2",
                                                headers={"content-type": "application/json"})
        assert 400 <= response.status_code < 500
    # The longest of everything is taken whole.
    response = await cast.wangfang.api.post(TERMS, json={
        **valid, "term": "术" * 64, "aliases": [f"别名{i:02d}" + "字" * 60 for i in range(20)],
        "english": "E" * 128, "definition": "字" * 10_000, "examples": ["例" * 500] * 10})
    assert response.status_code == 201, response.text
    assert len(response.json()["aliases"]) == 20


async def test_a_writer_who_hides_a_term_from_themselves_is_answered(cast: Cast) -> None:
    """李娜 owns a 销售部 term from outside it: keeping it to 销售部 and handing it to 张伟
    is saved, and then she may no longer read it."""
    term = await make_term(cast, cast.zhangwei, "底价", "销售部", owner_ids=[cast.lina.id])
    response = await cast.lina.api.patch(f"{TERMS}/{term['id']}", json={
        "visibility": "department", "owner_ids": [cast.zhangwei.id]})
    assert response.status_code == 200, response.text
    assert (response.json()["visibility"], response.json()["can"]) == ("department", [])
    assert (await _get(cast.lina, term["id"])).status_code == 404
    assert (await _get(cast.zhangwei, term["id"])).json()["owner_ids"] == [cast.zhangwei.id]
