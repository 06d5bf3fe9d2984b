"""Read state as people notice it: unread and mention badges, read markers that only move
forward, read receipts, and messages that ask for acknowledgement."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.helpers import Cast, Person, create_channel, error_code, post
from tests.realtime.wsclient import Socket
from xietong.chat import queries
from xietong.chat.models import Channel

API = "/api/v1"


async def badge(person: Person, channel_id: int) -> dict[str, Any]:
    """The person's entry for the channel in `GET /channels`."""
    response = await person.api.get(f"{API}/channels")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = next(c for c in response.json()["items"] if c["id"] == channel_id)
    return found


async def counts(person: Person, channel_id: int) -> tuple[int, int]:
    entry = await badge(person, channel_id)
    return entry["unread_count"], entry["mention_count"]


async def mark_read(person: Person, channel_id: int, message_id: int) -> None:
    response = await person.api.post(f"{API}/channels/{channel_id}/read",
                                      json={"message_id": message_id})
    assert response.status_code == 204, response.text


# --- unread counts -----------------------------------------------------------------------

async def test_unread_counts_others_top_level_messages_after_the_marker(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "日报", "private", cast.lina, cast.wangfang)
    first = await post(cast.zhangwei, channel_id, "一")
    await post(cast.zhangwei, channel_id, "二")
    await post(cast.zhangwei, channel_id, "三")
    hers = await post(cast.lina, channel_id, "收到")
    await post(cast.lina, channel_id, "线程里的回复不算", thread_root_id=first["id"])

    assert await counts(cast.wangfang, channel_id) == (4, 0)
    # Sending reads everything up to one's own message.
    assert await counts(cast.lina, channel_id) == (0, 0)
    assert (await badge(cast.lina, channel_id))["last_read_id"] == hers["id"]
    assert await counts(cast.zhangwei, channel_id) == (1, 0)

    # A deleted message is no longer unread.
    assert (await cast.zhangwei.api.delete(f"{API}/messages/{first['id']}")).status_code == 204
    assert await counts(cast.wangfang, channel_id) == (3, 0)

    await mark_read(cast.wangfang, channel_id, hers["id"])
    assert await counts(cast.wangfang, channel_id) == (0, 0)
    assert (await badge(cast.wangfang, channel_id))["last_read_id"] == hers["id"]


async def test_read_marker_only_moves_forward(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "标记", "private", cast.lina)
    sent = [await post(cast.zhangwei, channel_id, f"消息{n}") for n in range(5)]

    await mark_read(cast.lina, channel_id, sent[3]["id"])
    assert await counts(cast.lina, channel_id) == (1, 0)
    # A late request from another tab, for an older message, un-reads nothing.
    await mark_read(cast.lina, channel_id, sent[1]["id"])
    assert (await badge(cast.lina, channel_id))["last_read_id"] == sent[3]["id"]
    assert await counts(cast.lina, channel_id) == (1, 0)

    # Several tabs at once, in any order: the furthest one wins.
    more = [await post(cast.zhangwei, channel_id, f"更多{n}") for n in range(10)]
    order = [more[i]["id"] for i in (4, 9, 0, 7, 2, 8, 1, 6, 3, 5)]
    responses = await asyncio.gather(*(cast.lina.api.post(
        f"{API}/channels/{channel_id}/read", json={"message_id": m}) for m in order))
    assert [r.status_code for r in responses] == [204] * 10
    assert (await badge(cast.lina, channel_id))["last_read_id"] == more[-1]["id"]
    assert await counts(cast.lina, channel_id) == (0, 0)


async def test_read_marker_must_point_into_the_channel(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "本频道", "private", cast.lina)
    other_id = await create_channel(cast.zhangwei, "别处", "private", cast.lina)
    here = await post(cast.zhangwei, channel_id, "这里")
    elsewhere = await post(cast.zhangwei, other_id, "那里")
    for bad in (elsewhere["id"], 999_999):
        response = await cast.lina.api.post(f"{API}/channels/{channel_id}/read",
                                            json={"message_id": bad})
        assert response.status_code == 422, bad
        assert error_code(response) == "invalid"
    assert (await badge(cast.lina, channel_id))["last_read_id"] == 0
    assert await counts(cast.lina, channel_id) == (1, 0)

    public_id = await create_channel(cast.zhangwei, "公开", "public")
    public_message = await post(cast.zhangwei, public_id, "公开消息")
    visitor = await cast.lina.api.post(f"{API}/channels/{public_id}/read",
                                       json={"message_id": public_message["id"]})
    assert visitor.status_code == 403
    assert error_code(visitor) == "not_a_member"
    outsider = await cast.wangfang.api.post(f"{API}/channels/{channel_id}/read",
                                            json={"message_id": here["id"]})
    assert outsider.status_code == 404


