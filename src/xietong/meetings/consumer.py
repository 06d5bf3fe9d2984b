"""What meetings read off the event log: invitations and reminders become notifications,
once per person and event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from xietong.core.clock import utcnow
from xietong.core.events import USER, CommittedEvent, Scope
from xietong.core.uow import UnitOfWork
from xietong.meetings.events import MeetingInvited, MeetingReminderDue
from xietong.notifications.actions import NewNotification, do_notify
from xietong.notifications.models import NotificationKind


def _local(moment: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(moment).astimezone(zone).strftime("%m月%d日 %H:%M")


class MeetingNotifications:
    name = "meetings.notifications"
    types = frozenset({"meeting.invited", "meeting.reminder_due"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        wanted = []
        for event in events:
            if event.type == "meeting.invited":
                invited = MeetingInvited.model_validate_json(event.data)
                when = _local(invited.starts_at, self._zone)
                series = f"（共 {invited.occurrences} 次）" if invited.occurrences > 1 else ""
                for user_id in event.recipients or ():
                    wanted.append(NewNotification(
                        user_id=user_id, kind=NotificationKind.MEETING_INVITED,
                        title=f"{invited.organiser_name} 邀请你参加会议：{invited.title}",
                        body=f"{when}{series}", scope=str(Scope(USER, user_id)),
                        actor_id=invited.organiser_id,
                        link=f"/meetings/{invited.meeting_id}", source_event_id=event.id,
                        data={"meeting_id": invited.meeting_id,
                              "actor_name": invited.organiser_name,
                              "subject_label": invited.title}))
            else:
                due = MeetingReminderDue.model_validate_json(event.data)
                when = _local(due.starts_at, self._zone)
                for user_id in event.recipients or ():
                    wanted.append(NewNotification(
                        user_id=user_id, kind=NotificationKind.MEETING_REMINDER,
                        title=f"会议即将开始：{due.title}",
                        body=" · ".join(p for p in (when, due.location) if p),
                        scope=str(Scope(USER, user_id)),
                        link=f"/meetings/{due.meeting_id}", source_event_id=event.id,
                        data={"meeting_id": due.meeting_id, "subject_label": due.title}))
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)
