"""Offline and intranet installs: many companies run Xietong without internet, so no page may
load anything from another host — no CDN script, no web font, no remote image.

The browser context aborts and records every request whose host is not the test server
(WebSockets too), and records every load the Content-Security-Policy refused (a page that
tried to reach elsewhere, stopped only by the policy). Then every screen of the web client
is visited — signed out and signed in as an administrator, with content that points
elsewhere (a Markdown image, a link, an avatar on another host) — and the API reference at
/api/docs, which must render from the package's own copy of Swagger UI. The test fails
listing what went out."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from PIL import Image
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Route,
    WebSocketRoute,
    expect,
)

from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_chat import message
from tests.helpers import Cast, create_channel, post

# Every screen of the web client (web/src/app/router.ts) but the chat, which is visited
# with a conversation open, and the sign-in form, visited signed out.
SCREENS = ["/chat", "/search?q=季度", "/people", "/notifications", "/admin/users",
           "/admin/departments", "/admin/audit", "/admin/jobs", "/no-such-page"]
ELSEWHERE = "https://cdn.example.com"


class Outside:
    """What a browser context tried to fetch from anywhere but the server under test."""

    def __init__(self, base: str) -> None:
        self.host = urlsplit(base).netloc
        self.requests: list[str] = []
        self.refused: list[str] = []

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return parts.scheme in ("http", "https", "ws", "wss") and parts.netloc == self.host

    async def guard(self, context: BrowserContext) -> None:
        async def route(route: Route) -> None:
            if self.is_local(route.request.url):
                await route.continue_()
            else:
                await route.abort("blockedbyclient")

        async def socket(ws: WebSocketRoute) -> None:
            self.requests.append(ws.url)
            await ws.close()

        def sent(request: Request) -> None:
            if not self.is_local(request.url):
                self.requests.append(request.url)

        def said(line: ConsoleMessage) -> None:
            if "Content Security Policy" in line.text:
                self.refused.append(line.text)

        not_local: Callable[[str], bool] = lambda url: not self.is_local(url)  # noqa: E731
        await context.route("**/*", route)
        await context.route_web_socket(not_local, socket)
        context.on("request", sent)
        context.on("console", said)

    def assert_nothing_went_out(self) -> None:
        went_out = sorted(set(self.requests))
        refused = sorted(set(self.refused))
        assert (went_out, refused) == ([], []), (
            f"requests to other hosts: {went_out}; "
            f"loads the Content-Security-Policy refused: {refused}")


async def settled(page: Page, path: str) -> None:
    await page.goto(path)
    await page.wait_for_load_state("networkidle")
    # Every screen says what it is in the tab's title ("<screen> · 协同").
    await expect(page).to_have_title(re.compile("协同"))


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (51, 112, 255)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_no_page_loads_anything_from_another_host(cast: Cast, open_page: OpenPage,
                                                        browser: Browser,
                                                        live_server: str) -> None:
    # Content that points elsewhere: none of it may make the browser go there.
    channel_id = await create_channel(cast.zhangwei, "季度计划", "public", cast.linxiaoyan)
    upload = await cast.zhangwei.api.post("/api/v1/files", files={
        "file": ("看板.png", png(), "image/png")})
    assert upload.status_code == 201, upload.text
    await post(cast.zhangwei, channel_id, "季度看板见图", file_ids=[upload.json()["id"]])
    await post(cast.zhangwei, channel_id,
               f"![外部图片]({ELSEWHERE}/logo.png) 与 [外部链接]({ELSEWHERE}/page) "
               f'<img src="{ELSEWHERE}/raw.png"> 季度目标')
    avatar = await cast.zhangwei.api.patch(f"/api/v1/users/{cast.zhangwei.id}",
                                           json={"avatar_url": f"{ELSEWHERE}/zhangwei.png"})
    assert avatar.status_code == 200, avatar.text

    signed_out = await browser.new_context(locale="zh-CN")
    try:
        outside = Outside(live_server)
        await outside.guard(signed_out)
        login = await signed_out.new_page()
        await settled(login, live_server + "/login")
        await expect(login.get_by_role("button", name="登录")).to_be_visible()
    finally:
        await signed_out.close()

    # Signed in on a page that loads nothing, so the guard is up before any screen loads.
    page = await open_page("linxiaoyan", "/healthz")
    await outside.guard(page.context)
    await settled(page, f"{live_server}/chat/{channel_id}")
    await expect(message(page, "季度看板见图").locator("img")).to_be_visible()
    await expect(message(page, "季度目标")).to_be_visible()
    await page.get_by_role("button", name="林晓燕").click()
    await page.get_by_role("button", name="修改密码").click()
    await expect(page.get_by_role("dialog")).to_be_visible()
    await page.wait_for_load_state("networkidle")
    for path in SCREENS:
        await settled(page, live_server + path)
    # The directory shows 张伟, whose avatar is on another host.
    await settled(page, live_server + "/people?q=张伟")
    await expect(page.get_by_text("张伟").first).to_be_visible()

    await page.goto(live_server + "/api/docs")
    await page.wait_for_load_state("networkidle")
    outside.assert_nothing_went_out()
    # Swagger UI ran, from our own copy, and rendered the document: a block per operation.
    await expect(page.locator(".opblock-summary-path[data-path='/api/v1/auth/login']")
                 ).to_be_visible()
    await screenshot(page, "api-docs-offline")
    outside.assert_nothing_went_out()
