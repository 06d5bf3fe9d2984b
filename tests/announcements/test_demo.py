"""The demo company's announcements (`xietong seed-demo`): 人力资源部's 春节放假通知 to the
whole company (through its director's and an administrator's review, part of the company
having read and acknowledged it), 研发部's code freeze notice, and 测试组's notice still
waiting for review — made once."""

from __future__ import annotations

from sqlalchemy import select

from xietong.announcements import queries
from xietong.announcements.demo import demo_announcements
from xietong.announcements.models import Announcement, AnnouncementReceipt
from xietong.announcements.views import receipts_out
from xietong.chat.demo import demo_conversations
from xietong.core.actor import Role
from xietong.manifest import DemoOptions
from xietong.org import actions as org_actions
from xietong.org.demo import seed_demo_company
from xietong.runtime import Runtime


async def test_the_demo_announcements(runtime: Runtime) -> None:
    options = DemoOptions(password="xietong-demo", passwords=runtime.passwords,
                          zone=runtime.settings.zone)
    async with runtime.unit_of_work() as uow:
        await org_actions.do_create_user(
            uow, None, username="admin", display_name="系统管理员", password="xietong-demo",
            passwords=runtime.passwords, role=Role.OWNER, title=None, email=None,
            department_ids=[])
        await seed_demo_company(uow, password=options.password, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        await demo_conversations(uow, options)
    async with runtime.unit_of_work() as uow:
        assert (await demo_announcements(uow, options)).created == ("3 announcements",)
    async with runtime.unit_of_work() as uow:
        assert (await demo_announcements(uow, options)).created == ()  # already there
    async with runtime.reader() as uow:
        made = {a.title: a for a in await uow.session.scalars(select(Announcement))}
        assert {title: a.status for title, a in made.items()} == {
            "关于 2027 年春节放假安排的通知": "published", "研发部春节前代码冻结通知": "published",
            "测试环境数据库升级通知": "in_review"}
        spring = made["关于 2027 年春节放假安排的通知"]
        targets = (await queries.targets_of(uow, [spring.id]))[spring.id]
        receipts = await receipts_out(uow, spring, targets)
        assert receipts.read > receipts.acknowledged > 0
        assert receipts.total > receipts.read
        assert len(receipts.departments) >= 8
        assert await uow.session.scalar(select(AnnouncementReceipt.user_id).limit(1))
        assert await queries.announcement_channels(uow, spring, targets)  # 公司公告
