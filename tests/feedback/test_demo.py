"""The demo company's 员工之声 (`xietong seed-demo`): suggestions to several departments,
some answered by their managers, a few weeks of kudos, no author kept; not made twice."""

from __future__ import annotations

from sqlalchemy import func, select

from xietong.feedback.demo import KUDOS, SUGGESTIONS, demo_feedback
from xietong.feedback.models import Kudos, Suggestion
from xietong.manifest import DemoOptions
from xietong.org.demo import seed_demo_company
from xietong.runtime import Runtime


async def test_the_demo_box_and_feed(runtime: Runtime) -> None:
    options = DemoOptions(password="xietong-demo", passwords=runtime.passwords,
                          zone=runtime.settings.zone)
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=options.password, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        made = await demo_feedback(uow, options)
    assert made.created == (f"{len(SUGGESTIONS)} suggestions", f"{len(KUDOS)} kudos",
                            "0 best-practice cases")
    async with runtime.unit_of_work() as uow:
        assert (await demo_feedback(uow, options)).created == ()
    async with runtime.reader() as uow:
        suggestions = list(await uow.session.scalars(select(Suggestion)))
        assert len({s.submitted_on for s in suggestions}) == len(SUGGESTIONS)
        assert sum(s.answer is not None for s in suggestions) == sum(
            answer is not None for *_, answer in SUGGESTIONS)
        assert all(s.from_department_id is None for s in suggestions)
        assert await uow.session.scalar(select(func.count()).select_from(Kudos)) == len(KUDOS)
