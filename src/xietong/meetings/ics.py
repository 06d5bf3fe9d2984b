"""Meetings as iCalendar (RFC 5545) files: one meeting, a series' rule, a person's feed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vRecur, vText

from xietong.meetings.models import Meeting, MeetingAttendee, MeetingSeries, Response

PRODUCT = "-//Xietong//Meetings//ZH"
_PARTSTAT = {Response.PENDING.value: "NEEDS-ACTION", Response.ACCEPTED.value: "ACCEPTED",
             Response.DECLINED.value: "DECLINED", Response.TENTATIVE.value: "TENTATIVE"}


def uid_of(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}@xietong"


def _address(user_id: int, name: str, email: str | None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}" if email else f"urn:xietong:user:{user_id}")
    address.params["CN"] = vText(name)
    return address


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(meeting: Meeting, attendees: Sequence[MeetingAttendee],
           people: Mapping[int, tuple[str, str | None]], now: datetime, *,
           start: datetime, end: datetime) -> Event:
    event = Event()
    event.add("uid", uid_of(meeting))
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", meeting.title)
    event.add("status", "CANCELLED" if meeting.cancelled_at is not None else "CONFIRMED")
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.link:
        event.add("url", meeting.link)
    text = "\n".join(p for p in (meeting.description, meeting.link) if p)
    if text:
        event.add("description", text)
    name, email = people.get(meeting.organiser_id, ("", None))
    event.add("organizer", _address(meeting.organiser_id, name, email))
    for attendee in attendees:
        name, email = people.get(attendee.user_id, ("", None))
        address = _address(attendee.user_id, name, email)
        address.params["PARTSTAT"] = _PARTSTAT[attendee.response]
        address.params["ROLE"] = "REQ-PARTICIPANT"
        event.add("attendee", address, encode=False)
    event.add("last-modified", meeting.updated_at)
    return event


def meetings_ics(name: str, meetings: Sequence[Meeting],
                 attendees: Mapping[int, Sequence[MeetingAttendee]],
                 people: Mapping[int, tuple[str, str | None]], now: datetime) -> bytes:
    """Each meeting as an event of its own (a feed, or one meeting's file)."""
    calendar = _calendar(name)
    for meeting in meetings:
        calendar.add_component(_event(meeting, attendees.get(meeting.id, ()), people, now,
                                      start=meeting.starts_at, end=meeting.ends_at))
    return bytes(calendar.to_ical())


def series_ics(series: MeetingSeries, first: Meeting, held: Sequence[datetime],
               expanded: Sequence[datetime], attendees: Sequence[MeetingAttendee],
               people: Mapping[int, tuple[str, str | None]], now: datetime) -> bytes:
    """The series as one recurring event in its own zone: its RRULE, and an EXDATE for each
    start the rule makes that is not held (a holiday left out, a meeting cancelled)."""
    zone = ZoneInfo(series.zone)
    calendar = _calendar(first.title)
    start = series.first_starts_at.astimezone(zone)
    event = _event(first, attendees, people, now, start=start,
                   end=start + (first.ends_at - first.starts_at))
    event["uid"] = vText(f"meeting-series-{series.id}@xietong")
    event["status"] = vText("CONFIRMED")
    event.add("rrule", vRecur.from_ical(series.rrule))
    kept = set(held)
    skipped = [moment.astimezone(zone) for moment in expanded if moment not in kept]
    if skipped:
        event.add("exdate", skipped)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
