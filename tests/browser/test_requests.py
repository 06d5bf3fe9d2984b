"""The request centre in the browser: filing a typed request through its form (the client's
checks, and the server's refusal shown at the field it names), the receiving department's
queue and the requester's page following each step live, the workflow through to a rating,
the SLA countdowns' colours, the not-found state for someone the request is not for, and
the phone layout."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import FilePayload, Locator, Page, ViewportSize, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, hover_until_shown, screenshot, unavailable
from tests.browser.test_shell import SocketTap
from tests.helpers import Cast, Person, create_channel, post
from xietong.jobs.runner import JobRunner, RunnerOptions

PHONE: ViewportSize = {"width": 390, "height": 844}
SHANGHAI = ZoneInfo("Asia/Shanghai")

REVIEW_FORM: list[dict[str, Any]] = [
    {"key": "customer", "label": "客户名称", "type": "text", "required": True},
    {"key": "priority", "label": "优先级", "type": "select", "required": True,
     "options": ["P0 紧急", "P1 高", "P2 普通"]},
    {"key": "budget", "label": "预算金额", "type": "money"},
    {"key": "wanted_by", "label": "期望上线日期", "type": "date"},
    {"key": "contact", "label": "客户对接人", "type": "person"},
    {"key": "attachment", "label": "需求文档", "type": "file"},
    {"key": "detail", "label": "需求说明", "type": "long_text", "required": True},
]


async def make_type(cast: Cast, name: str, department: str = "研发部", *,
                    fields: list[dict[str, Any]] | None = None, response: float = 4,
                    resolution: float = 40, **settings: Any) -> dict[str, Any]:
    response_ = await cast.linxiaoyan.api.post("/api/v1/request-types", json={
        "name": name, "department_id": cast.departments[department], "fields": fields or [],
        "response_sla_hours": response, "resolution_sla_hours": resolution, **settings})
    assert response_.status_code == 201, response_.text
    made: dict[str, Any] = response_.json()
    return made


async def file_request(person: Person, type_id: int, title: str,
                       values: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await person.api.post("/api/v1/requests", json={
        "type_id": type_id, "title": title, "values": values or {}})
    assert response.status_code == 201, response.text
    filed: dict[str, Any] = response.json()
    return filed


async def open_live(open_page: OpenPage, username: str, path: str,
                    viewport: ViewportSize | None = None) -> Page:
    """`username` on `path`, once the tab's socket is up (what comes next arrives live)."""
    page = await open_page(username, path, viewport=viewport)
    tap = SocketTap()
    await tap.attach(page)
    await page.reload()
    await tap.until("hello")
    return page


def row_of(page: Page, title: str) -> Locator:
    return page.get_by_test_id("request-row").filter(has_text=title)


def action(page: Page, name: str) -> Locator:
    return page.get_by_test_id("request-actions").get_by_role("button", name=name, exact=True)


def clock_badge(page: Page, clock: str) -> Locator:
    """The countdown of a request's `response` or `resolution` clock on its page."""
    return page.get_by_test_id("request-sla").locator(f"[data-clock={clock}]").get_by_test_id(
        "sla-badge")


def timeline(page: Page) -> Locator:
    return page.get_by_test_id("request-timeline")


