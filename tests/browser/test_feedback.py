"""员工之声 in the browser. The suggestion box says what it keeps and what it does not, takes
a suggestion and shows its receipt once, finds it again by the receipt, and shows the
department's answer live; the department's manager answers it in public. Kudos: the dialog
(a colleague or a team, a value, a message), the live feed, the counts as bars. The
showcase: an administrator adds a page by its link; others see it; guests have no entry.
Both sizes, axe, zh-CN screenshots; English as well."""

from __future__ import annotations

import re

from playwright.async_api import Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.browser.test_projects import open_live
from tests.documents.helpers import make_page, make_space
from tests.feedback.helpers import SUGGESTIONS, suggest, thank
from tests.helpers import Cast

PHONE: ViewportSize = {"width": 390, "height": 844}


async def fill_suggestion(page: Page, department: str, text: str) -> None:
    await page.get_by_test_id("box-department").select_option(label=department)
    await page.get_by_test_id("box-category").select_option(label="流程制度")
    await page.get_by_test_id("box-body").fill(text)


async def test_the_suggestion_box(cast: Cast, open_page: OpenPage) -> None:
    await suggest(cast, cast.zhangwei, "研发部", "希望代码评审能在一天内给出反馈。",
                  category="process")
    lina = await open_live(open_page, "lina", "/suggestions")
    privacy = lina.get_by_test_id("box-privacy")
    await expect(privacy).to_contain_text("不会保存：你的账号、姓名、IP 地址")
    await expect(privacy).to_contain_text("只记到“天”")
    await expect(lina.get_by_test_id("suggestion-list")).to_contain_text(
        "希望代码评审能在一天内给出反馈。")
    # Nothing chosen: said at the fields, nothing sent.
    await lina.get_by_test_id("box-submit").click()
    await expect(lina.get_by_text("请选择投递的部门")).to_be_visible()
    await expect(lina.get_by_text("请写下建议内容")).to_be_visible()
    await fill_suggestion(lina, "客服部", "工单转研发时，请在模板里加上必填的「复现步骤」。")
    # 研发部 is one person: naming it is refused, and the form says why.
    await lina.get_by_test_id("box-share").check()
    await lina.get_by_test_id("box-submit").click()
    await expect(lina.get_by_role("alert")).to_contain_text("少于 5 人")
    await lina.get_by_test_id("box-share").uncheck()
    asked: list[str] = []
    lina.on("request", lambda r: asked.append(f"{r.method} {r.url.split('/', 3)[3]}")
            if "/api/" in r.url else None)
    await lina.get_by_test_id("box-submit").click()
    code = lina.get_by_test_id("receipt-code")
    await expect(code).to_have_text(re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$"))
    receipt = await code.inner_text()
    await expect(lina.get_by_test_id("suggestion-list")).to_contain_text("复现步骤")
    # Nothing that is logged with the browser's address follows the submit: the page
    # shows the new suggestion by its receipt, an unrecorded route like the submit itself.
    await lina.wait_for_timeout(500)
    assert asked == ["POST api/v1/suggestions", "POST api/v1/suggestions/receipt"], asked
    await assert_no_serious_violations(lina)
    await screenshot(lina, "suggestions-desktop")

    # The manager of 客服部 answers it, in public.
    wang = await open_page("wangfang", "/suggestions")
    item = wang.locator("[data-suggestion-id]").filter(has_text="复现步骤")
    await item.get_by_test_id("answer-open").click()
    await item.get_by_test_id("answer-input").fill("好建议！下周起工单模板增加「复现步骤」必填项。")
    await item.get_by_test_id("answer-submit").click()
    await expect(item.get_by_test_id("suggestion-answer")).to_contain_text("王芳 代表部门回复")
    # Not on the other department's suggestion.
    other = wang.locator("[data-suggestion-id]").filter(has_text="代码评审")
    await expect(other.get_by_test_id("answer-open")).to_have_count(0)

    # The author sees the answer arrive, and finds it again by the receipt.
    mine = lina.get_by_test_id("suggestion-list").locator("[data-suggestion-id]").filter(
        has_text="复现步骤")
    await expect(mine.get_by_test_id("suggestion-answer")).to_contain_text("下周起工单模板")
    await lina.get_by_test_id("receipt-input").fill(receipt.lower())
    await lina.get_by_test_id("receipt-lookup").click()
    await expect(lina.get_by_test_id("receipt-found")).to_contain_text("下周起工单模板")
    await lina.get_by_test_id("receipt-input").fill("AAAA-BBBB-CCCC-DDDD")
    await lina.get_by_test_id("receipt-lookup").click()
    await expect(lina.get_by_role("alert")).to_contain_text("没有与这个回执码对应的建议")
    # Kept to those answered.
    await lina.get_by_role("radio", name="待回复").click()
    await expect(lina.get_by_test_id("suggestion-list")).not_to_contain_text("复现步骤")
    await expect(lina).to_have_url(re.compile(r"status=open"))

    phone = await open_page("zhangwei", "/suggestions", viewport=PHONE)
    await expect(phone.get_by_test_id("suggestion-list")).to_contain_text("复现步骤")
    await assert_no_serious_violations(phone)
    await screenshot(phone, "suggestions-phone")
    await phone.get_by_test_id("suggestion-list").scroll_into_view_if_needed()
    await screenshot(phone, "suggestions-phone-list")


async def test_the_box_says_when_it_cannot_load(cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("lina", "/kudos")
    await page.route(re.compile(r"/api/v1/suggestions\?"), unavailable())
    await page.get_by_test_id("voice-tab-suggestions").click()
    await expect(page.get_by_test_id("suggestions-error")).to_contain_text("服务暂时不可用")
    await page.unroute(re.compile(r"/api/v1/suggestions\?"))
    await page.get_by_test_id("suggestions-error").get_by_role("button", name="重试").click()
    await expect(page.get_by_test_id("suggestions-empty")).to_contain_text("还没有建议")


async def test_kudos(cast: Cast, open_page: OpenPage) -> None:
    await thank(cast.wangfang, "customer_first", "周末帮客户恢复了系统，客户专门打电话来表扬。",
                recipient_id=cast.zhangwei.id)
    zhang = await open_live(open_page, "zhangwei", "/kudos")
    lina = await open_live(open_page, "lina", "/kudos")
    feed = zhang.get_by_test_id("kudos-feed")
    await expect(feed).to_contain_text("王芳 感谢了 张伟")
    await zhang.get_by_test_id("give-kudos").click()
    dialog = zhang.get_by_role("dialog", name="点赞")
    await dialog.get_by_test_id("kudos-submit").click()
    await expect(dialog.get_by_text("请选择一位同事")).to_be_visible()
    await dialog.get_by_test_id("people-search").fill("李娜")
    await dialog.get_by_role("checkbox", name=re.compile("李娜")).check()
    await dialog.get_by_role("radio", name="追求卓越").check()
    await dialog.get_by_test_id("kudos-message").fill(
        "接口文档写得又清楚又及时，联调一次就通过了 🎉")
    await assert_no_serious_violations(zhang)
    await screenshot(zhang, "kudos-dialog-desktop")
    await dialog.get_by_test_id("kudos-submit").click()
    await expect(dialog).to_have_count(0)
    await expect(feed.locator("li").first).to_contain_text("张伟 感谢了 李娜")
    await expect(feed.locator("li").first).to_contain_text("追求卓越")
    # Live on the other page.
    await expect(lina.get_by_test_id("kudos-feed").locator("li").first).to_contain_text(
        "联调一次就通过了")
    # A team.
    await zhang.get_by_test_id("give-kudos").click()
    await dialog.get_by_role("radio", name="团队", exact=True).click()
    await dialog.get_by_test_id("kudos-team").select_option(label="客服部")
    await dialog.get_by_test_id("kudos-message").fill("客服部这个月辛苦了")
    await dialog.get_by_test_id("kudos-submit").click()
    await expect(feed.locator("li").first).to_contain_text("张伟 感谢了 客服部团队")
    stats = zhang.get_by_test_id("kudos-stats")
    await expect(stats).to_contain_text("共 3 次")
    await expect(stats).to_contain_text("追求卓越")
    await assert_no_serious_violations(zhang)
    await screenshot(zhang, "kudos-desktop")

    phone = await open_page("lina", "/kudos", viewport=PHONE)
    await expect(phone.get_by_test_id("kudos-feed")).to_contain_text("客服部这个月辛苦了")
    await assert_no_serious_violations(phone)
    await screenshot(phone, "kudos-phone")
    english = await open_page("lina", "/kudos", locale="en")
    await expect(english.get_by_test_id("kudos-feed")).to_contain_text("张伟 thanked 李娜")
    await expect(english.get_by_test_id("kudos-stats")).to_contain_text("Excellence")


async def test_the_showcase(cast: Cast, open_page: OpenPage) -> None:
    space = await make_space(cast.linxiaoyan, "客服知识库")
    page = await make_page(cast.linxiaoyan, space["id"], "客户投诉处理五步法")
    admin = await open_page("linxiaoyan", "/showcase")
    await expect(admin.get_by_test_id("showcase-empty")).to_be_visible()
    await admin.get_by_test_id("promote-case").click()
    dialog = admin.get_by_role("dialog", name="推荐最佳实践案例")
    await dialog.get_by_test_id("promote-link").fill("https://example.com/not-a-page")
    await dialog.get_by_test_id("promote-title").fill("投诉处理五步法")
    await dialog.get_by_test_id("promote-submit").click()
    await expect(dialog.get_by_text("无法识别这个链接")).to_be_visible()
    await dialog.get_by_test_id("promote-link").fill(f"http://localhost/docs/pages/{page['id']}")
    await dialog.get_by_test_id("promote-summary").fill(
        "客服部把投诉处理总结成五个步骤，平均处理时长缩短了 40%，推荐各部门参考。")
    await assert_no_serious_violations(admin)
    await dialog.get_by_test_id("promote-submit").click()
    await expect(admin.get_by_test_id("showcase-list")).to_contain_text("投诉处理五步法")

    lina = await open_page("lina", "/showcase")
    case = lina.get_by_test_id("showcase-list").locator("li").first
    await expect(case).to_contain_text("平均处理时长缩短了 40%")
    await expect(lina.get_by_test_id("promote-case")).to_have_count(0)
    await assert_no_serious_violations(lina)
    await screenshot(lina, "showcase-desktop")
    await case.get_by_role("link", name=re.compile("查看原文")).click()
    await expect(lina).to_have_url(re.compile(rf"/docs/pages/{page['id']}$"))
    phone = await open_page("wangfang", "/showcase", viewport=PHONE)
    await expect(phone.get_by_test_id("showcase-list")).to_contain_text("投诉处理五步法")
    await assert_no_serious_violations(phone)
    await screenshot(phone, "showcase-phone")
    # Guests have no entry (and the server refuses them).
    guest = await open_page("alex", "/chat")
    await expect(guest.get_by_role("link", name="员工之声")).to_have_count(0)
    assert (await cast.alex.api.get(SUGGESTIONS)).status_code == 403
