"""Announcements in the browser: 人力资源部 writes a company-wide notice in the composer and
submits it; its director and an administrator approve it in the review inbox; a colleague
finds it first in the list (unread, important), opens it and acknowledges it; its publisher
reads the per-department chart and reminds those who have not acknowledged. At 1280×800
and 390×844, in Chinese, with axe."""

from __future__ import annotations

from playwright.async_api import Page, ViewportSize, expect

from tests.announcements.helpers import API, company, decide, draft, submit
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast

PHONE: ViewportSize = {"width": 390, "height": 844}
BODY = ("各位同事：\n\n根据国家法定节假日安排，2 月 5 日至 11 日放假，共 7 天；"
        "**2 月 12 日（正月初七）正常上班**。\n\n"
        "| 日期 | 安排 |\n|---|---|\n| 2 月 5 日至 11 日 | 放假 |\n| 2 月 12 日 | 上班 |\n")


async def fill_composer(page: Page) -> None:
    await page.get_by_test_id("announcement-title").fill("关于 2027 年春节放假安排的通知")
    await page.get_by_test_id("announcement-body").fill(BODY)
    await page.get_by_test_id("audience-company").check()
    await page.get_by_role("radio", name="重要").click()
    await page.get_by_test_id("requires-ack").check()


async def test_write_review_read_and_track_an_announcement(cast: Cast,
                                                           open_page: OpenPage) -> None:
    co = await company(cast)
    # Another one already out, so the list has an ordinary one below the important one.
    older = await draft(co.linxiaoyan, title="食堂本周菜单", body="周三加餐：红烧肉。")
    await submit(co.linxiaoyan, older["id"])
    await decide(co.panting, older["id"])
    await decide(co.zhoujianguo, older["id"])

    # The composer, and what it says when something is missing.
    writer = await open_page("dujuan", "/announcements/new")
    await expect(writer.get_by_role("heading", name="写公告")).to_be_visible()
    await writer.get_by_test_id("save-submit").click()
    await expect(writer.get_by_role("alert").first).to_contain_text("请填写标题")
    await fill_composer(writer)
    await assert_no_serious_violations(writer)
    await screenshot(writer, "announcement-composer-desktop")
    phone_writer = await open_page("dujuan", "/announcements/new", viewport=PHONE)
    await fill_composer(phone_writer)
    await phone_writer.get_by_test_id("publish-later").check()
    await assert_no_serious_violations(phone_writer)
    await screenshot(phone_writer, "announcement-composer-phone")
    await writer.get_by_test_id("save-submit").click()
    await expect(writer.get_by_test_id("announcement")).to_contain_text("审核中")
    await expect(writer.get_by_test_id("announcement-body").locator("table")).to_be_visible()
    announcement_id = int(writer.url.rstrip("/").split("/")[-1])

    # The review inbox: 人力资源部's director, then an administrator.
    director = await open_page("panting", "/announcements/review")
    item = director.locator(f'[data-announcement-id="{announcement_id}"]')
    await expect(item).to_contain_text("关于 2027 年春节放假安排的通知")
    await expect(item).to_contain_text("发布范围：全公司")
    await assert_no_serious_violations(director)
    await screenshot(director, "announcement-review-desktop")
    await item.get_by_test_id("review-reject").click()
    await expect(item.get_by_role("alert")).to_contain_text("请填写理由")
    await item.get_by_test_id("review-approve").click()
    await expect(director.get_by_test_id("notice")).to_contain_text("已通过")
    await expect(director.get_by_test_id("announcement-reviews-empty")).to_be_visible()
    admin = await open_page("linxiaoyan", "/announcements/review", viewport=PHONE)
    await admin.locator(f'[data-announcement-id="{announcement_id}"]').get_by_test_id(
        "review-approve").click()
    await expect(admin.get_by_test_id("announcement-reviews-empty")).to_be_visible()

    # A colleague: first in the list, unread; opened, it is read; acknowledged.
    reader = await open_page("liuyang", "/announcements")
    rows = reader.get_by_test_id("announcement-list").locator("li")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("关于 2027 年春节放假安排的通知")
    await expect(rows.first).to_contain_text("重要")
    await expect(rows.first.locator(".dot")).to_be_visible()
    await expect(rows.nth(1)).to_contain_text("食堂本周菜单")
    await assert_no_serious_violations(reader)
    await screenshot(reader, "announcement-list-desktop")
    await rows.first.get_by_role("link", name="关于 2027 年春节放假安排的通知").click()
    await expect(reader.get_by_test_id("acknowledge")).to_have_text("我已阅读并知晓")
    await assert_no_serious_violations(reader)
    await screenshot(reader, "announcement-detail-desktop")
    await reader.get_by_test_id("acknowledge").click()
    await expect(reader.get_by_test_id("acknowledged")).to_contain_text("你已于")
    shown = (await co.liuyang.api.get(f"{API}/{announcement_id}")).json()
    assert shown["read_at"] is not None
    assert shown["acknowledged_at"] is not None

    # In the company's announcement channel: the system account's card, pinned.
    await reader.goto(reader.url.split("/announcements")[0] + f"/chat/{co.channel_id}")
    card = reader.get_by_test_id("system-card").filter(has_text="关于 2027 年春节放假安排的通知")
    await expect(card).to_contain_text("新公告")
    await screenshot(reader, "announcement-chat-card-desktop")

    phone = await open_page("lina", "/announcements", viewport=PHONE)
    await expect(phone.get_by_test_id("announcement-list").locator("li")).to_have_count(2)
    await screenshot(phone, "announcement-list-phone")
    await phone.goto(phone.url.replace("/announcements", f"/announcements/{announcement_id}"))
    await expect(phone.get_by_test_id("acknowledge")).to_be_visible()
    await assert_no_serious_violations(phone)
    await screenshot(phone, "announcement-detail-phone")

    # Its publisher: the chart per department, who is pending, and a reminder.
    tracker = await open_page("dujuan", f"/announcements/{announcement_id}/receipts")
    await expect(tracker.get_by_test_id("receipts-chart").locator("svg")).to_be_visible()
    await expect(tracker.get_by_test_id("receipts-summary")).to_contain_text("已确认 1 人")
    await expect(tracker.locator('tr[data-department="华东区"]')).to_contain_text("1")
    pending = tracker.get_by_test_id("pending-people")
    await expect(pending).to_contain_text("李娜")  # opened it, not acknowledged yet
    await expect(pending).not_to_contain_text("刘洋")
    await assert_no_serious_violations(tracker)
    await screenshot(tracker, "announcement-receipts-desktop")
    await tracker.get_by_test_id("remind").click()
    await expect(tracker.get_by_test_id("notice")).to_contain_text("已提醒")
    await tracker.get_by_test_id("remind").click()
    await expect(tracker.get_by_role("alert")).to_contain_text("刚刚已经提醒过")
    small = await open_page("dujuan", f"/announcements/{announcement_id}/receipts",
                            viewport=PHONE)
    await expect(small.get_by_test_id("receipts-chart").locator("svg")).to_be_visible()
    await assert_no_serious_violations(small)
    await screenshot(small, "announcement-receipts-phone")


