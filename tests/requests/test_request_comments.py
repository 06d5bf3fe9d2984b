"""A request's discussion: who may take part, what the requester's answer does to a request
waiting for them, who hears of a comment — and every refusal writing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_inputs import Unchanged
from tests.helpers import Cast, Follow, Person, create_channel, error_code, post
from tests.requests.test_requests import act, approval_tasks, countersign_flow, file, make_type

REQUESTS = "/api/v1/requests"


async def comment(person: Person, request_id: int, body: Any) -> Any:
    return await person.api.post(f"{REQUESTS}/{request_id}/comments", json={"body": body})


async def comments(person: Person, request_id: int) -> list[tuple[int | None, str]]:
    timeline = (await person.api.get(f"{REQUESTS}/{request_id}/timeline")).json()["items"]
    return [(e["actor_id"], e["data"]["body"]) for e in timeline if e["kind"] == "comment"]


@pytest.fixture
async def filed(cast: Cast) -> dict[str, Any]:
    """王芳 (客服部) asks 研发部, which 李娜 manages; 张伟 watches."""
    return await file(cast.wangfang, department_id=cast.departments["研发部"],
                      watcher_ids=[cast.zhangwei.id])


async def test_those_it_concerns_discuss_it_in_its_timeline(cast: Cast,
                                                            filed: dict[str, Any]) -> None:
    request_id = filed["id"]
    said = [(cast.wangfang, "客户下周一要演示，麻烦尽快 🙏"),
            (cast.lina, "收到，今天排期。\n需要一份客户的数据样例。"),
            (cast.zhangwei, "样例我来发 <b>不是标签</b>")]
    for person, text in said:
        response = await comment(person, request_id, f"  {text}\n")
        assert response.status_code == 201, response.text
    # In order, trimmed, as written (no markup made of it).
    expected = [(person.id, text) for person, text in said]
    for person in (cast.wangfang, cast.lina, cast.zhangwei):
        assert await comments(person, request_id) == expected
    # A comment is not a response: the response clock still runs.
    assert (await cast.wangfang.api.get(f"{REQUESTS}/{request_id}")).json()[
        "first_response_at"] is None


async def test_those_it_does_not_concern_cannot_comment(cast: Cast, filed: dict[str, Any],
                                                        unchanged: Unchanged) -> None:
    async with unchanged:
        # Another department's member and a guest: there is no such request for them.
        for person in (cast.liuyang, cast.alex):
            response = await comment(person, filed["id"], "我也想说两句")
            assert response.status_code == 404, (person.username, response.text)
        assert (await comment(cast.lina, 999_999, "没有这个工单")).status_code == 404


@pytest.mark.parametrize("body", ["", "   \n\t ", "字" * 10_001, 42, None, ["列表"],
                                  "\u202e反向文本"])
async def test_a_bad_comment_is_refused_and_nothing_written(
        cast: Cast, filed: dict[str, Any], unchanged: Unchanged, body: Any) -> None:
    async with unchanged:
        response = await comment(cast.wangfang, filed["id"], body)
    assert response.status_code == 422, response.text
    error_code(response)


async def test_a_closed_request_takes_no_more_comments(cast: Cast, filed: dict[str, Any],
                                                       unchanged: Unchanged) -> None:
    assert (await act(cast.wangfang, filed["id"], "withdraw")).status_code == 200
    async with unchanged:
        response = await comment(cast.wangfang, filed["id"], "算了，还是要做")
    assert response.status_code == 409, response.text
    assert error_code(response) == "request_closed"


async def test_the_requesters_answer_resumes_a_request_waiting_for_them(
        cast: Cast, filed: dict[str, Any]) -> None:
    request_id = filed["id"]
    assert (await act(cast.lina, request_id, "start")).status_code == 200
    assert (await act(cast.lina, request_id, "wait", "请补充客户的数据样例")).status_code == 200
    paused = (await cast.lina.api.get(f"{REQUESTS}/{request_id}")).json()
    assert paused["status"] == "waiting"
    # A watcher's word is not the requester's answer: still waiting.
    response = await comment(cast.zhangwei, request_id, "我问一下客户")
    assert response.json()["status"] == "waiting"
    # The requester's is: back to where it was, its clocks running again.
    response = await comment(cast.wangfang, request_id, "样例已上传到共享盘")
    assert response.status_code == 201, response.text
    resumed = response.json()
    assert resumed["status"] == "in_progress"
    assert resumed["paused_at"] is None
    timeline = (await cast.wangfang.api.get(f"{REQUESTS}/{request_id}/timeline")).json()["items"]
    assert [(e["kind"], e["data"].get("action")) for e in timeline[-2:]] == [
        ("comment", None), ("transition", "resume")]


async def test_whoever_is_in_the_conversation_hears_of_a_comment(
        cast: Cast, filed: dict[str, Any], follow: Follow) -> None:
    await follow.held()
    await comment(cast.wangfang, filed["id"], "客户下周一要演示，麻烦尽快")
    await follow.catch_up()

    async def heard(person: Person) -> list[tuple[str, str]]:
        page = (await person.api.get("/api/v1/notifications")).json()
        return [(n["title"], n["body"]) for n in page["items"]]

    title = f"王芳 评论了工单：{filed['title']}"
    # Unassigned: the receiving department's manager, and the watcher; not the writer.
    assert await heard(cast.lina) == [(title, "客户下周一要演示，麻烦尽快")]
    assert await heard(cast.zhangwei) == [(title, "客户下周一要演示，麻烦尽快")]
    assert await heard(cast.wangfang) == []
    # Once assigned, the assignee hears (not the manager), and the requester does.
    await cast.lina.api.post(f"{REQUESTS}/{filed['id']}/assign",
                             json={"assignee_id": cast.lina.id})
    long_text = "好的，" + "细节" * 200
    await comment(cast.lina, filed["id"], long_text)
    await follow.catch_up()
    newest = (await heard(cast.wangfang))[0]
    assert newest[0] == f"李娜 评论了工单：{filed['title']}"
    assert len(newest[1]) == 140
    assert newest[1].endswith("…")


async def test_a_message_becomes_a_request_for_whoever_may_read_it(
        cast: Cast, unchanged: Unchanged) -> None:
    channel_id = await create_channel(cast.wangfang, "客服日常", "private", cast.zhangwei)
    said = await post(cast.zhangwei, channel_id, "客户说报表导出一直失败，\n能否请研发看看？")
    research = cast.departments["研发部"]
    # Its words are the description when none is given; the request remembers where from.
    filed = await file(cast.wangfang, department_id=research, source_message_id=said["id"])
    assert filed["description"] == "客户说报表导出一直失败，\n能否请研发看看？"
    assert filed["source_message_id"] == said["id"]
    own = await file(cast.zhangwei, department_id=research, source_message_id=said["id"],
                     description="补充：华东区门店都遇到了")
    assert own["description"] == "补充：华东区门店都遇到了"
    # A message the filer cannot read, a deleted one, one that never was: no such message,
    # and nothing filed (its words do not leak into a request).
    deleted = await post(cast.zhangwei, channel_id, "发错了")
    assert (await cast.zhangwei.api.delete(f"/api/v1/messages/{deleted['id']}")).status_code \
        == 204
    async with unchanged:
        for person, message_id in ((cast.lina, said["id"]), (cast.wangfang, deleted["id"]),
                                   (cast.wangfang, 999_999)):
            response = await person.api.post(REQUESTS, json={
                "title": "转工单", "department_id": cast.departments["销售部"],
                "source_message_id": message_id})
            assert response.status_code == 404, (person.username, response.text)


async def test_the_requester_hears_how_the_approval_ended_and_approvers_that_it_waits(
        cast: Cast, follow: Follow) -> None:
    await follow.held()
    flow_id = await countersign_flow(cast)
    kind = await make_type(cast, fields=[], name="合同会签")
    await cast.linxiaoyan.api.patch(f"/api/v1/request-types/{kind['id']}",
                                    json={"approval_flow_id": flow_id})
    filed = await file(cast.liuyang, kind["id"], values={}, title="与恒达电子的年度合同")
    await follow.catch_up()
    for approver in (cast.zhangwei, cast.wangfang):
        page = (await approver.api.get("/api/v1/notifications")).json()["items"]
        assert [(n["kind"], n["title"]) for n in page] == [
            ("approval_waiting", "刘洋 的审批等待你处理：与恒达电子的年度合同")]
        [task] = await approval_tasks(approver)
        await approver.api.post(f"/api/v1/approvals/{task['id']}/decide",
                                json={"decision": "approve"})
    await follow.catch_up()
    page = (await cast.liuyang.api.get("/api/v1/notifications")).json()["items"]
    assert page[0]["title"] == f"工单的审批已通过，请确认：{filed['title']}"
    assert page[0]["link"] == f"/requests/{filed['id']}"


async def test_an_approver_sees_the_request_but_does_not_join_its_discussion(
        cast: Cast, unchanged: Unchanged) -> None:
    flow_id = await countersign_flow(cast)
    kind = await make_type(cast, fields=[], name="合同会签")
    await cast.linxiaoyan.api.patch(f"/api/v1/request-types/{kind['id']}",
                                    json={"approval_flow_id": flow_id})
    filed = await file(cast.liuyang, kind["id"], values={}, title="与恒达电子的年度合同")
    seen = (await cast.zhangwei.api.get(f"{REQUESTS}/{filed['id']}")).json()
    assert "comment" not in seen["can"]
    async with unchanged:
        response = await comment(cast.zhangwei, filed["id"], "合同金额需要再确认")
    assert response.status_code == 403, response.text
    assert error_code(response) == "not_yours"
