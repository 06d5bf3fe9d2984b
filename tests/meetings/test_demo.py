"""The demo company's meetings (`xietong seed-demo`): a quarterly strategy meeting, a
fortnightly execution series with Chinese minutes whose action items were proposed (one
confirmed into the 新品上市 project) and a daily stand-up, made once."""

from __future__ import annotations

from sqlalchemy import select

from xietong.manifest import DemoOptions
from xietong.meetings.demo import demo_meetings
from xietong.meetings.models import ActionItem, Meeting
from xietong.org.demo import seed_demo_company
from xietong.projects.demo import demo_projects
from xietong.runtime import Runtime


async def test_the_demo_meetings(runtime: Runtime) -> None:
    options = DemoOptions(password="xietong-demo", passwords=runtime.passwords,
                          zone=runtime.settings.zone)
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=options.password, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        await demo_projects(uow, options)
    async with runtime.unit_of_work() as uow:
        made = await demo_meetings(uow, options)
    assert len(made.created) == 1
    assert made.created[0].endswith("meetings")
    async with runtime.unit_of_work() as uow:
        assert (await demo_meetings(uow, options)).created == ()  # already there
    async with runtime.reader() as uow:
        meetings = list(await uow.session.scalars(select(Meeting)))
        items = list(await uow.session.scalars(select(ActionItem)))
    tiers = {m.tier for m in meetings}
    assert tiers == {"strategic", "execution", "operational"}
    assert sum(1 for m in meetings if m.title == "季度经营分析会") == 1
    assert 1 < sum(1 for m in meetings if m.title == "新品上市项目双周会") <= 6
    assert any(m.minutes for m in meetings if m.title == "研发部每日站会")
    assert {i.status for i in items} >= {"proposed"}
    assert len(items) >= 4
