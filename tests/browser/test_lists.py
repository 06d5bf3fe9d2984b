"""The cursor-paged lists (the directory, the admin's members and audit log) share one way of
paging: "load more" appends the next page, a newer search supersedes an older one still on
its way, and loading, empty and error states show."""

from __future__ import annotations

import asyncio
import contextlib
import re

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.helpers import Cast

PAGE_SIZE = 3
PHONE: ViewportSize = {"width": 390, "height": 844}


async def small_pages(page: Page, path: str) -> None:
    """Ask the real server for pages of PAGE_SIZE, so seven people take three pages."""
    async def route(route: Route) -> None:
        url = re.sub(r"([?&])limit=\d+", rf"\g<1>limit={PAGE_SIZE}", route.request.url)
        await route.continue_(url=url)

    await page.route(re.compile(rf"{re.escape(path)}\?"), route)


async def test_the_directory_loads_more_and_shows_the_latest_search_only(
        cast: Cast, open_page: OpenPage) -> None:
    lina = await open_page("lina", "/people")
    await small_pages(lina, "/api/v1/users")
    await lina.reload()
    status = lina.locator(".result-count")
    more = lina.get_by_role("button", name="加载更多")
    await expect(status).to_have_text(re.compile(r"^\s*已显示 3 人，还有更多\s*$"))
    await more.click()
    await expect(status).to_have_text(re.compile(r"^\s*已显示 6 人，还有更多\s*$"))
    await screenshot(lina, "directory-load-more")
    await more.click()
    await expect(status).to_have_text("已显示 7 人")
    await expect(more).to_have_count(0)
    await expect(lina.get_by_text("没有更多了")).to_be_visible()  # paged to the end
    names = await lina.locator(".person-list .person-name").all_inner_texts()
    assert len(set(names)) == 7  # each page appended once, nothing twice

    # The answer to an older search arrives after a newer one's: it must not replace it.
    held: list[Route] = []
    release = asyncio.Event()

    async def hold_zhang(route: Route) -> None:
        held.append(route)
        await release.wait()
        # The page may have given up on it (aborted) meanwhile, as it should.
        with contextlib.suppress(PlaywrightError):
            await route.continue_()

    await lina.route(re.compile(r"/api/v1/users\?.*q=%E5%BC%A0"), hold_zhang)  # q=张
    search = lina.get_by_label("搜索同事")
    await search.fill("张")
    for _ in range(100):
        if held:
            break
        await asyncio.sleep(0.05)
    assert held, "the search for 张 never went out"
    await search.fill("王芳")
    await expect(status).to_have_text("已显示 1 人")
    release.set()
    await asyncio.sleep(0.5)
    await expect(status).to_have_text("已显示 1 人")
    await expect(lina.locator(".person-list .person-name")).to_have_text(["王芳"])

    await search.fill("没有这个人")
    await expect(lina.get_by_text("没有找到匹配的同事。")).to_be_visible()


async def test_a_page_that_fails_keeps_the_list_and_is_retried(
        cast: Cast, open_page: OpenPage) -> None:
    """The next page failing says why under the list, keeps what is shown, and the button
    retries it; a list that fits one page has no "nothing more" under it."""
    lina = await open_page("lina", "/people", viewport=PHONE)
    await small_pages(lina, "/api/v1/users")
    await lina.reload()
    rows = lina.locator(".person-list .person-name")
    await expect(rows).to_have_count(PAGE_SIZE)

    next_page = re.compile(r"/api/v1/users\?.*cursor=")
    down = unavailable()
    await lina.route(next_page, down)
    await lina.get_by_role("button", name="加载更多").click()
    await expect(lina.get_by_role("alert")).to_contain_text("服务暂时不可用")
    await expect(rows).to_have_count(PAGE_SIZE)
    retry = lina.get_by_role("button", name="重试")
    await expect(retry).to_be_visible()
    assert await lina.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await retry.scroll_into_view_if_needed()
    await screenshot(lina, "directory-load-more-failed-phone")
    await assert_no_serious_violations(lina)
    await lina.unroute(next_page, down)
    await retry.click()
    await expect(rows).to_have_count(2 * PAGE_SIZE)
    await expect(lina.get_by_role("alert")).to_have_count(0)
    await expect(lina.get_by_role("button", name="加载更多")).to_be_visible()

    # One page holds it all: no button, and no "nothing more" either.
    await lina.get_by_label("搜索同事").fill("王芳")
    await expect(rows).to_have_text(["王芳"])
    await expect(lina.get_by_text("没有更多了")).to_have_count(0)


async def test_the_admin_lists_page_and_show_their_states(cast: Cast,
                                                          open_page: OpenPage) -> None:
    admin = await open_page("linxiaoyan", "/admin/users")
    await small_pages(admin, "/api/v1/admin/users")
    await small_pages(admin, "/api/v1/audit")
    await admin.reload()
    rows = admin.locator("[data-user-id]")
    await expect(rows).to_have_count(3)
    await admin.get_by_role("button", name="加载更多").click()
    await expect(rows).to_have_count(6)
    await admin.get_by_role("button", name="加载更多").click()
    await expect(rows).to_have_count(7)
    await expect(admin.get_by_role("button", name="加载更多")).to_have_count(0)
    await admin.get_by_label("搜索成员").fill("zzz-nobody")
    await expect(admin.get_by_text("没有找到成员。")).to_be_visible()
    await expect(rows).to_have_count(0)

    # The audit log: a failing server shows why, and applying the filters again recovers.
    down = unavailable()
    await admin.route(re.compile(r"/api/v1/audit\?"), down)
    await admin.goto(admin.url.replace("/admin/users", "/admin/audit"))
    await expect(admin.get_by_role("alert")).to_be_visible()
    await admin.unroute(re.compile(r"/api/v1/audit\?"), down)
    await admin.get_by_role("button", name="筛选").click()
    await expect(admin.get_by_role("alert")).to_have_count(0)
    audit_rows = admin.locator("table tbody tr")
    await expect(audit_rows).to_have_count(PAGE_SIZE)
    await admin.get_by_role("button", name="加载更多").click()
    await expect(audit_rows).to_have_count(2 * PAGE_SIZE)
    await admin.get_by_label("结束日期").fill("2001-01-01")
    await expect(admin.get_by_text("没有符合条件的记录。")).to_be_visible()
    await screenshot(admin, "audit-empty")
