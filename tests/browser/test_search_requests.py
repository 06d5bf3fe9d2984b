"""Requests on the search page: a request hit is its own row (number, receiving department,
status, the title and text with the matches marked) among the messages, opens the request,
and the kinds can be shown one at a time; someone the request is not for finds nothing."""

from __future__ import annotations

import re

from playwright.async_api import Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast, create_channel, post
from tests.requests.test_requests import file

PHONE: ViewportSize = {"width": 390, "height": 844}


async def search_for(page: Page, q: str) -> None:
    box = page.get_by_test_id("search-input")
    await box.fill(q)
    await box.press("Enter")
    await expect(page).to_have_url(re.compile(r"/search\?q="))


async def test_a_request_is_found_as_its_own_row_and_opens(cast: Cast,
                                                           open_page: OpenPage) -> None:
    engineer = await cast.add_person("zhaolei", "赵磊", departments=("研发部",), title="工程师")
    channel_id = await create_channel(cast.lina, "研发部周会", "private", engineer)
    message = await post(engineer, channel_id, "报表导出的性能问题周五前给结论")
    filed = await file(cast.liuyang, department_id=cast.departments["研发部"],
                       title="客户演示环境需要新增报表导出",
                       description="华东区客户下周三演示，需要按季度导出销售报表，"
                                   "并支持按区域筛选后再导出 Excel")

    page = await open_page("lina", f"/chat/{channel_id}")
    await search_for(page, "报表导出")
    await expect(page.get_by_role("heading", name="“报表导出”的搜索结果")).to_be_visible()
    await expect(page.get_by_role("status")).to_have_text("共 2 条结果")
    row = page.get_by_test_id("search-request-hit")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("工单")
    await expect(row).to_contain_text(filed["number"])
    await expect(row).to_contain_text("研发部")
    await expect(row.get_by_test_id("request-status")).to_have_text("待受理")
    await expect(row.locator(".title mark")).to_have_text("报表导出")
    await expect(row.locator(".snippet mark").first).to_have_text("导出")
    await expect(page.get_by_test_id("search-hit")).to_contain_text("报表导出的性能问题")
    await assert_no_serious_violations(page)
    await screenshot(page, "search-requests-desktop")

    # One kind at a time, in the URL.
    await page.get_by_role("radio", name="工单").click()
    await expect(page).to_have_url(re.compile(r"kind=request"))
    await expect(page.get_by_role("status")).to_have_text("共 1 条结果")
    await expect(page.get_by_test_id("search-hit")).to_have_count(0)
    await expect(row).to_have_count(1)
    await page.get_by_role("radio", name="消息").click()
    await expect(page.get_by_role("status")).to_have_text("共 1 条结果")
    await expect(page.get_by_test_id("search-hit")).to_have_attribute(
        "href", re.compile(rf"around={message['id']}"))
    await expect(row).to_have_count(0)
    await page.get_by_role("radio", name="全部").click()
    await expect(page.get_by_role("status")).to_have_text("共 2 条结果")

    # The row opens the request.
    await row.click()
    await expect(page).to_have_url(re.compile(rf"/requests/{filed['id']}$"))
    await expect(page.get_by_test_id("request-title")).to_have_text(
        "客户演示环境需要新增报表导出")


async def test_on_a_phone_and_for_someone_the_request_is_not_for(cast: Cast,
                                                                  open_page: OpenPage) -> None:
    filed = await file(cast.liuyang, department_id=cast.departments["研发部"],
                       title="华东区展会物料与演示样机借用",
                       description="下月杭州展会需要两台演示样机和一套易拉宝")
    phone = await open_page("liuyang", f"/search?q={filed['number']}", viewport=PHONE)
    row = phone.get_by_test_id("search-request-hit")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("华东区展会物料与演示样机借用")
    box = await row.bounding_box()
    assert box is not None
    assert 0 <= box["x"] <= box["x"] + box["width"] <= PHONE["width"]
    await assert_no_serious_violations(phone)
    await screenshot(phone, "search-requests-phone")

    # 王芳 (客服部) is not concerned: by word or by number, nothing; the empty state says so.
    outsider = await open_page("wangfang", "/search?q=演示样机")
    await expect(outsider.get_by_test_id("search-empty")).to_have_text("没有找到相关结果。")
    await search_for(outsider, filed["number"])
    await expect(outsider.get_by_test_id("search-empty")).to_be_visible()
    await expect(outsider.get_by_test_id("search-request-hit")).to_have_count(0)
    await outsider.get_by_role("radio", name="工单").click()
    await expect(outsider.get_by_test_id("search-empty")).to_have_text("没有找到相关工单。")
    await assert_no_serious_violations(outsider)
