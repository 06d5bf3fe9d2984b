"""Who hears of an approval, read off the event log: each approver when a decision comes
to them (the flow reached their step, it was resubmitted, they were added with 加签, or
they act for an approver away), told once, when it arrives.

What an approval's end means for its subject (a request resolved or rejected) is the
subject's domain's to say; this consumer only fills the inbox's "waiting for you"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from xietong.approvals.events import ApprovalChanged
from xietong.approvals.models import TaskState
from xietong.approvals.schemas import ApprovalOut
from xietong.core.clock import utcnow
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.notifications.actions import NewNotification, do_notify
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries

NAME = "approvals.notifications"
INBOX = "/approvals"


class ApprovalNotifications:
    name = NAME
    types = frozenset({"approval.changed"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        read = [(event.id, ApprovalChanged.model_validate_json(event.data)) for event in events]
        requesters = {changed.approval.requester_id for _, changed in read}
        names = {u.id: u.display_name
                 for u in await org_queries.users_by_ids(uow, requesters, None)}
        wanted = [n for event_id, changed in read
                  for n in _arrivals(event_id, changed.approval, names)]
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)


def _arrivals(event_id: int, approval: ApprovalOut,
              names: dict[int, str]) -> list[NewNotification]:
    """A notification for each task this change made pending: those that arrived with it
    (a task arrives at the change's time; one pending from before is not told again when a
    co-approver of its step decides)."""
    requester = names.get(approval.requester_id, "有人")
    label = f"{approval.reference} {approval.title}" if approval.reference else approval.title
    data = {"approval_id": approval.id, "subject": approval.subject,
            "request_label": label, "actor_name": requester}
    return [NewNotification(
        user_id=task.user_id, kind=NotificationKind.APPROVAL_WAITING,
        title=f"{requester} 的审批等待你处理：{approval.title}", body=approval.summary[:140],
        link=INBOX, scope=approval.subject, actor_id=approval.requester_id, data=data,
        source_event_id=event_id)
        for step in approval.steps for task in step.approvers
        if task.state is TaskState.PENDING and task.arrived_at == approval.updated_at]
