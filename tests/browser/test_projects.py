"""Projects in the browser: a project made from the dialog (only for those the company lets),
its kanban board filling up, cards dragged between and within columns and seen moving in a
colleague's browser within a second, a refused move put back with a word on why, a task's
dialog editing what members may edit (the server's refusal shown at the field), read-only
for someone outside the project, the loading/empty/error states, and the phone layout."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, assert_phone_bar_fits, screenshot, unavailable
from tests.browser.test_shell import SocketTap
from tests.helpers import Cast, Person
from xietong.core.clock import utcnow
from xietong.projects.reminders import send_reminders

PHONE: ViewportSize = {"width": 390, "height": 844}
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A move that reaches the other browser within a second is "live" (the brief's bar).
LIVE_MS = 1000


def day(offset: int) -> str:
    """The company's date `offset` days from today (Asia/Shanghai, the tests' zone)."""
    return (datetime.now(SHANGHAI).date() + timedelta(days=offset)).isoformat()


async def make_project(owner: Person, name: str, *members: Person, visibility: str = "members",
                       description: str = "") -> dict[str, Any]:
    response = await owner.api.post("/api/v1/projects", json={
        "name": name, "description": description, "visibility": visibility,
        "member_ids": [m.id for m in members]})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def status_id(project: dict[str, Any], name: str) -> int:
    found: int = next(s["id"] for s in project["statuses"] if s["name"] == name)
    return found


async def make_task(person: Person, project: dict[str, Any], title: str, *,
                    status: str = "待处理", **fields: Any) -> dict[str, Any]:
    response = await person.api.post(f"/api/v1/projects/{project['id']}/tasks", json={
        "title": title, "status_id": status_id(project, status), **fields})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def board_order(person: Person, project: dict[str, Any]) -> dict[str, list[str]]:
    """Each column's task titles in order, as the server has them."""
    board = (await person.api.get(f"/api/v1/projects/{project['id']}/board")).json()
    return {c["status"]["name"]: [t["title"] for t in c["tasks"]] for c in board["columns"]}


async def open_live(open_page: OpenPage, username: str, path: str,
                    viewport: ViewportSize | None = None) -> Page:
    """`username` on `path`, once the tab's socket is up (what comes next arrives live)."""
    page = await open_page(username, path, viewport=viewport)
    tap = SocketTap()
    await tap.attach(page)
    await page.reload()
    await tap.until("hello")
    return page


def column(page: Page, name: str) -> Locator:
    return page.get_by_test_id("board-column").filter(
        has=page.get_by_role("heading", name=name, exact=True))


def card(page: Page, title: str) -> Locator:
    return page.get_by_test_id("task-card").filter(has_text=title)


def titles(page: Page, name: str) -> Locator:
    return column(page, name).get_by_test_id("task-title")


async def drag(page: Page, source: Locator, target: Locator, *, where: str = "below") -> None:
    """Drags `source` by the pointer (as SortableJS's fallback follows it) onto `target`: to
    just after it (`below`), just before it (`above`) or into it (`into`, an empty column's
    list). The cards make room as the pointer moves, so it looks again until the dragged card
    sits where it should, as a person's hand would."""
    start = await source.bounding_box()
    assert start is not None
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    await page.mouse.move(x0, y0)
    await page.mouse.down()
    await page.mouse.move(x0 + 6, y0 + 6, steps=3)
    fraction = {"below": 0.85, "above": 0.15, "into": 0.5}[where]
    for _ in range(6):
        end = await target.bounding_box()
        assert end is not None
        await page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] * fraction,
                              steps=10)
        # SortableJS looks under the pointer every 50 ms, and animates the room it makes.
        await page.wait_for_timeout(250)
        if where == "into" or await target.evaluate(
                """(target, after) => {
                    const ghost = document.querySelector('.drop-ghost')
                    if (!ghost) return false
                    const item = target.closest('li') ?? target
                    const position = item.compareDocumentPosition(ghost)
                    return after ? !!(position & Node.DOCUMENT_POSITION_FOLLOWING)
                                 : !!(position & Node.DOCUMENT_POSITION_PRECEDING)
                }""", where == "below"):
            break
    await page.mouse.up()