async def test_unread_counts_under_concurrent_senders(cast: Cast) -> None:
    senders = (cast.zhangwei, cast.lina, cast.wangfang)
    channel_id = await create_channel(cast.zhangwei, "抢答", "private",
                                      cast.lina, cast.wangfang, cast.liuyang)
    url = f"{API}/channels/{channel_id}/messages"
    responses = await asyncio.gather(*(
        senders[n % 3].api.post(url, json={"text": f"@liuyang 第{n}条"}) for n in range(30)))
    assert [r.status_code for r in responses] == [201] * 30, [r.text for r in responses]
    sent = [r.json() for r in responses]
    assert len({m["id"] for m in sent}) == 30

    # The reader sent nothing: all 30 are unread and each one mentions them.
    assert await counts(cast.liuyang, channel_id) == (30, 30)
    # Each sender has read up to their own latest message; what others sent after it is unread.
    for sender in senders:
        own_latest = max(m["id"] for m in sent if m["sender_id"] == sender.id)
        expected = sum(1 for m in sent if m["sender_id"] != sender.id and m["id"] > own_latest)
        entry = await badge(sender, channel_id)
        assert entry["last_read_id"] == own_latest, sender.username
        assert entry["unread_count"] == expected, sender.username

    await mark_read(cast.liuyang, channel_id, max(m["id"] for m in sent))
    assert await counts(cast.liuyang, channel_id) == (0, 0)


async def test_latest_message_survives_concurrent_senders(cast: Cast) -> None:
    senders = (cast.zhangwei, cast.lina, cast.wangfang)
    channel_id = await create_channel(cast.zhangwei, "最新", "private",
                                      cast.lina, cast.wangfang, cast.liuyang)
    url = f"{API}/channels/{channel_id}/messages"
    # Several bursts: on PostgreSQL the commit order of a burst varies from run to run.
    for burst in range(4):
        responses = await asyncio.gather(*(
            senders[n % 3].api.post(url, json={"text": f"第{burst}轮第{n}条"})
            for n in range(30)))
        newest = max(r.json()["id"] for r in responses)
        assert (await badge(cast.liuyang, channel_id))["last_message_id"] == newest, burst
        assert (await cast.liuyang.api.get(f"{API}/channels/{channel_id}")
                ).json()["last_message_id"] == newest, burst
    # Whoever joins now starts with everything read.
    added = await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/members",
                                         json={"user_ids": [cast.zhoujianguo.id]})
    assert added.status_code == 200
    assert await counts(cast.zhoujianguo, channel_id) == (0, 0)


# --- mentions ----------------------------------------------------------------------------

async def test_mentions_drive_the_mention_badge_and_reading_clears_it(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "提醒", "private",
                                      cast.lina, cast.wangfang, cast.liuyang)
    await post(cast.zhangwei, channel_id, "@lina 需求文档在哪？")
    await post(cast.zhangwei, channel_id, "大家早")
    everyone = await post(cast.zhangwei, channel_id, "@all 下午茶到了")
    assert await counts(cast.lina, channel_id) == (3, 2)
    assert await counts(cast.wangfang, channel_id) == (3, 1)
    assert await counts(cast.zhangwei, channel_id) == (0, 0)

    # A mention inside a thread counts too.
    await post(cast.lina, channel_id, "@王芳 你来回答", thread_root_id=everyone["id"])
    assert await counts(cast.wangfang, channel_id) == (3, 2)

    await mark_read(cast.lina, channel_id, everyone["id"])
    assert await counts(cast.lina, channel_id) == (0, 0)
    # Someone else reading changes nobody else's badge.
    assert await counts(cast.wangfang, channel_id) == (3, 2)
    assert await counts(cast.liuyang, channel_id) == (3, 1)
    # Replying in a thread is not reading the channel.
    await post(cast.liuyang, channel_id, "收到", thread_root_id=everyone["id"])
    assert await counts(cast.liuyang, channel_id) == (3, 1)
    latest = await post(cast.liuyang, channel_id, "好的")
    assert await counts(cast.liuyang, channel_id) == (0, 0)
    await mark_read(cast.wangfang, channel_id, latest["id"])
    assert await counts(cast.wangfang, channel_id) == (0, 0)


