"""Demo approval flows (`xietong seed-demo`), on the demo company's departments."""

from __future__ import annotations

from sqlalchemy import select

from xietong.approvals.actions import create_flow
from xietong.approvals.models import ApprovalFlow, StepMode
from xietong.approvals.schemas import REQUESTER_DEPARTMENT, ApproverSpec, StepSpec
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org import queries as org_queries

# (flow, [(mode, [department whose managers approve, or None for the requester's])])
FLOWS: list[tuple[str, list[tuple[StepMode, list[str | None]]]]] = [
    ("请假审批", [(StepMode.ONE, [None])]),
    ("费用报销", [(StepMode.ONE, [None]), (StepMode.ONE, ["财务部"])]),
    ("采购审批", [(StepMode.ONE, [None]), (StepMode.ALL, ["财务部", "生产部"]),
              (StepMode.ONE, ["总经办"])]),
]


async def demo_flows(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    """Approvals' step of `xietong seed-demo`: three flows, unless they are there (or the
    demo company is not)."""
    if await uow.session.scalar(select(ApprovalFlow.id).where(
            ApprovalFlow.name.in_([name for name, _ in FLOWS]))):
        return DemoOutcome()
    roots = {d.name: d.id for d in await org_queries.all_departments(uow)
             if d.parent_id is None}
    named = {d for _, steps in FLOWS for _, departments in steps for d in departments if d}
    if not named <= set(roots):
        return DemoOutcome()
    now = utcnow()
    for name, steps in FLOWS:
        await create_flow(uow, name=name, created_by=None, now=now, steps=[
            StepSpec(mode=mode, approvers=[
                ApproverSpec(manager_of=roots[d] if d else REQUESTER_DEPARTMENT)
                for d in departments])
            for mode, departments in steps])
    return DemoOutcome(created=(f"{len(FLOWS)} approval flows",))
