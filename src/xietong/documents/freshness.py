"""Pages that stay fresh: a page may have an owner and a review cadence (every 90 days, say).
A review is due its cadence after the last one (or after the page was made); a daily job
(09:00, company time, on the durable jobs) reminds the owner once when it falls due, and
tells the space's owners once when it is a further third of its cadence overdue. Reviewing
(`POST /pages/{id}/review`) makes it fresh and the reminders start over.

The job marks each page reminded in the transaction that writes the reminder's event, so a
retried run sends none twice; the notification is made from the event by `ReviewNotices`,
once per event and person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select

from xietong.core.clock import utcnow
from xietong.core.events import USER, Audience, CommittedEvent, Scope
from xietong.core.uow import UnitOfWork
from xietong.documents import queries
from xietong.documents.events import PageReviewDue, space_owners, space_scope
from xietong.documents.models import Space
from xietong.manifest import JobHandler, JobNeeds
from xietong.notifications.actions import NewNotification, do_notify
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries

REVIEW_JOB = "documents.review-reminders"
REVIEW_SCHEDULE = "daily 09:00"


class Reviewable(Protocol):
    @property
    def review_every_days(self) -> int | None: ...
    @property
    def reviewed_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...


def due_at(page: Reviewable) -> datetime | None:
    """When its next review is due (None: it has no cadence)."""
    if page.review_every_days is None:
        return None
    return (page.reviewed_at or page.created_at) + timedelta(days=page.review_every_days)


def escalates_at(page: Reviewable) -> datetime | None:
    """When an overdue review is taken to the space's owners: a third of its cadence
    later."""
    due = due_at(page)
    if due is None or page.review_every_days is None:
        return None
    return due + timedelta(days=page.review_every_days / 3)


def is_stale(page: Reviewable, now: datetime) -> bool:
    due = due_at(page)
    return due is not None and due <= now


def overdue_days(page: Reviewable, now: datetime) -> int:
    due = due_at(page)
    return 0 if due is None or due > now else (now - due).days


async def send_review_reminders(uow: UnitOfWork, now: datetime) -> tuple[int, int]:
    """Remind the owners of the reviews now due, and tell the space's owners of those long
    overdue: (reminders, escalations) sent. Pages of archived spaces rest."""
    pages = await queries.pages_with_cadence(uow)
    due = [p for p in pages if is_stale(p, now)
           and (p.review_reminded_at is None or p.review_escalated_at is None)]
    if not due:
        return 0, 0
    spaces = {s.id: s for s in await uow.session.scalars(
        select(Space).where(Space.id.in_({p.space_id for p in due})))}
    owners = await org_queries.active_user_ids(uow, {p.owner_id for p in due
                                                     if p.owner_id is not None})
    reminded = escalated = 0
    for page in due:
        space = spaces[page.space_id]
        if space.archived_at is not None:
            continue
        due_when = due_at(page)
        assert due_when is not None
        event = dict(page_id=page.id, page_title=page.title, space_id=space.id,
                     space_name=space.name, owner_id=page.owner_id,
                     due_at=due_when.isoformat())
        if page.review_reminded_at is None:
            page.review_reminded_at = now
            if page.owner_id in owners:
                uow.emit(PageReviewDue(**event, escalated=False),
                         Audience.users([page.owner_id], scope=Scope(USER, page.owner_id)))
                reminded += 1
        escalation = escalates_at(page)
        if (page.review_escalated_at is None and escalation is not None
                and escalation <= now):
            page.review_escalated_at = now
            told = await org_queries.active_user_ids(uow, await space_owners(uow, space))
            if told:
                uow.emit(PageReviewDue(**event, escalated=True),
                         Audience.users(told, scope=space_scope(space.id)))
                escalated += 1
    return reminded, escalated


def review_handler(_needs: JobNeeds) -> JobHandler:
    async def handle(uow: UnitOfWork, _payload: dict[str, Any]) -> None:
        await send_review_reminders(uow, utcnow())

    return handle


class ReviewNotices:
    """A review due becomes a notification (`doc_review_due`) to whom the event names."""

    name = "documents.notifications"
    types = frozenset({"page.review_due"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        wanted = []
        for event in events:
            due = PageReviewDue.model_validate_json(event.data)
            title = (f"文档已逾期未复核：{due.page_title}" if due.escalated
                     else f"请复核文档：{due.page_title}")
            for user_id in event.recipients or ():
                wanted.append(NewNotification(
                    user_id=user_id, kind=NotificationKind.DOC_REVIEW_DUE, title=title,
                    body=due.space_name, scope=str(Scope(USER, user_id)),
                    link=f"/docs/pages/{due.page_id}", source_event_id=event.id,
                    data={"page_id": due.page_id, "space_id": due.space_id,
                          "escalated": due.escalated, "subject_label": due.page_title}))
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)
