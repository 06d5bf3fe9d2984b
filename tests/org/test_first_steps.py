"""A new installation's first steps: the owner `ensure-owner` made is asked to change the
generated password, make departments and bring people in, until each is done; nobody but
administrators sees the list."""

from __future__ import annotations

import httpx

from tests.helpers import Cast, client_with_token, error_code, sign_in
from xietong.org.actions import ensure_first_owner
from xietong.runtime import Runtime

STEPS = "/api/v1/admin/first-steps"
GENERATED = "生成的初始密码 0K"


async def test_the_first_owner_is_asked_until_each_step_is_done(runtime: Runtime,
                                                                 client: httpx.AsyncClient) -> None:
    async with runtime.unit_of_work() as uow:
        owner = await ensure_first_owner(uow, username="admin", display_name="管理员 Admin",
                                         password=GENERATED, passwords=runtime.passwords)
    assert owner is not None
    admin = client_with_token(client, await sign_in(client, "admin", GENERATED))
    try:
        assert (await admin.get(STEPS)).json() == {
            "password_generated": True, "departments": 0, "people": 1}

        changed = await admin.post("/api/v1/users/me/password",
                                   json={"old_password": GENERATED,
                                         "new_password": "新的口令 correct horse"})
        assert changed.status_code == 204, changed.text
        made = await admin.post("/api/v1/departments", json={"name": "研发部"})
        assert made.status_code == 201, made.text
        person = await admin.post("/api/v1/users", json={
            "username": "lina", "display_name": "李娜", "password": "李娜的口令 battery"})
        assert person.status_code == 201, person.text
        assert (await admin.get(STEPS)).json() == {
            "password_generated": False, "departments": 1, "people": 2}
    finally:
        await admin.aclose()


async def test_only_administrators_see_the_first_steps(cast: Cast,
                                                       client: httpx.AsyncClient) -> None:
    # Owners and admins made otherwise chose their password.
    for person in (cast.zhoujianguo, cast.linxiaoyan):
        found = await person.api.get(STEPS)
        assert found.status_code == 200
        assert found.json()["password_generated"] is False
    for person in (cast.lina, cast.alex):
        refused = await person.api.get(STEPS)
        assert refused.status_code == 403
        assert error_code(refused) == "forbidden"
    async with httpx.AsyncClient(transport=client._transport,
                                 base_url=client.base_url) as nobody:
        assert (await nobody.get(STEPS)).status_code == 401