async def test_a_project_is_made_from_the_dialog_and_its_board_fills(
        cast: Cast, open_page: OpenPage) -> None:
    zhang = await open_page("zhangwei", "/projects")
    await expect(zhang.get_by_test_id("projects-empty")).to_contain_text("还没有项目")
    await expect(zhang.get_by_role("navigation", name="主导航").get_by_role("link", name="项目")
                 ).to_have_class(re.compile("router-link-active"))
    await screenshot(zhang, "projects-empty-desktop")
    await assert_no_serious_violations(zhang)

    await zhang.get_by_test_id("new-project").click()
    dialog = zhang.get_by_role("dialog", name="新建项目")
    # No name: said at the field, nothing sent.
    await dialog.get_by_test_id("create-project-submit").click()
    await expect(dialog.get_by_text("请填写项目名称")).to_be_visible()
    await expect(dialog.get_by_label("项目名称")).to_be_focused()
    await dialog.get_by_label("项目名称").fill("Q1 官网改版")
    await dialog.get_by_label("项目简介").fill("首页、产品页和报价页改版，春节前上线")
    await dialog.get_by_role("radio", name="全公司可见").click()
    await dialog.get_by_test_id("people-search").fill("李娜")
    await dialog.get_by_role("checkbox", name=re.compile("李娜")).check()
    await expect(dialog.get_by_test_id("people-chips")).to_contain_text("李娜")
    await dialog.get_by_role("group", name=re.compile("按部门添加")).get_by_role(
        "checkbox", name=re.compile("客服部")).check()
    await expect(dialog.get_by_test_id("department-chips")).to_contain_text("客服部")
    await screenshot(zhang, "projects-new-dialog-desktop")
    await assert_no_serious_violations(zhang)
    await dialog.get_by_test_id("create-project-submit").click()

    await expect(zhang).to_have_url(re.compile(r"/projects/\d+$"))
    project_id = int(zhang.url.rsplit("/", 1)[1])
    await expect(zhang.get_by_test_id("project-name")).to_have_text("Q1 官网改版")
    await expect(zhang.get_by_test_id("project-visibility")).to_contain_text("全公司可见")
    # 张伟, 李娜 and 客服部's 王芳.
    await expect(zhang.get_by_test_id("project-members")).to_contain_text("3 位成员")
    stored = (await cast.zhangwei.api.get(f"/api/v1/projects/{project_id}")).json()
    assert sorted(stored["member_ids"]) == sorted(
        [cast.zhangwei.id, cast.lina.id, cast.wangfang.id])
    await expect(zhang.get_by_test_id("project-channel")).to_have_attribute(
        "href", f"/chat/{stored['channel_id']}")
    names = zhang.get_by_test_id("board-column").get_by_role("heading")
    await expect(names).to_have_text(["待处理", "进行中", "待验收", "已完成", "已取消"])
    await expect(column(zhang, "待处理").get_by_test_id("column-count")).to_have_text("0")

    # Quick add at the foot of a column, one after another.
    await column(zhang, "待处理").get_by_test_id("add-task").click()
    quick = column(zhang, "待处理").get_by_test_id("add-task-title")
    await quick.fill("首页首屏视觉稿")
    await quick.press("Enter")
    await expect(card(zhang, "首页首屏视觉稿")).to_be_visible()
    await expect(quick).to_have_value("")
    await quick.fill("报价页文案")
    await quick.press("Enter")
    await expect(titles(zhang, "待处理")).to_have_text(["首页首屏视觉稿", "报价页文案"])
    await quick.press("Escape")
    await column(zhang, "进行中").get_by_test_id("add-task").click()
    await column(zhang, "进行中").get_by_test_id("add-task-title").fill("产品页信息架构")
    await column(zhang, "进行中").get_by_test_id("add-task-title").press("Enter")
    await expect(titles(zhang, "进行中")).to_have_text(["产品页信息架构"])
    await expect(column(zhang, "待处理").get_by_test_id("column-count")).to_have_text("2")
    assert (await board_order(cast.zhangwei, stored))["待处理"] == ["首页首屏视觉稿", "报价页文案"]
    await screenshot(zhang, "projects-board-new-desktop")
    await assert_no_serious_violations(zhang)

    # The list: the card with its visibility, members and progress.
    await zhang.get_by_role("link", name="全部项目").click()
    row = zhang.get_by_test_id("project-card").filter(has_text="Q1 官网改版")
    await expect(row.get_by_test_id("project-visibility")).to_contain_text("全公司可见")
    await expect(row.get_by_test_id("project-members")).to_have_text("3 位成员")
    await expect(row.get_by_test_id("project-progress")).to_have_text("已完成 0/3")
    await expect(row).to_contain_text("负责人")
    await screenshot(zhang, "projects-list-desktop")
    await assert_no_serious_violations(zhang)


