"""Goals (OKR) in the browser: the company's tree for a quarter with department and personal
objectives nested under what they serve, each with its progress and key results; a check-in
from the dialog moving the bars — the checker's own and, live, a colleague's within a second;
objectives and key results made from their dialogs; someone without rights seeing no 编辑;
the loading/empty/error states, a notification's deep link, and the phone layout."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Locator, Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.browser.test_projects import make_project, make_task, open_live
from tests.helpers import Cast, Person

PHONE: ViewportSize = {"width": 390, "height": 844}
# A check-in that reaches the other browser within a second is "live" (the brief's bar).
LIVE_MS = 1000


async def this_quarter(person: Person) -> str:
    response = await person.api.get("/api/v1/objectives")
    assert response.status_code == 200, response.text
    period: str = response.json()["period"]
    return period


async def make_objective(person: Person, title: str, level: str, period: str, *,
                         parent: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    response = await person.api.post("/api/v1/objectives", json={
        "title": title, "level": level, "period": period,
        **({"parent_id": parent["id"]} if parent else {}), **fields})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def add_kr(person: Person, objective: dict[str, Any], title: str,
                 **fields: Any) -> dict[str, Any]:
    response = await person.api.post(f"/api/v1/objectives/{objective['id']}/key-results",
                                     json={"title": title, **fields})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def seed(cast: Cast) -> dict[str, Any]:
    """林晓燕 (admin) sets the company's objective; 张伟 (销售部's manager) his department's,
    aligned to it, with a key result 刘洋 owns; 刘洋 his own under that; 李娜 研发部's."""
    period = await this_quarter(cast.linxiaoyan)
    company = await make_objective(cast.linxiaoyan, "全年营收增长 30%", "company", period)
    revenue = await add_kr(cast.linxiaoyan, company, "营收达到 1.2 亿", start=0.0,
                           target=12000.0, unit="万元")
    sales = await make_objective(cast.zhangwei, "销售部拿下华东市场", "department", period,
                                 parent=company, department_id=cast.departments["销售部"])
    customers = await add_kr(cast.zhangwei, sales, "新签客户 30 家", start=0.0, target=30.0,
                             unit="家", owner_id=cast.liuyang.id)
    visits = await add_kr(cast.zhangwei, sales, "拜访重点客户 40 次", start=0.0,
                          target=40.0, unit="次")
    own = await make_objective(cast.liuyang, "华东区签约 10 家新客户", "person", period,
                               parent=sales)
    await add_kr(cast.liuyang, own, "签约 10 家", start=0.0, target=10.0, unit="家")
    rnd = await make_objective(cast.lina, "研发部按期交付 2.0 版本", "department", period,
                               parent=company, department_id=cast.departments["研发部"])
    return {"period": period, "company": company, "revenue": revenue, "sales": sales,
            "customers": customers, "visits": visits, "own": own, "rnd": rnd}


def objective(page: Page, title: str) -> Locator:
    """The objective titled `title` (its own card, not those aligned to it)."""
    return page.get_by_test_id("objective-title").filter(
        has_text=re.compile(f"^{re.escape(title)}$")).locator(
        "xpath=ancestor::li[@data-testid='objective'][1]")


def card(page: Page, title: str) -> Locator:
    return objective(page, title).locator("> .objective-card")


def key_result(page: Page, title: str) -> Locator:
    return page.get_by_test_id("key-result").filter(has_text=title)


async def confidence_score(dialog: Locator, score: int) -> None:
    """Picks a confidence by its number, as a hand taps it."""
    await dialog.get_by_role("group", name=re.compile("信心指数")).get_by_text(
        str(score), exact=True).click()
    await expect(dialog.get_by_role("radio", name=str(score), exact=True)).to_be_checked()


