"""Pictures open in a viewer on the page, not as a raw file in a new tab: fitted to the
window, zoomable, with arrows through the conversation's pictures, a download of the
original, and the keyboard (Esc, ← →, + − 0, Tab kept inside)."""

from __future__ import annotations

import pytest
from playwright.async_api import ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.files.images import solid_png
from tests.helpers import Cast, create_channel, post, upload

SCREENS: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 800},
                                    "phone": {"width": 390, "height": 844}}


async def conversation_with_pictures(cast: Cast) -> tuple[int, list[dict[str, object]]]:
    channel_id = await create_channel(cast.zhangwei, "展会物料", "private", cast.lina)
    pictures = [await upload(cast.zhangwei, name, solid_png(width, height, colour), "image/png")
                for name, width, height, colour in (("展台效果图.png", 1600, 1000, "#2b63e6"),
                                                    ("易拉宝.png", 600, 1500, "#e67e22"),
                                                    ("名片.png", 900, 540, "#27ae60"))]
    sheet = await upload(cast.zhangwei, "预算.txt", "展台 3 万".encode(), "text/plain")
    await post(cast.zhangwei, channel_id, "展台和易拉宝的设计稿",
               file_ids=[pictures[0]["id"], pictures[1]["id"], sheet["id"]])
    await post(cast.zhangwei, channel_id, "名片也改好了", file_ids=[pictures[2]["id"]])
    return channel_id, pictures


@pytest.mark.parametrize("screen", ["desktop", "phone"])
async def test_a_picture_opens_in_the_viewer(cast: Cast, open_page: OpenPage,
                                             live_server: str, screen: str) -> None:
    channel_id, pictures = await conversation_with_pictures(cast)
    lina = await open_page("lina", f"/chat/{channel_id}", viewport=SCREENS[screen])
    thumb = lina.get_by_role("link", name="查看图片 展台效果图.png")
    await expect(thumb).to_be_visible()
    pages_before = len(lina.context.pages)
    await thumb.click()

    dialog = lina.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_have_accessible_name("图片查看器 展台效果图.png")
    assert len(lina.context.pages) == pages_before  # no new tab
    assert lina.url.endswith(f"/chat/{channel_id}")
    image = dialog.get_by_test_id("viewer-image")
    await expect(image).to_have_attribute("src", f"/api/v1/files/{pictures[0]['id']}")
    await lina.wait_for_function("img => img.complete && img.naturalWidth === 1600",
                                 arg=await image.element_handle())
    await expect(dialog).to_contain_text("第 1 张，共 3 张")
    # Fitted: the whole picture inside the window.
    box = await image.bounding_box()
    size = SCREENS[screen]
    assert box is not None
    assert box["width"] <= size["width"]
    assert box["height"] <= size["height"]
    await expect(dialog.get_by_role("button", name="关闭（Esc）")).to_be_focused()
    await assert_no_serious_violations(lina, "dialog")
    await screenshot(lina, f"image-viewer-{screen}")

    # Through the conversation's pictures (the text file is not one), and back.
    next_button = dialog.get_by_role("button", name="下一张")
    await next_button.click()
    await expect(dialog).to_contain_text("易拉宝.png")
    await expect(dialog).to_contain_text("第 2 张，共 3 张")
    await expect(dialog).to_have_accessible_name("图片查看器 易拉宝.png")
    await next_button.click()
    await expect(dialog).to_contain_text("名片.png")
    await expect(next_button).to_be_hidden()  # the last one
    await expect(dialog.get_by_role("button", name="关闭（Esc）")).to_be_focused()
    await dialog.get_by_role("button", name="上一张").click()
    await expect(dialog).to_contain_text("易拉宝.png")

    # The original, downloadable under its own name.
    download = dialog.get_by_role("link", name="下载原图")
    await expect(download).to_have_attribute("href", f"/api/v1/files/{pictures[1]['id']}")
    await expect(download).to_have_attribute("download", "易拉宝.png")
    original = await lina.context.request.get(live_server + f"/api/v1/files/{pictures[1]['id']}")
    assert original.ok
    assert (await original.body()).startswith(b"\x89PNG")

    # Closing gives focus back to where it was.
    await dialog.get_by_role("button", name="关闭（Esc）").click()
    await expect(dialog).to_have_count(0)
    await expect(thumb).to_be_focused()


async def test_the_viewer_from_the_keyboard(cast: Cast, open_page: OpenPage) -> None:
    channel_id, _ = await conversation_with_pictures(cast)
    lina = await open_page("lina", f"/chat/{channel_id}", locale="en")
    thumb = lina.get_by_role("link", name="View image 易拉宝.png")
    await thumb.focus()
    await lina.keyboard.press("Enter")
    dialog = lina.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_have_accessible_name("Image viewer 易拉宝.png")
    await expect(dialog).to_contain_text("Image 2 of 3")

    await lina.keyboard.press("ArrowRight")
    await expect(dialog).to_contain_text("名片.png")
    await lina.keyboard.press("ArrowRight")  # the last: stays
    await expect(dialog).to_contain_text("Image 3 of 3")
    await lina.keyboard.press("ArrowLeft")
    await lina.keyboard.press("ArrowLeft")
    await expect(dialog).to_contain_text("展台效果图.png")

    zoom = dialog.get_by_test_id("zoom-level")
    fitted = await zoom.text_content()
    image = dialog.get_by_test_id("viewer-image")
    before = await image.bounding_box()
    await lina.keyboard.press("+")
    await expect(zoom).not_to_have_text(fitted or "")
    await lina.keyboard.press("+")
    after = await image.bounding_box()
    assert before is not None
    assert after is not None
    assert after["width"] == pytest.approx(before["width"] * 2.25, rel=0.02)
    await expect(dialog.get_by_role("button", name="Zoom out")).to_be_enabled()
    await lina.keyboard.press("0")
    await expect(zoom).to_have_text(fitted or "")

    # Tab goes round the viewer's own controls, never out to the page behind.
    for _ in range(12):
        await lina.keyboard.press("Tab")
        assert await dialog.evaluate("d => d.contains(document.activeElement)")
    await lina.keyboard.press("Shift+Tab")
    assert await dialog.evaluate("d => d.contains(document.activeElement)")

    await lina.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    await expect(thumb).to_be_focused()


async def test_a_modified_click_still_opens_the_original(cast: Cast, open_page: OpenPage) -> None:
    """Ctrl+click (a new tab) keeps the link's own meaning; only a plain click opens the viewer."""
    channel_id, pictures = await conversation_with_pictures(cast)
    lina = await open_page("lina", f"/chat/{channel_id}")
    thumb = lina.get_by_role("link", name="查看图片 名片.png")
    await expect(thumb).to_have_attribute("href", f"/api/v1/files/{pictures[2]['id']}")
    async with lina.context.expect_page() as opened:
        await thumb.click(modifiers=["Control"])
    tab = await opened.value
    await tab.wait_for_load_state()
    assert tab.url.endswith(f"/api/v1/files/{pictures[2]['id']}")
    await expect(lina.get_by_role("dialog")).to_have_count(0)
