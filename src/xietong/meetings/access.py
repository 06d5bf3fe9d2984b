"""Finding a meeting for someone: what they may not see does not exist for them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.meetings.models import ActionItem, AgendaItem, Meeting, MeetingAttendee
from xietong.policy import meetings as meetings_policy
from xietong.policy.meetings import MeetingStanding


@dataclass(frozen=True, slots=True)
class MeetingAccess:
    meeting: Meeting
    standing: MeetingStanding


async def standing_of(uow: UnitOfWork, actor: Actor, meeting: Meeting) -> MeetingStanding:
    attending = await uow.session.scalar(
        select(MeetingAttendee.user_id).where(MeetingAttendee.meeting_id == meeting.id,
                                              MeetingAttendee.user_id == actor.user_id))
    return MeetingStanding(organiser=meeting.organiser_id == actor.user_id,
                           attendee=attending is not None)


async def access_meeting(uow: UnitOfWork, actor: Actor, meeting_id: int, *,
                         for_update: bool = False) -> MeetingAccess:
    """`for_update`: the meeting's row stays locked until the commit (what serialises the
    changes of one meeting and its items)."""
    statement = select(Meeting).where(Meeting.id == meeting_id)
    if for_update:
        statement = statement.with_for_update()
    meeting = await uow.session.scalar(statement)
    if meeting is None:
        raise NotFound("No such meeting.")
    standing = await standing_of(uow, actor, meeting)
    if not meetings_policy.can_see_meeting(actor, standing):
        raise NotFound("No such meeting.")
    return MeetingAccess(meeting, standing)


async def access_agenda_item(uow: UnitOfWork, found: MeetingAccess, item_id: int) -> AgendaItem:
    item = await uow.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != found.meeting.id:
        raise NotFound("No such agenda item.")
    return item


async def access_action_item(uow: UnitOfWork, found: MeetingAccess, item_id: int, *,
                             for_update: bool = False) -> ActionItem:
    statement = select(ActionItem).where(ActionItem.id == item_id,
                                         ActionItem.meeting_id == found.meeting.id)
    if for_update:
        statement = statement.with_for_update()
    item = await uow.session.scalar(statement)
    if item is None:
        raise NotFound("No such action item.")
    return item
