"""The demo company's documents (`xietong seed-demo`): a space for every department (the
demo's departments are written without the department actions, so their spaces are made
here), a few pages in them written by their people — a 研发部 handbook with pages under it,
a requirements document, meeting notes, a weekly report, a customer-service manual whose
review is overdue, a confidential budget only 财务部 and 总经办 read — and a shared space
for the 新品上市 launch."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.documents import actions, spaces
from xietong.documents.access import access_page
from xietong.documents.models import Classification, GrantLevel, Page, Space, Subject
from xietong.documents.schemas import (
    FreshnessIn,
    GrantIn,
    PageCreate,
    PagePermissionsIn,
    PageUpdate,
    SpaceCreate,
)
from xietong.documents.searching import do_index_page
from xietong.documents.templates import TemplateKey, plain_text
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org.models import Department, User

# (space (a department's name, or a shared space's), author, title, parent title, template,
# icon, Markdown (None: the template's))
PageSpec = tuple[str, str, str, str | None, TemplateKey | None, str, str | None]

HANDBOOK = """# 研发部工作手册

研发部的日常工作方式：需求怎么进来、代码怎么评审、版本怎么上线。新同事先读这一页。

## 需求从哪里来

- 跨部门的需求统一提工单，研发部每天上午十点分派。
- 紧急缺陷直接在 **#研发值班** 频道找当天值班的同事。

## 我们的节奏

| 节奏 | 内容 |
|---|---|
| 每天 9:30 | 站会，15 分钟 |
| 每两周 | 迭代评审与回顾 |
| 每月 | 技术分享 |
"""

CODE_REVIEW = """# 代码评审流程

1. 每个合并请求至少一位同组同事评审通过。
2. 涉及接口变更的，需要后端组长确认。
3. 评审意见在两个工作日内回复。

## 评审要看什么

- 需求是否都实现了，边界情况有没有测试。
- 日志与监控是否足够定位问题。
- 有没有泄露客户数据的风险。
"""

RELEASE = """# 上线发布手册

发布窗口：每周二、周四 20:00 之后。

## 步骤

1. 在发布群里同步发布内容与负责人。
2. 先发布到预发环境，测试组验收。
3. 灰度 10% 用户，观察 30 分钟错误率与 P95 延迟。
4. 全量发布，更新发布记录。

## 回滚

错误率超过 1% 或核心接口 P95 超过 500 ms，立即回滚并在 #研发值班 说明。
"""

COMPLAINTS = """# 客户投诉处理手册

## 响应时限

- 首次响应：2 个工作小时内。
- 一般投诉：3 个工作日内给出处理结果。

## 处理步骤

1. 在工单中记录客户、订单号和问题描述。
2. 判断是否需要研发或生产部门协助，需要的转跨部门工单。
3. 处理完成后回访客户，请客户评价。

## 升级

涉及批量质量问题或媒体关注的投诉，立即报告客服经理邓丽君。
"""

BUDGET = """# 2026 年度预算（机密）

本页仅财务部与总经办可见，请勿转发或导出。

| 部门 | 预算（万元） | 同比 |
|---|---|---|
| 市场部 | 860 | +12% |
| 研发部 | 2,400 | +18% |
| 销售部 | 1,150 | +6% |
| 客服部 | 320 | +4% |
"""

LAUNCH_PLAN = """# 新品上市总体计划

| 里程碑 | 日期 | 负责部门 |
|---|---|---|
| 功能冻结 | 上市前 6 周 | 研发部 |
| 渠道培训 | 上市前 3 周 | 销售部 |
| 发布会 | 上市当天 | 市场部 |
| 客服话术就绪 | 上市前 1 周 | 客服部 |

