"""The demo company's announcements (`xietong seed-demo`): 人力资源部's company-wide
春节放假通知 (reviewed by its director and an administrator, read and acknowledged by part of
the company), 研发部's 代码冻结 notice reviewed by its director, and 测试组's notice still
waiting for her review."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from xietong.announcements import actions, queries
from xietong.announcements.access import access_announcement
from xietong.announcements.events import REVIEW
from xietong.announcements.models import Announcement, Importance
from xietong.announcements.schemas import AnnouncementCreate, AudienceIn, SettingsChange
from xietong.approvals import queries as approval_queries
from xietong.approvals.actions import do_decide
from xietong.approvals.models import ApprovalStatus, TaskState
from xietong.approvals.schemas import Decision
from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.errors import NotFound
from xietong.core.events import Scope
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org.models import Department, User

SPRING_FESTIVAL = (
    "各位同事：\n\n根据国家法定节假日安排，结合公司实际情况，"
    "现将 **2027 年春节** 放假安排通知如下：\n\n"
    "| 日期 | 安排 |\n|---|---|\n"
    "| 2 月 5 日（除夕）至 2 月 11 日（正月初六） | 放假，共 7 天 |\n"
    "| 2 月 12 日（正月初七） | 正常上班 |\n\n"
    "**注意事项**\n\n"
    "1. 放假前请关好门窗、电源，贵重物品妥善保管；\n"
    "2. 客服部、生产部按值班表安排轮值，值班期间按国家规定支付加班工资；\n"
    "3. 出行请注意安全，如遇紧急情况请联系所在部门负责人。\n\n"
    "祝大家新春快乐，阖家幸福！\n\n人力资源部")
CODE_FREEZE = (
    "研发部各位同事：\n\n为保障春节前版本稳定，**1 月 25 日 18:00 起主干代码冻结**，"
    "冻结期间只合入经测试组确认的缺陷修复。\n\n"
    "- 1 月 24 日前请完成本迭代所有需求的提测；\n"
    "- 冻结期间的合并请求需在描述中注明缺陷编号，并由组长审核；\n"
    "- 节后 2 月 12 日恢复正常开发节奏。\n\n有疑问请在研发部频道里提出。")
TEST_ENV = ("测试组将在本周六 9:00–13:00 升级测试环境数据库，期间测试环境不可用，"
            "请提前安排好回归测试。")
# Who has read the 春节 notice, and who of them acknowledged it too.
READERS = ["周建国", "林晓燕", "王芳", "赵丽", "孙悦", "张伟", "刘洋", "陈晨", "李娜", "马超",
           "高远", "罗斌", "邓丽君", "曹颖", "蒋文", "沈冰", "潘婷", "叶子", "魏强"]
ACKNOWLEDGED = READERS[:-4]


async def _approve_all(uow: UnitOfWork, people: dict[int, User], review_id: int) -> None:
    """Every step approved by whoever its tasks went to, as they would in their inbox."""
    now = utcnow()
    while True:
        instance = await approval_queries.instance_for(uow, Scope(REVIEW, review_id))
        if instance is None or instance.status != ApprovalStatus.PENDING:
            return
        tasks = (await approval_queries.tasks_of(uow, [instance.id], fresh=True))[instance.id]
        task = next(t for t in tasks if t.state == TaskState.PENDING)
        assignee = people[task.assignee_id]
        await do_decide(uow, Actor(user_id=assignee.id, role=Role(assignee.role)),
                        task_id=task.id, decision=Decision.APPROVE, comment="同意发布。",
                        now=now)


async def demo_announcements(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    departments = {d.name: d.id for d in (await uow.session.scalars(select(Department))).all()}
    if not {"人力资源部", "研发部"} <= departments.keys():
        return DemoOutcome()  # not the demo company
    if await uow.session.scalar(select(Announcement.id).limit(1)) is not None:
        return DemoOutcome()
    users = (await uow.session.scalars(select(User))).all()
    by_name = {u.display_name: u for u in users}
    by_id = {u.id: u for u in users}

    def actor(name: str) -> Actor:
        return Actor(user_id=by_name[name].id, role=Role(by_name[name].role))

    now = utcnow()
    admins = await queries.admin_ids(uow)
    if admins:
        await actions.do_change_settings(uow, Actor(user_id=admins[0], role=Role.OWNER),
                                         SettingsChange(review_department_id=departments[
                                             "人力资源部"]), now)
    made: list[Announcement] = []
    plans = [
            ("杜鹃", AnnouncementCreate(
                title="关于 2027 年春节放假安排的通知", body=SPRING_FESTIVAL,
                importance=Importance.IMPORTANT, audience=AudienceIn(company=True),
                requires_ack=True, expires_at=now + timedelta(days=60))),
            ("高远", AnnouncementCreate(
                title="研发部春节前代码冻结通知", body=CODE_FREEZE,
                audience=AudienceIn(department_ids=[departments["研发部"]]),
                requires_ack=True, expires_at=now + timedelta(days=30))),
            ("唐宁", AnnouncementCreate(
                title="测试环境数据库升级通知", body=TEST_ENV,
                audience=AudienceIn(department_ids=[departments["研发部"]])))]
    # A company-wide notice is reviewed by an administrator too: none yet, none of it.
    for author, body in plans if admins else plans[1:]:
        created = await actions.do_create(uow, actor(author), body, now)
        found = await access_announcement(uow, actor(author), created.id, now)
        await actions.do_submit(uow, actor(author), found, now)
        made.append(created)
    for announcement in made[:-1]:
        assert announcement.review_id is not None
        await _approve_all(uow, by_id, announcement.review_id)
    for name in READERS:
        for announcement in made[:-1] if name in by_name else []:
            try:
                found = await access_announcement(uow, actor(name), announcement.id, now)
            except NotFound:
                continue  # not addressed to them
            if found.standing.in_audience:
                await actions.do_read(uow, actor(name), found, now)
                if name in ACKNOWLEDGED:
                    await actions.do_acknowledge(uow, actor(name), found, now)
    return DemoOutcome(created=(f"{len(made)} announcements",))
