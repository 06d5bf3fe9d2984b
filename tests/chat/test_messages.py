"""Messages through the HTTP API: rendering, limits, idempotent sends, edits, deletes,
threads, reactions, pins, history pages and mentions."""

from __future__ import annotations

import asyncio
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.helpers import PASSWORD, Cast, Person, create_channel, error_code, post
from xietong.chat.models import Reaction
from xietong.org import actions as org_actions

API = "/api/v1"
XSS_PAYLOADS = Path(__file__).with_name("xss_payloads.txt")


async def get_message(person: Person, message_id: int) -> dict[str, Any]:
    response = await person.api.get(f"{API}/messages/{message_id}")
    assert response.status_code == 200, response.text
    message: dict[str, Any] = response.json()
    return message


async def history(person: Person, channel_id: int, **params: int) -> dict[str, Any]:
    response = await person.api.get(f"{API}/channels/{channel_id}/messages",
                                    params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def reaction_url(message_id: int, emoji: str) -> str:
    return f"{API}/messages/{message_id}/reactions/{quote(emoji, safe='')}"


async def my_channel(person: Person, channel_id: int) -> dict[str, Any]:
    response = await person.api.get(f"{API}/channels")
    assert response.status_code == 200
    found: dict[str, Any] = next(c for c in response.json()["items"] if c["id"] == channel_id)
    return found


# --- content -----------------------------------------------------------------------------

async def test_markdown_is_rendered_and_the_source_kept(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "周报", "private", cast.lina)
    text = "本周 **签约 3 单**，详见 `报价表`\n\n- 华东\n- 华南"
    sent = await post(cast.zhangwei, channel_id, text)
    assert sent["text"] == text
    assert "<strong>签约 3 单</strong>" in sent["html"]
    assert "<code>报价表</code>" in sent["html"]
    assert "<li>华东</li>" in sent["html"]
    assert sent["sender_id"] == cast.zhangwei.id
    assert sent["channel_id"] == channel_id
    assert sent["deleted"] is False
    assert sent["edited_at"] is None
    fetched = (await history(cast.lina, channel_id))["items"]
    assert [(m["id"], m["html"]) for m in fetched] == [(sent["id"], sent["html"])]


class _Markup(HTMLParser):
    """The tags and attributes a browser would build from an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "img", "svg", "form",
                  "input", "meta", "link", "base", "math", "frame", "video", "audio"}
URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


def xss_payloads() -> list[str]:
    payloads = []
    for line in XSS_PAYLOADS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            payloads.append(line.replace("⏎", "\n"))
    return payloads


def assert_inert(html: str, payload: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered, (payload, html)
    markup = _Markup()
    markup.feed(html)
    markup.close()
    for tag, attrs in markup.tags:
        assert tag not in DANGEROUS_TAGS, (payload, html)
        for name, value in attrs:
            assert not name.startswith("on"), (payload, html)  # onerror=, onclick=, …
            scheme = URL_NOISE.sub("", value or "").lower()
            assert not scheme.startswith(("javascript:", "vbscript:", "data:")), (payload, html)


async def test_xss_payloads_sent_through_the_api_render_inert(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "安全测试", "private", cast.lina)
    payloads = xss_payloads()
    assert len(payloads) > 200
    sent: dict[int, str] = {}
    for payload in payloads:
        if not payload.strip():
            continue
        message = await post(cast.zhangwei, channel_id, payload)
        assert message["text"] == payload
        assert_inert(message["html"], payload)
        sent[message["id"]] = payload
    # What other people load is just as inert.
    for message in (await history(cast.lina, channel_id, limit=200))["items"]:
        assert_inert(message["html"], sent[message["id"]])
    # The checker itself catches what it is meant to catch.
    for dangerous in ('<script>x</script>', '<a href="javascript:x">a</a>',
                      '<a href=" java\tscript:x">a</a>', '<p onclick="x">p</p>'):
        with pytest.raises(AssertionError):
            assert_inert(dangerous, dangerous)


async def test_sixteen_thousand_characters_is_the_limit(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "长文", "private", cast.lina)
    longest = "协" * 16_000  # characters, not bytes: 48 KB of UTF-8
    sent = await post(cast.zhangwei, channel_id, longest)
    assert sent["text"] == longest
    assert (await get_message(cast.lina, sent["id"]))["text"] == longest

    for too_long in ("协" * 16_001, "a" * 16_001):
        response = await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/messages",
                                                json={"text": too_long})
        assert response.status_code == 422
        assert error_code(response) == "invalid"
        edit = await cast.zhangwei.api.patch(f"{API}/messages/{sent['id']}",
                                             json={"text": too_long})
        assert edit.status_code == 422
        assert error_code(edit) == "invalid"
    assert [m["id"] for m in (await history(cast.lina, channel_id))["items"]] == [sent["id"]]


@pytest.mark.parametrize("text", ["", " ", "   \n\t  ", "\u3000\u3000", "\n\n"])
async def test_empty_messages_are_refused(cast: Cast, text: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "空消息", "private", cast.lina)
    response = await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/messages",
                                            json={"text": text})
    assert response.status_code == 422
    assert error_code(response) == "empty_message"
    sent = await post(cast.zhangwei, channel_id, "有内容")
    edit = await cast.zhangwei.api.patch(f"{API}/messages/{sent['id']}", json={"text": text})
    assert edit.status_code == 422
    assert error_code(edit) == "empty_message"
    assert [m["text"] for m in (await history(cast.lina, channel_id))["items"]] == ["有内容"]


# --- idempotent sends --------------------------------------------------------------------

async def test_same_client_msg_id_returns_the_first_message(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "重试", "private", cast.lina)
    url = f"{API}/channels/{channel_id}/messages"
    body = {"text": "合同已寄出", "client_msg_id": "a1b2c3d4-0001"}
    first = await cast.zhangwei.api.post(url, json=body)
    assert first.status_code == 201
    retry = await cast.zhangwei.api.post(url, json=body)
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json()["client_msg_id"] == "a1b2c3d4-0001"
    # Someone else's client may pick the same id: that is their own, new message.
    other = await cast.lina.api.post(url, json={"text": "收到", "client_msg_id": "a1b2c3d4-0001"})
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert other.json()["sender_id"] == cast.lina.id
    texts = [m["text"] for m in (await history(cast.lina, channel_id))["items"]]
    assert texts == ["合同已寄出", "收到"]


async def test_a_client_msg_id_is_its_senders_own_per_channel(cast: Cast) -> None:
    """Clients key retries per conversation: the same id in another channel is a new message
    there, not the first channel's message answered back."""
    first_id = await create_channel(cast.zhangwei, "甲群", "private", cast.lina)
    second_id = await create_channel(cast.zhangwei, "乙群", "private", cast.wangfang)
    body = {"text": "同一个客户端编号", "client_msg_id": "outbox-7"}
    first = await cast.zhangwei.api.post(f"{API}/channels/{first_id}/messages", json=body)
    second = await cast.zhangwei.api.post(f"{API}/channels/{second_id}/messages",
                                          json={**body, "text": "另一个群的消息"})
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert second.json()["channel_id"] == second_id
    assert second.json()["text"] == "另一个群的消息"
    assert [m["text"] for m in (await history(cast.wangfang, second_id))["items"]] == [
        "另一个群的消息"]
    # A retry in either channel still finds that channel's own message.
    again = await cast.zhangwei.api.post(f"{API}/channels/{second_id}/messages", json=body)
    assert again.status_code == 200
    assert again.json()["id"] == second.json()["id"]


async def test_a_removed_member_cannot_read_an_old_message_through_its_client_id(
        cast: Cast) -> None:
    private_id = await create_channel(cast.zhangwei, "机密", "private", cast.lina)
    mine = await post(cast.lina, private_id, "我的旧消息", client_msg_id="lina-1")
    await post(cast.zhangwei, private_id, "回复", thread_root_id=mine["id"])
    await cast.zhangwei.api.put(f"{API}/messages/{mine['id']}/reactions/%F0%9F%91%8D")
    await cast.zhangwei.api.put(f"{API}/messages/{mine['id']}/pin")
    removed = await cast.zhangwei.api.delete(
        f"{API}/channels/{private_id}/members/{cast.lina.id}")
    assert removed.status_code == 204
    open_id = await create_channel(cast.lina, "公开讨论", "public")
    reused = await cast.lina.api.post(f"{API}/channels/{open_id}/messages",
                                      json={"text": "新消息", "client_msg_id": "lina-1"})
    assert reused.status_code == 201, reused.text
    got = reused.json()
    assert (got["channel_id"], got["text"], got["reactions"], got["pinned"],
            got["reply_count"]) == (open_id, "新消息", {}, False, 0)
    # And the old channel stays closed to the same id.
    back = await cast.lina.api.post(f"{API}/channels/{private_id}/messages",
                                    json={"text": "x", "client_msg_id": "lina-1"})
    assert back.status_code == 404


async def test_concurrent_retries_post_exactly_one_message(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "弱网", "private", cast.lina)
    url = f"{API}/channels/{channel_id}/messages"
    body = {"text": "地铁里发的消息", "client_msg_id": "retry-storm-42"}
    responses = await asyncio.gather(*(cast.zhangwei.api.post(url, json=body)
                                       for _ in range(10)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 9 + [201], [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len((await history(cast.lina, channel_id))["items"]) == 1
    assert (await my_channel(cast.lina, channel_id))["unread_count"] == 1


# --- edits and deletes -------------------------------------------------------------------

async def test_author_edits_and_the_history_keeps_each_version(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "改稿", "private", cast.lina)
    sent = await post(cast.zhangwei, channel_id, "周五下午三点开会")
    url = f"{API}/messages/{sent['id']}"
    first = await cast.zhangwei.api.patch(url, json={"text": "周五下午**四点**开会"})
    assert first.status_code == 200
    assert first.json()["text"] == "周五下午**四点**开会"
    assert "<strong>四点</strong>" in first.json()["html"]
    assert first.json()["edited_at"] is not None
    second = await cast.zhangwei.api.patch(url, json={"text": "周六上午十点开会"})
    assert second.status_code == 200

    seen = await get_message(cast.lina, sent["id"])
    assert seen["text"] == "周六上午十点开会"
    assert seen["edited_at"] is not None
    assert seen["created_at"] == sent["created_at"]
    edits = await cast.lina.api.get(f"{url}/history")
    assert edits.status_code == 200
    assert [e["text"] for e in edits.json()["items"]] == ["周五下午三点开会",
                                                          "周五下午**四点**开会"]


async def test_nobody_edits_another_persons_message(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "只改自己的", "private",
                                      cast.lina, cast.linxiaoyan, cast.zhoujianguo)
    sent = await post(cast.lina, channel_id, "原文")
    # Not a member, the channel's admin, the organisation's admin, nor its owner.
    for other in (cast.wangfang, cast.zhangwei, cast.linxiaoyan, cast.zhoujianguo):
        response = await other.api.patch(f"{API}/messages/{sent['id']}", json={"text": "篡改"})
        assert response.status_code in ((404,) if other is cast.wangfang else (403,)), \
            other.username
    after = await get_message(cast.lina, sent["id"])
    assert after["text"] == "原文"
    assert after["edited_at"] is None
    assert (await cast.lina.api.get(f"{API}/messages/{sent['id']}/history")).json()["items"] == []


async def test_delete_leaves_a_tombstone(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "撤回", "private", cast.lina)
    sent = await post(cast.lina, channel_id, "发错群了 @zhangwei")
    after = await post(cast.zhangwei, channel_id, "后面的消息")
    assert (await cast.zhangwei.api.put(reaction_url(sent["id"], "👍"))).status_code == 204
    assert (await cast.zhangwei.api.put(f"{API}/messages/{sent['id']}/pin")).status_code == 204
    assert (await cast.lina.api.patch(f"{API}/messages/{sent['id']}",
                                      json={"text": "发错群了!"})).status_code == 200

    response = await cast.lina.api.delete(f"{API}/messages/{sent['id']}")
    assert response.status_code == 204
    tomb = await get_message(cast.zhangwei, sent["id"])
    assert tomb["deleted"] is True
    assert tomb["text"] == ""
    assert tomb["html"] == ""
    assert tomb["reactions"] == {}
    assert tomb["pinned"] is False
    assert tomb["mentions"]["user_ids"] == []
    assert (await cast.zhangwei.api.get(f"{API}/messages/{sent['id']}/history")
            ).json()["items"] == []
    assert (await cast.zhangwei.api.get(f"{API}/channels/{channel_id}/pins")).json() == []
    # It keeps its place in history, empty.
    items = (await history(cast.zhangwei, channel_id))["items"]
    assert [(m["id"], m["deleted"], m["text"]) for m in items] == [
        (sent["id"], True, ""), (after["id"], False, "后面的消息")]
    # Deleting twice is harmless; reacting to a tombstone is not allowed.
    assert (await cast.lina.api.delete(f"{API}/messages/{sent['id']}")).status_code == 204
    react = await cast.zhangwei.api.put(reaction_url(sent["id"], "👍"))
    assert react.status_code == 422
    assert (await get_message(cast.zhangwei, sent["id"]))["reactions"] == {}


async def test_who_may_delete(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "删除权限", "private",
                                      cast.lina, cast.wangfang, cast.linxiaoyan)
    by_lina = [await post(cast.lina, channel_id, f"李娜的消息{n}") for n in range(3)]

    refused = await cast.wangfang.api.delete(f"{API}/messages/{by_lina[0]['id']}")
    assert refused.status_code == 403
    assert error_code(refused) == "forbidden"
    outsider = await cast.liuyang.api.delete(f"{API}/messages/{by_lina[0]['id']}")
    assert outsider.status_code == 404
    assert (await get_message(cast.lina, by_lina[0]["id"]))["deleted"] is False

    # The author, the channel's admin, and the organisation's admin may.
    for person, message in zip((cast.lina, cast.zhangwei, cast.linxiaoyan), by_lina, strict=True):
        response = await person.api.delete(f"{API}/messages/{message['id']}")
        assert response.status_code == 204, person.username
        assert (await get_message(cast.wangfang, message["id"]))["deleted"] is True


# --- threads -----------------------------------------------------------------------------

async def test_thread_replies_count_list_and_followers(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "方案讨论", "private",
                                      cast.lina, cast.wangfang, cast.liuyang)
    root = await post(cast.zhangwei, channel_id, "新报价方案请大家看看")
    assert root["reply_count"] == 0
    first = await post(cast.lina, channel_id, "技术上可行", thread_root_id=root["id"])
    assert first["thread_root_id"] == root["id"]
    assert (await get_message(cast.zhangwei, root["id"]))["reply_count"] == 1
    second = await post(cast.wangfang, channel_id, "@刘洋 客户那边你跟一下",
                        thread_root_id=root["id"])
    root_now = await get_message(cast.zhangwei, root["id"])
    assert root_now["reply_count"] == 2
    assert root_now["last_reply_at"] == second["created_at"]

    thread = await cast.liuyang.api.get(f"{API}/messages/{root['id']}/thread")
    assert thread.status_code == 200
    body = thread.json()
    assert body["root"]["id"] == root["id"]
    assert [r["id"] for r in body["replies"]] == [first["id"], second["id"]]
    assert [r["text"] for r in body["replies"]] == ["技术上可行", "@刘洋 客户那边你跟一下"]
    # The root's author, each replier and whoever a reply mentioned follow the thread.
    assert set(body["follower_ids"]) == {cast.zhangwei.id, cast.lina.id, cast.wangfang.id,
                                         cast.liuyang.id}

    # Replies live in the thread, not in the channel's history.
    assert [m["id"] for m in (await history(cast.lina, channel_id))["items"]] == [root["id"]]


async def test_replies_go_to_top_level_messages_of_the_same_channel(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "主频道", "private", cast.lina)
    other_id = await create_channel(cast.zhangwei, "别的频道", "private", cast.lina)
    root = await post(cast.zhangwei, channel_id, "根消息")
    reply = await post(cast.lina, channel_id, "回复", thread_root_id=root["id"])
    elsewhere = await post(cast.zhangwei, other_id, "另一个频道的消息")
    url = f"{API}/channels/{channel_id}/messages"
    for bad_root in (reply["id"], elsewhere["id"], 999_999):
        response = await cast.lina.api.post(url, json={"text": "套娃",
                                                       "thread_root_id": bad_root})
        assert response.status_code == 422, bad_root
        assert error_code(response) == "bad_thread_root"
    assert (await get_message(cast.lina, root["id"]))["reply_count"] == 1
    assert (await get_message(cast.lina, elsewhere["id"]))["reply_count"] == 0
    of_reply = await cast.lina.api.get(f"{API}/messages/{reply['id']}/thread")
    assert of_reply.status_code == 422


async def test_concurrent_replies_are_all_counted(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "热帖", "private",
                                      cast.lina, cast.wangfang, cast.liuyang)
    root = await post(cast.zhangwei, channel_id, "今晚聚餐去哪？")
    url = f"{API}/channels/{channel_id}/messages"
    people = (cast.lina, cast.wangfang, cast.liuyang)
    responses = await asyncio.gather(*(
        people[n % 3].api.post(url, json={"text": f"我投{n}号", "thread_root_id": root["id"]})
        for n in range(15)))
    assert [r.status_code for r in responses] == [201] * 15
    thread = (await cast.zhangwei.api.get(f"{API}/messages/{root['id']}/thread")).json()
    assert len(thread["replies"]) == 15
    assert thread["root"]["reply_count"] == 15


# --- reactions and pins ------------------------------------------------------------------

async def test_reactions_are_idempotent(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "点赞", "private", cast.lina, cast.wangfang)
    sent = await post(cast.zhangwei, channel_id, "本月业绩达成 120%")
    mid = sent["id"]
    for _ in range(2):
        assert (await cast.lina.api.put(reaction_url(mid, "👍"))).status_code == 204
    assert (await cast.wangfang.api.put(reaction_url(mid, "👍"))).status_code == 204
    # "+1" is the shortcode of 👍: the same reaction, already there.
    assert (await cast.wangfang.api.put(reaction_url(mid, "+1"))).status_code == 204
    assert (await cast.lina.api.put(reaction_url(mid, "🎉"))).status_code == 204
    assert (await cast.wangfang.api.put(reaction_url(mid, "🙏"))).status_code == 204
    reactions = (await get_message(cast.zhangwei, mid))["reactions"]
    assert reactions == {"👍": [cast.lina.id, cast.wangfang.id], "🎉": [cast.lina.id],
                         "🙏": [cast.wangfang.id]}

    for _ in range(2):
        assert (await cast.lina.api.delete(reaction_url(mid, "👍"))).status_code == 204
    assert (await cast.wangfang.api.delete(reaction_url(mid, "🙏"))).status_code == 204
    # Removing what one never added is a no-op, not someone else's reaction gone.
    assert (await cast.zhangwei.api.delete(reaction_url(mid, "🎉"))).status_code == 204
    reactions = (await get_message(cast.zhangwei, mid))["reactions"]
    assert reactions == {"👍": [cast.wangfang.id], "🎉": [cast.lina.id]}


async def test_double_clicked_reaction_is_one_reaction(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "连点", "private", cast.lina)
    sent = await post(cast.zhangwei, channel_id, "好消息")
    for emoji in ("👍", "🎉", "+1", ":thumbsup:"):
        responses = await asyncio.gather(*(cast.lina.api.put(reaction_url(sent["id"], emoji))
                                           for _ in range(6)))
        assert [r.status_code for r in responses] == [204] * 6, [r.text for r in responses]
    assert (await get_message(cast.zhangwei, sent["id"]))["reactions"] == {
        "👍": [cast.lina.id], "🎉": [cast.lina.id]}


NOT_EMOJI = ["a", "ok", "thumbsup", ":nope:", "👍👍", "👍 ok", "1", "×", "🏽", "🇿🇿",
             "\u200d", ":thumbsup::heart:", "<b>", "%", "赞", "x" * 64]


async def test_a_reaction_must_be_an_emoji_or_a_known_shortcode(cast: Cast) -> None:
    """Reactions are emoji: words, several emoji, a skin-tone swatch alone or a flag of no
    country are refused on adding and on removing, and nothing is stored or announced."""
    channel_id = await create_channel(cast.zhangwei, "表情", "private", cast.lina)
    sent = await post(cast.zhangwei, channel_id, "周五聚餐？")
    for raw in NOT_EMOJI:
        for method in ("PUT", "DELETE"):
            response = await cast.lina.api.request(method, reaction_url(sent["id"], raw))
            assert response.status_code == 422, (raw, method, response.text)
            assert error_code(response) == "bad_emoji", raw
    assert (await get_message(cast.zhangwei, sent["id"]))["reactions"] == {}


async def test_shortcodes_become_their_emoji(cast: Cast) -> None:
    """Whatever form a client sends, a reaction is kept (and announced) as the fully
    qualified emoji: shortcodes, CLDR names, "❤" without its variation selector."""
    channel_id = await create_channel(cast.zhangwei, "短代码", "private", cast.lina,
                                      cast.wangfang)
    mid = (await post(cast.zhangwei, channel_id, "新版本上线了"))["id"]
    sent = [(cast.lina, [":thumbsup:", ":heart:", ":tada:", "👍🏽", "🇨🇳"]),
            (cast.wangfang, [":+1:", "\u2764", ":thumbs_up:", "-1", "👨\u200d👩\u200d👧"])]
    for person, forms in sent:
        for raw in forms:
            response = await person.api.put(reaction_url(mid, raw))
            assert response.status_code == 204, (raw, response.text)
    assert (await get_message(cast.zhangwei, mid))["reactions"] == {
        "👍": [cast.lina.id, cast.wangfang.id], "❤\ufe0f": [cast.lina.id, cast.wangfang.id],
        "🎉": [cast.lina.id], "👍🏽": [cast.lina.id], "🇨🇳": [cast.lina.id],
        "👎": [cast.wangfang.id], "👨\u200d👩\u200d👧": [cast.wangfang.id]}
    # Removed under any of its names.
    for raw in ("+1", "❤\ufe0f"):
        assert (await cast.wangfang.api.delete(reaction_url(mid, raw))).status_code == 204
    assert (await cast.lina.api.delete(reaction_url(mid, ":thumbs_up:"))).status_code == 204
    reactions = (await get_message(cast.zhangwei, mid))["reactions"]
    assert "👍" not in reactions
    assert reactions["❤\ufe0f"] == [cast.lina.id]


async def test_a_reaction_kept_before_the_emoji_rule_can_still_be_taken_back(
        cast: Cast) -> None:
    """Reactions stored as text before reactions had to be emoji ("ok", an unqualified
    "❤") are removed by their exact text, and the removal is announced as it was kept."""
    channel_id = await create_channel(cast.zhangwei, "旧表情", "private", cast.lina)
    mid = (await post(cast.zhangwei, channel_id, "老消息"))["id"]
    async with cast.runtime.unit_of_work() as uow:
        for emoji in ("ok", "\u2764"):
            uow.session.add(Reaction(message_id=mid, emoji=emoji, user_id=cast.lina.id))
    assert set((await get_message(cast.zhangwei, mid))["reactions"]) == {"ok", "\u2764"}
    for emoji in ("ok", "\u2764"):
        response = await cast.lina.api.delete(reaction_url(mid, emoji))
        assert response.status_code == 204, (emoji, response.text)
    assert (await get_message(cast.zhangwei, mid))["reactions"] == {}
    # Nothing left under that text: a word is a bad emoji again.
    assert error_code(await cast.lina.api.delete(reaction_url(mid, "ok"))) == "bad_emoji"


async def test_pins_are_listed_newest_first(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "置顶", "private", cast.lina)
    rules = await post(cast.zhangwei, channel_id, "群规：工作时间勿刷屏")
    await post(cast.lina, channel_id, "好的")
    schedule = await post(cast.zhangwei, channel_id, "值班表见共享盘")
    pins_url = f"{API}/channels/{channel_id}/pins"
    assert (await cast.lina.api.get(pins_url)).json() == []
    assert (await cast.lina.api.put(f"{API}/messages/{rules['id']}/pin")).status_code == 204
    assert (await cast.lina.api.put(f"{API}/messages/{rules['id']}/pin")).status_code == 204
    assert (await cast.zhangwei.api.put(f"{API}/messages/{schedule['id']}/pin")).status_code == 204
    pins = (await cast.lina.api.get(pins_url)).json()
    assert [p["id"] for p in pins] == [schedule["id"], rules["id"]]
    assert all(p["pinned"] for p in pins)
    assert (await get_message(cast.lina, rules["id"]))["pinned"] is True

    assert (await cast.zhangwei.api.delete(f"{API}/messages/{rules['id']}/pin")).status_code == 204
    assert [p["id"] for p in (await cast.lina.api.get(pins_url)).json()] == [schedule["id"]]
    assert (await get_message(cast.lina, rules["id"]))["pinned"] is False


# --- history pages -----------------------------------------------------------------------

async def test_history_pages_return_every_message_once_in_order(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "翻页", "private", cast.lina)
    ids = []
    for n in range(120):
        message = await post(cast.zhangwei if n % 3 else cast.lina, channel_id, f"消息{n}")
        ids.append(message["id"])
        if n % 40 == 7:  # thread replies are not part of the channel's history
            await post(cast.lina, channel_id, f"回复{n}", thread_root_id=message["id"])
    url = f"{API}/channels/{channel_id}/messages"

    # Backwards from the newest, as a client scrolls up.
    newest = (await cast.lina.api.get(url, params={"limit": 25})).json()
    assert [m["id"] for m in newest["items"]] == ids[-25:]
    assert newest["before"] == ids[-25]
    seen: list[int] = []
    sizes: list[int] = []
    page = newest
    for _ in range(10):
        seen = [m["id"] for m in page["items"]] + seen
        sizes.append(len(page["items"]))
        if page["before"] is None:
            break
        page = (await cast.lina.api.get(url, params={"before": page["before"],
                                                     "limit": 25})).json()
    assert seen == ids
    # The page holding the first message says there is nothing before it.
    assert sizes == [25, 25, 25, 25, 20]

    # Forwards from the start, as a client catching up.
    seen = []
    sizes = []
    cursor = 0
    for _ in range(10):
        page = (await cast.lina.api.get(url, params={"after": cursor, "limit": 50})).json()
        seen += [m["id"] for m in page["items"]]
        sizes.append(len(page["items"]))
        if page["after"] is None:
            break
        cursor = page["after"]
    assert seen == ids
    assert sizes == [50, 50, 20]

    # Around a message (a search hit, a link): that message with its neighbours.
    around = (await cast.lina.api.get(url, params={"around": ids[60], "limit": 11})).json()
    assert [m["id"] for m in around["items"]] == ids[55:66]
    assert (around["before"], around["after"]) == (ids[55], ids[65])
    older = (await cast.lina.api.get(url, params={"before": around["before"],
                                                  "limit": 5})).json()
    assert [m["id"] for m in older["items"]] == ids[50:55]
    newer = (await cast.lina.api.get(url, params={"after": around["after"], "limit": 5})).json()
    assert [m["id"] for m in newer["items"]] == ids[66:71]
    near_start = (await cast.lina.api.get(url, params={"around": ids[1], "limit": 10})).json()
    assert [m["id"] for m in near_start["items"]] == ids[:10]
    assert near_start["before"] is None
    near_end = (await cast.lina.api.get(url, params={"around": ids[-1], "limit": 10})).json()
    assert [m["id"] for m in near_end["items"]] == ids[-6:]
    assert near_end["after"] is None


async def test_history_cursors_may_not_be_combined(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "游标", "private", cast.lina)
    sent = await post(cast.zhangwei, channel_id, "一条")
    url = f"{API}/channels/{channel_id}/messages"
    only = (await cast.lina.api.get(url)).json()
    assert [m["id"] for m in only["items"]] == [sent["id"]]
    assert only["before"] is None
    for params in ({"before": sent["id"], "after": 0},
                   {"before": sent["id"], "around": sent["id"]},
                   {"after": 0, "around": sent["id"]}):
        response = await cast.lina.api.get(url, params=params)
        assert response.status_code == 400, params
        assert error_code(response) == "bad_request"
    for params in ({"limit": 0}, {"limit": 201}, {"before": -1}):
        response = await cast.lina.api.get(url, params=params)
        assert response.status_code == 422, params
        assert error_code(response) == "invalid"


# --- mentions ----------------------------------------------------------------------------

async def test_people_are_mentioned_by_username_and_name(cast: Cast) -> None:
    channel_id = await create_channel(cast.lina, "需求评审", "private",
                                      cast.zhangwei, cast.wangfang)
    by_username = await post(cast.lina, channel_id, "@zhangwei 看下这个需求")
    assert by_username["mentions"] == {"user_ids": [cast.zhangwei.id], "department_ids": [],
                                       "all": False}
    by_name = await post(cast.lina, channel_id, "@张伟你好，客户反馈已收到")
    assert by_name["mentions"]["user_ids"] == [cast.zhangwei.id]
    two = await post(cast.lina, channel_id, "@王芳 和 @ZhangWei: 下午对齐")
    assert two["mentions"]["user_ids"] == sorted([cast.wangfang.id, cast.zhangwei.id])
    not_mentions = await post(cast.lina, channel_id, "邮件发 zhangwei@example.com，`@王芳`")
    assert not_mentions["mentions"]["user_ids"] == []

    assert (await my_channel(cast.zhangwei, channel_id))["mention_count"] == 3
    assert (await my_channel(cast.wangfang, channel_id))["mention_count"] == 1
    assert (await my_channel(cast.lina, channel_id))["mention_count"] == 0


async def test_mentions_are_marked_in_the_html_also_after_an_edit(cast: Cast) -> None:
    channel_id = await create_channel(cast.lina, "需求评审", "private", cast.zhangwei)
    sent = await post(cast.lina, channel_id, "@张伟 看下，`@张伟` 和 @不存在 不算")
    assert sent["html"] == (
        f'<p><span class="mention" data-mention="user:{cast.zhangwei.id}">@张伟</span> 看下，'
        "<code>@张伟</code> 和 @不存在 不算</p>\n")
    edited = await cast.lina.api.patch(f"/api/v1/messages/{sent['id']}",
                                       json={"text": "改为 @lina 自己跟进"})
    assert edited.status_code == 200, edited.text
    assert (f'<span class="mention" data-mention="user:{cast.lina.id}">@lina</span>'
            in edited.json()["html"])
    assert edited.json()["html"].count("<span") == 1


async def test_department_mention_notifies_its_people_in_the_channel(cast: Cast) -> None:
    with_lina = await create_channel(cast.zhangwei, "联合攻关", "private",
                                     cast.lina, cast.wangfang)
    without_lina = await create_channel(cast.zhangwei, "销售内部", "private", cast.wangfang)
    rnd = cast.departments["研发部"]
    sent = await post(cast.zhangwei, with_lina, "@研发部 请评估工期")
    assert sent["mentions"]["department_ids"] == [rnd]
    assert (await my_channel(cast.lina, with_lina))["mention_count"] == 1
    assert (await my_channel(cast.wangfang, with_lina))["mention_count"] == 0

    outside = await post(cast.zhangwei, without_lina, "@研发部 他们不在这里")
    assert outside["mentions"]["department_ids"] == [rnd]
    lina_channels = (await cast.lina.api.get(f"{API}/channels")).json()["items"]
    assert without_lina not in {c["id"] for c in lina_channels}
    assert (await my_channel(cast.wangfang, without_lina))["mention_count"] == 0

    # A department mention reaches its sub-departments' people too.
    sales = await post(cast.lina, with_lina, "@销售部 报价呢")
    assert sales["mentions"]["department_ids"] == [cast.departments["销售部"]]
    assert (await my_channel(cast.zhangwei, with_lina))["mention_count"] == 1


async def test_at_all_in_a_small_channel_notifies_everyone(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "小组", "private",
                                      cast.lina, cast.wangfang, cast.liuyang)
    sent = await post(cast.liuyang, channel_id, "@all 明早九点开会")
    assert sent["mentions"]["all"] is True
    for person in (cast.zhangwei, cast.lina, cast.wangfang):
        assert (await my_channel(person, channel_id))["mention_count"] == 1, person.username
    assert (await my_channel(cast.liuyang, channel_id))["mention_count"] == 0
    chinese = await post(cast.liuyang, channel_id, "@所有人 改到十点")
    assert chinese["mentions"]["all"] is True
    assert (await my_channel(cast.lina, channel_id))["mention_count"] == 2


async def test_at_all_in_a_large_channel_is_for_admins(cast: Cast) -> None:
    async with cast.runtime.unit_of_work() as uow:
        crowd = [await org_actions.do_create_user(
            uow, None, username=f"staff{n:02d}", display_name=f"员工{n:02d}",
            password=PASSWORD, passwords=cast.runtime.passwords,
            department_ids=[cast.departments["客服部"]]) for n in range(51)]
    crowd_ids = [user.id for user in crowd]
    # 张伟 (its admin), 刘洋 and 48 more: 50 people, the most where anyone may @all.
    response = await cast.zhangwei.api.post(f"{API}/channels", json={
        "name": "全体客服", "kind": "private",
        "member_ids": [cast.liuyang.id, cast.linxiaoyan.id, *crowd_ids[:47]]})
    assert response.status_code == 201
    channel_id = response.json()["id"]
    assert response.json()["member_count"] == 50
    await post(cast.liuyang, channel_id, "@all 五十人以内谁都可以")

    added = await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/members",
                                         json={"user_ids": crowd_ids[47:]})
    assert added.status_code == 200
    assert len(added.json()["items"]) == 54
    refused = await cast.liuyang.api.post(f"{API}/channels/{channel_id}/messages",
                                          json={"text": "@all 大家好"})
    assert refused.status_code == 403
    assert error_code(refused) == "mention_all_forbidden"
    also_refused = await cast.liuyang.api.post(f"{API}/channels/{channel_id}/messages",
                                               json={"text": "@全体成员 大家好"})
    assert error_code(also_refused) == "mention_all_forbidden"
    # A plain message is fine, and so is @all from the channel's or the company's admins.
    await post(cast.liuyang, channel_id, "大家好")
    by_channel_admin = await post(cast.zhangwei, channel_id, "@all 周五团建")
    assert by_channel_admin["mentions"]["all"] is True
    await post(cast.linxiaoyan, channel_id, "@all 请填写问卷")
    # Nor can the rule be dodged by editing @all into a message.
    plain = await post(cast.liuyang, channel_id, "普通消息")
    edit = await cast.liuyang.api.patch(f"{API}/messages/{plain['id']}",
                                        json={"text": "@all 普通消息"})
    assert edit.status_code == 403
    assert error_code(edit) == "mention_all_forbidden"
    texts = [m["text"] for m in (await history(cast.zhangwei, channel_id))["items"]]
    assert texts == ["@all 五十人以内谁都可以", "大家好", "@all 周五团建", "@all 请填写问卷",
                     "普通消息"]


async def test_editing_in_a_mention_notifies_the_new_person(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "补充", "private", cast.lina, cast.wangfang)
    sent = await post(cast.zhangwei, channel_id, "@lina 看下合同")
    edited = await cast.zhangwei.api.patch(f"{API}/messages/{sent['id']}",
                                           json={"text": "@lina @wangfang 看下合同"})
    assert edited.status_code == 200
    assert edited.json()["mentions"]["user_ids"] == sorted([cast.lina.id, cast.wangfang.id])
    assert (await my_channel(cast.wangfang, channel_id))["mention_count"] == 1
    assert (await my_channel(cast.lina, channel_id))["mention_count"] == 1
