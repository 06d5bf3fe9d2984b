"""Dispatch suggestions over HTTP: the keyword lists while there is no history, the model
once the nightly job trained it on closed requests, never the requester's own department."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.helpers import Cast, Person
from tests.requests.test_requests import act, file
from xietong.jobs.models import Job
from xietong.requests.dispatching import TRAINING_JOB
from xietong.requests.models import DispatchModelRow

SUGGEST = "/api/v1/requests/suggest"


async def suggested(person: Person, text: str) -> dict[str, Any]:
    response = await person.api.post(SUGGEST, json={"text": text})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_keywords_speak_until_there_is_history(cast: Cast) -> None:
    found = await suggested(cast.zhangwei, "登录系统一直报错，接口返回 500，麻烦看下是不是 bug")
    departments = found["departments"]
    assert isinstance(departments, list)
    assert departments[0]["id"] == cast.departments["研发部"], departments
    assert departments[0]["source"] == "keywords"
    assert departments[0]["why"]
    assert all(word.lower() in "登录系统一直报错，接口返回 500，麻烦看下是不是 bug"
               for word in departments[0]["why"])
    # The least loaded people of 研发部 are offered to assign.
    assert [a["user_id"] for a in found["assignees"]] == [cast.lina.id]


async def test_never_ones_own_department(cast: Cast) -> None:
    text = "客户投诉发货太慢，要求退款，客服这边处理不了"
    assert (await suggested(cast.zhangwei, text))["departments"][0]["id"] == \
        cast.departments["客服部"]
    # 王芳 is in 客服部: her own department is not where her request goes.
    ids = [d["id"] for d in (await suggested(cast.wangfang, text))["departments"]]
    assert cast.departments["客服部"] not in ids


async def test_the_department_asked_by_name_leads_the_one_asking_trails(cast: Cast) -> None:
    """Departments are called by their own names too: 华东区 is in no keyword list."""
    text = "客服这边收到客户投诉退货太慢，想请华东区帮忙跟客户解释一下"
    departments = (await suggested(cast.linxiaoyan, text))["departments"]
    assert departments[0]["id"] == cast.departments["华东区"], departments
    assert departments[0]["why"] == ["华东区"]
    assert departments[-1]["id"] == cast.departments["客服部"]
    assert all(d["source"] == "keywords" for d in departments)


async def test_the_nightly_model_learns_from_closed_requests(cast: Cast) -> None:
    engineer = await cast.add_person("zhaolei", "赵磊", departments=("研发部",))
    agent = await cast.add_person("pengliang", "彭亮", departments=("客服部",))
    # Ten resolved requests each (the model speaks for a department once it has seen ten).
    cases = [("研发部", engineer, f"报表导出第 {n} 次乱码") for n in range(10)] + [
        ("客服部", agent, f"客户第 {n} 次来电要求换货") for n in range(10)]
    for department, person, title in cases:
        filed = await file(cast.zhangwei, department_id=cast.departments[department],
                           title=title)
        await act(person, filed["id"], "start")
        await act(person, filed["id"], "resolve")
    # The installation schedules the training once, whichever node starts first.
    await cast.runtime.schedule_recurring_jobs()
    await cast.runtime.schedule_recurring_jobs()
    async with cast.runtime.reader() as uow:
        jobs = (await uow.session.scalars(select(Job).where(Job.kind == TRAINING_JOB))).all()
    assert [(j.key, j.recurrence) for j in jobs] == [
        (f"recurring:{TRAINING_JOB}", "daily 03:30")]
    handler = cast.runtime.jobs.registry.handler_for(TRAINING_JOB)
    assert handler is not None
    async with cast.runtime.unit_of_work() as uow:
        await handler(uow, {})
    async with cast.runtime.reader() as uow:
        rows = (await uow.session.scalars(select(DispatchModelRow))).all()
    assert {r.target: r.examples for r in rows} == {"department": 20}
    found = await suggested(cast.liuyang, "报表导出又出问题了")
    first = found["departments"][0]
    assert first["id"] == cast.departments["研发部"]
    assert first["source"] == "model"
    assert "报表" in first["why"]


async def test_who_may_ask_and_what_is_refused(cast: Cast) -> None:
    assert (await cast.alex.api.post(SUGGEST, json={"text": "报表"})).status_code == 403
    assert (await cast.zhangwei.api.post(SUGGEST, json={"text": "长" * 20_001})).status_code == 422
    assert (await cast.zhangwei.api.post(SUGGEST, json={})).status_code == 422
    empty = await suggested(cast.zhangwei, "   ")
    assert empty == {"departments": [], "types": [], "assignees": []}