async def test_a_project_is_made_from_a_template_with_its_tasks(
        cast: Cast, open_page: OpenPage) -> None:
    zhang = await open_page("zhangwei", "/projects")
    await zhang.get_by_test_id("new-project").click()
    dialog = zhang.get_by_role("dialog", name="新建项目")
    templates = dialog.get_by_role("group", name="项目模板")
    await expect(templates.get_by_role("radio")).to_have_count(4)
    launch = templates.locator("label").filter(has_text="产品上市")
    await expect(launch).to_contain_text("14 个任务 · 约 49 个工作日")
    await expect(templates.locator("label").filter(has_text="空白项目")).to_contain_text(
        "不含任务")
    # The blank board is chosen first, and asks for no start date.
    await expect(templates.get_by_role("radio", name=re.compile("空白项目"))).to_be_checked()
    await expect(dialog.get_by_label("开始日期")).to_have_count(0)
    await launch.click()
    await expect(templates.get_by_role("radio", name=re.compile("产品上市"))).to_be_checked()
    # A Saturday: the first task starts on the Monday after.
    await dialog.get_by_label("开始日期").fill("2027-03-06")
    await dialog.get_by_label("开始日期").press("Tab")
    await expect(dialog).to_contain_text("2027年3月6日星期六")
    await dialog.get_by_label("项目名称").fill("智能手表上市")
    await screenshot(zhang, "projects-new-from-template-desktop")
    await assert_no_serious_violations(zhang)
    await dialog.get_by_test_id("create-project-submit").click()

    await expect(zhang).to_have_url(re.compile(r"/projects/\d+$"))
    await expect(zhang.get_by_test_id("project-name")).to_have_text("智能手表上市")
    await expect(column(zhang, "待处理").get_by_test_id("column-count")).to_have_text("14")
    await expect(titles(zhang, "待处理").first).to_have_text("市场调研与竞品分析")
    await expect(card(zhang, "正式发布")).to_be_visible()
    project_id = int(zhang.url.rsplit("/", 1)[1])
    tasks = (await cast.zhangwei.api.get(f"/api/v1/projects/{project_id}/tasks")).json()
    first = next(t for t in tasks["items"] if t["title"] == "市场调研与竞品分析")
    assert (first["start_at"], first["due_at"]) == ("2027-03-08", "2027-03-12")
    await screenshot(zhang, "projects-board-from-template-desktop")
    await assert_no_serious_violations(zhang)
    # Renamed: an administrator reads both in the audit log, the project linked.
    renamed = await cast.zhangwei.api.patch(f"/api/v1/projects/{project_id}",
                                            json={"name": "智能手表 S2 上市"})
    assert renamed.status_code == 200, renamed.text
    lin = await open_page("linxiaoyan", "/admin/audit")
    created = lin.locator("tr[data-action='project.created']")
    await expect(created).to_contain_text("创建项目")
    await expect(created.get_by_role("link", name="智能手表上市")).to_have_attribute(
        "href", f"/projects/{project_id}")
    updated = lin.locator("tr[data-action='project.updated']")
    await expect(updated).to_contain_text("修改了：名称")
    await expect(updated.get_by_role("link", name="智能手表 S2 上市")).to_be_visible()
    await screenshot(lin, "projects-audit-desktop")

    # On a phone the cards fit the sheet, one or two a row, and the page does not scroll sideways.
    # Templates that cannot be loaded leave the blank board, and a retry.
    phone = await open_page("zhangwei", "/projects", viewport=PHONE)
    await phone.route("**/api/v1/project-templates", unavailable())
    await phone.get_by_test_id("new-project").click()
    sheet = phone.get_by_role("dialog", name="新建项目")
    await expect(sheet.get_by_role("alert")).to_contain_text("模板加载失败，仍可创建空白项目")
    await assert_no_serious_violations(phone)
    await phone.unroute("**/api/v1/project-templates")
    await sheet.get_by_role("button", name="重试").click()
    await sheet.get_by_role("group", name="项目模板").locator("label").filter(
        has_text="活动策划").click()
    await expect(sheet.get_by_label("开始日期")).to_be_visible()
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    await screenshot(phone, "projects-new-from-template-phone")
    await assert_no_serious_violations(phone)


