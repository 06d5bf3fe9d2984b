"""Writes tests/search/corpus.json: the labelled search corpus (run it to regenerate).

    .venv/bin/python -m tests.search.make_corpus

Office chat of a small company (sales, R&D, customer service, management), Chinese and
English mixed, written for this project as templates whose every piece is labelled with
the words it contains *in their intended sense*. A query's expected hits are the messages
labelled with all its words (and none of its excluded ones) that pass its filters and that
the asking person may read. The labels are not substrings: "这次机会议价空间不大" contains
the characters 会议 but is not about a meeting, and is labelled so; such traps measure
precision. Some messages are written in traditional characters or full-width letters with
the same labels; they measure normalisation. One-character queries are labelled by
presence of the character (the only sensible meaning of one character).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import opencc

OUT = Path(__file__).with_name("corpus.json")
CHINA = timezone(timedelta(hours=8))
# The corpus's "now": messages are spread over the 120 days before it.
ANCHOR = datetime(2025, 6, 30, 18, 0, tzinfo=CHINA)
SEED = 20250630

# Channels: key → (name, kind, members). Everyone in the cast but the guest reads public ones.
CHANNELS: dict[str, tuple[str, str, list[str]]] = {
    "all": ("全公司", "public", ["zhoujianguo", "linxiaoyan", "zhangwei", "liuyang", "lina",
                                 "wangfang"]),
    "sales": ("销售部", "private", ["zhoujianguo", "zhangwei", "liuyang"]),
    "rnd": ("研发部", "private", ["zhoujianguo", "linxiaoyan", "lina"]),
    "service": ("客服部", "private", ["linxiaoyan", "wangfang"]),
    "project": ("项目-华东客户", "private", ["zhangwei", "liuyang", "lina", "wangfang", "alex"]),
    "tech": ("技术讨论", "public", ["lina", "wangfang", "linxiaoyan"]),
    "mgmt": ("管理层", "private", ["zhoujianguo", "linxiaoyan", "zhangwei", "lina", "wangfang"]),
    "intl": ("global-team", "public", ["zhangwei", "lina", "linxiaoyan"]),
    "dm": ("", "dm", ["zhangwei", "lina"]),
}
PUBLIC_READERS = ["zhoujianguo", "linxiaoyan", "zhangwei", "liuyang", "lina", "wangfang"]
DEPARTMENT_OF = {"zhangwei": "销售部", "liuyang": "华东区", "lina": "研发部", "wangfang": "客服部",
                 "linxiaoyan": "总经办"}
NAME_OF = {"zhoujianguo": "周建国", "linxiaoyan": "林晓燕", "zhangwei": "张伟", "liuyang": "刘洋",
           "lina": "李娜", "wangfang": "王芳", "alex": "Alex"}

T = tuple[str, frozenset[str]]


def t(text: str, *tags: str) -> T:
    return text, frozenset(tags)


CLIENTS = [t("华润集团", "华润"), t("万科地产", "万科"), t("比亚迪", "比亚迪"), t("海尔", "海尔"),
           t("美的集团", "美的"), t("中粮", "中粮")]
CLIENTS_EN = [t("Acme Corp", "acme"), t("Globex", "globex"), t("Initech", "initech")]
PRODUCTS = [t("协同办公系统", "协同", "办公", "系统"), t("智能客服平台", "智能", "客服", "平台"),
            t("数据分析平台", "数据", "分析", "平台")]
SERVICES = [t("订单服务", "订单", "服务"), t("支付服务", "支付", "服务"), t("用户中心", "用户"),
            t("消息推送", "消息", "推送")]
QUARTERS = [t("Q1", "q1"), t("Q2", "q2"), t("Q3", "q3"), t("Q4", "q4")]
DEADLINES = [t("周五", "周五"), t("明天", "明天"), t("月底", "月底"), t("下周一", "下周")]
PEOPLE = [t("@张伟", "张伟"), t("@李娜", "李娜"), t("@刘洋", "刘洋"), t("@王芳", "王芳")]
ISSUES = [t("发货延迟", "发货", "延迟"), t("产品质量", "产品", "质量"),
          t("账单错误", "账单", "错误"),
          t("安装问题", "安装", "问题")]
NUMBERS = [t(str(n)) for n in (3, 5, 8, 12, 15, 20, 35)]
BUGS = [t(f"#{n}") for n in (1024, 2048, 311, 4096, 777)]
VERSIONS = [t(v, "版本") for v in ("2.3", "2.4", "3.0")]
TOPICS = [t("微服务架构", "微服务", "架构"), t("数据库优化", "数据库", "数据", "优化"),
          t("前端性能", "前端", "性能")]

SLOTS: dict[str, list[T]] = {
    "client": CLIENTS, "client_en": CLIENTS_EN, "product": PRODUCTS, "service": SERVICES,
    "quarter": QUARTERS, "deadline": DEADLINES, "person": PEOPLE, "issue": ISSUES,
    "n": NUMBERS, "bug": BUGS, "version": VERSIONS, "topic": TOPICS,
}

# (channel keys it is said in, senders, template, labels)
Template = tuple[tuple[str, ...], tuple[str, ...], str, frozenset[str]]


def tpl(channels: str, senders: str, text: str, *tags: str) -> Template:
    return tuple(channels.split()), tuple(senders.split()), text, frozenset(tags)


SALES = "zhangwei liuyang"
RND = "lina linxiaoyan"
SERVICE = "wangfang linxiaoyan"
BOSS = "zhoujianguo linxiaoyan"
ANY = "zhangwei liuyang lina wangfang linxiaoyan zhoujianguo"

TEMPLATES: list[Template] = [
    # sales
    tpl("sales project", SALES, "{client}的报价单已经发过去了，{deadline}前等他们回复",
        "报价单", "报价", "回复"),
    tpl("sales project", SALES, "{client}那边对{quarter}报价有疑问，{person}你跟进一下",
        "报价", "跟进", "疑问"),
    tpl("sales", SALES, "今天拜访了{client}，对方对我们的{product}很感兴趣，下周安排演示",
        "拜访", "演示", "感兴趣"),
    tpl("sales project", SALES, "{client}的合同已经盖章了，发票下周开", "合同", "盖章", "发票"),
    tpl("sales", SALES, "请大家{deadline}前把{quarter}的销售数据更新到共享表格",
        "销售", "数据", "表格", "共享"),
    tpl("sales project", SALES, "{client}要求价格再降5%，我觉得可以接受", "价格", "接受"),
    tpl("sales", SALES, "华东区这个月回款进度有点慢，大家抓紧", "华东", "回款", "进度"),
    tpl("sales", SALES, "报价单模板更新了，以后统一用新的", "报价单", "报价", "模板"),
    tpl("sales project", SALES, "{client}的询价收到了，今天出报价", "询价", "报价"),
    tpl("sales", SALES, "明天上午十点销售周会，地点三楼会议室", "销售", "周会", "会议室", "会议"),
    tpl("sales project", SALES, "{quarter}报价的草稿我放在群文件了，大家看看",
        "报价", "草稿", "文件"),
    tpl("sales", "zhangwei", "这周的季度销售报告我来写，{deadline}发给周总",
        "季度", "销售", "报告", "季度销售报告"),
    tpl("sales project", SALES, "合同条款里付款方式要再确认一下", "合同", "条款", "付款", "确认"),
    tpl("sales", SALES, "{client}的发票抬头写错了，要重开", "发票", "抬头", "重开"),
    tpl("project", SALES, "客户希望{deadline}能看到{product}的演示环境", "客户", "演示", "环境"),
    tpl("sales project", SALES, "海关那边清关资料还缺一份装箱单", "海关", "清关", "装箱单", "资料"),
    tpl("sales", SALES, "出口到越南的货物海关查验了，可能晚两天", "出口", "海关", "查验", "货物"),
    # R&D
    tpl("rnd tech project", RND, "{service}接口今天下午上线，有问题及时反馈",
        "接口", "上线", "反馈", "问题"),
    tpl("rnd tech", RND, "测试环境的{service}挂了，谁在看？", "测试", "环境"),
    tpl("rnd tech project", RND, "API接口文档已经更新到wiki了", "api", "接口", "文档", "wiki"),
    tpl("rnd", RND, "{version}版本的需求评审定在周三", "需求", "评审", "周三"),
    tpl("rnd tech", RND, "代码review请今天完成，然后合并到master分支",
        "代码", "review", "合并", "master", "分支"),
    tpl("rnd tech", RND, "数据库迁移脚本跑完了，耗时{n}分钟", "数据库", "数据", "迁移", "脚本",
        "数据库迁移"),
    tpl("rnd tech", RND, "线上报警：{service}响应时间超过2秒", "线上", "报警", "响应"),
    tpl("rnd all", RND, "研发部下周做技术分享，主题是{topic}", "研发", "研发部", "技术", "分享"),
    tpl("rnd tech", RND, "Bug {bug} 已修复，等待回归测试", "bug", "修复", "回归", "测试"),
    tpl("rnd project", RND, "{service}今晚部署到生产环境，预计十点开始", "部署", "生产", "环境"),
    tpl("rnd", RND, "研发进度表更新了，{version}版本延期一周", "研发", "进度", "延期"),
    tpl("rnd tech", RND, "压力测试结果：{service}每秒能扛{n}千请求", "测试", "压力", "请求"),
    tpl("rnd tech", RND, "新的CI流水线配置好了，提交代码会自动跑测试",
        "ci", "流水线", "代码", "测试", "提交"),
    tpl("rnd project", RND, "需求文档第三版发出来了，请产品确认", "需求", "文档", "确认"),
    # customer service
    tpl("service", SERVICE, "客户投诉{issue}，已经登记工单", "客户", "投诉", "工单", "登记"),
    tpl("service", SERVICE, "今天的退款申请有{n}单，都处理完了", "退款", "申请", "处理"),
    tpl("service project", SERVICE, "{client}反馈系统登录不了，麻烦研发看一下",
        "反馈", "登录", "研发", "系统"),
    tpl("service all", SERVICE, "客服培训安排在周四下午，新同事必须参加",
        "客服", "培训", "周四", "同事"),
    tpl("service", SERVICE, "满意度调查结果出来了，比上月提高了3个点", "满意度", "调查",
        "满意度调查"),
    tpl("service", SERVICE, "有个客户一直打电话催退款，语气很激动", "客户", "退款", "电话"),
    tpl("service", SERVICE, "投诉率这周下降了，大家辛苦", "投诉", "下降"),
    # management and company-wide
    tpl("mgmt all", BOSS, "下季度预算需要各部门{deadline}前提交", "预算", "部门", "提交"),
    tpl("mgmt all", BOSS, "年终总结会议定在12月20日，请提前准备", "年终", "总结", "会议", "准备"),
    tpl("mgmt", BOSS, "请各部门负责人审批本月的报销单", "审批", "报销", "负责人", "部门"),
    tpl("all", BOSS, "新员工入职培训下周一开始，地点大会议室", "入职", "培训", "员工", "会议室",
        "会议"),
    tpl("all", BOSS, "公司年会节目报名开始了，欢迎踊跃参加", "年会", "报名"),
    tpl("all", BOSS, "五一放假安排：5月1日至5日放假，4月27日上班", "放假", "安排"),
    tpl("mgmt", BOSS, "{quarter}经营分析会议下周二开，各部门准备材料",
        "经营", "分析", "会议", "材料"),
    tpl("mgmt", BOSS, "采购合同超过十万的需要我审批", "采购", "合同", "审批"),
    tpl("mgmt", BOSS, "预算执行情况：研发超支了，销售还有余量", "预算", "研发", "销售", "超支"),
    tpl("all", BOSS, "下午三点全员会议，请准时参加", "全员", "会议", "准时"),
    # tools and money: names a dictionary does not know (飞书, 钉钉, 中台, 专票)
    tpl("all rnd", ANY, "飞书文档里有详细说明，{person}看一下", "飞书", "文档", "说明"),
    tpl("all sales", ANY, "周会改到飞书会议，链接发群里了", "周会", "飞书", "会议", "链接"),
    tpl("all", BOSS, "钉钉打卡记录导出来了，{deadline}核对考勤", "钉钉", "打卡", "记录", "考勤"),
    tpl("mgmt service", ANY, "用钉钉发审批就行", "钉钉", "审批"),
    tpl("all", BOSS, "发钉钉通知所有人{deadline}前提交周报", "钉钉", "通知", "提交", "周报"),
    tpl("rnd tech", RND, "业务中台和数据中台的接口{deadline}联调", "中台", "业务", "数据", "接口",
        "联调"),
    tpl("sales project", SALES, "客户要求开专票，税率13%", "客户", "专票", "税率"),
    tpl("sales", SALES, "普票还是专票？{client}还没说", "普票", "专票"),
    tpl("sales mgmt", SALES, "{client}这笔货款还没到账，财务催一下", "货款", "到账", "财务"),
    tpl("sales", SALES, "{client}的回款已经到账了", "回款", "到账"),
    # English
    tpl("intl", ANY, "Can we move the weekly sync meeting to Thursday?",
        "meeting", "weekly", "sync", "thursday"),
    tpl("intl", ANY, "The deployment of the payment service is scheduled for tonight",
        "deploy", "payment", "service", "schedule", "tonight"),
    tpl("intl", ANY, "Please review the quarterly report before Friday",
        "review", "quarterly report", "report", "quarterly", "friday"),
    tpl("intl", ANY, "Invoice {n} has been sent to {client_en}", "invoice", "sent"),
    tpl("intl tech", ANY, "I pushed a fix for the login bug, please test it",
        "fix", "login", "bug", "test"),
    tpl("intl", ANY, "Let's meet in the lobby at 3pm", "meet", "lobby"),
    tpl("intl", ANY, "The customer from {client_en} is asking for a refund",
        "customer", "refund"),
    tpl("intl", ANY, "Budget approval is still pending from finance",
        "budget", "approval", "pending", "finance"),
    tpl("intl tech", ANY, "Running the database migration now, expect some downtime",
        "database", "migration", "downtime"),
    tpl("intl", ANY, "Organizational changes will be announced next week",
        "organization", "announce", "change"),
    tpl("intl", ANY, "Meetings are cancelled tomorrow because of the typhoon",
        "meeting", "cancel", "typhoon"),
    tpl("intl", ANY, "We deployed the new build to staging, all tests passed",
        "deploy", "build", "staging", "test"),
    tpl("intl", ANY, "The quarterly sales report is ready for review",
        "quarterly", "sales", "report", "review"),
    # mixed
    tpl("sales project", SALES, "{client}的PO已经收到，金额{n}万", "po", "金额"),
    tpl("sales project", SALES, "{quarter}报价已经发给客户了", "报价", "客户"),
    tpl("rnd tech", RND, "API接口返回500错误，{service}的日志里有堆栈",
        "api", "接口", "错误", "日志"),
    tpl("project", ANY, "明天的demo准备好了吗？", "demo", "准备"),
    tpl("rnd", RND, "这个feature下个sprint再做", "feature", "sprint"),
    tpl("sales service", "zhangwei wangfang", "CRM系统里的客户数据要清理一下",
        "crm", "系统", "客户", "数据"),
    tpl("rnd tech", RND, "接口文档在这里：https://wiki.example.com/api/v2",
        "接口", "文档", "wiki", "api"),
    tpl("project", ANY, "会议纪要发群里了，meeting notes也同步到邮箱",
        "会议", "纪要", "meeting", "notes", "邮箱"),
]

# Hand-written messages: traps (the characters of a word, not the word) and others.
EXTRA: list[tuple[str, str, str, frozenset[str]]] = []


def extra(channel: str, sender: str, text: str, *tags: str) -> None:
    EXTRA.append((channel, sender, text, frozenset(tags)))


extra("sales", "zhangwei", "这次机会议价空间不大，先别让步", "机会", "议价", "让步")
extra("sales", "liuyang", "他们说这次机会议价的余地很小", "机会", "议价")
extra("all", "linxiaoyan", "上海关闭了两个仓库，物流要重新安排", "上海", "关闭", "仓库", "物流")
extra("sales", "zhangwei", "上海关税政策有变化吗？", "上海", "关税", "政策")
extra("mgmt", "lina", "结合同事们的意见，我改了一版方案", "结合", "同事", "意见", "方案")
extra("service", "wangfang", "结合同类产品的经验，建议先回访", "结合", "同类", "回访")
extra("mgmt", "zhangwei", "周五前汇报价格调整方案", "汇报", "价格", "调整", "方案")
extra("all", "linxiaoyan", "名单上的人全部署名后交给我", "名单", "全部", "署名")
extra("tech", "lina", "我马上线下跟你说", "马上", "线下")
extra("service", "wangfang", "检测试剂的库存不多了", "检测", "试剂", "库存")
extra("rnd", "lina", "经过钻研发现这个算法有问题", "钻研", "发现", "算法", "问题")
extra("project", "alex", "I'll send the proposal to the client tomorrow", "proposal", "client")
extra("project", "alex", "外部顾问这边的报价明天给你们", "顾问", "报价")
extra("dm", "zhangwei", "李娜，私下问一下，研发那边的预算还够吗", "研发", "预算")
extra("dm", "lina", "够的，不过Q3报价的技术部分你再看看", "q3", "报价", "技术")
extra("sales", "zhangwei", "發票已經寄出，請查收", "发票", "寄出", "查收")
extra("rnd", "lina", "ＡＰＩ接口的限流已经加上了", "api", "接口", "限流")
extra("sales", "liuyang", "ＰＯ号是ＰＯ－２０２５－０６１２", "po", "po-2025-0612")
extra("intl", "zhangwei", "PO-2025-0612 is confirmed by Acme Corp", "po", "po-2025-0612", "acme")

FILLERS = ["好的", "收到", "谢谢", "👍", "OK", "没问题", "辛苦了", "稍等，我看一下", "明白",
           "好的，我晚点回复你", "+1", "哈哈", "Thanks!", "got it", "在吗？", "嗯嗯"]

# Queries: (text, as whom, words all required, words excluded, filters, group)
QUERIES: list[dict[str, Any]] = []


def q(text: str, as_: str, need: list[str], *, none: list[str] | None = None,
      group: str = "words", **filters: Any) -> None:
    QUERIES.append({"q": text, "as": as_, "need": need, "none": none or [], "group": group,
                    "filters": filters})


for word in ("会议", "报价", "研发", "合同", "海关", "部署", "上线", "测试", "客户", "发票",
             "投诉", "预算", "审批", "培训", "需求", "接口", "退款", "数据", "飞书", "钉钉",
             "中台", "专票", "到账"):
    q(word, "zhoujianguo" if word not in ("投诉", "退款") else "linxiaoyan", [word],
      group="2char")
q("會議", "zhoujianguo", ["会议"], group="variant")
q("報價", "zhoujianguo", ["报价"], group="variant")
q("發票", "zhoujianguo", ["发票"], group="variant")
q("ＡＰＩ", "lina", ["api"], group="variant")
q("报价单", "zhangwei", ["报价单"], group="longer")
q("会议室", "zhoujianguo", ["会议室"], group="longer")
q("数据库迁移", "lina", ["数据库迁移"], group="longer")
q("满意度调查", "wangfang", ["满意度调查"], group="longer")
q("报价单的事", "zhangwei", ["报价单"], group="longer")
q('"季度销售报告"', "zhangwei", ["季度销售报告"], group="phrase")
q("meeting", "lina", ["meeting"], group="english")
q("meetings", "lina", ["meeting"], group="english")
q("deployment", "lina", ["deploy"], group="english")
q("invoice", "zhangwei", ["invoice"], group="english")
q("refund", "zhangwei", ["refund"], group="english")
q('"quarterly report"', "lina", ["quarterly report"], group="phrase")
q("organiz*", "lina", ["organization"], group="english")
q("migrat*", "lina", ["migration"], group="english")
q("Q3报价", "zhangwei", ["q3", "报价"], group="mixed")
q("API接口", "lina", ["api", "接口"], group="mixed")
q("PO-2025-0612", "zhangwei", ["po-2025-0612"], group="mixed")
q("CRM客户", "zhangwei", ["crm", "客户"], group="mixed")
q("报价 -草稿", "zhangwei", ["报价"], none=["草稿"], group="language")
q('"报价单" -模板', "zhangwei", ["报价单"], none=["模板"], group="language")
q("报价 OR 询价", "zhangwei", [], group="language", any_of=["报价", "询价"])
q("报价 in:#销售部", "zhangwei", ["报价"], group="filter", channels=["sales"])
q("合同 from:@zhangwei", "zhoujianguo", ["合同"], group="filter", senders=["zhangwei"])
q("from:@李娜 上线", "zhoujianguo", ["上线"], group="filter", senders=["lina"])
q("has:file 合同", "zhoujianguo", ["合同"], group="filter", has_file=True)
q("is:thread 上线", "lina", ["上线"], group="filter", in_thread=True)
q("@me", "lina", [], group="filter", mentions="lina")
q("会议 before:2025-05-01", "zhoujianguo", ["会议"], group="filter", before="2025-05-01")
q("after:2025-06-01 报价", "zhangwei", ["报价"], group="filter", after="2025-06-01")
q("报价", "alex", ["报价"], group="permission")
q("上线", "wangfang", ["上线"], group="permission")
q("预算", "liuyang", ["预算"], group="permission")
q("研发", "wangfang", ["研发"], group="permission")
q("会", "wangfang", [], group="1char", chars="会")
q("税", "zhangwei", [], group="1char", chars="税")


@dataclass
class Message:
    id: int
    channel: str
    sender: str
    text: str
    created_at: datetime
    tags: set[str]
    thread_root: int | None = None
    has_file: bool = False
    mention_users: list[str] = field(default_factory=list)
    mention_departments: list[str] = field(default_factory=list)
    mention_all: bool = False
    deleted: bool = False


def fill(template: str, rng: random.Random) -> tuple[str, set[str]]:
    tags: set[str] = set()
    out = template
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        text, slot_tags = rng.choice(SLOTS[out[start + 1:end]])
        tags |= slot_tags
        out = out[:start] + text + out[end + 1:]
    return out, tags


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def build() -> dict[str, Any]:
    rng = random.Random(SEED)
    to_traditional = opencc.OpenCC("s2t")
    drafts: list[tuple[str, str, str, set[str]]] = []
    for _ in range(2150):
        channels, senders, template, tags = rng.choice(TEMPLATES)
        channel = rng.choice(channels)
        members = CHANNELS[channel][2]
        sender = rng.choice([s for s in senders if s in members] or members)
        text, slot_tags = fill(template, rng)
        all_tags = set(tags) | slot_tags
        roll = rng.random()
        if roll < 0.07 and not text.isascii():
            text = to_traditional.convert(text)
        elif roll < 0.10 and any(c.isascii() and c.isalnum() for c in text):
            text = full_width(text)
        drafts.append((channel, sender, text, all_tags))
    for _ in range(330):
        channel = rng.choice(list(CHANNELS))
        drafts.append((channel, rng.choice(CHANNELS[channel][2]), rng.choice(FILLERS), set()))
    for channel, sender, text, labels in EXTRA:
        for _ in range(2):
            drafts.append((channel, sender, text, set(labels)))
    rng.shuffle(drafts)
    times = sorted(ANCHOR - timedelta(days=rng.uniform(0, 120)) for _ in drafts)
    messages: list[Message] = []
    roots: dict[str, list[int]] = {}
    for index, ((channel, sender, text, draft_tags), at) in enumerate(
            zip(drafts, times, strict=True)):
        message = Message(index + 1, channel, sender, text, at.replace(second=0, microsecond=0),
                          draft_tags)
        if roots.get(channel) and rng.random() < 0.12:
            message.thread_root = rng.choice(roots[channel][-20:])
        elif draft_tags:
            roots.setdefault(channel, []).append(message.id)
        message.has_file = bool(draft_tags) and rng.random() < 0.12
        members = CHANNELS[channel][2]
        roll = rng.random()
        if roll < 0.05:
            person = rng.choice([m for m in members if m != sender] or members)
            message.mention_users = [person]
            message.text = f"@{NAME_OF[person]} {message.text}"
            message.tags.add(NAME_OF[person])
        elif roll < 0.07:
            person = rng.choice([m for m in members if m in DEPARTMENT_OF] or members)
            if person in DEPARTMENT_OF:
                department = DEPARTMENT_OF[person]
                message.mention_departments = [department]
                message.text = f"@{department} {message.text}"
                # A department's name holds its field: @研发部 is about 研发.
                message.tags |= {department, department.removesuffix("部")}
        elif roll < 0.08 and channel == "all":
            message.mention_all = True
            message.text = f"@所有人 {message.text}"
        message.deleted = rng.random() < 0.02
        messages.append(message)
    by_id = {m.id: m for m in messages}
    for message in messages:
        if message.thread_root is not None:
            by_id[message.thread_root].tags.add("__has_replies")
    queries = [dict(query, expect=expected(query, messages)) for query in QUERIES]
    return {
        "anchor": ANCHOR.isoformat(),
        "channels": {key: {"name": name, "kind": kind, "members": members}
                     for key, (name, kind, members) in CHANNELS.items()},
        "messages": [{
            "id": m.id, "channel": m.channel, "sender": m.sender, "text": m.text,
            "created_at": m.created_at.isoformat(), "thread_root": m.thread_root,
            "has_file": m.has_file, "mention_users": m.mention_users,
            "mention_departments": m.mention_departments, "mention_all": m.mention_all,
            "deleted": m.deleted, "tags": sorted(m.tags - {"__has_replies"})}
            for m in messages],
        "queries": queries,
    }


def readable(person: str, channel: str) -> bool:
    _name, kind, members = CHANNELS[channel]
    return person in members or (kind == "public" and person in PUBLIC_READERS)


# Departments whose mention reaches each person (their own and those above it).
MENTIONED_BY = {"zhangwei": {"销售部"}, "liuyang": {"华东区", "销售部"}, "lina": {"研发部"},
                "wangfang": {"客服部"}, "linxiaoyan": {"总经办"}}


def expected(query: dict[str, Any], messages: list[Message]) -> list[int]:
    filters = query["filters"]
    found = []
    for m in messages:
        if m.deleted or not readable(query["as"], m.channel):
            continue
        if not set(query["need"]) <= m.tags or set(query["none"]) & m.tags:
            continue
        if "any_of" in filters and not set(filters["any_of"]) & m.tags:
            continue
        if "chars" in filters:
            normal = opencc.OpenCC("t2s").convert(m.text)
            if filters["chars"] not in normal:
                continue
        if "channels" in filters and m.channel not in filters["channels"]:
            continue
        if "senders" in filters and m.sender not in filters["senders"]:
            continue
        if filters.get("has_file") and not m.has_file:
            continue
        if filters.get("in_thread") and not (m.thread_root is not None
                                             or "__has_replies" in m.tags):
            continue
        if "mentions" in filters:
            person = filters["mentions"]
            if not (person in m.mention_users or m.mention_all
                    or set(m.mention_departments) & MENTIONED_BY.get(person, set())):
                continue
        if "before" in filters and m.created_at >= datetime.fromisoformat(
                filters["before"]).replace(tzinfo=CHINA):
            continue
        if "after" in filters and m.created_at < datetime.fromisoformat(
                filters["after"]).replace(tzinfo=CHINA) + timedelta(days=1):
            continue
        found.append(m.id)
    return found


def main() -> None:
    corpus = build()

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    parts = [f'{{"anchor":{line(corpus["anchor"])},', f'"channels":{line(corpus["channels"])},',
             '"messages":[', ",\n".join(line(m) for m in corpus["messages"]), "],",
             '"queries":[', ",\n".join(line(q) for q in corpus["queries"]), "]}"]
    OUT.write_text("\n".join(parts) + "\n", encoding="utf-8")
    counts = {query["q"]: len(query["expect"]) for query in corpus["queries"]}
    print(f"{len(corpus['messages'])} messages, {len(counts)} queries → {OUT}")
    print(counts)


if __name__ == "__main__":
    main()
