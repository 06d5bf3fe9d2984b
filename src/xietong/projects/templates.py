"""Project templates: a new project's first tasks, laid out from the day it starts.

A template is data: its tasks in board order, each starting a number of working days after
the project's first one and lasting some working days (`projects.actions` turns the
offsets into dates on the company's business calendar, skipping weekends and holidays),
waiting for others (finish-to-start) or part of another (a sub-task). Tasks start in the
board's first "to do" column, unassigned: the owner hands them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xietong.projects.models import Priority

BLANK = "blank"


@dataclass(frozen=True, slots=True)
class TemplateTask:
    key: str
    title: str
    # Working days after the project's first working day that it starts (0: that day),
    # and how many working days it lasts (its due day is the last of them).
    start: int
    days: int
    priority: Priority = Priority.NORMAL
    labels: tuple[str, ...] = ()
    # The keys of the tasks it waits for, and of the task it is part of.
    after: tuple[str, ...] = ()
    parent: str | None = None
    description: str = ""

    @property
    def last(self) -> int:
        """The working day (counted like `start`) it is due."""
        return self.start + self.days - 1


@dataclass(frozen=True, slots=True)
class ProjectTemplate:
    key: str
    # By language: "zh-CN" and "en".
    name: dict[str, str]
    description: dict[str, str]
    tasks: tuple[TemplateTask, ...] = field(default=())

    @property
    def duration_days(self) -> int:
        """Working days from its first task's start to its last task's due day."""
        return max((t.last for t in self.tasks), default=-1) + 1


H, U, L = Priority.HIGH, Priority.URGENT, Priority.LOW

PRODUCT_LAUNCH = ProjectTemplate(
    key="product_launch",
    name={"zh-CN": "产品上市", "en": "Product launch"},
    description={
        "zh-CN": "从市场调研、定位定价到物料、渠道、发布会和上市复盘，约十周。",
        "en": "From market research, positioning and pricing to materials, channels, the "
              "launch event and the first month's review: about ten weeks."},
    tasks=(
        TemplateTask("research", "市场调研与竞品分析", 0, 5, H, ("市场",),
                     description="整理目标市场规模、主要竞品的功能与价格，形成调研报告。"),
        TemplateTask("positioning", "确定产品定位与目标用户", 5, 3, H, ("市场",),
                     after=("research",)),
        TemplateTask("pricing", "制定定价策略", 8, 3, H, ("市场", "财务"),
                     after=("positioning",)),
        TemplateTask("plan", "制定上市计划与预算", 8, 4, H, ("计划",), after=("positioning",)),
        TemplateTask("materials", "宣传物料制作", 12, 8, labels=("设计",), after=("plan",)),
        TemplateTask("visual", "主视觉与海报设计", 12, 4, labels=("设计",),
                     parent="materials"),
        TemplateTask("brochure", "产品手册与宣传册", 16, 4, labels=("设计",),
                     parent="materials", after=("visual",)),
        TemplateTask("website", "官网产品页上线", 15, 5, labels=("线上",),
                     after=("pricing",)),
        TemplateTask("channels", "渠道与经销商沟通", 12, 6, labels=("销售",),
                     after=("pricing",)),
        TemplateTask("training", "销售团队培训", 20, 3, labels=("销售", "培训"),
                     after=("pricing", "materials")),
        TemplateTask("press", "媒体与公关稿准备", 20, 5, labels=("公关",),
                     after=("materials",)),
        TemplateTask("event", "发布会筹备", 18, 8, U, ("活动",), after=("plan",)),
        TemplateTask("launch", "正式发布", 26, 1, U, ("里程碑",),
                     after=("website", "training", "press", "event", "channels")),
        TemplateTask("review", "上市首月复盘", 47, 2, labels=("复盘",), after=("launch",),
                     description="对照上市目标复盘销量、渠道反馈和用户评价，确定下一步改进。"),
    ),
)

CUSTOMER_ROLLOUT = ProjectTemplate(
    key="customer_rollout",
    name={"zh-CN": "客户实施", "en": "Customer implementation"},
    description={
        "zh-CN": "启动会、需求调研、方案设计、部署配置、联调测试、培训上线到验收交付，约九周。",
        "en": "Kick-off, requirements, solution design, set-up, integration testing, training, "
              "go-live and sign-off: about nine weeks."},
    tasks=(
        TemplateTask("kickoff", "项目启动会", 0, 1, H, ("里程碑",),
                     description="与客户确认项目范围、双方对接人、里程碑和沟通机制。"),
        TemplateTask("requirements", "需求调研", 1, 5, H, ("需求",), after=("kickoff",)),
        TemplateTask("interviews", "业务流程访谈", 1, 3, labels=("需求",),
                     parent="requirements"),
        TemplateTask("spec", "整理需求规格说明书", 4, 2, labels=("需求", "文档"),
                     parent="requirements", after=("interviews",)),
        TemplateTask("design", "方案设计与评审", 6, 4, H, ("方案",), after=("requirements",)),
        TemplateTask("environment", "部署测试与生产环境", 1, 4, labels=("技术",),
                     after=("kickoff",)),
        TemplateTask("migration", "历史数据迁移", 10, 5, labels=("技术", "数据"),
                     after=("design", "environment")),
        TemplateTask("configuration", "系统配置与二次开发", 10, 10, H, ("技术",),
                     after=("design", "environment")),
        TemplateTask("integration", "接口联调", 20, 4, labels=("技术",),
                     after=("configuration",)),
        TemplateTask("uat", "用户验收测试（UAT）", 24, 5, H, ("测试",),
                     after=("integration", "migration")),
        TemplateTask("training", "用户培训", 24, 3, labels=("培训",),
                     after=("configuration",)),
        TemplateTask("go_live", "上线切换", 29, 1, U, ("里程碑",), after=("uat", "training")),
        TemplateTask("support", "上线后驻场支持", 30, 10, labels=("服务",),
                     after=("go_live",)),
        TemplateTask("acceptance", "项目验收与交付文档", 40, 3, H, ("里程碑", "文档"),
                     after=("support",)),
    ),
)

EVENT_PLANNING = ProjectTemplate(
    key="event_planning",
    name={"zh-CN": "活动策划", "en": "Event planning"},
    description={
        "zh-CN": "目标预算、方案、场地、供应商、嘉宾、宣传、彩排到执行与复盘，约五周。",
        "en": "Goals and budget, the plan, venue, suppliers, guests, promotion, rehearsal, the "
              "day itself and the wrap-up: about five weeks."},
    tasks=(
        TemplateTask("goals", "明确活动目标与预算", 0, 2, H, ("计划",)),
        TemplateTask("plan", "活动方案策划", 2, 4, H, ("计划",), after=("goals",),
                     description="确定主题、形式、规模、日程和分工，报领导审批。"),
        TemplateTask("venue", "场地考察与预订", 6, 3, H, ("场地",), after=("plan",)),
        TemplateTask("suppliers", "供应商选定", 6, 6, labels=("采购",), after=("plan",)),
        TemplateTask("build", "搭建与物料供应商", 6, 3, labels=("采购",), parent="suppliers"),
        TemplateTask("catering", "餐饮与摄影摄像", 9, 3, labels=("采购",),
                     parent="suppliers"),
        TemplateTask("guests", "嘉宾邀请与确认", 6, 8, labels=("嘉宾",), after=("plan",)),
        TemplateTask("promotion", "活动宣传推广", 9, 10, labels=("宣传",),
                     after=("venue",)),
        TemplateTask("registration", "报名与签到安排", 9, 3, labels=("现场",),
                     after=("venue",)),
        TemplateTask("rundown", "流程单与主持稿", 14, 3, labels=("现场",),
                     after=("guests",)),
        TemplateTask("rehearsal", "现场彩排", 19, 1, H, ("现场",),
                     after=("rundown", "suppliers", "registration")),
        TemplateTask("event_day", "活动执行", 20, 1, U, ("里程碑",),
                     after=("rehearsal", "promotion")),
        TemplateTask("wrap_up", "活动复盘与费用结算", 21, 3, L, ("复盘", "财务"),
                     after=("event_day",)),
    ),
)

BLANK_PROJECT = ProjectTemplate(
    key=BLANK,
    name={"zh-CN": "空白项目", "en": "Blank project"},
    description={"zh-CN": "从一块空看板开始，任务由你来添加。",
                 "en": "Start from an empty board and add your own tasks."},
)

TEMPLATES: tuple[ProjectTemplate, ...] = (PRODUCT_LAUNCH, CUSTOMER_ROLLOUT, EVENT_PLANNING,
                                          BLANK_PROJECT)
BY_KEY = {t.key: t for t in TEMPLATES}
