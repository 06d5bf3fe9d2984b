"""What the composer and the search box do for the person typing: @ suggestions by pinyin
initials, drafts kept per conversation, and a search hit that opens older history."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast, create_channel, post


def channel_link(page: Page, channel_id: int) -> Locator:
    return page.locator(f'a.channel[data-channel-id="{channel_id}"]')


async def test_at_pinyin_initials_suggest_a_person_and_the_mention_resolves(
        cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "合同审批", "private", cast.linxiaoyan,
                                      cast.lina)
    zhang = await open_page("zhangwei", f"/chat/{channel_id}")
    composer = zhang.get_by_test_id("composer")
    await composer.press_sequentially("请 @lx")
    suggestions = zhang.get_by_role("listbox")
    await expect(suggestions.get_by_role("option").first).to_contain_text("林晓燕")
    await screenshot(zhang, "mention-suggestions")
    await composer.press("Tab")
    await expect(suggestions).to_have_count(0)
    await expect(composer).to_have_value("请 @林晓燕 ")
    await composer.press_sequentially("帮忙审批这份合同")
    await composer.press("Enter")

    sent = zhang.locator("article.message", has_text="帮忙审批这份合同")
    await expect(sent).to_contain_text("@林晓燕 帮忙审批这份合同")
    # The server marks whom a message mentions; the client shows it as a mention.
    await expect(sent.locator(".mention")).to_have_text("@林晓燕")
    page = (await cast.lina.api.get(f"/api/v1/channels/{channel_id}/messages")).json()
    [message] = [m for m in page["items"] if "帮忙审批" in m["text"]]
    assert message["mentions"]["user_ids"] == [cast.linxiaoyan.id]


async def test_a_draft_stays_with_its_conversation_and_survives_a_reload(
        cast: Cast, open_page: OpenPage) -> None:
    first = await create_channel(cast.zhangwei, "华东区周报", "private", cast.liuyang)
    second = await create_channel(cast.zhangwei, "渠道合作", "private", cast.liuyang)
    zhang = await open_page("zhangwei", f"/chat/{first}")
    composer = zhang.get_by_test_id("composer")
    await composer.fill("本周华东区签约三家")

    await channel_link(zhang, second).click()
    await expect(zhang).to_have_url(re.compile(f"/chat/{second}$"))
    await expect(composer).to_have_value("")
    await composer.fill("渠道政策草稿")
    await channel_link(zhang, first).click()
    await expect(zhang).to_have_url(re.compile(f"/chat/{first}$"))
    await expect(composer).to_have_value("本周华东区签约三家")

    # Typed and the tab reloaded at once: the draft is still there.
    await composer.fill("本周华东区签约四家")
    await zhang.reload()
    await expect(composer).to_have_value("本周华东区签约四家")
    await channel_link(zhang, second).click()
    await expect(composer).to_have_value("渠道政策草稿")
    # Nothing was sent from either draft.
    for channel_id in (first, second):
        page = (await cast.zhangwei.api.get(f"/api/v1/channels/{channel_id}/messages")).json()
        assert page["items"] == []


async def test_a_search_hit_opens_the_conversation_at_an_older_message(
        cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "年度预算", "private", cast.lina)
    for n in range(80):
        text = "第三季度预算里单列了蓝鲸计划的服务器费用" if n == 2 else f"预算讨论第 {n + 1} 条"
        await post(cast.zhangwei if n % 2 else cast.lina, channel_id, text)
    lina = await open_page("lina", f"/chat/{channel_id}")
    await expect(lina.locator("article.message", has_text="预算讨论第 80 条")).to_be_visible()
    target = lina.locator("article.message", has_text="蓝鲸计划")
    await expect(target).to_have_count(0)  # not on the first page

    search = lina.get_by_test_id("search-input")
    await search.fill("蓝鲸")
    await search.press("Enter")
    hit = lina.get_by_test_id("search-hit")
    await expect(hit).to_have_count(1)
    await expect(hit.locator("mark").first).to_contain_text("蓝鲸")
    await expect(hit).to_contain_text("服务器费用")
    await screenshot(lina, "search-hit")

    await hit.click()
    await expect(lina).to_have_url(re.compile(f"/chat/{channel_id}\\?around="))
    await expect(target).to_be_visible()
    await expect(target).to_be_in_viewport()
    # Highlighted for a moment, so the eye finds it among its neighbours.
    await expect(target).to_have_class(re.compile(r"\bflash\b"))
    animation = await target.evaluate("el => getComputedStyle(el).animationName")
    assert animation.startswith("message-flash"), animation
    await expect(target).not_to_have_class(re.compile(r"\bflash\b"), timeout=5000)
