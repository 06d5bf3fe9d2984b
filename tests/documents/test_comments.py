"""Comments on a page: threads on the page or on a range (its quote and Yjs relative
positions kept as given), replies, edits and removals by whom the rules allow, resolving and
reopening, `@` mentions that reach the notification centre only for people who may read the
page, replies that tell the thread's other writers, hostile input refused with nothing
written, and `doc.comment_changed` on the socket for the page's readers only."""

from __future__ import annotations

import base64
from typing import Any

import pycrdt
import pytest

from tests.api_inputs import Unchanged
from tests.documents.helpers import (
    PAGES,
    department_grant,
    make_page,
    person_grant,
    set_page_grants,
    space_id_of,
)
from tests.helpers import Cast, Follow, Person, error_code
from tests.realtime.wsclient import Socket

NOTIFICATIONS = "/api/v1/notifications"


def positions(text: str, start: int, end: int) -> tuple[str, str]:
    """A range of a real Yjs text as the web client sends it: two encoded relative
    positions, base64."""
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    body = doc.get("body", type=pycrdt.Text)
    body += text
    encoded = (body.sticky_index(start, pycrdt.Assoc.AFTER).encode(),
               body.sticky_index(end, pycrdt.Assoc.BEFORE).encode())
    return base64.b64encode(encoded[0]).decode(), base64.b64encode(encoded[1]).decode()


def anchor(quote: str = "发布流程") -> dict[str, str]:
    start, end = positions(f"第一章 {quote} 结束", 4, 4 + len(quote))
    return {"quote": quote, "start": start, "end": end}


def url(page: dict[str, Any], *rest: object) -> str:
    return "/".join([f"{PAGES}/{page['id']}/comments", *map(str, rest)])


async def threads(person: Person, page: dict[str, Any], status: str = "all",
                  ) -> dict[str, Any]:
    answer = await person.api.get(url(page), params={"status": status})
    assert answer.status_code == 200, answer.text
    listed: dict[str, Any] = answer.json()
    return listed


async def start(person: Person, page: dict[str, Any], text: str,
                **body: Any) -> dict[str, Any]:
    answer = await person.api.post(url(page), json={"text": text, **body})
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


async def reply(person: Person, page: dict[str, Any], thread_id: int,
                text: str) -> dict[str, Any]:
    answer = await person.api.post(url(page, thread_id, "replies"), json={"text": text})
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


@pytest.fixture
async def page(cast: Cast) -> dict[str, Any]:
    """研发部's 发布手册: 研发部 edits it (李娜 manages its space), the company comments."""
    made = await make_page(cast.lina, await space_id_of(cast, "研发部"), "发布手册")
    await set_page_grants(cast.lina, made["id"], [
        department_grant(cast, "研发部", "edit"), {"subject": "everyone", "level": "comment"}])
    return made


async def test_threads_on_a_range_and_on_the_page_with_replies(cast: Cast,
                                                               page: dict[str, Any]) -> None:
    member = await cast.add_person("zengzhiwei", "曾志伟", departments=("研发部",))
    ranged = anchor("灰度发布")
    thread = await start(member, page, "这一步要写清楚**回滚**条件", anchor=ranged)
    assert thread["anchor"] == ranged  # the positions come back byte for byte
    assert (thread["page_id"], thread["resolved_at"], thread["resolved_by"]) == (
        page["id"], None, None)
    [first] = thread["comments"]
    assert (first["id"], first["thread_id"], first["author_id"]) == (
        thread["id"], thread["id"], member.id)
    assert "<strong>回滚</strong>" in first["html"]
    on_page = await start(cast.lina, page, "整体结构不错")
    assert on_page["anchor"] is None
    answer = await reply(cast.lina, page, thread["id"], "好的，我来补充")
    assert (answer["thread_id"], answer["author_id"]) == (thread["id"], cast.lina.id)
    # Every reader lists the same threads, in the order they began, replies in order.
    listed = await threads(cast.wangfang, page)
    assert (listed["open_count"], listed["resolved_count"]) == (2, 0)
    assert [[c["text"] for c in t["comments"]] for t in listed["items"]] == [
        ["这一步要写清楚**回滚**条件", "好的，我来补充"], ["整体结构不错"]]
    assert listed["items"][0]["anchor"] == ranged
    # A reply is to a thread, not to a reply; a thread of another page is not found here.
    nested = await cast.lina.api.post(url(page, answer["id"], "replies"), json={"text": "嗯"})
    assert (nested.status_code, error_code(nested)) == (404, "not_found")
    other = await make_page(cast.lina, page["space_id"], "另一页")
    elsewhere = await cast.lina.api.post(url(other, thread["id"], "replies"),
                                         json={"text": "嗯"})
    assert elsewhere.status_code == 404


