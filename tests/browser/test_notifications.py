"""The notification centre in the browser: the bell in the app shell counts what is unread
live (on any page, here the directory), its panel opens a notification where it points and
marks it read, the /notifications page lists the feed, marks everything read and keeps the
person's preferences; and a notification that comes while the tab is hidden pops up as the
browser's own."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, Route, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.browser.test_shell import SocketTap
from tests.helpers import Cast, create_channel, post

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
async def consumers(cast: Cast) -> AsyncIterator[Cast]:
    """The event-log consumers (the notification centre's among them) stopped at the end; the
    test starts them once it has arranged its channels, as a new consumer starts at the end
    of the log and so does not notify of the arranging."""
    yield cast
    await cast.runtime.consumers.stop()


async def open_live(open_page: OpenPage, path: str, viewport: ViewportSize | None = None) -> Page:
    """李娜 on `path`, once her tab's socket is up (what comes next arrives live)."""
    page = await open_page("lina", path, viewport=viewport)
    tap = SocketTap()
    await tap.attach(page)
    await page.reload()
    await tap.until("hello")
    return page


async def test_a_mention_rings_the_bell_and_opens_where_it_points(
        consumers: Cast, open_page: OpenPage) -> None:
    cast = consumers
    channel_id = await create_channel(cast.zhangwei, "方案评审", "private", cast.lina)
    await cast.runtime.consumers.start()
    lina = await open_live(open_page, "/people")
    await expect(lina.get_by_role("heading", name="通讯录")).to_be_visible()
    bell = lina.get_by_test_id("notification-bell")
    await expect(lina.get_by_test_id("notification-count")).to_have_count(0)

    sent = await post(cast.zhangwei, channel_id, "@李娜 请看一下报价单")
    # Counted live, without a reload; the count is said in words to screen readers.
    await expect(lina.get_by_test_id("notification-count")).to_have_text("1")
    await expect(bell).to_contain_text("1 条未读通知")
    assert lina.url.endswith("/people")

    await bell.click()
    panel = lina.locator("#notification-panel")
    await expect(panel).to_be_visible()
    item = panel.get_by_role("button", name=re.compile("张伟 在 #方案评审 中提到了你"))
    await expect(item).to_contain_text("请看一下报价单")
    await expect(item).to_contain_text("刚刚")
    await expect(item).to_have_class(re.compile("unread"))
    await screenshot(lina, "notifications-panel-desktop")
    await assert_no_serious_violations(lina)

    await item.click()
    await expect(lina).to_have_url(re.compile(rf"/chat/{channel_id}\?message={sent['id']}$"))
    await expect(lina.get_by_role("heading", name="方案评审").first).to_be_visible()
    await expect(lina.get_by_test_id("notification-count")).to_have_count(0)
    read = await cast.lina.api.get("/api/v1/notifications")
    assert read.json()["unread_count"] == 0
    assert read.json()["items"][0]["read_at"] is not None

    # The page lists it as read; a second one comes in unread, and "mark all" clears it.
    await bell.click()
    await lina.locator("#notification-panel").get_by_role("link", name="查看全部").click()
    await expect(lina).to_have_url(re.compile(r"/notifications$"))
    await expect(lina.get_by_role("heading", name="通知", exact=True)).to_be_visible()
    feed = lina.get_by_test_id("notification-feed")
    await expect(feed.get_by_role("button")).to_have_count(1)
    await expect(feed.get_by_role("button").first).not_to_have_class(re.compile("unread"))
    await lina.get_by_role("button", name="未读", exact=True).click()
    await expect(lina.get_by_text("没有未读通知")).to_be_visible()
    await lina.get_by_role("button", name="全部", exact=True).click()

    await post(cast.zhangwei, channel_id, "@李娜 还有合同也看看")
    await expect(lina.get_by_test_id("notification-count")).to_have_text("1")
    await expect(feed.get_by_role("button")).to_have_count(2)
    await expect(feed.get_by_role("button").first).to_have_class(re.compile("unread"))
    await screenshot(lina, "notifications-page-desktop")
    await assert_no_serious_violations(lina)
    await lina.get_by_role("button", name="全部标为已读").click()
    await expect(lina.get_by_test_id("notification-count")).to_have_count(0)
    await expect(feed.locator(".unread")).to_have_count(0)
    assert (await cast.lina.api.get("/api/v1/notifications")).json()["unread_count"] == 0

    # Preferences: mentions off, saved, still off after a reload (and on the server).
    mention = lina.get_by_role("switch", name="提到你")
    await expect(mention).to_be_checked()
    await mention.uncheck()
    await lina.get_by_role("button", name="保存").click()
    await expect(lina.get_by_text("已保存通知设置。")).to_be_visible()
    await lina.reload()
    await expect(lina.get_by_role("switch", name="提到你")).not_to_be_checked()
    await expect(lina.get_by_role("switch", name="私信")).to_be_checked()
    prefs = await cast.lina.api.get("/api/v1/notifications/preferences")
    assert prefs.json()["kinds"]["mention"] is False


async def test_preferences_errors_are_shown(consumers: Cast, open_page: OpenPage) -> None:
    lina = await open_page("lina", "/notifications")
    await lina.get_by_role("switch", name="开启免打扰").check()
    start = lina.get_by_label("开始")
    # The 24-hour clock, as a Chinese page reads (a time input would say "10:00 PM" in an
    # English browser).
    await expect(start.locator("option:checked")).to_have_text("22:00")
    await expect(lina.get_by_label("结束").locator("option:checked")).to_have_text("08:00")

    async def refuse(route: Route) -> None:
        await route.fulfill(
            status=422, content_type="application/json",
            body='{"error": {"code": "validation_error", "message": "请检查免打扰时段。", '
                 '"details": []}}')

    await lina.route("**/api/v1/notifications/preferences", refuse)
    await start.select_option("23:00")
    await lina.get_by_role("button", name="保存").click()
    await expect(lina.get_by_role("alert")).to_contain_text("请检查免打扰时段。")
    await screenshot(lina, "notifications-dnd-refused-desktop")


async def test_the_feed_shows_its_errors_and_english_titles(
        consumers: Cast, open_page: OpenPage) -> None:
    cast = consumers
    channel_id = await create_channel(cast.zhangwei, "方案评审", "private", cast.lina)
    await cast.runtime.consumers.start()
    await post(cast.zhangwei, channel_id, "@李娜 请看一下报价单")
    for _ in range(100):  # the consumer records it in the background
        if (await cast.lina.api.get("/api/v1/notifications")).json()["items"]:
            break
        await asyncio.sleep(0.05)
    lina = await open_page("lina", "/people", locale="en")
    failing = True
    refused = 0

    async def fail(route: Route) -> None:
        nonlocal refused
        if failing:
            refused += 1
            await unavailable("Try again later.")(route)
        else:
            await route.fallback()

    await lina.route(re.compile(r"/api/v1/notifications\?"), fail)
    tap = SocketTap()
    await tap.attach(lina)
    await lina.goto(lina.url.replace("/people", "/notifications"))
    await expect(lina.get_by_role("alert")).to_contain_text("Try again later.")
    # The socket's first hello reloads the feed too (failing still): only then may the
    # server recover, or that reload would mend the feed before Retry is pressed.
    before = refused
    await tap.until("hello")
    for _ in range(40):  # the page may not have acted on the hello yet
        if refused > before:
            break
        await asyncio.sleep(0.05)
    await expect(lina.get_by_role("alert")).to_contain_text("Try again later.")
    failing = False
    await lina.get_by_role("button", name="Retry").click()
    feed = lina.get_by_test_id("notification-feed")
    # The server writes Chinese titles; English gets its own, from the kind and the names.
    await expect(feed.get_by_role("button")).to_contain_text("张伟 mentioned you in #方案评审")
    await expect(feed.get_by_role("button")).to_contain_text("just now")
    await expect(lina.get_by_role("alert")).to_have_count(0)


async def test_the_phone_bell_opens_the_notifications_page(
        consumers: Cast, open_page: OpenPage) -> None:
    cast = consumers
    channel_id = await create_channel(cast.zhangwei, "方案评审", "private", cast.lina)
    await cast.runtime.consumers.start()
    lina = await open_live(open_page, "/people", PHONE)
    await post(cast.zhangwei, channel_id, "@李娜 请看一下报价单，周五前回复我")
    await expect(lina.get_by_test_id("notification-count")).to_have_text("1")
    await lina.get_by_test_id("notification-bell").click()
    await expect(lina).to_have_url(re.compile(r"/notifications$"))
    feed = lina.get_by_test_id("notification-feed")
    await expect(feed.get_by_role("button")).to_have_count(1)
    assert await lina.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(lina, "notifications-page-phone")
    await assert_no_serious_violations(lina)
    await feed.get_by_role("button").first.click()
    await expect(lina).to_have_url(re.compile(rf"/chat/{channel_id}\?message="))
    await expect(lina.get_by_test_id("notification-count")).to_have_count(0)


async def test_a_notification_that_comes_while_the_bell_loads_is_kept(
        consumers: Cast, open_page: OpenPage) -> None:
    """The bell's load is read before a mention and answered after its event: the older
    answer does not take the count back to 0 (it did, now and then, under load)."""
    cast = consumers
    channel_id = await create_channel(cast.zhangwei, "方案评审", "private", cast.lina)
    await cast.runtime.consumers.start()
    lina = await open_page("lina", "/people")
    released = asyncio.Event()

    async def late(route: Route) -> None:
        if released.is_set():
            await route.fallback()
            return
        answer = await route.fetch()  # read now, before the mention
        await released.wait()
        await route.fulfill(response=answer)

    await lina.route(re.compile(r"/api/v1/notifications\?"), late)
    tap = SocketTap()
    await tap.attach(lina)
    await lina.reload()
    await tap.until("hello")
    await post(cast.zhangwei, channel_id, "@李娜 请看一下报价单")
    await tap.until("notification.created")
    await expect(lina.get_by_test_id("notification-count")).to_have_text("1")
    released.set()  # the load made on the hello answers now, with what it read before
    await lina.wait_for_timeout(300)
    await expect(lina.get_by_test_id("notification-count")).to_have_text("1")
    await lina.get_by_test_id("notification-bell").click()
    panel = lina.locator("#notification-panel")
    await expect(panel.get_by_role("button", name=re.compile("张伟"))).to_have_count(1)


# Headless Chromium draws no notifications and never hides a tab: the page is told whether
# it is hidden (`set_hidden`), and the notifications it creates are noted as they are made
# (still real ones), in `window.__shown`.
DESKTOP_NOTIFICATIONS_SEEN = """
    Object.defineProperty(document, 'visibilityState',
                          {get: () => window.__hidden ? 'hidden' : 'visible'});
    window.__shown = [];
    const Real = window.Notification;
    window.Notification = class extends Real {
        constructor(title, options) {
            super(title, options);
            window.__shown.push({title, ...options, n: this});
        }
    };
"""


async def open_with_desktop_notifications(open_page: OpenPage, path: str) -> Page:
    """李娜 on `path`, desktop notifications allowed and noted, once her socket is up."""
    page = await open_page("lina", path)
    await page.context.grant_permissions(["notifications"])
    await page.add_init_script(DESKTOP_NOTIFICATIONS_SEEN)
    tap = SocketTap()
    await tap.attach(page)
    await page.reload()
    await tap.until("hello")
    return page


async def set_hidden(page: Page, hidden: bool) -> None:
    """What the browser does when the tab goes to the background (or comes back)."""
    await page.evaluate("hidden => { window.__hidden = hidden; "
                        "document.dispatchEvent(new Event('visibilitychange')) }", hidden)


async def shown_titles(page: Page) -> list[str]:
    """The titles of the desktop notifications the page has shown."""
    titles: list[str] = await page.evaluate("window.__shown.map(shown => shown.title)")
    return titles


async def test_a_hidden_tab_shows_a_desktop_notification(
        consumers: Cast, open_page: OpenPage) -> None:
    cast = consumers
    channel_id = await create_channel(cast.zhangwei, "方案评审", "private", cast.lina)
    await cast.runtime.consumers.start()
    lina = await open_with_desktop_notifications(open_page, "/notifications")
    await expect(lina.get_by_test_id("desktop-granted")).to_be_visible()

    await post(cast.zhangwei, channel_id, "@李娜 页面可见时只响铃")
    await expect(lina.get_by_test_id("notification-count")).to_have_text("1")
    await set_hidden(lina, True)
    sent = await post(cast.zhangwei, channel_id, "@李娜 后台时弹出桌面通知")
    await expect(lina.get_by_test_id("notification-count")).to_have_text("2")
    shown = await lina.evaluate("window.__shown.map(({title, body, tag}) => ({title, body, tag}))")
    assert len(shown) == 1, shown
    assert shown[0]["title"] == "张伟 在 #方案评审 中提到了你"
    assert shown[0]["body"] == "@李娜 后台时弹出桌面通知"
    assert re.fullmatch(r"xietong-\d+", shown[0]["tag"])
    # Clicking it shows the tab at the message and marks it read.
    await lina.evaluate("window.__shown[0].n.onclick()")
    await expect(lina).to_have_url(re.compile(rf"/chat/{channel_id}\?message={sent['id']}$"))
    await expect(lina.get_by_test_id("notification-count")).to_have_text("1")


async def test_a_hidden_tab_is_away_so_direct_messages_pop_up(
        consumers: Cast, open_page: OpenPage) -> None:
    """A tab in the background tells the server it is away; a direct message then becomes a
    notification (while the tab is seen, the conversation itself is enough)."""
    cast = consumers
    opened = await cast.zhangwei.api.post("/api/v1/dms", json={"user_ids": [cast.lina.id]})
    assert opened.status_code == 201, opened.text
    dm = opened.json()["id"]
    await cast.runtime.consumers.start()
    lina = await open_with_desktop_notifications(open_page, "/people")
    await post(cast.zhangwei, dm, "看得见的时候不打扰")
    await expect(lina.get_by_test_id("nav-unread")).to_have_text("1")
    await lina.wait_for_timeout(500)
    assert await shown_titles(lina) == []

    await set_hidden(lina, True)
    for _ in range(100):  # the server hears "away"
        if (await cast.runtime.realtime.statuses([cast.lina.id]))[cast.lina.id] == "away":
            break
        await asyncio.sleep(0.05)
    await post(cast.zhangwei, dm, "在后台时弹出")
    await expect(lina.get_by_test_id("notification-count")).to_have_text("1")
    for _ in range(100):
        if await lina.evaluate("window.__shown.length"):
            break
        await asyncio.sleep(0.05)
    assert await shown_titles(lina) == ["张伟 给你发了消息"]
    await set_hidden(lina, False)
    for _ in range(100):  # and "online" again once seen
        if (await cast.runtime.realtime.statuses([cast.lina.id]))[cast.lina.id] == "online":
            break
        await asyncio.sleep(0.05)
    assert (await cast.runtime.realtime.statuses([cast.lina.id]))[cast.lina.id] == "online"


async def test_the_feed_states_on_a_phone(consumers: Cast, open_page: OpenPage) -> None:
    """Loading, empty and failed, in Chinese at phone size; and the do-not-disturb hours on
    the 24-hour clock."""
    lina = await open_page("lina", "/people", viewport=PHONE)
    held: list[Route] = []
    failing = False

    async def hold_or_fail(route: Route) -> None:
        if failing:
            await unavailable()(route)
        else:
            held.append(route)

    feed_request = re.compile(r"/api/v1/notifications\?")
    await lina.route(feed_request, hold_or_fail)
    await lina.goto(lina.url.replace("/people", "/notifications"))
    await expect(lina.get_by_role("status").filter(has_text="加载中…")).to_be_visible()
    await screenshot(lina, "notifications-loading-phone")
    for route in held:
        await route.continue_()
    held.clear()
    await expect(lina.get_by_text("暂无通知")).to_be_visible()
    await expect(lina.get_by_role("button", name="加载更多")).to_have_count(0)
    assert await lina.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(lina, "notifications-empty-phone")
    await assert_no_serious_violations(lina)

    failing = True
    await lina.get_by_role("button", name="未读", exact=True).click()
    await expect(lina.get_by_role("alert")).to_contain_text("服务暂时不可用")
    await screenshot(lina, "notifications-error-phone")
    failing = False
    await lina.unroute(feed_request, hold_or_fail)
    await lina.get_by_role("button", name="重试").click()
    await expect(lina.get_by_text("没有未读通知")).to_be_visible()
    await expect(lina.get_by_role("alert")).to_have_count(0)

    await lina.get_by_role("switch", name="开启免打扰").check()
    start = lina.get_by_label("开始")
    await expect(start.locator("option:checked")).to_have_text("22:00")
    await start.select_option("21:30")
    await lina.get_by_role("button", name="保存").click()
    await expect(lina.get_by_text("已保存通知设置。")).to_be_visible()
    await start.scroll_into_view_if_needed()
    await screenshot(lina, "notifications-dnd-phone")
    saved = await consumers.lina.api.get("/api/v1/notifications/preferences")
    assert (saved.json()["dnd_enabled"], saved.json()["dnd_start"]) == (True, "21:30")