async def test_a_typed_request_goes_from_the_form_through_the_queue_to_a_rating(
        cast: Cast, open_page: OpenPage) -> None:
    engineer = await cast.add_person("zhaolei", "赵磊", departments=("研发部",), title="工程师")
    contact = await cast.add_person("sunyue", "孙悦", departments=("客服部",), title="客服专员")
    review = await make_type(cast, "需求评审", fields=REVIEW_FORM,
                             description="客户提出的新功能，由研发部评估排期")
    await make_type(cast, "IT 支持", response=1, resolution=8)
    # 李娜 watches her department's queue; 张伟 files.
    lina = await open_live(open_page, "lina", "/requests?box=queue")
    await expect(lina.get_by_test_id("requests-empty")).to_contain_text("部门队列为空")
    await screenshot(lina, "requests-queue-empty-desktop")
    zhang = await open_live(open_page, "zhangwei", "/requests")
    await expect(zhang.get_by_test_id("requests-empty")).to_contain_text("你还没有提交过工单")
    await zhang.get_by_test_id("new-request").click()
    await expect(zhang).to_have_url(re.compile(r"/requests/new$"))
    await expect(zhang.get_by_role("heading", name="提交工单")).to_be_visible()

    await zhang.get_by_label("受理部门").select_option(label="研发部")
    await zhang.get_by_role("radio", name=re.compile("需求评审")).check()
    form = zhang.get_by_test_id("request-form")
    await expect(form.get_by_label("客户名称")).to_be_visible()
    # Nothing filled in: the client says what is missing, at each field, and sends nothing.
    await zhang.get_by_test_id("submit-request").click()
    await expect(zhang.get_by_text("请填写标题")).to_be_visible()
    await expect(zhang.get_by_text("请填写客户名称")).to_be_visible()
    await expect(zhang.get_by_text("请选择优先级")).to_be_visible()
    await expect(zhang.get_by_text("请填写需求说明")).to_be_visible()
    await expect(form.get_by_label("标题")).to_be_focused()
    assert (await cast.zhangwei.api.get("/api/v1/requests?box=mine")).json()["items"] == []

    await form.get_by_label("标题").fill("华东区客户要求报表支持按区域导出 Excel")
    await form.get_by_label("客户名称").fill("上海明远贸易")
    await form.get_by_label("优先级").select_option("P1 高")
    budget = form.get_by_label("预算金额")
    await budget.fill("12500.5")
    await budget.blur()
    await expect(budget).to_have_value("12500.50")
    await budget.fill("12,500.505")
    await form.get_by_label("需求说明").fill("客户每周要把销售报表按区域拆开发给各门店。")
    await zhang.get_by_test_id("submit-request").click()
    await expect(zhang.get_by_text("请输入金额，最多两位小数")).to_be_visible()
    await budget.fill("12500.5")
    await form.get_by_label("期望上线日期").fill("2027-01-15")
    await form.get_by_label("客户对接人").fill("孙悦")
    await form.get_by_role("button", name=re.compile("孙悦")).click()
    document: FilePayload = {"name": "需求说明.txt", "mimeType": "text/plain",
                             "buffer": "按区域导出：华东、华南、华北".encode()}
    await form.locator("#request-field-attachment").set_input_files(files=[document])
    await expect(form.get_by_test_id("request-upload").locator("progress")).to_have_count(0)
    await zhang.get_by_test_id("add-watchers").click()
    await form.get_by_test_id("people-search").fill("赵磊")
    await form.get_by_role("checkbox", name=re.compile("赵磊")).check()
    await zhang.evaluate("window.scrollTo(0, 0)")
    await screenshot(zhang, "requests-new-filled-desktop")
    await assert_no_serious_violations(zhang)

    # Meanwhile 孙悦 leaves: the server refuses the form, and says so at 客户对接人.
    gone = await cast.linxiaoyan.api.patch(f"/api/v1/users/{contact.id}", json={"active": False})
    assert gone.status_code == 200, gone.text
    await zhang.get_by_test_id("submit-request").click()
    contact_error = zhang.locator("#request-field-contact-error")
    await expect(contact_error).to_have_text("所选人员不存在或已停用，请重新选择")
    await expect(form.get_by_role("button", name="清除人员 孙悦")).to_be_focused()
    await expect(zhang).to_have_url(re.compile(r"/requests/new$"))
    await screenshot(zhang, "requests-new-server-error-desktop")
    await form.get_by_role("button", name="清除人员 孙悦").click()
    await expect(contact_error).to_have_count(0)
    await zhang.get_by_test_id("submit-request").click()
    await expect(zhang).to_have_url(re.compile(r"/requests/\d+$"))
    request_id = int(zhang.url.rsplit("/", 1)[1])
    number = f"REQ-{request_id:05d}"

    # The requester's page: the form by its labels, the clocks running, the first step.
    await expect(zhang.get_by_test_id("request-title")).to_have_text(
        "华东区客户要求报表支持按区域导出 Excel")
    await expect(zhang.get_by_test_id("request-status")).to_have_text("待受理")
    values = zhang.get_by_test_id("request-values")
    await expect(values).to_contain_text("上海明远贸易")
    await expect(values).to_contain_text("¥12,500.50")
    await expect(values).to_contain_text("2027-01-15")
    await expect(values.get_by_role("link", name="附件 1")).to_have_attribute(
        "href", re.compile(r"/api/v1/files/\d+$"))
    await expect(clock_badge(zhang, "response")).to_have_attribute("data-tone", "ok")
    await expect(clock_badge(zhang, "response")).to_contain_text("剩余")
    await expect(zhang.get_by_test_id("request-assignee")).to_contain_text("未指派")
    await expect(timeline(zhang)).to_contain_text("张伟 提交了工单")
    await expect(action(zhang, "撤回")).to_be_visible()
    await expect(action(zhang, "受理")).to_have_count(0)
    stored = (await cast.zhangwei.api.get(f"/api/v1/requests/{request_id}")).json()
    assert stored["values"]["budget"] == "12500.50"
    assert "contact" not in stored["values"]
    assert stored["watcher_ids"] == [engineer.id]
    assert stored["type_id"] == review["id"]
    await screenshot(zhang, "requests-detail-requester-desktop")
    await assert_no_serious_violations(zhang)

    # 李娜's queue took it in without a reload; she opens it and accepts it.
    row = row_of(lina, "华东区客户要求报表支持按区域导出 Excel")
    await expect(row).to_be_visible()
    await expect(row).to_contain_text(number)
    await expect(row).to_contain_text("需求评审")
    await expect(row).to_contain_text("研发部")
    await expect(row).to_contain_text("张伟")
    await expect(row).to_contain_text("未指派")
    await expect(row.get_by_test_id("request-status")).to_have_text("待受理")
    await expect(row.get_by_test_id("sla-badge")).to_contain_text("响应")
    # The tabs count what is under way: one in her queue, none assigned to her yet.
    await expect(lina.get_by_role("button", name=re.compile("^部门队列")).get_by_test_id(
        "tab-count")).to_have_text("1")
    await expect(lina.get_by_role("button", name=re.compile("^待我处理")).get_by_test_id(
        "tab-count")).to_have_count(0)
    await screenshot(lina, "requests-queue-desktop")
    await assert_no_serious_violations(lina)
    await row.click()
    await expect(lina).to_have_url(re.compile(rf"/requests/{request_id}$"))
    await action(lina, "受理").click()
    await expect(lina.get_by_test_id("request-status")).to_have_text("已受理")
    await expect(lina.get_by_test_id("request-announcement")).to_have_text("已受理工单。")
    # The requester's page follows, without a reload.
    await expect(zhang.get_by_test_id("request-status")).to_have_text("已受理")
    await expect(timeline(zhang)).to_contain_text("李娜 受理了工单")
    await expect(clock_badge(zhang, "response")).to_have_text("按时完成")

    await expect(zhang.get_by_test_id("request-assignee")).to_contain_text("李娜")
    # She hands it to 赵磊 (the picker lists her department's members only).
    await action(lina, "指派").click()
    dialog = lina.get_by_role("dialog", name="指派工单")
    await expect(dialog.get_by_role("radio", name=re.compile("赵磊"))).to_be_visible()
    await expect(dialog.get_by_role("radio", name=re.compile("张伟"))).to_have_count(0)
    await dialog.get_by_role("radio", name=re.compile("赵磊")).check()
    await screenshot(lina, "requests-assign-dialog-desktop")
    await assert_no_serious_violations(lina)
    await dialog.get_by_role("button", name="指派").click()
    await expect(dialog).to_have_count(0)
    await expect(lina.get_by_test_id("request-assignee")).to_contain_text("赵磊")
    # Accepting made it hers (she was in the queue); now it is handed on.
    await expect(timeline(zhang)).to_contain_text("李娜 改派给了 赵磊")
    await expect(zhang.get_by_test_id("request-assignee")).to_contain_text("赵磊")

    # Waiting asks why; the requester sees the clocks stop and the question.
    await action(lina, "等待补充").click()
    dialog = lina.get_by_role("dialog", name="请提交人补充信息")
    await dialog.get_by_role("button", name="等待补充").click()
    await expect(dialog.get_by_text("请填写需要补充什么。")).to_be_visible()
    await dialog.get_by_label("需要补充什么").fill("请补充各区域门店的清单")
    await dialog.get_by_role("button", name="等待补充").click()
    await expect(zhang.get_by_test_id("request-status")).to_have_text("等待补充")
    await expect(timeline(zhang)).to_contain_text("李娜 等待补充：请补充各区域门店的清单")
    asked = zhang.get_by_test_id("request-asked")
    await expect(asked).to_contain_text("李娜 请你补充信息：")
    await expect(asked).to_contain_text("请补充各区域门店的清单")
    await expect(asked.get_by_role("button", name="给 李娜 发消息")).to_be_visible()
    await expect(lina.get_by_test_id("request-asked")).to_have_count(0)
    await expect(clock_badge(zhang, "resolution")).to_have_text("已暂停")
    await expect(clock_badge(zhang, "resolution")).to_have_attribute("data-tone", "paused")

    # The requester answers in the request's discussion: it goes back to 李娜, live.
    await asked.get_by_role("button", name="回复").click()
    box = zhang.get_by_role("textbox", name="评论")
    await expect(box).to_be_focused()
    await expect(zhang.get_by_test_id("request-composer")).to_contain_text("回复后会继续处理")
    await box.fill("门店清单已放在共享盘：\n销售部/门店清单.xlsx")
    await box.press("Control+Enter")
    await expect(box).to_have_value("")
    await expect(zhang.get_by_test_id("request-status")).to_have_text("已受理")
    await expect(lina.get_by_test_id("request-status")).to_have_text("已受理")
    await expect(timeline(lina)).to_contain_text("张伟 发表了评论")
    await expect(lina.get_by_test_id("timeline-comment").last).to_have_text(
        "门店清单已放在共享盘：\n销售部/门店清单.xlsx")
    await expect(zhang.get_by_test_id("request-asked")).to_have_count(0)
    await lina.get_by_test_id("request-composer").scroll_into_view_if_needed()
    await screenshot(lina, "request-comment")
    await action(lina, "标记解决").click()
    dialog = lina.get_by_role("dialog", name="标记为已解决")
    await dialog.get_by_label("处理说明").fill("已上线按区域导出，客户确认可用")
    await dialog.get_by_role("button", name="标记解决").click()
    await expect(zhang.get_by_test_id("request-status")).to_have_text("待确认")
    await expect(timeline(zhang)).to_contain_text("标记为已解决：已上线按区域导出，客户确认可用")

    # The requester confirms, and rates.
    await action(zhang, "确认关闭").click()
    await expect(zhang.get_by_test_id("request-status")).to_have_text("已关闭")
    await expect(lina.get_by_test_id("request-status")).to_have_text("已关闭")
    await action(zhang, "评价").click()
    dialog = zhang.get_by_role("dialog", name="评价本次服务")
    await dialog.get_by_role("button", name="提交评价").click()
    await expect(dialog.get_by_text("请选择满意度。")).to_be_visible()
    await dialog.get_by_role("radio", name="4 星，满意").check()
    await dialog.get_by_label("评价内容").fill("响应很快，赞")
    await screenshot(zhang, "requests-rate-dialog-desktop")
    await assert_no_serious_violations(zhang)
    await dialog.get_by_role("button", name="提交评价").click()
    await expect(zhang.get_by_test_id("request-rating")).to_contain_text("4 星")
    await expect(zhang.get_by_test_id("request-rating")).to_contain_text("响应很快，赞")
    await expect(timeline(lina)).to_contain_text("张伟 评价了 4 星：响应很快，赞")
    await expect(zhang.get_by_test_id("request-actions")).to_have_count(0)
    await zhang.get_by_test_id("request-rating").scroll_into_view_if_needed()
    await screenshot(zhang, "requests-detail-closed-desktop")
    done = (await cast.zhangwei.api.get(f"/api/v1/requests/{request_id}")).json()
    assert (done["status"], done["rating"], done["rating_comment"]) == ("closed", 4, "响应很快，赞")
    assert done["assignee_id"] == engineer.id

    # 李娜's queue shows the ended request as such once she is back.
    await lina.get_by_role("link", name="工单列表").click()
    await expect(lina).to_have_url(re.compile(r"/requests\?box=queue$"))
    await lina.get_by_role("button", name="已结束").click()
    ended = row_of(lina, "华东区客户要求报表")
    await expect(ended.get_by_test_id("request-status")).to_have_text("已关闭")
    await lina.get_by_role("button", name="等待补充", exact=True).click()
    await expect(lina.get_by_test_id("requests-empty")).to_contain_text("没有符合筛选条件的工单")


