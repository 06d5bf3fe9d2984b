"""Making projects and tasks through the API, as a client would."""

from __future__ import annotations

from typing import Any

from tests.helpers import Person

PROJECTS = "/api/v1/projects"
TASKS = "/api/v1/tasks"


async def make_project(person: Person, name: str = "新品上市", **body: Any) -> dict[str, Any]:
    response = await person.api.post(PROJECTS, json={"name": name, **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def make_task(person: Person, project_id: int, title: str, **body: Any) -> dict[str, Any]:
    response = await person.api.post(f"{PROJECTS}/{project_id}/tasks",
                                     json={"title": title, **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def board(person: Person, project_id: int) -> dict[str, Any]:
    response = await person.api.get(f"{PROJECTS}/{project_id}/board")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def column_titles(person: Person, project_id: int, status_name: str) -> list[str]:
    columns = (await board(person, project_id))["columns"]
    [column] = [c for c in columns if c["status"]["name"] == status_name]
    return [t["title"] for t in column["tasks"]]


def status_id(project: dict[str, Any], name: str) -> int:
    [found] = [s["id"] for s in project["statuses"] if s["name"] == name]
    return int(found)


async def move(person: Person, task_id: int, status: int, after_id: int | None = None) -> Any:
    return await person.api.post(f"{TASKS}/{task_id}/move",
                                 json={"status_id": status, "after_id": after_id})


async def set_labels(person: Person, project_id: int, *names: str,
                     color: str = "blue") -> dict[str, Any]:
    """The project's label set becomes `names` (all one colour)."""
    response = await person.api.put(f"{PROJECTS}/{project_id}/labels", json={
        "labels": [{"name": n, "color": color} for n in names]})
    assert response.status_code == 200, response.text
    made: dict[str, Any] = response.json()
    return made
