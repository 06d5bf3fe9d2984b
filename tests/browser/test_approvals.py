"""The approval inbox in the browser: a task arriving live in 待我审批 (and the navigation's
count), approving it from the row (it moves to 我已审批, the requester's page follows each
step and the request moves on), rejecting and returning only with a reason, 会签 waiting for
every approver (加签 adding one more), a decision meeting a task another approver made
unnecessary (409, said in the dialog), someone with nothing to approve, the delegate while
away, and the phone layout."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.browser.test_requests import file_request, make_type, open_live
from tests.helpers import Cast, Person
from xietong.core.clock import utcnow

PHONE: ViewportSize = {"width": 390, "height": 844}
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the company's time zone (the settings' default)
APPROVALS = "/api/v1/approvals"


async def make_flow(cast: Cast, name: str, *steps: dict[str, Any]) -> int:
    response = await cast.linxiaoyan.api.post("/api/v1/approval-flows",
                                              json={"name": name, "steps": list(steps)})
    assert response.status_code == 201, response.text
    flow_id: int = response.json()["id"]
    return flow_id


def manager_of(cast: Cast, department: str | None = None) -> dict[str, Any]:
    """The managers of `department` (None: of the requester's own)."""
    return {"manager_of": cast.departments[department] if department else "requester_department"}


async def approval_type(cast: Cast, name: str, *steps: dict[str, Any],
                        department: str = "总经办") -> int:
    """A request type received by `department` whose requests go through a flow of `steps`."""
    flow_id = await make_flow(cast, name, *steps)
    made = await make_type(cast, name, department, approval_flow_id=flow_id,
                           description=f"{name}，审批通过后由{department}办理")
    type_id: int = made["id"]
    return type_id


async def todo(person: Person) -> list[dict[str, Any]]:
    response = await person.api.get(APPROVALS, params={"box": "todo"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def row_of(page: Page, title: str) -> Locator:
    return page.get_by_test_id("approval-row").filter(has_text=title)


def decide_button(scope: Page | Locator, name: str) -> Locator:
    return scope.get_by_test_id("approval-actions").get_by_role("button", name=name, exact=True)


def dialog(page: Page) -> Locator:
    return page.locator("dialog[open]")


def box_tab(page: Page, name: str) -> Locator:
    return page.get_by_role("radiogroup", name="审批分类").get_by_role(
        "radio", name=re.compile(f"^{name}"))


def step(page: Page, number: int) -> Locator:
    return page.get_by_test_id("approval-steps").locator(f"[data-step='{number}']")


def approver(page: Page, number: int, person: Person) -> Locator:
    return step(page, number).locator(f"[data-user-id='{person.id}']")


async def test_an_approver_approves_and_the_request_moves_on(cast: Cast,
                                                             open_page: OpenPage) -> None:
    budget = await approval_type(
        cast, "预算审批", {"mode": "one", "approvers": [manager_of(cast)]},
        {"mode": "one", "approvers": [{"user_id": cast.wangfang.id}]})
    # 张伟 (刘洋's manager) watches his inbox; nothing waits for him yet.
    zhang = await open_live(open_page, "zhangwei", "/approvals")
    await expect(zhang.get_by_test_id("approvals-empty")).to_contain_text("没有待你审批的事项")
    await expect(zhang.get_by_test_id("nav-approvals")).to_have_count(0)

    filed = await file_request(cast.liuyang, budget, "华东区 Q3 市场活动预算 8 万元")
    # It arrives without a reload: the row, the navigation's count, the tab's count.
    row = row_of(zhang, "华东区 Q3 市场活动预算 8 万元")
    await expect(row).to_be_visible()
    await expect(row).to_contain_text(filed["number"])
    await expect(row).to_contain_text("预算审批")
    await expect(row).to_contain_text("刘洋")
    await expect(row).to_contain_text("华东区")
    await expect(row.get_by_test_id("approval-step")).to_have_text("第 1/2 步")
    await expect(row).to_contain_text("送达")
    await expect(zhang.get_by_test_id("nav-approvals")).to_have_text("1")
    await expect(box_tab(zhang, "待我审批")).to_have_text("待我审批（1）")
    await screenshot(zhang, "approvals-todo-desktop")
    await assert_no_serious_violations(zhang)

    # 刘洋 follows his request's page.
    liu = await open_live(open_page, "liuyang", f"/requests/{filed['id']}")
    await expect(liu.get_by_test_id("request-approval-status")).to_have_text("审批中")
    await expect(approver(liu, 1, cast.zhangwei)).to_contain_text("待审批")
    await expect(approver(liu, 2, cast.wangfang)).to_contain_text("未开始")
    await expect(liu.get_by_test_id("request-approval").get_by_test_id("approval-actions")
                 ).to_have_count(0)

    # Approved from the row, with a comment: out of 待我审批, into 我已审批.
    await decide_button(row, "同意").click()
    await expect(dialog(zhang)).to_be_visible()
    await dialog(zhang).get_by_label("审批意见").fill("同意，注意控制物料成本")
    await screenshot(zhang, "approvals-approve-dialog-desktop")
    await dialog(zhang).get_by_role("button", name="同意").click()
    await expect(dialog(zhang)).to_have_count(0)
    await expect(row).to_have_count(0)
    await expect(zhang.get_by_test_id("approvals-announcement")).to_contain_text("已同意")
    await expect(zhang.get_by_test_id("approvals-empty")).to_be_visible()
    await expect(zhang.get_by_test_id("nav-approvals")).to_have_count(0)
    await box_tab(zhang, "我已审批").click()
    await expect(zhang).to_have_url(re.compile(r"/approvals\?box=done$"))
    done = row_of(zhang, "华东区 Q3 市场活动预算 8 万元")
    await expect(done.get_by_test_id("approval-decision")).to_have_text("已同意")
    await expect(done.get_by_test_id("approval-status")).to_have_text("审批中")
    await expect(done).to_contain_text("我的意见：同意，注意控制物料成本")
    await screenshot(zhang, "approvals-done-desktop")

    # 刘洋's page moved on by itself: step 1 approved with the comment, step 2 with 王芳.
    await expect(approver(liu, 1, cast.zhangwei)).to_contain_text("已同意")
    await expect(approver(liu, 1, cast.zhangwei)).to_contain_text("同意，注意控制物料成本")
    await expect(approver(liu, 2, cast.wangfang)).to_contain_text("待审批")
    await expect(liu.get_by_test_id("request-status")).to_have_text("待受理")

    # 王芳 decides on the request's page itself.
    wang = await open_live(open_page, "wangfang", f"/requests/{filed['id']}")
    card = wang.get_by_test_id("request-approval")
    await expect(card).to_contain_text("需要你审批")
    await screenshot(wang, "approvals-request-detail-approver-desktop")
    await assert_no_serious_violations(wang)
    await decide_button(card, "同意").click()
    await dialog(wang).get_by_role("button", name="同意").click()
    await expect(card.get_by_test_id("approval-actions")).to_have_count(0)
    await expect(wang.get_by_test_id("request-approval-status")).to_have_text("已通过")
    # Approved: the request is resolved, waiting for its requester, who sees it live.
    await expect(liu.get_by_test_id("request-approval-status")).to_have_text("已通过")
    await expect(liu.get_by_test_id("request-status")).to_have_text("待确认")
    await expect(liu.get_by_test_id("request-timeline")).to_contain_text("审批通过")
    await screenshot(liu, "approvals-request-detail-requester-desktop")

    # 刘洋's 我发起的.
    await liu.goto(liu.url.split("/requests")[0] + "/approvals?box=mine")
    mine = row_of(liu, "华东区 Q3 市场活动预算 8 万元")
    await expect(mine.get_by_test_id("approval-status")).to_have_text("已通过")
    await expect(mine.get_by_test_id("approval-step")).to_have_text("第 2/2 步")


async def test_rejecting_and_returning_need_a_reason(cast: Cast, open_page: OpenPage) -> None:
    budget = await approval_type(cast, "预算审批", {"mode": "one", "approvers": [manager_of(cast)]})
    rejected = await file_request(cast.liuyang, budget, "年会场地预订 12 万元")
    returned = await file_request(cast.liuyang, budget, "展会展台搭建费用")
    zhang = await open_page("zhangwei", "/approvals")
    liu = await open_live(open_page, "liuyang", f"/requests/{rejected['id']}")

    row = row_of(zhang, "年会场地预订 12 万元")
    await decide_button(row, "拒绝").click()
    reason = dialog(zhang).get_by_label("拒绝理由")
    await expect(dialog(zhang)).to_contain_text("拒绝后审批结束，工单将被驳回。")
    await reason.fill("   ")
    await dialog(zhang).get_by_role("button", name="拒绝").click()
    await expect(dialog(zhang).get_by_text("请填写拒绝理由")).to_be_visible()
    await expect(reason).to_have_attribute("aria-invalid", "true")
    await screenshot(zhang, "approvals-reject-reason-required-desktop")
    # Nothing was sent: both still wait for 张伟.
    assert len(await todo(cast.zhangwei)) == 2
    await reason.fill("今年年会改为线上，场地预算取消")
    await dialog(zhang).get_by_role("button", name="拒绝").click()
    await expect(row).to_have_count(0)
    # The requester learns why, and the request is rejected with it.
    await expect(liu.get_by_test_id("request-approval-status")).to_have_text("已拒绝")
    await expect(approver(liu, 1, cast.zhangwei)).to_contain_text("今年年会改为线上，场地预算取消")
    await expect(liu.get_by_test_id("request-status")).to_have_text("已驳回")

    # Returning asks what to change, just as firmly.
    row = row_of(zhang, "展会展台搭建费用")
    await decide_button(row, "退回").click()
    await dialog(zhang).get_by_role("button", name="退回").click()
    await expect(dialog(zhang).get_by_text("请填写需要修改的内容")).to_be_visible()
    assert [i["approval"]["title"] for i in await todo(cast.zhangwei)] == ["展会展台搭建费用"]
    await dialog(zhang).get_by_label("需要修改的内容").fill("请补充三家搭建商的比价单")
    await dialog(zhang).get_by_role("button", name="退回").click()
    await expect(zhang.get_by_test_id("approvals-empty")).to_be_visible()
    shown = (await cast.liuyang.api.get(f"/api/v1/requests/{returned['id']}")).json()
    assert (shown["status"], shown["approval"]["status"]) == ("waiting", "returned")
    await box_tab(zhang, "我已审批").click()
    await expect(row_of(zhang, "展会展台搭建费用").get_by_test_id("approval-decision")
                 ).to_have_text("已退回")
    await expect(row_of(zhang, "年会场地预订 12 万元").get_by_test_id("approval-decision")
                 ).to_have_text("已拒绝")


async def test_a_countersign_needs_every_approver(cast: Cast, open_page: OpenPage) -> None:
    engineer = await cast.add_person("zhaolei", "赵磊", departments=("研发部",), title="工程师")
    contract = await approval_type(cast, "合同会签", {"mode": "all", "approvers": [
        manager_of(cast, "销售部"), manager_of(cast, "客服部")]}, department="研发部")
    filed = await file_request(engineer, contract, "与恒达电子的年度维保合同")
    zhao = await open_live(open_page, "zhaolei", f"/requests/{filed['id']}")
    await expect(step(zhao, 1)).to_contain_text("会签")
    zhang = await open_page("zhangwei", "/approvals")
    row = row_of(zhang, "与恒达电子的年度维保合同")
    await expect(row.get_by_test_id("approval-step")).to_have_text("第 1/1 步 · 会签")
    await expect(row).to_contain_text("赵磊")
    await expect(row).to_contain_text("研发部")
    await decide_button(row, "同意").click()
    await dialog(zhang).get_by_role("button", name="同意").click()
    await expect(row).to_have_count(0)
    # One signature of two: the step and the request wait for 王芳.
    await expect(approver(zhao, 1, cast.zhangwei)).to_contain_text("已同意")
    await expect(approver(zhao, 1, cast.wangfang)).to_contain_text("待审批")
    await expect(zhao.get_by_test_id("request-approval-status")).to_have_text("审批中")
    await expect(zhao.get_by_test_id("request-status")).not_to_have_text("待确认")

    # 王芳 adds 李娜 (加签): in a 会签 step she must approve too. First the requester, whom
    # the server refuses, and says why.
    wang = await open_live(open_page, "wangfang", "/approvals")
    row = row_of(wang, "与恒达电子的年度维保合同")
    await decide_button(row, "加签").click()
    add = dialog(wang)
    await expect(add).to_contain_text("这一步是会签")
    await add.get_by_role("button", name="加签").click()
    await expect(add.get_by_text("请选择加签人")).to_be_visible()
    await add.get_by_label("加签人").fill("赵磊")
    await add.get_by_role("button", name=re.compile("赵磊")).click()
    await add.get_by_role("button", name="加签").click()
    await expect(add.get_by_role("alert")).to_contain_text("申请人不能审批自己的申请")
    await add.get_by_role("button", name=re.compile("清除人员")).click()
    await add.get_by_label("加签人").fill("李娜")
    await add.get_by_role("button", name=re.compile("李娜")).click()
    await add.get_by_label("加签说明").fill("涉及研发交付条款，请把关")
    await screenshot(wang, "approvals-add-approver-desktop")
    await add.get_by_role("button", name="加签").click()
    await expect(add).to_have_count(0)
    await expect(wang.get_by_test_id("approvals-announcement")).to_contain_text("已加签 李娜")
    await expect(approver(zhao, 1, cast.lina)).to_contain_text("王芳 加签")
    await decide_button(row, "同意").click()
    await dialog(wang).get_by_role("button", name="同意").click()
    await expect(row).to_have_count(0)
    await expect(zhao.get_by_test_id("request-approval-status")).to_have_text("审批中")

    # 李娜's inbox says who added her and why; hers is the last signature.
    lina = await open_page("lina", "/approvals")
    row = row_of(lina, "与恒达电子的年度维保合同")
    await expect(row).to_contain_text("王芳 加签：涉及研发交付条款，请把关")
    await decide_button(row, "同意").click()
    await dialog(lina).get_by_role("button", name="同意").click()
    await expect(zhao.get_by_test_id("request-approval-status")).to_have_text("已通过")
    await expect(zhao.get_by_test_id("request-status")).to_have_text("待确认")
    # What he may do follows: confirm it (or reopen), no longer accept it.
    actions = zhao.get_by_test_id("request-actions")
    await expect(actions.get_by_role("button", name="确认关闭")).to_be_visible()
    await expect(actions.get_by_role("button", name="受理")).to_have_count(0)
    await screenshot(zhao, "approvals-countersign-done-desktop")


async def test_a_task_another_approver_made_unnecessary(cast: Cast,
                                                        open_page: OpenPage) -> None:
    """或签: 王芳 approves two purchases 张伟 could approve too. The row he is not acting on
    says so in place; the one whose dialog he has open keeps it, his decision is refused
    and the dialog says why; closing it, the box loads again without it."""
    purchase = await approval_type(cast, "采购审批", {"mode": "any", "approvers": [
        {"user_id": cast.zhangwei.id}, {"user_id": cast.wangfang.id}]})
    await file_request(cast.liuyang, purchase, "采购 20 台笔记本电脑")
    await file_request(cast.liuyang, purchase, "采购投影仪两台")
    zhang = await open_live(open_page, "zhangwei", "/approvals")
    laptops = row_of(zhang, "采购 20 台笔记本电脑")
    projectors = row_of(zhang, "采购投影仪两台")
    await expect(laptops.get_by_test_id("approval-step")).to_have_text("第 1/1 步 · 或签")
    await decide_button(laptops, "同意").click()
    await dialog(zhang).get_by_label("审批意见").fill("型号请统一")
    for item in await todo(cast.wangfang):
        decided = await cast.wangfang.api.post(f"{APPROVALS}/{item['task']['id']}/decide",
                                               json={"decision": "approve"})
        assert decided.status_code == 200, decided.text
    await expect(projectors.get_by_test_id("approval-decision")).to_have_text("无需审批")
    await expect(projectors.get_by_test_id("approval-status")).to_have_text("已通过")
    await expect(decide_button(projectors, "同意")).to_have_count(0)
    # The dialog stays, with what he typed.
    await expect(dialog(zhang).get_by_label("审批意见")).to_have_value("型号请统一")
    await dialog(zhang).get_by_role("button", name="同意").click()
    await expect(dialog(zhang).get_by_role("alert")).to_contain_text(
        "这项审批已无需处理（本步骤或整个审批已结束）")
    await screenshot(zhang, "approvals-conflict-desktop")
    await dialog(zhang).get_by_role("button", name="取消").click()
    await expect(zhang.get_by_test_id("approvals-empty")).to_be_visible()
    assert await todo(cast.zhangwei) == []


async def test_someone_with_nothing_to_approve_and_a_delegate(cast: Cast,
                                                              open_page: OpenPage) -> None:
    budget = await approval_type(cast, "预算审批", {"mode": "one", "approvers": [manager_of(cast)]})
    await file_request(cast.liuyang, budget, "华东区客户答谢宴")
    # 李娜 approves nothing: an empty 待我审批, no count, however many wait for others.
    lina = await open_page("lina", "/approvals")
    await expect(lina.get_by_test_id("approvals-empty")).to_contain_text("没有待你审批的事项")
    await expect(lina.get_by_test_id("nav-approvals")).to_have_count(0)
    await expect(box_tab(lina, "待我审批")).to_have_text("待我审批")
    await expect(lina.get_by_test_id("delegation-state")).to_have_text("未设置。")
    await screenshot(lina, "approvals-empty-desktop")
    await assert_no_serious_violations(lina)

    # Away next week: 王芳 approves for her until the Friday's end of day.
    panel = lina.get_by_test_id("delegation")
    await panel.get_by_test_id("delegation-edit").click()
    await panel.get_by_test_id("delegation-save").click()
    await expect(panel.get_by_text("请选择代理人")).to_be_visible()
    await panel.get_by_label("代理人").fill("王芳")
    await panel.get_by_role("button", name=re.compile("王芳")).click()
    await panel.get_by_test_id("delegation-save").click()
    await expect(panel.get_by_text("请填写结束日期")).to_be_visible()
    until = (utcnow() + timedelta(days=7)).astimezone(SHANGHAI).date().isoformat()
    await panel.get_by_label("代理至").fill(until)
    await panel.get_by_label("代理至").blur()
    await panel.get_by_label("结束时间").select_option("18:00")
    await screenshot(lina, "approvals-delegation-form-desktop")
    await assert_no_serious_violations(lina)
    await panel.get_by_test_id("delegation-save").click()
    await expect(lina.get_by_test_id("delegation-state")).to_contain_text("王芳 代你审批，至")
    await expect(lina.get_by_test_id("approvals-announcement")).to_contain_text("王芳 代你审批至")
    shown = (await cast.lina.api.get(f"{APPROVALS}/delegation")).json()["delegation"]
    assert (shown["delegate_id"], shown["active"]) == (cast.wangfang.id, True)
    assert shown["until"].startswith(until)
    await screenshot(lina, "approvals-delegation-set-desktop")

    await panel.get_by_role("button", name="提前结束").click()
    await expect(lina.get_by_test_id("delegation-state")).to_have_text("未设置。")
    assert (await cast.lina.api.get(f"{APPROVALS}/delegation")).json() == {"delegation": None}


async def test_the_phone_layout(cast: Cast, open_page: OpenPage) -> None:
    contract = await approval_type(cast, "合同会签", {"mode": "all", "approvers": [
        manager_of(cast, "销售部"), manager_of(cast, "客服部")]})
    filed = await file_request(cast.liuyang, contract,
                               "与上海明远贸易签订的年度框架合同（含三年维保与培训服务）")
    zhang = await open_page("zhangwei", "/approvals", viewport=PHONE)
    row = row_of(zhang, "年度框架合同")
    await expect(row).to_be_visible()
    await expect(zhang.get_by_test_id("nav-approvals")).to_have_text("1")
    # Everything in the top bar fits, the search still usable; nothing runs off the side.
    nav = zhang.get_by_role("navigation", name="主导航")
    for name in ("消息", "工单", "审批", "项目", "目标"):
        await expect(nav.get_by_role("link", name=re.compile(name))).to_be_in_viewport()
    await expect(nav.get_by_test_id("apps-menu")).to_be_in_viewport()
    assert await zhang.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for button in ("同意", "拒绝", "退回", "加签"):
        await expect(decide_button(row, button)).to_be_in_viewport()
    await screenshot(zhang, "approvals-todo-phone")
    await assert_no_serious_violations(zhang)

    await decide_button(row, "拒绝").click()
    await expect(dialog(zhang)).to_be_in_viewport()
    await screenshot(zhang, "approvals-reject-phone")
    await dialog(zhang).get_by_role("button", name="取消").click()

    search = zhang.get_by_test_id("search-input")
    await search.click()
    await search.fill("合同")
    await screenshot(zhang, "approvals-search-open-phone")
    await search.press("Enter")
    await expect(zhang).to_have_url(re.compile(r"/search\?q="))

    await zhang.goto(zhang.url.split("/search")[0] + f"/requests/{filed['id']}")
    card = zhang.get_by_test_id("request-approval")
    await expect(card).to_contain_text("需要你审批")
    await expect(decide_button(card, "同意")).to_be_in_viewport()
    assert await zhang.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(zhang, "approvals-request-detail-phone")

    lina = await open_page("lina", "/approvals", viewport=PHONE)
    await expect(lina.get_by_test_id("approvals-empty")).to_be_visible()
    await lina.get_by_test_id("delegation").get_by_test_id("delegation-edit").click()
    assert await lina.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(lina, "approvals-delegation-phone")
    await assert_no_serious_violations(lina)


async def test_english(cast: Cast, open_page: OpenPage) -> None:
    budget = await approval_type(cast, "预算审批", {"mode": "one", "approvers": [manager_of(cast)]})
    await file_request(cast.liuyang, budget, "Booth for the Shanghai trade fair")
    zhang = await open_page("zhangwei", "/approvals", locale="en")
    row = row_of(zhang, "Booth for the Shanghai trade fair")
    await expect(row.get_by_test_id("approval-step")).to_have_text("Step 1 of 1")
    await expect(zhang.get_by_role("radio", name="To approve (1)")).to_be_checked()
    await expect(decide_button(row, "Approve")).to_be_visible()
    await expect(zhang.get_by_test_id("delegation")).to_contain_text("Delegate while away")
    await screenshot(zhang, "approvals-en-desktop")


async def test_the_phone_top_bar_of_an_administrator_in_english(cast: Cast,
                                                                open_page: OpenPage) -> None:
    """The longest top bar: five destinations and More in English, the counts, and
    administration (a tile of More on phones)."""
    budget = await approval_type(cast, "预算审批", {"mode": "one", "approvers": [
        {"user_id": cast.linxiaoyan.id}]})
    await file_request(cast.liuyang, budget, "Team offsite")
    lin = await open_page("linxiaoyan", "/approvals", locale="en", viewport=PHONE)
    await expect(lin.get_by_test_id("nav-approvals")).to_have_text("1")
    assert await lin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(lin, "approvals-topbar-admin-en-phone")
    await lin.get_by_test_id("apps-menu").click()
    await lin.get_by_test_id("app-admin-users").click()
    await expect(lin).to_have_url(re.compile(r"/admin/users$"))
    await assert_no_serious_violations(lin)