async def test_a_request_is_not_found_for_someone_it_is_not_for(
        cast: Cast, open_page: OpenPage) -> None:
    it_support = await make_type(cast, "IT 支持", response=1, resolution=8)
    filed = await file_request(cast.zhangwei, it_support["id"], "新电脑无法连接公司 VPN")
    wang = await open_page("wangfang", f"/requests/{filed['id']}")
    await expect(wang.get_by_test_id("request-not-found")).to_contain_text("找不到这个工单")
    await expect(wang.get_by_test_id("request-title")).to_have_count(0)
    await expect(wang.get_by_text("新电脑无法连接公司 VPN")).to_have_count(0)
    await screenshot(wang, "requests-not-found-desktop")
    await assert_no_serious_violations(wang)
    # Her own department's queue is empty, with a word on what would be there.
    await wang.goto(wang.url.split("/requests")[0] + "/requests?box=queue")
    await expect(wang.get_by_test_id("requests-empty")).to_contain_text("部门队列为空")
    await expect(wang.get_by_test_id("requests-empty")).to_contain_text("你所在部门")
    # An id that is not a number is no page at all.
    await wang.goto(wang.url.split("/requests")[0] + "/requests/abc")
    await expect(wang.get_by_role("heading", name="找不到这个页面。")).to_be_visible()


