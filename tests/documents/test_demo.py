"""The demo company's documents (`xietong seed-demo`): a space per demo department, pages in
them that their people can read (the confidential budget only 财务部 and 总经办), a stale
manual, and nothing made twice."""

from __future__ import annotations

from sqlalchemy import select

from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.errors import NotFound
from xietong.documents.access import access_page, viewer_of
from xietong.documents.demo import PAGES, demo_documents
from xietong.documents.freshness import is_stale
from xietong.documents.models import Page, Space
from xietong.manifest import DemoOptions
from xietong.org.demo import COMPANY, seed_demo_company
from xietong.org.models import User
from xietong.runtime import Runtime


async def test_the_demo_departments_get_spaces_and_pages(runtime: Runtime) -> None:
    options = DemoOptions(password="xietong-demo", passwords=runtime.passwords,
                          zone=runtime.settings.zone)
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=options.password, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        made = await demo_documents(uow, options)
    assert made.created == (f"{len(COMPANY) + 1} spaces", f"{len(PAGES)} pages")
    async with runtime.unit_of_work() as uow:
        assert (await demo_documents(uow, options)).created == ()  # already there
    async with runtime.reader() as uow:
        spaces = {s.name: s for s in await uow.session.scalars(select(Space))}
        pages = {p.title: p for p in await uow.session.scalars(select(Page))}
        people = {u.display_name: u for u in await uow.session.scalars(select(User))}

        async def level(name: str, title: str) -> str:
            person = people[name]
            actor = Actor(user_id=person.id, role=Role(person.role))
            try:
                found = await access_page(uow, actor, pages[title].id,
                                          viewer=await viewer_of(uow, actor))
            except NotFound:  # the page does not exist for them
                return "none"
            return found.level.label

        assert {department for department, _, _ in COMPANY} <= spaces.keys()
        assert spaces["新品上市"].kind == "shared"
        assert pages["代码评审流程"].parent_id == pages["研发部工作手册"].id
        assert "代码评审" in pages["代码评审流程"].text
        budget = pages["2026 年度预算"]
        assert (budget.classification, budget.restricted) == ("confidential", True)
        assert await level("蒋文", "2026 年度预算") == "manage"  # 财务部's manager
        assert await level("林晓燕", "2026 年度预算") == "view"  # 总经办
        assert await level("王芳", "2026 年度预算") == "none"
        assert await level("王芳", "研发部工作手册") == "view"
        assert await level("李娜", "研发部工作手册") == "manage"  # 研发部's manager
        # 前端组 is below 研发部: its people edit 研发部's pages; its manager manages only
        # its own space.
        assert await level("马超", "研发部工作手册") == "edit"
        assert await level("朱婷", "研发部工作手册") == "edit"
        assert await level("王芳", "新品上市总体计划") == "manage"
        assert await level("彭亮", "新品上市总体计划") == "edit"
        assert is_stale(pages["客户投诉处理手册"], utcnow())
        assert not is_stale(pages["研发部工作手册"], utcnow())
