"""The account installing makes (`xietong ensure-owner`'s "管理员 Admin") is not a colleague:
the directory leaves it out for everyone but administrators, until someone makes a person
of it (a profile of its own, a department)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.helpers import Cast, build_cast, client_with_token, sign_in
from xietong.core.actor import Role
from xietong.org import actions
from xietong.org.models import User
from xietong.runtime import Runtime

SETUP_PASSWORD = "generated-Pa55word"


async def names_found(api: httpx.AsyncClient, **params: str) -> set[str]:
    response = await api.get("/api/v1/users", params=params)
    assert response.status_code == 200, response.text
    return {u["username"] for u in response.json()["items"]}


async def is_setup_account(runtime: Runtime, user_id: int) -> bool:
    async with runtime.reader() as uow:
        user = await uow.session.get(User, user_id)
        assert user is not None
        return user.setup_account


@pytest.fixture
async def installed(runtime: Runtime, client: httpx.AsyncClient) -> AsyncIterator[
        tuple[Cast, int, httpx.AsyncClient]]:
    """A company set up as `make run` does it: the first owner "admin" from ensure-owner,
    then the people (the cast). Yields the cast, admin's id and admin's API client."""
    async with runtime.unit_of_work() as uow:
        admin = await actions.ensure_first_owner(
            uow, username="admin", display_name="管理员 Admin", password=SETUP_PASSWORD,
            passwords=runtime.passwords)
    assert admin is not None
    cast = await build_cast(runtime, client)
    admin_api = client_with_token(client, await sign_in(client, "admin", SETUP_PASSWORD))
    yield cast, admin.id, admin_api
    await admin_api.aclose()
    await cast.close()


async def test_colleagues_do_not_find_it_administrators_do(
        runtime: Runtime, installed: tuple[Cast, int, httpx.AsyncClient]) -> None:
    cast, admin_id, admin_api = installed
    assert await is_setup_account(runtime, admin_id)
    for colleague in (cast.lina, cast.zhangwei):
        assert "admin" not in await names_found(colleague.api)
        assert "admin" not in await names_found(colleague.api, q="admin")
        assert "admin" not in await names_found(colleague.api, q="管理员")
        assert "admin" not in await names_found(colleague.api, q="gly")
        # Still a known sender: whoever reads its messages can look it up by id.
        shown = await colleague.api.get(f"/api/v1/users/{admin_id}")
        assert shown.status_code == 200
        assert shown.json()["display_name"] == "管理员 Admin"
        looked_up = await colleague.api.get("/api/v1/users/lookup", params={"ids": [admin_id]})
        assert [u["id"] for u in looked_up.json()] == [admin_id]
    # The real people are all there.
    assert await names_found(cast.lina.api) == {"lina", "linxiaoyan", "liuyang", "alex",
                                            "wangfang", "zhangwei", "zhoujianguo"}
    for administrator in (cast.linxiaoyan.api, cast.zhoujianguo.api, admin_api):
        assert "admin" in await names_found(administrator, q="管理员")
    # A guest sees only whom they share a channel with, and this account never by search.
    assert "admin" not in await names_found(cast.alex.api, q="admin")


async def test_a_profile_of_its_own_makes_it_a_colleague(
        runtime: Runtime, installed: tuple[Cast, int, httpx.AsyncClient]) -> None:
    cast, admin_id, admin_api = installed
    # Changing nothing changes nothing.
    same = await admin_api.patch(f"/api/v1/users/{admin_id}",
                                 json={"display_name": "管理员 Admin"})
    assert same.status_code == 200, same.text
    assert await is_setup_account(runtime, admin_id)
    # The owner who installed it gives it their name: from now on it is them.
    named = await admin_api.patch(f"/api/v1/users/{admin_id}",
                                  json={"display_name": "陈海", "title": "信息部经理"})
    assert named.status_code == 200, named.text
    assert not await is_setup_account(runtime, admin_id)
    assert "admin" in await names_found(cast.lina.api, q="陈海")


@pytest.mark.parametrize("how", ["user_departments", "department_members"])
async def test_joining_a_department_makes_it_a_colleague(
        runtime: Runtime, installed: tuple[Cast, int, httpx.AsyncClient], how: str) -> None:
    cast, admin_id, admin_api = installed
    department_id = cast.departments["总经办"]
    if how == "user_departments":
        response = await admin_api.patch(f"/api/v1/users/{admin_id}",
                                         json={"department_ids": [department_id]})
        assert response.status_code == 200, response.text
    else:
        members = await cast.linxiaoyan.api.get(f"/api/v1/departments/{department_id}/members")
        assert members.status_code == 200, members.text
        ids = members.json()["user_ids"]
        response = await cast.linxiaoyan.api.put(
            f"/api/v1/departments/{department_id}/members",
            json={"user_ids": [*ids, admin_id]})
        assert response.status_code == 200, response.text
    assert not await is_setup_account(runtime, admin_id)
    assert "admin" in await names_found(cast.lina.api, q="admin")


async def test_people_added_by_hand_are_colleagues_at_once(runtime: Runtime,
                                                          cast: Cast) -> None:
    added = await cast.linxiaoyan.api.post("/api/v1/users", json={
        "username": "admin2", "display_name": "值班管理员", "password": "another-Pa55word",
        "role": Role.ADMIN.value})
    assert added.status_code == 201, added.text
    assert not await is_setup_account(runtime, added.json()["id"])
    assert "admin2" in await names_found(cast.lina.api, q="值班")
