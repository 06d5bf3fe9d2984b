"""The request centre's tab counts: per box, what is still under way for the caller."""

from __future__ import annotations

from typing import Any

from tests.helpers import Cast, Person, anonymous_client
from tests.requests.test_requests import act, file

COUNTS = "/api/v1/requests/counts"


async def counts(person: Person) -> dict[str, Any]:
    response = await person.api.get(COUNTS)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_each_box_counts_what_is_still_under_way(cast: Cast) -> None:
    research = cast.departments["研发部"]
    first = await file(cast.wangfang, department_id=research, watcher_ids=[cast.zhangwei.id])
    second = await file(cast.wangfang, department_id=research)
    await file(cast.liuyang, department_id=cast.departments["客服部"])
    assert await counts(cast.wangfang) == {"mine": 2, "assigned": 0, "queue": 1, "watching": 0}
    assert await counts(cast.lina) == {"mine": 0, "assigned": 0, "queue": 2, "watching": 0}
    assert await counts(cast.zhangwei) == {"mine": 0, "assigned": 0, "queue": 0, "watching": 1}
    # Taken, then one of them withdrawn: it no longer counts anywhere.
    assert (await act(cast.lina, first["id"], "accept")).status_code == 200
    assert (await act(cast.wangfang, second["id"], "withdraw")).status_code == 200
    assert await counts(cast.lina) == {"mine": 0, "assigned": 1, "queue": 1, "watching": 0}
    assert await counts(cast.wangfang) == {"mine": 1, "assigned": 0, "queue": 1, "watching": 0}
    # Someone it does not concern counts nothing of it; a guest nothing at all.
    assert await counts(cast.alex) == {"mine": 0, "assigned": 0, "queue": 0, "watching": 0}


async def test_counts_need_a_session(cast: Cast) -> None:
    assert (await anonymous_client(cast.client).get(COUNTS)).status_code == 401
