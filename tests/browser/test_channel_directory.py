"""A 市场部 employee of the demo company finds where 研发部 talks: "New group" offers the
channel directory first; a search in pinyin finds 研发部's open channels and its department
group (by name only); a preview shows the latest messages read-only; joining opens the
channel, ready to write. The same on a phone."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from xietong.chat.demo import seed_demo_conversations, seed_demo_open_channels
from xietong.org.demo import seed_demo_company
from xietong.runtime import Runtime

DEMO_PASSWORD = "xietong-demo"
ON_CALL = "研发值班与故障通报"
# What "yanfa" finds, most recently active first; the department group shows no activity.
RD_CHANNELS = ["前端技术交流", ON_CALL, "研发部"]


async def seed_demo(runtime: Runtime) -> None:
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=DEMO_PASSWORD, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        await seed_demo_conversations(uow)
        await seed_demo_open_channels(uow)


# Per line of facts, each fact: its text, whether it starts a line on screen, and whether the
# "·" before it (its ::before) shows, i.e. lies inside the line's clipping box.
FACT_DOTS = """lines => lines.map(line => {
  const box = line.getBoundingClientRect()
  const facts = [...line.querySelectorAll('*')]
    .filter(e => !e.children.length && e.textContent.trim())
  let top = null
  return facts.map(fact => {
    const r = fact.getBoundingClientRect()
    const startsLine = top === null || r.top > top + 2
    top = r.top
    const dot = getComputedStyle(fact, '::before').content
    const clips = getComputedStyle(line).overflow === 'hidden'
    return {text: fact.textContent.trim(), starts_line: startsLine,
            dot_shows: dot !== 'none' && dot !== 'normal' && (!clips || r.left >= box.left - 0.5)}
  })
})"""


def entry(page: Page, name: str):  # type: ignore[no-untyped-def]
    """The directory's row of the channel called `name`."""
    return page.locator("li.entry", has=page.locator(".name", has_text=re.compile(f"^{name}$")))


def preview_button(page: Page, name: str):  # type: ignore[no-untyped-def]
    """The row itself: a button whose name starts with "预览：" and the channel's name."""
    return entry(page, name).get_by_role("button", name=re.compile(f"^预览：\\s*{name}"))


