"""The demo company's goals (`xietong seed-demo`): the company's objectives with the
departments' and people's aligned under them, progress rolled up from check-ins and from
the demo launch's tasks, and not made twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from xietong.goals.demo import OBJECTIVES, demo_goals
from xietong.goals.models import KeyResult, Objective
from xietong.goals.rollup import Node, roll_up
from xietong.manifest import DemoOptions
from xietong.org.demo import seed_demo_company
from xietong.projects.demo import demo_projects
from xietong.runtime import Runtime


async def test_the_demo_goals_roll_up_to_the_company(runtime: Runtime) -> None:
    options = DemoOptions(password="xietong-demo", passwords=runtime.passwords,
                          zone=runtime.settings.zone)
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=options.password, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        await demo_projects(uow, options)
    async with runtime.unit_of_work() as uow:
        made = await demo_goals(uow, options)
        assert made.created == (f"{len(OBJECTIVES)} objectives", "13 key results")
    async with runtime.unit_of_work() as uow:
        assert (await demo_goals(uow, options)).created == ()  # already there
    async with runtime.reader() as uow:
        objectives = {o.title: o for o in await uow.session.scalars(select(Objective))}
        results = list(await uow.session.scalars(select(KeyResult)))
    by_id = {o.id: o for o in objectives.values()}
    launch = objectives["新品成功上市，打开华东市场"]
    assert {by_id[o.parent_id].title for o in objectives.values() if o.parent_id} == {
        "新品成功上市，打开华东市场", "华东区新品签约 30 家", "新品品牌声量进入行业前三"}
    assert [o.level for o in objectives.values()].count("person") == 2
    # The launch's task-counted key result: 2 of the 8 demo tasks are done.
    [counted] = [r for r in results if r.kind == "tasks"]
    assert counted.progress == pytest.approx(2 / 8)
    # What is stored is the roll-up of what is stored.
    expected = roll_up({o.id: Node(o.parent_id, o.weight, tuple(
        (r.weight, r.progress) for r in results if r.objective_id == o.id))
        for o in objectives.values()})
    for objective in objectives.values():
        assert objective.progress == pytest.approx(expected[objective.id]), objective.title
    assert 0 < launch.progress < 1
