"""The demo company's meetings (`xietong seed-demo`): the quarterly strategy meeting called
by 总经理 周建国, the 新品上市 project's fortnightly meeting (its first held, minuted, its
action items proposed and one confirmed into the project) and 研发部's daily stand-up
(yesterday's minuted)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.meetings import actions
from xietong.meetings.access import access_meeting
from xietong.meetings.models import ActionItem, Meeting, Tier
from xietong.meetings.schemas import AgendaItemIn, ConfirmBody, MeetingCreate, PreRead
from xietong.org.models import Department, User
from xietong.projects.models import Project
from xietong.projects.queries import membership

EXECUTION_MINUTES = """## 新品上市项目双周会纪要

- 官网新品页：设计稿已评审通过，首屏加载还有 2.1 秒，目标 1.5 秒以内。
- 华东区渠道培训完成 2 场，剩余 4 场排在下个月。

### 待办
- [ ] @郭静 官网新品页首屏优化到 1.5 秒以内 12月18日
- [ ] @张伟 整理华东区渠道培训名单

王芳负责下周三前把发布会邀请函发给重点客户。
请李娜本周五前确认上市前严重缺陷的修复计划。
"""

STANDUP_MINUTES = """- 李娜：支付接口联调完成，今天继续压测。
- 刘洋：客户演示环境已准备好。
- 阻塞：测试环境数据库磁盘快满了，李娜负责今天下班前扩容。
"""


async def demo_meetings(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    departments = {d.name: d.id for d in (await uow.session.scalars(select(Department))).all()}
    if not {"市场部", "研发部", "销售部"} <= departments.keys():
        return DemoOutcome()  # not the demo company
    if await uow.session.scalar(select(Meeting.id).limit(1)):
        return DemoOutcome()
    people = {u.display_name: u for u in (await uow.session.scalars(select(User))).all()}
    if not {"周建国", "李娜", "王芳", "张伟", "郭静", "刘洋"} <= people.keys():
        return DemoOutcome()
    zone = options.zone
    today = utcnow().astimezone(zone).date()

    def at(days: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, minute), zone)

    def actor(name: str) -> Actor:
        user = people[name]
        return Actor(user_id=user.id, role=Role(user.role))

    made = 0
    boss = actor("周建国")
    strategy = await actions.do_create_meeting(uow, boss, MeetingCreate(
        title="季度经营分析会", tier=Tier.STRATEGIC, starts_at=at(9, 9, 30),
        ends_at=at(9, 12), location="总部 12 楼大会议室",
        description="回顾本季度目标完成情况，确定下季度重点。",
        attendee_ids=[people[n].id for n in ("王芳", "李娜", "张伟")],
        agenda=[AgendaItemIn(title="本季度 OKR 完成情况", owner_id=people["周建国"].id,
                             duration_minutes=40),
                AgendaItemIn(title="新品上市复盘", owner_id=people["李娜"].id,
                             duration_minutes=40),
                AgendaItemIn(title="下季度预算与重点", owner_id=people["王芳"].id,
                             duration_minutes=60)],
        pre_reads=[PreRead(title="本季度经营数据", url="https://intranet.example.com/q-report")],
        remind_minutes=60), zone=zone)
    made += 1

    lina = actor("李娜")
    first = at(-14, 14)
    execution = await actions.do_create_meeting(uow, lina, MeetingCreate(
        title="新品上市项目双周会", tier=Tier.EXECUTION, starts_at=first,
        ends_at=first + timedelta(hours=1), link="https://meeting.example.com/j/2026",
        attendee_ids=[people[n].id for n in ("王芳", "张伟", "郭静")],
        department_ids=[departments["研发部"]],
        agenda=[AgendaItemIn(title="上周待办跟进"), AgendaItemIn(title="各模块进展"),
                AgendaItemIn(title="风险与需要的支持")],
        rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=6", skip_non_working_days=True,
        create_channel=True), zone=zone, now=first - timedelta(days=1))
    made += 6
    found = await access_meeting(uow, lina, execution.id)
    await actions.do_set_minutes(uow, lina, found, EXECUTION_MINUTES)
    await actions.do_extract(uow, lina, found, zone=zone)
    project = await uow.session.scalar(select(Project.id).where(Project.name == "新品上市"))
    confirmable = await uow.session.scalar(
        select(ActionItem).where(ActionItem.meeting_id == execution.id,
                                 ActionItem.owner_id == people["郭静"].id))
    if (project is not None and confirmable is not None
            and await membership(uow, project, lina.user_id) is not None):
        await actions.do_confirm_action_item(uow, lina, found, confirmable,
                                             ConfirmBody(project_id=project))

    standup_start = at(-1, 9, 30)
    standup = await actions.do_create_meeting(uow, lina, MeetingCreate(
        title="研发部每日站会", tier=Tier.OPERATIONAL, starts_at=standup_start,
        ends_at=standup_start + timedelta(minutes=15), location="研发部看板前",
        attendee_ids=[people["刘洋"].id], department_ids=[departments["研发部"]],
        rrule="FREQ=DAILY;COUNT=20", skip_non_working_days=True, remind_minutes=5),
        zone=zone, now=standup_start - timedelta(hours=1))
    made += 20
    held = await access_meeting(uow, lina, standup.id)
    await actions.do_set_minutes(uow, lina, held, STANDUP_MINUTES)
    await actions.do_extract(uow, lina, held, zone=zone)
    del strategy, made
    count = await uow.session.scalar(select(func.count()).select_from(Meeting))
    return DemoOutcome(created=(f"{count} meetings",))
