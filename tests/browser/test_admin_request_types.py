"""管理后台 → 工单类型 and 审批流程 in the browser: an administrator defines a request type
with its form (a select field, a required money field) and the filing page offers it with
that form; its SLA changed, with the client's and the server's refusals shown at the setting
they concern; a 会签 flow of two departments' managers defined and given to the type, read
back as a sentence and in the audit log. A department's manager manages their own
department's types; a member reaches neither page. At 1280x800 and 390x844, in zh-CN and
en, with loading, empty and error states."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from playwright.async_api import Locator, Page, Route, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot, unavailable
from tests.helpers import Cast

TYPES_PAGE = "/admin/request-types"
FLOWS_PAGE = "/admin/approval-flows"
PHONE: ViewportSize = {"width": 390, "height": 844}
TYPES = "/api/v1/request-types"
FLOWS = "/api/v1/approval-flows"


async def make_type(cast: Cast, name: str = "预算审批", department: str = "研发部",
                    **settings: Any) -> dict[str, Any]:
    response = await cast.linxiaoyan.api.post(TYPES, json={
        "name": name, "department_id": cast.departments[department],
        "fields": [{"key": "amount", "label": "金额", "type": "money", "required": True}],
        "response_sla_hours": 2, "resolution_sla_hours": 16, **settings})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def make_flow(cast: Cast, name: str = "合同会签") -> dict[str, Any]:
    response = await cast.linxiaoyan.api.post(FLOWS, json={"name": name, "steps": [
        {"mode": "all", "approvers": [{"manager_of": cast.departments["研发部"]},
                                      {"manager_of": cast.departments["客服部"]}]}]})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def type_row(page: Page, name: str) -> Locator:
    return page.locator(f'[data-type-name="{name}"]')


def field_card(dialog: Locator, number: int) -> Locator:
    return dialog.get_by_role("list", name="表单字段").locator(":scope > li").nth(number - 1)


def section(page: Page, name: str) -> Locator:
    """A link of the admin area's own navigation."""
    return page.get_by_role("navigation", name="管理分区").get_by_role("link", name=name)


async def no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


