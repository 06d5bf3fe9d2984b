"""Every project and task endpoint against everyone who might call it: a member, someone
outside a members-only project, a colleague reading a company-visible one, a guest added to
neither, and an administrator in neither. A refusal is 404 where the project is not seen
and 403 where it is seen but not theirs to change; what is allowed really happens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.helpers import Cast, Person
from tests.projects.helpers import PROJECTS, TASKS, make_project, make_task, status_id


@dataclass
class Projects:
    private: dict[str, Any]
    public: dict[str, Any]


Call = Callable[[Cast, Person, dict[str, Any]], Awaitable[httpx.Response]]


async def _fresh_task(cast: Cast, project: dict[str, Any]) -> dict[str, Any]:
    return await make_task(cast.lina, project["id"], "准备物料")


async def read_project(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    return await person.api.get(f"{PROJECTS}/{project['id']}")


async def read_board(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    return await person.api.get(f"{PROJECTS}/{project['id']}/board")


async def read_list(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    return await person.api.get(f"{PROJECTS}/{project['id']}/tasks")


async def read_gantt(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    return await person.api.get(f"{PROJECTS}/{project['id']}/gantt")


async def read_task(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    return await person.api.get(f"{TASKS}/{(await _fresh_task(cast, project))['id']}")


async def read_history(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    task = await _fresh_task(cast, project)
    return await person.api.get(f"{TASKS}/{task['id']}/history")


async def create_task(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    return await person.api.post(f"{PROJECTS}/{project['id']}/tasks", json={"title": "新任务"})


async def change_task(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    task = await _fresh_task(cast, project)
    return await person.api.patch(f"{TASKS}/{task['id']}", json={"priority": "high"})


async def move_task(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    task = await _fresh_task(cast, project)
    return await person.api.post(f"{TASKS}/{task['id']}/move",
                                 json={"status_id": status_id(project, "进行中")})


async def link_tasks(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    first, second = (await _fresh_task(cast, project), await _fresh_task(cast, project))
    return await person.api.post(f"{TASKS}/{second['id']}/dependencies",
                                 json={"depends_on_id": first["id"]})


async def unlink_tasks(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    first, second = (await _fresh_task(cast, project), await _fresh_task(cast, project))
    linked = await cast.lina.api.post(f"{TASKS}/{second['id']}/dependencies",
                                      json={"depends_on_id": first["id"]})
    assert linked.status_code == 201, linked.text
    return await person.api.delete(f"{TASKS}/{second['id']}/dependencies/{first['id']}")


async def rename_project(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    return await person.api.patch(f"{PROJECTS}/{project['id']}",
                                  json={"description": "改了说明"})


async def add_member(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    return await person.api.post(f"{PROJECTS}/{project['id']}/members",
                                 json={"user_ids": [cast.liuyang.id]})


async def remove_member(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    added = await cast.lina.api.post(f"{PROJECTS}/{project['id']}/members",
                                     json={"user_ids": [cast.liuyang.id]})
    assert added.status_code == 200, added.text
    return await person.api.delete(f"{PROJECTS}/{project['id']}/members/{cast.liuyang.id}")


async def reshape_board(cast: Cast, person: Person, project: dict[str, Any]) -> httpx.Response:
    statuses = [{"id": s["id"], "name": s["name"], "category": s["category"]}
                for s in project["statuses"]]
    return await person.api.put(f"{PROJECTS}/{project['id']}/statuses",
                                json={"statuses": statuses})


READS: list[Call] = [read_project, read_board, read_list, read_gantt, read_task, read_history]
WORK: list[Call] = [create_task, change_task, move_task, link_tasks, unlink_tasks]
MANAGE: list[Call] = [rename_project, add_member, remove_member, reshape_board]

# Who, which project, and the answer to each kind of call: a read, work on tasks, managing.
MATRIX: list[tuple[str, str, tuple[int, int, int]]] = [
    ("zhangwei", "private", (200, 200, 403)),  # a member
    ("zhangwei", "public", (200, 200, 403)),
    ("wangfang", "private", (404, 404, 404)),  # outside a members-only project
    ("wangfang", "public", (200, 403, 403)),  # a colleague, company-visible
    ("alex", "private", (404, 404, 404)),  # a guest added to neither
    ("alex", "public", (404, 404, 404)),
    ("linxiaoyan", "private", (200, 403, 200)),  # an administrator in neither
    ("linxiaoyan", "public", (200, 403, 200)),
]


@pytest.mark.parametrize(("who", "which", "expected"), MATRIX,
                         ids=[f"{w}-{p}" for w, p, _ in MATRIX])
async def test_every_endpoint_answers_each_caller_as_their_standing_says(
        cast: Cast, who: str, which: str, expected: tuple[int, int, int]) -> None:
    projects = Projects(
        private=await make_project(cast.lina, "内部重构", member_ids=[cast.zhangwei.id]),
        public=await make_project(cast.lina, "官网改版", visibility="company",
                                  member_ids=[cast.zhangwei.id]))
    project = getattr(projects, which)
    person = cast.people[who]
    answers = {}
    for calls, status in zip((READS, WORK, MANAGE), expected, strict=True):
        for call in calls:
            response = await call(cast, person, project)
            # Allowed: whatever success the endpoint answers (200, 201, 204).
            answers[call.__name__] = (response.status_code // 100 == 2 if status == 200
                                      else response.status_code == status)
            if status != 200:
                assert response.json()["error"]["code"], response.text
    assert [name for name, right in answers.items() if not right] == []
