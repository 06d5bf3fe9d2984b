"""Event log retention in the browser: a page whose socket was down while the events after
its position were pruned is told to resync on reconnect, and reloads instead of missing
what was said meanwhile."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from playwright.async_api import WebSocketRoute, expect
from sqlalchemy import update

from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_chat import message
from tests.documents.helpers import make_page, space_id_of
from tests.helpers import Cast, create_channel, post
from xietong.core.clock import utcnow
from xietong.realtime.models import EventRecord
from xietong.realtime.retention import prune_batch
from xietong.realtime.socket import CLOSE_RESYNC


async def test_a_page_whose_position_was_pruned_resyncs_and_shows_the_gap(
        cast: Cast, open_page: OpenPage) -> None:
    runtime = cast.runtime
    channel_id = await create_channel(cast.zhangwei, "留存值班", "private", cast.lina)
    elsewhere = await create_channel(cast.zhangwei, "别处", "private")
    await post(cast.zhangwei, channel_id, "断线前的消息")
    # A page linked in the channel, shown as a card under the message.
    doc = await make_page(cast.lina, await space_id_of(cast, "研发部"), "值班手册")
    await post(cast.zhangwei, channel_id, f"手册见 /docs/pages/{doc['id']}")
    page = await open_page("lina", f"/chat/{channel_id}")
    await expect(message(page, "断线前的消息")).to_be_visible()
    card = page.get_by_test_id("page-ref")
    await expect(card).to_contain_text("值班手册")

    # From here on the page's socket goes through this route: it records what the server
    # says, and while `blocked` it refuses to connect (the network is down).
    blocked = False
    sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []
    closing: list[asyncio.Task[None]] = []
    server_frames: list[dict[str, Any]] = []
    server_closes: list[int | None] = []

    async def route(ws: WebSocketRoute) -> None:
        if blocked:
            await ws.close(code=1011, reason="network down")
            return
        server = ws.connect_to_server()
        sockets.append((ws, server))

        def from_server(raw: str | bytes) -> None:
            server_frames.append(json.loads(raw))
            ws.send(raw)

        def server_closed(code: int | None, reason: str | None) -> None:
            server_closes.append(code)
            closing.append(asyncio.create_task(ws.close(code=code, reason=reason)))

        server.on_message(from_server)
        server.on_close(server_closed)

    async def until_a_frame(has: Any) -> None:
        """Wait until the server has sent a frame through the route for which `has` holds."""
        for _ in range(200):
            if any(has(f) for f in server_frames):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"no such frame came through the socket: {server_frames}")

    await page.route_web_socket("**/api/v1/events/ws*", route)
    await page.reload()
    await expect(message(page, "断线前的消息")).to_be_visible()
    # Post only once the socket is up, so the message comes as an event frame (not in the
    # page's first load of the channel).
    await until_a_frame(lambda f: f.get("type") == "hello")
    await post(cast.zhangwei, channel_id, "在线时的消息")
    await expect(message(page, "在线时的消息")).to_be_visible()
    await until_a_frame(lambda f: "id" in f)
    position = max(int(str(f["id"])) for f in server_frames if "id" in f)

    # The network drops; meanwhile a message is sent, and retention prunes everything up to
    # it (the page's position included), so no resume could replay it.
    blocked = True
    page_side, server_side = sockets[-1]
    await server_side.close(code=1000, reason="network dropped")
    await page_side.close(code=4000, reason="network dropped")
    await expect(page.get_by_text("连接已断开，正在重连…")).to_be_visible()
    await post(cast.zhangwei, channel_id, "断线期间的消息")
    renamed = await cast.lina.api.patch(f"/api/v1/pages/{doc['id']}",
                                        json={"title": "值班手册（新版）"})
    assert renamed.status_code == 200, renamed.text
    gap_event = await runtime.realtime.last_event_id()
    await post(cast.zhangwei, elsewhere, "更新的事件")  # the newest event is always kept
    async with runtime.unit_of_work() as uow:
        await uow.session.execute(update(EventRecord).where(EventRecord.id <= gap_event)
                                  .values(created_at=utcnow() - timedelta(days=60)))
    cutoff = utcnow() - timedelta(days=runtime.settings.event_retention_days)
    while True:
        async with runtime.unit_of_work() as uow:
            if not await prune_batch(uow, cutoff, 1000):
                break
    horizon = await runtime.realtime.pruned_through()
    assert horizon > position

    # The network is back: the page's resume is refused with "resync", it reconnects
    # afresh and reloads, and shows the message from the gap, once.
    server_frames.clear()
    blocked = False
    await expect(message(page, "断线期间的消息")).to_have_count(1, timeout=20_000)
    await expect(page.get_by_text("连接已断开，正在重连…")).to_have_count(0)
    errors = [f for f in server_frames if f.get("type") == "error"]
    assert [e["data"]["code"] for e in errors] == ["resync_required"]
    assert CLOSE_RESYNC in server_closes
    hellos = [f for f in server_frames if f.get("type") == "hello"]
    assert hellos[-1]["data"] == {"user_id": cast.lina.id, "resumed": False,
                                  "last_event_id": hellos[-1]["data"]["last_event_id"]}
    texts = await page.locator("article.message .body").all_inner_texts()
    assert [t for t in texts if "消息" in t] == ["断线前的消息", "在线时的消息", "断线期间的消息"]
    # The card, answered before the drop, is asked again: its rename was never heard.
    await expect(card).to_contain_text("值班手册（新版）")
    await screenshot(page, "retention-resync")

    # And live again, with no further resync.
    await post(cast.zhangwei, channel_id, "恢复之后")
    await expect(message(page, "恢复之后")).to_be_visible()
    assert len([f for f in server_frames if f.get("type") == "error"]) == 1
