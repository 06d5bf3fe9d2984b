"""Request types and requests for the demo company (`xietong seed-demo`, after the
organisation and its conversations exist)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from xietong.business_calendar.queries import work_calendar
from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org.models import Department, User
from xietong.policy.requests import Action
from xietong.requests import actions
from xietong.requests.access import RequestAccess, standing_of
from xietong.requests.models import Assignment, RequestType
from xietong.requests.schemas import FieldSpec, RequestCreate, RequestTypeCreate


def _field(key: str, label: str, kind: str, required: bool = False,
           options: list[str] | None = None) -> FieldSpec:
    return FieldSpec.model_validate({"key": key, "label": label, "type": kind,
                                     "required": required, "options": options})


# (department, name, description, fields, response hours, resolution hours, assignment)
TYPES: list[tuple[str, str, str, list[FieldSpec], float, float, Assignment]] = [
    ("研发部", "需求评审", "客户或业务提出的新功能、改进，由研发部评估排期", [
        _field("customer", "客户名称", "text", True),
        _field("priority", "优先级", "select", True, ["P0 紧急", "P1 高", "P2 普通"]),
        _field("wanted_by", "期望上线日期", "date"),
        _field("detail", "需求说明", "long_text", True)], 4, 40, Assignment.MANAGER),
    ("生产部", "客户投诉升级", "客服无法当场解决、需要生产部处理的质量问题", [
        _field("customer", "客户名称", "text", True),
        _field("order_no", "订单号", "text"),
        _field("severity", "严重程度", "select", True, ["一般", "严重", "紧急"]),
        _field("detail", "问题描述", "long_text", True)], 2, 16, Assignment.LEAST_LOADED),
    ("财务部", "预算审批", "部门预算外支出的申请", [
        _field("amount", "金额（元）", "money", True),
        _field("category", "预算科目", "select", True, ["市场推广", "差旅", "设备采购", "培训"]),
        _field("purpose", "用途说明", "long_text", True)], 4, 24, Assignment.MANAGER),
    ("研发部", "资源借用", "借用演示环境、测试设备或临时人手", [
        _field("resource", "资源", "select", True, ["演示环境", "测试手机", "服务器", "人员支援"]),
        _field("from_day", "开始日期", "date", True),
        _field("until_day", "归还日期", "date", True),
        _field("purpose", "用途", "text")], 4, 16, Assignment.ROUND_ROBIN),
    ("财务部", "合同会签", "对外合同在签署前由财务审核金额与付款条款", [
        _field("contract", "合同名称", "text", True),
        _field("amount", "合同金额（元）", "money", True),
        _field("counterparty", "对方单位", "text", True),
        _field("attachment", "合同文本", "file")], 8, 40, Assignment.MANAGER),
    ("研发部", "IT 支持", "电脑、账号、网络和软件安装问题", [
        _field("kind", "问题类型", "select", True, ["电脑", "账号", "网络", "软件安装", "其他"]),
        _field("detail", "问题描述", "long_text", True)], 1, 8, Assignment.LEAST_LOADED),
]

# (requester, type, title, values, then steps: (who — None: the assignee —, action, reason))
Step = tuple[str | None, Action, str | None]
REQUESTS: list[tuple[str, str, str, dict[str, Any], list[Step]]] = [
    ("liuyang", "需求评审", "华东区客户要求报表支持按区域导出 Excel",
     {"customer": "上海明远贸易", "priority": "P1 高",
      "detail": "客户每周要把销售报表按区域拆开发给各门店，现在只能整体导出。"},
     [("lina", Action.ACCEPT, None)]),
    ("denglijun", "客户投诉升级", "批次 A2311 外壳有划痕，客户要求换货",
     {"customer": "广州恒达电子", "order_no": "SO-20261118-027", "severity": "严重",
      "detail": "客户收到 200 台中有 37 台外壳有明显划痕，已拍照留证，要求本周内换货。"},
     [("weiqiang", Action.START, None)]),
    ("wangfang", "预算审批", "双十二线上活动追加投放预算",
     {"amount": "85000.00", "category": "市场推广",
      "purpose": "活动首日转化超预期，申请追加信息流投放预算，预计带来 300 条销售线索。"}, []),
    ("wumin", "资源借用", "下周二客户现场演示借用演示环境",
     {"resource": "演示环境", "from_day": "2026-12-15", "until_day": "2026-12-16",
      "purpose": "华南区重点客户现场演示"},
     [(None, Action.START, None), (None, Action.RESOLVE, None),
      ("wumin", Action.CONFIRM, None)]),
    ("zhangwei", "合同会签", "与上海明远贸易的年度框架合同",
     {"contract": "2027 年度采购框架合同", "amount": "1200000.00",
      "counterparty": "上海明远贸易有限公司"}, []),
    ("zhaoli", "IT 支持", "新电脑无法连接公司 VPN",
     {"kind": "网络", "detail": "新领的笔记本装好客户端后连接 VPN 一直提示证书错误。"},
     [(None, Action.START, None), (None, Action.WAIT, "请发一下客户端版本号和错误截图")]),
]


async def demo_requests(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    """Requests' step of `xietong seed-demo`: the six types and a few requests in motion."""
    departments = {d.name: d.id for d in (await uow.session.scalars(
        select(Department).where(Department.parent_id.is_(None)))).all()}
    if "研发部" not in departments or "生产部" not in departments:
        return DemoOutcome()  # not the demo company
    if await uow.session.scalar(select(RequestType.id).where(
            RequestType.department_id == departments["研发部"], RequestType.name == "需求评审")):
        return DemoOutcome()
    users = {u.username: u for u in (await uow.session.scalars(select(User))).all()}

    def actor(username: str) -> Actor:
        return Actor(user_id=users[username].id, role=Role(users[username].role))

    # As the console operator seeding the company, whatever role the demo gives its owner.
    boss = Actor(user_id=users["zhoujianguo"].id, role=Role.ADMIN)
    types: dict[str, RequestType] = {}
    for department, name, description, fields, response, resolution, rule in TYPES:
        types[name] = await actions.do_create_type(uow, boss, RequestTypeCreate(
            name=name, department_id=departments[department], description=description,
            fields=fields, response_sla_hours=response, resolution_sla_hours=resolution,
            assignment=rule))
    calendar = await work_calendar(uow, default_zone=options.zone)
    # Filed over the last days, so the queue shows some clocks running and one closed.
    start = utcnow() - timedelta(days=len(REQUESTS))
    for n, (requester, type_name, title, values, steps) in enumerate(REQUESTS):
        moment = start + timedelta(days=n)
        request, _ = await actions.do_file_request(
            uow, actor(requester), RequestCreate(type_id=types[type_name].id, title=title,
                                                 values=values),
            calendar=calendar, now=moment)
        for offset, (username, action, reason) in enumerate(steps, start=1):
            if username is None:
                assert request.assignee_id is not None, title
                who = next(actor(u.username) for u in users.values()
                           if u.id == request.assignee_id)
            else:
                who = actor(username)
            found = RequestAccess(request, await standing_of(uow, who, request))
            await actions.do_transition(uow, who, found, action, reason, calendar=calendar,
                                        now=moment + timedelta(hours=offset))
    return DemoOutcome(created=(f"{len(TYPES)} request types", f"{len(REQUESTS)} requests"))
