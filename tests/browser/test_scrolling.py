"""Where the conversation is scrolled: the newest message whole in view on opening (its
picture's box laid out before the picture arrives), "回到最新" with the count of messages
that arrived below while reading further up, and one's own message brought into view."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import Page, Route, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.files.images import solid_png
from tests.helpers import Cast, create_channel, post, upload

SCREENS: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 800},
                                    "phone": {"width": 390, "height": 844}}
LOG = "[role=log]"


async def gap_below(page: Page) -> float:
    """How far the list is from its bottom, in pixels (0: the newest message is in view)."""
    gap: float = await page.locator(LOG).evaluate(
        "el => el.scrollHeight - el.scrollTop - el.clientHeight")
    return gap


async def settled_at_bottom(page: Page) -> None:
    """Waits until the list rests at its bottom (it gets there once the page is laid out)."""
    await page.wait_for_function(
        "() => { const el = document.querySelector('[role=log]');"
        " return el && el.scrollHeight - el.scrollTop - el.clientHeight < 2 }")


async def fill(cast: Cast, channel_id: int, count: int, prefix: str = "进度") -> None:
    for n in range(count):
        await post(cast.zhangwei, channel_id, f"{prefix} {n + 1}：第三季度的排期已经同步到项目表。")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
async def test_the_newest_message_with_a_picture_is_in_view_on_opening(
        cast: Cast, open_page: OpenPage, screen: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "新品拍摄", "private", cast.lina)
    await fill(cast, channel_id, 25)
    photo = await upload(cast.zhangwei, "样片.png", solid_png(1200, 900, "#2b63e6"), "image/png")
    await post(cast.zhangwei, channel_id, "样片出来了", file_ids=[photo["id"]])

    lina = await open_page("lina", "/people", viewport=SCREENS[screen])
    # The pictures arrive late, as over a slow link: the list is laid out without them.
    arrived = asyncio.Event()

    async def late(route: Route) -> None:
        await arrived.wait()
        await route.continue_()

    await lina.route(re.compile(r"/api/v1/files/\d+/thumbnail"), late)
    await lina.goto(lina.url.replace("/people", f"/chat/{channel_id}"))
    newest = lina.locator("article.message", has_text="样片出来了")
    picture = newest.get_by_test_id("attachment").locator("img")
    await expect(picture).to_be_attached()
    # Its box is there before the picture: as wide as it will be, and 4:3.
    box = await picture.bounding_box()
    assert box is not None
    assert box["width"] >= 200, box
    assert box["width"] / box["height"] == pytest.approx(4 / 3, abs=0.02), box
    await settled_at_bottom(lina)
    arrived.set()
    await expect(picture).to_have_js_property("complete", True)
    await lina.wait_for_function("img => img.naturalWidth > 0", arg=await picture.element_handle())
    await lina.wait_for_timeout(300)
    assert await gap_below(lina) < 2
    after = await picture.bounding_box()
    assert after is not None
    assert after["height"] == pytest.approx(box["height"], abs=1), (box, after)
    # The whole of it shows, above the composer.
    log = await lina.locator(LOG).bounding_box()
    assert log is not None
    assert after["y"] + after["height"] <= log["y"] + log["height"]
    await screenshot(lina, f"picture-in-view-{screen}")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
async def test_jump_to_latest_counts_what_arrived_below(cast: Cast, open_page: OpenPage,
                                                        screen: str) -> None:
    channel_id = await create_channel(cast.zhangwei, "周报汇总", "private", cast.lina)
    await fill(cast, channel_id, 40)
    lina = await open_page("lina", f"/chat/{channel_id}", viewport=SCREENS[screen])
    await expect(lina.locator("article.message", has_text="进度 40")).to_be_visible()
    jump = lina.get_by_test_id("jump-latest")
    await expect(jump).to_have_count(0)

    # Reading further up: the button offers the way back, with nothing new to count yet.
    await lina.locator(LOG).evaluate("el => el.scrollTop = 200")
    await expect(jump).to_be_visible()
    await expect(jump).to_contain_text("回到最新")
    await expect(jump.get_by_test_id("jump-count")).to_have_count(0)

    for text in ("新的一条", "再来一条", "第三条"):
        await post(cast.zhangwei, channel_id, text)
    await expect(jump.get_by_test_id("jump-count")).to_have_text("3")
    await expect(jump).to_have_accessible_name("回到最新，3 条新消息")
    # Still where they were reading: nothing moved them.
    assert await lina.locator(LOG).evaluate("el => el.scrollTop") == pytest.approx(200, abs=2)
    await assert_no_serious_violations(lina)
    await screenshot(lina, f"jump-to-latest-{screen}")

    await jump.click()
    await expect(lina.locator("article.message", has_text="第三条")).to_be_in_viewport()
    await expect(jump).to_have_count(0)
    assert await gap_below(lina) < 2
    # Seen: read on the server too.
    for _ in range(50):
        mine = (await cast.lina.api.get("/api/v1/channels")).json()["items"]
        if next(c["unread_count"] for c in mine if c["id"] == channel_id) == 0:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the messages seen were not marked read")


async def test_a_move_up_is_not_undone_by_the_list_growing_before_its_scroll_event(
        cast: Cast, open_page: OpenPage) -> None:
    """The scroll event comes a frame after the move; the list growing in between (a receipt,
    a picture, a reaction) must not take the reader back down (seen in CI under load)."""
    channel_id = await create_channel(cast.zhangwei, "季度复盘", "private", cast.lina)
    await fill(cast, channel_id, 40)
    lina = await open_page("lina", f"/chat/{channel_id}")
    await expect(lina.locator("article.message", has_text="进度 40")).to_be_visible()
    await settled_at_bottom(lina)
    # The move up whose scroll event has not arrived yet, then the list grows below.
    await lina.locator(LOG).evaluate(
        """el => {
             el.addEventListener('scroll', e => e.stopImmediatePropagation(),
                                 { capture: true, once: true })
             el.scrollTop = 200
             const rows = el.querySelector('.rows')
             rows.style.minHeight = `${rows.offsetHeight + 120}px`
           }""")
    await lina.wait_for_timeout(300)
    assert await lina.locator(LOG).evaluate("el => el.scrollTop") == pytest.approx(200, abs=2)
    await expect(lina.get_by_test_id("jump-latest")).to_be_visible()


async def send_and_see(page: Page, text: str) -> None:
    """Sends `text` from the composer and waits until the message is in view."""
    composer = page.get_by_test_id("composer")
    await composer.fill(text)
    await composer.press("Enter")
    await expect(page.locator("article.message", has_text=text)).to_be_in_viewport()


async def test_a_message_of_ones_own_is_brought_into_view(cast: Cast,
                                                        open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "渠道合作", "private", cast.lina)
    await fill(cast, channel_id, 40)
    lina = await open_page("lina", f"/chat/{channel_id}")
    await expect(lina.locator("article.message", has_text="进度 40")).to_be_visible()
    await lina.locator(LOG).evaluate("el => el.scrollTop = 0")
    await expect(lina.get_by_test_id("jump-latest")).to_be_visible()

    await send_and_see(lina, "我来对接渠道，周五前给方案")
    await expect(lina.get_by_test_id("jump-latest")).to_have_count(0)
    await lina.wait_for_timeout(300)
    assert await gap_below(lina) < 2


async def test_sending_from_an_older_stretch_goes_to_the_newest(cast: Cast,
                                                               open_page: OpenPage) -> None:
    """Opened at a search hit far back, the newest messages are not loaded: sending loads
    them and shows one's own message at the end."""
    channel_id = await create_channel(cast.zhangwei, "历史讨论", "private", cast.lina)
    old = await post(cast.zhangwei, channel_id, "很早以前的方案")
    await fill(cast, channel_id, 120)
    lina = await open_page("lina", f"/chat/{channel_id}?around={old['id']}")
    await expect(lina.locator("article.message", has_text="很早以前的方案")).to_be_visible()
    await expect(lina.get_by_test_id("jump-latest")).to_be_visible()

    await send_and_see(lina, "这个方案还作数吗？")
    await expect(lina.locator("article.message", has_text="进度 120")).to_have_count(1)
    await expect(lina.get_by_test_id("jump-latest")).to_have_count(0)
