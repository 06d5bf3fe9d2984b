"""The demo company's glossary (`xietong seed-demo`): the words each department uses that
the others stumble over — 客服部's SLA and 工单, 财务部's 回款 and 毛利, 研发部's 迭代 and
灰度发布, 市场部's 线索, 销售部's 商机 — each written by its department's manager, a few
followed by the people of other departments who meet them, one deprecated in favour of its
successor and one kept to its department."""

from __future__ import annotations

from sqlalchemy import select

from xietong.core.actor import Actor, Role
from xietong.core.uow import UnitOfWork
from xietong.glossary import actions
from xietong.glossary.access import access_term, viewer_of
from xietong.glossary.models import GlossaryTerm, TermStatus, TermVisibility
from xietong.glossary.schemas import TermCreate, TermUpdate
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org.models import Department, User

# (term, aliases, English, department, definition, examples)
TERMS: list[tuple[str, list[str], str, str, str, list[str]]] = [
    ("SLA", ["服务等级协议", "服务水平协议"], "Service Level Agreement", "客服部",
     "**服务等级协议**：对客户（或公司内其他部门）承诺的响应和解决时限。客服部的标准是"
     "工作时间内 **2 小时首响、24 小时解决**；跨部门工单按工作时间计算，节假日和调休按"
     "公司的工作日历。\n\n超时即「违约」，系统会提醒处理人并升级到部门负责人。",
     ["这张工单的 SLA 还剩 30 分钟，请研发尽快确认。", "本月客服部 SLA 达成率 96%。"]),
    ("工单", ["服务单", "Ticket"], "Ticket", "客服部",
     "一件需要处理的事情的记录：谁提的、交给哪个部门、现在到哪一步、什么时候必须响应。"
     "跨部门的请求一律走工单，不在群里口头交接，这样每件事都有**负责人、时限和记录**。",
     ["客户反馈打印机卡纸，已建工单转给售后。", "请把这个需求提成工单，方便跟进。"]),
    ("首响时间", ["首次响应时间"], "First Response Time", "客服部",
     "从工单提交到处理人**第一次实质回复**的时长（自动回复不算），按工作时间计。"
     "是 SLA 的第一道考核。",
     ["上周平均首响时间 38 分钟。"]),
    ("客户成功", ["CSM"], "Customer Success", "客服部",
     "在客户签约之后，主动帮助客户把产品用好、用出价值，从而续约和增购的工作。"
     "与被动处理问题的「售后」不同，客户成功看的是**客户的业务结果**。",
     ["客户成功团队每季度给重点客户做一次使用复盘。"]),
    ("用户成功", [], "", "客服部",
     "旧称，含义与「客户成功」相同，现已统一叫法。",
     []),
    ("回款", ["收款", "回笼资金"], "Payment Collection", "财务部",
     "合同约定的款项**实际到账**。销售签单不等于回款：财务只以银行到账为准确认回款，"
     "销售业绩的奖金也按回款计算。",
     ["这单合同 9 月底前要完成 60% 回款。", "回款计划请在 CRM 里按月填写。"]),
    ("毛利", ["毛利润"], "Gross Profit", "财务部",
     "收入减去直接成本（物料、生产、直接人工）后的金额；**毛利率** = 毛利 ÷ 收入。"
     "报价低于财务给出的毛利底线需要走审批。",
     ["这个报价毛利只有 12%，低于 20% 的底线。"]),
    ("账期", ["信用期"], "Payment Terms", "财务部",
     "允许客户在发货或开票后延后付款的天数，例如「月结 60 天」。账期越长，公司占用的"
     "资金越多，超过 90 天需财务总监批准。",
     ["客户要求把账期从 30 天延长到 60 天。"]),
    ("线索", ["销售线索"], "Lead", "市场部",
     "对我们产品表现出兴趣、留下联系方式的潜在客户，来自展会、官网表单、直播等渠道。"
     "线索经市场部筛选合格后（见 MQL）才交给销售跟进。",
     ["这次发布会带来了 310 条线索。"]),
    ("MQL", ["市场认可线索"], "Marketing Qualified Lead", "市场部",
     "经市场部按行业、规模、预算和意向打分后认为**值得销售跟进**的线索。"
     "销售在 2 个工作日内接手并反馈是否转为商机。",
     ["本周转给销售的 MQL 共 42 条。"]),
    ("商机", ["销售机会"], "Opportunity", "销售部",
     "已确认有明确需求、预算和决策时间的客户机会，进入销售漏斗，按阶段（初步接触、"
     "方案、报价、谈判、赢单/输单）推进，并预估金额和成交概率。",
     ["华东区本季度新增商机 27 个，预计金额 860 万。"]),
    ("迭代", ["Sprint", "冲刺"], "Iteration", "研发部",
     "研发以**两周**为一个周期交付：周期开始时排定要做的需求，结束时演示并发布。"
     "进行中的迭代原则上不再插入新需求，紧急需求需研发总监同意。",
     ["这个需求排进下个迭代。", "本迭代的演示会周五下午三点。"]),
    ("灰度发布", ["灰度", "金丝雀发布"], "Canary Release", "研发部",
     "新版本先只开放给**一小部分**用户（如 5%），观察错误率和反馈无异常后再逐步扩大，"
     "直到全量。出问题时只影响少数用户，且可以快速回滚。",
     ["新版计费模块今晚灰度 10% 的客户。"]),
    ("验收", ["UAT", "用户验收测试"], "Acceptance", "研发部",
     "需求方按事先约定的**验收标准**确认交付物可用，验收通过才算完成。"
     "跨部门需求由提出部门验收，研发不能自己验收自己。",
     ["市场部周三前完成官网新页面的验收。"]),
    ("缺陷", ["Bug"], "Defect", "测试组",
     "产品行为与需求或设计不符的问题。按严重程度分为致命、严重、一般、轻微；"
     "**致命和严重缺陷清零**之前不发布。",
     ["上市前还有 9 个严重缺陷待修复。"]),
    ("良率", ["良品率", "合格率"], "Yield Rate", "生产部",
     "一批产品中检验合格的比例。良率下降通常意味着物料、设备或工艺出了问题，"
     "低于 98% 时生产部会停线排查。",
     ["三号线本周良率 99.2%。"]),
    ("试用期", [], "Probation Period", "人力资源部",
     "新员工入职后的考察期，一般为 3 个月（最长 6 个月），期满由直属上级评估是否转正。",
     ["他还在试用期，转正评估下月做。"]),
    ("OKR", ["目标与关键结果"], "Objectives and Key Results", "人力资源部",
     "公司用来对齐方向的目标管理方法：每季度定下少数**目标**（O）和衡量它的**关键结果**"
     "（KR），公开透明，部门目标对齐到公司目标。OKR 不直接与绩效工资挂钩。",
     ["请在季度初第一周内写好部门 OKR。"]),
    ("红线指标", [], "Red-line Metrics", "财务部",
     "财务部内部监控的预警线：现金余额、应收逾期率和毛利底线。触及红线时由财务总监"
     "当天通报总经办。",
     []),
]
# People of other departments who follow a term they meet in their work.
FOLLOWERS = {"SLA": ["刘洋", "高远"], "回款": ["张伟", "刘洋", "吴敏"], "灰度发布": ["邓丽君"],
             "商机": ["王芳"], "验收": ["王芳", "赵丽"]}
