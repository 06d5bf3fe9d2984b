"""Setting objectives and key results through the API, as a client would."""

from __future__ import annotations

from typing import Any

from tests.helpers import Person

OBJECTIVES = "/api/v1/objectives"
KEY_RESULTS = "/api/v1/key-results"
PERIOD = "2026-Q4"


async def make_objective(person: Person, title: str, level: str = "company",
                         **body: Any) -> dict[str, Any]:
    response = await person.api.post(OBJECTIVES, json={
        "title": title, "level": level, "period": PERIOD, **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def add_key_result(person: Person, objective_id: int, title: str,
                         **body: Any) -> dict[str, Any]:
    """The new key result (as the reply is: the key result with its `objective`)."""
    response = await person.api.post(f"{OBJECTIVES}/{objective_id}/key-results",
                                     json={"title": title, **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    assert made["objective"]["key_results"][-1]["id"] == made["id"]
    return made


async def check_in(person: Person, key_result_id: int, **body: Any) -> Any:
    return await person.api.post(f"{KEY_RESULTS}/{key_result_id}/check-ins", json=body)


async def progress_of(person: Person, objective_id: int) -> float:
    response = await person.api.get(f"{OBJECTIVES}/{objective_id}")
    assert response.status_code == 200, response.text
    return float(response.json()["progress"])
