"""The administrators' people page (管理后台 → 成员): every account with departments, title,
role, status and last sign-in, filtered; a password reset that shows the new password once;
a bulk import checked row by row before anything is written; and the audit log in words,
with people and departments named and linked, filtered by person and dates."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from playwright.async_api import expect
from sqlalchemy import select, update

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.conftest import OpenPage, screenshot
from tests.helpers import Cast, anonymous_client, sign_in
from xietong.audit.models import AuditEntry
from xietong.core.clock import utcnow
from xietong.org.models import User

USERS_PAGE = "/admin/users"
PHONE = {"width": 390, "height": 844}


async def test_the_list_shows_each_account_and_filters(cast: Cast, open_page: OpenPage) -> None:
    admin = cast.linxiaoyan
    await admin.api.patch(f"/api/v1/users/{cast.wangfang.id}", json={"active": False})
    page = await open_page("linxiaoyan", USERS_PAGE)
    await expect(page).to_have_title("管理后台 · 协同")
    table = page.get_by_role("region", name="成员列表")
    await expect(table.locator("tr.account")).to_have_count(len(cast.people))
    header = [h.strip() for h in await table.locator("thead th").all_inner_texts()]
    assert header == ["成员", "所属部门", "职位", "角色", "状态", "最近登录", "操作"]

    liu = table.locator(f'tr[data-user-id="{cast.liuyang.id}"]')
    await expect(liu).to_contain_text("销售部 / 华东区")
    await expect(liu).to_contain_text("销售经理")
    await expect(liu.get_by_label("刘洋 的角色")).to_have_value("member")
    await expect(liu.locator(".badge")).to_have_text("正常")
    await expect(liu.locator("time")).to_have_text(re.compile("刚刚|分钟前"))
    wang = table.locator(f'tr[data-user-id="{cast.wangfang.id}"]')
    await expect(wang.locator(".badge")).to_have_text("已停用")
    await expect(wang.get_by_role("button", name="启用")).to_be_visible()
    # The owner's row is not the admin's to change; their own row neither.
    owner = table.locator(f'tr[data-user-id="{cast.zhoujianguo.id}"]')
    await expect(owner.get_by_role("button", name="重置密码：周建国")).to_be_disabled()
    await expect(table.locator(f'tr[data-user-id="{admin.id}"]')).to_contain_text("(你)")
    # A name links to the person's profile.
    await expect(liu.get_by_role("link", name="刘洋")).to_have_attribute(
        "href", f"/people?user={cast.liuyang.id}")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-users")

    # A department takes in the one below it; filters combine.
    await page.get_by_label("部门").select_option(label="销售部")
    await expect(page.locator("[data-user-id] .name")).to_have_text(["刘洋", "张伟"])
    await page.get_by_label("状态").select_option(label="已停用")
    await expect(page.get_by_text("没有找到成员。")).to_be_visible()
    await page.get_by_label("部门").select_option(label="全部部门")
    await expect(page.locator("[data-user-id] .name")).to_have_text(["王芳"])
    await page.get_by_label("状态").select_option(label="全部状态")
    await page.get_by_label("角色", exact=True).select_option(label="访客")
    await expect(page.locator("[data-user-id] .name")).to_have_text(["外部顾问 Alex"])
    await page.get_by_label("角色", exact=True).select_option(label="全部角色")
    await page.get_by_label("搜索成员").fill("ly")
    await expect(page.locator("[data-user-id] .name")).to_have_text(["刘洋"])


async def test_on_a_phone_each_person_is_a_card(cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("linxiaoyan", USERS_PAGE, viewport=PHONE)
    cards = page.locator("li.account")
    await expect(cards).to_have_count(len(cast.people))
    await expect(page.locator("table")).to_have_count(0)
    liu = page.locator(f'li.account[data-user-id="{cast.liuyang.id}"]')
    await expect(liu).to_contain_text("销售部 / 华东区")
    await expect(liu).to_contain_text("liuyang · 销售经理")
    await expect(liu.get_by_role("button", name="重置密码：刘洋")).to_be_visible()
    # Nothing sticks out sideways.
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-users-phone")


async def test_a_reset_shows_the_new_password_once(cast: Cast, open_page: OpenPage) -> None:
    page = await open_page("linxiaoyan", USERS_PAGE)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    liu = page.locator(f'tr[data-user-id="{cast.liuyang.id}"]')
    await liu.get_by_role("button", name="重置密码：刘洋").click()
    dialog = page.get_by_role("dialog", name="重置 刘洋 的密码")
    await expect(dialog).to_contain_text("所有设备上的登录和全部 API 令牌会立即失效")
    await dialog.get_by_role("button", name="生成新密码").click()
    shown = dialog.get_by_label("刘洋 的新密码")
    await expect(shown).to_have_value(re.compile(r"^[a-z2-9]{4}(-[a-z2-9]{4}){4}$"))
    password = await shown.input_value()
    await expect(dialog.get_by_role("status")).to_contain_text("新密码只显示这一次")
    await expect(dialog).to_contain_text("已让 1 个登录会话或令牌失效。")
    await dialog.get_by_role("button", name="复制").click()
    await expect(dialog.get_by_role("button", name="已复制")).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == password
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-reset-password")
    await dialog.get_by_role("button", name="完成").click()
    await expect(dialog).to_have_count(0)

    # The password works; the old session does not.
    assert (await cast.liuyang.api.get("/api/v1/users/me")).status_code == 401
    async with anonymous_client(cast.client) as anonymous:
        signed_in = await anonymous.post("/api/v1/auth/login",
                                         json={"login": "liuyang", "password": password})
        assert signed_in.status_code == 200, signed_in.text


IMPORT_WITH_PROBLEMS = (
    "姓名,用户名,邮箱,部门,职位,角色\r\n"
    "赵敏,zhaomin,zhaomin@example.com,研发部,前端工程师,成员\r\n"
    "钱多多,,,销售部/华东区,销售代表,\r\n"
    "孙悟空,zhangwei,,市场部,,\r\n"
    "=HYPERLINK(\"http://x\"),,,,,\r\n")
IMPORT_FIXED = (
    "姓名,用户名,邮箱,部门,职位,角色\r\n"
    "赵敏,zhaomin,zhaomin@example.com,研发部,前端工程师,成员\r\n"
    "钱多多,,,销售部/华东区,销售代表,\r\n"
    "孙悟空,sunwukong,,客服部,,管理员\r\n")


async def test_an_import_is_checked_then_added_whole(cast: Cast, open_page: OpenPage,
                                                     tmp_path: Path) -> None:
    with_problems = tmp_path / "花名册.csv"
    # GBK, as Excel in China saves a CSV.
    with_problems.write_bytes(IMPORT_WITH_PROBLEMS.encode("gbk"))
    fixed = tmp_path / "花名册-改.csv"
    fixed.write_bytes(b"\xef\xbb\xbf" + IMPORT_FIXED.encode())
    page = await open_page("linxiaoyan", USERS_PAGE)
    await page.get_by_role("button", name="批量导入").click()
    dialog = page.get_by_role("dialog", name="批量导入成员")
    await dialog.get_by_label("选择文件").set_input_files(str(with_problems))
    await expect(dialog.get_by_text("共 4 行：2 行可以导入，2 行有问题。")).to_be_visible()
    await expect(dialog).to_contain_text("只要有一行有问题，就一行都不会导入")
    confirm = dialog.get_by_role("button", name=re.compile("^导入"))
    await expect(confirm).to_be_disabled()
    # Only the rows with problems at first, each problem in words.
    rows = dialog.locator("tbody tr")
    await expect(rows).to_have_count(2)
    await expect(dialog.locator('tr[data-row="4"]')).to_contain_text("用户名已被使用")
    await expect(dialog.locator('tr[data-row="4"]')).to_contain_text("找不到部门“市场部”")
    await expect(dialog.locator('tr[data-row="5"]')).to_contain_text("可能是表格公式")
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-import-problems")
    await dialog.get_by_label("只看有问题的行").uncheck()
    await expect(rows).to_have_count(4)
    await expect(dialog.locator('tr[data-row="3"]')).to_contain_text("qianduoduo 自动生成")
    await expect(dialog.locator('tr[data-row="3"]')).to_contain_text("销售部 / 华东区")
    async with cast.runtime.reader() as uow:
        assert await uow.session.scalar(
            select(User.id).where(User.username == "zhaomin")) is None

    await dialog.get_by_label("选择文件").set_input_files(str(fixed))
    await expect(dialog.get_by_text("共 3 行：3 行可以导入，0 行有问题。")).to_be_visible()
    await expect(dialog.locator('tr[data-row="4"]')).to_contain_text("管理员")
    await confirm.click()
    await expect(dialog.get_by_role("status").filter(has_text="已导入 3 人。")).to_be_visible()
    await expect(dialog).to_contain_text("只显示这一次")
    passwords = dialog.locator("table.passwords tbody tr")
    await expect(passwords).to_have_count(3)
    await expect(passwords.first).to_contain_text("zhaomin")
    password = (await passwords.first.locator("code").inner_text()).strip()
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-import-done")
    await dialog.get_by_role("button", name="完成").click()
    # The list has them.
    await expect(page.locator('tr.account:has-text("赵敏")')).to_contain_text("前端工程师")
    await expect(page.locator('tr.account:has-text("孙悟空")').get_by_label("孙悟空 的角色")
                 ).to_have_value("admin")
    async with anonymous_client(cast.client) as anonymous:
        signed_in = await anonymous.post("/api/v1/auth/login",
                                         json={"login": "zhaomin", "password": password})
        assert signed_in.status_code == 200, signed_in.text


async def test_the_import_dialog_on_a_phone(cast: Cast, open_page: OpenPage,
                                            tmp_path: Path) -> None:
    sheet = tmp_path / "people.csv"
    sheet.write_text(IMPORT_WITH_PROBLEMS, encoding="utf-8")
    page = await open_page("linxiaoyan", USERS_PAGE, viewport=PHONE)
    await page.get_by_role("button", name="批量导入").click()
    dialog = page.get_by_role("dialog", name="批量导入成员")
    await dialog.get_by_label("选择文件").set_input_files(str(sheet))
    await expect(dialog.get_by_text("共 4 行：2 行可以导入，2 行有问题。")).to_be_visible()
    box = await dialog.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-import-phone")


async def test_members_and_guests_do_not_reach_the_page(cast: Cast, open_page: OpenPage) -> None:
    for username in ("zhangwei", "alex"):
        page = await open_page(username, USERS_PAGE)
        await expect(page).to_have_url(re.compile(r"/people$"))
        await expect(page.get_by_role("link", name="管理后台")).to_have_count(0)


async def test_the_audit_log_reads_in_words(cast: Cast, open_page: OpenPage) -> None:
    admin, owner = cast.linxiaoyan, cast.zhoujianguo
    await sign_in(cast.client, cast.lina.username)  # her sign-in is in the log too
    await admin.api.patch(f"/api/v1/users/{cast.lina.id}", json={"title": "首席架构师"})
    await owner.api.post(f"/api/v1/users/{cast.liuyang.id}/password-reset")
    # One entry a week ago, to be left out by a date range.
    async with cast.runtime.unit_of_work() as uow:
        await uow.session.execute(update(AuditEntry).where(
            AuditEntry.action == "user.created", AuditEntry.target == f"user:{cast.lina.id}"
        ).values(at=utcnow() - timedelta(days=7)))

    page = await open_page("linxiaoyan", "/admin/audit")
    table = page.get_by_role("region", name="审计日志记录")
    reset = table.locator('tr[data-action="password.reset"]')
    await expect(reset).to_contain_text("重置密码")
    await expect(reset.get_by_role("link", name="周建国")).to_have_attribute(
        "href", f"/people?user={owner.id}")
    await expect(reset.get_by_role("link", name="刘洋")).to_have_attribute(
        "href", f"/people?user={cast.liuyang.id}")
    created = table.locator('tr[data-action="department.created"]').first
    await expect(created).to_contain_text("新建部门")
    await expect(created.get_by_role("link")).to_have_count(2)  # the owner and the department
    # No action code is shown without its name.
    codes = await table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => r.querySelector('.action span').textContent.trim())")
    assert all(not re.fullmatch(r"[a-z_.]+", name) for name in codes), codes
    await assert_no_serious_violations(page)
    await screenshot(page, "admin-audit")

    # A person: what she did and what was done to her.
    await page.get_by_label("相关人员").fill("lina")
    await page.get_by_role("button", name=re.compile("^李娜")).click()
    await expect(page.get_by_role("button", name="清除人员 李娜")).to_be_visible()
    rows = table.locator("tbody tr")
    # The filtered list has come (刘洋's reset is not hers) before its rows are read.
    await expect(table.locator('tr[data-action="password.reset"]')).to_have_count(0)
    actions = await rows.evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert set(actions) == {"user.updated", "login.succeeded", "user.created"}, actions
    # From today on: the week-old entry drops out. Days are written and read back year
    # first, as in Chinese, whatever language the browser itself speaks (a date input showed
    # mm/dd/yyyy); the day is confirmed in words under the field.
    start, end = page.get_by_label("开始日期"), page.get_by_label("结束日期")
    await expect(start).to_have_attribute("placeholder", "年-月-日")
    today = utcnow().astimezone().date()
    await start.fill(today.strftime("%Y/%m/%d").replace("/0", "/"))  # 2026/12/6 is read too
    await start.blur()
    await expect(start).to_have_value(today.isoformat())
    weekday = "一二三四五六日"[today.weekday()]
    await expect(start).to_have_accessible_description(
        f"{today.year}年{today.month}月{today.day}日星期{weekday}")
    await expect(table.locator('tr[data-action="user.created"]')).to_have_count(0)
    await expect(table.locator('tr[data-action="user.updated"]')).to_have_count(1)
    await screenshot(page, "admin-audit-from-today")
    await page.get_by_label("操作").select_option(label="登录成功")
    await expect(rows).to_have_count(1)
    # A day that does not exist, or an end before the start, is said so and not applied.
    await end.fill("2026-02-30")
    await end.blur()
    await expect(end).to_have_attribute("aria-invalid", "true")
    await expect(end).to_have_accessible_description(re.compile("^无法识别这个日期"))
    await expect(rows).to_have_count(1)
    await end.fill("2001-01-01")
    await end.blur()
    await expect(end).to_have_accessible_description(
        f"不能早于{today.year}年{today.month}月{today.day}日星期{weekday}")
    await expect(rows).to_have_count(1)
    await start.fill("")
    await expect(end).not_to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_text("没有符合条件的记录。")).to_be_visible()
    await assert_no_serious_violations(page)
    await page.get_by_role("button", name="重置").click()
    await expect(page.get_by_label("相关人员")).to_have_value("")
    await expect(end).to_have_value("")
    await expect(table.locator('tr[data-action="user.created"]').first).to_be_visible()