async def check_in_from_dialog(page: Page, kr_title: str, current: str, confidence: int,
                               note: str) -> Locator:
    await key_result(page, kr_title).get_by_test_id("check-in").click()
    dialog = page.get_by_role("dialog", name="进度更新")
    await expect(dialog.get_by_test_id("check-in-kr")).to_have_text(kr_title)
    await dialog.get_by_label("当前值").fill(current)
    await confidence_score(dialog, confidence)
    await dialog.get_by_label("进展说明").fill(note)
    return dialog


async def test_the_tree_nests_objectives_and_a_check_in_moves_the_bars_live(
        cast: Cast, open_page: OpenPage) -> None:
    seeded = await seed(cast)
    lin = await open_live(open_page, "linxiaoyan", "/okr")
    zhang = await open_page("zhangwei", "/okr")
    await expect(zhang.get_by_role("navigation", name="主导航").get_by_role("link", name="目标")
                 ).to_have_class(re.compile("router-link-active"))

    # Nesting: 销售部's and 研发部's under the company's, 刘洋's under 销售部's.
    company = objective(zhang, "全年营收增长 30%")
    aligned = company.get_by_test_id("objective-children").first
    await expect(aligned.locator("> [data-testid=objective] > .objective-card")
                 .get_by_test_id("objective-title")).to_have_text(
        ["销售部拿下华东市场", "研发部按期交付 2.0 版本"])
    await expect(objective(zhang, "销售部拿下华东市场").get_by_test_id("objective-children")
                 .get_by_test_id("objective-title")).to_have_text(["华东区签约 10 家新客户"])
    await expect(card(zhang, "全年营收增长 30%").get_by_test_id("objective-level")
                 ).to_have_text("公司")
    sales = card(zhang, "销售部拿下华东市场")
    await expect(sales.get_by_test_id("objective-level")).to_have_text("部门")
    await expect(sales.get_by_test_id("objective-owner")).to_contain_text("张伟")
    await expect(sales.get_by_test_id("objective-department")).to_have_text("销售部")
    await expect(card(zhang, "华东区签约 10 家新客户").get_by_test_id("objective-level")
                 ).to_have_text("个人")
    await expect(sales.get_by_test_id("objective-progress")).to_have_text("0%")
    await expect(key_result(zhang, "新签客户 30 家").get_by_test_id("kr-value")
                 ).to_have_text("0 / 30 家")
    await expect(key_result(zhang, "新签客户 30 家").get_by_test_id("kr-checked-in")
                 ).to_have_text("尚未更新进度")

    # Collapse and expand what is aligned to the company's.
    toggle = card(zhang, "全年营收增长 30%").get_by_test_id("objective-toggle")
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(objective(zhang, "销售部拿下华东市场")).to_be_hidden()
    await toggle.click()
    await expect(objective(zhang, "销售部拿下华东市场")).to_be_visible()

    # 张伟 checks in 15 of 30: the preview says 50% before it is sent.
    dialog = await check_in_from_dialog(zhang, "新签客户 30 家", "15", 8, "本周新签 5 家")
    await expect(dialog.get_by_test_id("check-in-preview")).to_contain_text("50%")
    await expect(dialog.get_by_test_id("check-in-history-empty")).to_have_text("还没有进度更新")
    await screenshot(zhang, "okr-check-in-desktop")
    await assert_no_serious_violations(zhang)
    lin_kr = key_result(lin, "新签客户 30 家").get_by_test_id("kr-progress")
    await expect(lin_kr).to_have_text("0%")
    await dialog.get_by_test_id("check-in-submit").click()
    # Counted from the click's answer: the other browser has it within the second.
    await expect(lin_kr).to_have_text("50%", timeout=LIVE_MS)
    await expect(dialog).to_be_hidden()
    # The key result's share, its objective's (the mean of its two key results and 刘洋's
    # objective aligned to it, equal weights: 50% / 3) and the company's above it, in both
    # browsers.
    for page in (zhang, lin):
        await expect(key_result(page, "新签客户 30 家").get_by_test_id("kr-progress")
                     ).to_have_text("50%")
        await expect(card(page, "销售部拿下华东市场").get_by_test_id("objective-progress")
                     ).to_have_text("17%")
    await expect(key_result(zhang, "新签客户 30 家").get_by_test_id("kr-value")
                 ).to_have_text("15 / 30 家")
    confidence = key_result(zhang, "新签客户 30 家").get_by_test_id("kr-confidence")
    await expect(confidence).to_have_text("信心指数 8")
    await expect(confidence).to_have_class(re.compile("tone-ok"))
    await expect(key_result(zhang, "新签客户 30 家").get_by_test_id("kr-checked-in")
                 ).to_have_text("刚刚更新")
    company_now = (await cast.linxiaoyan.api.get(
        f"/api/v1/objectives/{seeded['company']['id']}")).json()["progress"]
    await expect(card(lin, "全年营收增长 30%").get_by_test_id("objective-progress")).to_have_text(
        f"{round(company_now * 100)}%")

    # A second check-in, low confidence: amber then red; the history is newest first.
    dialog = await check_in_from_dialog(zhang, "新签客户 30 家", "18", 3, "两家客户推迟签约")
    await dialog.get_by_test_id("check-in-submit").click()
    await expect(dialog).to_be_hidden()
    await expect(confidence).to_have_class(re.compile("tone-bad"))
    await expect(key_result(lin, "新签客户 30 家").get_by_test_id("kr-progress")
                 ).to_have_text("60%")
    await key_result(zhang, "新签客户 30 家").get_by_test_id("check-in").click()
    dialog = zhang.get_by_role("dialog", name="进度更新")
    entries = dialog.get_by_test_id("check-in-entry")
    await expect(entries).to_have_count(2)
    await expect(entries.nth(0)).to_contain_text("两家客户推迟签约")
    await expect(entries.nth(0)).to_contain_text("进度 60%")
    await expect(entries.nth(1)).to_contain_text("本周新签 5 家")
    await expect(entries.nth(1)).to_contain_text("张伟")
    await screenshot(zhang, "okr-check-in-history-desktop")
    await dialog.get_by_role("button", name="取消").click()
    await screenshot(lin, "okr-tree-desktop")
    await assert_no_serious_violations(lin)