async def test_a_card_dragged_in_one_browser_moves_in_the_other_within_a_second(
        cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina, cast.liuyang)
    labelled = await cast.zhangwei.api.put(f"/api/v1/projects/{project['id']}/labels", json={
        "labels": [{"name": "研发", "color": "purple"}]})
    assert labelled.status_code == 200, labelled.text
    await make_task(cast.zhangwei, project, "确认发布会场地", assignee_id=cast.liuyang.id,
                    due_at=day(-2), priority="urgent")
    await make_task(cast.zhangwei, project, "准备演示样机", assignee_id=cast.lina.id,
                    due_at=day(5), priority="high", labels=["研发"])
    await make_task(cast.zhangwei, project, "媒体邀请名单")
    await make_task(cast.lina, project, "官网落地页", status="进行中", assignee_id=cast.lina.id,
                    start_at=day(-3), due_at=day(3))
    await make_task(cast.lina, project, "宣传视频剪辑", status="进行中")
    path = f"/projects/{project['id']}"
    zhang = await open_live(open_page, "zhangwei", path)
    lina = await open_live(open_page, "lina", path)

    await expect(titles(zhang, "待处理")).to_have_text(
        ["确认发布会场地", "准备演示样机", "媒体邀请名单"])
    venue = card(zhang, "确认发布会场地")
    await expect(venue).to_contain_text(re.compile(r"T-\d+"))
    await expect(venue.get_by_test_id("task-assignee")).to_have_text("刘洋")
    await expect(venue.get_by_test_id("task-priority")).to_contain_text("紧急")
    # Two days ago is overdue in the company's days: red.
    await expect(venue.get_by_test_id("task-due")).to_have_attribute("data-overdue", "true")
    await expect(card(zhang, "准备演示样机").get_by_test_id("task-due")).not_to_have_attribute(
        "data-overdue", "true")
    await screenshot(zhang, "projects-board-desktop")
    await assert_no_serious_violations(zhang)

    # 张伟 drags 准备演示样机 between the two cards of 进行中: 李娜 sees it there at once.
    await drag(zhang, card(zhang, "准备演示样机"), card(zhang, "官网落地页"))
    await expect(titles(zhang, "进行中")).to_have_text(
        ["官网落地页", "准备演示样机", "宣传视频剪辑"])
    await expect(titles(lina, "进行中")).to_have_text(
        ["官网落地页", "准备演示样机", "宣传视频剪辑"], timeout=LIVE_MS)
    await expect(titles(lina, "待处理")).to_have_text(["确认发布会场地", "媒体邀请名单"])
    await expect(column(lina, "进行中").get_by_test_id("column-count")).to_have_text("3")
    order = await board_order(cast.lina, project)
    assert order["进行中"] == ["官网落地页", "准备演示样机", "宣传视频剪辑"]
    await screenshot(lina, "projects-board-moved-live-desktop")

    # Within a column: 媒体邀请名单 to the top of 待处理.
    await drag(zhang, card(zhang, "媒体邀请名单"), card(zhang, "确认发布会场地"), where="above")
    await expect(titles(zhang, "待处理")).to_have_text(["媒体邀请名单", "确认发布会场地"])
    await expect(titles(lina, "待处理")).to_have_text(["媒体邀请名单", "确认发布会场地"],
                                                     timeout=LIVE_MS)
    # Into an empty column, the other way round: 李娜 drags to 待验收, 张伟 sees it.
    await drag(lina, card(lina, "官网落地页"), column(lina, "待验收").locator("ul"), where="into")
    await expect(titles(lina, "待验收")).to_have_text(["官网落地页"])
    await expect(titles(zhang, "待验收")).to_have_text(["官网落地页"], timeout=LIVE_MS)
    order = await board_order(cast.zhangwei, project)
    assert order == {"待处理": ["媒体邀请名单", "确认发布会场地"],
                     "进行中": ["准备演示样机", "宣传视频剪辑"], "待验收": ["官网落地页"],
                     "已完成": [], "已取消": []}

    # A task added elsewhere arrives too.
    await make_task(cast.liuyang, project, "场地布置方案", status="进行中")
    for page in (zhang, lina):
        await expect(titles(page, "进行中")).to_have_text(
            ["准备演示样机", "宣传视频剪辑", "场地布置方案"])


