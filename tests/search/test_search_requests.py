"""Requests in search: a request is found by whoever sees it now — its requester, its
watchers, the receiving department (members and managers), the approvers of its flow — and
by nobody else, neither by a word nor by its number; a transfer moves who finds it. Hits of
both kinds come in one order, and `kind=` keeps one."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from sqlalchemy import delete

from tests.helpers import Cast, Person, create_channel, error_code, post
from tests.requests.test_requests import act, approval_tasks, countersign_flow, file, make_type
from tests.search.test_search_api import API, search
from xietong.requests.models import Status
from xietong.search.indexing import indexed_count, rebuild_everything
from xietong.search.models import ItemKind, SearchItem
from xietong.search.schemas import RequestStatus

REQUESTS = f"{API}/requests"


def hits(found: dict[str, Any]) -> list[tuple[str, int]]:
    return [(hit["kind"], hit[hit["kind"]]["id"]) for hit in found["items"]]


def request_ids(found: dict[str, Any]) -> list[int]:
    return [item_id for kind, item_id in hits(found) if kind == "request"]


async def sees(person: Person, request_id: int) -> bool:
    """Whether the request's own page shows it to `person` (or 404s)."""
    status = (await person.api.get(f"{REQUESTS}/{request_id}")).status_code
    assert status in (200, 404), (person.username, status)
    return status == 200


async def finds(person: Person, q: str) -> list[int]:
    """The requests `person` finds by `q`, over both kinds and with `kind=request`."""
    both = request_ids(await search(person, q))
    assert request_ids(await search(person, q, kind="request")) == both, (person.username, q)
    return both


@pytest.fixture
async def engineer(cast: Cast) -> Person:
    """赵磊, an engineer in 研发部 (李娜 manages it)."""
    return await cast.add_person("zhaolei", "赵磊", departments=("研发部",), title="工程师")


@pytest.fixture
async def agent(cast: Cast) -> Person:
    """陈静, an employee of another department: a 客服部 agent (王芳 manages it)."""
    return await cast.add_person("chenjing", "陈静", departments=("客服部",), title="客服专员")


async def test_a_request_is_found_by_those_who_see_it_and_nobody_else(
        cast: Cast, engineer: Person, agent: Person) -> None:
    filed = await file(cast.liuyang, department_id=cast.departments["研发部"],
                       title="客户演示环境需要新增报表导出",
                       description="华东区客户下周三演示，需要按季度导出销售报表",
                       watcher_ids=[cast.wangfang.id])
    request_id, number = filed["id"], filed["number"]
    queries = ("报表导出", "销售报表", number, number.split("-")[1], f"{number} 演示")
    # The requester, a watcher, the receiving department's manager and a member of it.
    for person in (cast.liuyang, cast.wangfang, cast.lina, engineer):
        for q in queries:
            assert await finds(person, q) == [request_id], (person.username, q)
    # Another department's employee; 销售部's manager, above the requester, not the
    # receiving side; the administrator and the owner, concerned by nothing here; the guest.
    for person in (agent, cast.zhangwei, cast.linxiaoyan, cast.zhoujianguo, cast.alex):
        for q in queries:
            found = await search(person, q)
            assert (found["items"], found["total"]) == ([], 0), (person.username, q)
        assert (await search(person, number, kind="request"))["items"] == []
        response = await person.api.get(f"{REQUESTS}/{request_id}")
        assert response.status_code == 404
        assert error_code(response) == "not_found"
    # One rule: whoever the request's page shows it to finds it, and only they.
    for person in cast.people.values():
        assert await sees(person, request_id) == bool(await finds(person, number)), \
            person.username


async def test_a_hit_is_the_requests_summary_with_its_matches_marked(cast: Cast) -> None:
    filed = await file(cast.liuyang, department_id=cast.departments["研发部"],
                       title="报表导出 <b>加急</b>",
                       description="华东区客户下周三演示，需要按季度导出销售报表")
    [hit] = (await search(cast.lina, "报表"))["items"]
    assert hit == {
        "kind": "request",
        "request": {"id": filed["id"], "number": filed["number"],
                    "title": "报表导出 <b>加急</b>", "status": "new",
                    "department": {"id": cast.departments["研发部"], "path": ["研发部"]}},
        "title_highlight": "<mark>报表</mark>导出 &lt;b&gt;加急&lt;/b&gt;",
        "highlight": "华东区客户下周三演示，需要按季度导出销售<mark>报表</mark>"}
    # The summary is the request as it is now; only the title matching: the description's
    # beginning.
    assert (await act(cast.lina, filed["id"], "accept")).status_code == 200
    [hit] = (await search(cast.lina, "加急"))["items"]
    assert hit["request"]["status"] == "accepted"
    assert hit["highlight"] == "华东区客户下周三演示，需要按季度导出销售报表"
    # A department below another is known by its path.
    below = await file(cast.zhangwei, department_id=cast.departments["华东区"],
                       title="华东区的展会物料")
    [hit] = (await search(cast.zhangwei, "展会物料"))["items"]
    assert hit["request"]["id"] == below["id"]
    assert hit["request"]["department"]["path"] == ["销售部", "华东区"]


