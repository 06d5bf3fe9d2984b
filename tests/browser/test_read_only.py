"""Where someone may not post, they are told before they type: an announcement channel
shows its members a read-only notice instead of a composer (and of 需要确认) that the
server would refuse; an archived channel says it is archived."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast, create_channel, post

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
async def test_an_announcement_channel_is_read_only_for_its_readers(
        cast: Cast, open_page: OpenPage, viewport: dict[str, int] | None) -> None:
    channel_id = await create_channel(cast.linxiaoyan, "公司公告", "announcement", cast.lina)
    notice = await post(cast.linxiaoyan, channel_id, "五一放假安排：5月1日至5日", ack_required=True)
    lina = await open_page("lina", f"/chat/{channel_id}", viewport=viewport)
    await expect(lina.locator("article.message", has_text="五一放假安排")).to_be_visible()
    read_only = lina.get_by_test_id("read-only-notice")
    await expect(read_only).to_contain_text("只有管理员指定的人可以发言")
    await expect(lina.get_by_test_id("composer")).to_have_count(0)
    await expect(lina.get_by_test_id("ack-toggle")).to_have_count(0)
    # Reading and acknowledging stay hers.
    await lina.locator("article.message", has_text="五一放假安排") \
        .get_by_test_id("ack-confirm").click()
    await expect(lina.locator("article.message", has_text="五一放假安排")
                 .get_by_text("已确认")).to_be_visible()
    await assert_no_serious_violations(lina)
    await screenshot(lina, f"announcement-read-only-{'phone' if viewport else 'desktop'}")
    assert notice["ack_required"]

    # Its announcer gets the composer.
    admin = await open_page("linxiaoyan", f"/chat/{channel_id}", viewport=viewport)
    await expect(admin.get_by_test_id("composer")).to_be_visible()
    await expect(admin.get_by_test_id("read-only-notice")).to_have_count(0)


async def test_an_archived_channel_says_so_and_goes_read_only_live(
        cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "旧项目", "private", cast.lina)
    lina = await open_page("lina", f"/chat/{channel_id}")
    await expect(lina.get_by_test_id("composer")).to_be_visible()
    archived = await cast.zhangwei.api.patch(f"/api/v1/channels/{channel_id}",
                                             json={"archived": True})
    assert archived.status_code == 200, archived.text
    await expect(lina.get_by_test_id("read-only-notice")).to_contain_text("已归档")
    await expect(lina.get_by_test_id("composer")).to_have_count(0)