async def test_a_refused_check_in_is_said_at_the_field_or_under_the_form(
        cast: Cast, open_page: OpenPage) -> None:
    seeded = await seed(cast)
    liu = await open_live(open_page, "liuyang", "/okr")
    # 刘洋 owns the key result: he may check in on it, not edit the objective.
    row = key_result(liu, "新签客户 30 家")
    await expect(row.get_by_test_id("check-in")).to_be_visible()
    await expect(row.get_by_test_id("edit-key-result")).to_have_count(0)
    await expect(card(liu, "销售部拿下华东市场").get_by_test_id("edit-objective")).to_have_count(0)

    dialog = await check_in_from_dialog(liu, "新签客户 30 家", "20000000000000", 5, "")
    await dialog.get_by_test_id("check-in-submit").click()
    current = dialog.get_by_label("当前值")
    await expect(current).to_have_attribute("aria-invalid", "true")
    await expect(dialog.locator(".field-error")).to_be_visible()
    await expect(dialog.get_by_role("alert")).to_have_count(1)
    # Archived meanwhile: the server's word under the form, nothing written.
    response = await cast.zhangwei.api.patch(f"/api/v1/objectives/{seeded['sales']['id']}",
                                             json={"archived": True})
    assert response.status_code == 200, response.text
    await current.fill("12")
    await dialog.get_by_test_id("check-in-submit").click()
    await expect(dialog.get_by_role("alert")).to_contain_text("目标已归档")
    await expect(dialog).to_be_visible()
    history = (await cast.liuyang.api.get(
        f"/api/v1/key-results/{seeded['customers']['id']}/check-ins")).json()
    assert history["items"] == []


