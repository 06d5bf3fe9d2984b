"""Spaces and pages through the API, as a client would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import Cast, Person

API = "/api/v1"
SPACES = f"{API}/spaces"
PAGES = f"{API}/pages"


async def department_space(person: Person, cast: Cast, department: str) -> dict[str, Any]:
    """The space of `department`, as `person` lists it."""
    response = await person.api.get(SPACES)
    assert response.status_code == 200, response.text
    [found] = [s for s in response.json()["items"]
               if s["department_id"] == cast.departments[department]]
    space: dict[str, Any] = found
    return space


async def space_id_of(cast: Cast, department: str) -> int:
    """The space of `department` (as an administrator finds it)."""
    return int((await department_space(cast.linxiaoyan, cast, department))["id"])


async def make_space(person: Person, name: str, **body: Any) -> dict[str, Any]:
    response = await person.api.post(SPACES, json={"name": name, **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def make_page(person: Person, space_id: int, title: str | None = None,
                    **body: Any) -> dict[str, Any]:
    fields = {"space_id": space_id, **body}
    if title is not None:
        fields["title"] = title
    response = await person.api.post(PAGES, json=fields)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def tree(person: Person, space_id: int) -> list[dict[str, Any]]:
    response = await person.api.get(f"{SPACES}/{space_id}/tree")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def shape(items: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The tree as (title, parent's title), in its order."""
    titles = {item["id"]: item["title"] for item in items}
    return [(item["title"], titles.get(item["parent_id"])) for item in items]


async def move(person: Person, page_id: int, **body: Any) -> httpx.Response:
    return await person.api.post(f"{PAGES}/{page_id}/move", json=body)


async def set_page_grants(person: Person, page_id: int, grants: list[dict[str, Any]],
                          inherit: bool = False) -> dict[str, Any]:
    response = await person.api.put(f"{PAGES}/{page_id}/permissions",
                                    json={"inherit": inherit, "grants": grants})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def person_grant(person: Person, level: str) -> dict[str, Any]:
    return {"subject": "user", "user_id": person.id, "level": level}


def department_grant(cast: Cast, department: str, level: str) -> dict[str, Any]:
    return {"subject": "department", "department_id": cast.departments[department],
            "level": level}


async def status(person: Person, page_id: int) -> int:
    """What the page's own route answers `person` (200 or 404)."""
    return (await person.api.get(f"{PAGES}/{page_id}")).status_code
