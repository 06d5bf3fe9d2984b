"""A department's count says whom it reaches: `@销售部` notifies 华东区 too, so the tree,
the admin page and the mention list show everyone below (each person once), not only the
department's own members (issue: "销售部 1" beside a channel of many)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import OpenPage
from tests.helpers import Cast, create_channel


async def test_department_counts_include_the_departments_below(cast: Cast,
                                                               open_page: OpenPage) -> None:
    # 销售部: 张伟 itself; 刘洋 in 华东区 below it.
    people = await open_page("lina", "/people")
    # Named by the department alone, the counts in words as its description (a name from the
    # row's content read "销售部 ，1 人…", a stray space before the comma).
    sales = people.get_by_role("button", name="销售部", exact=True)
    await expect(sales).to_have_accessible_description("1 人，含下级部门共 2 人")
    await expect(sales).to_contain_text("2")
    await expect(sales.locator(".tree-count")).to_have_attribute(
        "title", "1 人，含下级部门共 2 人")

    admin = await open_page("linxiaoyan", "/admin/departments")
    await expect(admin.get_by_text("1 人，含下级部门共 2 人")).to_be_visible()
    await expect(admin.get_by_text("1 人，含下级部门共 2 人")).to_have_count(1)  # 华东区: "1 人"

    channel_id = await create_channel(cast.lina, "跨部门协作", "private", cast.zhangwei)
    chat = await open_page("lina", f"/chat/{channel_id}")
    await chat.get_by_test_id("composer").press_sequentially("@销售")
    await expect(chat.get_by_text("部门 · 通知 2 人")).to_be_visible()
