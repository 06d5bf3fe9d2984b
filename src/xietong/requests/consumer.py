"""Who hears of a request's steps, read off the event log: the receiving department's
managers of a new request, an assignee of what was given them, the requester of progress
on theirs, the assignee of the requester's answer, and the SLA's warnings and breaches.

Requests do not call the notification centre from their actions: this consumer follows
`request.changed` and records the notifications, a batch at a time with the same few
statements whatever its size."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from xietong.core.clock import utcnow
from xietong.core.events import CommittedEvent, Scope
from xietong.core.uow import UnitOfWork
from xietong.notifications.actions import NewNotification, do_notify, excerpt
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries
from xietong.requests.events import REQUEST, RequestChanged
from xietong.requests.models import EntryKind
from xietong.requests.schemas import EntryOut, RequestData

NAME = "requests.notifications"

# What the receiving side did, as the requester reads it ("李娜 已受理你的工单").
_TO_REQUESTER = {
    "accept": "已受理你的工单", "start": "开始处理你的工单", "wait": "需要你补充信息",
    "resume": "继续处理你的工单", "resolve": "已解决你的工单，请确认", "reject": "驳回了你的工单",
}
# What the requester did, as the assignee reads it.
_TO_ASSIGNEE = {"confirm": "确认关闭了工单", "reopen": "重新打开了工单", "withdraw": "撤回了工单"}
_CLOCKS = {"response": "响应", "resolution": "解决"}
# How its approval ended, as the requester reads it.
_APPROVAL_OUTCOMES = {"approved": "工单的审批已通过，请确认", "rejected": "工单的审批未通过",
                      "returned": "工单的审批被退回，请修改后重新提交"}


@dataclass(frozen=True, slots=True)
class _Org:
    """The departments' tree and managers, and people's names, asked once per batch."""

    parents: dict[int, int | None]
    managers: dict[int, list[int]]
    names: dict[int, str]
    departments: dict[int, str]

    def managers_for(self, department_id: int, *, above: bool = False) -> set[int]:
        """The nearest managers of the department (walking up while it has none); `above`:
        those of the department over it — whom an escalation reaches."""
        chain = org_queries.ancestors_and_self(self.parents, department_id)
        if above:
            chain = chain[1:]
        return next((set(self.managers[d]) for d in chain if self.managers.get(d)), set())

    def name(self, user_id: int | None) -> str:
        return self.names.get(user_id, "有人") if user_id is not None else "系统"


class RequestNotifications:
    name = NAME
    types = frozenset({"request.changed"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        read = [(event.id, RequestChanged.model_validate_json(event.data)) for event in events]
        people = {p for _, changed in read
                  for p in (changed.entry.actor_id, changed.request.requester_id) if p}
        departments = await org_queries.all_departments(uow)
        org = _Org(parents=org_queries.parent_map(departments),
                   departments={d.id: d.name for d in departments},
                   managers=await org_queries.managers_of(uow),
                   names={u.id: u.display_name
                          for u in await org_queries.users_by_ids(uow, people, None)})
        wanted = [n for event_id, changed in read
                  for n in _notifications(org, event_id, changed.request, changed.entry)]
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)


def _notifications(org: _Org, event_id: int, request: RequestData,
                   entry: EntryOut) -> list[NewNotification]:
    actor = entry.actor_id
    label = f"{request.number} {request.title}"
    reasons: dict[int, tuple[NotificationKind, str]] = {}
    match entry.kind:
        case EntryKind.FILED:
            for manager in org.managers_for(request.department_id):
                reasons[manager] = (NotificationKind.REQUEST_UPDATE,
                                    f"{org.name(actor)} 提交了工单：{request.title}")
        case EntryKind.ASSIGNED:
            to = entry.data.get("to")
            if isinstance(to, int):
                by = "新工单已分配给你" if actor is None else f"{org.name(actor)} 把工单指派给了你"
                reasons[to] = (NotificationKind.REQUEST_ASSIGNED, f"{by}：{request.title}")
        case EntryKind.TRANSITION:
            action = str(entry.data.get("action"))
            if action in _TO_REQUESTER:
                reasons[request.requester_id] = (
                    NotificationKind.REQUEST_UPDATE,
                    f"{org.name(actor)} {_TO_REQUESTER[action]}：{request.title}")
            elif action in _TO_ASSIGNEE and request.assignee_id is not None:
                reasons[request.assignee_id] = (
                    NotificationKind.REQUEST_UPDATE,
                    f"{org.name(actor)} {_TO_ASSIGNEE[action]}：{request.title}")
        case EntryKind.TRANSFERRED:
            where = org.departments.get(request.department_id, "另一个部门")
            for manager in org.managers_for(request.department_id):
                reasons[manager] = (NotificationKind.REQUEST_UPDATE,
                                    f"{org.name(actor)} 把工单转给了你的部门：{request.title}")
            reasons[request.requester_id] = (
                NotificationKind.REQUEST_UPDATE,
                f"{org.name(actor)} 把你的工单转给了{where}：{request.title}")
        case EntryKind.WATCHERS:
            added = entry.data.get("added")
            for user_id in added if isinstance(added, list) else []:
                reasons[user_id] = (NotificationKind.REQUEST_UPDATE,
                                    f"{org.name(actor)} 邀请你关注工单：{request.title}")
        case EntryKind.APPROVAL:
            outcome = _APPROVAL_OUTCOMES.get(str(entry.data.get("outcome")))
            if outcome is not None:
                reasons[request.requester_id] = (NotificationKind.REQUEST_UPDATE,
                                                 f"{outcome}：{request.title}")
        case EntryKind.RATED:
            if request.assignee_id is not None:
                reasons[request.assignee_id] = (
                    NotificationKind.REQUEST_UPDATE,
                    f"{org.name(actor)} 评价了工单（{entry.data.get('score')} 星）："
                    f"{request.title}")
        case EntryKind.COMMENT:
            # Everyone in the conversation: the requester, watchers and whoever works on
            # it (the queue's managers while nobody does).
            people = {request.requester_id, *request.watcher_ids}
            people |= ({request.assignee_id} if request.assignee_id is not None
                       else org.managers_for(request.department_id))
            for user_id in people:
                reasons[user_id] = (NotificationKind.REQUEST_UPDATE,
                                    f"{org.name(actor)} 评论了工单：{request.title}")
        case EntryKind.SLA_WARNING | EntryKind.SLA_BREACHED | EntryKind.SLA_ESCALATED:
            reasons.update(_for_clock(org, request, entry))
    if actor is not None:
        reasons.pop(actor, None)  # nobody is told of what they did themselves
    data = {"request_id": request.id, "request_label": label, "actor_name": org.name(actor),
            "entry_kind": entry.kind, "status": request.status.value}
    body = excerpt(str(entry.data.get("body", ""))) if entry.kind == EntryKind.COMMENT \
        else label
    return [NewNotification(user_id=user_id, kind=kind, title=title, body=body,
                            scope=str(Scope(REQUEST, request.id)), actor_id=actor, data=data,
                            link=f"/requests/{request.id}", source_event_id=event_id)
            for user_id, (kind, title) in sorted(reasons.items())]


def _for_clock(org: _Org, request: RequestData,
               entry: EntryOut) -> dict[int, tuple[NotificationKind, str]]:
    clock = _CLOCKS.get(str(entry.data.get("clock")), "")
    if entry.kind == EntryKind.SLA_WARNING:
        people = ({request.assignee_id} if request.assignee_id is not None
                  else org.managers_for(request.department_id))
        return {p: (NotificationKind.SLA_WARNING, f"工单即将超过{clock}时限：{request.title}")
                for p in people}
    if entry.kind == EntryKind.SLA_BREACHED:
        people = org.managers_for(request.department_id)
        if request.assignee_id is not None:
            people.add(request.assignee_id)
        return {p: (NotificationKind.SLA_BREACHED, f"工单已超过{clock}时限：{request.title}")
                for p in people}
    return {p: (NotificationKind.SLA_BREACHED, f"工单超时未{clock}，已升级给你：{request.title}")
            for p in org.managers_for(request.department_id, above=True)}
