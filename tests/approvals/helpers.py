"""Approvals as tests use them: flows made by an administrator over the API, approvals
started the way a subject's domain starts them (`do_start_flow`), the inbox and decisions
over the API, and a recorder of the `ApprovalConcluded` signal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from tests.helpers import Cast, Person
from xietong.approvals.actions import do_start_flow
from xietong.core.clock import utcnow
from xietong.core.errors import Conflict
from xietong.core.events import Scope
from xietong.core.signals import ApprovalConcluded
from xietong.core.uow import UnitOfWork

API = "/api/v1"
FLOWS = f"{API}/approval-flows"
APPROVALS = f"{API}/approvals"
DELEGATION = f"{APPROVALS}/delegation"
# Subjects of a kind no domain owns (an expense claim): approvals know nothing of them.
KIND = "expense"


def user(person: Person) -> dict[str, Any]:
    return {"user_id": person.id}


def managers_of(department: int | str = "requester_department") -> dict[str, Any]:
    return {"manager_of": department}


def step(mode: str, *approvers: dict[str, Any]) -> dict[str, Any]:
    return {"mode": mode, "approvers": list(approvers)}


async def make_flow(cast: Cast, *steps: dict[str, Any], name: str = "报销审批") -> int:
    """A flow made by the administrator 林晓燕; its id."""
    response = await cast.linxiaoyan.api.post(FLOWS, json={"name": name, "steps": list(steps)})
    assert response.status_code == 201, response.text
    flow_id: int = response.json()["id"]
    return flow_id


async def start(cast: Cast, flow_id: int, requester: Person, subject_id: int, *,
                department: str | None, title: str = "差旅报销 3,200 元",
                now: datetime | None = None) -> int:
    """The approval of `expense:<subject_id>`, started as a subject's domain starts one;
    the instance's id."""
    async with cast.runtime.unit_of_work() as uow:
        instance = await do_start_flow(
            uow, flow_id=flow_id, subject=Scope(KIND, subject_id), title=title,
            requester_id=requester.id,
            requester_department_id=cast.departments[department] if department else None,
            now=now or utcnow())
    return instance.id


async def box(person: Person, name: str = "todo", **params: Any) -> dict[str, Any]:
    response = await person.api.get(APPROVALS, params={"box": name, **params})
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def todo_task(person: Person, subject_id: int) -> dict[str, Any]:
    """The person's waiting task on `expense:<subject_id>` (as the inbox lists it)."""
    items = (await box(person, "todo", limit=100))["items"]
    found = [i["task"] for i in items if i["approval"]["subject_id"] == subject_id]
    assert len(found) == 1, items
    task: dict[str, Any] = found[0]
    return task


async def approval(requester: Person, subject_id: int) -> dict[str, Any]:
    """The approval as its requester's 我发起的 box shows it."""
    items = (await box(requester, "mine", limit=100))["items"]
    found = [i["approval"] for i in items if i["approval"]["subject_id"] == subject_id]
    assert len(found) == 1, items
    shown: dict[str, Any] = found[0]
    return shown


async def decide(person: Person, task_id: int, decision: str,
                 comment: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"decision": decision}
    if comment is not None:
        body["comment"] = comment
    return await person.api.post(f"{APPROVALS}/{task_id}/decide", json=body)


async def approve(person: Person, subject_id: int) -> dict[str, Any]:
    """The person approves their waiting task on the subject; the item answered."""
    task = await todo_task(person, subject_id)
    response = await decide(person, task["id"], "approve")
    assert response.status_code == 200, response.text
    item: dict[str, Any] = response.json()
    return item


def approvers(shown: dict[str, Any], number: int) -> dict[int, str]:
    """{user_id: task state} of step `number` of an approval."""
    return {a["user_id"]: a["state"] for a in shown["steps"][number - 1]["approvers"]}


@dataclass
class Concluded:
    """What `ApprovalConcluded` told its handler, as a subject's domain would hear it;
    `refuse` makes the handler refuse (as a subject that cannot move on would)."""

    heard: list[ApprovalConcluded] = field(default_factory=list)
    refuse: bool = False

    async def handle(self, _uow: UnitOfWork, signal: ApprovalConcluded) -> None:
        self.heard.append(signal)
        if self.refuse:
            raise Conflict("The subject cannot move on.", code="conflict")
