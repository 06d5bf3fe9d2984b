"""Rules of announcements (公告): who addresses whom, who sees one at each stage, who follows
its read tracking.

An announcement speaks for the company to its audience, so addressing someone is a right:
the whole company is addressed by administrators and the people of the department that
reviews company-wide announcements (人力资源部); a department by its own people (with the
departments below it) and the managers above it; an announcement channel by its admins.
Before it is approved nobody but its author and reviewers sees it; once published, its
audience does until it expires. Its read tracking is its publisher's and the
administrators'. Guests address nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression

from xietong.core.actor import Actor, Role
from xietong.policy.org import is_guest

# Statuses as stored (`announcements.models.AnnouncementStatus` holds the same).
DRAFT = "draft"
IN_REVIEW = "in_review"
PUBLISHED = "published"


@dataclass(frozen=True, slots=True)
class AnnouncementStanding:
    """Where someone stands towards one announcement (worked out by `announcements.access`)."""

    status: str
    author: bool = False
    # An approver of one of its reviews (or someone they act for).
    reviewer: bool = False
    # Among its audience now (the company, its departments' people, its channels' members).
    in_audience: bool = False
    expired: bool = False
    requires_ack: bool = False


def can_draft(actor: Actor) -> bool:
    return not is_guest(actor.role)


def can_address_company(actor: Actor, in_review_department: bool) -> bool:
    """The whole company: administrators, and the people of the reviewing department."""
    return actor.is_admin or (in_review_department and not is_guest(actor.role))


def can_address_department(actor: Actor, belongs: bool, manages_above: bool) -> bool:
    """A department: its people (directly or in a department below it), the managers of
    it or of a department above it, administrators."""
    return actor.is_admin or ((belongs or manages_above) and not is_guest(actor.role))


def can_address_channel(actor: Actor, channel_admin: bool) -> bool:
    """An announcement channel: its admins and the company's administrators."""
    return actor.is_admin or (channel_admin and not is_guest(actor.role))


def can_see_announcement(actor: Actor, standing: AnnouncementStanding) -> bool:
    """Its author always; its reviewers once it was submitted; once published, its audience
    until it expires, and the administrators (who follow read tracking) even after."""
    if standing.author:
        return True
    if standing.reviewer and standing.status != DRAFT:
        return True
    if standing.status != PUBLISHED:
        return False
    return actor.is_admin or (standing.in_audience and not standing.expired)


def can_edit_announcement(standing: AnnouncementStanding) -> bool:
    """A draft (new, rejected or returned) is its author's to change, submit or delete."""
    return standing.author and standing.status == DRAFT


def can_delete_announcement(actor: Actor, standing: AnnouncementStanding) -> bool:
    """Its author's draft; an administrator takes down any announcement."""
    return can_edit_announcement(standing) or actor.is_admin


def can_track_reads(actor: Actor, standing: AnnouncementStanding) -> bool:
    """Who read and acknowledged it, and reminding those who have not: its publisher and
    the administrators."""
    return standing.status == PUBLISHED and (standing.author or actor.is_admin)


def can_acknowledge(standing: AnnouncementStanding) -> bool:
    """"我已阅读并知晓": its audience, while it shows, when it asks for it."""
    return (standing.status == PUBLISHED and standing.requires_ack and standing.in_audience
            and not standing.expired)


def can_manage_settings(actor: Actor) -> bool:
    """Which department reviews company-wide announcements: administrators."""
    return actor.is_admin


def reviews_as_admin_sql(role: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: the stored role is an administrator's (who review company-wide announcements)."""
    return role.in_([Role.OWNER.value, Role.ADMIN.value])


def is_insider(actor: Actor) -> bool:
    """Company-wide announcements reach everyone but guests."""
    return not is_guest(actor.role)


def sees_every_published(actor: Actor) -> bool:
    """The published list shows administrators every announcement (they follow read
    tracking), everyone else what addresses them and what they published."""
    return actor.is_admin


def may_name_unjoined_channels(actor: Actor) -> bool:
    """An announcement channel one is not in is unknown to one, unless an administrator."""
    return actor.is_admin
