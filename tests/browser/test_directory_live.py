"""The directory follows the organisation live: org events on the shell's socket update an
open /people page — a colleague's new title, a new department in the tree, a deactivated
person leaving the list — without a reload."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast


async def test_an_open_directory_follows_org_changes(cast: Cast, open_page: OpenPage) -> None:
    admin = cast.linxiaoyan
    lina = await open_page("lina", "/people")
    await expect(lina.get_by_role("heading", name="通讯录")).to_be_visible()
    wangfang = lina.locator("li", has=lina.get_by_text("王芳", exact=True))
    await expect(wangfang).to_contain_text("客服经理")
    # The socket is up once the chat badge's channel list has loaded; give it a moment.
    await lina.wait_for_timeout(500)

    changed = await admin.api.patch(f"/api/v1/users/{cast.wangfang.id}",
                                    json={"title": "客户成功总监"})
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
    await assert_no_serious_violations(lina)
    await screenshot(lina, "directory-live-org")
