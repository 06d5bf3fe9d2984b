"""Announcements over HTTP: thin routes over access, actions and views."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from xietong.announcements import actions, queries
from xietong.announcements.access import access_announcement
from xietong.announcements.schemas import (
    AnnouncementCreate,
    AnnouncementOut,
    AnnouncementPage,
    AnnouncementUpdate,
    Box,
    ReceiptsOut,
    Reminded,
    SettingsChange,
    SettingsOut,
)
from xietong.announcements.views import announcements_out, receipts_out
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import BadRequest
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.uow import UnitOfWork
from xietong.edge import CurrentActor, IdPath, Rt
from xietong.policy import announcements as policy
from xietong.policy import require

router = APIRouter(prefix="/api/v1/announcements", tags=["announcements"])


async def _one(uow: UnitOfWork, actor: Actor, announcement_id: int,
               now: datetime) -> AnnouncementOut:
    found = await access_announcement(uow, actor, announcement_id, now)
    return (await announcements_out(uow, actor, [found.announcement], now))[0]


@router.get("")
async def list_announcements(
    actor: CurrentActor, rt: Rt, box: Box = Box.PUBLISHED,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> AnnouncementPage:
    """`published`: what the caller's audience sees now (and what they published), urgent
    and important first, then newest; expired ones are hidden. `drafts`: the caller's own
    not yet published. `mine`: the caller's own published, expired too. `review`: those
    whose review waits for the caller's decision."""
    now = utcnow()
    async with rt.reader() as uow:
        reach = await queries.reach_of(uow, actor.user_id)
        if box is Box.PUBLISHED:
            after = None
            if cursor:
                weight, published_at, last_id = decode_cursor(cursor, int, str, int)
                try:
                    after = (weight, datetime.fromisoformat(published_at), last_id)
                except ValueError:
                    raise BadRequest("The cursor is not valid.", code="bad_cursor") from None
            statement = queries.published_list(actor, reach, now, after, limit + 1)
        else:
            after_id = decode_cursor(cursor, int)[0] if cursor else None
            statement = (queries.review_list(actor, after=after_id, limit=limit + 1)
                         if box is Box.REVIEW else
                         queries.own_list(actor, published=box is Box.MINE, after=after_id,
                                          limit=limit + 1))
        rows = list(await uow.session.scalars(statement))
        page = rows[:limit]
        items = await announcements_out(uow, actor, page, now, reach)
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = (encode_cursor(last.weight, (last.published_at or now).isoformat(), last.id)
                       if box is Box.PUBLISHED else encode_cursor(last.id))
    return AnnouncementPage(items=items, next_cursor=next_cursor)


@router.post("", status_code=201)
async def create_announcement(body: AnnouncementCreate, actor: CurrentActor,
                              rt: Rt) -> AnnouncementOut:
    """A draft: only its author sees it until its review approves it."""
    now = utcnow()
    async with rt.unit_of_work() as uow:
        announcement = await actions.do_create(uow, actor, body, now)
        return await _one(uow, actor, announcement.id, now)


@router.get("/settings")
async def get_announcement_settings(actor: CurrentActor, rt: Rt) -> SettingsOut:
    """Which department's manager reviews company-wide announcements (before an
    administrator)."""
    require(policy.can_draft(actor), "Guests do not write announcements.")
    async with rt.reader() as uow:
        settings = await queries.settings_of(uow)
    return SettingsOut(review_department_id=settings.review_department_id if settings else None)


@router.put("/settings")
async def change_announcement_settings(body: SettingsChange, actor: CurrentActor,
                                       rt: Rt) -> SettingsOut:
    async with rt.unit_of_work() as uow:
        settings = await actions.do_change_settings(uow, actor, body, utcnow())
        return SettingsOut(review_department_id=settings.review_department_id)


@router.get("/{announcement_id}")
async def get_announcement(announcement_id: IdPath, actor: CurrentActor,
                           rt: Rt) -> AnnouncementOut:
    now = utcnow()
    async with rt.reader() as uow:
        return await _one(uow, actor, announcement_id, now)


