"""A search that replaces one still loading: the page shows loading, never "no results"
meanwhile, and ends with the newer query's hits, whatever order the answers come in."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Error, Route, expect

from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast, create_channel, post

# Set by a MutationObserver whenever the empty state is in the page, however briefly.
WATCH_EMPTY_STATE = """() => {
  window.__emptySeen = false
  const check = () => {
    if (document.body.textContent.includes('没有找到相关消息')) window.__emptySeen = true
  }
  new MutationObserver(check).observe(document.body,
    {childList: true, subtree: true, characterData: true})
}"""


async def test_a_newer_search_never_shows_an_empty_state_while_it_loads(
        cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "项目周报", "private", cast.lina)
    for n in range(2):
        await post(cast.lina, channel_id, f"蓝鲸计划预算第 {n + 1} 版")
    for n in range(3):
        await post(cast.zhangwei, channel_id, f"北极星项目周报第 {n + 1} 期")

    page = await open_page("zhangwei", f"/chat/{channel_id}")
    delays = {"蓝鲸": 3.0, "北极星": 1.2}
    answered: list[str] = []

    async def slow_search(route: Route) -> None:
        q = parse_qs(urlsplit(route.request.url).query)["q"][0]
        await asyncio.sleep(delays.get(q, 0))
        try:
            await route.continue_()
            answered.append(q)
        except Error:
            pass  # the page aborted it meanwhile

    await page.route(re.compile(r"/api/v1/search\?"), slow_search)
    await page.evaluate(WATCH_EMPTY_STATE)
    search = page.get_by_test_id("search-input")
    await search.fill("蓝鲸")
    await search.press("Enter")
    await expect(page).to_have_url(re.compile(r"/search\?q="))
    status = page.get_by_role("status").filter(has_text="加载中")
    await expect(status).to_be_visible()
    await page.wait_for_timeout(300)

    # The first is still on its way when the second is asked.
    await search.fill("北极星")
    await search.press("Enter")
    await expect(page.get_by_role("heading", name="“北极星”的搜索结果")).to_be_visible()
    await expect(status).to_be_visible()
    await screenshot(page, "search-loading")
    hits = page.get_by_test_id("search-hit")
    await expect(hits).to_have_count(3)
    await expect(hits.first).to_contain_text("北极星项目周报")
    await expect(page.get_by_role("status")).to_have_text("共 3 条结果")
    # Past the moment the first search's answer would have come: nothing changed.
    await page.wait_for_timeout(2500)
    await expect(hits).to_have_count(3)
    await expect(page.get_by_text("蓝鲸计划预算")).to_have_count(0)
    assert await page.evaluate("window.__emptySeen") is False, "the empty state was shown"
    assert "北极星" in answered
    await screenshot(page, "search-newer-results")


async def test_an_empty_result_still_says_so(cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "空的频道", "private", cast.lina)
    await post(cast.lina, channel_id, "只有这一条")
    page = await open_page("zhangwei", f"/chat/{channel_id}")
    search = page.get_by_test_id("search-input")
    await search.fill("不存在的词语")
    await search.press("Enter")
    await expect(page.get_by_text("没有找到相关结果。")).to_be_visible()
    await expect(page.get_by_role("status")).to_have_text("共 0 条结果")
