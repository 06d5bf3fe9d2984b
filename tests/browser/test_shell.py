"""The app shell owns the tab's one event socket: a person on a page other than the chat
(here the directory) still hears what happens, and the unread badge on the navigation's chat
entry follows live, without a navigation or a reload."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from playwright.async_api import Page, Request, WebSocketRoute, expect

from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_chat import message
from tests.helpers import Cast, create_channel, post


class SocketTap:
    """Passes the page's event sockets through, keeping what the server sent (so a test can
    wait until the socket is up) and how many were open at once."""

    def __init__(self) -> None:
        self.open = 0
        self.most_open = 0
        self.frames: list[dict[str, Any]] = []

    async def attach(self, page: Page) -> None:
        async def route(ws: WebSocketRoute) -> None:
            self.open += 1
            self.most_open = max(self.most_open, self.open)
            server = ws.connect_to_server()

            def from_server(raw: str | bytes) -> None:
                self.frames.append(json.loads(raw))
                ws.send(raw)

            closed = False

            def on_close(code: int | None, reason: str | None) -> None:
                nonlocal closed
                if not closed:  # either side's close ends this one socket
                    closed = True
                    self.open -= 1

            server.on_message(from_server)
            ws.on_close(on_close)
            server.on_close(on_close)

        await page.route_web_socket("**/api/v1/events/ws*", route)

    async def until(self, kind: str) -> None:
        for _ in range(200):
            if any(frame.get("type") == kind for frame in self.frames):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {kind} frame came through the socket: {self.frames}")


async def test_the_chat_badge_stays_live_on_the_directory_page(cast: Cast,
                                                               open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "周报汇总", "private", cast.lina)
    lina = await open_page("lina", "/people")
    tap = SocketTap()
    await tap.attach(lina)
    await lina.reload()
    await expect(lina.get_by_role("heading", name="通讯录")).to_be_visible()
    badge = lina.get_by_test_id("nav-unread")
    await expect(badge).to_have_count(0)
    await tap.until("hello")
    # The channel list (what the badge counts) is loaded on this page too, once the socket is up.
    await expect(lina.locator("nav.topnav")).to_be_visible()
    channel_loads: list[str] = []

    def note(request: Request) -> None:
        if re.search(r"/api/v1/channels(\?|$)", request.url):
            channel_loads.append(request.url)

    await asyncio.sleep(0.3)  # the first load of the channel list, started by the hello
    lina.on("request", note)

    await post(cast.zhangwei, channel_id, "本周周报请在周五前提交")
    await expect(badge).to_have_text("1")
    await post(cast.zhangwei, channel_id, "@李娜 市场部的还差你一份")
    await expect(badge).to_have_text("2")
    # Counted from the events alone: no reload of the list, no navigation.
    assert channel_loads == []
    await expect(lina).to_have_url(re.compile(r"/people$"))
    await expect(lina).to_have_title("(2) 通讯录 · 协同")
    # Read out as words, not as a bare number glued to the link's name.
    await expect(lina.get_by_role("link", name=re.compile("消息"))).to_have_accessible_name(
        re.compile(r"^消息\s*2 条未读$"))

    # A DM someone opens: a conversation this page did not know of, counted as it arrives.
    opened = await cast.wangfang.api.post("/api/v1/dms", json={"user_ids": [cast.lina.id]})
    assert opened.status_code == 201, opened.text
    await post(cast.wangfang, opened.json()["id"], "李娜，下午的会改到三点")
    await expect(badge).to_have_text("3")
    await expect(lina).to_have_url(re.compile(r"/people$"))
    await screenshot(lina, "directory-live-badge")

    # Over to the chat: the same socket goes on serving it (one per tab), and reading the
    # conversations clears the badge.
    await lina.get_by_role("link", name=re.compile("消息")).click()
    await lina.locator(f'a.channel[data-channel-id="{channel_id}"]').click()
    await expect(message(lina, "市场部的还差你一份")).to_be_visible()
    await lina.locator(f'a.channel[data-channel-id="{opened.json()["id"]}"]').click()
    await expect(message(lina, "下午的会改到三点")).to_be_visible()
    await expect(badge).to_have_count(0)
    await post(cast.zhangwei, channel_id, "周报模板已更新")
    await expect(badge).to_have_text("1")
    # One socket per tab: the chat screen used the shell's (a reconnect under load may
    # replace it, but never alongside it).
    assert tap.most_open == 1


async def test_the_live_badge_on_a_phone(cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "门店巡检", "private", cast.lina)
    lina = await open_page("lina", "/people", viewport={"width": 390, "height": 844})
    tap = SocketTap()
    await tap.attach(lina)
    await lina.reload()
    await expect(lina.get_by_role("heading", name="通讯录")).to_be_visible()
    await tap.until("hello")
    await post(cast.zhangwei, channel_id, "今天的巡检照片已上传")
    await expect(lina.get_by_test_id("nav-unread")).to_have_text("1")
    assert await lina.evaluate("document.documentElement.scrollWidth") <= 390
    await screenshot(lina, "directory-live-badge-phone")
