"""Meetings as the API shows them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.meetings import queries
from xietong.meetings.access import MeetingAccess
from xietong.meetings.minutes import preview_of
from xietong.meetings.models import (
    ActionItem,
    AgendaItem,
    ItemSource,
    ItemStatus,
    Meeting,
    MeetingSeries,
    Response,
    Tier,
)
from xietong.meetings.schemas import (
    ActionItemOut,
    AgendaItemOut,
    AttendeeOut,
    InvitedDepartment,
    MeetingActions,
    MeetingData,
    MeetingOut,
    MeetingSummary,
    PreReadOut,
    SeriesOut,
)
from xietong.policy import meetings as meetings_policy


def meeting_data(meeting: Meeting) -> MeetingData:
    return MeetingData(id=meeting.id, series_id=meeting.series_id, title=meeting.title,
                       tier=Tier(meeting.tier), organiser_id=meeting.organiser_id,
                       starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                       location=meeting.location, link=meeting.link,
                       cancelled=meeting.cancelled_at is not None)


def meeting_summary(meeting: Meeting, response: str | None) -> MeetingSummary:
    return MeetingSummary(**meeting_data(meeting).model_dump(),
                          my_response=Response(response) if response else None)


async def items_out(uow: UnitOfWork, items: Sequence[ActionItem]) -> list[ActionItemOut]:
    names = await queries.names_of(uow, [i.owner_id for i in items if i.owner_id])
    departments = await queries.department_names(
        uow, [i.owner_department_id for i in items if i.owner_department_id])
    return [ActionItemOut(
        id=i.id, meeting_id=i.meeting_id, title=i.title, owner_id=i.owner_id,
        owner_name=names.get(i.owner_id) if i.owner_id else None,
        owner_department_id=i.owner_department_id,
        owner_department_name=(departments.get(i.owner_department_id)
                               if i.owner_department_id else None),
        owner_text=i.owner_text, due_on=i.due_on, due_text=i.due_text, sentence=i.sentence,
        source=ItemSource(i.source), status=ItemStatus(i.status), task_id=i.task_id,
        project_id=i.project_id, decided_at=i.decided_at, created_at=i.created_at)
        for i in items]


async def meeting_out(uow: UnitOfWork, actor: Actor, found: MeetingAccess) -> MeetingOut:
    meeting, standing = found.meeting, found.standing
    attendees = (await queries.attendees_of(uow, [meeting.id]))[meeting.id]
    agenda = (await uow.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position, AgendaItem.id))).all()
    names = await queries.names_of(
        uow, [a.user_id for a in attendees] + [meeting.organiser_id]
        + [a.owner_id for a in agenda if a.owner_id])
    departments = await queries.department_names(uow, meeting.department_ids)
    mine = next((a.response for a in attendees if a.user_id == actor.user_id), None)
    series = None
    if meeting.series_id is not None:
        row = await uow.session.get(MeetingSeries, meeting.series_id)
        if row is not None:
            held = await queries.series_meetings(uow, row.id)
            series = SeriesOut(id=row.id, rrule=row.rrule,
                               skip_non_working_days=row.skip_non_working_days,
                               occurrences=sum(1 for m in held if m.cancelled_at is None))
    previous = await queries.previous_in_series(uow, meeting)
    carried = await queries.open_items_of(uow, previous.id) if previous is not None else []
    return MeetingOut(
        **meeting_summary(meeting, mine).model_dump(),
        description=meeting.description,
        organiser_name=names.get(meeting.organiser_id, ""),
        attendees=sorted((AttendeeOut(user_id=a.user_id, display_name=names.get(a.user_id, ""),
                                      response=Response(a.response),
                                      responded_at=a.responded_at) for a in attendees),
                         key=lambda a: (a.user_id != meeting.organiser_id, a.user_id)),
        departments=[InvitedDepartment(id=d, name=departments[d])
                     for d in meeting.department_ids if d in departments],
        agenda=[AgendaItemOut(id=a.id, position=a.position, title=a.title,
                              owner_id=a.owner_id,
                              owner_name=names.get(a.owner_id) if a.owner_id else None,
                              duration_minutes=a.duration_minutes, notes=a.notes,
                              pre_read_url=a.pre_read_url) for a in agenda],
        pre_reads=[PreReadOut(title=str(p.get("title", "")), url=str(p.get("url", "")))
                   for p in meeting.pre_reads],
        minutes=meeting.minutes, minutes_updated_at=meeting.minutes_updated_at,
        minutes_page_id=meeting.minutes_page_id,
        minutes_preview=(await preview_of(uow, actor, meeting.minutes_page_id)
                         if meeting.minutes_page_id is not None else None),
        remind_minutes=meeting.remind_minutes, channel_id=meeting.channel_id,
        series=series, previous_meeting_id=previous.id if previous is not None else None,
        carried_over=await items_out(uow, carried),
        can=MeetingActions(
            edit=meetings_policy.can_edit_meeting(actor, standing),
            respond=meetings_policy.can_respond(actor, standing),
            write_minutes=meetings_policy.can_write_minutes(actor, standing),
            manage_action_items=meetings_policy.can_manage_action_items(actor, standing)))
