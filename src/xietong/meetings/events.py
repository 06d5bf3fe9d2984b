"""Events of meetings: a meeting changed (to whoever is invited and its organiser, named
when it changes), an invitation and a reminder (to the people concerned, each becoming a
notification)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from xietong.core.events import USER, Audience, Event, Scope
from xietong.meetings.schemas import MeetingData


class MeetingChanged(Event):
    """Created, changed, answered, minuted, cancelled, or its action items moved
    (`change`)."""

    type: Literal["meeting.changed"] = "meeting.changed"
    meeting: MeetingData
    change: str


class MeetingInvited(Event):
    """Someone was invited (to the first meeting of a series: `occurrences` in all)."""

    type: Literal["meeting.invited"] = "meeting.invited"
    meeting_id: int
    title: str
    starts_at: str
    organiser_id: int
    organiser_name: str
    occurrences: int


class MeetingReminderDue(Event):
    """A meeting is about to start; to the attendees who did not decline."""

    type: Literal["meeting.reminder_due"] = "meeting.reminder_due"
    meeting_id: int
    title: str
    starts_at: str
    location: str
    minutes_before: int


MEETING_EVENTS: tuple[type[Event], ...] = (MeetingChanged, MeetingInvited, MeetingReminderDue)


def to_people(user_ids: Iterable[int], organiser_id: int) -> Audience:
    """Exactly these people; the organiser's scope says whose meeting it is."""
    return Audience.users(user_ids, scope=Scope(USER, organiser_id))