async def test_deleting_a_mention_takes_it_off_the_badge(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "撤回提醒", "private", cast.lina)
    sent = await post(cast.zhangwei, channel_id, "@李娜 这条发错了")
    assert await counts(cast.lina, channel_id) == (1, 1)
    assert (await cast.zhangwei.api.delete(f"{API}/messages/{sent['id']}")).status_code == 204
    assert await counts(cast.lina, channel_id) == (0, 0)


# --- receipts ----------------------------------------------------------------------------

async def test_read_receipts_split_the_other_members(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "回执", "private",
                                      cast.lina, cast.wangfang, cast.liuyang)
    sent = await post(cast.zhangwei, channel_id, "合同终稿请确认")
    url = f"{API}/messages/{sent['id']}/receipts"

    receipts = (await cast.zhangwei.api.get(url)).json()
    assert receipts == {"read": [], "unread": sorted([cast.lina.id, cast.wangfang.id,
                                                      cast.liuyang.id])}
    await mark_read(cast.lina, channel_id, sent["id"])
    # Posting after it reads it too.
    await post(cast.wangfang, channel_id, "已确认")
    receipts = (await cast.lina.api.get(url)).json()
    assert receipts == {"read": sorted([cast.lina.id, cast.wangfang.id]),
                        "unread": [cast.liuyang.id]}
    outsider = await cast.linxiaoyan.api.get(url)
    assert outsider.status_code == 404


# --- acknowledgements --------------------------------------------------------------------

async def test_acknowledgements_and_reminders(cast: Cast, live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "通知确认", "private",
                                      cast.lina, cast.wangfang, cast.liuyang)
    notice = await post(cast.zhangwei, channel_id, "周六系统升级，请确认已知悉",
                        ack_required=True)
    assert notice["ack_required"] is True
    acks_url = f"{API}/messages/{notice['id']}/acks"
    everyone_else = sorted([cast.lina.id, cast.wangfang.id, cast.liuyang.id])
    assert (await cast.lina.api.get(acks_url)).json() == {"acknowledged": [],
                                                          "pending": everyone_else}

    for _ in range(2):
        ack = await cast.lina.api.post(f"{API}/messages/{notice['id']}/ack")
        assert ack.status_code == 204
    status = (await cast.zhangwei.api.get(acks_url)).json()
    assert status == {"acknowledged": [cast.lina.id],
                      "pending": sorted([cast.wangfang.id, cast.liuyang.id])}
    # Acknowledging reads it.
    receipts = (await cast.zhangwei.api.get(f"{API}/messages/{notice['id']}/receipts")).json()
    assert cast.lina.id in receipts["read"]
    assert (await badge(cast.lina, channel_id))["last_read_id"] == notice["id"]

    plain = await post(cast.zhangwei, channel_id, "普通消息")
    not_asked = await cast.lina.api.post(f"{API}/messages/{plain['id']}/ack")
    assert not_asked.status_code == 422
    assert error_code(not_asked) == "no_ack_requested"
    outsider = await cast.linxiaoyan.api.post(f"{API}/messages/{notice['id']}/ack")
    assert outsider.status_code == 404

    sockets = {p.username: await Socket.open(live_server, p.token)
               for p in (cast.zhangwei, cast.lina, cast.wangfang, cast.liuyang)}
    try:
        refused = await cast.lina.api.post(f"{API}/messages/{notice['id']}/remind")
        assert refused.status_code == 403
        assert error_code(refused) == "forbidden"
        reminded = await cast.zhangwei.api.post(f"{API}/messages/{notice['id']}/remind")
        assert reminded.status_code == 200
        assert reminded.json() == {"acknowledged": [cast.lina.id],
                                   "pending": sorted([cast.wangfang.id, cast.liuyang.id])}
        for username in ("wangfang", "liuyang"):
            frame = await sockets[username].wait_for("message.ack_reminder")
            assert frame["channel_id"] == channel_id
            assert frame["data"] == {"message_id": notice["id"],
                                     "from_user_id": cast.zhangwei.id}
        for username in ("zhangwei", "lina"):
            later = await sockets[username].quiet(0.3)
            assert not [f for f in later if f["type"] == "message.ack_reminder"], username
        # Once everyone has acknowledged there is nobody to remind.
        for person in (cast.wangfang, cast.liuyang):
            assert (await person.api.post(f"{API}/messages/{notice['id']}/ack")
                    ).status_code == 204
        done = await cast.zhangwei.api.post(f"{API}/messages/{notice['id']}/remind")
        assert done.json() == {"acknowledged": everyone_else, "pending": []}
        assert (await cast.zhangwei.api.get(acks_url)).json() == {
            "acknowledged": everyone_else, "pending": []}
    finally:
        for socket in sockets.values():
            await socket.close()