async def test_an_admin_defines_a_type_that_the_filing_page_then_offers(
        cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("linxiaoyan", "/admin/users")
    await section(page, "工单类型").click()
    await expect(page).to_have_url(re.compile(f"{TYPES_PAGE}$"))
    await expect(page.get_by_test_id("types-empty")).to_contain_text("还没有工单类型")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-request-types-empty")

    await page.get_by_test_id("new-type").click()
    dialog = page.get_by_role("dialog", name="新建工单类型")
    await dialog.get_by_role("textbox", name="名称", exact=True).fill("预算审批")
    await dialog.get_by_label("受理部门").select_option(label="研发部")
    await dialog.get_by_label("说明").fill("年度预算外的支出，需财务评估")
    await dialog.get_by_label("响应时限").fill("2")
    await dialog.get_by_label("解决时限").fill("16")
    await dialog.get_by_role("radio", name="轮流分配").click()
    await expect(dialog.get_by_test_id("no-fields")).to_be_visible()

    # A required money field: its key follows the type, as the label is Chinese.
    await dialog.get_by_role("button", name="添加字段").click()
    first = field_card(dialog, 1)
    await expect(first.get_by_label("名称")).to_be_focused()
    await first.get_by_label("名称").fill("预算金额")
    await first.get_by_label("类型").select_option(label="金额")
    await expect(first.get_by_label("标识")).to_have_value("amount")
    await first.get_by_label("必填").check()
    # A select field with its options; its key typed by hand.
    await dialog.get_by_role("button", name="添加字段").click()
    second = field_card(dialog, 2)
    await second.get_by_label("名称").fill("季度")
    await second.get_by_label("类型").select_option(label="单选")
    await expect(second.get_by_label("标识")).to_have_value("choice")
    await second.get_by_label("标识").fill("quarter")
    await second.get_by_label("选项").fill("Q1\nQ2\n\nQ3\nQ4\n")
    # A third, then taken out again; and the select moved first.
    await dialog.get_by_role("button", name="添加字段").click()
    await field_card(dialog, 3).get_by_label("名称").fill("Cost center")
    await expect(field_card(dialog, 3).get_by_label("标识")).to_have_value("cost_center")
    await dialog.get_by_role("button", name="删除“Cost center”").click()
    await dialog.get_by_role("button", name="上移“季度”").click()
    await expect(field_card(dialog, 1).get_by_label("名称")).to_have_value("季度")
    await expect(dialog.get_by_role("button", name="下移“季度”")).to_be_focused()
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-request-types-editor")

    await dialog.get_by_role("button", name="创建").click()
    await expect(dialog).to_have_count(0)
    await expect(page.get_by_role("status").filter(has_text="已创建工单类型“预算审批”。")
                 ).to_be_visible()
    row = type_row(page, "预算审批")
    await expect(row).to_contain_text("研发部")
    await expect(row).to_contain_text("响应 2 小时 · 解决 16 小时")
    await expect(row).to_contain_text("无需审批")
    await expect(row).to_contain_text("轮流分配")
    await expect(row).to_contain_text("2 个字段")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-request-types-list")

    found = (await cast.linxiaoyan.api.get(TYPES)).json()["items"]
    assert len(found) == 1
    assert found[0]["fields"] == [
        {"key": "quarter", "label": "季度", "type": "select", "required": False,
         "options": ["Q1", "Q2", "Q3", "Q4"]},
        {"key": "amount", "label": "预算金额", "type": "money", "required": True,
         "options": None}]
    assert (found[0]["department_id"], found[0]["assignment"], found[0]["description"]) == (
        cast.departments["研发部"], "round_robin", "年度预算外的支出，需财务评估")

    # The filing page offers the type with that form (the same visit: no reload needed).
    await page.goto(page.url.split("/admin")[0] + "/requests/new")
    await page.get_by_label("受理部门").select_option(label="研发部")
    await page.get_by_role("radio", name=re.compile("预算审批")).check()
    await expect(page.locator("label.type-card", has_text="预算审批")).to_contain_text(
        "2 小时内响应，16 小时内解决")
    form = page.get_by_test_id("request-form")
    await expect(form.get_by_label("季度")).to_be_visible()
    assert await form.get_by_label("季度").locator("option").all_inner_texts() == [
        "请选择", "Q1", "Q2", "Q3", "Q4"]
    await form.get_by_label("标题").fill("Q3 客户演示环境扩容")
    await page.get_by_test_id("submit-request").click()
    await expect(form.get_by_text("请填写预算金额")).to_be_visible()
    await form.get_by_label("预算金额").fill("12500")
    await form.get_by_label("季度").select_option("Q3")
    await page.get_by_test_id("submit-request").click()
    await expect(page).to_have_url(re.compile(r"/requests/\d+$"))
    filed = (await cast.linxiaoyan.api.get("/api/v1/requests", params={"box": "mine"})).json()
    assert filed["items"][0]["values"] == {"amount": "12500.00", "quarter": "Q3"}


async def test_an_admin_changes_the_sla_and_refusals_show_at_their_setting(
        cast: Cast, open_page: OpenPage) -> None:
    made = await make_type(cast)
    page = await open_page("linxiaoyan", TYPES_PAGE)
    row = type_row(page, "预算审批")
    await row.get_by_role("button", name="编辑 预算审批").click()
    dialog = page.get_by_role("dialog", name="编辑：预算审批")
    await expect(dialog.get_by_label("响应时限")).to_have_value("2")
    await expect(dialog.get_by_label("受理部门")).to_be_disabled()
    # A saved field keeps its key.
    await expect(field_card(dialog, 1).get_by_label("标识")).to_have_attribute("readonly", "")

    # The resolution shorter than the response, and a response of 0: said at each, nothing sent.
    await dialog.get_by_label("解决时限").fill("1")
    await dialog.get_by_role("button", name="保存").click()
    resolution = dialog.get_by_label("解决时限")
    await expect(resolution).to_have_attribute("aria-invalid", "true")
    await expect(dialog.locator("#type-resolution_sla_hours-error")).to_have_text(
        "解决时限不能短于响应时限")
    await expect(resolution).to_be_focused()
    await dialog.get_by_label("响应时限").fill("0")
    await expect(dialog.locator("#type-response_sla_hours-error")).to_have_text(
        "请输入大于 0、不超过 2000 的小时数")
    await expect(dialog.get_by_role("alert").first).to_have_text("请修改标出的内容后再保存。")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-request-types-refused")
    assert (await cast.linxiaoyan.api.get(f"{TYPES}/{made['id']}")).json()[
        "response_sla_hours"] == 2

    await dialog.get_by_label("响应时限").fill("4")
    await dialog.get_by_label("解决时限").fill("24.5")
    await dialog.get_by_role("button", name="保存").click()
    await expect(dialog).to_have_count(0)
    await expect(row).to_contain_text("响应 4 小时 · 解决 24.5 小时")
    saved = (await cast.linxiaoyan.api.get(f"{TYPES}/{made['id']}")).json()
    assert (saved["response_sla_hours"], saved["resolution_sla_hours"]) == (4, 24.5)

    # What only the server knows (the department has a type of that name) shows at the name.
    await page.get_by_test_id("new-type").click()
    dialog = page.get_by_role("dialog", name="新建工单类型")
    await dialog.get_by_role("textbox", name="名称", exact=True).fill("预算审批")
    await dialog.get_by_label("受理部门").select_option(label="研发部")
    await dialog.get_by_role("button", name="创建").click()
    await expect(dialog.locator("#type-name-error")).to_have_text("该部门已有同名的工单类型。")
    await expect(dialog.get_by_role("textbox", name="名称", exact=True)).to_be_focused()
    await dialog.get_by_role("textbox", name="名称", exact=True).fill("预算追加")
    await expect(dialog.locator("#type-name-error")).to_have_count(0)
    await dialog.get_by_role("button", name="创建").click()
    await expect(dialog).to_have_count(0)
    await expect(type_row(page, "预算追加")).to_contain_text("响应 4 小时 · 解决 16 小时")

    # Archived: out of the list (and the filing form) until shown again.
    await type_row(page, "预算追加").get_by_role("button", name="编辑 预算追加").click()
    await page.get_by_role("dialog", name="编辑：预算追加").get_by_role(
        "button", name="停用").click()
    await expect(page.get_by_role("status").filter(has_text="已停用工单类型“预算追加”。")
                 ).to_be_visible()
    await expect(type_row(page, "预算追加")).to_have_count(0)
    await page.get_by_label("显示已停用的（1）").check()
    await expect(type_row(page, "预算追加")).to_contain_text("已停用")


async def test_a_countersign_flow_of_two_managers_is_given_to_a_type(
        cast: Cast, open_page: OpenPage) -> None:
    made = await make_type(cast)
    page = await open_page("linxiaoyan", FLOWS_PAGE)
    await expect(page.get_by_test_id("flows-empty")).to_contain_text("还没有审批流程")
    await page.get_by_test_id("new-flow").click()
    dialog = page.get_by_role("dialog", name="新建审批流程")
    await dialog.get_by_label("名称").fill("合同会签")
    step = dialog.locator("[data-step='1']")
    # Two managers in a single-approver step: said at once.
    managers = step.get_by_label("添加部门负责人")
    await managers.select_option(label="研发部")
    await step.get_by_role("button", name="添加", exact=True).click()
    await managers.select_option(label="客服部")
    await step.get_by_role("button", name="添加", exact=True).click()
    await expect(step.get_by_test_id("step-error")).to_have_text(
        "单人审批只能有一位审批人；多人审批请选择或签或会签")
    await step.get_by_role("radio", name="会签").click()
    await expect(step.get_by_test_id("step-error")).to_have_count(0)
    await expect(dialog.get_by_test_id("flow-preview")).to_contain_text(
        "研发部负责人 + 客服部负责人（会签）")
    # A second step for one person, then taken out again.
    await dialog.get_by_role("button", name="添加一步").click()
    second = dialog.locator("[data-step='2']")
    await expect(second.get_by_label("添加成员")).to_be_focused()
    await second.get_by_label("添加成员").fill("周建国")
    await second.get_by_role("button", name=re.compile("周建国")).click()
    await expect(dialog.get_by_test_id("flow-preview")).to_contain_text(
        "研发部负责人 + 客服部负责人（会签） → 周建国")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-approval-flows-editor")
    await dialog.get_by_role("button", name="删除第 2 步").click()
    await dialog.get_by_role("button", name="创建").click()
    await expect(dialog).to_have_count(0)
    row = page.locator("[data-flow-id]").filter(has_text="合同会签")
    await expect(row).to_contain_text("研发部负责人 + 客服部负责人（会签）")
    await expect(row).to_contain_text("未被使用")
    flows = (await cast.linxiaoyan.api.get(FLOWS)).json()["items"]
    assert [f["steps"] for f in flows] == [[{"mode": "all", "approvers": [
        {"user_id": None, "manager_of": cast.departments["研发部"]},
        {"user_id": None, "manager_of": cast.departments["客服部"]}]}]]
    await screenshot(page, "admin-approval-flows-list")

    # The type takes it.
    await section(page, "工单类型").click()
    await type_row(page, "预算审批").get_by_role("button", name="编辑 预算审批").click()
    dialog = page.get_by_role("dialog", name="编辑：预算审批")
    await dialog.get_by_label("审批流程").select_option(label="合同会签")
    await expect(dialog.get_by_test_id("flow-summary")).to_have_text(
        "研发部负责人 + 客服部负责人（会签）")
    await dialog.get_by_role("button", name="保存").click()
    await expect(dialog).to_have_count(0)
    await expect(type_row(page, "预算审批")).to_contain_text("合同会签")
    await expect(type_row(page, "预算审批")).to_contain_text("研发部负责人 + 客服部负责人（会签）")
    saved = (await cast.linxiaoyan.api.get(f"{TYPES}/{made['id']}")).json()
    assert saved["approval_flow_id"] == flows[0]["id"]

    # The flow now says who uses it; the audit log, what was done.
    await section(page, "审批流程").click()
    await expect(page.locator("[data-flow-id]").filter(has_text="合同会签")).to_contain_text(
        "预算审批")
    await section(page, "审计日志").click()
    changed = page.locator("tr[data-action='request_type.updated']").first
    await expect(changed).to_contain_text("修改工单类型")
    await expect(changed).to_contain_text("预算审批")
    await expect(changed).to_contain_text("修改了：审批流程")
    created = page.locator("tr[data-action='approval_flow.created']")
    await expect(created).to_contain_text("新建审批流程")
    await expect(created.get_by_role("link", name="合同会签")).to_be_visible()
    await screenshot(page, "admin-request-types-audit")
    await changed.get_by_role("link", name="预算审批").click()
    await expect(page.get_by_role("dialog", name="编辑：预算审批")).to_be_visible()


async def test_a_department_manager_manages_their_departments_types(
        cast: Cast, open_page: OpenPage) -> None:
    await make_type(cast, "客户投诉升级", "客服部")
    await make_flow(cast)
    page = await open_page("lina", "/requests")
    await page.get_by_role("link", name="工单类型设置").click()
    await expect(page).to_have_url(re.compile(f"{TYPES_PAGE}$"))
    sections = page.get_by_role("navigation", name="管理分区")
    await expect(sections.get_by_role("link")).to_have_text(["工单类型"])
    await expect(page.get_by_test_id("types-empty")).to_be_visible()  # 客服部's is not hers
    await page.get_by_test_id("new-type").click()
    dialog = page.get_by_role("dialog", name="新建工单类型")
    # Her one department is the receiving one; flows are there to pick, not to manage.
    await expect(dialog.get_by_label("受理部门")).to_have_value(str(cast.departments["研发部"]))
    assert await dialog.get_by_label("受理部门").locator("option").all_inner_texts() == [
        "请选择部门", "研发部"]
    await expect(dialog.get_by_role("link", name="管理审批流程")).to_have_count(0)
    await dialog.get_by_role("textbox", name="名称", exact=True).fill("IT 支持")
    await dialog.get_by_label("审批流程").select_option(label="合同会签")
    await dialog.get_by_role("button", name="创建").click()
    await expect(dialog).to_have_count(0)
    await expect(type_row(page, "IT 支持")).to_contain_text("研发部")
    await assert_no_serious_violations(page)
    made = [t for t in (await cast.lina.api.get(TYPES)).json()["items"] if t["name"] == "IT 支持"]
    assert made[0]["department_id"] == cast.departments["研发部"]
    # The flows' page is the administrators'.
    await page.goto(page.url.replace(TYPES_PAGE, FLOWS_PAGE))
    await expect(page).to_have_url(re.compile(r"/people$"))


async def test_members_reach_neither_page(cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("liuyang", "/requests")
    await expect(page.get_by_test_id("new-request")).to_be_visible()
    await expect(page.get_by_role("link", name="工单类型设置")).to_have_count(0)
    for path in (TYPES_PAGE, FLOWS_PAGE):
        await page.goto(page.url.split("/requests")[0].split("/people")[0] + path)
        await expect(page).to_have_url(re.compile(r"/people$"))
        await expect(page.get_by_role("heading", name="工单类型")).to_have_count(0)
    # The browser's own session may not write them either.
    status = await page.evaluate("""(id) => fetch('/api/v1/request-types', {
        method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token':
        document.cookie.match(/xietong_csrf=([^;]+)/)[1]},
        body: JSON.stringify({name: 'x', department_id: id, response_sla_hours: 1,
                              resolution_sla_hours: 2})}).then(r => r.status)""",
                                 cast.departments["研发部"])
    assert status == 403


async def test_on_a_phone(cast: Cast, open_page: OpenPage) -> None:
    await make_type(cast, approval_flow_id=(await make_flow(cast))["id"],
                    description="年度预算外的支出，需财务评估")
    await make_type(cast, "IT 支持", "客服部")
    page = await open_page("linxiaoyan", TYPES_PAGE, viewport=PHONE)
    row = type_row(page, "预算审批")
    await expect(row).to_contain_text("研发部负责人 + 客服部负责人（会签）")
    await no_sideways_scroll(page)
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-request-types-phone")
    await row.get_by_role("button", name="编辑 预算审批").click()
    dialog = page.get_by_role("dialog", name="编辑：预算审批")
    await dialog.get_by_role("button", name="添加字段").click()
    await field_card(dialog, 2).get_by_label("名称").fill("季度")
    await field_card(dialog, 2).get_by_label("类型").select_option(label="单选")
    await expect(dialog.get_by_role("button", name="保存")).to_be_in_viewport(ratio=1)
    await no_sideways_scroll(page)
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-request-types-phone-editor")
    await dialog.get_by_role("button", name="取消").click()

    page = await open_page("linxiaoyan", FLOWS_PAGE, viewport=PHONE)
    await expect(page.locator("[data-flow-id]")).to_contain_text("预算审批")
    await no_sideways_scroll(page)
    await screenshot(page, "admin-approval-flows-phone")
    await page.get_by_role("button", name="编辑 合同会签").click()
    dialog = page.get_by_role("dialog", name="编辑：合同会签")
    await expect(dialog.get_by_text("正在使用的流程不能停用")).to_be_visible()
    await expect(dialog.get_by_role("button", name="保存")).to_be_in_viewport(ratio=1)
    await no_sideways_scroll(page)
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-approval-flows-phone-editor")
    # Archiving it anyway: the server refuses, and the dialog says why.
    await dialog.get_by_role("button", name="停用").click()
    await expect(dialog.get_by_role("alert")).to_contain_text("还有工单类型在使用这个审批流程")
    await expect(dialog).to_be_visible()


async def test_loading_and_failing_are_shown(cast: Cast, open_page: OpenPage) -> None:
    await make_type(cast)
    page = await open_page("linxiaoyan", "/admin/users")
    answer = asyncio.Event()

    async def slow(route: Route) -> None:
        await answer.wait()
        await route.continue_()

    await page.route("**/api/v1/request-types*", slow)
    await section(page, "工单类型").click()
    await expect(page.get_by_role("status").filter(has_text="正在加载工单类型…")).to_be_visible()
    answer.set()
    await expect(type_row(page, "预算审批")).to_be_visible()
    await page.unroute("**/api/v1/request-types*")

    await page.route("**/api/v1/request-types*", unavailable())
    await page.reload()
    await expect(page.get_by_role("alert")).to_have_text("服务暂时不可用")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-request-types-error")
    await page.unroute("**/api/v1/request-types*")
    await page.get_by_role("button", name="重试").click()
    await expect(type_row(page, "预算审批")).to_be_visible()

    await page.route("**/api/v1/approval-flows*", unavailable())
    await page.goto(page.url.replace(TYPES_PAGE, FLOWS_PAGE))
    await expect(page.get_by_role("alert")).to_have_text("服务暂时不可用")
    await page.unroute("**/api/v1/approval-flows*")
    await page.get_by_role("button", name="重试").click()
    await expect(page.get_by_test_id("flows-empty")).to_be_visible()


async def test_the_pages_speak_english_too(cast: Cast, open_page: OpenPage) -> None:
    await make_type(cast, approval_flow_id=(await make_flow(cast))["id"])
    page = await open_page("linxiaoyan", TYPES_PAGE, locale="en-US")
    sections = page.get_by_role("navigation", name="Admin sections")
    await expect(sections.get_by_role("link", name="Request types")).to_be_visible()
    row = type_row(page, "预算审批")
    await expect(row).to_contain_text("Respond 2 h · resolve 16 h")
    await expect(row).to_contain_text("研发部 manager + 客服部 manager (all approve)")
    await row.get_by_role("button", name="Edit 预算审批").click()
    dialog = page.get_by_role("dialog", name="Edit: 预算审批")
    await expect(dialog.get_by_label("Response within")).to_have_value("2")
    await expect(dialog.get_by_role("radio", name="Manager assigns")).to_be_checked()
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-request-types-en")
    await dialog.get_by_role("button", name="Cancel").click()
    await sections.get_by_role("link", name="Approval flows").click()
    await page.get_by_role("button", name="Edit 合同会签").click()
    dialog = page.get_by_role("dialog", name="Edit: 合同会签")
    await expect(dialog.get_by_role("radio", name="All")).to_be_checked()
    await expect(dialog.get_by_test_id("flow-preview")).to_contain_text(
        "研发部 manager + 客服部 manager (all approve)")
    await assert_no_serious_violations(page)
