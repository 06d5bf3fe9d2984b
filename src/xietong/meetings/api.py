"""Meetings over HTTP: thin routes over access, actions and views."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AwareDatetime
from sqlalchemy import delete, select

from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid, NotFound
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.uow import UnitOfWork
from xietong.documents.collab import CollabServices, rooms_of
from xietong.edge import CurrentActor, IdPath, Rt, get_services
from xietong.meetings import actions, queries, recurrence
from xietong.meetings.access import (
    access_action_item,
    access_agenda_item,
    access_meeting,
)
from xietong.meetings.ics import meetings_ics, series_ics
from xietong.meetings.models import CalendarFeed, MeetingSeries
from xietong.meetings.schemas import (
    ActionItemCreate,
    ActionItemList,
    ActionItemOut,
    ActionItemUpdate,
    AgendaItemIn,
    AgendaItemUpdate,
    ConfirmBody,
    Extracted,
    FeedOut,
    MeetingCreate,
    MeetingList,
    MeetingOut,
    MeetingUpdate,
    MinutesBody,
    ResponseBody,
)
from xietong.meetings.views import items_out, meeting_out, meeting_summary
from xietong.org.models import User
from xietong.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["meetings"])


class MinutesServices(CollabServices, Protocol):
    """Extraction reads a minutes page as people are editing it: the node's rooms."""

    @property
    def settings(self) -> Settings: ...


MinutesRt = Annotated[MinutesServices, Depends(get_services)]

ICS_TYPE = "text/calendar; charset=utf-8"
_ICS_REPLY: dict[int | str, dict[str, Any]] = {200: {"content": {"text/calendar": {}}}}
# A calendar page asks for a month and a bit; a list without bounds pages on.
LONGEST_RANGE = timedelta(days=62)
PAGE = 200
# What a person's feed carries: the last month and the year ahead.
FEED_PAST = timedelta(days=31)
FEED_AHEAD = timedelta(days=366)
FEED_PATH = "/api/v1/meetings/feed.ics"


async def _out(uow: UnitOfWork, actor: Actor, meeting_id: int) -> MeetingOut:
    return await meeting_out(uow, actor, await access_meeting(uow, actor, meeting_id))


def _zone(rt: Rt) -> ZoneInfo:
    return rt.settings.zone


@router.post("/meetings", status_code=201)
async def create_meeting(body: MeetingCreate, actor: CurrentActor, rt: Rt) -> MeetingOut:
    """A meeting, or with `rrule` a series: every occurrence is a meeting of its own (the
    first is answered)."""
    async with rt.unit_of_work() as uow:
        meeting = await actions.do_create_meeting(uow, actor, body, zone=_zone(rt))
        return await _out(uow, actor, meeting.id)


@router.get("/meetings")
async def list_meetings(
    actor: CurrentActor, rt: Rt,
    since: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    cancelled: bool = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE)] = PAGE,
) -> MeetingList:
    """The caller's meetings (organised or invited to), by start: those overlapping
    [`from`, `to`) when given (a calendar's week or month, at most 62 days), else those
    not yet over. Each occurrence of a series is its own item."""
    if since is not None and until is not None:
        if until <= since:
            raise Invalid("`to` comes after `from`.", code="bad_range")
        if until - since > LONGEST_RANGE:
            raise Invalid("Ask for at most 62 days at once.", code="range_too_long")
    if since is None and until is None:
        since = utcnow()
    after = None
    if cursor is not None:
        moment, last_id = decode_cursor(cursor, str, int)
        try:
            after = (datetime.fromisoformat(moment), last_id)
        except ValueError:
            raise Invalid("The cursor is not one this server gave out.",
                          code="bad_cursor") from None
    async with rt.reader() as uow:
        rows = await queries.calendar_of(uow, actor.user_id, since=since, until=until,
                                         after=after, limit=limit + 1, cancelled=cancelled)
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if more and rows else None
    return MeetingList(items=[meeting_summary(m, r) for m, r in rows],
                       next_cursor=encode_cursor(last.starts_at.isoformat(), last.id)
                       if last is not None else None)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@router.post("/meetings/feed", status_code=201)
