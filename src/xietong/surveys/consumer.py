"""What surveys read off the event log: invitations and reminders become notifications to
the people each names (once per person and event)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from xietong.core.clock import utcnow
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.notifications.actions import NewNotification, do_notify
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries
from xietong.surveys.events import SurveyInvited, SurveyReminderDue


def _deadline_text(deadline: datetime | None, zone: ZoneInfo) -> str:
    if deadline is None:
        return ""
    return f"截止时间：{deadline.astimezone(zone):%m月%d日 %H:%M}"


class SurveyNotices:
    name = "surveys.notifications"
    types = frozenset({"survey.invited", "survey.reminder_due"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        told = [(event, SurveyInvited.model_validate_json(event.data)
                 if event.type == "survey.invited"
                 else SurveyReminderDue.model_validate_json(event.data)) for event in events]
        creators = {t.creator_id for _, t in told
                    if isinstance(t, SurveyInvited) and t.creator_id is not None}
        names = {u.id: u.display_name for u in await org_queries.users_by_ids(uow, creators, None)}
        wanted = []
        for event, survey in told:
            if isinstance(survey, SurveyInvited):
                kind, actor_id = NotificationKind.SURVEY_INVITED, survey.creator_id
                actor_name = names.get(actor_id or 0, "")
                title = f"{actor_name or '有人'} 邀请你填写问卷：{survey.title}"
            else:
                kind, actor_id, actor_name = NotificationKind.SURVEY_REMINDER, None, ""
                title = f"问卷即将截止，请尽快填写：{survey.title}"
            for user_id in event.recipients or ():
                wanted.append(NewNotification(
                    user_id=user_id, kind=kind, title=title, actor_id=actor_id,
                    body=_deadline_text(survey.deadline, self._zone),
                    link=f"/surveys/{survey.survey_id}", source_event_id=event.id,
                    scope=f"survey:{survey.survey_id}",
                    data={"survey_id": survey.survey_id, "subject_label": survey.title,
                          "actor_name": actor_name}))
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)