async def test_the_approvers_of_its_flow_find_it(cast: Cast, engineer: Person) -> None:
    flow_id = await countersign_flow(cast)
    kind = await make_type(cast, fields=[], name="合同会签")
    changed = await cast.linxiaoyan.api.patch(f"{API}/request-types/{kind['id']}",
                                              json={"approval_flow_id": flow_id})
    assert changed.status_code == 200
    filed = await file(engineer, kind["id"], values={}, title="与恒达电子的年度框架合同")
    # 会签 by 销售部's and 客服部's managers: they find what they approve, before and after
    # deciding; 刘洋, in 销售部's region but no approver, does not.
    for approver in (cast.zhangwei, cast.wangfang):
        assert await finds(approver, "框架合同") == [filed["id"]]
    assert await finds(cast.liuyang, "框架合同") == []
    [task] = await approval_tasks(cast.zhangwei)
    decided = await cast.zhangwei.api.post(f"{API}/approvals/{task['id']}/decide",
                                           json={"decision": "approve"})
    assert decided.status_code == 200
    assert await finds(cast.zhangwei, "框架合同") == [filed["id"]]


async def test_after_a_transfer_the_new_department_finds_it_and_the_old_one_does_not(
        cast: Cast, engineer: Person, agent: Person) -> None:
    filed = await file(cast.zhangwei, department_id=cast.departments["研发部"],
                       title="老客户投诉导出功能失灵", watcher_ids=[cast.liuyang.id])
    assert (await act(engineer, filed["id"], "accept")).status_code == 200
    assert await finds(engineer, "导出功能") == [filed["id"]]
    assert await finds(agent, "导出功能") == []
    moved = await engineer.api.post(f"{REQUESTS}/{filed['id']}/transfer", json={
        "department_id": cast.departments["客服部"], "reason": "属于售后问题"})
    assert moved.status_code == 200, moved.text
    # 研发部, its member who had it and its manager, no longer find it, by word or number.
    for person in (engineer, cast.lina):
        for q in ("导出功能", filed["number"]):
            assert await finds(person, q) == [], (person.username, q)
        assert not await sees(person, filed["id"])
    # 客服部 does; the requester and the watcher still do.
    for person in (agent, cast.wangfang, cast.zhangwei, cast.liuyang):
        assert await finds(person, "导出功能") == [filed["id"]], person.username
        assert await sees(person, filed["id"])


async def test_chinese_words_are_found_in_the_title_description_and_form(cast: Cast) -> None:
    kind = await make_type(cast, name="财务系统对接", fields=[
        {"key": "system", "label": "涉及系统", "type": "text", "required": True},
        {"key": "detail", "label": "详细说明", "type": "long_text"},
        {"key": "quarter", "label": "季度", "type": "select", "options": ["Q1", "Q2", "Q3", "Q4"]},
        {"key": "budget", "label": "预算", "type": "money"},
        {"key": "contact", "label": "对接人", "type": "person"},
    ])
    filed = await file(cast.wangfang, kind["id"], title="供应商对账数据接入", values={
        "system": "用友财务系统", "detail": "年底前完成供应商对账单自动导入，减少人工核对",
        "quarter": "Q4", "budget": "86000", "contact": cast.lina.id})
    request_id = filed["id"]
    # jieba's words, in another order than the text's ("导入" then "对账单"), and bigrams
    # inside longer words; the form's text, its choice and its amount.
    for q in ("对账", "导入对账单", "人工核对", "财务系统", "用友", "86000", "供应商 Q4",
              "\"对账单自动导入\""):
        assert await finds(cast.wangfang, q) == [request_id], q
        assert await finds(cast.lina, q) == [request_id], q
    for q in ("人力资源", "\"导入对账单\"", "对账 -用友", "张伟"):
        assert await finds(cast.lina, q) == [], q
    [hit] = (await search(cast.lina, "人工核对"))["items"]
    assert "<mark>人工核对</mark>" in hit["highlight"]
    assert hit["title_highlight"] == "供应商对账数据接入"
    # from: the requester; has:file only with files.
    assert await finds(cast.lina, "对账 from:@wangfang") == [request_id]
    assert await finds(cast.lina, "对账 from:@zhangwei") == []
    assert await finds(cast.lina, "对账 has:file") == []