async def test_a_deleted_notice_asks_for_nothing(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "撤回通知", "private", cast.lina)
    notice = await post(cast.zhangwei, channel_id, "发错的通知", ack_required=True)
    assert (await cast.zhangwei.api.delete(f"{API}/messages/{notice['id']}")).status_code == 204
    for response in (await cast.lina.api.post(f"{API}/messages/{notice['id']}/ack"),
                     await cast.zhangwei.api.get(f"{API}/messages/{notice['id']}/acks")):
        assert response.status_code == 422
        assert error_code(response) == "no_ack_requested"


async def test_no_reminders_about_a_deleted_notice(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "撤回通知", "private", cast.lina)
    notice = await post(cast.zhangwei, channel_id, "发错的通知", ack_required=True)
    assert (await cast.zhangwei.api.delete(f"{API}/messages/{notice['id']}")).status_code == 204
    response = await cast.zhangwei.api.post(f"{API}/messages/{notice['id']}/remind")
    assert response.status_code == 422
    assert error_code(response) == "no_ack_requested"


async def test_reminders_go_out_once_per_interval_per_message(cast: Cast,
                                                                live_server: str) -> None:
    """Each reminder is a notification on everyone's screen: a second one about the same
    message within the interval is a 429 (with Retry-After, in the JSON error shape) and
    reaches nobody; another message is reminded about on its own count."""
    channel_id = await create_channel(cast.zhangwei, "提醒", "private", cast.lina, cast.wangfang)
    first = await post(cast.zhangwei, channel_id, "周六加班，请确认", ack_required=True)
    second = await post(cast.zhangwei, channel_id, "周日也加班，请确认", ack_required=True)
    socket = await Socket.open(live_server, cast.lina.token)
    try:
        assert (await cast.zhangwei.api.post(f"{API}/messages/{first['id']}/remind")
                ).status_code == 200
        await socket.wait_for("message.ack_reminder")
        for _ in range(3):
            again = await cast.zhangwei.api.post(f"{API}/messages/{first['id']}/remind")
            assert again.status_code == 429, again.text
            assert error_code(again) == "remind_too_soon"
            assert 1 <= int(again.headers["retry-after"]) <= 600
            assert again.json()["error"]["details"] == {"interval_seconds": 600}
        other = await cast.zhangwei.api.post(f"{API}/messages/{second['id']}/remind")
        assert other.status_code == 200, other.text
        await socket.wait_for("message.ack_reminder", message_id=second["id"])
        await socket.quiet(0.3)
        reminded = [f["data"]["message_id"] for f in socket.events
                    if f["type"] == "message.ack_reminder"]
        assert reminded == [first["id"], second["id"]]
    finally:
        await socket.close()


async def test_concurrent_reminders_about_one_message_send_one(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "连点提醒", "private", cast.lina)
    notice = await post(cast.zhangwei, channel_id, "请确认", ack_required=True)
    responses = await asyncio.gather(*(
        cast.zhangwei.api.post(f"{API}/messages/{notice['id']}/remind") for _ in range(5)))
    assert sorted(r.status_code for r in responses) == [200] + [429] * 4


