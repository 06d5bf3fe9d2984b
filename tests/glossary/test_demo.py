"""The demo company's glossary (`xietong seed-demo`): each department's jargon written by
its manager, recognised in a message, one term deprecated for its successor, one kept to its
department, followers from other departments; not made twice."""

from __future__ import annotations

from sqlalchemy import func, select

from xietong.core.actor import Actor, Role
from xietong.glossary.access import viewer_of
from xietong.glossary.demo import TERMS, demo_glossary
from xietong.glossary.matcher import MatcherCache
from xietong.glossary.models import GlossaryTerm, GlossaryTermFollower
from xietong.manifest import DemoOptions
from xietong.org.demo import seed_demo_company
from xietong.org.models import User
from xietong.runtime import Runtime


async def test_the_demo_glossary_is_recognised_in_a_message(runtime: Runtime) -> None:
    options = DemoOptions(password="xietong-demo", passwords=runtime.passwords,
                          zone=runtime.settings.zone)
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=options.password, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        made = await demo_glossary(uow, options)
    assert made.created == (f"{len(TERMS)} glossary terms", "9 term follows")
    assert 15 <= len(TERMS) <= 20
    async with runtime.unit_of_work() as uow:
        assert (await demo_glossary(uow, options)).created == ()  # already there
    async with runtime.reader() as uow:
        terms = {t.term: t for t in await uow.session.scalars(select(GlossaryTerm))}
        assert await uow.session.scalar(
            select(func.count()).select_from(GlossaryTermFollower)) == 9
        assert terms["用户成功"].status == "deprecated"
        assert terms["用户成功"].replaced_by_id == terms["客户成功"].id
        assert terms["红线指标"].visibility == "department"
        zhang = await uow.session.scalar(select(User).where(User.display_name == "张伟"))
        assert zhang is not None
        viewer = await viewer_of(uow, Actor(user_id=zhang.id, role=Role(zhang.role)))
        matcher = await MatcherCache().matcher_for(uow)
    text = "这张工单的SLA快到了，客户成功团队说下个迭代灰度发布，回款和红线指标请财务确认。"
    found = matcher.find(text, lambda t: viewer.may_read(t.department_id, t.visibility,
                                                         t.owner_ids))
    assert [m.term.term for m in found] == ["工单", "SLA", "客户成功", "迭代", "灰度发布", "回款"]