async def test_the_list_shows_its_error_and_recovers(cast: Cast, open_page: OpenPage) -> None:
    it_support = await make_type(cast, "IT 支持", response=1, resolution=8)
    await file_request(cast.zhangwei, it_support["id"], "打印机无法连接")
    zhang = await open_page("zhangwei", "/people")
    await zhang.route("**/api/v1/requests?*", unavailable())
    await zhang.get_by_role("link", name="工单", exact=True).click()
    await expect(zhang.get_by_test_id("requests-error")).to_contain_text("服务暂时不可用")
    await screenshot(zhang, "requests-error-desktop")
    await zhang.unroute("**/api/v1/requests?*")
    await zhang.get_by_test_id("requests-error").get_by_role("button", name="重试").click()
    await expect(row_of(zhang, "打印机无法连接")).to_be_visible()
    # The navigation says where one is, on a request's page too.
    await row_of(zhang, "打印机无法连接").click()
    await expect(zhang.get_by_role("navigation", name="主导航").get_by_role("link", name="工单")
                 ).to_have_class(re.compile("router-link-active"))


async def test_free_text_to_a_department_without_types(cast: Cast, open_page: OpenPage) -> None:
    zhang = await open_page("zhangwei", "/requests/new")
    await zhang.get_by_label("受理部门").select_option(label="客服部")
    await expect(zhang.get_by_text("该部门还没有设置工单类型")).to_be_visible()
    await expect(zhang.get_by_role("radio", name=re.compile("其他问题"))).to_be_checked()
    form = zhang.get_by_test_id("request-form")
    await form.get_by_label("标题").fill("  ")
    await zhang.get_by_test_id("submit-request").click()
    await expect(zhang.get_by_text("请填写标题")).to_be_visible()
    await form.get_by_label("标题").fill("客户投诉回访名单需要导出")
    await form.get_by_label("详细描述").fill("上周投诉的 37 位客户需要逐一回访，\n请导出联系方式。")
    await zhang.get_by_test_id("submit-request").click()
    await expect(zhang).to_have_url(re.compile(r"/requests/\d+$"))
    await expect(zhang.get_by_test_id("request-title")).to_have_text("客户投诉回访名单需要导出")
    await expect(zhang.get_by_text("其他问题")).to_be_visible()
    await expect(zhang.get_by_text("请导出联系方式。")).to_be_visible()
    # Without a type: a working day to answer, a working week to resolve.
    await expect(clock_badge(zhang, "resolution")).to_contain_text("5 个工作日")
    mine = (await cast.zhangwei.api.get("/api/v1/requests?box=mine")).json()["items"]
    assert [(r["type_id"], r["department_id"]) for r in mine] == [
        (None, cast.departments["客服部"])]


