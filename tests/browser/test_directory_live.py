"""The directory follows the organisation live: org events on the shell's socket update an
open /people page — a colleague's new title, a new department in the tree, a deactivated
person leaving the list — without a reload."""

from __future__ import annotations

import pytest
from playwright.async_api import ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast, create_channel

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
async def test_an_open_directory_follows_org_changes(cast: Cast, open_page: OpenPage,
                                                     viewport: ViewportSize | None) -> None:
    admin = cast.linxiaoyan
    lina = await open_page("lina", "/people", viewport=viewport)
    await expect(lina.get_by_role("heading", name="通讯录")).to_be_visible()
    if viewport is PHONE:  # the tree is folded away on phones
        await lina.get_by_role("button", name="按部门筛选").click()
    wangfang = lina.locator("li", has=lina.get_by_text("王芳", exact=True))
    await expect(wangfang).to_contain_text("客服经理")
    # The socket is up once the chat badge's channel list has loaded; give it a moment.
    await lina.wait_for_timeout(500)

    # (Long: on a phone the line is cut short, not the page widened.)
    changed = await admin.api.patch(f"/api/v1/users/{cast.wangfang.id}",
                                    json={"title": "客户成功总监（华东、华南及海外大客户）"})
    assert changed.status_code == 200, changed.text
    await expect(wangfang).to_contain_text("客户成功总监")

    created = await admin.api.post("/api/v1/departments", json={"name": "法务部"})
    assert created.status_code == 201, created.text
    await expect(lina.get_by_role("button", name="法务部")
                 .or_(lina.get_by_text("法务部", exact=True)).first).to_be_visible()

    gone = await admin.api.patch(f"/api/v1/users/{cast.liuyang.id}", json={"active": False})
    assert gone.status_code == 200, gone.text
    await expect(lina.locator("li", has=lina.get_by_text("刘洋", exact=True))).to_have_count(0)
    # The tree counts active members: 华东区 had only 刘洋.
    await expect(lina.get_by_role("button", name="华东区")).to_contain_text("0")
    await expect(lina).to_have_url(lina.url)  # no navigation happened
    assert await lina.evaluate("document.documentElement.scrollWidth") <= (
        viewport or {"width": 1280})["width"]
    await assert_no_serious_violations(lina)
    await screenshot(lina, "directory-live-phone" if viewport else "directory-live-org")


async def test_a_persons_line_separates_only_what_it_shows(cast: Cast,
                                                           open_page: OpenPage) -> None:
    """Title · departments: the "·" only between two. A guest cannot read the department
    names (the line showed "研发总监 ·"); someone without a title shows their departments."""
    await cast.add_person("zhaomin", "赵敏", departments=("研发部",))
    await create_channel(cast.lina, "顾问对接", "private", cast.alex)
    colleague = await open_page("wangfang", "/people", viewport=PHONE)
    line = colleague.locator("li", has=colleague.get_by_text("赵敏", exact=True)).locator(
        ".person-meta")
    await expect(line).to_have_text("研发部")
    await expect(colleague.locator("li", has=colleague.get_by_text("李娜", exact=True))
                 .locator(".person-meta")).to_have_text("研发总监 · 研发部")

    guest = await open_page("alex", "/people", viewport=PHONE)
    lina = guest.locator("li", has=guest.get_by_text("李娜", exact=True))
    await expect(lina.locator(".person-meta")).to_have_text("研发总监")
    metas = await guest.locator(".person-meta").all_inner_texts()
    assert all(not m.strip().startswith("·") and not m.strip().endswith("·") for m in metas), metas