各部门负责人请在本空间更新进展，有阻碍在 #新品上市 频道提出。
"""

LAUNCH_SPACE = "新品上市"

PAGES: list[PageSpec] = [
    ("研发部", "李娜", "研发部工作手册", None, None, "📘", HANDBOOK),
    ("研发部", "高远", "代码评审流程", "研发部工作手册", None, "🔍", CODE_REVIEW),
    ("研发部", "宋佳", "上线发布手册", "研发部工作手册", TemplateKey.MANUAL, "🚀", RELEASE),
    ("研发部", "李娜", "新品 App 需求文档", None, TemplateKey.REQUIREMENTS, "📝", None),
    ("市场部", "王芳", "新品发布会筹备会议纪要", None, TemplateKey.MEETING_NOTES, "🗓️", None),
    ("销售部", "刘洋", "华东区项目周报", None, TemplateKey.WEEKLY_REPORT, "📊", None),
    ("客服部", "邓丽君", "客户投诉处理手册", None, TemplateKey.MANUAL, "📞", COMPLAINTS),
    ("财务部", "蒋文", "2026 年度预算", None, None, "🔒", BUDGET),
    (LAUNCH_SPACE, "王芳", "新品上市总体计划", None, None, "🎯", LAUNCH_PLAN),
]


async def demo_documents(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    made_spaces = await spaces.ensure_department_spaces(uow)
    departments = {d.name: d.id for d in (await uow.session.scalars(select(Department))).all()}
    if not {"研发部", "市场部", "销售部", "客服部", "财务部", "总经办"} <= departments.keys():
        return DemoOutcome(created=(f"{made_spaces} spaces",) if made_spaces else ())
    if await uow.session.scalar(select(Page.id).limit(1)) is not None:
        return DemoOutcome(created=(f"{made_spaces} spaces",) if made_spaces else ())
    people = {u.display_name: u for u in (await uow.session.scalars(select(User))).all()}

    def actor(name: str) -> Actor:
        return Actor(user_id=people[name].id, role=Role(people[name].role))

    space_ids = {name: space_id for name, space_id in (await uow.session.execute(
        select(Department.name, Space.id).join(Space, Space.department_id == Department.id)))}
    launch = await spaces.do_create_space(uow, actor("王芳"), SpaceCreate(
        name=LAUNCH_SPACE, icon="🚀", description="市场、研发、销售、客服共同推进新品上市的资料。",
        grants=[GrantIn(subject=Subject.EVERYONE, level=GrantLevel.EDIT)]))
    space_ids[LAUNCH_SPACE] = launch.id
    made: dict[str, Page] = {}
    for space_name, author, title, parent, template, icon, markdown in PAGES:
        page = await actions.do_create_page(uow, actor(author), PageCreate(
            space_id=space_ids[space_name], title=title, template=template, icon=icon,
            parent_id=made[parent].id if parent else None))
        if markdown is not None:
            page.markdown, page.text = markdown, plain_text(markdown)
            await uow.flush()
            await do_index_page(uow, page)
        made[title] = page
    # The budget: confidential, read by 财务部 and 总经办 only.
    budget, finance = made["2026 年度预算"], actor("蒋文")
    found = await access_page(uow, finance, budget.id)
    await actions.do_update_page(uow, finance, found, PageUpdate(
        classification=Classification.CONFIDENTIAL))
    rows = [GrantIn(subject=Subject.DEPARTMENT, department_id=departments[name],
                    level=level) for name, level in (("财务部", GrantLevel.EDIT),
                                                     ("总经办", GrantLevel.VIEW))]
    await actions.do_set_page_permissions(uow, finance, found, PagePermissionsIn(
        inherit=False, grants=rows))
    # The complaints manual is kept by 曹颖, reviewed every 90 days, last 100 days ago.
    manual = made["客户投诉处理手册"]
    found = await access_page(uow, actor("邓丽君"), manual.id)
    await actions.do_set_freshness(uow, actor("邓丽君"), found, FreshnessIn(
        owner_id=people["曹颖"].id, review_every_days=90))
    manual.reviewed_at = utcnow() - timedelta(days=100)
    handbook = made["研发部工作手册"]
    found = await access_page(uow, actor("李娜"), handbook.id)
    await actions.do_set_freshness(uow, actor("李娜"), found, FreshnessIn(
        owner_id=people["李娜"].id, review_every_days=180))
    await actions.do_review(uow, actor("李娜"), found, utcnow())
    return DemoOutcome(created=(f"{made_spaces + 1} spaces", f"{len(made)} pages"))
