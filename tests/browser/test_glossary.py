"""The glossary in the browser. In chat: the terms a message names are underlined (dotted)
for whoever may read them — never in code, never a term kept to another department — a
screen of messages asking the server once; hovering, focusing or tapping one shows its card
(term, English name, definition, department, a link), Escape closes it and gives focus back;
a term added elsewhere is marked live. The 术语手册 page: the list with its search and
department filter, a term's page with its definition, aliases, examples and history,
following it, editing it, a clash of names said at the field; guests only read."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.browser.test_projects import open_live
from tests.browser.test_search_requests import search_for
from tests.glossary.helpers import TERMS, make_term
from tests.helpers import Cast, create_channel, post

PHONE: ViewportSize = {"width": 390, "height": 844}


def body(page: Page, message: dict[str, Any]) -> Any:
    return page.locator(f'[data-message-id="{message["id"]}"] .body')


async def test_a_term_in_a_chat_message_shows_its_card(cast: Cast, open_page: OpenPage) -> None:
    sla = await make_term(cast, cast.wangfang, "SLA", "客服部", aliases=["服务等级协议"],
                          english="Service Level Agreement",
                          definition="**服务等级协议**：对客户或其他部门承诺的响应和解决时限。"
                                     "客服部的标准是工作时间内 2 小时首响、24 小时解决。")
    await make_term(cast, cast.wangfang, "客户", "客服部")
    await make_term(cast, cast.wangfang, "客户成功", "客服部", english="Customer Success")
    await make_term(cast, cast.zhangwei, "底价", "销售部", visibility="department")
    channel_id = await create_channel(cast.wangfang, "客服与研发", "private", cast.lina,
                                      cast.zhangwei)
    first = await post(cast.wangfang, channel_id,
                       "这张工单的 SLA 还剩 30 分钟，客户成功部请跟进 👍")
    second = await post(cast.wangfang, channel_id,
                        "ＳＬＡ 超时会升级；SLAB 不是术语，`SLA` 在代码里不标。")
    hidden = await post(cast.zhangwei, channel_id, "这单不能低于底价。")

    asked: list[str] = []
    page = await open_live(open_page, "lina", f"/chat/{channel_id}")
    marks = body(page, first).locator(".glossary-term")
    # Counted from a fresh load, once this one has asked (its request is not counted).
    await expect(marks).to_have_count(2)
    page.on("request", lambda r: asked.append(r.post_data or "")
            if "/glossary/recognise" in r.url else None)
    await page.reload()
    await expect(marks).to_have_text(["SLA", "客户成功"])
    # The text stays as written; 客户 inside 客户成功部 is the longer term only.
    await expect(body(page, first)).to_have_text("这张工单的 SLA 还剩 30 分钟，客户成功部请跟进 👍")
    # Full-width forms are the term; SLAB and code are not.
    await expect(body(page, second).locator(".glossary-term")).to_have_text(["ＳＬＡ"])
    await expect(body(page, second).locator("code .glossary-term")).to_have_count(0)
    # 底价 is 销售部's own: nothing for 李娜.
    await expect(body(page, hidden).locator(".glossary-term")).to_have_count(0)
    # One request for the screen, however many messages.
    assert len(asked) == 1, asked

    # Hover: the card, under the term.
    mark = marks.first
    await mark.hover()
    card = page.get_by_test_id("term-card")
    await expect(card).to_be_visible()
    await expect(card).to_contain_text("SLA")
    await expect(card).to_contain_text("Service Level Agreement")
    await expect(card).to_contain_text("又称：服务等级协议")
    await expect(card).to_contain_text("服务等级协议：对客户或其他部门承诺的响应和解决时限")
    await expect(card).to_contain_text("客服部")
    await expect(card.get_by_test_id("term-card-link")).to_have_attribute(
        "href", f"/glossary/{sla['id']}")
    await expect(mark).to_have_attribute("aria-expanded", "true")
    await assert_no_serious_violations(page)
    await screenshot(page, "glossary-card-desktop")
    # Moving away closes it.
    await page.mouse.move(5, 700)
    await expect(card).to_have_count(0)

    # The keyboard: focus shows it, Enter moves into it, Escape closes it and returns.
    await mark.focus()
    await expect(card).to_be_visible()
    await mark.press("Enter")
    await expect(card.get_by_test_id("term-card-link")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(card).to_have_count(0)
    await expect(mark).to_be_focused()
    await expect(mark).to_have_attribute("aria-expanded", "false")

    # A term added elsewhere is marked live, without a reload.
    await make_term(cast, cast.lina, "跟进", "研发部")
    await expect(body(page, first).locator(".glossary-term")).to_have_text(
        ["SLA", "客户成功", "跟进"])

    # The card's link opens the term's page.
    await body(page, first).locator(".glossary-term").first.click()
    await card.get_by_test_id("term-card-link").click()
    await expect(page).to_have_url(re.compile(rf"/glossary/{sla['id']}$"))
    await expect(page.get_by_test_id("term-detail")).to_contain_text("服务等级协议")

    # The seller reads 底价: for him it is marked.
    seller = await open_page("zhangwei", f"/chat/{channel_id}")
    await expect(body(seller, hidden).locator(".glossary-term")).to_have_text(["底价"])

    # A phone: a tap opens the card, inside the window.
    phone = await open_page("wangfang", f"/chat/{channel_id}", viewport=PHONE)
    tapped = body(phone, first).locator(".glossary-term").first
    await tapped.tap()
    phone_card = phone.get_by_test_id("term-card")
    await expect(phone_card).to_be_visible()
    box = await phone_card.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    await assert_no_serious_violations(phone)
    await screenshot(phone, "glossary-card-phone")

    # English, and a card that fails to load says so and offers a retry.
    english = await open_page("lina", f"/chat/{channel_id}", locale="en-US")
    await english.route(re.compile(r".*/glossary/terms/\d+/card$"), unavailable())
    english_mark = body(english, first).locator(".glossary-term").nth(1)
    await english_mark.hover()
    english_card = english.get_by_test_id("term-card")
    await expect(english_card).to_contain_text("The term could not be loaded.")
    await english.unroute(re.compile(r".*/glossary/terms/\d+/card$"))
    await english_card.get_by_role("button", name="Retry").click()
    await expect(english_card).to_contain_text("Customer Success")
    await expect(english_card.get_by_test_id("term-card-link")).to_have_text("Open term")


async def test_the_glossary_page(cast: Cast, open_page: OpenPage) -> None:
    await make_term(cast, cast.zhangwei, "回款", "销售部", aliases=["收款"],
                    english="Payment Collection",
                    definition="合同款项**实际到账**。财务只以银行到账为准确认回款。",
                    examples=["这单合同 9 月底前要完成 60% 回款。"])
    await make_term(cast, cast.zhangwei, "商机", "销售部", english="Opportunity")
    await make_term(cast, cast.lina, "灰度发布", "研发部", aliases=["灰度"],
                    english="Canary Release",
                    definition="新版本先只开放给一小部分用户，观察无异常后再逐步扩大。")
    await make_term(cast, cast.wangfang, "SLA", "客服部", english="Service Level Agreement")

    page = await open_page("liuyang", "/glossary")
    rows = page.get_by_test_id("glossary-list").locator("li")
    await expect(rows).to_have_count(4)
    await expect(rows.nth(0)).to_contain_text("灰度发布")  # A–Z by pinyin: hui-du, hui-kuan …
    # 术语 is a tile of 更多, which shows where one is.
    await expect(page.get_by_test_id("apps-menu")).to_have_class(re.compile("current"))
    await page.get_by_test_id("apps-menu").click()
    await expect(page.get_by_test_id("app-glossary")).to_have_class(re.compile("current"))
    await page.keyboard.press("Escape")
    await assert_no_serious_violations(page)
    await screenshot(page, "glossary-list-desktop")
    # Search by pinyin; filter by department.
    await page.get_by_test_id("glossary-search").fill("huikuan")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("回款")
    await expect(page).to_have_url(re.compile(r"q=huikuan"))
    await page.get_by_test_id("glossary-search").fill("")
    await page.get_by_test_id("glossary-department").select_option(label="销售部")
    await expect(rows).to_have_count(2)
    await page.get_by_test_id("glossary-search").fill("没有这个词")
    await expect(page.get_by_test_id("glossary-empty")).to_contain_text("没有符合条件的术语")
    await page.get_by_role("button", name="清除筛选").click()
    await expect(rows).to_have_count(4)

    # A term's page: definition, aliases, examples, history; follow it.
    await page.get_by_role("link", name="回款", exact=True).click()
    detail = page.get_by_test_id("term-detail")
    await expect(detail.get_by_role("heading", level=1)).to_contain_text("回款")
    await expect(page.get_by_test_id("term-definition").locator("strong")).to_have_text("实际到账")
    await expect(detail).to_contain_text("收款")
    await expect(detail).to_contain_text("这单合同 9 月底前要完成 60% 回款。")
    await expect(page.get_by_test_id("term-history")).to_contain_text("张伟 创建了这个术语")
    follow = page.get_by_test_id("follow-term")
    await follow.click()
    await expect(follow).to_have_text("取消关注")
    await expect(follow).to_have_attribute("aria-pressed", "true")

    # Edit it (刘洋 works in 华东区, below 销售部): the history says what he changed.
    await page.get_by_test_id("edit-term").click()
    form = page.get_by_test_id("term-form")
    await form.get_by_test_id("term-definition-input").fill("合同约定的款项**实际到账**。")
    await form.get_by_test_id("term-aliases-input").fill("收款，回笼资金")
    await assert_no_serious_violations(page)
    await screenshot(page, "glossary-edit-desktop")
    await form.get_by_test_id("term-submit").click()
    await expect(form).to_have_count(0)
    await expect(page.get_by_test_id("term-definition")).to_contain_text("合同约定的款项")
    await expect(page.get_by_test_id("term-history")).to_contain_text("刘洋 修改了别名、定义")
    await expect(page.get_by_test_id("term-history")).to_contain_text("别名：收款 → 收款、回笼资金")
    await screenshot(page, "glossary-term-desktop")

    # The search box finds terms too, as their own kind of hit.
    await search_for(page, "回笼资金")
    hit = page.get_by_test_id("search-term-hit")
    await expect(hit).to_have_count(1)
    await expect(hit).to_contain_text("术语")
    await expect(hit).to_contain_text("Payment Collection")
    await expect(hit.locator(".snippet mark")).to_have_text("回笼资金")
    await page.get_by_role("radio", name="术语").click()
    await expect(page).to_have_url(re.compile(r"kind=term"))
    await expect(hit).to_have_count(1)
    await assert_no_serious_violations(page)
    await screenshot(page, "glossary-search-desktop")
    await hit.click()
    await expect(page).to_have_url(re.compile(r"/glossary/\d+$"))

    # A new term whose alias another term holds: said at the field, naming that term.
    await page.goto(page.url.split("/glossary")[0] + "/glossary")
    await page.get_by_test_id("new-term").click()
    form = page.get_by_test_id("term-form")
    await form.get_by_test_id("term-name-input").fill("大客户")
    await form.get_by_test_id("term-aliases-input").fill("ＳＬＡ")
    await form.get_by_test_id("term-definition-input").fill("年采购额超过 100 万的客户。")
    await form.get_by_test_id("term-submit").click()
    error = form.get_by_role("alert")
    await expect(error).to_contain_text("SLA")
    await expect(form.get_by_test_id("term-aliases-input")).to_have_attribute(
        "aria-invalid", "true")
    await form.get_by_test_id("term-aliases-input").fill("KA")
    await form.get_by_test_id("term-submit").click()
    await expect(page).to_have_url(re.compile(r"/glossary/\d+$"))
    await expect(page.get_by_test_id("term-detail")).to_contain_text("大客户")

    # A guest reads, and may not write; 术语 is a tile of 更多.
    guest = await open_page("alex", "/chat", viewport=PHONE)
    await expect(guest.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="术语")).to_be_hidden()
    await guest.get_by_test_id("apps-menu").click()
    await guest.get_by_test_id("app-glossary").click()
    await expect(guest).to_have_url(re.compile("/glossary$"))
    await expect(guest.get_by_test_id("glossary-list").locator("li")).to_have_count(5)
    await expect(guest.get_by_test_id("new-term")).to_have_count(0)
    await assert_no_serious_violations(guest)
    await screenshot(guest, "glossary-list-phone")
    await guest.get_by_role("link", name="灰度发布", exact=True).click()
    await expect(guest.get_by_test_id("term-detail")).to_contain_text("Canary Release")
    await expect(guest.get_by_test_id("edit-term")).to_have_count(0)
    await assert_no_serious_violations(guest)
    await screenshot(guest, "glossary-term-phone")
    # A term that is not there (or not theirs).
    await guest.goto(guest.url.rsplit("/", 1)[0] + "/999999")
    await expect(guest.get_by_test_id("term-missing")).to_be_visible()

    # English; loading failures say so with a retry.
    english = await open_page("lina", "/glossary", locale="en-US")
    await expect(english.get_by_role("heading", name="Glossary")).to_be_visible()
    await expect(english.get_by_test_id("glossary-list").locator("li")).to_have_count(5)
    await english.route(re.compile(r".*/api/v1/glossary/terms\?.*"), unavailable())
    await english.get_by_test_id("glossary-search").fill("sla")
    await expect(english.get_by_test_id("glossary-error")).to_be_visible()
    await english.unroute(re.compile(r".*/api/v1/glossary/terms\?.*"))
    await english.get_by_test_id("glossary-error").get_by_role("button", name="Retry").click()
    await expect(english.get_by_test_id("glossary-list").locator("li")).to_have_count(1)

    # Empty: nobody wrote a term yet.
    for term in (await cast.linxiaoyan.api.get(TERMS)).json()["items"]:
        await cast.linxiaoyan.api.delete(f"{TERMS}/{term['id']}")
    empty = await open_page("lina", "/glossary")
    await expect(empty.get_by_test_id("glossary-empty")).to_contain_text("还没有术语")
    await assert_no_serious_violations(empty)