@pytest.mark.parametrize("screen", ["desktop", "phone"])
async def test_a_chat_message_becomes_a_request_where_the_suggestion_says(
        cast: Cast, open_page: OpenPage, screen: str) -> None:
    review = await make_type(cast, "需求评审")
    channel_id = await create_channel(cast.wangfang, "客服日常", "private", cast.zhangwei)
    text = ("客户反馈登录系统一直报错，接口返回 500，麻烦评估一下是不是 bug。\n"
            "影响华东区 30 家门店，请排期。")
    message_id = (await post(cast.zhangwei, channel_id, text))["id"]
    wang = await open_page("wangfang", f"/chat/{channel_id}",
                           viewport=PHONE if screen == "phone" else None)
    said = wang.locator("article.message", has_text="接口返回 500")
    await hover_until_shown(wang, said, said.get_by_role("link", name="转为工单"))
    await said.get_by_role("link", name="转为工单").click()
    await expect(wang).to_have_url(re.compile(rf"/requests/new\?from_message={message_id}$"))
    # The message is quoted and linked, and its words are where it starts.
    quoted = wang.get_by_test_id("source-message")
    await expect(quoted).to_contain_text("来自 张伟 的消息")
    await expect(quoted).to_contain_text("影响华东区 30 家门店")
    await expect(wang.get_by_label("描述你的需求")).to_have_value(text)
    # The server suggests 研发部 first (never the requester's own 客服部), saying why.
    options = wang.get_by_test_id("dispatch-option")
    await expect(options.first).to_contain_text("研发部 · 需求评审")
    await expect(options.first).to_contain_text("最匹配")
    await expect(options.first).to_contain_text(re.compile("依据：.*(500|bug|接口|登录|报错)"))
    await expect(wang.get_by_test_id("dispatch-suggestions")).not_to_contain_text("客服部")
    await assert_no_serious_violations(wang)
    await screenshot(wang, f"requests-from-message-{screen}")
    await options.first.click()
    await expect(options.first).to_have_attribute("aria-pressed", "true")
    await expect(wang.get_by_label("受理部门")).to_have_value(str(cast.departments["研发部"]))
    await expect(wang.get_by_role("radio", name=re.compile("需求评审"))).to_be_checked()
    form = wang.get_by_test_id("request-form")
    await expect(form.get_by_label("标题")).to_have_value(
        "客户反馈登录系统一直报错，接口返回 500，麻烦评估一下是不是 bug。")
    await expect(form.get_by_label("补充说明")).to_have_value(text)
    await wang.get_by_test_id("submit-request").click()
    await expect(wang).to_have_url(re.compile(r"/requests/\d+$"))
    mine = (await cast.wangfang.api.get("/api/v1/requests?box=mine")).json()["items"]
    assert [(r["type_id"], r["department_id"], r["title"]) for r in mine] == [
        (review["id"], cast.departments["研发部"],
         "客户反馈登录系统一直报错，接口返回 500，麻烦评估一下是不是 bug。")]
    filed = (await cast.wangfang.api.get(f"/api/v1/requests/{mine[0]['id']}")).json()
    assert filed["description"] == text
    assert filed["source_message_id"] == message_id
    # From the request, back to where it was said.
    await wang.get_by_test_id("request-source").click()
    await expect(wang).to_have_url(re.compile(rf"/chat/{channel_id}\?around={message_id}$"))
    await expect(wang.locator("article.message", has_text="接口返回 500")).to_be_visible()


