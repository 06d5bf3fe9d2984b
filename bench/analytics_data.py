"""A synthetic company and a year of its event log, for `bench.analytics`.

The company (20 departments in a tree, 1,000 people, 300 channels of every kind, request
types, projects) is written with Core inserts through a runtime. The history is what the
rollup consumer reads: rows of `events` (and `event_recipients` of the personal ones) whose
`data` is the event's JSON as its Event model serialises it, and the `messages` rows the
consumer looks answers up in. Payloads are built from string templates, not pydantic, to
make ten million in minutes; `validate_samples` checks the first few of each type against
the real Event models (parsed and serialised again, they must give the same JSON).

Rows go in straight: SQLite through the sqlite3 module (executemany, `synchronous=OFF`
for this load only, a commit every few days of history), PostgreSQL through asyncpg's
binary COPY (`copy_records_to_table`).
"""

from __future__ import annotations

import heapq
import json
import math
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

from bench.common import PASSWORD, Environment
from xietong.chat.models import Channel
from xietong.org.models import Department, DepartmentManager, DepartmentMember, User
from xietong.projects.models import Project
from xietong.requests.models import RequestType

# Shares of the event types in the log (they add up to 1).
MIX: dict[str, float] = {
    "message.created": 0.55, "channel.read": 0.25, "reaction.added": 0.08,
    "search.performed": 0.04, "file.downloaded": 0.03, "request.changed": 0.02,
    "task.changed": 0.02, "approval.changed": 0.005, "kudos.given": 0.005,
}
PEOPLE = 1000
TOP_DEPARTMENTS = ["研发中心", "销售中心", "运营中心", "职能中心", "客户服务中心"]
SUB_DEPARTMENTS = [["后端组", "前端组", "测试组"], ["华东销售部", "华南销售部", "大客户部"],
                   ["市场部", "品牌部", "供应链部"], ["财务部", "人力资源部", "法务部"],
                   ["客服一组", "客服二组", "质量组"]]
# Two departments too small to be shown alone (minimum group size 5).
SMALL = {"法务部": 3, "质量组": 4}
CHANNEL_KINDS = {"public": 60, "private": 20, "announcement": 10, "dm": 190}  # + 20 department
# Share of messages per channel kind.
MESSAGE_KINDS = {"department": 0.35, "public": 0.25, "private": 0.10, "announcement": 0.01,
                 "dm": 0.29}
READ_BROADCAST_LIMIT = 100  # chat.actions: channel.read to the channel up to this many members
THREAD_SHARE, MENTION_SHARE, FILE_SHARE = 0.15, 0.08, 0.04
WEEKEND_WEIGHT = 0.15
# Which events of each type are checked against the Event models (their n-th, counting from
# 1): the first few, and later ones, whose items are further along (requests accepted,
# resolved, rated; tasks done; approvals decided).
SAMPLE_AT = frozenset({1, 2, 3, 7, 20, 50, 101, 333, 1001, 3001, 10001, 30001, 100001})

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
         "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "雪梅",
         "海燕", "思远"]
SENTENCES = [
    "收到，我下午看一下", "这个需求下周一能评审吗？", "测试环境已经更新到最新版本了",
    "客户那边反馈登录偶尔超时，麻烦帮忙查一下日志", "会议改到三点，地点不变",
    "合同模板已上传，请法务确认条款", "本周的周报请在周五下班前提交",
    "新版本发布计划：周三灰度，周五全量", "报销单据需要附上发票原件", "好的，谢谢！",
    "我这边没问题，可以合并", "数据看板的口径和财务对齐了吗？", "明天上午十点和供应商开会",
    "请大家更新一下项目进度", "华东区本月签约目标已完成 80%", "这个 bug 在 iOS 上能复现",
    "培训材料放在共享文档里了", "辛苦了，今天先到这里", "请在系统里提交采购申请",
    "客户满意度调查结果出来了，整体不错", "接口文档已经更新，字段有变化", "午饭一起吗？",
    "服务器周六凌晨维护两小时", "招聘需求已经发到人力资源部", "下季度预算请各部门月底前提交",
    "这个问题我转给质量组跟进", "演示环境借用到周四", "发票抬头请写公司全称",
    "新同事下周一入职，请准备电脑和账号", "上线检查清单已过一遍，没有遗漏",
]
KUDOS_TEXTS = ["周末加班帮客户恢复了服务，非常感谢！", "接口文档写得又清楚又及时，联调一次通过。",
               "主动帮新同事熟悉业务，耐心细致。", "方案讲得清楚，客户当场拍板。",
               "跨部门协调效率很高，项目提前交付。"]
