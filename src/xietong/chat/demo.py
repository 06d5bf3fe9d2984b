"""Conversations for the demo company (`xietong seed-demo`, after the organisation exists)."""

from __future__ import annotations

from sqlalchemy import select

from xietong.chat import actions
from xietong.chat.access import ChannelAccess
from xietong.chat.models import Channel, ChannelKind, ChannelMember, MemberRole
from xietong.chat.schemas import ChannelCreate
from xietong.core.actor import Actor, Role
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.org.models import Department, User
from xietong.policy import org as org_policy

# (sender username, text, reply to the n-th message of this channel or None)
PROJECT_TALK: list[tuple[str, str, int | None]] = [
    ("wangfang", "大家好，Q4 新品发布会定在 **11 月 28 日**，请各部门本周五前确认排期。", None),
    ("lina", "研发这边功能已冻结，@马超 前端还差官网落地页。", None),
    ("machao", "落地页周三提测，@唐宁 麻烦安排一下测试。", 1),
    ("tangning", "收到，周三下午开始回归测试。", 1),
    ("zhangwei", "销售需要最终报价单，@蒋文 财务能否周四前给出 Q4 报价？", None),
    ("jiangwen", "可以，报价单周四上午发到群里。", 4),
    ("zhaoli", "发布会物料清单：\n- 海报 3 版\n- 宣传视频 1 支\n- 媒体邀请函", None),
    ("wangfang", "@研发部 请确认演示环境周五可用 🙏", None),
]
ANNOUNCEMENT = ("zhoujianguo", "各位同事：本周五下午 3 点召开 Q4 经营分析会，"
                "请各部门负责人准时参加，并提前准备本部门的数据。请确认收到。")
LOUNGE = [("sunyue", "午饭有人一起去新开的那家面馆吗？"), ("hujie", "我去！12 点楼下见"),
          ("yezi", "下周的新员工培训报名链接：https://example.com/training")]


async def seed_demo_conversations(uow: UnitOfWork) -> int:
    """Create channels and messages unless they exist; returns the number of channels made."""
    if await uow.session.scalar(select(Channel.id).where(Channel.name == "Q4 新品发布项目组")):
        return 0
    users = {u.username: u for u in (await uow.session.scalars(select(User))).all()}

    def actor(username: str) -> Actor:
        user = users[username]
        return Actor(user_id=user.id, role=Role(user.role))

    boss = Actor(user_id=users["zhoujianguo"].id, role=Role.ADMIN)
    made = 0
    tops = (await uow.session.scalars(
        select(Department).where(Department.parent_id.is_(None))
        .order_by(Department.position))).all()
    for department in tops:
        await actions.do_create_channel(uow, boss, ChannelCreate(
            name=department.name, kind=ChannelKind.DEPARTMENT, department_id=department.id,
            description=f"{department.name}全员群，成员随组织架构自动同步"))
        made += 1
    everyone = [u.id for u in users.values() if not org_policy.is_guest(Role(u.role))]
    announcement = await actions.do_create_channel(uow, boss, ChannelCreate(
        name="公司公告", kind=ChannelKind.ANNOUNCEMENT, member_ids=everyone,
        description="全员公告，仅管理员发布"))
    lounge = await actions.do_create_channel(uow, actor("sunyue"), ChannelCreate(
        name="随便聊聊", kind=ChannelKind.PUBLIC, member_ids=everyone))
    project = await actions.do_create_channel(uow, actor("wangfang"), ChannelCreate(
        name="Q4 新品发布项目组", kind=ChannelKind.PRIVATE,
        description="市场部牵头，研发、销售、财务协同",
        member_ids=[users[u].id for u in ("lina", "machao", "tangning", "zhangwei",
                                          "jiangwen", "zhaoli", "gaoyuan")]))
    made += 3

    async def post(channel: Channel, username: str, text: str, root: int | None = None,
                   ack: bool = False) -> int:
        member = await uow.session.get(ChannelMember, (channel.id, users[username].id))
        if member is None:
            member = ChannelMember(channel_id=channel.id, user_id=users[username].id,
                                   role=MemberRole.MEMBER.value)
        message, _ = await actions.do_send_message(
            uow, actor(username), ChannelAccess(channel, member), text=text, client_msg_id=None,
            thread_root_id=root, file_ids=[], ack_required=ack)
        return message.id

    roots: list[int] = []
    for username, text, reply_to in PROJECT_TALK:
        message_id = await post(project, username, text,
                                roots[reply_to] if reply_to is not None else None)
        roots.append(message_id)
    sender, text = ANNOUNCEMENT
    announcer = await uow.session.get(ChannelMember, (announcement.id, users[sender].id))
    assert announcer is not None
    await actions.do_send_message(uow, boss, ChannelAccess(announcement, announcer), text=text,
                                  client_msg_id=None, thread_root_id=None, file_ids=[],
                                  ack_required=True)
    for username, text in LOUNGE:
        await post(lounge, username, text)
    return made


