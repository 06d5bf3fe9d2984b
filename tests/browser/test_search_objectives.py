"""Objectives on the search page: found by their words and their key results' words by
whoever sees them, one kind at a time, and opened highlighted in the OKR tree of their
quarter; a private one is not found by a colleague."""

from __future__ import annotations

import re

from playwright.async_api import ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_search_requests import search_for
from tests.goals.helpers import add_key_result, make_objective
from tests.helpers import Cast

PHONE: ViewportSize = {"width": 390, "height": 844}


async def test_an_objective_is_found_and_opened_in_its_tree(cast: Cast,
                                                            open_page: OpenPage) -> None:
    company = await make_objective(cast.zhoujianguo, "打开华东市场")
    await add_key_result(cast.zhoujianguo, company["id"], "签约渠道伙伴 12 家", target=12)
    await make_objective(cast.liuyang, "华东大客户攻坚", "person",
                                   visibility="private", parent_id=company["id"])

    page = await open_page("zhangwei", "/projects")
    await search_for(page, "渠道伙伴")
    row = page.get_by_test_id("search-objective-hit")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("目标 · 公司")
    await expect(row).to_contain_text("周建国")
    await expect(row).to_contain_text("2026 Q4")
    await expect(row.locator(".snippet mark")).to_have_text("渠道伙伴")
    await page.get_by_role("radio", name="目标").click()
    await expect(page).to_have_url(re.compile(r"kind=objective"))
    await expect(row).to_have_count(1)
    await assert_no_serious_violations(page)
    await screenshot(page, "search-objectives-desktop")
    await row.click()
    await expect(page).to_have_url(re.compile(rf"/okr\?.*objective={company['id']}"))
    highlighted = page.locator(f'[data-testid="objective"][data-objective-id="{company["id"]}"]')
    await expect(highlighted).to_have_class(re.compile("highlighted"))

    # 张伟 manages 销售部, above 刘洋's 华东区: he finds the private one; 李娜 does not.
    await search_for(page, "大客户攻坚")
    await expect(page.get_by_test_id("search-objective-hit")).to_have_count(1)
    colleague = await open_page("lina", "/search?q=大客户攻坚&kind=objective", viewport=PHONE)
    await expect(colleague.get_by_test_id("search-empty")).to_contain_text("没有找到相关目标")
    await expect(colleague.get_by_test_id("search-objective-hit")).to_have_count(0)
    phone = await open_page("liuyang", "/search?q=攻坚&kind=objective", viewport=PHONE)
    await expect(phone.get_by_test_id("search-objective-hit")).to_have_count(1)
    await assert_no_serious_violations(phone)
    await screenshot(phone, "search-objectives-phone")
