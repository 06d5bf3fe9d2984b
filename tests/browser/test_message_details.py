"""Small things a newcomer trips over: two message toolbars at once, the day label over the
text on a phone, an installer's "管理员 Admin" among colleagues, and a 401 in the console of
every page load."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Browser, Locator, Page, Response, expect
from sqlalchemy import update

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import PASSWORD, Cast, create_channel, post
from xietong.chat.models import Message
from xietong.core.clock import utcnow
from xietong.org import actions


def message(page: Page, text: str) -> Locator:
    return page.locator("article.message", has_text=text)


async def visible_toolbars(page: Page) -> int:
    return await page.locator("article.message [role=toolbar]:visible").count()


async def test_one_message_toolbar_at_a_time(cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "活动筹备", "private", cast.lina)
    await post(cast.zhangwei, channel_id, "场地确定在三号厅")
    await post(cast.zhangwei, channel_id, "物料清单见共享盘")
    last = await post(cast.zhangwei, channel_id, "下周一前确认嘉宾名单")
    reacted = await cast.lina.api.put(f"/api/v1/messages/{last['id']}/reactions/👍")
    assert reacted.status_code == 204, reacted.text
    lina = await open_page("lina", f"/chat/{channel_id}")
    first, second = message(lina, "三号厅"), message(lina, "物料清单")
    await expect(first).to_be_visible()

    # Clicking a toolbar button leaves focus in that message; moving on to the next one
    # shows only the next one's toolbar.
    await first.hover()
    await first.get_by_role("button", name="置顶").click()
    await expect(first.get_by_text("已置顶")).to_be_visible()
    await second.hover()
    await expect(second.get_by_role("toolbar")).to_be_visible()
    await expect(first.get_by_role("toolbar")).to_be_hidden()
    assert await visible_toolbars(lina) == 1

    # From the keyboard: the message it is in keeps its toolbar, and hovering another
    # shows no second one.
    await lina.get_by_test_id("composer").click()
    await lina.keyboard.press("Shift+Tab")
    newest = message(lina, "嘉宾名单")
    await expect(newest.get_by_role("button", name="👍", exact=False)).to_be_focused()
    await expect(newest.get_by_role("toolbar")).to_be_visible()
    await first.hover()
    await expect(newest.get_by_role("toolbar")).to_be_visible()
    assert await visible_toolbars(lina) == 1
    await screenshot(lina, "one-toolbar")


# What a reader sees at (x, y): the day label (its text, or a band that hides what is
# behind it), message text, or something else.
SHOWN_AT = """([x, y]) => {
  const el = document.elementFromPoint(x, y)
  const day = el.closest('.day')
  if (day) {
    const opaque = getComputedStyle(day).backgroundColor.match(/^rgb\\(/)
    return el !== day || opaque ? 'label' : 'text seen through the label'
  }
  return el.closest('article') ? 'text' : el.className
}"""


async def test_the_day_label_hides_the_text_it_sits_over_on_a_phone(
        cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "日报", "private", cast.lina)
    earlier = [await post(cast.zhangwei, channel_id,
                          f"昨日 {n + 1}：客户回访已完成，问题单已经同步给研发和客服两边。")
               for n in range(24)]
    for n in range(3):
        await post(cast.zhangwei, channel_id, f"今日 {n + 1}：继续跟进")
    async with cast.runtime.unit_of_work() as uow:
        await uow.session.execute(update(Message)
                                  .where(Message.id.in_([m["id"] for m in earlier]))
                                  .values(created_at=utcnow() - timedelta(days=1)))
    lina = await open_page("lina", f"/chat/{channel_id}", viewport={"width": 390, "height": 844})
    await expect(message(lina, "今日 3")).to_be_visible()
    # Read from part way through yesterday: its label sticks at the top, over its messages.
    log = lina.locator("[role=log]")
    await message(lina, "昨日 9：").evaluate("el => el.scrollIntoView({block: 'start'})")
    await log.evaluate("el => el.scrollTop += 9")  # a line of text under the label
    label = lina.locator(".day", has_text="昨天")
    await lina.wait_for_timeout(200)
    band = await label.bounding_box()
    area = await log.bounding_box()
    assert band is not None
    assert area is not None
    assert abs(band["y"] - area["y"]) < 1, (band, area)  # stuck at the top edge
    # Across the width at the label's height, and just under the list's top edge, what
    # shows is the label or an opaque band around it, never message text. (The label lets
    # clicks through; it is hit-tested here as it is painted.)
    await label.evaluate("el => el.style.pointerEvents = 'auto'")
    for y in (band["y"] + 1, band["y"] + band["height"] / 2):
        for x in range(60, 380, 20):
            shown = await lina.evaluate(SHOWN_AT, [x, y])
            assert shown == "label", (x, y, shown)
    await screenshot(lina, "day-label-phone")


async def test_the_installers_account_is_not_among_colleagues(cast: Cast,
                                                             open_page: OpenPage) -> None:
    """`make run` makes an owner "管理员 Admin" (ensure-owner): colleagues looking for people
    do not find it; administrators do."""
    async with cast.runtime.unit_of_work() as uow:
        await actions.do_create_user(uow, None, username="admin", display_name="管理员 Admin",
                                     password="generated-Pa55word",
                                     passwords=cast.runtime.passwords,
                                     role=cast.zhoujianguo.role, setup_account=True)
    lina = await open_page("lina", "/people")
    await expect(lina.get_by_text("王芳", exact=True)).to_be_visible()
    await expect(lina.get_by_text("管理员 Admin")).to_have_count(0)
    await lina.get_by_role("searchbox", name="搜索同事").fill("管理员")
    await expect(lina.get_by_text("管理员 Admin")).to_have_count(0)

    admin = await open_page("linxiaoyan", "/people")
    await expect(admin.get_by_text("管理员 Admin")).to_be_visible()
    # The list of people, which this test is about.
    await assert_no_serious_violations(admin, ".people-main")


async def test_no_401_is_logged_on_a_page_load(browser: Browser, live_server: str,
                                               cast: Cast) -> None:
    """The session is probed on every load, signed in or not: the answer is never a 401,
    which the browser would log as an error."""
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        page = await context.new_page()
        refused: list[str] = []
        errors: list[str] = []

        def on_response(response: Response) -> None:
            if response.status == 401:
                refused.append(response.url)

        page.on("response", on_response)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        await page.goto(live_server + "/")
        await expect(page.get_by_role("button", name="登录")).to_be_visible()
        await page.reload()
        await expect(page.get_by_role("button", name="登录")).to_be_visible()
        await page.get_by_label("用户名").fill("lina")
        await page.get_by_label("密码").fill(PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_test_id("composer").or_(
            page.get_by_role("heading", name="消息")).first).to_be_visible()
        for path in ("/people", "/chat", "/"):
            await page.goto(live_server + path)
            await page.wait_for_load_state("networkidle")
        assert refused == [], refused
        assert errors == [], errors
    finally:
        await context.close()
