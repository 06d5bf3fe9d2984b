"""Every page endpoint against everyone who might call it: the space's owner (研发部's
manager), a member of the department, someone of another department, a guest, an
administrator, and a person whose grant was taken away — on a page that inherits the
space's grants and on one with grants of its own. A refusal is 404 where the page is not
seen and 403 where it is seen but not theirs to change; what is allowed really happens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.documents.helpers import (
    PAGES,
    department_grant,
    make_page,
    person_grant,
    set_page_grants,
    space_id_of,
)
from tests.helpers import Cast, Person

Call = Callable[[Cast, Person, dict[str, Any]], Awaitable[httpx.Response]]


async def fresh_page(cast: Cast, kind: str) -> dict[str, Any]:
    """A page of 研发部's space made by 李娜: "open" takes the space's grants (研发部 edits,
    everyone reads); "restricted" has its own — 研发部 comments, the guest Alex reads, and
    刘洋 could edit until his grant was taken away."""
    page = await make_page(cast.lina, await space_id_of(cast, "研发部"), "接口规范")
    if kind == "restricted":
        everyone = [department_grant(cast, "研发部", "comment"), person_grant(cast.alex, "view")]
        await set_page_grants(cast.lina, page["id"], [*everyone,
                                                      person_grant(cast.liuyang, "edit")])
        await set_page_grants(cast.lina, page["id"], everyone)
    return page


async def read_page(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    return await person.api.get(f"{PAGES}/{page['id']}")


async def read_permissions(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    return await person.api.get(f"{PAGES}/{page['id']}/permissions")


async def star(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    return await person.api.put(f"{PAGES}/{page['id']}/favourite")


async def unstar(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    return await person.api.delete(f"{PAGES}/{page['id']}/favourite")


async def rename(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    return await person.api.patch(f"{PAGES}/{page['id']}", json={"title": "接口规范 v2",
                                                                 "icon": "📐"})


async def move_to_top(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    return await person.api.post(f"{PAGES}/{page['id']}/move", json={"parent_id": None})


async def add_child(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    response = await person.api.post(PAGES, json={
        "space_id": page["space_id"], "parent_id": page["id"], "title": "附录"})
    # A space or parent named in the body that the caller cannot see is unknown to them
    # (422), as a page they cannot see is (404).
    if response.status_code == 422 and response.json()["error"]["code"] in (
            "unknown_space", "unknown_parent_page"):
        return httpx.Response(404, json=response.json())
    return response


async def trash_and_restore(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    deleted = await person.api.delete(f"{PAGES}/{page['id']}")
    if deleted.status_code != 204:
        return deleted
    return await person.api.post(f"{PAGES}/{page['id']}/restore")


async def set_freshness(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    return await person.api.put(f"{PAGES}/{page['id']}/freshness", json={
        "owner_id": cast.lina.id, "review_every_days": 90})


async def set_permissions(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    return await person.api.put(f"{PAGES}/{page['id']}/permissions", json={
        "inherit": False, "grants": [department_grant(cast, "研发部", "edit"),
                                     person_grant(person, "manage")]})


async def classify(cast: Cast, person: Person, page: dict[str, Any]) -> httpx.Response:
    return await person.api.patch(f"{PAGES}/{page['id']}", json={"classification": "public"})


READS: list[Call] = [read_page, read_permissions, star, unstar]
EDITS: list[Call] = [rename, move_to_top, add_child, trash_and_restore, set_freshness]
MANAGES: list[Call] = [set_permissions, classify]

# Who, which page, and the answer to a read, an edit, managing.
MATRIX: list[tuple[str, str, tuple[int, int, int]]] = [
    ("lina", "open", (200, 200, 200)),  # the space's owner
    ("lina", "restricted", (200, 200, 200)),  # ... whatever the page's own grants say
    ("zengzhiwei", "open", (200, 200, 403)),  # a member of the department: edits
    ("zengzhiwei", "restricted", (200, 403, 403)),  # ... comments only here
    ("wangfang", "open", (200, 403, 403)),  # another department: reads
    ("wangfang", "restricted", (404, 404, 404)),  # ... not granted here
    ("alex", "open", (404, 404, 404)),  # a guest: only what is granted to him
    ("alex", "restricted", (200, 403, 403)),
    ("linxiaoyan", "open", (200, 200, 200)),  # an administrator in no grant
    ("linxiaoyan", "restricted", (200, 200, 200)),
    ("liuyang", "open", (200, 403, 403)),  # his grant taken away: what everyone has
    ("liuyang", "restricted", (404, 404, 404)),  # ... and here nothing at all
]


@pytest.mark.parametrize(("who", "which", "expected"), MATRIX,
                         ids=[f"{w}-{p}" for w, p, _ in MATRIX])
async def test_every_page_endpoint_answers_each_caller_as_their_level_says(
        cast: Cast, who: str, which: str, expected: tuple[int, int, int]) -> None:
    await cast.add_person("zengzhiwei", "曾志伟", departments=("研发部",))
    person = cast.people[who]
    wrong = {}
    for calls, status in zip((READS, EDITS, MANAGES), expected, strict=True):
        for call in calls:
            page = await fresh_page(cast, which)
            response = await call(cast, person, page)
            # Allowed: whatever success the endpoint answers (200, 201, 204).
            right = (response.status_code // 100 == 2 if status == 200
                     else response.status_code == status)
            if status != 200:
                right = right and bool(response.json()["error"]["code"])
            if not right:
                wrong[call.__name__] = (response.status_code, response.text[:200])
    assert wrong == {}
