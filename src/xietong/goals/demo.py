"""The demo company's goals for this quarter (`xietong seed-demo`): two company objectives
set by 总经理 周建国, department objectives of 市场部, 研发部 and 销售部 aligned to them,
metric key results with a check-in or two, and one counted from the 新品上市 project's
tasks."""

from __future__ import annotations

from sqlalchemy import select

from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.goals import actions
from xietong.goals.access import access_objective, viewer_of
from xietong.goals.models import KeyResultKind, Level, Objective
from xietong.goals.periods import quarter_of
from xietong.goals.schemas import CheckInCreate, KeyResultCreate, ObjectiveCreate
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org.models import Department, User
from xietong.projects.models import Project

# (title, owner, department (None: the company's; "个人": the owner's own), parent title,
# key results)
# key results: (title, start, target, unit, current now, confidence) or
# (title, "project", project name) for one counted from a project's tasks.
KeyResultSpec = tuple[str, float, float, str, float, int] | tuple[str, str, str]
OBJECTIVES: list[tuple[str, str, str | None, str | None, list[KeyResultSpec]]] = [
    ("新品成功上市，打开华东市场", "周建国", None, None, [
        ("新品首月签约客户数", 0, 50, "家", 18, 7),
        ("新品上市项目按期完成", "project", "新品上市"),
    ]),
    ("提升客户满意度", "周建国", None, None, [
        ("客户满意度评分", 4.1, 4.6, "分", 4.3, 6),
        ("客户投诉数降到每月 10 起以内", 40, 10, "起", 26, 5),
    ]),
    ("新品品牌声量进入行业前三", "王芳", "市场部", "新品成功上市，打开华东市场", [
        ("新品发布会线上观看人次", 0, 100000, "人次", 42000, 7),
        ("获取销售线索", 0, 800, "条", 310, 6),
    ]),
    ("新品功能按期高质量交付", "李娜", "研发部", "新品成功上市，打开华东市场", [
        ("上市前严重缺陷清零", 23, 0, "个", 9, 8),
        ("核心接口 P95 延迟", 480, 200, "ms", 320, 6),
    ]),
    ("华东区新品签约 30 家", "张伟", "销售部", "新品成功上市，打开华东市场", [
        ("华东区新品签约客户", 0, 30, "家", 11, 6),
        ("完成渠道伙伴培训场次", 0, 6, "场", 2, 7),
    ]),
    ("拿下三家华东重点客户", "刘洋", "个人", "华东区新品签约 30 家", [
        ("重点客户签约", 0, 3, "家", 1, 6),
    ]),
    ("官网新品页按时上线", "郭静", "个人", "新品品牌声量进入行业前三", [
        ("页面设计评审通过", 0, 1, "次", 1, 9),
        ("首屏加载时间", 3.2, 1.5, "秒", 2.1, 7),
    ]),
]


async def demo_goals(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    departments = {d.name: d.id for d in (await uow.session.scalars(select(Department))).all()}
    if not {"市场部", "研发部", "销售部"} <= departments.keys():
        return DemoOutcome()  # not the demo company
    period = quarter_of(utcnow(), options.zone)
    if await uow.session.scalar(select(Objective.id).where(Objective.period == period)):
        return DemoOutcome()
    people = {u.display_name: u for u in (await uow.session.scalars(select(User))).all()}
    projects = {p.name: p.id for p in (await uow.session.scalars(select(Project))).all()}
    made: dict[str, Objective] = {}
    key_results = 0
    for title, owner_name, department, parent, results in OBJECTIVES:
        owner = people[owner_name]
        # The demo sets the company's goals as an administrator would; the rest as their
        # owners, who manage the departments.
        actor = Actor(user_id=owner.id, role=Role.ADMIN if department is None
                      else Role(owner.role))
        level = (Level.COMPANY if department is None else Level.PERSON if department == "个人"
                 else Level.DEPARTMENT)
        viewer = await viewer_of(uow, actor)
        objective = await actions.do_create_objective(uow, actor, viewer, ObjectiveCreate(
            title=title, period=period, owner_id=owner.id, level=level,
            department_id=(departments[department]
                           if department and level == Level.DEPARTMENT else None),
            parent_id=made[parent].id if parent else None))
        made[title] = objective
        found = await access_objective(uow, actor, objective.id, viewer=viewer)
        for spec in results:
            if len(spec) == 3:
                name, _, project = spec
                if project not in projects:
                    continue
                await actions.do_add_key_result(uow, actor, found, KeyResultCreate(
                    title=name, kind=KeyResultKind.TASKS, project_ids=[projects[project]]))
            else:
                name, start, target, unit, current, confidence = spec
                key_result = await actions.do_add_key_result(
                    uow, actor, found, KeyResultCreate(title=name, start=float(start),
                                                       target=float(target), unit=unit))
                await actions.do_check_in(uow, actor, key_result, found, CheckInCreate(
                    current=float(current), confidence=int(confidence),
                    note="本周进展顺利，按计划推进。" if confidence >= 7
                    else "有风险，需要跨部门支持。"))
            key_results += 1
    return DemoOutcome(created=(f"{len(made)} objectives", f"{key_results} key results"))

