"""What 员工之声 reads off the event log: kudos become a notification (`kudos_received`) to
the colleague thanked, or to each active person of the team thanked but the giver. A batch
at a time; a notification is recorded once per person and event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from xietong.core.clock import utcnow
from xietong.core.events import USER, CommittedEvent, Scope
from xietong.core.uow import UnitOfWork
from xietong.feedback.events import KudosGiven
from xietong.feedback.models import KudosValue
from xietong.notifications.actions import NewNotification, do_notify, excerpt
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries

VALUE_NAMES = {
    KudosValue.CUSTOMER_FIRST: "客户第一",
    KudosValue.TEAMWORK: "团队合作",
    KudosValue.EXCELLENCE: "追求卓越",
    KudosValue.INTEGRITY: "诚信",
    KudosValue.OWNERSHIP: "担当",
}


class KudosNotices:
    name = "feedback.kudos_notifications"
    types = frozenset({"kudos.given"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        given = [(event, KudosGiven.model_validate_json(event.data).kudos) for event in events]
        teams = {k.department.id for _, k in given if k.department is not None}
        by_team = {d: members for d, members
                   in (await org_queries.active_member_ids_by_department(uow)).items()
                   if d in teams}
        people = {k.recipient.id for _, k in given if k.recipient is not None}
        active = await org_queries.active_user_ids(uow, people)
        wanted = []
        for event, kudos in given:
            if kudos.recipient is not None:
                told = {kudos.recipient.id} & active
                where = "你"
            else:
                assert kudos.department is not None
                told = by_team.get(kudos.department.id, set()) - {kudos.giver.id}
                where = f"{kudos.department.path[-1]}团队"
            title = (f"{kudos.giver.display_name} 因「{VALUE_NAMES[kudos.value]}」"
                     f"感谢了{where}")
            for user_id in sorted(told):
                wanted.append(NewNotification(
                    user_id=user_id, kind=NotificationKind.KUDOS_RECEIVED, title=title,
                    body=excerpt(kudos.message), scope=str(Scope(USER, user_id)),
                    actor_id=kudos.giver.id, link=f"/kudos?highlight={kudos.id}",
                    source_event_id=event.id,
                    data={"kudos_id": kudos.id, "value": kudos.value.value,
                          "actor_name": kudos.giver.display_name,
                          "subject_label": VALUE_NAMES[kudos.value]}))
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)
