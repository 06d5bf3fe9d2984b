"""The administrators' list of accounts: departments by path, title, role, status and last
sign-in, with filters, paged; nobody else may read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.api_inputs import refused
from tests.helpers import Cast, Person, anonymous_client, sign_in
from xietong.core.actor import Role
from xietong.org.actions import do_create_user
from xietong.org.names import sort_key_for

ACCOUNTS = "/api/v1/admin/users"


async def accounts(reader: Person, **params: Any) -> list[dict[str, Any]]:
    response = await reader.api.get(ACCOUNTS, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    items: list[dict[str, Any]] = page["items"]
    return items


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["display_name"] for item in items]


async def test_every_account_with_departments_role_status_and_last_sign_in(
        cast: Cast) -> None:
    admin = cast.linxiaoyan
    never = await cast.add_person("qianduoduo", "钱多多", departments=("华东区",))
    # add_person signs everyone in once; one who never did is made directly.
    async with cast.runtime.unit_of_work() as uow:
        await do_create_user(uow, None, username="sunli", display_name="孙丽", password="x" * 12,
                             passwords=cast.runtime.passwords, title="实习生")
    gone = await admin.api.patch(f"/api/v1/users/{never.id}", json={"active": False})
    assert gone.status_code == 200

    items = await accounts(admin)
    by_name = {item["display_name"]: item for item in items}
    # Pinyin order, everyone (former colleagues too).
    keys = [sort_key_for(name) for name in names(items)]
    assert keys == sorted(keys)
    assert {"钱多多", "孙丽", "周建国", "外部顾问 Alex"} <= set(by_name)
    liu = by_name["刘洋"]
    assert liu["departments"] == [{"id": cast.departments["华东区"], "path": ["销售部", "华东区"]}]
    assert (liu["title"], liu["role"], liu["active"]) == ("销售经理", "member", True)
    assert datetime.fromisoformat(liu["last_sign_in_at"]).tzinfo is not None
    assert by_name["孙丽"]["last_sign_in_at"] is None
    assert by_name["钱多多"]["active"] is False
    # A later sign-in moves it on.
    before = datetime.fromisoformat(liu["last_sign_in_at"])
    await sign_in(cast.client, "liuyang")
    liu_now = next(i for i in await accounts(admin, q="liuyang"))
    assert datetime.fromisoformat(liu_now["last_sign_in_at"]) > before


async def test_filters_combine(cast: Cast) -> None:
    admin = cast.linxiaoyan
    await cast.add_person("qianduoduo", "钱多多", departments=("华东区",), title="销售代表")
    await admin.api.patch(f"/api/v1/users/{cast.people['qianduoduo'].id}",
                          json={"active": False})
    sales = cast.departments["销售部"]
    # A department takes in its sub-departments unless told not to.
    assert names(await accounts(admin, department_id=sales)) == ["刘洋", "钱多多", "张伟"]
    assert names(await accounts(admin, department_id=sales,
                                include_subdepartments="false")) == ["张伟"]
    assert names(await accounts(admin, department_id=sales, status="active")) == ["刘洋", "张伟"]
    assert names(await accounts(admin, status="deactivated")) == ["钱多多"]
    assert names(await accounts(admin, role=Role.GUEST.value)) == ["外部顾问 Alex"]
    assert names(await accounts(admin, role="admin")) == ["林晓燕"]
    # By name, pinyin, initials, username.
    for q in ("刘", "liuyang", "ly", "LIU"):
        assert names(await accounts(admin, q=q)) == ["刘洋"], q
    assert await accounts(admin, q="销售", role="owner") == []
    for params in ({"role": "boss"}, {"status": "gone"}, {"department_id": 0},
                   {"limit": 0}, {"limit": 201}):
        refused(await admin.api.get(ACCOUNTS, params=params), 422, "invalid")
    refused(await admin.api.get(ACCOUNTS, params={"department_id": 999_999}), 404)
    refused(await admin.api.get(ACCOUNTS, params={"cursor": "nope"}), 400, "bad_cursor")


async def test_pages_cover_everyone_once(cast: Cast) -> None:
    admin = cast.linxiaoyan
    for n in range(5):
        await cast.add_person(f"staff{n}", f"员工{n}号")
    everyone = [item["id"] for item in await accounts(admin)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await admin.api.get(ACCOUNTS, params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everyone


async def test_only_administrators_list_accounts(cast: Cast) -> None:
    for person in (cast.zhangwei, cast.lina, cast.alex):
        refused(await person.api.get(ACCOUNTS), 403, "forbidden")
        refused(await person.api.get(ACCOUNTS, params={"status": "deactivated"}), 403)
    async with anonymous_client(cast.client) as anonymous:
        refused(await anonymous.get(ACCOUNTS), 401)
    assert (await cast.zhoujianguo.api.get(ACCOUNTS)).status_code == 200
