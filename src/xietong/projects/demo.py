"""A cross-department launch for the demo company (`xietong seed-demo`): 新品上市, where
市场部 plans the campaign, 研发部 ships the feature and 销售部 trains the team — tasks
under way on its board, some depending on others, one overdue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org.models import Department, User
from xietong.projects import actions
from xietong.projects.access import ProjectAccess, standing_of
from xietong.projects.models import Project, Task, Visibility
from xietong.projects.reminders import reminder_day
from xietong.projects.schemas import ProjectCreate, TaskCreate

# (title, assignee, status, start offset in days from today, length in days, waits for)
TASKS: list[tuple[str, str, str, int, int, tuple[str, ...]]] = [
    ("确定上市时间和目标客户", "王芳", "已完成", -14, 3, ()),
    ("产品功能冻结", "李娜", "已完成", -10, 2, ("确定上市时间和目标客户",)),
    ("官网产品页设计", "郭静", "进行中", -6, 5, ("产品功能冻结",)),
    ("新功能联调和回归测试", "唐宁", "进行中", -4, 6, ("产品功能冻结",)),
    ("发布会场地和物料", "钱多多", "待处理", -3, 2, ("确定上市时间和目标客户",)),
    ("销售培训材料", "陈晨", "待处理", 1, 4, ("新功能联调和回归测试",)),
    ("华东区渠道培训", "刘洋", "待处理", 6, 2, ("销售培训材料",)),
    ("上市新闻稿", "孙悦", "待验收", -2, 3, ()),
]


async def demo_projects(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    departments = {d.name: d.id for d in (await uow.session.scalars(select(Department))).all()}
    if not {"市场部", "研发部", "销售部"} <= departments.keys():
        return DemoOutcome()  # not the demo company
    if await uow.session.scalar(select(Project.id).where(Project.name == "新品上市")):
        return DemoOutcome()
    people = {u.display_name: u for u in (await uow.session.scalars(select(User))).all()}
    owner = people["王芳"]
    actor = Actor(user_id=owner.id, role=Role(owner.role))
    project = await actions.do_create_project(uow, actor, ProjectCreate(
        name="新品上市",
        description="Q1 新品发布：市场部策划活动，研发部交付功能，销售部完成培训。",
        visibility=Visibility.COMPANY, department_ids=[departments["市场部"], departments["研发部"],
                                              departments["华东区"]],
        member_ids=[people["陈晨"].id]), zone=options.zone)
    standing, role = await standing_of(uow, actor, project)
    found = ProjectAccess(project, standing, role)
    statuses = {s.name: s.id for s in (await actions.statuses_for(uow, project.id))}
    today = reminder_day(utcnow(), options.zone)
    made: dict[str, Task] = {}
    for title, assignee, status, start, days, waits in TASKS:
        begins = today + timedelta(days=start)
        task = await actions.do_create_task(uow, actor, found, TaskCreate(
            title=title, assignee_id=people[assignee].id, status_id=statuses[status],
            start_at=begins, due_at=begins + timedelta(days=days - 1)))
        made[title] = task
        for earlier in waits:
            await actions.do_add_dependency(uow, actor, task, found, made[earlier].id)
    return DemoOutcome(created=("1 project", f"{len(TASKS)} tasks"))