async def create_feed(actor: CurrentActor, rt: Rt) -> FeedOut:
    """A new secret address of the caller's meetings for calendar apps (which send no
    cookies); any earlier one stops working."""
    token = secrets.token_urlsafe(32)
    async with rt.unit_of_work() as uow:
        await uow.session.execute(delete(CalendarFeed)
                                  .where(CalendarFeed.user_id == actor.user_id))
        uow.session.add(CalendarFeed(user_id=actor.user_id, token_hash=_token_hash(token),
                                     created_at=utcnow()))
    return FeedOut(path=f"{FEED_PATH}?token={token}", token=token)


@router.delete("/meetings/feed", status_code=204)
async def revoke_feed(actor: CurrentActor, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        await uow.session.execute(delete(CalendarFeed)
                                  .where(CalendarFeed.user_id == actor.user_id))
    return Response(status_code=204)


async def _people(uow: UnitOfWork, user_ids: set[int]) -> dict[int, tuple[str, str | None]]:
    rows = await uow.session.execute(
        select(User.id, User.display_name, User.email).where(User.id.in_(sorted(user_ids))))
    return {i: (name, email) for i, name, email in rows}


@router.get("/meetings/feed.ics", response_class=Response, responses=_ICS_REPLY)
async def feed(token: Annotated[str, Query(min_length=1, max_length=100)], rt: Rt) -> Response:
    """The meetings of the person whose secret `token` this is (from a month ago to a year
    ahead, cancelled ones marked so), as `text/calendar`; an unknown token is a 404."""
    now = utcnow()
    async with rt.reader() as uow:
        user_id = await uow.session.scalar(
            select(CalendarFeed.user_id).where(CalendarFeed.token_hash == _token_hash(token)))
        owner = await uow.session.get(User, user_id) if user_id is not None else None
        if owner is None or not owner.active:
            raise NotFound("No such calendar.")
        rows = await queries.calendar_of(uow, owner.id, since=now - FEED_PAST,
                                         until=now + FEED_AHEAD, after=None, limit=2000,
                                         cancelled=True)
        meetings = [m for m, _ in rows]
        attendees = await queries.attendees_of(uow, [m.id for m in meetings])
        people = await _people(uow, {a.user_id for rows_ in attendees.values() for a in rows_}
                               | {m.organiser_id for m in meetings})
    return Response(meetings_ics(f"{owner.display_name}的会议", meetings, attendees, people,
                                 now), media_type=ICS_TYPE)


@router.get("/meetings/{meeting_id}.ics", response_class=Response, responses=_ICS_REPLY)
async def meeting_ics(meeting_id: IdPath, actor: CurrentActor, rt: Rt,
                      series: bool = False) -> Response:
    """The meeting as an .ics file; `series`: its whole series as one recurring event (its
    RRULE, and EXDATEs for the days left out or cancelled)."""
    now = utcnow()
    async with rt.reader() as uow:
        found = await access_meeting(uow, actor, meeting_id)
        meeting = found.meeting
        attendees = await queries.attendees_of(uow, [meeting.id])
        people = await _people(uow, {a.user_id for a in attendees[meeting.id]}
                               | {meeting.organiser_id})
        row = (await uow.session.get(MeetingSeries, meeting.series_id)
               if series and meeting.series_id is not None else None)
        if row is None:
            body = meetings_ics(meeting.title, [meeting], attendees, people, now)
        else:
            held = await queries.series_meetings(uow, row.id)
            first = held[0] if held else meeting
            body = series_ics(row, first, [m.starts_at for m in held if m.cancelled_at is None],
                              recurrence.expand(row.rrule, row.first_starts_at,
                                                ZoneInfo(row.zone)),
                              attendees[meeting.id], people, now)
    return Response(body, media_type=ICS_TYPE, headers={
        "Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'})


@router.get("/meetings/{meeting_id}")
async def get_meeting(meeting_id: IdPath, actor: CurrentActor, rt: Rt) -> MeetingOut:
    """The meeting with its attendees and answers, agenda, minutes, and the open action
    items the series' previous meeting left (`carried_over`)."""
    async with rt.reader() as uow:
        return await _out(uow, actor, meeting_id)


@router.patch("/meetings/{meeting_id}")
async def update_meeting(meeting_id: IdPath, body: MeetingUpdate, actor: CurrentActor,
                         rt: Rt) -> MeetingOut:
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        await actions.do_update_meeting(uow, actor, found, body)
        return await _out(uow, actor, meeting_id)


@router.delete("/meetings/{meeting_id}", status_code=204)
async def cancel_meeting(meeting_id: IdPath, actor: CurrentActor, rt: Rt,
                         following: bool = False) -> Response:
    """Cancel it (`following`: and the later meetings of its series)."""
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        await actions.do_cancel_meeting(uow, actor, found, following=following)
    return Response(status_code=204)


@router.post("/meetings/{meeting_id}/response")
async def answer_meeting_invitation(meeting_id: IdPath, body: ResponseBody, actor: CurrentActor,
                  rt: Rt) -> MeetingOut:
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        await actions.do_respond(uow, actor, found, body.response)
        return await _out(uow, actor, meeting_id)


@router.put("/meetings/{meeting_id}/minutes", deprecated=True)
async def set_minutes(meeting_id: IdPath, body: MinutesBody, actor: CurrentActor,
                      rt: Rt) -> MeetingOut:
    """The minutes, in Markdown (a checklist line `- [ ] @张伟 … 12月10日` is an action
    item), for a meeting without a minutes page (409 `minutes_in_page` once it has one).
    Deprecated: make the page (`POST /meetings/{id}/minutes-page`) and write there."""
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        await actions.do_set_minutes(uow, actor, found, body.minutes)
        return await _out(uow, actor, meeting_id)


@router.post("/meetings/{meeting_id}/minutes-page", status_code=201,
             responses={200: {"description": "The meeting already had its minutes page.",
                              "model": MeetingOut}})
async def open_minutes_page(meeting_id: IdPath, actor: CurrentActor, rt: Rt,
                            response: Response) -> MeetingOut:
    """The meeting's minutes as a documents page (`minutes_page_id`), made the first time
    (201) by its organiser or an attendee, then the same page (200): in the organiser's
    department space under "会议纪要", from the Markdown minutes if any were taken, else
    from the agenda with an action-items checklist; every attendee (and department
    invited) edits it, nobody else sees it but the space's managers."""
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        if not await actions.do_open_minutes_page(uow, actor, found, zone=_zone(rt)):
            response.status_code = 200
        return await _out(uow, actor, meeting_id)


@router.post("/meetings/{meeting_id}/agenda", status_code=201)
async def add_agenda_item(meeting_id: IdPath, body: AgendaItemIn, actor: CurrentActor,
                          rt: Rt) -> MeetingOut:
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        await actions.do_add_agenda_item(uow, actor, found, body)
        return await _out(uow, actor, meeting_id)


@router.patch("/meetings/{meeting_id}/agenda/{agenda_item_id}")
async def update_agenda_item(meeting_id: IdPath, agenda_item_id: IdPath,
                             body: AgendaItemUpdate, actor: CurrentActor, rt: Rt) -> MeetingOut:
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        item = await access_agenda_item(uow, found, agenda_item_id)
        await actions.do_update_agenda_item(uow, actor, found, item, body)
        return await _out(uow, actor, meeting_id)


@router.delete("/meetings/{meeting_id}/agenda/{agenda_item_id}", status_code=204)
async def delete_agenda_item(meeting_id: IdPath, agenda_item_id: IdPath, actor: CurrentActor,
                             rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        item = await access_agenda_item(uow, found, agenda_item_id)
        await actions.do_delete_agenda_item(uow, actor, found, item)
    return Response(status_code=204)


@router.get("/meetings/{meeting_id}/action-items")
async def list_action_items(meeting_id: IdPath, actor: CurrentActor, rt: Rt) -> ActionItemList:
    """Every action item of the meeting, proposed, confirmed (with its task) or dismissed
    (at most 200: one page)."""
    async with rt.reader() as uow:
        await access_meeting(uow, actor, meeting_id)
        return ActionItemList(items=await items_out(uow, await queries.items_of(uow, meeting_id)))


@router.post("/meetings/{meeting_id}/action-items", status_code=201)
async def add_action_item(meeting_id: IdPath, body: ActionItemCreate, actor: CurrentActor,
                          rt: Rt) -> ActionItemOut:
    """An action item added by hand: a proposal like any other, confirmed into a task."""
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        item = await actions.do_add_action_item(uow, actor, found, body)
        await uow.flush()
        return (await items_out(uow, [item]))[0]


@router.post("/meetings/{meeting_id}/action-items/extract")
async def extract_action_items(meeting_id: IdPath, actor: CurrentActor,
                               rt: MinutesRt) -> Extracted:
    """Read the minutes (the minutes page's Markdown as people are editing it, when the
    meeting has one; and the agenda's notes) for action items: checklist lines and
    commitments in free text become proposals; nothing becomes a task until confirmed. A
    sentence read before is not proposed again."""
    # The room's copy is read outside the write (a room saving itself waits for one).
    async with rt.reader() as uow:
        page_id = (await access_meeting(uow, actor, meeting_id)).meeting.minutes_page_id
    live = await rooms_of(rt).live(page_id) if page_id is not None else None
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        if found.meeting.minutes_page_id != page_id:
            live = None  # made meanwhile: read as stored
        added = await actions.do_extract(uow, actor, found, zone=rt.settings.zone,
                                         live_page=live.markdown if live else None)
        return Extracted(added=added,
                         items=await items_out(uow, await queries.items_of(uow, meeting_id)))


@router.patch("/meetings/{meeting_id}/action-items/{action_item_id}")
async def update_action_item(meeting_id: IdPath, action_item_id: IdPath,
                             body: ActionItemUpdate, actor: CurrentActor,
                             rt: Rt) -> ActionItemOut:
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        item = await access_action_item(uow, found, action_item_id, for_update=True)
        await actions.do_update_action_item(uow, actor, found, item, body)
        await uow.flush()
        return (await items_out(uow, [item]))[0]


@router.post("/meetings/{meeting_id}/action-items/{action_item_id}/confirm")
async def confirm_action_item(meeting_id: IdPath, action_item_id: IdPath, body: ConfirmBody,
                              actor: CurrentActor, rt: Rt) -> ActionItemOut:
    """The proposal becomes a task of `project_id` (`task_id` on the item)."""
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        item = await access_action_item(uow, found, action_item_id, for_update=True)
        await actions.do_confirm_action_item(uow, actor, found, item, body)
        await uow.flush()
        return (await items_out(uow, [item]))[0]


@router.post("/meetings/{meeting_id}/action-items/{action_item_id}/dismiss")
async def dismiss_action_item(meeting_id: IdPath, action_item_id: IdPath, actor: CurrentActor,
                              rt: Rt) -> ActionItemOut:
    async with rt.unit_of_work() as uow:
        found = await access_meeting(uow, actor, meeting_id, for_update=True)
        item = await access_action_item(uow, found, action_item_id, for_update=True)
        await actions.do_dismiss_action_item(uow, actor, found, item)
        await uow.flush()
        return (await items_out(uow, [item]))[0]