async def test_a_marketing_employee_finds_previews_and_joins_an_rd_channel(
        runtime: Runtime, open_page: OpenPage) -> None:
    await seed_demo(runtime)
    page = await open_page("zhaoli", "/chat", password=DEMO_PASSWORD)  # 赵丽, 市场部
    sidebar = page.get_by_role("navigation", name="会话列表")
    await expect(sidebar.get_by_role("link", name=ON_CALL)).to_have_count(0)

    # "New group" offers what exists before making another one.
    await page.get_by_test_id("new-channel").click()
    dialog = page.get_by_role("dialog", name="新建群组")
    offer = dialog.get_by_test_id("offer-browse")
    await expect(offer).to_be_visible()
    first_control = dialog.locator("form button, form input").first
    await expect(first_control).to_have_attribute("data-testid", "offer-browse")
    await assert_no_serious_violations(page)
    await screenshot(page, "channel-directory-offer")
    await offer.click()
    await expect(page).to_have_url(re.compile(r"/channels$"))
    await expect(page.get_by_role("heading", name="浏览频道", level=1)).to_be_visible()
    await expect(page).to_have_title(re.compile("浏览频道"))

    # Everything open in the company, before any search: other departments' groups too.
    await expect(entry(page, "品牌设计素材")).to_contain_text("已加入")  # her own department's
    await expect(entry(page, ON_CALL)).to_be_visible()

    await page.get_by_role("searchbox", name="搜索频道").fill("yanfa")
    await expect(page).to_have_url(re.compile(r"q=yanfa"))
    names = page.locator("li.entry .name")
    await expect(names).to_have_text(RD_CHANNELS)
    on_call = entry(page, ON_CALL)
    await expect(on_call).to_contain_text("研发部 / 后端组")
    await expect(on_call).to_contain_text("5 位成员")
    await expect(on_call).to_contain_text("有人发言")  # "刚刚有人发言"
    await expect(on_call).to_contain_text("业务部门可在此报障")
    await expect(on_call.get_by_test_id("joined-badge")).to_have_count(0)

    # Initials and Chinese find the same; nonsense finds nothing, and says so.
    search = page.get_by_role("searchbox", name="搜索频道")
    await search.fill("yf")
    await expect(names).to_have_text(RD_CHANNELS)
    await search.fill("火星基地")
    await expect(page.get_by_text("没有找到匹配的频道。")).to_be_visible()
    await expect(names).to_have_count(0)
    await search.fill("研发")
    await expect(names).to_have_count(3)

    # The department group: by name, with why it cannot be joined.
    await preview_button(page, "研发部").click()
    preview = page.get_by_test_id("channel-preview")
    await expect(preview).to_contain_text("成员随组织架构自动同步")
    await expect(preview.get_by_role("button", name="加入")).to_have_count(0)
    await expect(preview.locator("article.message")).to_have_count(0)

    # The open group: its latest messages, read-only.
    await preview_button(page, ON_CALL).click()
    await expect(page).to_have_url(re.compile(r"preview=\d+"))
    await expect(preview.get_by_role("heading", name=ON_CALL)).to_be_visible()
    await expect(preview.locator("article.message")).to_have_count(2)
    await expect(preview).to_contain_text("今晚 22:00–23:00 发布窗口")
    await expect(preview).to_contain_text("你还不是成员")
    await expect(preview.get_by_role("toolbar")).to_have_count(0)
    await expect(page.get_by_test_id("composer")).to_have_count(0)
    await assert_no_serious_violations(page)
    await screenshot(page, "channel-directory-desktop")

    # Join: the channel opens, in the sidebar, ready to write.
    await preview.get_by_test_id("preview-join").click()
    await expect(page).to_have_url(re.compile(r"/chat/\d+$"))
    await expect(page.get_by_role("navigation", name="会话列表")
                 .get_by_role("link", name=ON_CALL)).to_be_visible()
    composer = page.get_by_test_id("composer")
    await composer.fill("市场部这边周五有直播，发布窗口能避开 20:00–21:00 吗？")
    await composer.press("Enter")
    await expect(page.locator("article.message").last).to_contain_text("市场部这边周五有直播")

    # Back in the directory it is marked as joined, and can be left again.
    await page.get_by_test_id("browse-channels").click()
    await expect(entry(page, ON_CALL).get_by_test_id("joined-badge")).to_be_visible()
    await expect(entry(page, ON_CALL).get_by_role("button", name=f"进入 {ON_CALL}")).to_be_visible()


async def test_on_a_phone_the_directory_lists_previews_and_joins(
        runtime: Runtime, open_page: OpenPage) -> None:
    await seed_demo(runtime)
    page = await open_page("sunyue", "/channels?q=研发", password=DEMO_PASSWORD,  # 孙悦, 市场部
                           viewport={"width": 390, "height": 844})
    names = page.locator("li.entry .name")
    await expect(names).to_have_text(RD_CHANNELS)
    # Nothing sticks out sideways.
    assert await page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # A fact line wrapped on the narrow screen starts with its fact, not a stray "·".
    facts = await page.locator("li.entry p.facts").evaluate_all(FACT_DOTS)
    assert any(fact["starts_line"] for line in facts for fact in line[1:]), "nothing wrapped"
    for line in facts:
        for fact in line:
            assert fact["dot_shows"] == (not fact["starts_line"]), line
    await assert_no_serious_violations(page)
    await screenshot(page, "channel-directory-phone")

    frontend = entry(page, "前端技术交流")
    await preview_button(page, "前端技术交流").click()
    preview = page.get_by_test_id("channel-preview")
    await expect(preview).to_be_visible()
    await expect(preview).to_contain_text("长列表性能优化")
    await expect(preview.get_by_role("button", name="关闭预览")).to_be_in_viewport()
    await assert_no_serious_violations(page)
    await screenshot(page, "channel-directory-phone-preview")
    await page.keyboard.press("Escape")
    await expect(preview).to_have_count(0)

    # Joining from the list keeps the list as it is, with the row marked.
    await frontend.get_by_role("button", name="加入 前端技术交流").click()
    await expect(frontend.get_by_test_id("joined-badge")).to_be_visible()
    await expect(frontend).to_contain_text("5 位成员")
    await expect(names).to_have_text(RD_CHANNELS)