async def test_a_guest_is_not_offered_to_turn_a_message_into_a_request(
        cast: Cast, open_page: OpenPage) -> None:
    channel_id = await create_channel(cast.zhangwei, "外部合作", "private", cast.alex)
    await post(cast.zhangwei, channel_id, "方案初稿已发")
    alex = await open_page("alex", f"/chat/{channel_id}")
    said = alex.locator("article.message", has_text="方案初稿已发")
    await hover_until_shown(alex, said, said.get_by_role("button", name="添加表情回应"))
    await expect(said.get_by_test_id("to-request")).to_have_count(0)


async def test_a_notification_opens_the_request(cast: Cast, open_page: OpenPage) -> None:
    it_support = await make_type(cast, "IT 支持", response=1, resolution=8)
    await cast.runtime.consumers.start()
    try:
        lina = await open_live(open_page, "lina", "/people")
        filed = await file_request(cast.zhangwei, it_support["id"], "新电脑无法连接公司 VPN")
        await expect(lina.get_by_test_id("notification-count")).to_have_text("1")
        await lina.get_by_test_id("notification-bell").click()
        await lina.locator("#notification-panel").get_by_role(
            "button", name=re.compile("张伟 提交了工单")).click()
        await expect(lina).to_have_url(re.compile(rf"/requests/{filed['id']}$"))
        await expect(lina.get_by_test_id("request-title")).to_have_text("新电脑无法连接公司 VPN")
        await expect(action(lina, "受理")).to_be_visible()
        # A word with the requester is a direct message away.
        await lina.get_by_role("button", name="给 张伟 发消息").click()
        await expect(lina).to_have_url(re.compile(r"/chat/\d+$"))
        await expect(lina.get_by_role("heading", name="张伟").first).to_be_visible()
    finally:
        await cast.runtime.consumers.stop()


async def calendar_open_all_day(cast: Cast) -> None:
    """Working time round the clock today and tomorrow (a Sunday is a working day too), so a
    tiny SLA falls due within seconds whenever the test runs."""
    admin = cast.linxiaoyan.api
    set_hours = await admin.put("/api/v1/calendar", json={
        "work_start": "00:00", "work_end": "23:59", "lunch_start": None, "lunch_end": None,
        "time_zone": "Asia/Shanghai"})
    assert set_hours.status_code == 200, set_hours.text
    today = datetime.now(SHANGHAI).date()
    for day in (today, today + timedelta(days=1)):
        worked = await admin.put(f"/api/v1/calendar/days/{day.isoformat()}",
                                 json={"working": True, "note": "测试"})
        assert worked.status_code == 200, worked.text