async def test_a_member_without_rights_sees_no_edit_buttons(
        cast: Cast, open_page: OpenPage) -> None:
    await seed(cast)
    wang = await open_page("wangfang", "/okr")
    await expect(objective(wang, "销售部拿下华东市场")).to_be_visible()
    await expect(wang.get_by_test_id("key-result")).to_have_count(4)
    await expect(wang.get_by_test_id("edit-objective")).to_have_count(0)
    await expect(wang.get_by_test_id("edit-key-result")).to_have_count(0)
    await expect(wang.get_by_test_id("add-key-result")).to_have_count(0)
    await expect(wang.get_by_test_id("check-in")).to_have_count(0)
    await expect(wang.get_by_role("button", name=re.compile("^编辑"))).to_have_count(0)
    # The history is still hers to read.
    await key_result(wang, "新签客户 30 家").get_by_test_id("check-in-history").click()
    dialog = wang.get_by_role("dialog", name="进度更新")
    await expect(dialog.get_by_test_id("check-in-history-empty")).to_be_visible()
    await expect(dialog.get_by_test_id("check-in-submit")).to_have_count(0)
    await dialog.get_by_role("button", name="关闭").click()
    await screenshot(wang, "okr-read-only-desktop")
    await assert_no_serious_violations(wang)

    # 张伟 edits his department's; 李娜's is not his.
    zhang = await open_page("zhangwei", "/okr")
    await expect(card(zhang, "销售部拿下华东市场").get_by_test_id("edit-objective")).to_be_visible()
    await expect(card(zhang, "研发部按期交付 2.0 版本").get_by_test_id("edit-objective")
                 ).to_have_count(0)
    await expect(card(zhang, "全年营收增长 30%").get_by_test_id("edit-objective")).to_have_count(0)


