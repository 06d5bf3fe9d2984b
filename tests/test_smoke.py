from __future__ import annotations

import httpx

from tests.helpers import Cast


async def test_cast_signs_in_and_sees_itself(cast: Cast) -> None:
    response = await cast.zhangwei.api.get("/api/v1/users/me")
    assert response.status_code == 200
    me = response.json()
    assert me["display_name"] == "张伟"
    assert me["department_ids"] == [cast.departments["销售部"]]


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