async def test_resolving_and_reopening_and_the_filter(cast: Cast, page: dict[str, Any]) -> None:
    first = await start(cast.zhangwei, page, "这里有错别字", anchor=anchor())
    second = await start(cast.wangfang, page, "建议加目录")
    resolved = await cast.lina.api.post(url(page, first["id"], "resolve"))
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolved_by"] == cast.lina.id
    assert resolved.json()["resolved_at"] is not None
    again = await cast.lina.api.post(url(page, first["id"], "resolve"))
    assert again.json()["resolved_at"] == resolved.json()["resolved_at"]
    assert [t["id"] for t in (await threads(cast.liuyang, page, "open"))["items"]] == [
        second["id"]]
    shown = await threads(cast.liuyang, page, "resolved")
    assert [t["id"] for t in shown["items"]] == [first["id"]]
    assert (shown["open_count"], shown["resolved_count"]) == (1, 1)
    assert (await cast.lina.api.get(url(page), params={"status": "closed"})).status_code == 422
    # Reopened by hand; resolved again, a reply reopens it.
    reopened = await cast.zhangwei.api.post(url(page, first["id"], "reopen"))
    assert (reopened.json()["resolved_at"], reopened.json()["resolved_by"]) == (None, None)
    await cast.zhangwei.api.post(url(page, first["id"], "resolve"))
    await reply(cast.wangfang, page, first["id"], "还有一处没改")
    assert (await threads(cast.lina, page))["open_count"] == 2
    # Only threads are resolved, not replies.
    listed = await threads(cast.lina, page)
    a_reply = listed["items"][0]["comments"][1]["id"]
    assert (await cast.lina.api.post(url(page, a_reply, "resolve"))).status_code == 404