async def test_objectives_and_key_results_are_made_from_their_dialogs(
        cast: Cast, open_page: OpenPage) -> None:
    seeded = await seed(cast)
    project = await make_project(cast.lina, "2.0 版本开发", visibility="company")
    await make_task(cast.lina, project, "登录改版", status="已完成")
    await make_task(cast.lina, project, "消息搜索")
    await make_task(cast.lina, project, "性能优化")
    await make_task(cast.lina, project, "安装包签名")
    li = await open_page("lina", "/okr")
    await expect(objective(li, "全年营收增长 30%")).to_be_visible()

    # 李娜 manages 研发部: she may set its objectives and her own, not the company's.
    await li.get_by_test_id("new-objective").click()
    dialog = li.get_by_role("dialog", name="新建目标")
    levels = dialog.get_by_role("radiogroup", name="目标层级").get_by_role("radio")
    await expect(levels).to_have_text(["部门", "个人"])
    await expect(dialog.get_by_role("radio", name="部门", exact=True)).to_be_checked()
    await dialog.get_by_test_id("objective-submit").click()
    await expect(dialog.get_by_text("请填写目标", exact=True)).to_be_visible()
    await expect(dialog.get_by_role("textbox", name="目标", exact=True)).to_be_focused()
    await dialog.get_by_role("textbox", name="目标", exact=True).fill("研发效率提升 20%")
    await dialog.get_by_label("说明").fill("缩短从需求到上线的时间")
    await dialog.get_by_test_id("objective-parent").select_option(label="公司 · 全年营收增长 30%")
    await expect(dialog.get_by_test_id("objective-department")).to_have_value(
        str(cast.departments["研发部"]))
    await screenshot(li, "okr-new-objective-desktop")
    await assert_no_serious_violations(li)
    await dialog.get_by_test_id("objective-submit").click()
    await expect(dialog).to_be_hidden()
    made = objective(li, "研发效率提升 20%")
    await expect(made.locator("xpath=ancestor::li[@data-testid='objective'][1]")
                 .locator("> .objective-card").get_by_test_id("objective-title")
                 ).to_have_text("全年营收增长 30%")
    await expect(card(li, "研发效率提升 20%").get_by_test_id("objective-department")
                 ).to_have_text("研发部")
    await expect(card(li, "研发效率提升 20%").get_by_test_id("objective-level")
                 ).to_have_text("部门")

    # A metric key result, then one counted from a project's tasks.
    await card(li, "研发效率提升 20%").get_by_test_id("add-key-result").click()
    dialog = li.get_by_role("dialog", name="添加关键结果")
    await dialog.get_by_role("textbox", name="关键结果", exact=True).fill(
        "平均交付周期缩短到 10 天")
    await dialog.get_by_label("起始值").fill("15")
    await dialog.get_by_label("目标值").fill("10")
    await dialog.get_by_label("单位").fill("天")
    await dialog.get_by_test_id("key-result-submit").click()
    await expect(dialog).to_be_hidden()
    await expect(key_result(li, "平均交付周期缩短到 10 天").get_by_test_id("kr-value")
                 ).to_have_text("15 / 10 天")
    await card(li, "研发效率提升 20%").get_by_test_id("add-key-result").click()
    dialog = li.get_by_role("dialog", name="添加关键结果")
    await dialog.get_by_role("textbox", name="关键结果", exact=True).fill("2.0 版本任务全部完成")
    await dialog.get_by_role("radio", name="关联任务").click()
    await dialog.get_by_role("checkbox", name="2.0 版本开发").check()
    await screenshot(li, "okr-new-key-result-desktop")
    await assert_no_serious_violations(li)
    await dialog.get_by_test_id("key-result-submit").click()
    await expect(dialog).to_be_hidden()
    tasks_kr = key_result(li, "2.0 版本任务全部完成")
    await expect(tasks_kr.get_by_test_id("kr-progress")).to_have_text("25%")
    await expect(tasks_kr.get_by_test_id("kr-value")).to_have_text("由关联任务自动计算")

    # Its check-in takes no value: the tasks count, named in the dialog.
    await tasks_kr.get_by_test_id("check-in").click()
    dialog = li.get_by_role("dialog", name="进度更新")
    await expect(dialog.get_by_test_id("check-in-auto")).to_contain_text("由关联任务自动计算")
    await expect(dialog.get_by_test_id("check-in-projects")).to_have_text("关联项目：2.0 版本开发")
    await expect(dialog.get_by_label("当前值")).to_have_count(0)
    await confidence_score(dialog, 5)
    await dialog.get_by_test_id("check-in-submit").click()
    await expect(dialog).to_be_hidden()
    confidence = tasks_kr.get_by_test_id("kr-confidence")
    await expect(confidence).to_have_text("信心指数 5")
    await expect(confidence).to_have_class(re.compile("tone-waiting"))

    # Edited: the title; the metric key result deleted (a second click confirms).
    await card(li, "研发效率提升 20%").get_by_test_id("edit-objective").click()
    dialog = li.get_by_role("dialog", name="编辑目标")
    await expect(dialog.get_by_test_id("objective-period")).to_be_disabled()
    await dialog.get_by_role("textbox", name="目标", exact=True).fill("研发效率提升 25%")
    await dialog.get_by_test_id("objective-submit").click()
    await expect(dialog).to_be_hidden()
    await expect(card(li, "研发效率提升 25%")).to_be_visible()
    await key_result(li, "平均交付周期缩短到 10 天").get_by_test_id("edit-key-result").click()
    dialog = li.get_by_role("dialog", name="编辑关键结果")
    await dialog.get_by_test_id("delete-key-result").click()
    await expect(dialog.get_by_test_id("delete-key-result")).to_have_text("确认删除")
    await dialog.get_by_test_id("delete-key-result").click()
    await expect(dialog).to_be_hidden()
    await expect(key_result(li, "平均交付周期缩短到 10 天")).to_have_count(0)
    stored = (await cast.lina.api.get("/api/v1/objectives", params={
        "period": seeded["period"], "department_id": cast.departments["研发部"]})).json()
    mine = next(o for o in stored["items"] if o["title"] == "研发效率提升 25%")
    assert mine["parent_id"] == seeded["company"]["id"]
    assert [kr["title"] for kr in mine["key_results"]] == ["2.0 版本任务全部完成"]
    assert mine["key_results"][0]["project_ids"] == [project["id"]]


