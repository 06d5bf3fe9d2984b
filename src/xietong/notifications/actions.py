"""Writers of the notification centre. They never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update

from xietong.core.actor import Actor
from xietong.core.clock import as_utc, utcnow
from xietong.core.db import table_of
from xietong.core.uow import UnitOfWork
from xietong.notifications import queries
from xietong.notifications.events import NotificationCreated, NotificationsRead, to_person
from xietong.notifications.models import Notification, NotificationKind, NotificationPreferences
from xietong.notifications.schemas import NotificationOut, Preferences, PreferencesOut, clock

TITLE_CHARS = 200
BODY_CHARS = 280


@dataclass(frozen=True, slots=True)
class NewNotification:
    """What a producer asks for; `do_notify` decides whether and how it arrives. A person
    gets at most one of each kind per `source_event_id` (the event it follows)."""

    user_id: int
    kind: NotificationKind
    title: str
    link: str
    source_event_id: int
    scope: str | None = None
    actor_id: int | None = None
    body: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def excerpt(text: str, limit: int = 140) -> str:
    """What a notification shows of a text: one line, cut at `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


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


async def do_notify(uow: UnitOfWork, wanted: Sequence[NewNotification], *, now: datetime,
                    zone: ZoneInfo) -> list[int]:
    """Record `wanted` (those whose kind the person has not switched off, once per person,
    kind and event: what is already recorded is passed over) and tell each person's
    clients; the ids recorded. The same few statements however many are wanted."""
    preferences = await queries.preferences_of(uow, {n.user_id for n in wanted})
    created_at = as_utc(now)  # as the database hands it back
    rows = {(n.user_id, n.source_event_id, n.kind.value): {
        "user_id": n.user_id, "kind": n.kind.value, "scope": n.scope, "actor_id": n.actor_id,
        "title": n.title[:TITLE_CHARS], "body": n.body[:BODY_CHARS], "link": n.link,
        "data": n.data, "source_event_id": n.source_event_id, "created_at": created_at}
        for n in wanted if n.kind.value not in (preferences[n.user_id].muted_kinds
                                                if n.user_id in preferences else ())}
    table = table_of(Notification)
    inserted = sorted(await uow.insert_new(
        table, list(rows.values()),
        table.c.id, table.c.user_id, table.c.source_event_id, table.c.kind))
    for notification_id, user_id, source_event_id, kind in inserted:
        # The payload is what was just written: no reading the rows back.
        row = rows[(user_id, source_event_id, kind)]
        uow.emit(NotificationCreated(
            notification=NotificationOut.model_validate(
                {**row, "id": notification_id, "read_at": None}),
            quiet=in_quiet_hours(preferences.get(user_id), now, zone)),
            to_person(user_id))
    return [notification_id for notification_id, *_ in inserted]


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
    stored = NotificationPreferences(
        user_id=actor.user_id,
        muted_kinds=sorted(kind.value for kind, on in chosen.kinds.items() if not on),
        dnd_enabled=chosen.dnd_enabled, dnd_start=chosen.dnd_start, dnd_end=chosen.dnd_end,
        updated_at=utcnow())
    # One statement writing every choice: tabs saving at once (the first time, too) neither
    # collide on the new row nor leave a mix of their choices; the last one is kept whole.
    table = table_of(NotificationPreferences)
    await uow.upsert(table, {column.name: getattr(stored, column.name) for column in table.c},
                     key=("user_id",))
    return preferences_out(stored)
