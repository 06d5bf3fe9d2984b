"""Writers of the notification centre. They never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.notifications import queries
from xietong.notifications.events import NotificationCreated, NotificationsRead, to_person
from xietong.notifications.models import Notification, NotificationKind, NotificationPreferences
from xietong.notifications.schemas import NotificationOut, Preferences, PreferencesOut, clock

TITLE_CHARS = 200
BODY_CHARS = 280


@dataclass(frozen=True, slots=True)
class NewNotification:
    """What a producer asks for; `do_notify` decides whether and how it arrives."""

    user_id: int
    kind: NotificationKind
    title: str
    link: str
    scope: str | None = None
    actor_id: int | None = None
    body: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def notification_out(row: Notification) -> NotificationOut:
    return NotificationOut(id=row.id, kind=NotificationKind(row.kind), scope=row.scope,
                           actor_id=row.actor_id, title=row.title, body=row.body,
                           link=row.link, data=row.data, created_at=row.created_at,
                           read_at=row.read_at)


def in_quiet_hours(preferences: NotificationPreferences | None, now: datetime,
                   zone: ZoneInfo) -> bool:
    """Whether `now` falls in the person's do-not-disturb hours (which may span midnight)."""
    if preferences is None or not preferences.dnd_enabled:
        return False
    local = now.astimezone(zone).time().replace(second=0, microsecond=0)
    start, end = clock(preferences.dnd_start), clock(preferences.dnd_end)
    if start == end:
        return True  # the whole day
    return start <= local < end if start < end else (local >= start or local < end)


async def do_notify(uow: UnitOfWork, wanted: Sequence[NewNotification], *,
                    source_event_id: int, now: datetime, zone: ZoneInfo) -> list[int]:
    """Record `wanted` (those whose kind the person has not switched off, once per person,
    kind and event) and tell each person's clients; the ids recorded."""
    preferences = await queries.preferences_of(uow, {n.user_id for n in wanted})
    kept = [n for n in wanted
            if n.kind.value not in (preferences[n.user_id].muted_kinds
                                    if n.user_id in preferences else ())]
    rows = [{"user_id": n.user_id, "kind": n.kind.value, "scope": n.scope,
             "actor_id": n.actor_id, "title": n.title[:TITLE_CHARS],
             "body": n.body[:BODY_CHARS], "link": n.link, "data": n.data,
             "source_event_id": source_event_id, "created_at": now} for n in kept]
    ids = await uow.insert_new(Notification, rows)
    if ids:
        for row in await uow.session.scalars(
                select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)):
            uow.emit(NotificationCreated(
                notification=notification_out(row),
                quiet=in_quiet_hours(preferences.get(row.user_id), now, zone)),
                to_person(row.user_id))
    return ids


async def do_mark_read(uow: UnitOfWork, actor: Actor, *, ids: Sequence[int], every: bool,
                       now: datetime) -> tuple[list[int], int]:
    """Mark the actor's own notifications read (`ids`, or `every` one); ids of anyone
    else's are passed over as if they did not exist. Returns the ids marked now and the
    unread count after."""
    mine = (Notification.user_id == actor.user_id) & Notification.read_at.is_(None)
    if not every:
        mine &= Notification.id.in_(list(set(ids)))
    marked = sorted((await uow.session.scalars(
        update(Notification).where(mine).values(read_at=now)
        .returning(Notification.id))).all())
    unread = await queries.unread_count(uow, actor.user_id)
    if marked:
        uow.emit(NotificationsRead(ids=[] if every else marked, all=every,
                                   unread_count=unread), to_person(actor.user_id))
    return marked, unread


def preferences_out(row: NotificationPreferences | None) -> PreferencesOut:
    muted = set(row.muted_kinds) if row is not None else set()
    return PreferencesOut(kinds={kind: kind.value not in muted for kind in NotificationKind},
                          dnd_enabled=row.dnd_enabled if row is not None else False,
                          dnd_start=row.dnd_start if row is not None else "22:00",
                          dnd_end=row.dnd_end if row is not None else "08:00")


async def do_set_preferences(uow: UnitOfWork, actor: Actor, chosen: Preferences
                             ) -> PreferencesOut:
    # Two tabs saving at once must not collide on the first row.
    await uow.insert_ignoring_duplicates(NotificationPreferences, [{"user_id": actor.user_id}])
    row = await uow.session.get(NotificationPreferences, actor.user_id, populate_existing=True)
    assert row is not None
    row.muted_kinds = sorted(kind.value for kind, on in chosen.kinds.items() if not on)
    row.dnd_enabled = chosen.dnd_enabled
    row.dnd_start, row.dnd_end = chosen.dnd_start, chosen.dnd_end
    await uow.flush()
    return preferences_out(row)