async def test_a_refused_move_goes_back_and_says_why(cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina, visibility="company")
    await make_task(cast.zhangwei, project, "确认发布会场地")
    await make_task(cast.zhangwei, project, "准备演示样机")
    lina = await open_live(open_page, "lina", f"/projects/{project['id']}")
    await expect(titles(lina, "待处理")).to_have_text(["确认发布会场地", "准备演示样机"])
    await expect(lina.get_by_test_id("add-task")).to_have_count(5)

    # 张伟 takes her off the project meanwhile. Its events reach its members, so her page is
    # not told: she still drags, and the server refuses.
    removed = await cast.zhangwei.api.delete(
        f"/api/v1/projects/{project['id']}/members/{cast.lina.id}")
    assert removed.status_code == 204, removed.text
    await drag(lina, card(lina, "准备演示样机"), column(lina, "进行中").locator("ul"),
               where="into")
    error = lina.get_by_test_id("move-error")
    await expect(error).to_contain_text("没能移动“准备演示样机”")
    await expect(error).to_contain_text("只有项目成员可以处理任务")
    await expect(titles(lina, "待处理")).to_have_text(["确认发布会场地", "准备演示样机"])
    await expect(titles(lina, "进行中")).to_have_count(0)
    await screenshot(lina, "projects-board-move-refused-desktop")
    await assert_no_serious_violations(lina)
    # The board loaded again: read-only for her now, and it says so.
    await expect(lina.get_by_test_id("board-read-only")).to_contain_text("你不是这个项目的成员")
    await expect(lina.get_by_test_id("add-task")).to_have_count(0)
    assert (await board_order(cast.zhangwei, project))["进行中"] == []


async def test_an_archived_project_turns_read_only_live(cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina)
    await make_task(cast.zhangwei, project, "确认发布会场地")
    lina = await open_live(open_page, "lina", f"/projects/{project['id']}")
    await expect(lina.get_by_test_id("add-task")).to_have_count(5)
    archived = await cast.zhangwei.api.patch(f"/api/v1/projects/{project['id']}",
                                             json={"archived": True})
    assert archived.status_code == 200, archived.text
    await expect(lina.get_by_test_id("board-read-only")).to_contain_text("项目已归档")
    await expect(lina.get_by_test_id("project-archived")).to_have_text("已归档")
    await expect(lina.get_by_test_id("add-task")).to_have_count(0)


