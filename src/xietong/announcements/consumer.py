"""Who hears of announcements, read off the event log: the audience when one is published
(its author too, that it went out), those reminded to acknowledge it, its author when a
review sends it back. A batch is recorded with the same few statements whatever its size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from xietong.announcements.events import (
    AnnouncementPublished,
    AnnouncementReminded,
    AnnouncementReviewed,
    scope_of,
)
from xietong.core.clock import utcnow
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.notifications.actions import NewNotification, do_notify
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries

NAME = "announcements.notifications"

_OUTCOMES = {"rejected": "你的公告未通过审核", "returned": "你的公告被退回修改"}


class AnnouncementNotifications:
    name = NAME
    types = frozenset({"announcement.published", "announcement.reminded",
                       "announcement.reviewed"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        actors = {e.payload.get("author_id") for e in events} | {
            e.payload.get("by") for e in events}
        names = {u.id: u.display_name for u in await org_queries.users_by_ids(
            uow, {a for a in actors if isinstance(a, int)}, None)}
        wanted: list[NewNotification] = []
        for event in events:
            wanted += _notifications(event, names)
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)


def _notifications(event: CommittedEvent, names: dict[int, str]) -> list[NewNotification]:
    people = sorted(event.recipients or ())
    if event.type == "announcement.published":
        published = AnnouncementPublished.model_validate_json(event.data)
        author = names.get(published.author_id, "有人")
        return [NewNotification(
            user_id=person, kind=NotificationKind.ANNOUNCEMENT_PUBLISHED,
            title=("你的公告已发布" if person == published.author_id
                   else f"{author} 发布了公告"),
            body=published.title, link=f"/announcements/{published.announcement_id}",
            source_event_id=event.id, scope=str(scope_of(published.announcement_id)),
            actor_id=published.author_id,
            data={"subject_label": published.title, "actor_name": author,
                  "importance": published.importance})
            for person in people]
    if event.type == "announcement.reminded":
        reminded = AnnouncementReminded.model_validate_json(event.data)
        by = names.get(reminded.by, "") if reminded.by is not None else ""
        return [NewNotification(
            user_id=person, kind=NotificationKind.ANNOUNCEMENT_REMINDER,
            title=f"{by} 提醒你确认公告" if by else "请确认公告",
            body=reminded.title, link=f"/announcements/{reminded.announcement_id}",
            source_event_id=event.id, scope=str(scope_of(reminded.announcement_id)),
            actor_id=reminded.by, data={"subject_label": reminded.title, "actor_name": by})
            for person in people]
    reviewed = AnnouncementReviewed.model_validate_json(event.data)
    title = _OUTCOMES.get(reviewed.outcome)
    if title is None:  # approved: its publishing tells the author
        return []
    return [NewNotification(
        user_id=person, kind=NotificationKind.ANNOUNCEMENT_REVIEWED, title=title,
        body=reviewed.comment or reviewed.title,
        link=f"/announcements/{reviewed.announcement_id}", source_event_id=event.id,
        scope=str(scope_of(reviewed.announcement_id)),
        data={"subject_label": reviewed.title, "outcome": reviewed.outcome})
        for person in people]
