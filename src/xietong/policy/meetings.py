"""Rules of meetings: who calls one, who sees it, who changes it, who answers an
invitation, who writes its minutes and who turns its action items into tasks."""

from __future__ import annotations

from dataclasses import dataclass

from xietong.core.actor import Actor, Role
from xietong.policy.org import is_guest


@dataclass(frozen=True, slots=True)
class MeetingStanding:
    """Where someone stands towards a meeting (fetched by `meetings.access`)."""

    organiser: bool = False
    attendee: bool = False


def can_create_meeting(actor: Actor) -> bool:
    """Everyone in the company calls meetings; a guest from outside is invited to them."""
    return not is_guest(actor.role)


def can_see_meeting(actor: Actor, standing: MeetingStanding) -> bool:
    """Its organiser and attendees; administrators, who keep the company's calendar."""
    return standing.organiser or standing.attendee or actor.is_admin


def can_edit_meeting(actor: Actor, standing: MeetingStanding) -> bool:
    """Its time, place, attendees and agenda, cancelling it: its organiser and
    administrators."""
    return standing.organiser or actor.is_admin


def can_respond(actor: Actor, standing: MeetingStanding) -> bool:
    """Accept, decline or say maybe: whoever is invited."""
    return standing.attendee


def can_write_minutes(actor: Actor, standing: MeetingStanding) -> bool:
    """The minutes are the room's: any attendee may take them, as the organiser may."""
    return standing.attendee or can_edit_meeting(actor, standing)


def can_manage_action_items(actor: Actor, standing: MeetingStanding) -> bool:
    """Add, edit, confirm (into a task) or dismiss action items, and run the extractor: the
    organiser and administrators. Attendees see them."""
    return can_edit_meeting(actor, standing)


def minutes_page_agent(actor: Actor) -> Actor:
    """Who files a meeting's minutes page in the documents: the person who asked (so the
    page and the audit log name them), with the standing to put a page in the organiser's
    department space and restrict it to the attendees. The meeting's rule
    (`can_write_minutes`) has already let them; the space's own rules, made for people
    writing documents directly, would refuse most attendees (members edit a department
    space, only its managers restrict a page of it)."""
    return Actor(user_id=actor.user_id, role=Role.ADMIN, ip=actor.ip)
