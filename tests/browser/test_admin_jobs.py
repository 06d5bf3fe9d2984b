"""The admin's job queue page (管理后台 → 任务队列): dead-lettered jobs made by the real runner
are listed with their error and retried from the page; only administrators reach it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, Page, Route, expect
from sqlalchemy import select

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast
from xietong.jobs.models import Job, JobState
from xietong.realtime.retention import KIND as PRUNE_EVENTS
from xietong.runtime import Runtime

JOBS_PAGE = "/admin/jobs"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The browser's own zone, far from the company's, so a time shown in the viewer's zone
# would read differently from one shown in the company's.
VIEWER_ZONE = "America/New_York"
PHONE = {"width": 390, "height": 844}


async def dead_letters(runtime: Runtime, *cutoffs: str) -> list[int]:
    """One dead-lettered job per cutoff, through the real queue and the runtime's own runner:
    the event-pruning job handed a cutoff that is not a date fails for real, and with one
    attempt allowed it is dead-lettered with the error."""
    ids: list[int] = []
    async with runtime.unit_of_work() as uow:
        for cutoff in cutoffs:
            job_id = await uow.enqueue(PRUNE_EVENTS, {"cutoff": cutoff}, max_attempts=1)
            assert job_id is not None
            ids.append(job_id)
    assert await runtime.jobs.runner.run_due() == len(cutoffs)
    jobs = await jobs_by_id(runtime)
    assert [jobs[i].state for i in ids] == [JobState.FAILED] * len(ids)
    return ids


async def schedule_pruning(runtime: Runtime) -> Job:
    """The recurring pruning job, queued for the next 04:00 in the company's time zone."""
    async with runtime.unit_of_work() as uow:
        assert await runtime.event_retention.schedule(uow)
    return next(job for job in (await jobs_by_id(runtime)).values() if job.recurrence)


async def jobs_by_id(runtime: Runtime) -> dict[int, Job]:
    async with runtime.reader() as uow:
        return {job.id: job for job in (await uow.session.scalars(select(Job))).all()}


def row(page: Page, job_id: int) -> Locator:
    return page.locator(f'li.job[data-job-id="{job_id}"]')


def zh_datetime(moment: datetime) -> str:
    """How Chromium's zh-CN medium date and time style writes `moment` in Shanghai."""
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


async def in_viewer_zone(page: Page) -> None:
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Emulation.setTimezoneOverride", {"timezoneId": VIEWER_ZONE})
    await page.reload()
    assert await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == VIEWER_ZONE


async def test_an_admin_sees_a_dead_letter_and_retries_it(
        cast: Cast, open_page: OpenPage) -> None:
    runtime = cast.runtime
    failed, other = await dead_letters(runtime, "not-a-date", "yesterday")
    pruning = await schedule_pruning(runtime)

    page = await open_page("linxiaoyan", "/admin/users")
    await in_viewer_zone(page)
    sections = page.get_by_role("navigation", name="管理分区")
    await sections.get_by_role("link", name="任务队列").click()
    await expect(page).to_have_url(f"{page.url.split('/admin')[0]}{JOBS_PAGE}")
    await expect(page).to_have_title("管理后台 · 协同")
    await expect(page.get_by_text("时间按公司时区（Asia/Shanghai）显示。")).to_be_visible()

    # Newest first, every state: the recurring job, then both dead letters.
    await expect(page.locator("li.job")).to_have_count(3)
    ids = [int(i) for i in await page.locator("li.job").evaluate_all(
        "rows => rows.map(r => r.dataset.jobId)")]
    assert ids == [pruning.id, other, failed]
    dead = row(page, failed)
    await expect(dead.get_by_role("heading", name="清理过期事件 失败")).to_be_visible()
    await expect(dead.locator("code").first).to_have_text(PRUNE_EVENTS)
    await expect(dead).to_contain_text("尝试次数1 / 1")
    # Shown in the company's zone: the recurring run reads 04:00 although the browser is in
    # New York.
    await expect(row(page, pruning.id).locator("time")).to_have_text(zh_datetime(pruning.run_at))
    assert zh_datetime(pruning.run_at).endswith(" 04:00:00")
    await expect(row(page, pruning.id)).to_contain_text("daily 04:00")
    await expect(row(page, pruning.id).get_by_role("button", name="重试")).to_have_count(0)

    # The error is folded to its first line; unfolded, all of it, in a monospace font.
    error = dead.locator("details.last-error")
    await expect(error.locator("summary")).to_contain_text(
        "最近一次错误 ValueError: Invalid isoformat string: 'not-a-date'")
    await expect(error.locator("pre")).not_to_be_visible()
    await error.locator("summary").click()
    await expect(error.locator("pre")).to_have_text(
        "ValueError: Invalid isoformat string: 'not-a-date'")
    font = await error.locator("pre").evaluate("pre => getComputedStyle(pre).fontFamily")
    assert "monospace" in font
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-jobs")

    # Only the dead letters.
    await page.get_by_role("group", name="按状态筛选").get_by_role("button", name="失败").click()
    await expect(page).to_have_url(f"{page.url.split('?')[0]}?state=failed")
    await expect(page.locator("li.job")).to_have_count(2)
    await expect(page.get_by_role("button", name="失败")).to_have_attribute("aria-pressed", "true")

    # Retry one: its row turns queued in place, and the server has it queued, due now.
    await row(page, failed).get_by_role("button", name="重试").click()
    await expect(page.get_by_role("status").filter(has_text=f"任务 #{failed} 已重新排队。")
                 ).to_be_visible()
    await expect(row(page, failed).locator(".badge")).to_have_text("排队中")
    await expect(row(page, failed)).to_contain_text("尝试次数0 / 1")
    await expect(row(page, failed).get_by_role("button", name="重试")).to_have_count(0)
    stored = (await jobs_by_id(runtime))[failed]
    assert (stored.state, stored.attempts) == (JobState.QUEUED, 0)

    # A refresh asks the server again: one dead letter left, then none.
    await page.get_by_role("button", name="刷新").click()
    await expect(page.locator("li.job")).to_have_count(1)
    await row(page, other).get_by_role("button", name="重试").click()
    await expect(row(page, other).locator(".badge")).to_have_text("排队中")
    await page.get_by_role("button", name="刷新").click()
    await expect(page.get_by_role("status").filter(has_text="没有失败的任务。")).to_be_visible()
    await expect(page.locator("li.job")).to_have_count(0)

    # Both are back in the queue, due now, beside the recurring job.
    await page.get_by_role("button", name="排队中").click()
    await expect(page.locator("li.job")).to_have_count(3)
    for job_id in (failed, other):
        await expect(row(page, job_id).locator(".badge")).to_have_text("排队中")
    assert {job.state for job in (await jobs_by_id(runtime)).values()} == {JobState.QUEUED}
    await page.get_by_role("button", name="运行中").click()
    await expect(page.get_by_text("没有运行中的任务。")).to_be_visible()