async def test_messages_and_requests_in_one_order(cast: Cast, engineer: Person) -> None:
    channel_id = await create_channel(cast.lina, "研发部闲聊", "private", engineer)
    first = await post(cast.lina, channel_id, "差旅报销流程下周改版")
    filed = await file(engineer, department_id=cast.departments["研发部"],
                       title="差旅报销系统权限申请")
    last = await post(engineer, channel_id, "报销单据模板已更新")
    newest_first = [("message", last["id"]), ("request", filed["id"]),
                    ("message", first["id"])]
    found = await search(cast.lina, "报销", sort="date")
    assert hits(found) == newest_first
    assert found["total"] == 3
    assert set(hits(await search(cast.lina, "报销"))) == set(newest_first)
    # Page by page, the same order, each page counting all of them.
    paged: list[tuple[str, int]] = []
    for offset in range(4):
        page = await search(cast.lina, "报销", sort="date", limit=1, offset=offset)
        assert page["total"] == 3
        paged += hits(page)
    assert paged == newest_first
    # One kind, or the other.
    assert hits(await search(cast.lina, "报销", kind="request")) == [("request", filed["id"])]
    only_messages = await search(cast.lina, "报销", kind="message", sort="date")
    assert hits(only_messages) == [("message", last["id"]), ("message", first["id"])]
    assert only_messages["total"] == 2
    # A channel holds messages only.
    assert hits(await search(cast.lina, "报销 in:#研发部闲聊", sort="date")) == [
        ("message", last["id"]), ("message", first["id"])]
    in_channel = await search(cast.lina, "报销", channel_id=channel_id, kind="request")
    assert (in_channel["items"], in_channel["total"]) == ([], 0)
    # Messages keep their shape.
    message_hit = (await search(cast.lina, "单据模板"))["items"][0]
    assert set(message_hit) == {"kind", "message", "highlight"}
    assert message_hit["message"]["channel_id"] == channel_id


async def test_a_guest_who_watches_a_request_finds_it(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "顾问项目", "private", cast.alex)
    shared = await post(cast.zhangwei, channel_id, "渠道合作方案请顾问过目")
    watched = await file(cast.zhangwei, department_id=cast.departments["研发部"],
                         title="渠道合作方案的系统对接", watcher_ids=[cast.alex.id])
    other = await file(cast.zhangwei, department_id=cast.departments["研发部"],
                       title="渠道合作方案的内部评估")
    found = await search(cast.alex, "渠道合作方案", sort="date")
    assert hits(found) == [("request", watched["id"]), ("message", shared["id"])]
    assert await sees(cast.alex, watched["id"])
    assert not await sees(cast.alex, other["id"])
    assert await finds(cast.alex, other["number"]) == []


async def test_rebuilding_the_index_brings_requests_back(cast: Cast) -> None:
    channel_id = await create_channel(cast.lina, "重建", "private", cast.zhangwei)
    await post(cast.lina, channel_id, "年度预算讨论")
    filed = await file(cast.zhangwei, department_id=cast.departments["研发部"],
                       title="年度预算系统上线")
    async with cast.runtime.unit_of_work() as uow:
        await uow.session.execute(delete(SearchItem))
    assert (await search(cast.lina, "年度预算"))["items"] == []
    async with cast.runtime.unit_of_work() as uow:
        assert await rebuild_everything(uow) == [("messages", 1), ("requests", 1),
                                                 ("projects", 0), ("tasks", 0),
                                                 ("objectives", 0), ("pages", 0),
                                                 ("terms", 0)]
        assert await indexed_count(uow, ItemKind.REQUEST) == 1
    assert await finds(cast.lina, "年度预算") == [filed["id"]]
    assert await finds(cast.lina, filed["number"]) == [filed["id"]]
    assert len((await search(cast.lina, "年度预算"))["items"]) == 2


@pytest.mark.parametrize("kind", ["file", "", "REQUEST", "message,request"])
async def test_an_unknown_kind_is_refused(cast: Cast, kind: str) -> None:
    response = await cast.lina.api.get(f"{API}/search", params={"q": "报销", "kind": kind})
    assert response.status_code == 422, (kind, response.text)
    assert error_code(response) == "invalid"


def test_a_hits_status_is_one_of_the_requests() -> None:
    assert set(get_args(RequestStatus)) == {status.value for status in Status}
