"""The notification centre on the real database, API and WebSocket: what asks for a
person's attention arrives in their feed and on their own sockets only, once, by the rules
they chose; it is produced by the event-log consumer, not by chat's actions."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import event, func, select, update

from tests.conftest import Backend
from tests.helpers import Cast, Follow, Person, anonymous_client, create_channel, post
from tests.realtime.wsclient import Socket
from xietong.core.events import Audience, Event
from xietong.notifications.actions import in_quiet_hours
from xietong.notifications.consumer import NotificationConsumer
from xietong.notifications.models import Notification, NotificationKind, NotificationPreferences
from xietong.realtime.consumers import MAX_FAILURES, Consumers
from xietong.realtime.models import ConsumerPosition
from xietong.runtime import Runtime

API = "/api/v1/notifications"


async def feed(person: Person, **params: Any) -> dict[str, Any]:
    response = await person.api.get(API, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def eventually_in_feed(person: Person, count: int, timeout: float = 5
                             ) -> list[dict[str, Any]]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        items: list[dict[str, Any]] = (await feed(person))["items"]
        if len(items) >= count:
            return items
        assert asyncio.get_running_loop().time() < deadline, f"feed stayed at {items}"
        await asyncio.sleep(0.05)


async def test_a_mention_reaches_the_mentioned_persons_feed_and_sockets_only(
        cast: Cast, follow: Follow, live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "方案评审", "private", cast.lina,
                                      cast.liuyang)
    await follow.live()
    lina = await Socket.open(live_server, cast.lina.token)
    lina_phone = await Socket.open(live_server, cast.lina.token)
    liuyang = await Socket.open(live_server, cast.liuyang.token)
    try:
        sent = await post(cast.zhangwei, channel_id, "@李娜 请看一下报价单")
        arrived = await lina.wait_for("notification.created")
        await lina_phone.wait_for("notification.created")
        note = arrived["data"]["notification"]
        assert arrived["scope"] == f"user:{cast.lina.id}"
        assert arrived["data"]["quiet"] is False
        assert note["kind"] == "mention"
        assert note["title"] == "张伟 在 #方案评审 中提到了你"
        assert note["body"] == "@李娜 请看一下报价单"
        assert note["link"] == f"/chat/{channel_id}?message={sent['id']}"
        assert note["scope"] == f"channel:{channel_id}"
        assert note["actor_id"] == cast.zhangwei.id
        assert note["data"]["message_id"] == sent["id"]
        assert note["read_at"] is None

        page = await feed(cast.lina)
        assert [i["id"] for i in page["items"]] == [note["id"]]
        assert page["unread_count"] == 1
        # The channel's other member and the sender: nothing in their feed or sockets.
        assert (await feed(cast.liuyang))["items"] == []
        assert (await feed(cast.zhangwei))["items"] == []
        assert [f for f in await liuyang.quiet(0.3) if f["type"].startswith("notification")] == []
    finally:
        for socket in (lina, lina_phone, liuyang):
            await socket.close()


async def test_direct_messages_notify_only_people_who_are_away(
        cast: Cast, follow: Follow, live_server: str) -> None:
    opened = await cast.zhangwei.api.post("/api/v1/dms", json={"user_ids": [cast.lina.id]})
    assert opened.status_code in (200, 201), opened.text
    dm = opened.json()["id"]
    await follow.live()
    await post(cast.zhangwei, dm, "在吗？明天的会改到下午")  # 李娜 is offline
    items = await eventually_in_feed(cast.lina, 1)
    assert items[0]["kind"] == "direct_message"
    assert items[0]["title"] == "张伟 给你发了消息"
    # Online, the conversation itself shows it: no notification.
    socket = await Socket.open(live_server, cast.lina.token)
    try:
        await post(cast.zhangwei, dm, "好的，那下午见")
        await socket.wait_for("message.created", timeout=5)
        await asyncio.sleep(0.5)
        assert len((await feed(cast.lina))["items"]) == 1
        # Away (the tab in the background) counts as away.
        await socket.connection.send('{"type": "presence", "status": "away"}')
        await asyncio.sleep(0.2)
        await post(cast.zhangwei, dm, "别忘了带电脑")
        assert next(i["body"] for i in await eventually_in_feed(cast.lina, 2)) == "别忘了带电脑"
    finally:
        await socket.close()


async def test_acknowledgements_requested_and_reminded(cast: Cast, follow: Follow) -> None:
    channel_id = await create_channel(cast.zhangwei, "周报", "private", cast.lina, cast.liuyang)
    await follow.live()
    notice = await post(cast.zhangwei, channel_id, "@李娜 周五前请确认排期", ack_required=True)
    for person in (cast.lina, cast.liuyang):
        items = await eventually_in_feed(person, 1)
        # Mentioned and asked to acknowledge: one notification, the pressing kind.
        assert [i["kind"] for i in items] == ["ack_requested"], items
    acked = await cast.liuyang.api.post(f"/api/v1/messages/{notice['id']}/ack")
    assert acked.status_code < 300, acked.text
    reminded = await cast.zhangwei.api.post(f"/api/v1/messages/{notice['id']}/remind")
    assert reminded.status_code < 300, reminded.text
    items = await eventually_in_feed(cast.lina, 2)
    assert items[0]["kind"] == "ack_reminder"
    assert items[0]["title"] == "张伟 提醒你确认 #周报 中的消息"
    await asyncio.sleep(0.3)
    assert [i["kind"] for i in (await feed(cast.liuyang))["items"]] == ["ack_requested"]


async def test_being_added_notifies_but_joining_or_opening_a_dm_does_not(
        cast: Cast, follow: Follow) -> None:
    channel_id = await create_channel(cast.zhangwei, "市场活动", "public")
    await follow.live()
    added = await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/members",
                                         json={"user_ids": [cast.lina.id]})
    assert added.status_code < 300, added.text
    items = await eventually_in_feed(cast.lina, 1)
    assert items[0]["kind"] == "added_to_channel"
    assert items[0]["title"] == "张伟 把你加入了 #市场活动"
    assert items[0]["link"] == f"/chat/{channel_id}"
    joined = await cast.liuyang.api.post(f"/api/v1/channels/{channel_id}/join")
    assert joined.status_code < 300, joined.text
    opened = await cast.wangfang.api.post("/api/v1/dms", json={"user_ids": [cast.liuyang.id]})
    assert opened.status_code in (200, 201)
    await asyncio.sleep(0.5)
    assert (await feed(cast.liuyang))["items"] == []


async def test_a_person_removed_before_the_consumer_looks_is_not_notified(
        cast: Cast, follow: Follow) -> None:
    channel_id = await create_channel(cast.zhangwei, "保密项目", "private", cast.lina,
                                      cast.liuyang)
    await follow.held()
    await post(cast.zhangwei, channel_id, "@李娜 @刘洋 新版本的价格", ack_required=True)
    removed = await cast.zhangwei.api.delete(
        f"/api/v1/channels/{channel_id}/members/{cast.lina.id}")
    assert removed.status_code < 300, removed.text
    await follow.catch_up()
    assert (await feed(cast.lina))["items"] == []
    assert [i["kind"] for i in (await feed(cast.liuyang))["items"]] == ["ack_requested"]


async def test_handling_an_event_twice_records_it_once(cast: Cast, follow: Follow) -> None:
    channel_id = await create_channel(cast.zhangwei, "重放", "private", cast.lina)
    await follow.held()
    async with follow.runtime.unit_of_work() as uow:
        position = await uow.session.get(ConsumerPosition, "notifications")
        assert position is not None
        start = position.position
    await post(cast.zhangwei, channel_id, "@李娜 第一遍")
    await follow.catch_up()
    async with follow.runtime.unit_of_work() as uow:  # as if the position had not been saved
        await uow.session.execute(update(ConsumerPosition)
                                  .where(ConsumerPosition.name == "notifications")
                                  .values(position=start))
    await follow.catch_up()
    async with follow.runtime.reader() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Notification)) == 1


async def test_a_batch_costs_the_same_statements_whatever_its_size(
        cast: Cast, follow: Follow, live_server: str) -> None:
    """The consumer asks each question once per batch (channels and members, mentions,
    names, preferences), inserts the notifications together and logs their events
    together: ten times the mentions, acknowledgements and direct messages in a batch cost
    no more statements. What goes out on the socket is what the feed then reads."""
    channel_id = await create_channel(cast.zhangwei, "批量", "private", cast.lina, cast.liuyang)
    opened = await cast.zhangwei.api.post("/api/v1/dms", json={"user_ids": [cast.wangfang.id]})
    assert opened.status_code in (200, 201), opened.text
    dm = opened.json()["id"]
    await follow.held()
    statements: list[str] = []

    counting: list[asyncio.Task[Any] | None] = [None]

    def count(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        # The consumer's own statements: not those of the server's other work meanwhile
        # (sockets, presence, the hub) on the same engine.
        if asyncio.current_task() is counting[0]:
            statements.append(statement)

    async def batch_of(rounds: int) -> int:
        for n in range(rounds):
            await post(cast.zhangwei, channel_id, f"@李娜 第{n}件事")
            await post(cast.zhangwei, channel_id, f"请确认第{n}项", ack_required=True)
            await post(cast.zhangwei, dm, f"第{n}条私信")  # 王芳 has no socket: away
        statements.clear()
        counting[0] = asyncio.current_task()
        event.listen(follow.runtime.engine.sync_engine, "before_cursor_execute", count)
        try:
            # This consumer's statements alone (the others follow the same log).
            await follow.catch_up(only=NotificationConsumer.name)
        finally:
            event.remove(follow.runtime.engine.sync_engine, "before_cursor_execute", count)
        return len(statements)

    def notifications(socket: Socket) -> list[dict[str, Any]]:
        return [f for f in socket.events if f["type"] == "notification.created"]

    start = await follow.runtime.realtime.last_event_id()
    lina = await Socket.open(live_server, cast.lina.token)
    try:
        # Each batch also reads the previous one's notification events off the log.
        await batch_of(1)
        small = await batch_of(2)
        large = await batch_of(20)
        assert large == small, statements
        assert 5 <= small <= 16, statements
        while len(notifications(lina)) < 46:
            await lina.next_frame()
        await lina.quiet(0.3)
        frames = notifications(lina)
        assert len(frames) == 46
    finally:
        await lina.close()
    # The events were logged together: read back from the log (a socket resuming), each
    # id still has its own data and reaches its own person.
    resumed = await Socket.open(live_server, cast.lina.token, last_event_id=start)
    try:
        while len(notifications(resumed)) < 46:
            await resumed.next_frame()
        await resumed.quiet(0.3)
        assert notifications(resumed) == frames
    finally:
        await resumed.close()
    # Every frame is the row the feed reads, field for field, newest last.
    everything = (await feed(cast.lina, limit=100))["items"]
    assert [f["data"]["notification"] for f in frames] == everything[::-1]
    assert [i["kind"] for i in everything[::-1]] == ["mention", "ack_requested"] * 23
    assert [i["kind"] for i in (await feed(cast.liuyang, limit=100))["items"]] == \
        ["ack_requested"] * 23
    assert [i["kind"] for i in (await feed(cast.wangfang, limit=100))["items"]] == \
        ["direct_message"] * 23
    assert (await feed(cast.zhangwei))["items"] == []


async def test_concurrent_saves_of_preferences_keep_one_whole(
        cast: Cast, live_server: str) -> None:
    """Ten tabs of one person save different choices at once over real HTTP, the first time
    (no row yet) and then again: each save succeeds and answers what it sent, and what is
    stored is one of them whole, never a mix of several (as an update of only the columns
    that differ from what each had read left it)."""
    kinds = [kind.value for kind in NotificationKind]
    async with httpx.AsyncClient(
            base_url=live_server, headers={"Authorization": f"Bearer {cast.lina.token}"},
            timeout=30) as tab:
        for round_ in range(3):
            bodies = [{"kinds": {kind: kind != kinds[n % len(kinds)] for kind in kinds},
                       "dnd_enabled": (n + round_) % 2 == 0,
                       "dnd_start": f"{n:02d}:{10 * round_ + n:02d}",
                       "dnd_end": f"{n + 10:02d}:{10 * round_ + n:02d}"} for n in range(10)]
            answers = await asyncio.gather(*(tab.put(f"{API}/preferences", json=body)
                                             for body in bodies))
            assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
            assert [a.json() for a in answers] == bodies
            stored = (await tab.get(f"{API}/preferences")).json()
            assert stored in bodies, round_
    async with cast.runtime.reader() as uow:
        assert await uow.session.scalar(
            select(func.count()).select_from(NotificationPreferences)) == 1


class UnreadableMessage(Event):
    """A `message.created` this version cannot read (written by a newer node, say)."""

    type: Literal["message.created"] = "message.created"
    message: dict[str, Any]


async def test_a_poison_event_is_retried_then_passed_over_by_two_nodes(
        cast: Cast, backend: Backend, caplog: pytest.LogCaptureFixture) -> None:
    """Two nodes follow the log with the real consumer; an event whose handling raises is
    retried (by whichever node holds the position), then passed over after MAX_FAILURES
    (the rule of `realtime.consumers`: the batch's first event is skipped), and what
    follows it is handled, once."""
    channel_id = await create_channel(cast.zhangwei, "毒丸", "private", cast.lina, cast.liuyang)
    other = Runtime(backend.settings())
    nodes = [Consumers(event_log=rt.realtime.log, writer=rt.unit_of_work,
                       consumers=[NotificationConsumer(statuses=rt.realtime.statuses,
                                                       zone=rt.settings.zone)],
                       retry_pause=0.001) for rt in (cast.runtime, other)]

    async def settle() -> ConsumerPosition:
        """Both nodes catch up at once until the position is at the end of the log (which
        includes the notification events the consumer itself logged)."""
        for _ in range(4 * MAX_FAILURES):
            await asyncio.gather(*(node.catch_up() for node in nodes))
            async with cast.runtime.reader() as uow:
                row = await uow.session.get(ConsumerPosition, "notifications")
                end = await cast.runtime.realtime.log.last_id(uow.session)
            if row is not None and row.position == end:
                return row
        raise AssertionError(f"the consumers did not catch up: {row}")

    try:
        await nodes[0].start()
        await post(cast.zhangwei, channel_id, "@李娜 之前")
        # So that the poison heads its batch: under the rule above, whatever came before
        # it in the batch would be skipped first.
        await settle()
        async with cast.runtime.unit_of_work() as uow:
            uow.emit(UnreadableMessage(message={"id": "坏", "channel_id": channel_id}),
                     Audience.users([cast.liuyang.id]))
        poison = await cast.runtime.realtime.last_event_id()
        await post(cast.zhangwei, channel_id, "@李娜 之后")
        await post(cast.zhangwei, channel_id, "@刘洋 之后", ack_required=True)
        with caplog.at_level(logging.ERROR, logger="xietong.consumers"):
            row = await settle()
        assert row.failures == 0
        assert row.last_error is not None
        assert "validation errors for MessageCreated" in row.last_error
        messages = [r.getMessage() for r in caplog.records]
        assert len([m for m in messages
                    if m.startswith("consumer notifications failed")]) >= MAX_FAILURES
        skips = [m for m in messages if "skips event" in m]
        assert skips
        assert all(f"skips event {poison} " in m for m in skips), skips
        async with cast.runtime.reader() as uow:
            recorded = (await uow.session.execute(
                select(Notification.user_id, Notification.kind, Notification.body)
                .order_by(Notification.id))).all()
        assert sorted(tuple(r) for r in recorded) == sorted([
            (cast.lina.id, "mention", "@李娜 之前"), (cast.lina.id, "mention", "@李娜 之后"),
            (cast.lina.id, "ack_requested", "@刘洋 之后"),
            (cast.liuyang.id, "ack_requested", "@刘洋 之后")])
    finally:
        for node in nodes:
            await node.stop()
        await other.close()


async def test_marking_read_is_per_person_and_reaches_their_other_tabs(
        cast: Cast, follow: Follow, live_server: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "已读", "private", cast.lina, cast.liuyang)
    await follow.live()
    for n in range(3):
        await post(cast.zhangwei, channel_id, f"@李娜 @刘洋 第{n}件事")
    lina_items = await eventually_in_feed(cast.lina, 3)
    liu_items = await eventually_in_feed(cast.liuyang, 3)
    other_tab = await Socket.open(live_server, cast.lina.token)
    try:
        # Someone else's ids are passed over as if they did not exist.
        marked = await cast.lina.api.post(f"{API}/read", json={
            "ids": [lina_items[0]["id"], liu_items[0]["id"]]})
        assert marked.status_code == 200, marked.text
        assert marked.json() == {"ids": [lina_items[0]["id"]], "unread_count": 2}
        read = await other_tab.wait_for("notification.read")
        assert read["data"] == {"ids": [lina_items[0]["id"]], "all": False, "unread_count": 2}
        assert (await feed(cast.liuyang))["unread_count"] == 3
        assert [i["id"] for i in (await feed(cast.lina, unread="true"))["items"]] == \
            [i["id"] for i in lina_items[1:]]
        everything = await cast.lina.api.post(f"{API}/read", json={"all": True})
        assert everything.json()["unread_count"] == 0
        assert (await feed(cast.lina))["unread_count"] == 0
        assert all(i["read_at"] for i in (await feed(cast.lina))["items"])
        # Marking again changes nothing and announces nothing.
        again = await cast.lina.api.post(f"{API}/read", json={"all": True})
        assert again.json() == {"ids": [], "unread_count": 0}
    finally:
        await other_tab.close()


async def test_the_feed_pages_newest_first(cast: Cast, follow: Follow) -> None:
    channel_id = await create_channel(cast.zhangwei, "分页", "private", cast.lina)
    await follow.held()
    for n in range(7):
        await post(cast.zhangwei, channel_id, f"@李娜 第{n}条")
    await follow.catch_up()
    seen: list[int] = []
    cursor = None
    while True:
        page = await feed(cast.lina, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == 7
    bad = await cast.lina.api.get(API, params={"cursor": "not-ours"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "bad_cursor"


async def test_preferences_mute_kinds_and_quiet_hours(cast: Cast, follow: Follow) -> None:
    defaults = await cast.lina.api.get(f"{API}/preferences")
    assert defaults.json() == {
        "kinds": {"mention": True, "direct_message": True, "ack_requested": True,
                  "ack_reminder": True, "added_to_channel": True, "request_update": True,
                  "request_assigned": True, "sla_warning": True, "sla_breached": True,
                  "approval_waiting": True, "task_assigned": True, "task_due": True,
                  "task_mentioned": True, "task_commented": True,
                  "okr_check_in": True, "doc_review_due": True,
                  "doc_comment_mention": True, "doc_comment_reply": True,
                  "glossary_term_changed": True, "meeting_invited": True,
                  "meeting_reminder": True, "survey_invited": True,
                  "survey_reminder": True, "kudos_received": True,
                  "announcement_published": True, "announcement_reminder": True,
                  "announcement_reviewed": True},
        "dnd_enabled": False, "dnd_start": "22:00", "dnd_end": "08:00"}
    chosen = await cast.lina.api.put(f"{API}/preferences", json={
        "kinds": {"mention": False}, "dnd_enabled": True, "dnd_start": "00:00",
        "dnd_end": "00:00"})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["kinds"]["mention"] is False
    assert chosen.json()["kinds"]["ack_requested"] is True
    channel_id = await create_channel(cast.zhangwei, "安静时段", "private", cast.lina)
    await follow.held()
    await post(cast.zhangwei, channel_id, "@李娜 只是提一下")
    await post(cast.zhangwei, channel_id, "请确认", ack_required=True)
    await follow.catch_up()
    items = (await feed(cast.lina))["items"]
    assert [i["kind"] for i in items] == ["ack_requested"]
    # Others' choices are their own.
    assert (await cast.liuyang.api.get(f"{API}/preferences")).json()["kinds"]["mention"]


def test_quiet_hours_span_midnight_in_the_company_time_zone() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    night = NotificationPreferences(user_id=1, dnd_enabled=True, dnd_start="22:00",
                                    dnd_end="08:00")
    # 14:30 UTC is 22:30 in Shanghai; 01:00 UTC is 09:00.
    assert in_quiet_hours(night, datetime(2026, 12, 6, 14, 30, tzinfo=UTC), shanghai)
    assert in_quiet_hours(night, datetime(2026, 12, 6, 23, 59, tzinfo=UTC), shanghai)
    assert not in_quiet_hours(night, datetime(2026, 12, 7, 1, 0, tzinfo=UTC), shanghai)
    lunch = NotificationPreferences(user_id=1, dnd_enabled=True, dnd_start="12:00",
                                    dnd_end="13:30")
    assert in_quiet_hours(lunch, datetime(2026, 12, 6, 4, 15, tzinfo=UTC), shanghai)
    assert not in_quiet_hours(lunch, datetime(2026, 12, 6, 5, 30, tzinfo=UTC), shanghai)
    night.dnd_enabled = False
    assert not in_quiet_hours(night, datetime(2026, 12, 6, 14, 30, tzinfo=UTC), shanghai)


@pytest.mark.parametrize("body", [
    {"kinds": {"mention": "no"}},
    {"kinds": {"everything": False}},
    {"dnd_start": "25:00"},
    {"dnd_start": "7:00"},
    {"dnd_end": "08:00\u0000"},
    {"dnd_enabled": "yes"},
    {"volume": 11},
])
async def test_bad_preferences_are_refused_whole(cast: Cast, body: dict[str, Any]) -> None:
    before = (await cast.lina.api.get(f"{API}/preferences")).json()
    refused = await cast.lina.api.put(f"{API}/preferences", json=body)
    assert refused.status_code == 422, refused.text
    assert "error" in refused.json()
    assert (await cast.lina.api.get(f"{API}/preferences")).json() == before


@pytest.mark.parametrize("body", [{}, {"ids": [], "all": False}, {"ids": [1], "all": True},
                                  {"ids": [0]}, {"ids": list(range(1, 502))},
                                  {"all": "true"}, {"ids": "1"}])
async def test_bad_mark_read_requests_are_refused(cast: Cast, body: dict[str, Any]) -> None:
    refused = await cast.lina.api.post(f"{API}/read", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"]


async def test_the_feed_needs_a_signed_in_person(cast: Cast) -> None:
    async with anonymous_client(cast.client) as stranger:
        for method, url in (("GET", API), ("POST", f"{API}/read"),
                            ("GET", f"{API}/preferences"), ("PUT", f"{API}/preferences")):
            answer = await stranger.request(method, url, json={"all": True})
            assert answer.status_code == 401, (method, url, answer.text)