async def test_an_outsider_finds_nothing_and_the_states_show(cast: Cast,
                                                             open_page: OpenPage) -> None:
    co = await company(cast)
    made = await draft(co.gaoyuan, title="研发部代码冻结通知",
                       audience={"department_ids": [co.cast.departments["研发部"]]})
    page = await open_page("liuyang", "/announcements")
    await expect(page.get_by_test_id("announcements-empty")).to_contain_text("暂时没有公告")
    await page.goto(page.url.replace("/announcements", f"/announcements/{made['id']}"))
    await expect(page.get_by_test_id("announcement-error")).to_contain_text("公告不存在")
    await assert_no_serious_violations(page)
    # Its author's drafts list it, with its status.
    author = await open_page("gaoyuan", "/announcements?box=drafts")
    await expect(author.get_by_test_id("announcement-list")).to_contain_text("草稿")
    english = await open_page("gaoyuan", "/announcements?box=drafts", locale="en-US")
    await english.get_by_role("link", name="研发部代码冻结通知").click()
    await expect(english.get_by_test_id("submit-announcement")).to_have_text("Submit for review")


async def test_an_administrator_chooses_who_reviews_company_wide(cast: Cast,
                                                                 open_page: OpenPage) -> None:
    co = await company(cast)
    page = await open_page("linxiaoyan", "/announcements?box=mine")
    settings = page.get_by_test_id("review-settings")
    select = settings.get_by_label("审核部门")
    await expect(select).to_have_value(str(co.cast.departments["人力资源部"]))
    await select.select_option(label="研发部")
    await settings.get_by_role("button", name="保存").click()
    await expect(settings.get_by_role("status")).to_have_text("已保存。")
    await assert_no_serious_violations(page)
    await screenshot(page, "announcement-settings-desktop")
    chosen = (await co.linxiaoyan.api.get(f"{API}/settings")).json()
    assert chosen == {"review_department_id": co.cast.departments["研发部"]}
    # Not for others.
    member = await open_page("liuyang", "/announcements?box=mine")
    await expect(member.get_by_test_id("announcements-empty")).to_be_visible()
    await expect(member.get_by_test_id("review-settings")).to_have_count(0)
