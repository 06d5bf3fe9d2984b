"""Routes of the notification centre: each person reads and manages only their own feed
(the queries are by the caller's id; there is nobody else's to ask for)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from xietong.core.clock import utcnow
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.edge import CurrentActor, Rt
from xietong.notifications import actions, queries
from xietong.notifications.schemas import (
    MarkedRead,
    MarkRead,
    NotificationPage,
    Preferences,
    PreferencesOut,
)

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


@router.get("")
async def list_notifications(
    actor: CurrentActor, rt: Rt,
    unread: bool = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> NotificationPage:
    """Newest first; `unread=true` leaves out what was read."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        rows = await queries.feed(uow, actor.user_id, unread_only=unread, before_id=before_id,
                                  limit=limit + 1)
        unread_count = await queries.unread_count(uow, actor.user_id)
    page = rows[:limit]
    return NotificationPage(items=[actions.notification_out(r) for r in page],
                            next_cursor=encode_cursor(page[-1].id) if len(rows) > limit
                            else None,
                            unread_count=unread_count)


@router.post("/read")
async def mark_notifications_read(body: MarkRead, actor: CurrentActor, rt: Rt) -> MarkedRead:
    async with rt.unit_of_work() as uow:
        marked, unread = await actions.do_mark_read(uow, actor, ids=body.ids, every=body.all,
                                                    now=utcnow())
    return MarkedRead(ids=marked, unread_count=unread)


@router.get("/preferences")
async def get_preferences(actor: CurrentActor, rt: Rt) -> PreferencesOut:
    async with rt.reader() as uow:
        stored = await queries.preferences_of(uow, [actor.user_id])
    return actions.preferences_out(stored.get(actor.user_id))


@router.put("/preferences")
async def set_preferences(body: Preferences, actor: CurrentActor, rt: Rt) -> PreferencesOut:
    async with rt.unit_of_work() as uow:
        return await actions.do_set_preferences(uow, actor, body)
