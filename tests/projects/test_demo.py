"""The demo launch (`xietong seed-demo`) on the demo company: three departments in one
project, its board under way, its schedule's critical path, and not made twice."""

from __future__ import annotations

from sqlalchemy import select

from xietong.manifest import DemoOptions
from xietong.org.demo import seed_demo_company
from xietong.org.models import User
from xietong.projects import queries
from xietong.projects.demo import TASKS, demo_projects
from xietong.projects.models import Project
from xietong.projects.schedule import critical_path, span_of
from xietong.runtime import Runtime


async def test_the_demo_launch_spans_departments(runtime: Runtime) -> None:
    options = DemoOptions(password="xietong-demo", passwords=runtime.passwords,
                          zone=runtime.settings.zone)
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=options.password, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        assert (await demo_projects(uow, options)).created == ("1 project", f"{len(TASKS)} tasks")
    async with runtime.unit_of_work() as uow:
        assert (await demo_projects(uow, options)).created == ()  # already there
    async with runtime.reader() as uow:
        project = await uow.session.scalar(select(Project).where(Project.name == "新品上市"))
        assert project is not None
        people = dict((await uow.session.execute(select(User.display_name, User.id))).all())
    async with runtime.reader() as uow:
        members = (await queries.members_of(uow, [project.id]))[project.id]
        tasks = await queries.tasks_of(uow, project.id)
        waits = await queries.dependencies_of(uow, [t.id for t in tasks])
    # 市场部, 研发部 (with its groups) and 华东区, and 陈晨 named.
    for name in ("王芳", "赵丽", "李娜", "唐宁", "刘洋", "陈晨"):
        assert people[name] in members, name
    assert people["魏强"] not in members
    spans = [s for t in tasks if (s := span_of(t.id, t.start_at, t.due_at))]
    titles = {t.id: t.title for t in tasks}
    assert [titles[t] for t in critical_path(spans, waits)][-2:] == ["销售培训材料",
                                                                    "华东区渠道培训"]
    assert project.owner_id == people["王芳"]
