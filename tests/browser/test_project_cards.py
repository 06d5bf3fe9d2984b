"""A task's milestones as cards in its project's channel, in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast
from tests.projects.helpers import make_project, make_task, move, status_id

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.mark.parametrize("screen", ["desktop", "phone"])
async def test_task_cards_in_the_project_channel(cast: Cast, open_page: OpenPage,
                                                 screen: str) -> None:
    project = await make_project(cast.lina, "新品上市", member_ids=[cast.zhangwei.id])
    await cast.runtime.consumers.start()
    try:
        task = await make_task(cast.lina, project["id"], "发布会场地预订",
                               assignee_id=cast.zhangwei.id, due_at="2026-12-18")
        await move(cast.zhangwei, task["id"], status_id(project, "进行中"))
        await cast.runtime.consumers.catch_up()
        page = await open_page("zhangwei", f"/chat/{project['channel_id']}",
                               viewport=PHONE if screen == "phone" else None)
        cards = page.get_by_test_id("system-card")
        await expect(cards).to_have_count(2)
        await expect(cards.nth(0)).to_contain_text("新任务")
        await expect(cards.nth(1)).to_contain_text("任务状态变更")
        await expect(cards.nth(1)).to_contain_text("进行中")
        await expect(cards.nth(1)).to_contain_text("处理人张伟")
        await expect(cards.nth(1)).to_contain_text("截止12月18日")
        await expect(cards.nth(1).get_by_role("link", name=re.compile("发布会场地预订"))) \
            .to_have_attribute("href", f"/projects/{project['id']}?task={task['id']}")
        await assert_no_serious_violations(page)
        await screenshot(page, f"project-task-cards-{screen}")
    finally:
        await cast.runtime.consumers.stop()
