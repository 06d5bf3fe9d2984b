"""Browser tests: the built web client in headless Chromium (Debian's /usr/bin/chromium,
installed by `make test`) against a real server, driven by Playwright's async API in the
suite's own event loop (the `live_server` runs in that loop too).

Screenshots of the main screens go to tests/browser/screenshots/ (git-ignored)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Route,
    ViewportSize,
    async_playwright,
    expect,
)

from tests.helpers import PASSWORD

CHROMIUM = os.environ.get("XIETONG_CHROMIUM", "/usr/bin/chromium")
STATIC_INDEX = Path(__file__).resolve().parents[2] / "src" / "xietong" / "static" / "index.html"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-extensions",
               "--disable-background-timer-throttling", "--disable-renderer-backgrounding"]
BACKEND = os.environ.get("XIETONG_TEST_BACKEND", "sqlite")
# What a person waits for, as actions do (`set_default_timeout` below): on a busy two-core
# machine a server's answer and the redraw after it can take more than Playwright's 5 s; a
# passing check never waits longer for it.
expect.set_options(timeout=10_000)

OpenPage = Callable[..., Awaitable[Page]]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.exit(f"Chromium is not installed at {CHROMIUM}: run `make test` "
                    "(it installs it with apt-get)", returncode=3)
    if not STATIC_INDEX.exists():
        pytest.exit("The web client is not built: run `make web` first", returncode=3)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                    args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def open_page(browser: Browser, live_server: str) -> AsyncIterator[OpenPage]:
    """`await open_page(username, path="/chat", locale="zh-CN", viewport=None, base=None)`:
    a fresh browser context signed in as that person (through the real login endpoint,
    so the session and CSRF cookies are the browser's own), on `path`."""
    contexts: list[BrowserContext] = []

    async def open_as(username: str, path: str = "/chat", *, locale: str = "zh-CN",
                      viewport: ViewportSize | None = None, base: str | None = None,
                      password: str = PASSWORD) -> Page:
        url = base or live_server
        size: ViewportSize = viewport or {"width": 1280, "height": 800}
        context = await browser.new_context(
            locale=locale, viewport=size,
            device_scale_factor=1, is_mobile=bool(viewport and viewport["width"] < 500),
            has_touch=bool(viewport and viewport["width"] < 500))
        context.set_default_timeout(10_000)
        contexts.append(context)
        response = await context.request.post(f"{url}/api/v1/auth/login",
                                              data={"login": username, "password": password})
        assert response.ok, await response.text()
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(url + path)
        return page

    errors: list[str] = []
    yield open_as
    for context in contexts:
        await context.close()
    # The server may still be finishing what the pages asked for (a read mark, a closing
    # socket's presence update); let it, before the suite empties the tables under it
    # (PostgreSQL's TRUNCATE would otherwise deadlock with such a transaction).
    await asyncio.sleep(0.5)
    assert not errors, f"uncaught errors in the page: {errors}"


def unavailable(message: str = "服务暂时不可用") -> Callable[[Route], Awaitable[None]]:
    """A route handler that answers as a server that is down does: 503, our error body."""
    body = json.dumps({"error": {"code": "unavailable", "message": message, "details": None}},
                      ensure_ascii=False)

    async def answer(route: Route) -> None:
        await route.fulfill(status=503, content_type="application/json", body=body)

    return answer


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}-{BACKEND}.png"
    await page.screenshot(path=str(path))
    return path


# The phone bar's destinations (zh-CN); the rest are tiles of 更多.
PHONE_BAR = ("消息", "工单", "审批", "项目", "目标")


async def assert_phone_bar_fits(page: Page, width: int = 390) -> None:
    """The phone's navigation shows its destinations and 更多 whole, each on one line."""
    nav = page.get_by_role("navigation", name="主导航")
    shown = [(name, nav.get_by_role("link", name=name, exact=True)) for name in PHONE_BAR]
    for name, destination in [*shown, ("更多", nav.get_by_test_id("apps-menu"))]:
        box = await destination.bounding_box()
        assert box is not None, name
        assert 0 <= box["x"] <= box["x"] + box["width"] <= width, (name, box)
        assert box["height"] < 40, (name, box)  # not broken over two lines


async def hover_until_shown(page: Page, target: Locator, shown: Locator) -> None:
    """Hover `target` until `shown` (what hovering reveals, such as a message's actions) is
    visible. The screen may still be settling under the pointer — task and page cards and
    glossary marks arrive after the messages and move or redraw them, which ends a hover —
    so the pointer comes back until it stays."""
    for _ in range(40):
        await target.hover()
        if await shown.is_visible():
            return
        await page.wait_for_timeout(250)
    await expect(shown).to_be_visible()