HIDDEN = {"红线指标"}
DEPRECATED = {"用户成功": "客户成功"}


async def demo_glossary(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    departments = {d.name: d.id for d in (await uow.session.scalars(select(Department))).all()}
    if not {spec[3] for spec in TERMS} <= departments.keys():
        return DemoOutcome()  # not the demo company
    if await uow.session.scalar(select(GlossaryTerm.id).limit(1)) is not None:
        return DemoOutcome()
    people = {u.display_name: u for u in (await uow.session.scalars(select(User))).all()}
    managers = {"客服部": "邓丽君", "财务部": "蒋文", "市场部": "王芳", "销售部": "张伟",
                "研发部": "李娜", "测试组": "唐宁", "生产部": "魏强", "人力资源部": "潘婷"}
    made: dict[str, GlossaryTerm] = {}
    for term, aliases, english, department, definition, examples in TERMS:
        author = people[managers[department]]
        actor = Actor(user_id=author.id, role=Role(author.role))
        made[term] = await actions.do_create_term(
            uow, actor, await viewer_of(uow, actor), TermCreate(
                term=term, aliases=aliases, english=english, definition=definition,
                examples=examples, department_id=departments[department],
                visibility=TermVisibility.DEPARTMENT if term in HIDDEN
                else TermVisibility.COMPANY))
    for old, new in DEPRECATED.items():
        author = people[managers["客服部"]]
        actor = Actor(user_id=author.id, role=Role(author.role))
        found = await access_term(uow, actor, made[old].id)
        await actions.do_update_term(uow, actor, found, TermUpdate(
            status=TermStatus.DEPRECATED, replaced_by_id=made[new].id))
    follows = 0
    for term, names in FOLLOWERS.items():
        for name in names:
            person = people[name]
            actor = Actor(user_id=person.id, role=Role(person.role))
            await actions.do_follow(uow, actor, await access_term(uow, actor, made[term].id),
                                    following=True)
            follows += 1
    return DemoOutcome(created=(f"{len(made)} glossary terms", f"{follows} term follows"))
