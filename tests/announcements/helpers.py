"""A company for announcements: the cast (tests/helpers.py) with 人力资源部 (潘婷 its
manager, 杜鹃 in it) chosen to review company-wide announcements, and 公司公告, an
announcement channel everyone is in, which 林晓燕 (an administrator) runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update

from tests.helpers import Cast, Person, create_channel, error_code
from xietong.announcements.models import Announcement
from xietong.core.actor import Actor, Role
from xietong.jobs.runner import JobRunner, RunnerOptions
from xietong.org import actions as org_actions
from xietong.org.models import Department
from xietong.org.schemas import DepartmentUpdate
from xietong.runtime import Runtime

API = "/api/v1/announcements"


@dataclass
class Company:
    cast: Cast
    channel_id: int

    def __getattr__(self, name: str) -> Person:
        try:
            return self.cast.people[name]
        except KeyError:
            raise AttributeError(name) from None


async def company(cast: Cast) -> Company:
    owner = Actor(user_id=cast.zhoujianguo.id, role=Role.OWNER)
    async with cast.runtime.unit_of_work() as uow:
        hr = await org_actions.do_create_department(uow, owner, name="人力资源部", parent_id=None)
        cast.departments["人力资源部"] = hr.id
    await cast.add_person("panting", "潘婷", departments=("人力资源部",), title="人力资源总监")
    await cast.add_person("dujuan", "杜鹃", departments=("人力资源部",), title="招聘经理")
    await cast.add_person("gaoyuan", "高远", departments=("研发部",), title="后端组长")
    async with cast.runtime.unit_of_work() as uow:
        row = await uow.session.get(Department, hr.id)
        assert row is not None
        await org_actions.do_update_department(uow, owner, row, DepartmentUpdate(
            manager_ids=[cast.panting.id]))
    chosen = await cast.linxiaoyan.api.put(f"{API}/settings",
                                           json={"review_department_id": hr.id})
    assert chosen.status_code == 200, chosen.text
    everyone = [p for p in cast.people.values() if p.role != Role.GUEST
                and p.username != "linxiaoyan"]
    channel_id = await create_channel(cast.linxiaoyan, "公司公告", "announcement", *everyone)
    return Company(cast, channel_id)


async def draft(person: Person, **fields: Any) -> dict[str, Any]:
    body = {"title": "春节放假通知", "body": "2 月 5 日至 11 日放假，**12 日**正常上班。",
            "audience": {"company": True}, **fields}
    made = await person.api.post(API, json=body)
    assert made.status_code == 201, made.text
    result: dict[str, Any] = made.json()
    return result


async def submit(person: Person, announcement_id: int) -> dict[str, Any]:
    sent = await person.api.post(f"{API}/{announcement_id}/submit")
    assert sent.status_code == 200, sent.text
    result: dict[str, Any] = sent.json()
    return result


async def review_task(person: Person, announcement_id: int) -> int:
    """The task of `person` in the announcement's review, as their approvals inbox lists it."""
    inbox = (await person.api.get("/api/v1/approvals")).json()["items"]
    shown = (await person.api.get(f"{API}/{announcement_id}")).json()
    review = shown["approval"]["id"]
    task_id: int = next(i["task"]["id"] for i in inbox if i["approval"]["id"] == review)
    return task_id


async def decide(person: Person, announcement_id: int, decision: str = "approve",
                 comment: str | None = None) -> None:
    task_id = await review_task(person, announcement_id)
    decided = await person.api.post(f"/api/v1/approvals/{task_id}/decide",
                                    json={"decision": decision, "comment": comment})
    assert decided.status_code == 200, decided.text


async def published_ids(person: Person) -> list[int]:
    listed = await person.api.get(API)
    assert listed.status_code == 200, listed.text
    return [a["id"] for a in listed.json()["items"]]


def refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert error_code(response) == code


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def runner_for(runtime: Runtime, clock: Clock, node: str = "announce-node") -> JobRunner:
    return JobRunner(registry=runtime.jobs.registry, writer=runtime.unit_of_work,
                     reader=runtime.reader, node=node, zone=runtime.settings.zone,
                     is_postgres=runtime.settings.is_postgres,
                     options=RunnerOptions(batch=50), clock=clock)


async def run_until_idle(runner: JobRunner) -> int:
    ran = 0
    while await runner.run_due():
        ran += 1
    return ran


async def move_expiry(runtime: Runtime, announcement_id: int, to: datetime) -> None:
    """Time passes: the announcement's expiry is now `to`."""
    async with runtime.unit_of_work() as uow:
        await uow.session.execute(update(Announcement).where(
            Announcement.id == announcement_id).values(expires_at=to))