@router.patch("/{announcement_id}")
async def update_announcement(announcement_id: IdPath, body: AnnouncementUpdate,
                              actor: CurrentActor, rt: Rt) -> AnnouncementOut:
    now = utcnow()
    async with rt.unit_of_work() as uow:
        found = await access_announcement(uow, actor, announcement_id, now, for_update=True)
        await actions.do_update(uow, actor, found, body, now)
        return await _one(uow, actor, announcement_id, now)


@router.delete("/{announcement_id}", status_code=204)
async def delete_announcement(announcement_id: IdPath, actor: CurrentActor,
                              rt: Rt) -> Response:
    now = utcnow()
    async with rt.unit_of_work() as uow:
        found = await access_announcement(uow, actor, announcement_id, now, for_update=True)
        await actions.do_delete(uow, actor, found)
    return Response(status_code=204)


@router.post("/{announcement_id}/submit")
async def submit_announcement(announcement_id: IdPath, actor: CurrentActor,
                              rt: Rt) -> AnnouncementOut:
    """Send a draft for review (decided at `POST /api/v1/approvals/tasks/{id}/decide`)."""
    now = utcnow()
    async with rt.unit_of_work() as uow:
        found = await access_announcement(uow, actor, announcement_id, now, for_update=True)
        await actions.do_submit(uow, actor, found, now)
        return await _one(uow, actor, announcement_id, now)


@router.post("/{announcement_id}/withdraw")
async def withdraw_announcement(announcement_id: IdPath, actor: CurrentActor,
                                rt: Rt) -> AnnouncementOut:
    """Take it back from review: a draft again."""
    now = utcnow()
    async with rt.unit_of_work() as uow:
        found = await access_announcement(uow, actor, announcement_id, now, for_update=True)
        await actions.do_withdraw_from_review(uow, actor, found, now)
        return await _one(uow, actor, announcement_id, now)


@router.post("/{announcement_id}/read")
async def read_announcement(announcement_id: IdPath, actor: CurrentActor,
                            rt: Rt) -> AnnouncementOut:
    """The caller of its audience opened it (the first time counts)."""
    now = utcnow()
    async with rt.unit_of_work() as uow:
        found = await access_announcement(uow, actor, announcement_id, now)
        await actions.do_read(uow, actor, found, now)
        return await _one(uow, actor, announcement_id, now)


@router.post("/{announcement_id}/acknowledge")
async def acknowledge_announcement(announcement_id: IdPath, actor: CurrentActor,
                                   rt: Rt) -> AnnouncementOut:
    """“我已阅读并知晓”, where it asks for it."""
    now = utcnow()
    async with rt.unit_of_work() as uow:
        found = await access_announcement(uow, actor, announcement_id, now)
        await actions.do_acknowledge(uow, actor, found, now)
        return await _one(uow, actor, announcement_id, now)


@router.get("/{announcement_id}/receipts")
async def announcement_receipts(announcement_id: IdPath, actor: CurrentActor,
                                rt: Rt) -> ReceiptsOut:
    """Read tracking, for its publisher and administrators: its audience per department,
    how many read and acknowledged, and who has not yet."""
    now = utcnow()
    async with rt.reader() as uow:
        found = await access_announcement(uow, actor, announcement_id, now)
        require(policy.can_track_reads(actor, found.standing),
                "Only its publisher and administrators follow who read it.",
                code="announcement_not_publisher")
        return await receipts_out(uow, found.announcement, found.targets)


@router.post("/{announcement_id}/remind")
async def remind_announcement(announcement_id: IdPath, actor: CurrentActor,
                              rt: Rt) -> Reminded:
    """Remind those who have not acknowledged (once in ten minutes at most)."""
    now = utcnow()
    async with rt.unit_of_work() as uow:
        found = await access_announcement(uow, actor, announcement_id, now)
        reminded = await actions.do_remind(uow, actor, found, throttle=rt.failures, now=now)
    return Reminded(user_ids=reminded)
