"""Search over HTTP: the real send/edit/delete paths index; results respect who may read
what now; the query language; highlights; bad input."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import Cast, Person, create_channel, post

API = "/api/v1"


async def search(person: Person, q: str, **params: Any) -> dict[str, Any]:
    response = await person.api.get(f"{API}/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(found: dict[str, Any]) -> list[int]:
    return [hit["message"]["id"] for hit in found["items"]]


async def test_a_sent_message_is_found_with_its_highlight(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "销售周会", "private", cast.lina)
    sent = await post(cast.zhangwei, channel_id, "明天下午开会讨论Q3报价单，<b>别迟到</b>")
    await post(cast.zhangwei, channel_id, "午饭吃什么")
    found = await search(cast.lina, "报价")
    assert ids(found) == [sent["id"]]
    assert found["total"] == 1
    hit = found["items"][0]
    assert hit["message"]["channel_id"] == channel_id
    assert hit["highlight"] == ("明天下午开会讨论Q3<mark>报价</mark>单，&lt;b&gt;别迟到&lt;/b&gt;")


# --- the index follows sends, edits and deletes ---------------------------------------------

async def test_edits_reindex_and_deletes_vanish(cast: Cast) -> None:
    channel_id = await create_channel(cast.lina, "研发周会", "private", cast.zhangwei)
    sent = await post(cast.lina, channel_id, "支付服务今晚部署")
    assert ids(await search(cast.zhangwei, "部署")) == [sent["id"]]
    response = await cast.lina.api.patch(f"{API}/messages/{sent['id']}",
                                         json={"text": "支付服务改到明晚上线"})
    assert response.status_code == 200
    assert ids(await search(cast.zhangwei, "部署")) == []
    assert ids(await search(cast.zhangwei, "上线")) == [sent["id"]]
    response = await cast.lina.api.delete(f"{API}/messages/{sent['id']}")
    assert response.status_code == 204
    found = await search(cast.zhangwei, "上线")
    assert found == {"items": [], "total": 0, "total_capped": False, "warnings": []}


async def test_results_follow_who_may_read_now(cast: Cast) -> None:
    private = await create_channel(cast.zhangwei, "大客户报价", "private", cast.liuyang)
    public = await create_channel(cast.lina, "技术分享", "public")
    secret = await post(cast.zhangwei, private, "华润的底价是八折，别外传")
    shared = await post(cast.lina, public, "华润的系统下周演示")
    assert set(ids(await search(cast.liuyang, "华润"))) == {secret["id"], shared["id"]}
    # Not a member of the private channel: its messages are not found, public ones are.
    assert ids(await search(cast.wangfang, "华润")) == [shared["id"]]
    # A guest reads only the channels they were added to.
    assert ids(await search(cast.alex, "华润")) == []
    # Removed from the private channel: its messages are no longer found.
    response = await cast.zhangwei.api.delete(
        f"{API}/channels/{private}/members/{cast.liuyang.id}")
    assert response.status_code == 204
    assert ids(await search(cast.liuyang, "华润")) == [shared["id"]]
    # Asking for a channel one cannot read is the same 404 as reading it.
    response = await cast.liuyang.api.get(f"{API}/search",
                                          params={"q": "华润", "channel_id": private})
    assert response.status_code == 404


# --- the query language ---------------------------------------------------------------------

async def test_filters_of_the_query_language(cast: Cast) -> None:
    sales = await create_channel(cast.zhangwei, "销售部群", "private", cast.liuyang, cast.lina)
    rnd = await create_channel(cast.lina, "研发部群", "private", cast.zhangwei)
    quote = await post(cast.zhangwei, sales, "Q3报价单发给客户了")
    mine = await post(cast.liuyang, sales, "报价单我也看过了，没问题")
    reply = await post(cast.lina, sales, "报价单的技术部分我补充了", thread_root_id=quote["id"])
    elsewhere = await post(cast.lina, rnd, "报价单里的接口费用要改 @张伟")

    async def found(q: str, person: Person | None = None) -> set[int]:
        return set(ids(await search(person or cast.zhangwei, q)))

    everything = {quote["id"], mine["id"], reply["id"], elsewhere["id"]}
    assert await found("报价单") == everything
    assert await found("报价单 in:#销售部群") == {quote["id"], mine["id"], reply["id"]}
    assert await found("报价单 from:@liuyang") == {mine["id"]}
    assert await found("报价单 from:刘洋") == {mine["id"]}
    assert await found("报价单 from:@me") == {quote["id"]}
    assert await found("is:thread 报价单") == {quote["id"], reply["id"]}
    assert await found("@me") == {elsewhere["id"]}
    assert await found("报价单 -技术") == everything - {reply["id"]}
    assert await found('"报价单发给"') == {quote["id"]}
    assert await found("Q3报价") == {quote["id"]}
    assert await found("報價單 ＱＵ") == set()
    assert await found("报价单 before:2000-01-01") == set()
    assert await found("报价单 after:today") == set()
    nobody = await search(cast.zhangwei, "报价单 from:@nobody-at-all")
    assert nobody["items"] == []
    assert nobody["warnings"]
    unknown = await search(cast.zhangwei, "报价单 in:#没有这个群")
    assert unknown["items"] == []
    assert unknown["warnings"]


async def test_sort_by_date_and_paging(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "日报", "private")
    sent = [await post(cast.zhangwei, channel_id, f"日报 第{n}天 进度正常") for n in range(7)]
    newest_first = [m["id"] for m in reversed(sent)]
    page = await search(cast.zhangwei, "日报", sort="date", limit=3)
    assert ids(page) == newest_first[:3]
    assert page["total"] == 7
    page = await search(cast.zhangwei, "日报", sort="date", limit=3, offset=3)
    assert ids(page) == newest_first[3:6]
    ranked = await search(cast.zhangwei, "日报", limit=100)
    assert set(ids(ranked)) == set(newest_first)
    assert ranked["total"] == 7
    # Only filters, no words: everything they select, newest first.
    assert ids(await search(cast.zhangwei, "", sender_id=cast.zhangwei.id)) == newest_first


async def test_highlights_are_safe_html(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "安全", "private")
    text = '<script>alert("报价")</script> & <img src=x onerror=alert(1)> 報價 ＡＰＩ'
    await post(cast.zhangwei, channel_id, text)
    [hit] = (await search(cast.zhangwei, "报价 api"))["items"]
    assert hit["highlight"] == (
        "&lt;script&gt;alert(&quot;<mark>报价</mark>&quot;)&lt;/script&gt; &amp; "
        "&lt;img src=x onerror=alert(1)&gt; <mark>報價</mark> <mark>ＡＰＩ</mark>")
    long_text = "前言。" * 200 + "这里提到了预算审批。" + "后记。" * 200
    await post(cast.zhangwei, channel_id, long_text)
    [hit] = (await search(cast.zhangwei, "预算"))["items"]
    assert "<mark>预算</mark>" in hit["highlight"]
    assert hit["highlight"].startswith("…")
    assert hit["highlight"].endswith("…")
    assert len(hit["highlight"]) < 260


BAD_QUERIES = [
    '"unbalanced quote', 'a"b"c"', "NEAR(报价 合同)", "报价 AND OR NOT", "*", "报价*",
    "-", "--", "- -报价", "!!!", "。，、；：？！", "()", "{报价}", "报价^2", "col:报价",
    "in:", "from:", "before:notadate", "after:2024-13-45", "has:magic", "is:", "@",
    "'; DROP TABLE messages; --", "1 OR 1=1", "报价' OR '1'='1", "\\", "%_%", "\t报价",
    "\u202e报价", "🙂", "報價\u3000單", "a" * 64 + "b", "報" * 999, "NOT", "OR 报价",
    "in:#\n", "from:@'; --",
]


async def test_bad_queries_never_fail(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "杂项", "public")
    await post(cast.zhangwei, channel_id, "报价单和合同都发了 OR 1=1")
    for q in BAD_QUERIES:
        response = await cast.zhangwei.api.get(f"{API}/search", params={"q": q})
        assert response.status_code == 200, (q, response.text)
        assert set(response.json()) == {"items", "total", "total_capped", "warnings"}
    for q in ("报价 " * 400, "x" * 10_000, "\x00报价", "in:#\x00"):
        response = await cast.zhangwei.api.get(f"{API}/search", params={"q": q})
        assert response.status_code == 422, q
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"sort": "random"},
                   {"channel_id": 0}, {"sender_id": 2**40}, {"before": "yesterday-ish"},
                   {"tz": 9999}):
        response = await cast.zhangwei.api.get(f"{API}/search", params={"q": "报价", **params})
        assert response.status_code == 422, params
    async with httpx.AsyncClient(transport=cast.client._transport,
                                 base_url=cast.client.base_url) as anonymous:
        response = await anonymous.get(f"{API}/search", params={"q": "报价"})
    assert response.status_code == 401


async def test_long_and_repetitive_messages_index(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "长消息", "private")
    long_text = ("哈" * 5000 + " 合同条款 " + "spam " * 1500 + "ＥＮＤ结尾" + "x" * 3000)[:16_000]
    sent = await post(cast.zhangwei, channel_id, long_text)
    assert ids(await search(cast.zhangwei, "合同条款")) == [sent["id"]]
    assert ids(await search(cast.zhangwei, "哈哈 spam")) == [sent["id"]]
    assert ids(await search(cast.zhangwei, "end结尾")) == [sent["id"]]


async def test_rebuild_index_restores_what_was_sent(cast: Cast) -> None:
    from sqlalchemy import delete

    from xietong.search.indexing import indexed_count, rebuild_index
    from xietong.search.models import SearchItem

    channel_id = await create_channel(cast.lina, "重建", "private", cast.zhangwei)
    root = await post(cast.lina, channel_id, "接口联调计划")
    reply = await post(cast.zhangwei, channel_id, "联调我来跟", thread_root_id=root["id"])
    gone = await post(cast.lina, channel_id, "联调取消了")
    assert (await cast.lina.api.delete(f"{API}/messages/{gone['id']}")).status_code == 204
    async with cast.runtime.unit_of_work() as uow:
        await uow.session.execute(delete(SearchItem))
    assert ids(await search(cast.lina, "联调")) == []
    async with cast.runtime.unit_of_work() as uow:
        assert await rebuild_index(uow) == 2
        assert await indexed_count(uow) == 2
    assert set(ids(await search(cast.lina, "联调"))) == {root["id"], reply["id"]}
    assert set(ids(await search(cast.lina, "联调 is:thread"))) == {root["id"], reply["id"]}
    # Editing the root keeps it in its thread.
    response = await cast.lina.api.patch(f"{API}/messages/{root['id']}",
                                         json={"text": "接口联调计划（更新）"})
    assert response.status_code == 200
    assert set(ids(await search(cast.lina, "联调 is:thread"))) == {root["id"], reply["id"]}