async def test_sla_countdowns_are_green_amber_and_red(cast: Cast, open_page: OpenPage) -> None:
    await calendar_open_all_day(cast)
    relaxed = await make_type(cast, "IT 支持", response=8, resolution=40)
    # Six minutes to answer, with a warning at 1 % of them: amber after 3.6 seconds.
    tight = await make_type(cast, "资源借用", response=0.1, resolution=8, warn_at_share=0.01)
    # 18 seconds to answer.
    tiny = await make_type(cast, "紧急故障", response=0.005, resolution=0.01)
    await file_request(cast.zhangwei, relaxed["id"], "新电脑无法连接公司 VPN")
    await file_request(cast.zhangwei, tight["id"], "借用演示环境两天")
    urgent = await file_request(cast.zhangwei, tiny["id"], "官网首页打不开")

    zhang = await open_live(open_page, "zhangwei", "/requests")
    badge = {title: row_of(zhang, title).get_by_test_id("sla-badge")
             for title in ("新电脑无法连接公司 VPN", "借用演示环境两天", "官网首页打不开")}
    await expect(badge["新电脑无法连接公司 VPN"]).to_have_attribute("data-tone", "ok")
    await expect(badge["新电脑无法连接公司 VPN"]).to_contain_text("响应剩余 8 小时")
    # The countdowns tick every ten seconds.
    await expect(badge["借用演示环境两天"]).to_have_attribute("data-tone", "near", timeout=20_000)
    await expect(badge["借用演示环境两天"]).to_contain_text(re.compile(r"剩余 [56] 分钟$"))
    # Red once it is due, with no reload (the countdown ticks).
    await expect(badge["官网首页打不开"]).to_have_attribute("data-tone", "late", timeout=40_000)
    await expect(badge["官网首页打不开"]).to_contain_text("已超时")
    await screenshot(zhang, "requests-sla-colours-desktop")
    await assert_no_serious_violations(zhang)

    # The server's breach (its SLA job) lands in the timeline live.
    await zhang.goto(zhang.url.split("/requests")[0] + f"/requests/{urgent['id']}")
    tap = SocketTap()
    await tap.attach(zhang)
    await zhang.reload()
    await tap.until("hello")
    await expect(clock_badge(zhang, "response")).to_have_attribute("data-tone", "late")
    runtime = cast.runtime
    runner = JobRunner(registry=runtime.jobs.registry, writer=runtime.unit_of_work,
                       reader=runtime.reader, node="browser-sla", zone=runtime.settings.zone,
                       is_postgres=runtime.settings.is_postgres, options=RunnerOptions(batch=50))
    while await runner.run_due():
        pass
    await expect(timeline(zhang)).to_contain_text("已超过响应时限")
    await expect(timeline(zhang)).to_contain_text("工单即将超过响应时限")
    await screenshot(zhang, "requests-detail-breached-desktop")


async def test_time_left_is_working_time(cast: Cast, open_page: OpenPage) -> None:
    """Today off, tomorrow worked, 09:00–18:00 with lunch 12:00–13:30: a request with four
    working hours to answer, filed now, is due tomorrow at 14:30 and has four hours left —
    not the wall clock's twenty-odd."""
    admin = cast.linxiaoyan.api
    hours = await admin.put("/api/v1/calendar", json={
        "work_start": "09:00", "work_end": "18:00", "lunch_start": "12:00",
        "lunch_end": "13:30", "time_zone": "Asia/Shanghai"})
    assert hours.status_code == 200, hours.text
    today = datetime.now(SHANGHAI).date()
    for day, working in ((today, False), (today + timedelta(days=1), True)):
        set_day = await admin.put(f"/api/v1/calendar/days/{day.isoformat()}",
                                  json={"working": working, "note": "测试"})
        assert set_day.status_code == 200, set_day.text
    review = await make_type(cast, "需求评审", response=4, resolution=40)
    filed = await file_request(cast.zhangwei, review["id"], "报表支持按区域导出")
    zhang = await open_page("zhangwei", f"/requests/{filed['id']}")
    await expect(clock_badge(zhang, "response")).to_have_text("剩余 4 小时")
    await expect(zhang.get_by_test_id("request-sla").locator("[data-clock=response]")
                 ).to_contain_text("14:30 截止")
    due = datetime.fromisoformat(filed["response_due_at"]).astimezone(SHANGHAI)
    assert (due.date(), due.hour, due.minute) == (today + timedelta(days=1), 14, 30)


