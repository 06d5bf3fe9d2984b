"""Events of announcements, each to the people it concerns by name.

An announcement's scope is `announcement:<id>`; its events go to exactly the people named
when it happens (its audience when it is published, its author when a review ends), so the
kind needs no resolver."""

from __future__ import annotations

from typing import Literal

from xietong.core.events import Audience, Event, Scope

ANNOUNCEMENT = "announcement"
# The subject of one submission's approval (`announcements.models.AnnouncementReview`).
REVIEW = "announcement_review"


def scope_of(announcement_id: int) -> Scope:
    return Scope(ANNOUNCEMENT, announcement_id)


def to_people(user_ids: set[int], announcement_id: int) -> Audience:
    return Audience.users(user_ids, scope=scope_of(announcement_id))


class AnnouncementPublished(Event):
    """It reached its audience (and its author): the list shows it, the notification
    centre tells of it."""

    type: Literal["announcement.published"] = "announcement.published"
    announcement_id: int
    title: str
    author_id: int
    importance: str


class AnnouncementReviewed(Event):
    """Its review ended (`outcome`: approved, rejected, returned): to its author."""

    type: Literal["announcement.reviewed"] = "announcement.reviewed"
    announcement_id: int
    title: str
    outcome: str
    comment: str | None


class AnnouncementReminded(Event):
    """Those of its audience who have not acknowledged it are reminded (`by`: the publisher
    or administrator who asked; None: the automatic reminder a day after publishing)."""

    type: Literal["announcement.reminded"] = "announcement.reminded"
    announcement_id: int
    title: str
    by: int | None


class AnnouncementReceiptChanged(Event):
    """Someone read or acknowledged it: to its author, whose read tracking follows."""

    type: Literal["announcement.receipt"] = "announcement.receipt"
    announcement_id: int
    user_id: int
    acknowledged: bool


ANNOUNCEMENT_EVENTS: tuple[type[Event], ...] = (
    AnnouncementPublished, AnnouncementReviewed, AnnouncementReminded,
    AnnouncementReceiptChanged)