async def test_someone_outside_a_company_project_reads_its_board_only(
        cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina, visibility="company")
    await make_task(cast.zhangwei, project, "确认发布会场地", assignee_id=cast.lina.id,
                    description="**周五前**确认，预算 2 万以内", due_at=day(1))
    await make_task(cast.zhangwei, project, "准备演示样机")
    # This morning's reminder (due tomorrow): a step of the history, no one's hand.
    async with cast.runtime.unit_of_work() as uow:
        assert await send_reminders(uow, datetime.now(SHANGHAI).date(), utcnow()) == 1
    wang = await open_page("wangfang", "/projects")
    others = wang.get_by_test_id("project-list-others")
    await expect(others.get_by_test_id("project-card")).to_contain_text("Q4 新品发布")
    await others.get_by_role("link", name="Q4 新品发布").click()
    await expect(wang.get_by_test_id("board-read-only")).to_contain_text("你不是这个项目的成员")
    await expect(wang.get_by_test_id("add-task")).to_have_count(0)
    await expect(wang.get_by_test_id("project-channel")).to_have_count(0)

    # No drag: the card stays, and nothing is asked of the server.
    moves: list[str] = []
    wang.on("request", lambda r: moves.append(r.url) if "/move" in r.url else None)
    await drag(wang, card(wang, "准备演示样机"), column(wang, "进行中").locator("ul"), where="into")
    await expect(titles(wang, "待处理")).to_have_text(["确认发布会场地", "准备演示样机"])
    await expect(titles(wang, "进行中")).to_have_count(0)
    assert moves == []

    # The task opens read only: its facts, its description, its history; no form.
    await card(wang, "确认发布会场地").click()
    dialog = wang.get_by_test_id("task-dialog")
    await expect(dialog.get_by_test_id("task-read-only")).to_be_visible()
    await expect(dialog.get_by_test_id("task-form")).to_have_count(0)
    await expect(dialog.get_by_test_id("task-description").locator("strong")).to_have_text("周五前")
    await expect(dialog).to_contain_text("李娜")
    await expect(dialog.get_by_test_id("history-entry")).to_have_text(
        ["已提醒负责人：任务明天截止", "张伟 创建了任务"])
    await screenshot(wang, "projects-task-read-only-desktop")
    await assert_no_serious_violations(wang)

    # A members-only project of others is not there for her at all.
    hidden = await make_project(cast.zhangwei, "年终奖方案", cast.lina)
    await wang.goto(wang.url.split("/projects")[0] + f"/projects/{hidden['id']}")
    await expect(wang.get_by_test_id("project-not-found")).to_contain_text("找不到这个项目")
    await expect(wang.get_by_text("年终奖方案")).to_have_count(0)
    await assert_no_serious_violations(wang)


async def test_the_task_dialog_edits_and_says_what_the_server_refuses(
        cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina, cast.liuyang)
    task = await make_task(cast.zhangwei, project, "确认发布会场地", start_at=day(1))
    zhang = await open_page("zhangwei", f"/projects/{project['id']}")
    lina = await open_live(open_page, "lina", f"/projects/{project['id']}?task={task['id']}")
    await card(zhang, "确认发布会场地").click()
    await expect(zhang).to_have_url(re.compile(rf"\?task={task['id']}$"))
    dialog = zhang.get_by_test_id("task-dialog")
    form = dialog.get_by_test_id("task-form")
    await form.get_by_label("标题").fill("确认发布会场地和档期")
    await form.get_by_label("负责人").select_option(label="刘洋")
    await form.get_by_label("优先级").select_option(label="高")
    # Due before the start: the server refuses, and says so under 截止日期.
    await form.get_by_label("截止日期").fill(day(-1))
    await form.get_by_label("截止日期").blur()
    await dialog.get_by_test_id("task-save").click()
    await expect(dialog.get_by_test_id("due-error")).to_have_text("截止日期不能早于开始日期。")
    await expect(form.get_by_label("截止日期")).to_have_value(day(-1))
    await screenshot(zhang, "projects-task-due-error-desktop")
    await assert_no_serious_violations(zhang)
    stored = (await cast.zhangwei.api.get(f"/api/v1/tasks/{task['id']}")).json()
    assert stored["title"] == "确认发布会场地"

    await form.get_by_label("截止日期").fill(day(4))
    await form.get_by_label("截止日期").blur()
    await dialog.get_by_test_id("task-save").click()
    await expect(dialog.get_by_test_id("due-error")).to_have_count(0)
    await expect(dialog.get_by_role("status").filter(has_text="已保存")).to_be_visible()
    stored = (await cast.zhangwei.api.get(f"/api/v1/tasks/{task['id']}")).json()
    assert (stored["title"], stored["assignee_id"], stored["priority"], stored["due_at"]) == (
        "确认发布会场地和档期", cast.liuyang.id, "high", day(4))
    history = dialog.get_by_test_id("history-entry")
    await expect(history.first).to_contain_text("张伟 修改了")
    await expect(dialog.get_by_test_id("task-history")).to_contain_text("负责人：无 → 刘洋")

    # The status moves it to the foot of that column, on 李娜's board too (her open dialog
    # follows every change).
    await dialog.get_by_test_id("task-status").select_option(label="进行中")
    await expect(history.first).to_contain_text("把任务从“待处理”移到“进行中”")
    await expect(titles(zhang, "进行中")).to_have_text(["确认发布会场地和档期"])
    lina_dialog = lina.get_by_test_id("task-dialog")
    await expect(lina_dialog.get_by_test_id("task-status")).to_have_value(
        str(status_id(project, "进行中")))
    await expect(lina_dialog.get_by_label("标题")).to_have_value("确认发布会场地和档期")
    await expect(lina_dialog.get_by_test_id("history-entry").first).to_contain_text(
        "把任务从“待处理”移到“进行中”")
    await expect(titles(lina, "进行中")).to_have_text(["确认发布会场地和档期"])
    await expect(card(lina, "确认发布会场地和档期").get_by_test_id("task-assignee")
                 ).to_have_text("刘洋")
    await screenshot(zhang, "projects-task-dialog-desktop")
    await zhang.keyboard.press("Escape")
    await expect(zhang.get_by_test_id("task-dialog")).to_have_count(0)
    await expect(zhang).to_have_url(re.compile(rf"/projects/{project['id']}$"))


