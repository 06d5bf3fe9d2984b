"""The tree of a space is one answer in a fixed number of statements, whatever the number of
pages: 10,000 pages (some with grants of their own) read like 10."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from tests.documents.helpers import PAGES, make_page, person_grant, set_page_grants, space_id_of
from tests.helpers import Cast, statements
from xietong.core import ranks
from xietong.core.clock import utcnow
from xietong.documents.models import Page

PAGES_IN_SPACE = 10_000
CHILDREN = 20


async def add_pages(cast: Cast, space_id: int, count: int, first_id: int) -> None:
    """`count` pages under 20 top pages, 20 children each, then grandchildren, written at
    once (making them through the API would measure making pages)."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    spread = ranks.spread(CHILDREN)
    for n in range(count):
        page_id = first_id + n
        above = parent_index(n)
        parent = None if above is None else first_id + above
        rows.append({"id": page_id, "space_id": space_id, "parent_id": parent,
                     "title": f"页面 {n}：发布流程", "icon": "", "rank": spread[n % CHILDREN],
                     "classification": "internal", "restricted": False,
                     "grants_from_id": None, "text": "", "markdown": "", "content_version": 0,
                     "created_at": now, "updated_at": now})
    async with cast.runtime.unit_of_work() as uow:
        for start in range(0, len(rows), 2_000):
            await uow.session.execute(insert(Page), rows[start:start + 2_000])


def parent_index(n: int) -> int | None:
    return None if n < CHILDREN else (n - CHILDREN) // CHILDREN


def above_of(n: int) -> list[int]:
    """The pages above page `n`, nearest first."""
    chain = []
    while (parent := parent_index(n)) is not None:
        chain.append(parent)
        n = parent
    return chain


def subtree_size(top: int, count: int) -> int:
    """How many of the `count` pages are `top` or under it."""
    inside = {top}
    for n in range(top + 1, count):
        if parent_index(n) in inside:
            inside.add(n)
    return len(inside)


async def read_tree(cast: Cast, space_id: int) -> tuple[int, int]:
    """(pages shown, statements run) of 王芳's read of the tree."""
    with statements(cast.runtime) as seen:
        response = await cast.wangfang.api.get(f"/api/v1/spaces/{space_id}/tree")
    assert response.status_code == 200, response.text
    return len(response.json()["items"]), len(seen)


async def test_the_tree_of_ten_thousand_pages_costs_what_ten_do(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    small = await make_page(cast.lina, space, "起点")
    hidden = await make_page(cast.lina, space, "仅李娜")
    await set_page_grants(cast.lina, hidden["id"], [person_grant(cast.lina, "manage")])
    await read_tree(cast, space)  # her credentials are looked up once, then remembered
    shown, few = await read_tree(cast, space)
    assert shown == 1
    await add_pages(cast, space, PAGES_IN_SPACE, first_id=small["id"] + 1000)
    # Some of them with grants of their own, one of which lets 王芳 in.
    for page_id in (small["id"] + 1000, small["id"] + 1005):
        await set_page_grants(cast.lina, page_id, [person_grant(cast.lina, "manage")])
    await set_page_grants(cast.lina, small["id"] + 1007, [person_grant(cast.wangfang, "view")])
    shown, many = await read_tree(cast, space)
    # Two top pages (and what is under them) are hidden from her.
    assert shown == 1 + PAGES_IN_SPACE - subtree_size(0, PAGES_IN_SPACE) - subtree_size(
        5, PAGES_IN_SPACE)
    assert many == few, (few, many)
    # The page itself reads in a fixed number of statements too, deep in the tree.
    deep = small["id"] + 1000 + next(n for n in reversed(range(PAGES_IN_SPACE))
                                     if len(chain := above_of(n)) == 2 and chain[-1] == 1)
    with statements(cast.runtime) as seen:
        answer = await cast.wangfang.api.get(f"{PAGES}/{deep}")
    assert answer.status_code == 200
    assert len(answer.json()["breadcrumbs"]) == 2
    assert len(seen) < 20, seen