async def test_on_a_phone_a_long_error_stays_inside_the_screen(
        cast: Cast, open_page: OpenPage) -> None:
    # One token of 600 characters: nothing to break it at but the page's own rules.
    long_cutoff = "2025-" + "x" * 600
    [failed] = await dead_letters(cast.runtime, long_cutoff)
    page = await open_page("linxiaoyan", f"{JOBS_PAGE}?state=failed", viewport=PHONE)
    dead = row(page, failed)
    await expect(dead.get_by_role("button", name="重试")).to_be_visible()
    await expect(dead.get_by_role("button", name="重试")).to_be_in_viewport(ratio=1)
    await dead.locator("details.last-error summary").click()
    error = dead.locator("details.last-error pre")
    await expect(error).to_contain_text(long_cutoff)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = await error.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-jobs-phone")

    await page.get_by_role("button", name="全部").click()
    await expect(page).to_have_url(page.url.split("?")[0])
    await expect(dead).to_be_visible()


async def test_members_do_not_reach_the_page_and_a_demoted_admin_is_refused(
        cast: Cast, open_page: OpenPage) -> None:
    await dead_letters(cast.runtime, "not-a-date")

    # A member has no way in: no admin area in the navigation, the address leads away, and
    # the API answers 403 to the browser's own session.
    member = await open_page("zhangwei", "/people")
    await expect(member.get_by_role("heading", name="通讯录")).to_be_visible()
    await expect(member.get_by_role("link", name="管理后台")).to_have_count(0)
    await member.goto(member.url.replace("/people", JOBS_PAGE))
    await expect(member).to_have_url(member.url.split("/admin")[0] + "/people")
    await expect(member.get_by_role("link", name="任务队列")).to_have_count(0)
    await expect(member.locator("li.job")).to_have_count(0)
    status = await member.evaluate("fetch('/api/v1/admin/jobs').then(r => r.status)")
    assert status == 403

    # An admin with the page open loses the role: the next refresh shows the server's refusal
    # instead of the list, for the page cannot know before it asks.
    admin = await open_page("linxiaoyan", JOBS_PAGE, viewport=PHONE)
    await expect(admin.locator("li.job")).to_have_count(1)
    # While the server has not answered, the page says it is loading.
    answer = asyncio.Event()

    async def slow(route: Route) -> None:
        await answer.wait()
        await route.continue_()

    await admin.route("**/api/v1/admin/jobs*", slow)
    await admin.reload()
    await expect(admin.get_by_role("status").filter(has_text="加载中…")).to_be_visible()
    await expect(admin.get_by_role("button", name="正在刷新…")).to_be_disabled()
    answer.set()
    await expect(admin.locator("li.job")).to_have_count(1)
    await expect(admin.get_by_text("加载中…")).to_have_count(0)
    await admin.unroute("**/api/v1/admin/jobs*")

    demoted = await cast.zhoujianguo.api.patch(f"/api/v1/users/{cast.linxiaoyan.id}",
                                               json={"role": "member"})
    assert demoted.status_code == 200, demoted.text
    await admin.get_by_role("button", name="刷新").click()
    await expect(admin.get_by_role("alert")).to_have_text("你没有权限执行此操作。")
    await expect(admin.locator("li.job")).to_have_count(0)
    await expect(admin.get_by_role("status").filter(has_text="没有")).to_have_count(0)
    await assert_no_serious_violations(admin)
    await screenshot(admin, "admin-jobs-refused")


async def test_the_page_speaks_english_too(cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("linxiaoyan", f"{JOBS_PAGE}?state=running", locale="en-US")
    await expect(page.get_by_role("navigation", name="Admin sections").get_by_role(
        "link", name="Jobs")).to_be_visible()
    await expect(page.get_by_role("status").filter(has_text="No running jobs.")).to_be_visible()
    await expect(page.get_by_text("Times are in the company time zone (Asia/Shanghai).")
                 ).to_be_visible()
    await expect(page.get_by_role("group", name="Filter by state").get_by_role(
        "button", name="Running")).to_have_attribute("aria-pressed", "true")