async def test_states_loading_error_and_retry(cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina)
    await make_task(cast.zhangwei, project, "确认发布会场地")
    zhang = await open_page("zhangwei", "/people")
    await zhang.route("**/api/v1/projects", unavailable())
    await zhang.get_by_role("link", name="项目", exact=True).click()
    await expect(zhang.get_by_test_id("projects-error")).to_contain_text("服务暂时不可用")
    await screenshot(zhang, "projects-error-desktop")
    await zhang.unroute("**/api/v1/projects")
    await zhang.get_by_test_id("projects-error").get_by_role("button", name="重试").click()
    await expect(zhang.get_by_test_id("project-card")).to_contain_text("Q4 新品发布")

    await zhang.route("**/api/v1/projects/*/board", unavailable())
    await zhang.get_by_role("link", name="Q4 新品发布").click()
    await expect(zhang.get_by_test_id("board-error")).to_contain_text("服务暂时不可用")
    await assert_no_serious_violations(zhang)
    await zhang.unroute("**/api/v1/projects/*/board")
    await zhang.get_by_test_id("board-error").get_by_role("button", name="重试").click()
    await expect(card(zhang, "确认发布会场地")).to_be_visible()


async def test_only_those_the_company_lets_see_the_new_project_button(
        cast: Cast, open_page: OpenPage) -> None:
    changed = await cast.zhoujianguo.api.patch("/api/v1/admin/settings", json={
        "create_projects": {"roles": ["admins"]}})
    assert changed.status_code == 200, changed.text
    zhang = await open_page("zhangwei", "/projects")
    await expect(zhang.get_by_test_id("projects-empty")).to_contain_text("有人把你加入项目")
    await expect(zhang.get_by_test_id("new-project")).to_have_count(0)
    lin = await open_page("linxiaoyan", "/projects")
    await expect(lin.get_by_test_id("new-project")).to_be_visible()


