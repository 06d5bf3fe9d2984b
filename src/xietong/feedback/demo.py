"""The demo company's 员工之声 (`xietong seed-demo`): suggestions to 行政-like departments —
some answered by their managers —, a few weeks of kudos between colleagues and teams,
and two best-practice cases taken from the demo documents when there are any."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.documents.models import Page
from xietong.feedback import actions
from xietong.feedback.access import viewer_of
from xietong.feedback.models import (
    Kudos,
    KudosValue,
    ShowcaseKind,
    Suggestion,
    SuggestionCategory,
)
from xietong.feedback.schemas import KudosCreate, ShowcaseCreate, SuggestionCreate
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org.models import Department, User
from xietong.policy import feedback as feedback_policy

# (addressed to, category, days ago, text, answer or None)
SUGGESTIONS: list[tuple[str, SuggestionCategory, int, str, str | None]] = [
    ("人力资源部", SuggestionCategory.WELFARE, 20,
     "希望公司能考虑弹性上班时间，比如 8:30–10:00 之间到岗都算正常。早高峰地铁太挤，"
     "很多同事每天在路上多花半小时。",
     "感谢建议！人力资源部已和各部门负责人沟通，下月起试行 8:30–10:00 弹性到岗，"
     "核心协作时间为 10:00–17:00，试行三个月后再评估。"),
    ("财务部", SuggestionCategory.PROCESS, 16,
     "报销流程太长了：纸质发票要先贴单、再找领导签字、再交财务，一张打车票要跑三趟。"
     "能不能全部改成线上审批、电子发票直接上传？",
     "已纳入本季度重点工作：9 月起差旅和交通费用支持电子发票线上报销，"
     "纸质单据只在月底统一交一次。"),
    ("研发部", SuggestionCategory.MANAGEMENT, 12,
     "周会经常开到一个半小时，大部分时间在念进度。建议进度提前写在文档里，会上只讨论"
     "有风险的事情。",
     None),
    ("生产部", SuggestionCategory.WORKPLACE, 9,
     "二号车间的空调夏天基本不制冷，下午温度超过 35 度，容易出安全问题，请尽快检修。",
     "已安排设备科本周五检修，并临时增加两台工业风扇。谢谢提醒，安全第一。"),
    ("市场部", SuggestionCategory.PRODUCT, 6,
     "官网的产品介绍还是去年的版本，客户经常拿旧参数来问，建议每个版本发布后同步更新。",
     None),
    ("总经办", SuggestionCategory.OTHER, 3,
     "建议每季度开一次全员沟通会，让大家了解公司的经营情况和下一步的重点。",
     None),
    ("客服部", SuggestionCategory.PROCESS, 1,
     "客服转给研发的工单经常没有复现步骤，能否在工单模板里加上必填的「复现步骤」一栏？",
     None),
]

# (giver, to a person or a department, value, days ago, message)
KUDOS: list[tuple[str, str, KudosValue, int, str]] = [
    ("邓丽君", "高远", KudosValue.CUSTOMER_FIRST, 18,
     "周六晚上客户系统出故障，高远半小时内就远程上线排查，凌晨前恢复了服务，客户专门打电话来表扬。"),
    ("李娜", "测试组", KudosValue.EXCELLENCE, 15,
     "这次版本发布零严重缺陷，测试组把自动化覆盖率从 45% 提到了 70%，辛苦了！"),
    ("张伟", "蒋文", KudosValue.TEAMWORK, 13,
     "季度末冲回款，财务部蒋总带大家连续三天加班对账，帮销售把 12 笔款项都及时确认了。"),
    ("王芳", "朱婷", KudosValue.OWNERSHIP, 11,
     "新品发布会的报名页临时改版，朱婷主动接下来，一个晚上就做完上线了。"),
    ("刘洋", "陈晨", KudosValue.INTEGRITY, 8,
     "陈晨发现合同报价算错了对我们有利的一笔，第一时间告诉客户并更正，客户很信任我们。"),
    ("周建国", "客服部", KudosValue.CUSTOMER_FIRST, 6,
     "本月客服部 SLA 达成率 98%，客户满意度创新高，感谢每一位客服同事。"),
    ("马超", "罗斌", KudosValue.TEAMWORK, 4,
     "接口文档写得又清楚又及时，前后端联调一次就通过了。"),
    ("潘婷", "叶子", KudosValue.EXCELLENCE, 2,
     "新员工培训课程重新设计后，大家的反馈评分从 3.8 提到了 4.7！"),
    ("魏强", "丁一", KudosValue.OWNERSHIP, 1,
     "丁一在来料检验时发现一批不合格的零件，及时拦截，避免了整批返工。"),
]

# Demo documents pages held up as best practices: (page title, case title, why).
CASES: dict[str, tuple[str, str]] = {
    "客户投诉处理手册": ("客服部：投诉处理五步法",
                   "从首次响应到回访闭环，每一步都有时限和话术示例。客服部按这个做法，"
                   "投诉平均处理时长缩短了四成，推荐有对外服务的部门参考。"),
    "代码评审流程": ("研发部：一天内给出评审意见",
               "把评审拆成小改动、明确评审人和时限，评审等待时间从三天降到一天以内。"
               "其他团队做方案评审也可以借鉴。"),
}


def _as(user: User) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role))


async def demo_feedback(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    departments = {d.name: d.id for d in (await uow.session.scalars(select(Department))).all()}
    people = {u.display_name: u for u in (await uow.session.scalars(select(User))).all()}
    needed = {s[0] for s in SUGGESTIONS} | {"测试组", "客服部"}
    if not needed <= departments.keys() or "周建国" not in people:
        return DemoOutcome()  # not the demo company
    if await uow.session.scalar(select(Suggestion.id).limit(1)) is not None:
        return DemoOutcome()
    now = utcnow()
    # Whoever administers the demo (the operator's `create-admin`), if anyone yet.
    curators = [_as(u) for u in sorted(people.values(), key=lambda u: u.id)
                if feedback_policy.can_curate_showcase(_as(u))]
    managers = {"人力资源部": "潘婷", "财务部": "蒋文", "研发部": "李娜", "生产部": "魏强",
                "市场部": "王芳", "总经办": "周建国", "客服部": "邓丽君"}
    # Written by someone, but kept as the box keeps any suggestion: without them.
    writer = _as(people["赵丽"])
    for department, category, days_ago, text, answer in SUGGESTIONS:
        suggestion, _ = await actions.do_submit_suggestion(
            uow, writer, await viewer_of(uow, writer), SuggestionCreate(
                department_id=departments[department], category=category, body=text),
            today=(now - timedelta(days=days_ago)).astimezone(options.zone).date())
        if answer is not None:
            manager = _as(people[managers[department]])
            await actions.do_answer_suggestion(
                uow, await viewer_of(uow, manager), suggestion, answer,
                now=now - timedelta(days=days_ago - 1, hours=3))
    for giver_name, to, value, days_ago, message in KUDOS:
        giver = _as(people[giver_name])
        body = (KudosCreate(department_id=departments[to], value=value, message=message)
                if to in departments else
                KudosCreate(recipient_id=people[to].id, value=value, message=message))
        await actions.do_give_kudos(uow, giver, await viewer_of(uow, giver), body,
                                    now=now - timedelta(days=days_ago, hours=2))
    cases = 0
    pages = {p.title: p for p in (await uow.session.scalars(
        select(Page).where(Page.deleted_at.is_(None), Page.title.in_(list(CASES))))).all()}
    for page_title, (title, summary) in CASES.items():
        page = pages.get(page_title)
        if page is None or not curators:
            continue  # the demo documents are not there (or nobody administers yet)
        try:
            await actions.do_promote_case(uow, curators[0], ShowcaseCreate(
                kind=ShowcaseKind.PAGE, target_id=page.id, title=title, summary=summary),
                now=now)
        except NotFound:
            continue  # a page kept from the administrator: not one to hold up to everyone
        cases += 1
    kudos_count = len(list(await uow.session.scalars(select(Kudos.id))))
    return DemoOutcome(created=(f"{len(SUGGESTIONS)} suggestions", f"{kudos_count} kudos",
                                f"{cases} best-practice cases"))