# Public channels that departments keep for everyone, for the channel directory to find:
# (creator, name, description, other members, [(sender, text)]).
OPEN_CHANNELS: list[tuple[str, str, str, list[str], list[tuple[str, str]]]] = [
    ("gaoyuan", "研发值班与故障通报", "线上故障、发布窗口与值班安排，业务部门可在此报障",
     ["liangyu", "songjia", "xietian", "tangning"],
     [("songjia", "今晚 22:00–23:00 发布窗口：订单服务升级，期间下单可能有 1–2 分钟延迟。"),
      ("gaoyuan", "本周值班：梁宇（后端）、宋佳（运维），紧急问题直接 @ 值班同学。")]),
    ("machao", "前端技术交流", "Vue、TypeScript 与性能优化，欢迎产品、设计和市场的同学旁听",
     ["zhuting", "hujie", "guojing"],
     [("machao", "周五下午 4 点分享「长列表性能优化」，其他部门的同学也欢迎来听 🙌"),
      ("zhuting", "我把 demo 整理好了，会后发到群里。")]),
    ("zhaoli", "品牌设计素材", "Logo、PPT 与海报模板、品牌规范，各部门对外材料请从这里取",
     ["sunyue", "qianduoduo"],
     [("zhaoli", "新版 PPT 模板和品牌色卡已更新，对外材料请统一使用。")]),
    ("chenchen", "客户案例库", "成单故事与客户证言，市场和客服可直接引用",
     ["liuyang", "zhengkai"],
     [("chenchen", "新增案例：某连锁零售客户上线三个月，门店工单处理时长缩短 40%。")]),
    ("dujuan", "新人答疑", "入职流程、报销、IT 账号等问题都可以在这里问", ["yezi"], []),
]


async def seed_demo_open_channels(uow: UnitOfWork) -> int:
    """Create the departments' open channels unless they exist; returns how many were made."""
    if await uow.session.scalar(select(Channel.id).where(Channel.name == OPEN_CHANNELS[0][1])):
        return 0
    users = {u.username: u for u in (await uow.session.scalars(select(User))).all()}
    made = 0
    for creator, name, description, others, talk in OPEN_CHANNELS:
        if creator not in users:
            continue  # not the demo company
        owner = Actor(user_id=users[creator].id, role=Role(users[creator].role))
        channel = await actions.do_create_channel(uow, owner, ChannelCreate(
            name=name, kind=ChannelKind.PUBLIC, description=description,
            member_ids=[users[u].id for u in others if u in users]))
        made += 1
        for sender, text in talk:
            user = users[sender]
            member = await uow.session.get(ChannelMember, (channel.id, user.id))
            assert member is not None
            await actions.do_send_message(
                uow, Actor(user_id=user.id, role=Role(user.role)), ChannelAccess(channel, member),
                text=text, client_msg_id=None, thread_root_id=None, file_ids=[],
                ack_required=False)
    return made


async def demo_conversations(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    """Messaging's step of `xietong seed-demo`."""
    made = await seed_demo_conversations(uow) + await seed_demo_open_channels(uow)
    return DemoOutcome(created=(f"{made} channels",) if made else ())