async def test_empty_error_and_another_quarter(cast: Cast, open_page: OpenPage) -> None:
    zhang = await open_page("zhangwei", "/okr")
    await expect(zhang.get_by_test_id("okr-empty")).to_contain_text("还没有目标")
    await expect(zhang.get_by_test_id("new-objective-empty")).to_be_visible()
    await screenshot(zhang, "okr-empty-desktop")
    await assert_no_serious_violations(zhang)
    # A guest sets nothing: no button.
    alex = await open_page("alex", "/okr")
    await expect(alex.get_by_test_id("okr-empty")).to_contain_text("还没有目标")
    await expect(alex.get_by_test_id("new-objective-empty")).to_have_count(0)
    await expect(alex.get_by_test_id("new-objective")).to_have_count(0)

    # The server down: said, with 重试; back up, the tree is there.
    seeded = await seed(cast)
    await zhang.route("**/api/v1/objectives?*", unavailable())
    await zhang.reload()
    await expect(zhang.get_by_test_id("okr-error")).to_contain_text("服务暂时不可用")
    await assert_no_serious_violations(zhang)
    await zhang.unroute("**/api/v1/objectives?*")
    await zhang.get_by_test_id("okr-error").get_by_role("button", name="重试").click()
    await expect(objective(zhang, "销售部拿下华东市场")).to_be_visible()

    # Next quarter: its own (empty) tree, in the URL.
    period = seeded["period"]
    year, quarter = int(period[:4]), int(period[-1])
    following = f"{year + quarter // 4}-Q{quarter % 4 + 1}"
    await zhang.get_by_label("周期").select_option(following)
    await expect(zhang).to_have_url(re.compile(f"period={following}"))
    await expect(zhang.get_by_test_id("okr-empty")).to_be_visible()
    await make_objective(cast.zhangwei, "下季度：华南开拓", "department", following,
                         department_id=cast.departments["销售部"])
    await zhang.reload()
    await expect(objective(zhang, "下季度：华南开拓")).to_be_visible()
    await expect(objective(zhang, "销售部拿下华东市场")).to_have_count(0)


async def test_the_phone_tree_filters_and_a_notifications_deep_link(
        cast: Cast, open_page: OpenPage) -> None:
    seeded = await seed(cast)
    liu = await open_page("liuyang", f"/okr?objective={seeded['own']['id']}", viewport=PHONE)
    mine = objective(liu, "华东区签约 10 家新客户")
    await expect(mine).to_have_class(re.compile("highlighted"))
    await expect(mine).to_be_focused()
    await expect(mine).to_be_in_viewport()
    # One column, indented, nothing wider than the screen; the navigation fits its bar.
    assert await liu.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    nav = liu.get_by_role("navigation", name="主导航")
    await expect(nav.get_by_role("link", name="目标")).to_be_visible()
    # Every destination shows without scrolling the navigation's links (zh-CN).
    links = nav.locator(".nav-links")
    assert await links.evaluate("n => n.scrollWidth <= n.clientWidth")
    box = await card(liu, "华东区签约 10 家新客户").bounding_box()
    top = await card(liu, "全年营收增长 30%").bounding_box()
    assert box is not None
    assert top is not None
    assert box["x"] > top["x"]
    assert box["x"] + box["width"] <= PHONE["width"]
    await screenshot(liu, "okr-deep-link-phone")
    await assert_no_serious_violations(liu)

    # 我的: his objective and the one whose key result he owns, with what they serve.
    await liu.get_by_role("radio", name="我的", exact=True).click()
    await expect(liu).to_have_url(re.compile("filter=mine"))
    await expect(objective(liu, "华东区签约 10 家新客户")).to_be_visible()
    await expect(objective(liu, "销售部拿下华东市场")).not_to_have_class(re.compile("context"))
    await expect(objective(liu, "全年营收增长 30%")).to_have_class(re.compile("context"))
    await expect(objective(liu, "研发部按期交付 2.0 版本")).to_have_count(0)
    # 我的部门: 华东区 (below 销售部) — 销售部's own is above his, shown for context.
    await liu.get_by_role("radio", name="我的部门").click()
    await expect(objective(liu, "华东区签约 10 家新客户")).to_be_visible()
    await expect(objective(liu, "研发部按期交付 2.0 版本")).to_have_count(0)
    await liu.get_by_role("radio", name="全部").click()
    await expect(objective(liu, "研发部按期交付 2.0 版本")).to_be_visible()
    await liu.evaluate("window.scrollTo(0, 0)")
    await screenshot(liu, "okr-tree-phone")
    await assert_no_serious_violations(liu)

    # The check-in dialog on the phone.
    await key_result(liu, "新签客户 30 家").get_by_test_id("check-in").click()
    dialog = liu.get_by_role("dialog", name="进度更新")
    await expect(dialog.get_by_label("当前值")).to_be_visible()
    await screenshot(liu, "okr-check-in-phone")
    await assert_no_serious_violations(liu)


