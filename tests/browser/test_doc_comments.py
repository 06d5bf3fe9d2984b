"""Comments on a page in the browser: text selected in the editor gets a floating 评论 button;
the comment made there highlights that text and shows in a second browser at once; a reply
there mentions someone picked as one types, and the mention reaches the first browser live;
resolving takes the thread out of the list (and its highlight away) until "显示已解决"; once
its text is deleted the thread shows as orphaned, with its quote. Both widths, axe,
screenshots."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_docs import (
    PHONE,
    editor,
    open_doc,
    research_page,
    rooms_closed,
    type_at_end,
)
from tests.helpers import Cast

# test_docs's autouse fixture: the server lets go of every page's room before the next test.
__all__ = ["rooms_closed"]


async def open_comments(page: Page) -> None:
    await page.get_by_test_id("open-comments").click()
    await expect(page.get_by_test_id("comments-panel")).to_be_visible()


async def test_select_comment_see_it_live_reply_with_a_mention_and_resolve(
        cast: Cast, open_page: OpenPage) -> None:
    made = await research_page(cast, "灰度发布手册")
    lina = await open_doc(open_page, "lina", made["id"])
    await type_at_end(lina, "第一步：准备发布清单")
    await lina.keyboard.press("Enter")
    await lina.keyboard.type("第二步：灰度百分之五的用户，观察一小时", delay=10)
    await expect(lina.get_by_test_id("collab-status")).to_have_text("已保存")
    lin = await open_doc(open_page, "linxiaoyan", made["id"])
    await open_comments(lin)
    await expect(lin.get_by_test_id("comments-empty")).to_contain_text("还没有评论")

    # 李娜 selects the second paragraph: a 评论 button floats by it.
    await editor(lina).locator("p", has_text="第二步").click(click_count=3)
    float_button = lina.get_by_test_id("comment-selection")
    await expect(float_button).to_be_visible()
    await float_button.click()
    draft = lina.get_by_test_id("comment-draft")
    await expect(draft.locator("blockquote")).to_contain_text("灰度百分之五的用户")
    await lina.get_by_test_id("comment-draft-input").fill("观察时长是否需要两小时？")
    await lina.get_by_test_id("comment-draft-send").click()
    thread = lina.get_by_test_id("comment-thread")
    await expect(thread).to_have_count(1)
    await expect(thread).to_contain_text("观察时长是否需要两小时？")
    await expect(editor(lina).locator(".comment-mark")).to_contain_text("灰度百分之五")
    await expect(lina.get_by_test_id("comment-count")).to_contain_text("1")

    # 林晓燕's open page gets it at once: the thread, its quote, the highlight.
    theirs = lin.get_by_test_id("comment-thread")
    await expect(theirs).to_contain_text("观察时长是否需要两小时？")
    await expect(theirs.locator("blockquote")).to_contain_text("第二步")
    await expect(editor(lin).locator(".comment-mark")).to_contain_text("灰度百分之五")

    # Clicking the highlight focuses its thread; she replies, picking 李娜 to mention.
    await editor(lin).locator(".comment-mark").click()
    await expect(theirs).to_have_class(re.compile(r"\bactive\b"))
    box = lin.get_by_test_id("comment-reply-input")
    await box.click()
    await box.press_sequentially("@李")
    await lin.get_by_test_id("mention-suggestions").get_by_role("option", name="李娜").click()
    await expect(box).to_have_value("@李娜 ")
    await box.press_sequentially("一小时够了，看错误率")
    await lin.get_by_test_id("comment-reply-send").click()
    await expect(theirs.get_by_test_id("comment")).to_have_count(2)

    # 李娜 sees the reply arrive, her name marked as a mention.
    reply = thread.get_by_test_id("comment").nth(1)
    await expect(reply).to_contain_text("一小时够了，看错误率")
    await expect(reply.locator(".mention")).to_have_text("@李娜")
    await screenshot(lina, "doc-comments-desktop")
    await assert_no_serious_violations(lina)

    # Resolved: out of 李娜's list and her text's highlights (and the count), until 显示已解决;
    # 林晓燕, who has it open, sees it resolved in place and may reopen it.
    await thread.get_by_test_id("comment-resolve").click()
    await expect(lina.get_by_test_id("comment-thread")).to_have_count(0)
    await expect(editor(lina).locator(".comment-mark")).to_have_count(0)
    await expect(lina.get_by_test_id("comment-count")).to_have_count(0)
    await expect(theirs).to_contain_text("李娜 已解决")
    await lina.get_by_test_id("comments-show-resolved").check()
    await expect(lina.get_by_test_id("comment-thread")).to_contain_text("李娜 已解决")
    await lina.get_by_test_id("comments-show-resolved").uncheck()
    await theirs.get_by_test_id("comment-reopen").click()
    await expect(lina.get_by_test_id("comment-thread")).to_have_count(1)
    await expect(editor(lina).locator(".comment-mark")).to_contain_text("灰度百分之五")

    # 李娜 deletes the paragraph it quoted: the thread stays, orphaned, with its quote.
    await editor(lina).locator("p", has_text="第二步").click(click_count=3)
    await lina.keyboard.press("Backspace")
    await expect(editor(lin)).not_to_contain_text("灰度百分之五")
    await expect(theirs.get_by_test_id("comment-orphaned")).to_have_text("原文已删除")
    await expect(theirs.locator("blockquote")).to_contain_text("灰度百分之五的用户")
    await expect(editor(lin).locator(".comment-mark")).to_have_count(0)


async def test_comments_on_a_phone_and_for_a_reader(cast: Cast, open_page: OpenPage) -> None:
    made = await research_page(cast, "值班交接")
    on_page = await cast.lina.api.post(f"/api/v1/pages/{made['id']}/comments",
                                       json={"text": "交接时间请统一成 **9:30**"})
    assert on_page.status_code == 201, on_page.text
    # 张伟 (销售部) only reads 研发部's pages: he reads the comments, writes none.
    zhang = await open_doc(open_page, "zhangwei", made["id"], viewport=PHONE)
    await open_comments(zhang)
    panel = zhang.get_by_test_id("comments-panel")
    await expect(panel.get_by_test_id("comment-thread")).to_contain_text("交接时间请统一成 9:30")
    await expect(panel.get_by_test_id("comment-thread")).to_contain_text("全文评论")
    await expect(panel).to_contain_text("你可以查看评论，但没有评论权限。")
    await expect(panel.get_by_test_id("comment-page-input")).to_have_count(0)
    await expect(panel.get_by_test_id("comment-resolve")).to_have_count(0)
    # A bottom sheet: the page stays above it.
    box = await zhang.locator(".comments-aside").bounding_box()
    assert box is not None
    assert box["y"] > 150
    assert abs(box["y"] + box["height"] - PHONE["height"]) < 2
    assert box["width"] == PHONE["width"]
    await screenshot(zhang, "doc-comments-phone")
    await assert_no_serious_violations(zhang)
    # 李娜 on a phone writes on the whole page from the sheet.
    lina = await open_doc(open_page, "lina", made["id"], viewport=PHONE)
    await open_comments(lina)
    field = lina.get_by_test_id("comment-page-input")
    await field.fill("好的，已经统一")
    await lina.get_by_test_id("comment-page-send").click()
    await expect(panel.get_by_test_id("comment-thread")).to_have_count(2)
    await screenshot(lina, "doc-comments-phone-writer")