KUDOS_VALUES = ["customer_first", "teamwork", "excellence", "integrity", "ownership"]
REQUEST_TYPES = [  # (department name, type name, response SLA hours, resolution SLA hours)
    ("后端组", "线上故障", 1, 8), ("后端组", "数据导出", 4, 24), ("前端组", "页面问题", 4, 16),
    ("测试组", "测试支持", 8, 40), ("市场部", "物料设计", 8, 40), ("供应链部", "采购申请", 4, 24),
    ("财务部", "报销咨询", 4, 16), ("财务部", "付款申请", 8, 24), ("人力资源部", "入职办理", 4, 16),
    ("人力资源部", "证明开具", 4, 8), ("法务部", "合同审核", 8, 40), ("客服一组", "客户投诉", 1, 8),
]
PROJECTS = 40
APPROVAL_FLOWS = [(1, "采购审批"), (2, "付款审批"), (3, "合同审批"), (4, "用章申请")]


# --- the company -----------------------------------------------------------------------

@dataclass
class Company:
    department_ids: list[int]
    parent: dict[int, int | None]
    department_names: dict[int, str]
    people: list[int]
    names: dict[int, str]
    primary: dict[int, int]
    members_of: dict[int, list[int]]  # department → its people (primary)
    channels: dict[str, list[int]]  # kind → channel ids
    channel_members: dict[int, list[int]]
    request_types: list[tuple[int, int, float, float]]  # id, department, SLA hours ×2
    projects: list[tuple[int, list[int]]]  # id, members
    first_ids: dict[str, int] = field(default_factory=dict)  # the tables' next free ids

    def summary(self) -> dict[str, Any]:
        sizes = sorted(len(m) for m in self.members_of.values())
        return {"departments": len(self.department_ids), "people": len(self.people),
                "department_sizes_min_median_max": [sizes[0], sizes[len(sizes) // 2],
                                                    sizes[-1]],
                "channels": {kind: len(ids) for kind, ids in self.channels.items()},
                "request_types": len(self.request_types), "projects": len(self.projects)}


async def _next_id(session: Any, model: Any) -> int:
    return int(await session.scalar(select(func.max(model.id))) or 0) + 1


async def build_company(environment: Environment, rng: random.Random) -> Company:
    """Departments, people (after the administrator `xietong create-admin` made), their
    departments and managers, channels, request types and projects."""
    runtime = environment.runtime()
    try:
        password_hash = await runtime.passwords.hash(PASSWORD)
        now = datetime.now(UTC)
        async with runtime.unit_of_work() as uow:
            session = uow.session
            first = {"departments": await _next_id(session, Department),
                     "users": await _next_id(session, User),
                     "channels": await _next_id(session, Channel),
                     "request_types": await _next_id(session, RequestType),
                     "projects": await _next_id(session, Project)}
            # Departments: five centres, three departments under each.
            department_rows: list[dict[str, Any]] = []
            parent: dict[int, int | None] = {}
            names: dict[int, str] = {}
            next_department = first["departments"]
            for top, subs in zip(TOP_DEPARTMENTS, SUB_DEPARTMENTS, strict=True):
                top_id = next_department
                next_department += 1
                department_rows.append({"id": top_id, "name": top, "parent_id": None,
                                        "position": len(department_rows)})
                parent[top_id], names[top_id] = None, top
                for sub in subs:
                    department_rows.append({"id": next_department, "name": sub,
                                            "parent_id": top_id, "position": len(subs)})
                    parent[next_department], names[next_department] = top_id, sub
                    next_department += 1
            await session.execute(insert(Department), department_rows)
            department_ids: list[int] = [row["id"] for row in department_rows]
            # People: most in the fifteen departments, a few in the centres themselves.
            people = list(range(first["users"], first["users"] + PEOPLE))
            by_name = {v: k for k, v in names.items()}
            primary: dict[int, int] = {}
            remaining = list(people)
            for name, size in SMALL.items():
                for _ in range(size):
                    primary[remaining.pop()] = by_name[name]
            others = [d for d in department_ids if names[d] not in SMALL]
            weights = [0.3 if parent[d] is None else rng.uniform(0.6, 2.0) for d in others]
            for person in remaining:
                primary[person] = rng.choices(others, weights)[0]
            display = {p: rng.choice(SURNAMES) + rng.choice(GIVEN) for p in people}
            await session.execute(insert(User), [
                {"id": p, "username": f"user{p:04d}", "display_name": display[p],
                 "role": "member", "password_hash": password_hash,
                 "search_text": f"{display[p]} user{p:04d}", "sort_key": f"{p:04d}"}
                for p in people])
            members_of: dict[int, list[int]] = {d: [] for d in department_ids}
            for person, department in primary.items():
                members_of[department].append(person)
            secondary: list[dict[str, Any]] = [{"department_id": rng.choice(others), "user_id": p,
                          "is_primary": False} for p in rng.sample(people, PEOPLE // 20)]
            secondary = [row for row in secondary
                         if row["department_id"] != primary[row["user_id"]]]
            await session.execute(insert(DepartmentMember), [
                {"department_id": d, "user_id": p, "is_primary": True}
                for p, d in primary.items()] + secondary)
            await session.execute(insert(DepartmentManager), [
                {"department_id": d, "user_id": members[0]}
                for d, members in members_of.items() if members])
            # Channels: each department's, public, private, announcement and DMs.
            channel_rows: list[dict[str, Any]] = []
            channels: dict[str, list[int]] = {}
            channel_members: dict[int, list[int]] = {}
            next_channel = first["channels"]

            def subtree(department: int) -> list[int]:
                below = [d for d in department_ids if parent[d] == department]
                return members_of[department] + [p for d in below for p in subtree(d)]

            def add_channel(kind: str, name: str, members: list[int],
                            department: int | None = None, dm_key: str | None = None) -> None:
                nonlocal next_channel
                channel_rows.append({"id": next_channel, "kind": kind, "name": name,
                                     "department_id": department, "dm_key": dm_key,
                                     "created_by": members[0], "created_at": now,
                                     "sort_key": name})
                channels.setdefault(kind, []).append(next_channel)
                channel_members[next_channel] = members
                next_channel += 1

            for department in department_ids:
                add_channel("department", names[department], subtree(department), department)
            for n in range(CHANNEL_KINDS["public"]):
                add_channel("public", f"公开频道{n + 1:02d}",
                            rng.sample(people, rng.randrange(15, 160)))
            for n in range(CHANNEL_KINDS["private"]):
                add_channel("private", f"项目群{n + 1:02d}",
                            rng.sample(people, rng.randrange(4, 25)))
            for n in range(CHANNEL_KINDS["announcement"]):
                department = department_ids[n % len(department_ids)]
                add_channel("announcement", f"公告{n + 1:02d}", subtree(department) or people)
            pairs: set[tuple[int, int]] = set()
            while len(pairs) < CHANNEL_KINDS["dm"]:
                a, b = sorted(rng.sample(people, 2))
                pairs.add((a, b))
            for a, b in sorted(pairs):
                add_channel("dm", "", [a, b], dm_key=f"{a},{b}")
            await session.execute(insert(Channel), channel_rows)
            types = []
            for n, (department_name, _name, response, resolution) in enumerate(REQUEST_TYPES):
                types.append((first["request_types"] + n, by_name[department_name],
                              float(response), float(resolution)))
            await session.execute(insert(RequestType), [
                {"id": type_id, "department_id": department, "name": REQUEST_TYPES[n][1],
                 "response_sla_hours": response, "resolution_sla_hours": resolution,
                 "fields": []}
                for n, (type_id, department, response, resolution) in enumerate(types)])
            projects = []
            for n in range(PROJECTS):
                members = rng.sample(people, rng.randrange(5, 30))
                projects.append((first["projects"] + n, members))
            await session.execute(insert(Project), [
                {"id": project_id, "name": f"项目{n + 1:02d}", "owner_id": members[0],
                 "visibility": "members", "created_at": now, "updated_at": now}
                for n, (project_id, members) in enumerate(projects)])
            if uow.is_postgres:
                for table in ("departments", "users", "channels", "request_types", "projects"):
                    await session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"))
    finally:
        await runtime.close()
    return Company(department_ids, parent, names, people, display, primary, members_of,
                   channels, channel_members, types, projects, first)


# --- the history -----------------------------------------------------------------------

@dataclass
class Rows:
    events: list[tuple[Any, ...]] = field(default_factory=list)
    recipients: list[tuple[int, int]] = field(default_factory=list)
    messages: list[tuple[Any, ...]] = field(default_factory=list)


EVENT_COLUMNS = ("id", "type", "scope_kind", "scope_id", "personal", "data", "created_at")
RECIPIENT_COLUMNS = ("user_id", "event_id")
MESSAGE_COLUMNS = ("id", "channel_id", "sender_id", "text", "html", "created_at",
                   "thread_root_id", "reply_count", "ack_required", "mentions", "file_ids")


def _iso(moment: datetime) -> str:
    """As pydantic writes an aware UTC datetime."""
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class _Item:
    """A request, task or approval whose next step is due at `due` (a heap entry)."""

    due: float
    id: int
    step: int
    state: dict[str, Any]

    def __lt__(self, other: _Item) -> bool:
        return self.due < other.due


class History:
    """Makes the log, 24-hour block by block, oldest first; ids ascend with time."""

    def __init__(self, company: Company, rng: random.Random, *, postgres: bool,
                 zone: ZoneInfo, first_event_id: int, first_message_id: int) -> None:
        self.c = company
        self.rng = rng
        self.postgres = postgres
        self.zone = zone
        self.event_id = first_event_id
        self.message_id = first_message_id
        self.file_id = 1
        self.request_id = self.task_id = self.approval_id = self.kudos_id = 1
        self.entry_id = 1
        self.requests: list[_Item] = []
        self.tasks: list[_Item] = []
        self.approvals: list[_Item] = []
        self.last_message: dict[int, int] = {}  # channel → its newest message
        self.last_root: dict[int, tuple[int, float]] = {}  # channel → a recent root, when
        self.counts: dict[str, int] = dict.fromkeys(MIX, 0)
        self.samples: dict[str, list[str]] = {t: [] for t in MIX}
        self._channels: Iterator[int] = iter(())
        self.types, self.type_weights = list(MIX), list(MIX.values())
        kinds = [k for k in MESSAGE_KINDS if company.channels.get(k)]
        self.message_channels = [c for k in kinds for c in company.channels[k]]
        self.message_channel_weights = list(_accumulate(
            [MESSAGE_KINDS[k] / len(company.channels[k]) for k in kinds
             for _ in company.channels[k]]))
        # Who posts in an announcement channel: its first three members.
        announcements = set(company.channels.get("announcement", []))
        self.posters = {c: (m[:3] if c in announcements else m)
                        for c, m in company.channel_members.items()}
        self.dept_members = {d: m for d, m in company.members_of.items() if m}
        self.sentences = [(json.dumps(s, ensure_ascii=False),
                           json.dumps(f"<p>{s}</p>\n", ensure_ascii=False), s) for s in SENTENCES]
        # Minutes of the company's day, weighted like a working day.
        self.minutes = list(range(24 * 60))
        self.minute_weights = [(8.0 if 9 * 60 <= m < 12 * 60 or 13 * 60 + 30 <= m < 18 * 60
                                else 3.0 if 8 * 60 <= m < 21 * 60 else 0.3)
                               for m in self.minutes]
        self.cum_minute_weights = list(_accumulate(self.minute_weights))

    # helpers ------------------------------------------------------------------------------

    def _stamp(self, moment: datetime) -> Any:
        """The database's value: a datetime for asyncpg, SQLAlchemy's text on SQLite (the
        microseconds are never 0 here, so isoformat writes them)."""
        if self.postgres:
            return moment
        iso = moment.isoformat()
        return f"{iso[:10]} {iso[11:26]}"

    def _event(self, rows: Rows, kind: str, scope_kind: str | None, scope_id: int | None,
               personal: bool, data: str, moment: datetime,
               recipients: tuple[int, ...] = ()) -> None:
        event_id = self.event_id
        self.event_id += 1
        rows.events.append((event_id, kind, scope_kind, scope_id, personal, data,
                            self._stamp(moment)))
        for user_id in set(recipients):
            rows.recipients.append((user_id, event_id))
        self.counts[kind] += 1
        if self.counts[kind] in SAMPLE_AT:
            self.samples[kind].append(data)

    def block_counts(self, start: datetime, blocks: int, total: int) -> list[int]:
        """Events per 24-hour block: weekends (company days) carry less."""
        weights = []
        for b in range(blocks):
            middle = (start + timedelta(days=b, hours=12)).astimezone(self.zone)
            weights.append(WEEKEND_WEIGHT if middle.weekday() >= 5 else 1.0)
        scale = total / sum(weights)
        counts = [math.floor(w * scale) for w in weights]
        for b in range(total - sum(counts)):
            counts[b % blocks] += 1
        return counts

    def block(self, start: datetime, count: int) -> Rows:
        """`count` events in the 24 hours from `start`."""
        rng = self.rng
        rows = Rows()
        start_minute = start.astimezone(self.zone)
        offset = start_minute.hour * 60 + start_minute.minute
        base = start.timestamp()
        moments = sorted(base + ((m - offset) % 1440) * 60 + rng.random() * 60
                         for m in rng.choices(self.minutes, cum_weights=self.cum_minute_weights,
                                              k=count))
        kinds = rng.choices(self.types, self.type_weights, k=count)
        self._channels = iter(rng.choices(self.message_channels,
                                          cum_weights=self.message_channel_weights, k=count))
        for seconds, kind in zip(moments, kinds, strict=True):
            moment = datetime.fromtimestamp(seconds, UTC)
            if moment.microsecond == 0:
                moment = moment.replace(microsecond=1)
            if kind == "message.created":
                self._message(rows, moment, seconds)
            elif kind == "channel.read":
                self._read(rows, moment)
            elif kind == "reaction.added":
                self._reaction(rows, moment)
            elif kind == "search.performed":
                user = rng.choice(self.c.people)
                self._event(rows, kind, None, None, True, f'{{"user_id":{user}}}', moment)
            elif kind == "file.downloaded":
                user = rng.choice(self.c.people)
                self._event(rows, kind, None, None, True,
                            f'{{"file_id":{rng.randrange(1, self.file_id + 1)},'
                            f'"user_id":{user}}}', moment)
            elif kind == "request.changed":
                self._request(rows, moment, seconds)
            elif kind == "task.changed":
                self._task(rows, moment, seconds)
            elif kind == "approval.changed":
                self._approval(rows, moment, seconds)
            else:
                self._kudos(rows, moment)
        return rows

    # events -------------------------------------------------------------------------------

    def _message(self, rows: Rows, moment: datetime, seconds: float) -> None:
        rng = self.rng
        channel = next(self._channels)
        sender = rng.choice(self.posters[channel])
        message_id = self.message_id
        self.message_id += 1
        root = None
        recent = self.last_root.get(channel)
        if recent is not None and seconds - recent[1] < 86400 and rng.random() < THREAD_SHARE:
            root = recent[0]
        else:
            self.last_root[channel] = (message_id, seconds)
        mentioned: list[int] = []
        if rng.random() < MENTION_SHARE:
            mentioned = [rng.choice(self.c.channel_members[channel])]
            if mentioned[0] == sender:
                mentioned = []
        text_json, html_json, plain = rng.choice(self.sentences)
        if mentioned:
            plain = f"@{self.c.names[mentioned[0]]} {plain}"
            text_json = json.dumps(plain, ensure_ascii=False)
            html_json = json.dumps(f"<p>{plain}</p>\n", ensure_ascii=False)
        created = _iso(moment)
        file_ids = files = "[]"
        if rng.random() < FILE_SHARE:
            file_id = self.file_id
            self.file_id += 1
            file_ids = f"[{file_id}]"
            files = (f'[{{"id":{file_id},"name":"资料{file_id}.pdf","size":{20000 + file_id},'
                     f'"content_type":"application/pdf","width":null,"height":null,'
                     f'"has_thumbnail":false,"created_at":"{created}"}}]')
        mention_ids = ",".join(map(str, mentioned))
        data = (f'{{"message":{{"id":{message_id},"channel_id":{channel},"sender_id":{sender},'
                f'"text":{text_json},"html":{html_json},"created_at":"{created}",'
                f'"edited_at":null,"deleted":false,"thread_root_id":'
                f'{"null" if root is None else root},"reply_count":0,"last_reply_at":null,'
                f'"reactions":{{}},"mentions":{{"user_ids":[{mention_ids}],'
                f'"department_ids":[],"all":false}},"file_ids":{file_ids},"files":{files},'
                f'"ack_required":false,"client_msg_id":null,"pinned":false,"card":null}}}}')
        self._event(rows, "message.created", "channel", channel, False, data, moment)
        rows.messages.append((
            message_id, channel, sender, plain, f"<p>{plain}</p>\n", self._stamp(moment), root,
            0, False, f'{{"user_ids": [{mention_ids}], "department_ids": [], "all": false}}',
            file_ids))
        self.last_message[channel] = message_id

    def _read(self, rows: Rows, moment: datetime) -> None:
        rng = self.rng
        channel = next(self._channels)
        members = self.c.channel_members[channel]
        user = rng.choice(members)
        data = f'{{"user_id":{user},"last_read_id":{self.last_message.get(channel, 0)}}}'
        if len(members) <= READ_BROADCAST_LIMIT:
            self._event(rows, "channel.read", "channel", channel, False, data, moment)
        else:
            self._event(rows, "channel.read", "channel", channel, True, data, moment, (user,))

    def _reaction(self, rows: Rows, moment: datetime) -> None:
        rng = self.rng
        channel = next(self._channels)
        message = self.last_message.get(channel)
        user = rng.choice(self.c.channel_members[channel])
        if message is None:  # nothing to react to yet: a search instead
            self._event(rows, "search.performed", None, None, True, f'{{"user_id":{user}}}',
                        moment)
            return
        emoji = rng.choice(["👍", "🎉", "❤️", "😄", "🙏"])
        self._event(rows, "reaction.added", "channel", channel, False,
                    f'{{"message_id":{message},"emoji":"{emoji}","user_id":{user}}}', moment)

    def _kudos(self, rows: Rows, moment: datetime) -> None:
        rng = self.rng
        giver, recipient = rng.sample(self.c.people, 2)
        kudos_id = self.kudos_id
        self.kudos_id += 1
        message = json.dumps(rng.choice(KUDOS_TEXTS), ensure_ascii=False)
        names = self.c.names
        data = (f'{{"kudos":{{"id":{kudos_id},"giver":{{"id":{giver},"display_name":'
                f'"{names[giver]}"}},"recipient":{{"id":{recipient},"display_name":'
                f'"{names[recipient]}"}},"department":null,"value":"{rng.choice(KUDOS_VALUES)}",'
                f'"message":{message},"created_at":"{_iso(moment)}"}}}}')
        self._event(rows, "kudos.given", "voice", 0, False, data, moment)

    def _due(self, heap: list[_Item], seconds: float) -> _Item | None:
        return heapq.heappop(heap) if heap and heap[0].due <= seconds else None

    def _entry(self, kind: str, actor: int | None, data: str, moment: datetime,
               task: bool = False) -> str:
        entry_id = self.entry_id
        self.entry_id += 1
        if task:
            return (f'{{"id":{entry_id},"actor_id":{actor},"kind":"{kind}","data":{data},'
                    f'"created_at":"{_iso(moment)}"}}')
        return (f'{{"id":{entry_id},"kind":"{kind}","actor_id":{actor},"data":{data},'
                f'"created_at":"{_iso(moment)}"}}')

    def _request(self, rows: Rows, moment: datetime, seconds: float) -> None:
        """Filed → accepted → resolved → closed (→ rated): each request.changed event
        moves the request whose next step is due, or files a new one."""
        rng = self.rng
        item = self._due(self.requests, seconds)
        if item is None:
            type_id, department, response, resolution = rng.choice(self.c.request_types)
            requester = rng.choice(self.c.people)
            created = moment
            item = _Item(0.0, self.request_id, 0, {
                "type_id": type_id, "department": department, "requester": requester,
                "assignee": rng.choice(self.dept_members[department]), "created": created,
                "response_due": created + timedelta(hours=response * 2.5),
                "resolution_due": created + timedelta(hours=resolution * 2.5),
                "first_response": None, "resolved": None, "closed": None, "rating": None,
                "status": "new"})
            self.request_id += 1
        s = item.state
        step = item.step
        if step == 0:
            kind, actor, entry_data = "filed", s["requester"], "{}"
        elif step == 1:
            s["status"], s["first_response"] = "accepted", moment
            kind, actor = "transition", s["assignee"]
            entry_data = '{"action":"accept","from":"new","to":"accepted"}'
        elif step == 2:
            s["status"], s["resolved"] = "resolved", moment
            kind, actor = "transition", s["assignee"]
            entry_data = '{"action":"resolve","from":"accepted","to":"resolved"}'
        elif step == 3:
            s["status"], s["closed"] = "closed", moment
            kind, actor = "transition", s["requester"]
            entry_data = '{"action":"confirm","from":"resolved","to":"closed"}'
        else:
            s["rating"] = rng.choices([1, 2, 3, 4, 5], [1, 1, 3, 8, 10])[0]
            kind, actor = "rated", s["requester"]
            entry_data = f'{{"rating":{s["rating"]}}}'

        def at(value: datetime | None) -> str:
            return "null" if value is None else f'"{_iso(value)}"'

        response_breached = (s["first_response"] or moment) > s["response_due"]
        resolution_breached = (s["resolved"] or moment) > s["resolution_due"]
        data = (f'{{"request":{{"id":{item.id},"number":"REQ-{item.id:05d}","type_id":'
                f'{s["type_id"]},"department_id":{s["department"]},"requester_id":'
                f'{s["requester"]},"assignee_id":{s["assignee"] if step else "null"},'
                f'"title":"请协助处理第 {item.id} 号事项","description":"","status":'
                f'"{s["status"]}","values":{{}},"watcher_ids":[],"source_message_id":null,'
                f'"created_at":{at(s["created"])},"updated_at":{at(moment)},'
                f'"response_due_at":{at(s["response_due"])},'
                f'"resolution_due_at":{at(s["resolution_due"])},"paused_at":null,'
                f'"first_response_at":{at(s["first_response"])},"resolved_at":'
                f'{at(s["resolved"])},"closed_at":{at(s["closed"])},"breached":{{"response":'
                f'{_bool(response_breached)},"resolution":{_bool(resolution_breached)}}},'
                f'"rating":{s["rating"] if s["rating"] is not None else "null"},'
                f'"rating_comment":null,"approval":null}},'
                f'"entry":{self._entry(kind, actor, entry_data, moment)}}}')
        recipients = (s["requester"], s["assignee"],
                      *self.dept_members[s["department"]][:4])
        self._event(rows, "request.changed", "request", item.id, True, data, moment,
                    recipients)
        # Next: accepted within hours, resolved within a day or two, closed, rated (60 %).
        pauses = [rng.expovariate(1 / 3 / 3600), rng.expovariate(1 / 30 / 3600),
                  rng.expovariate(1 / 12 / 3600), rng.expovariate(1 / 24 / 3600)]
        if step < 3 or (step == 3 and rng.random() < 0.6):
            item.step, item.due = step + 1, seconds + pauses[step]
            heapq.heappush(self.requests, item)

    def _task(self, rows: Rows, moment: datetime, seconds: float) -> None:
        """Created (to do) → doing → done, each a task.changed."""
        rng = self.rng
        item = self._due(self.tasks, seconds)
        if item is None:
            project, members = rng.choice(self.c.projects)
            creator = rng.choice(members)
            due = (moment.astimezone(self.zone).date() + timedelta(days=rng.randrange(2, 21)))
            item = _Item(0.0, self.task_id, 0, {
                "project": project, "creator": creator, "assignee": rng.choice(members),
                "created": moment, "due": due, "completed": None})
            self.task_id += 1
        s, step = item.state, item.step
        if step == 0:
            status_id, status, category, kind = 1, "待处理", "todo", "created"
            entry_data = '{"status_id":1}'
        elif step == 1:
            status_id, status, category, kind = 2, "进行中", "doing", "moved"
            entry_data = '{"from_status_id":1,"to_status_id":2}'
        else:
            s["completed"] = moment
            status_id, status, category, kind = 4, "已完成", "done", "moved"
            entry_data = '{"from_status_id":2,"to_status_id":4}'
        completed = "null" if s["completed"] is None else f'"{_iso(s["completed"])}"'
        actor = s["creator"] if step == 0 else s["assignee"]
        data = (f'{{"task":{{"id":{item.id},"number":"T-{item.id}","project_id":{s["project"]},'
                f'"parent_id":null,"title":"任务 {item.id}：整理需求并排期","description":"",'
                f'"description_html":"","status_id":{status_id},"status":"{status}",'
                f'"category":"{category}","assignee_id":{s["assignee"]},"priority":"normal",'
                f'"start_at":null,"due_at":"{s["due"].isoformat()}","estimate_hours":null,'
                f'"labels":[],"rank":"m","dependencies":[],"source_message_id":null,'
                f'"created_by":{s["creator"]},"created_at":"{_iso(s["created"])}",'
                f'"updated_at":"{_iso(moment)}","completed_at":{completed},'
                f'"collaborator_ids":[],"watcher_ids":[],"checklist":[],"checklist_done":0,'
                f'"checklist_total":0,"attachments":[],"comment_count":0}},'
                f'"entry":{self._entry(kind, actor, entry_data, moment, task=True)}}}')
        self._event(rows, "task.changed", "project", s["project"], False, data, moment)
        if step < 2:
            item.step = step + 1
            item.due = seconds + rng.expovariate(1 / (2 if step == 0 else 5) / 86400)
            heapq.heappush(self.tasks, item)

    def _approval(self, rows: Rows, moment: datetime, seconds: float) -> None:
        """Started (pending) → approved or rejected."""
        rng = self.rng
        item = self._due(self.approvals, seconds)
        if item is None:
            flow_id, flow_name = rng.choice(APPROVAL_FLOWS)
            requester = rng.choice(self.c.people)
            department = self.c.primary[requester]
            approver = self.dept_members[department][0]
            if approver == requester:
                approver = self.c.people[0]
            item = _Item(0.0, self.approval_id, 0, {
                "flow_id": flow_id, "flow_name": flow_name, "requester": requester,
                "department": department, "approver": approver, "created": moment,
                "task_id": self.approval_id})
            self.approval_id += 1
        s, step = item.state, item.step
        if step == 0:
            status, state, change, actor = "pending", "pending", "started", s["requester"]
            decided = concluded = "null"
        else:
            status = state = "approved" if rng.random() < 0.85 else "rejected"
            change, actor = "decided", s["approver"]
            decided = concluded = f'"{_iso(moment)}"'
        task_id = s["task_id"]
        approver_json = (f'{{"id":{task_id},"step":1,"round":1,"user_id":{s["approver"]},'
                         f'"on_behalf_of":null,"added_by":null,"note":null,"state":"{state}",'
                         f'"comment":null,"arrived_at":"{_iso(s["created"])}",'
                         f'"decided_at":{decided}}}')
        data = (f'{{"approval":{{"id":{item.id},"status":"{status}","round":1,"current_step":1,'
                f'"steps":[{{"number":1,"mode":"one","state":"{state}","approvers":'
                f'[{approver_json}]}}],"subject":"申请 {item.id}","subject_kind":"request",'
                f'"subject_id":{item.id},"reference":"REQ-{item.id:05d}","flow_id":{s["flow_id"]},'
                f'"flow_name":"{s["flow_name"]}","title":"{s["flow_name"]} {item.id}",'
                f'"summary":"","requester_id":{s["requester"]},"requester_department_id":'
                f'{s["department"]},"history":[],"created_at":"{_iso(s["created"])}",'
                f'"updated_at":"{_iso(moment)}","concluded_at":{concluded}}},'
                f'"change":"{change}","actor_id":{actor},'
                f'"task_id":{task_id if step else "null"}}}')
        self._event(rows, "approval.changed", "request", item.id, True, data, moment,
                    (s["requester"], s["approver"]))
        if step == 0:
            item.step, item.due = 1, seconds + rng.expovariate(1 / 8 / 3600)
            heapq.heappush(self.approvals, item)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


# --- checking the shapes ---------------------------------------------------------------

def event_models() -> dict[str, Any]:
    """The real Event model of each type (the two new ones when the tree has them)."""
    from xietong.approvals.events import ApprovalChanged
    from xietong.chat.events import ChannelRead, MessageCreated, ReactionAdded
    from xietong.feedback.events import KudosGiven
    from xietong.projects.events import TaskChanged
    from xietong.requests.events import RequestChanged

    models: dict[str, Any] = {
        "message.created": MessageCreated, "channel.read": ChannelRead,
        "reaction.added": ReactionAdded, "request.changed": RequestChanged,
        "task.changed": TaskChanged, "approval.changed": ApprovalChanged,
        "kudos.given": KudosGiven}
    try:
        from xietong.files.events import FileDownloaded  # type: ignore[import-not-found,unused-ignore]
        models["file.downloaded"] = FileDownloaded
    except ImportError:
        pass
    try:
        from xietong.search.events import SearchPerformed  # type: ignore[import-not-found,unused-ignore]
        models["search.performed"] = SearchPerformed
    except ImportError:
        pass
    return models


def validate_samples(samples: dict[str, list[str]]) -> dict[str, Any]:
    """Each sample parsed by its Event model and serialised again must be the same JSON
    (so every field is there, of the right type, and nothing more)."""
    models = event_models()
    checked: dict[str, Any] = {}
    for kind, datas in samples.items():
        model = models.get(kind)
        if model is None:
            checked[kind] = "no Event model in this tree"
            continue
        for data in datas:
            parsed = model.model_validate_json(data)
            again = json.loads(parsed.model_dump_json(exclude={"type"}))
            if again != json.loads(data):
                raise AssertionError(f"{kind}: the template differs from the model's JSON:\n"
                                     f"{data}\n{json.dumps(again, ensure_ascii=False)}")
        checked[kind] = len(datas)
    return checked


# --- writing ---------------------------------------------------------------------------

class SqliteWriter:
    def __init__(self, environment: Environment) -> None:
        self.connection = sqlite3.connect(environment.sqlite_path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=OFF")  # the generator only
        self.connection.execute("BEGIN")
        self.statements = {
            name: f"INSERT INTO {name} ({', '.join(columns)}) "  # noqa: S608
                  f"VALUES ({', '.join('?' for _ in columns)})"
            for name, columns in (("events", EVENT_COLUMNS), ("messages", MESSAGE_COLUMNS),
                                  ("event_recipients", RECIPIENT_COLUMNS))}

    async def write(self, rows: Rows) -> None:
        execute = self.connection.executemany
        execute(self.statements["messages"], rows.messages)
        execute(self.statements["events"], rows.events)
        execute(self.statements["event_recipients"], rows.recipients)

    async def commit(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.execute("BEGIN")

    async def close(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.execute("ANALYZE")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.close()


class PostgresWriter:
    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.transaction = connection.transaction()

    @classmethod
    async def open(cls, environment: Environment) -> PostgresWriter:
        import asyncpg

        writer = cls(await asyncpg.connect(environment.postgres_url))
        await writer.transaction.start()
        return writer

    async def write(self, rows: Rows) -> None:
        copy = self.connection.copy_records_to_table
        if rows.messages:
            await copy("messages", records=rows.messages, columns=MESSAGE_COLUMNS)
        await copy("events", records=rows.events, columns=EVENT_COLUMNS)
        if rows.recipients:
            await copy("event_recipients", records=rows.recipients, columns=RECIPIENT_COLUMNS)

    async def commit(self) -> None:
        await self.transaction.commit()
        self.transaction = self.connection.transaction()
        await self.transaction.start()

    async def close(self) -> None:
        await self.transaction.commit()
        for table in ("messages", "events"):
            await self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))")
        await self.connection.execute("ANALYZE")
        await self.connection.close()


async def open_writer(environment: Environment) -> SqliteWriter | PostgresWriter:
    if environment.postgres_url:
        return await PostgresWriter.open(environment)
    return SqliteWriter(environment)


async def first_free_ids(environment: Environment) -> tuple[int, int]:
    """The next event and message ids."""
    runtime = environment.runtime()
    try:
        async with runtime.reader() as uow:
            events = int(await uow.session.scalar(text("SELECT max(id) FROM events")) or 0)
            messages = int(await uow.session.scalar(text("SELECT max(id) FROM messages")) or 0)
    finally:
        await runtime.close()
    return events + 1, messages + 1


async def write_span(history: History, writer: SqliteWriter | PostgresWriter,
                     start: datetime, days: int, total: int, *, commit_every: int = 7,
                     log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """`total` events over `days` 24-hour blocks from `start`, written block by block."""
    began = time.monotonic()
    generating = 0.0
    counts = history.block_counts(start, days, total)
    written = messages = recipients = 0
    for b, count in enumerate(counts):
        made = time.monotonic()
        rows = history.block(start + timedelta(days=b), count)
        generating += time.monotonic() - made
        await writer.write(rows)
        written += len(rows.events)
        messages += len(rows.messages)
        recipients += len(rows.recipients)
        if (b + 1) % commit_every == 0:
            await writer.commit()
        if (b + 1) % 30 == 0 and log is not None:
            log(f"generated {b + 1} of {days} days: {written:,} events in "
                f"{time.monotonic() - began:.0f} s")
    await writer.commit()
    seconds = time.monotonic() - began
    return {"events": written, "messages": messages, "event_recipients": recipients,
            "seconds": round(seconds, 1), "events_per_s": round(written / seconds),
            "generating_seconds": round(generating, 1)}


def company_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