async def test_the_sender_is_not_among_those_who_acknowledge(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "确认", "private", cast.lina, cast.wangfang)
    notice = await post(cast.zhangwei, channel_id, "请确认", ack_required=True)
    own = await cast.zhangwei.api.post(f"{API}/messages/{notice['id']}/ack")
    assert own.status_code in (204, 422)
    status = (await cast.zhangwei.api.get(f"{API}/messages/{notice['id']}/acks")).json()
    assert status == {"acknowledged": [],
                      "pending": sorted([cast.lina.id, cast.wangfang.id])}


async def test_a_reminder_raises_the_mention_badge_of_someone_offline(cast: Cast) -> None:
    """Reminded while away, with the message long read: the reminder waits in the mention
    badge (as in the notification centre) until they open the channel or acknowledge."""
    channel_id = await create_channel(cast.zhangwei, "升级通知", "private",
                                      cast.wangfang, cast.liuyang)
    notice = await post(cast.zhangwei, channel_id, "周六系统升级，请确认", ack_required=True)
    for person in (cast.wangfang, cast.liuyang):
        await mark_read(person, channel_id, notice["id"])
        assert await counts(person, channel_id) == (0, 0)

    assert (await cast.zhangwei.api.post(f"{API}/messages/{notice['id']}/remind")
            ).status_code == 200
    for person in (cast.wangfang, cast.liuyang):
        assert await counts(person, channel_id) == (0, 1), person.username
    assert await counts(cast.zhangwei, channel_id) == (0, 0)

    # Opening the channel (a read that does not move the marker) is seeing the reminder.
    await mark_read(cast.wangfang, channel_id, notice["id"])
    assert await counts(cast.wangfang, channel_id) == (0, 0)
    # Acknowledging clears it too.
    assert (await cast.liuyang.api.post(f"{API}/messages/{notice['id']}/ack")
            ).status_code == 204
    assert await counts(cast.liuyang, channel_id) == (0, 0)

    # A reminded message that is also an unread mention counts once.
    asking = await post(cast.zhangwei, channel_id, f"@{cast.wangfang.username} 请确认排班",
                        ack_required=True)
    assert await counts(cast.wangfang, channel_id) == (1, 1)
    assert (await cast.zhangwei.api.post(f"{API}/messages/{asking['id']}/remind")
            ).status_code == 200
    assert await counts(cast.wangfang, channel_id) == (1, 1)
    assert await counts(cast.liuyang, channel_id) == (1, 1)  # reminded, not mentioned
    # Someone removed from the channel has no badge there, reminded or not.
    removed = await cast.zhangwei.api.delete(
        f"{API}/channels/{channel_id}/members/{cast.liuyang.id}")
    assert removed.status_code in (200, 204), removed.text
    listed = (await cast.liuyang.api.get(f"{API}/channels")).json()["items"]
    assert channel_id not in {c["id"] for c in listed}
    # Back in later: the reminder from before is not waiting in the badge.
    back = await cast.zhangwei.api.post(f"{API}/channels/{channel_id}/members",
                                        json={"user_ids": [cast.liuyang.id]})
    assert back.status_code in (200, 201, 204), back.text
    assert (await counts(cast.liuyang, channel_id))[1] == 0


async def test_a_read_sees_one_moment(cast: Cast) -> None:
    """A list read while a message commits sees the channel as it was before or after the
    message, never half: on PostgreSQL's default isolation its unread count (one statement)
    had the message and its last message id (another) not, and the client counted the
    message again from its event — a badge of 2 for one message."""
    channel_id = await create_channel(cast.zhangwei, "快照", "private", cast.lina)
    async with cast.runtime.reader() as uow:
        before = await queries.unread_counts(uow, cast.lina.id)
        await post(cast.zhangwei, channel_id, "读的时候发来的消息")  # commits meanwhile
        during = await queries.unread_counts(uow, cast.lina.id)
        channel = await uow.session.get(Channel, channel_id)
        assert channel is not None
        assert during == before
        assert channel.last_message_id is None
    async with cast.runtime.reader() as uow:
        assert (await queries.unread_counts(uow, cast.lina.id)).get(channel_id) == 1
