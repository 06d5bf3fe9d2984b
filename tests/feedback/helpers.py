"""Paths and small helpers of the 员工之声 tests."""

from __future__ import annotations

from typing import Any

from tests.helpers import Cast, Person

SUGGESTIONS = "/api/v1/suggestions"
KUDOS = "/api/v1/kudos"
SHOWCASE = "/api/v1/showcase"


async def suggest(cast: Cast, author: Person, department: str, body: str = "建议食堂增加素食窗口",
                  **fields: Any) -> dict[str, Any]:
    """A suggestion written by `author` to `department`: its id and receipt."""
    response = await author.api.post(SUGGESTIONS, json={
        "department_id": cast.departments[department], "body": body, **fields})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def thank(giver: Person, value: str = "teamwork", message: str = "谢谢你的帮忙！",
                **to: Any) -> dict[str, Any]:
    response = await giver.api.post(KUDOS, json={"value": value, "message": message, **to})
    assert response.status_code == 201, response.text
    given: dict[str, Any] = response.json()
    return given
