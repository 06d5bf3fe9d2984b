"""@ in the composer on the demo company: Enter takes the right person (or department), and
a person outside the conversation is flagged, with an offer to invite them where one may."""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from xietong.chat.demo import seed_demo_conversations
from xietong.org.demo import seed_demo_company
from xietong.runtime import Runtime

DEMO_PASSWORD = "xietong-demo"


async def seed_demo(runtime: Runtime) -> None:
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=DEMO_PASSWORD, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        await seed_demo_conversations(uow)


async def open_channel(open_page: OpenPage, live_server: str, username: str, name: str,
                       **options: object) -> Page:
    page = await open_page(username, "/chat", password=DEMO_PASSWORD, **options)
    listed = await (await page.context.request.get(live_server + "/api/v1/channels")).json()
    [channel] = [c for c in listed["items"] if c["name"] == name]
    await page.goto(f"{live_server}/chat/{channel['id']}")
    return page


async def type_and_expect_first(page: Page, typed: str, first: str) -> tuple[Locator, Locator]:
    """Types `typed` in the composer and waits for the first suggestion to be `first`;
    returns the composer and the suggestions."""
    composer = page.get_by_test_id("composer")
    await composer.press_sequentially(typed)
    options = page.get_by_role("listbox").get_by_role("option")
    await expect(options.first).to_contain_text(first)
    return composer, options


async def test_at_li_then_enter_takes_li_na_and_at_rnd_the_department(
        runtime: Runtime, open_page: OpenPage, live_server: str) -> None:
    await seed_demo(runtime)
    # 孙悦 of 市场部 needs 研发部 (the newcomer of issue 12), in her department's channel.
    page = await open_channel(open_page, live_server, "sunyue", "市场部")
    composer, options = await type_and_expect_first(page, "@li", "李娜")
    await expect(options.nth(1)).not_to_contain_text("邓丽君")  # 丽 is a given name
    await screenshot(page, "mention-ranking")
    await composer.press("Enter")
    await expect(composer).to_have_value("@李娜 ")

    # Enter pressed before the suggestions arrive takes the first of them when they do,
    # and a department whose name matches comes before 李娜, whose title (研发总监) does.
    await composer.fill("")
    await composer.press_sequentially("请 @研发")
    await composer.press("Enter")
    await expect(composer).to_have_value("请 @研发部 ")
    await expect(page.locator("article.message", has_text="请 @研发")).to_have_count(0)


async def test_mentioning_someone_outside_offers_to_invite_them(
        runtime: Runtime, open_page: OpenPage, live_server: str) -> None:
    await seed_demo(runtime)
    # The project group is private; 林晓燕 is not in it, and its members may add people.
    page = await open_channel(open_page, live_server, "wangfang", "Q4 新品发布项目组")
    composer, options = await type_and_expect_first(page, "@lin", "林晓燕")
    await expect(options.first).to_contain_text("不在此会话")
    await composer.press("Enter")
    notice = page.get_by_test_id("mention-outsider")
    await expect(notice).to_contain_text("林晓燕 不在此会话中，收不到这条提及。")
    await screenshot(page, "mention-outsider")
    await assert_no_serious_violations(page)

    await notice.get_by_role("button", name="邀请加入").click()
    await expect(page.get_by_test_id("mention-invited")).to_have_text(
        "已邀请 林晓燕 加入此会话。")
    await expect(notice).to_have_count(0)
    await composer.press_sequentially("请看一下发布会排期")
    await composer.press("Enter")
    sent = page.locator("article.message", has_text="请看一下发布会排期")
    # She is a member now, so the mention resolves (and notifies her).
    await expect(sent.locator(".mention")).to_have_text("@林晓燕")
    await expect(page.get_by_test_id("mention-invited")).to_have_count(0)


async def test_where_nobody_can_be_added_it_only_says_they_will_not_see_it(
        runtime: Runtime, open_page: OpenPage, live_server: str) -> None:
    await seed_demo(runtime)
    # Department channels follow the organisation: no invitation, only the warning.
    page = await open_channel(open_page, live_server, "sunyue", "市场部",
                              viewport={"width": 390, "height": 844})
    composer, _ = await type_and_expect_first(page, "@lina", "李娜")
    await composer.press("Tab")
    notice = page.get_by_test_id("mention-outsider")
    await expect(notice).to_contain_text("李娜 不在此会话中，收不到这条提及。")
    await expect(notice.get_by_role("button", name="邀请加入")).to_have_count(0)
    await screenshot(page, "mention-outsider-phone")
    # The notice lasts while the mention is in the text.
    await composer.fill("")
    await expect(notice).to_have_count(0)