async def test_the_phone_layout(cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina, cast.liuyang,
                                 description="11 月 28 日发布会的全部准备工作")
    await make_project(cast.lina, "研发周迭代", cast.zhangwei, visibility="company")
    await make_task(cast.zhangwei, project, "确认发布会场地", assignee_id=cast.liuyang.id,
                    due_at=day(-2), priority="urgent")
    await make_task(cast.zhangwei, project, "准备演示样机", assignee_id=cast.lina.id,
                    due_at=day(5), priority="high")
    await make_task(cast.zhangwei, project, "官网落地页", status="进行中")
    await make_task(cast.zhangwei, project, "媒体邀请名单", status="已完成")

    zhang = await open_page("zhangwei", "/projects", viewport=PHONE)
    await expect(zhang.get_by_test_id("project-card")).to_have_count(2)
    await expect(zhang.get_by_test_id("project-card").filter(has_text="Q4 新品发布")
                 ).to_contain_text("已完成 1/4")
    width = await zhang.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    await assert_phone_bar_fits(zhang)
    await screenshot(zhang, "projects-list-phone")
    await assert_no_serious_violations(zhang)

    await zhang.get_by_test_id("new-project").click()
    await expect(zhang.get_by_role("dialog", name="新建项目")).to_be_visible()
    await screenshot(zhang, "projects-new-dialog-phone")
    await zhang.keyboard.press("Escape")

    await zhang.get_by_role("link", name="Q4 新品发布").click()
    await expect(titles(zhang, "待处理")).to_have_text(["确认发布会场地", "准备演示样机"])
    # One column about a screen wide; the board scrolls sideways, the page does not.
    first = await column(zhang, "待处理").bounding_box()
    assert first is not None
    assert 300 <= first["width"] <= PHONE["width"], first
    width = await zhang.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    board = zhang.get_by_test_id("board")
    assert await board.evaluate("b => b.scrollWidth > b.clientWidth + 600")
    await screenshot(zhang, "projects-board-phone")
    await assert_no_serious_violations(zhang)
    await board.evaluate("b => b.scrollBy({left: b.clientWidth})")
    await expect(column(zhang, "进行中")).to_be_in_viewport()
    await card(zhang, "官网落地页").click()
    await expect(zhang.get_by_test_id("task-dialog")).to_be_visible()
    await screenshot(zhang, "projects-task-dialog-phone")
    await assert_no_serious_violations(zhang)


async def test_english(cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina)
    await make_task(cast.zhangwei, project, "确认发布会场地", due_at=day(-1), priority="urgent")
    zhang = await open_page("zhangwei", "/projects", locale="en")
    await expect(zhang.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    await expect(zhang.get_by_test_id("project-card")).to_contain_text("0/1 done")
    await expect(zhang.get_by_test_id("project-card")).to_contain_text("Members only")
    await zhang.get_by_role("link", name="Q4 新品发布").click()
    await expect(card(zhang, "确认发布会场地").get_by_test_id("task-priority")).to_contain_text(
        "Urgent")
    await expect(column(zhang, "待处理").get_by_test_id("add-task")).to_have_accessible_name(
        "Add a task to “待处理”")
    await screenshot(zhang, "projects-board-en-desktop")


async def test_a_column_past_its_wip_limit_warns(cast: Cast, open_page: OpenPage) -> None:
    project = await make_project(cast.zhangwei, "Q4 新品发布", cast.lina)
    await make_task(cast.zhangwei, project, "官网落地页", status="进行中")
    await make_task(cast.zhangwei, project, "宣传视频剪辑", status="进行中")
    lina = await open_live(open_page, "lina", f"/projects/{project['id']}")
    await expect(column(lina, "进行中").get_by_test_id("column-count")).to_have_text("2")
    # The owner reshapes the board: a limit of 2 on 进行中, 待验收 renamed. Her board follows.
    statuses = [{"id": s["id"], "name": "测试中" if s["name"] == "待验收" else s["name"],
                 "category": s["category"], "wip_limit": 2 if s["name"] == "进行中" else None}
                for s in project["statuses"]]
    reshaped = await cast.zhangwei.api.put(f"/api/v1/projects/{project['id']}/statuses",
                                           json={"statuses": statuses})
    assert reshaped.status_code == 200, reshaped.text
    names = lina.get_by_test_id("board-column").get_by_role("heading")
    await expect(names).to_have_text(["待处理", "进行中", "测试中", "已完成", "已取消"])
    await expect(column(lina, "进行中").get_by_test_id("column-count")).to_have_text("2/2")
    await expect(column(lina, "进行中").get_by_test_id("column-over-limit")).to_have_count(0)
    # A third arrives (from 张伟): over the limit, said in the column.
    await make_task(cast.zhangwei, project, "准备演示样机", status="进行中")
    await expect(column(lina, "进行中").get_by_test_id("column-count")).to_have_text("3/2")
    await expect(column(lina, "进行中").get_by_test_id("column-over-limit")).to_have_text(
        "⚠ 任务数超过在制品上限 2")
    await screenshot(lina, "projects-board-over-limit-desktop")
    await assert_no_serious_violations(lina)
