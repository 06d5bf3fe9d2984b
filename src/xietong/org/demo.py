"""A believable demo company (`xietong seed-demo`): departments, managers and 48 people."""

from __future__ import annotations

from dataclasses import dataclass

from pypinyin import lazy_pinyin
from sqlalchemy import select

from xietong.core.actor import Role
from xietong.core.security import Passwords
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org import actions
from xietong.org.models import Department, DepartmentManager, User

# (department, parent, [(name, title, is_manager)])
COMPANY: list[tuple[str, str | None, list[tuple[str, str, bool]]]] = [
    ("总经办", None, [("周建国", "总经理", True), ("林晓燕", "总经理助理", False)]),
    ("市场部", None, [("王芳", "市场总监", True), ("赵丽", "品牌经理", False),
                   ("孙悦", "新媒体运营", False), ("钱多多", "活动策划", False),
                   ("何思琪", "市场分析师", False)]),
    ("销售部", None, [("张伟", "销售总监", True)]),
    ("华东区", "销售部", [("刘洋", "华东区销售经理", True), ("陈晨", "大客户经理", False),
                       ("杨帆", "销售代表", False), ("黄磊", "销售代表", False)]),
    ("华南区", "销售部", [("吴敏", "华南区销售经理", True), ("郑凯", "大客户经理", False),
                       ("冯雪", "销售代表", False), ("单雄信", "销售代表", False)]),
    ("研发部", None, [("李娜", "研发总监", True), ("曾志伟", "架构师", False)]),
    ("前端组", "研发部", [("马超", "前端组长", True), ("朱婷", "前端工程师", False),
                       ("胡杰", "前端工程师", False), ("郭静", "交互设计师", False)]),
    ("后端组", "研发部", [("高远", "后端组长", True), ("罗斌", "后端工程师", False),
                       ("梁宇", "后端工程师", False), ("宋佳", "运维工程师", False),
                       ("谢天", "数据工程师", False)]),
    ("测试组", "研发部", [("唐宁", "测试组长", True), ("韩梅梅", "测试工程师", False),
                       ("许晴", "自动化测试工程师", False)]),
    ("客服部", None, [("邓丽君", "客服经理", True), ("曹颖", "客服主管", False),
                   ("彭亮", "客服专员", False), ("董洁", "客服专员", False),
                   ("袁野", "技术支持工程师", False)]),
    ("财务部", None, [("蒋文", "财务总监", True), ("沈冰", "会计", False),
                   ("韦小宝", "出纳", False), ("苏青", "预算分析师", False)]),
    ("人力资源部", None, [("潘婷", "人力资源总监", True), ("杜鹃", "招聘经理", False),
                      ("叶子", "培训专员", False), ("程浩", "薪酬绩效专员", False)]),
    ("生产部", None, [("魏强", "生产经理", True), ("吕布", "车间主任", False),
                   ("丁一", "质量工程师", False), ("任盈盈", "采购专员", False)]),
]


@dataclass(frozen=True, slots=True)
class DemoResult:
    departments: int
    people: int
    already_present: bool


def _username_for(name: str, taken: set[str]) -> str:
    base = "".join(lazy_pinyin(name)).lower()
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


async def seed_demo_company(uow: UnitOfWork, *, password: str,
                            passwords: Passwords) -> DemoResult:
    """Create the demo company unless its departments already exist. Call as the console
    operator (no actor); one shared password for every demo person."""
    await uow.lock(actions.TREE_LOCK)
    if await uow.session.scalar(select(Department.id).where(Department.name == "研发部",
                                                            Department.parent_id.is_(None))):
        return DemoResult(0, 0, already_present=True)
    taken = set(await uow.session.scalars(select(User.username)))
    ids: dict[str, int] = {}
    people = 0
    # Every demo person shares one hash: hashing 48 times at full cost would take seconds.
    password_hash = await passwords.hash(password)
    for department_name, parent, staff in COMPANY:
        parent_id = ids[parent] if parent else None
        position = len(ids) + 1
        department = Department(name=department_name, parent_id=parent_id, position=position)
        uow.session.add(department)
        await uow.flush()
        ids[department_name] = department.id
        for name, title, is_manager in staff:
            username = _username_for(name, taken)
            user = User(username=username, display_name=name, title=title,
                        email=f"{username}@demo.xietong.local", role=Role.MEMBER.value,
                        active=True, password_hash=password_hash)
            actions.refresh_search_fields(user)
            uow.session.add(user)
            await uow.flush()
            await actions.set_user_departments(uow, user.id, [department.id], department.id)
            if is_manager:
                uow.session.add(DepartmentManager(department_id=department.id, user_id=user.id))
            people += 1
    await uow.flush()
    # A guest from a partner company, to show what guests can and cannot see.
    guest = User(username="guest.partner", display_name="外部顾问 Alex", title="合作方顾问",
                 role=Role.GUEST.value, active=True, password_hash=password_hash)
    actions.refresh_search_fields(guest)
    uow.session.add(guest)
    await uow.flush()
    return DemoResult(len(ids), people + 1, already_present=False)


async def demo_company(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    """The organisation's step of `xietong seed-demo`."""
    result = await seed_demo_company(uow, password=options.password,
                                     passwords=options.passwords)
    made = () if result.already_present else (f"{result.departments} departments",
                                              f"{result.people} people")
    return DemoOutcome(created=made, hint=f"Sign in as e.g. 'zhangwei' (张伟, 销售总监) with "
                                          f"password '{options.password}'.")
