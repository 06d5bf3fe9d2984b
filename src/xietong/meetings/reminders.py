"""A reminder before each meeting, on the durable jobs: one job per meeting and start time
(the key names both, so a meeting moved gets a fresh job and the old one is cancelled).

The job marks the meeting reminded in the same transaction as the event it emits, so a
retried run reminds once; the notification is made from the event by the consumer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import JobHandler, JobNeeds
from xietong.meetings.events import MeetingReminderDue, to_people
from xietong.meetings.models import Meeting, MeetingAttendee, Response
from xietong.org import queries as org_queries

REMINDER_JOB = "meetings.reminder"


def reminder_key(meeting: Meeting) -> str:
    return f"{REMINDER_JOB}:{meeting.id}:{int(meeting.starts_at.timestamp())}"


async def arm_reminder(uow: UnitOfWork, meeting: Meeting, now: datetime) -> None:
    """Queue the meeting's reminder (due now when it is nearer than its lead time)."""
    if meeting.remind_minutes is None or meeting.starts_at <= now:
        return
    run_at = max(now, meeting.starts_at - timedelta(minutes=meeting.remind_minutes))
    await uow.enqueue(REMINDER_JOB, {"meeting_id": meeting.id,
                                     "starts_at": meeting.starts_at.isoformat()},
                      run_at=run_at, key=reminder_key(meeting))


async def disarm_reminder(uow: UnitOfWork, meeting: Meeting) -> None:
    await uow.cancel_job(reminder_key(meeting))


async def send_reminder(uow: UnitOfWork, meeting_id: int, starts_at: str, now: datetime) -> bool:
    """Remind the meeting's attendees who did not decline, unless it was cancelled, moved
    (another job reminds then), already reminded or already begun (a job run late). Whether
    it reminded."""
    meeting = await uow.session.get(Meeting, meeting_id)
    if (meeting is None or meeting.cancelled_at is not None or meeting.reminded_at is not None
            or meeting.starts_at != datetime.fromisoformat(starts_at)
            or meeting.starts_at <= now):
        return False
    meeting.reminded_at = now
    coming = set(await uow.session.scalars(
        select(MeetingAttendee.user_id).where(
            MeetingAttendee.meeting_id == meeting.id,
            MeetingAttendee.response != Response.DECLINED.value)))
    people = await org_queries.active_user_ids(uow, coming)
    if people:
        uow.emit(MeetingReminderDue(meeting_id=meeting.id, title=meeting.title,
                                    starts_at=meeting.starts_at.isoformat(),
                                    location=meeting.location or meeting.link,
                                    minutes_before=meeting.remind_minutes or 0),
                 to_people(people, meeting.organiser_id))
    return True


def reminder_handler(_needs: JobNeeds) -> JobHandler:
    async def handle(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await send_reminder(uow, int(payload["meeting_id"]), str(payload["starts_at"]),
                            utcnow())

    return handle
