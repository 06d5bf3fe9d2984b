"""Landing after sign-in and a new installation's first run: a person lands on the
conversation with the newest unread message (else the last one they had open), not an
empty department channel; the owner of a fresh install sees first steps instead of "you
are in no conversation"; someone in no conversation is offered a way in."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast, create_channel, post
from xietong.org.actions import ensure_first_owner
from xietong.runtime import Runtime

GENERATED = "生成的初始密码 0K"
PHONE = {"width": 390, "height": 844}


async def test_sign_in_lands_on_the_newest_unread_then_the_last_opened(
        cast: Cast, open_page: OpenPage) -> None:
    older = await create_channel(cast.zhangwei, "市场活动", "private", cast.lina)
    newer = await create_channel(cast.zhangwei, "产品需求", "private", cast.lina)
    await post(cast.zhangwei, older, "活动预算已批")
    await post(cast.zhangwei, newer, "需求评审改到周四")
    lina = await open_page("lina", "/chat")
    await expect(lina).to_have_url(f"{lina.url.split('/chat')[0]}/chat/{newer}")
    await expect(lina.locator("article.message", has_text="需求评审改到周四")).to_be_visible()

    # Everything read; she opens the other conversation and comes back later.
    await lina.locator(f'a.channel[data-channel-id="{older}"]').click()
    await expect(lina.locator("article.message", has_text="活动预算已批")).to_be_visible()
    await lina.wait_for_timeout(600)  # the read is sent after a short debounce
    await lina.goto(lina.url.split("/chat")[0] + "/chat")
    await expect(lina).to_have_url(f"{lina.url.split('/chat')[0]}/chat/{older}")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
async def test_a_fresh_installs_owner_sees_first_steps(runtime: Runtime, open_page: OpenPage,
                                                       viewport: dict[str, int] | None) -> None:
    async with runtime.unit_of_work() as uow:
        await ensure_first_owner(uow, username="admin", display_name="管理员 Admin",
                                 password=GENERATED, passwords=runtime.passwords)
    page = await open_page("admin", "/chat", password=GENERATED, viewport=viewport)
    steps = page.get_by_test_id("first-steps")
    await expect(steps.get_by_role("heading", name="开始使用协同")).to_be_visible()
    await expect(steps.get_by_test_id("step-password")).to_contain_text("安装时生成的密码")
    await expect(steps.get_by_test_id("step-departments")).to_contain_text("建立部门")
    await expect(steps.get_by_test_id("step-demo")).to_contain_text("xietong seed-demo")
    await expect(page.get_by_text("你还没有加入任何会话")).to_have_count(0)
    await assert_no_serious_violations(page)
    await screenshot(page, f"first-run-{'phone' if viewport else 'desktop'}")

    # Changing the password from the list ticks its step.
    await steps.get_by_role("button", name="修改密码").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("当前密码").fill(GENERATED)
    await dialog.get_by_label("新密码", exact=True).fill("我自己的新口令 horse")
    await dialog.get_by_label("确认新密码").fill("我自己的新口令 horse")
    await dialog.get_by_role("button", name="确认修改").click()
    await expect(dialog.get_by_role("status")).to_contain_text("密码已修改")
    await dialog.locator("button.primary", has_text="关闭").click()
    await expect(steps.get_by_test_id("step-password")).to_contain_text("已改为你自己的密码")

    await steps.get_by_role("link", name="管理部门").click()
    await expect(page).to_have_url(page.url.split("/chat")[0] + "/admin/departments")


async def test_someone_in_no_conversation_is_offered_a_way_in(cast: Cast,
                                                             open_page: OpenPage) -> None:
    page = await open_page("alex", "/chat")  # a guest invited nowhere yet
    empty = page.get_by_test_id("no-channels")
    await expect(empty).to_contain_text("你还没有加入任何会话")
    await expect(page.get_by_test_id("first-steps")).to_have_count(0)
    await empty.get_by_role("button", name="发起单聊").click()
    await expect(page.get_by_role("dialog")).to_be_visible()
