"""The demo flows (`xietong seed-demo`) work on the demo company: a purchase by a sales
representative goes to her manager, then to finance and production together, then to the
general manager."""

from __future__ import annotations

from sqlalchemy import select

from xietong.approvals.actions import do_start_flow
from xietong.approvals.demo import demo_flows
from xietong.approvals.models import ApprovalFlow
from xietong.approvals.views import summary_for
from xietong.core.clock import utcnow
from xietong.core.events import Scope
from xietong.manifest import DemoOptions
from xietong.org.demo import seed_demo_company
from xietong.org.models import Department, User
from xietong.runtime import Runtime


async def test_demo_flows_resolve_on_the_demo_company(runtime: Runtime) -> None:
    options = DemoOptions(password="xietong-demo", passwords=runtime.passwords,
                          zone=runtime.settings.zone)
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=options.password, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        made = await demo_flows(uow, options)
    assert made.created == ("3 approval flows",)
    async with runtime.unit_of_work() as uow:
        assert (await demo_flows(uow, options)).created == ()  # already there
        flow_id = await uow.session.scalar(
            select(ApprovalFlow.id).where(ApprovalFlow.name == "采购审批"))
        people = dict((await uow.session.execute(select(User.display_name, User.id))).all())
        east = await uow.session.scalar(select(Department.id).where(Department.name == "华东区"))
        assert flow_id is not None
        assert east is not None
        await do_start_flow(uow, flow_id=flow_id, subject=Scope("expense", 1),
                            title="采购投影仪一台", requester_id=people["杨帆"],
                            requester_department_id=east, now=utcnow())
    async with runtime.reader() as uow:
        summary = await summary_for(uow, Scope("expense", 1))
    assert summary is not None
    assert [[a.user_id for a in s.approvers] for s in summary.steps] == [
        [people["刘洋"]], [people["蒋文"], people["魏强"]], [people["周建国"]]]