async def test_a_member_sets_only_their_own_and_a_refusal_is_said(
        cast: Cast, open_page: OpenPage) -> None:
    seeded = await seed(cast)
    lin = await open_live(open_page, "linxiaoyan", "/okr")
    liu = await open_page("liuyang", "/okr")
    await liu.get_by_test_id("new-objective").click()
    dialog = liu.get_by_role("dialog", name="新建目标")
    # 刘洋 manages nobody: a personal objective only, no department to choose.
    await expect(dialog.get_by_role("radiogroup", name="目标层级").get_by_role("radio")
                 ).to_have_text(["个人"])
    await expect(dialog.get_by_test_id("objective-department")).to_have_count(0)
    await dialog.get_by_role("textbox", name="目标", exact=True).fill("帮张伟定的目标")
    await dialog.get_by_test_id("people-search").fill("张伟")
    await dialog.get_by_role("checkbox", name=re.compile("张伟")).check()
    await expect(dialog.get_by_test_id("people-chips")).to_have_text(re.compile("张伟"))
    await dialog.get_by_test_id("objective-submit").click()
    # The server's 403, in its words, under the form; nothing made.
    await expect(dialog.get_by_role("alert")).to_contain_text("个人目标由本人或其上级制定")
    await expect(dialog).to_be_visible()
    await assert_no_serious_violations(liu)
    await dialog.get_by_role("button", name=re.compile("^移除")).first.click()
    await dialog.get_by_role("textbox", name="目标", exact=True).fill("拿下 3 个重点客户")
    await dialog.get_by_test_id("objective-parent").select_option(
        label="　部门 · 销售部拿下华东市场")
    await dialog.get_by_test_id("objective-submit").click()
    await expect(dialog).to_be_hidden()
    await expect(card(liu, "拿下 3 个重点客户").get_by_test_id("objective-owner")
                 ).to_contain_text("刘洋")
    # New to the tree: it shows in a colleague's browser without a reload, under 销售部's.
    made = objective(lin, "拿下 3 个重点客户")
    await expect(made).to_be_visible()
    await expect(made.locator("xpath=ancestor::li[@data-testid='objective'][1]")
                 .locator("> .objective-card").get_by_test_id("objective-title")
                 ).to_have_text("销售部拿下华东市场")
    titles = [o["title"] for o in (await cast.liuyang.api.get(
        "/api/v1/objectives", params={"period": seeded["period"]})).json()["items"]]
    assert "帮张伟定的目标" not in titles