async def test_the_phone_layout(cast: Cast, open_page: OpenPage) -> None:
    await cast.add_person("zhaolei", "赵磊", departments=("研发部",), title="工程师")
    review = await make_type(cast, "需求评审", fields=REVIEW_FORM)
    it_support = await make_type(cast, "IT 支持", response=1, resolution=8)
    title = "华东区客户要求报表支持按区域导出 Excel"
    filed = await file_request(cast.zhangwei, review["id"], title, {
        "customer": "上海明远贸易", "priority": "P1 高", "budget": "85000",
        "detail": "客户每周要把销售报表按区域拆开发给各门店，现在只能整体导出。"})
    await file_request(cast.liuyang, it_support["id"], "新电脑无法连接公司 VPN")

    lina = await open_page("lina", "/requests?box=queue", viewport=PHONE)
    await expect(row_of(lina, "华东区客户要求报表")).to_be_visible()
    await expect(row_of(lina, "新电脑无法连接公司 VPN")).to_be_visible()
    # Rows stack: nothing runs off the side of the screen.
    width = await lina.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    await screenshot(lina, "requests-queue-phone")
    await assert_no_serious_violations(lina)

    await row_of(lina, "华东区客户要求报表").click()
    bar = lina.get_by_test_id("request-actions")
    await expect(bar.get_by_role("button", name="受理", exact=True)).to_be_visible()
    box = await bar.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] >= PHONE["height"] - 1, box
    await expect(bar.get_by_role("button", name="驳回")).to_be_hidden()
    await bar.get_by_role("button", name="更多操作").click()
    await expect(bar.get_by_role("button", name="驳回")).to_be_visible()
    await expect(bar.get_by_role("button", name="指派")).to_be_visible()
    await screenshot(lina, "requests-detail-phone-menu")
    await assert_no_serious_violations(lina)
    await bar.get_by_role("button", name="驳回").click()
    dialog = lina.get_by_role("dialog", name="驳回工单")
    await dialog.get_by_label("驳回原因").fill("报表导出已在下个版本计划中，请关注版本公告")
    await dialog.get_by_role("button", name="驳回").click()
    await expect(lina.get_by_test_id("request-status")).to_have_text("已驳回")
    await expect(lina.get_by_test_id("request-actions")).to_have_count(0)
    await expect(lina.get_by_test_id("request-values")).to_contain_text("¥85,000.00")
    await screenshot(lina, "requests-detail-phone")
    width = await lina.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width

    zhang = await open_page("zhangwei", "/requests/new", viewport=PHONE)
    await zhang.get_by_label("受理部门").select_option(label="研发部")
    await zhang.get_by_role("radio", name=re.compile("需求评审")).check()
    await zhang.get_by_test_id("submit-request").click()
    await expect(zhang.get_by_text("请填写客户名称")).to_be_visible()
    await screenshot(zhang, "requests-new-phone")
    await assert_no_serious_violations(zhang)
    assert filed["status"] == "new"


async def test_english(cast: Cast, open_page: OpenPage) -> None:
    it_support = await make_type(cast, "IT 支持", response=1, resolution=8)
    filed = await file_request(cast.zhangwei, it_support["id"], "新电脑无法连接公司 VPN")
    lina = await open_page("lina", f"/requests/{filed['id']}", locale="en")
    await expect(lina.get_by_test_id("request-status")).to_have_text("New")
    await expect(timeline(lina)).to_contain_text("张伟 filed the request")
    await expect(action(lina, "Accept")).to_be_visible()
    await expect(lina.get_by_test_id("request-sla")).to_contain_text("left")
    await screenshot(lina, "requests-detail-en-desktop")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
async def test_a_requests_milestones_are_cards_in_the_conversation(
        cast: Cast, open_page: OpenPage, screen: str) -> None:
    it_support = await make_type(cast, "IT 支持", response=1, resolution=8)
    await cast.runtime.consumers.start()
    try:
        filed = await file_request(cast.wangfang, it_support["id"], "会议室投影仪无法连接")
        response = await cast.lina.api.post(f"/api/v1/requests/{filed['id']}/transition",
                                            json={"action": "accept"})
        assert response.status_code == 200, response.text
        await cast.runtime.consumers.catch_up()
        wang = await open_page("wangfang", "/chat",
                               viewport=PHONE if screen == "phone" else None)
        assistant = wang.get_by_role("link", name=re.compile("协同助手")).first
        await assistant.click()
        if screen == "phone":
            await expect(assistant).not_to_be_in_viewport()  # the drawer has closed
        cards = wang.get_by_test_id("system-card")
        await expect(cards).to_have_count(2)
        await expect(cards.nth(0)).to_contain_text("新工单")
        await expect(cards.nth(1)).to_contain_text("工单已受理")
        await expect(cards.nth(1)).to_contain_text("处理人李娜")
        await expect(cards.nth(1).get_by_test_id("request-status")).to_have_text("已受理")
        await expect(wang.locator("article.message .bot-tag").first).to_have_text("助手")
        # The assistant reads nothing: no composer, a note saying where to talk instead.
        await expect(wang.get_by_test_id("read-only-notice")).to_contain_text("不接收消息")
        await assert_no_serious_violations(wang)
        await screenshot(wang, f"requests-cards-dm-{screen}")
        await cards.nth(1).get_by_role("link", name=re.compile("会议室投影仪无法连接")).click()
        await expect(wang).to_have_url(re.compile(rf"/requests/{filed['id']}$"))
        # The receiving department sees the same cards in its queue channel.
        lina = await open_page("lina", "/chat", viewport=PHONE if screen == "phone" else None)
        queue = lina.get_by_role("link", name=re.compile("研发部 · 工单")).first
        await queue.click()
        if screen == "phone":
            await expect(queue).not_to_be_in_viewport()
        await expect(lina.get_by_test_id("system-card")).to_have_count(2)
        # Nothing sticks out sideways on a narrow screen.
        assert await lina.evaluate("document.documentElement.scrollWidth") <= (
            390 if screen == "phone" else 1280)
        await screenshot(lina, f"requests-cards-queue-{screen}")
    finally:
        await cast.runtime.consumers.stop()
