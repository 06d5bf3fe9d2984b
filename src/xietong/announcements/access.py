"""access_*: fetch an announcement and where the actor stands towards it, or NotFound."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xietong.announcements import queries
from xietong.announcements.models import Announcement
from xietong.announcements.queries import Reach, Targets
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.policy import announcements as policy
from xietong.policy.announcements import AnnouncementStanding


@dataclass
class Found:
    announcement: Announcement
    targets: Targets
    standing: AnnouncementStanding


def is_expired(announcement: Announcement, now: datetime) -> bool:
    return announcement.expires_at is not None and announcement.expires_at <= now


async def standing_of(uow: UnitOfWork, actor: Actor, announcement: Announcement,
                      targets: Targets, now: datetime, reach: Reach | None = None,
                      reviewed: set[int] | None = None) -> AnnouncementStanding:
    """`reach` and `reviewed` (`queries.reviewed_by`): asked here unless the caller, shaping
    a page, asked once for all of it."""
    reach = reach or await queries.reach_of(uow, actor.user_id)
    if reviewed is None:
        reviewed = (await queries.reviewed_by(uow, actor.user_id, [announcement.id])
                    if announcement.review_id is not None else set())
    return AnnouncementStanding(
        status=announcement.status, author=announcement.author_id == actor.user_id,
        reviewer=announcement.id in reviewed,
        in_audience=queries.addresses(actor, reach, announcement, targets),
        expired=is_expired(announcement, now), requires_ack=announcement.requires_ack)


async def access_announcement(uow: UnitOfWork, actor: Actor, announcement_id: int,
                              now: datetime, *, for_update: bool = False) -> Found:
    """The announcement if the actor may see it (`policy.can_see_announcement`); NotFound
    otherwise, so an id reveals nothing of a draft or of someone else's audience."""
    announcement = await queries.get_announcement(uow, announcement_id, for_update=for_update)
    if announcement is None:
        raise NotFound("No such announcement.")
    targets = (await queries.targets_of(uow, [announcement.id]))[announcement.id]
    standing = await standing_of(uow, actor, announcement, targets, now)
    if not policy.can_see_announcement(actor, standing):
        raise NotFound("No such announcement.")
    return Found(announcement, targets, standing)