async def test_who_may_do_what_level_by_level(cast: Cast, page: dict[str, Any],
                                              unchanged: Unchanged) -> None:
    # 王芳 comments, 刘洋 only reads, Alex (a guest) is not let in.
    commenter, reader, outsider = cast.wangfang, cast.liuyang, cast.alex
    await set_page_grants(cast.lina, page["id"], [
        department_grant(cast, "研发部", "edit"), person_grant(commenter, "comment"),
        person_grant(reader, "view")])
    thread = await start(commenter, page, "请补充联系人")
    answer = await reply(cast.lina, page, thread["id"], "已补充")
    assert [t["id"] for t in (await threads(reader, page))["items"]] == [thread["id"]]
    async with unchanged:
        for method, path, body in (
                ("post", url(page), {"text": "读者也想说"}),
                ("post", url(page, thread["id"], "replies"), {"text": "读者也想说"}),
                ("post", url(page, thread["id"], "resolve"), None),
                ("post", url(page, thread["id"], "reopen"), None),
                ("patch", url(page, thread["id"]), {"text": "改"}),
                ("delete", url(page, thread["id"]), None)):
            refused = await reader.api.request(method, path, json=body)
            assert (refused.status_code, error_code(refused)) == (
                403, "page_level_too_low"), path
            hidden = await outsider.api.request(method, path, json=body)
            assert (hidden.status_code, error_code(hidden)) == (404, "not_found"), path
        assert (await outsider.api.get(url(page))).status_code == 404
        # A commenter edits and removes only their own; the page's manager removes any, and
        # edits none but their own.
        for person, method in ((commenter, "patch"), (commenter, "delete"),
                               (cast.lina, "patch")):
            other = answer if person is commenter else thread
            refused = await person.api.request(method, url(page, other["id"]),
                                               json={"text": "改"} if method == "patch" else None)
            assert (refused.status_code, error_code(refused)) == (403, "not_your_comment")
    edited = await commenter.api.patch(url(page, thread["id"]), json={"text": "请补充值班联系人"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["edited_at"] is not None
    assert (await cast.lina.api.delete(url(page, answer["id"]))).status_code == 204
    assert [len(t["comments"]) for t in (await threads(reader, page))["items"]] == [1]
    # Removing the first comment removes the thread and its replies.
    await reply(cast.lina, page, thread["id"], "再补一句")
    assert (await commenter.api.delete(url(page, thread["id"]))).status_code == 204
    assert (await threads(reader, page))["items"] == []
    # An archived space's pages are only read: commenting there waits for unarchiving.
    await cast.lina.api.patch(f"/api/v1/spaces/{page['space_id']}", json={"archived": True})
    archived = await cast.lina.api.post(url(page), json={"text": "归档后"})
    assert (archived.status_code, error_code(archived)) == (409, "space_archived")


async def test_a_trashed_page_keeps_its_threads_out_of_sight(cast: Cast,
                                                             page: dict[str, Any]) -> None:
    thread = await start(cast.zhangwei, page, "这个页面还要吗？")
    assert (await cast.lina.api.delete(f"{PAGES}/{page['id']}")).status_code == 204
    assert (await cast.lina.api.get(url(page))).status_code == 404
    assert (await cast.lina.api.post(url(page, thread["id"], "replies"),
                                     json={"text": "要"})).status_code == 404
    assert (await cast.lina.api.post(f"{PAGES}/{page['id']}/restore")).status_code == 200
    assert [t["id"] for t in (await threads(cast.lina, page))["items"]] == [thread["id"]]


@pytest.mark.parametrize("body", [
    {"text": ""}, {"text": "   \n "}, {"text": "长" * 10_001}, {"text": 5}, {},
    {"text": "看", "extra": 1},
    {"text": "看", "anchor": {"quote": "", "start": "AAE=", "end": "AAE="}},
    {"text": "看", "anchor": {"quote": "字" * 1_001, "start": "AAE=", "end": "AAE="}},
    {"text": "看", "anchor": {"quote": "发布", "start": "not base64!", "end": "AAE="}},
    {"text": "看", "anchor": {"quote": "发布", "start": "AAE=", "end": ""}},
    {"text": "看", "anchor": {"quote": "发布", "start": "AAE"}},
    {"text": "看", "anchor": {"quote": "发布", "start": "QQ==" * 200, "end": "AAE="}},
    {"text": "看", "anchor": {"quote": "发布", "start": base64.b64encode(bytes(513)).decode(),
                              "end": "AAE="}},
    {"text": "看", "anchor": "第一段"},
    {"text": "看\u202e", "anchor": None},
])
async def test_bad_comments_are_refused_and_nothing_is_written(
        cast: Cast, page: dict[str, Any], unchanged: Unchanged, body: dict[str, Any]) -> None:
    thread = await start(cast.lina, page, "先有一条")
    async with unchanged:
        made = await cast.lina.api.post(url(page), json=body)
        assert made.status_code == 422, made.text
        assert error_code(made) in ("invalid", "doc_comment_empty"), made.text
        if "anchor" not in body and "extra" not in body:
            replied = await cast.lina.api.post(url(page, thread["id"], "replies"), json=body)
            assert replied.status_code == 422, replied.text
            edited = await cast.lina.api.patch(url(page, thread["id"]), json=body)
            assert edited.status_code == 422, edited.text


async def test_unicode_and_markdown_are_kept_and_sanitised(cast: Cast,
                                                            page: dict[str, Any]) -> None:
    text = "👍🏽 见 <script>alert(1)</script> [链接](javascript:alert(1)) `代码 @李娜`"
    quote = "𠮷野家 — «引号» ✓"
    made = await start(cast.lina, page, text, anchor=anchor(quote))
    [comment] = made["comments"]
    assert comment["text"] == text
    assert made["anchor"]["quote"] == quote
    assert "<script" not in comment["html"]
    assert "&lt;script&gt;" in comment["html"]
    assert 'href="javascript' not in comment["html"]
    assert comment["mentioned_ids"] == []  # in code, a name is not a mention


async def test_mentions_reach_only_those_who_may_read_the_page(
        cast: Cast, page: dict[str, Any], follow: Follow) -> None:
    member = await cast.add_person("zengzhiwei", "曾志伟", departments=("研发部",))
    # Only 研发部 and 王芳 read it now; 张伟 (销售部) and Alex do not.
    await set_page_grants(cast.lina, page["id"], [
        department_grant(cast, "研发部", "edit"), person_grant(cast.wangfang, "comment")])
    await follow.held()
    made = await start(member, page, "@王芳 @张伟 @alex @lina 请看一下灰度步骤",
                       anchor=anchor("灰度"))
    [comment] = made["comments"]
    assert sorted(comment["mentioned_ids"]) == sorted([cast.wangfang.id, cast.lina.id])
    assert comment["html"].count('class="mention"') == 2
    await follow.catch_up()
    link = f"/docs/pages/{page['id']}?comment={made['id']}"
    for person in (cast.wangfang, cast.lina):
        [notice] = (await person.api.get(NOTIFICATIONS)).json()["items"]
        assert (notice["kind"], notice["title"], notice["link"]) == (
            "doc_comment_mention", "曾志伟 在文档评论中提到了你：发布手册", link)
        assert notice["body"].startswith("@王芳 @张伟")
    for person in (cast.zhangwei, cast.alex, member):
        assert (await person.api.get(NOTIFICATIONS)).json()["items"] == [], person.username
    # A reply tells the thread's other writers; whom it mentions hear of the mention only.
    await reply(cast.lina, page, made["id"], "收到 @曾志伟")
    await follow.catch_up()
    [told] = (await member.api.get(NOTIFICATIONS)).json()["items"]
    assert (told["kind"], told["title"]) == ("doc_comment_mention",
                                            "李娜 在文档评论中提到了你：发布手册")
    await reply(cast.wangfang, page, made["id"], "没问题")
    await follow.catch_up()

    async def kinds(person: Person) -> list[str]:
        return [n["kind"] for n in (await person.api.get(NOTIFICATIONS)).json()["items"]]

    assert [await kinds(p) for p in (member, cast.lina, cast.wangfang)] == [
        ["doc_comment_reply", "doc_comment_mention"],
        ["doc_comment_reply", "doc_comment_mention"], ["doc_comment_mention"]]
    # Someone who can no longer read the page when the event is handled hears nothing.
    await reply(member, page, made["id"], "@王芳 再确认一次")
    await set_page_grants(cast.lina, page["id"], [department_grant(cast, "研发部", "edit")])
    await follow.catch_up()
    assert await kinds(cast.wangfang) == ["doc_comment_mention"]
    assert await kinds(cast.lina) == ["doc_comment_reply"] * 2 + ["doc_comment_mention"]
    # An edit that adds a mention tells only the newly mentioned (王芳, gone, is not).
    reader = await cast.add_person("zhouqiang", "周强", departments=("研发部",))
    edited = await member.api.patch(url(page, made["id"]),
                                    json={"text": "@王芳 @lina @周强 请看一下"})
    assert sorted(edited.json()["mentioned_ids"]) == sorted([cast.lina.id, reader.id])
    await follow.catch_up()
    assert await kinds(reader) == ["doc_comment_mention"]
    assert len(await kinds(cast.lina)) == 3


async def test_changes_reach_the_pages_readers_live(cast: Cast, live_server: str) -> None:
    space = await space_id_of(cast, "研发部")
    page = await make_page(cast.lina, space, "值班手册")
    await set_page_grants(cast.lina, page["id"], [
        department_grant(cast, "研发部", "edit"), person_grant(cast.wangfang, "view")])
    sockets = {name: await Socket.open(live_server, cast.people[name].token)
               for name in ("lina", "wangfang", "zhangwei")}
    kind = "doc.comment_changed"
    try:
        made = await start(cast.lina, page, "交接时间改成 9 点", anchor=anchor("交接"))
        for name in ("lina", "wangfang"):
            data = (await sockets[name].wait_for(kind, change="created"))["data"]
            assert (data["page_id"], data["thread_id"], data["comment_id"],
                    data["actor_id"]) == (page["id"], made["id"], made["id"], cast.lina.id)
            assert data["thread"] == made  # the thread as a fetch shows it
        answer = await reply(cast.lina, page, made["id"], "已通知大家")
        data = (await sockets["wangfang"].wait_for(kind, change="replied"))["data"]
        assert data["comment_id"] == answer["id"]
        assert data["thread"] == (await threads(cast.wangfang, page))["items"][0]
        await cast.lina.api.post(url(page, made["id"], "resolve"))
        data = (await sockets["wangfang"].wait_for(kind, change="resolved"))["data"]
        assert data["thread"] == (await threads(cast.wangfang, page))["items"][0]
        assert (await cast.lina.api.delete(url(page, made["id"]))).status_code == 204
        data = (await sockets["wangfang"].wait_for(kind, change="deleted"))["data"]
        assert (data["thread"], data["thread_id"]) == (None, made["id"])
        await sockets["zhangwei"].quiet(0.3)
        assert [f for f in sockets["zhangwei"].events if f["type"] == kind] == []
    finally:
        for socket in sockets.values():
            await socket.close()
