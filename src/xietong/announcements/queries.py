"""Every SELECT of announcements, named."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from xietong.announcements.events import REVIEW
from xietong.announcements.models import (
    Announcement,
    AnnouncementFile,
    AnnouncementPost,
    AnnouncementReceipt,
    AnnouncementReview,
    AnnouncementSettings,
    AnnouncementStatus,
    AnnouncementTarget,
    AudienceKind,
)
from xietong.approvals import queries as approval_queries
from xietong.approvals.models import ApprovalInstance, ApprovalTask, TaskState
from xietong.chat.models import Channel, ChannelKind, ChannelMember
from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.models import User
from xietong.policy import announcements as policy
from xietong.policy.org import is_guest_sql

SETTINGS_ROW = 1


async def get_announcement(uow: UnitOfWork, announcement_id: int, *,
                           for_update: bool = False) -> Announcement | None:
    statement = select(Announcement).where(Announcement.id == announcement_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await uow.session.scalar(statement)


async def settings_of(uow: UnitOfWork) -> AnnouncementSettings | None:
    return await uow.session.get(AnnouncementSettings, SETTINGS_ROW)


@dataclass
class Targets:
    """Whom one announcement addresses, beyond `to_company`."""

    department_ids: list[int] = field(default_factory=list)
    channel_ids: list[int] = field(default_factory=list)


async def targets_of(uow: UnitOfWork, announcement_ids: Iterable[int]) -> dict[int, Targets]:
    wanted = set(announcement_ids)
    found: dict[int, Targets] = defaultdict(Targets)
    if not wanted:
        return found
    rows = await uow.session.execute(
        select(AnnouncementTarget.announcement_id, AnnouncementTarget.kind,
               AnnouncementTarget.target_id)
        .where(AnnouncementTarget.announcement_id.in_(wanted))
        .order_by(AnnouncementTarget.target_id))
    for announcement_id, kind, target_id in rows:
        targets = found[announcement_id]
        (targets.department_ids if kind == AudienceKind.DEPARTMENT
         else targets.channel_ids).append(target_id)
    return found


async def file_ids_of(uow: UnitOfWork, announcement_ids: Iterable[int]) -> dict[int, list[int]]:
    wanted = set(announcement_ids)
    found: dict[int, list[int]] = defaultdict(list)
    if not wanted:
        return found
    for announcement_id, file_id in await uow.session.execute(
            select(AnnouncementFile.announcement_id, AnnouncementFile.file_id)
            .where(AnnouncementFile.announcement_id.in_(wanted))
            .order_by(AnnouncementFile.position, AnnouncementFile.file_id)):
        found[announcement_id].append(file_id)
    return found


async def announcement_ids_carrying(uow: UnitOfWork, file_id: int) -> list[int]:
    """Announcements whose cover or attachments are the file."""
    attached = select(AnnouncementFile.announcement_id).where(
        AnnouncementFile.file_id == file_id)
    return list(await uow.session.scalars(
        select(Announcement.id).where(or_(Announcement.cover_file_id == file_id,
                                          Announcement.id.in_(attached)))))


async def receipts_of(uow: UnitOfWork, user_id: int, announcement_ids: Iterable[int]
                      ) -> dict[int, AnnouncementReceipt]:
    wanted = set(announcement_ids)
    if not wanted:
        return {}
    rows = await uow.session.scalars(select(AnnouncementReceipt).where(
        AnnouncementReceipt.user_id == user_id,
        AnnouncementReceipt.announcement_id.in_(wanted)))
    return {row.announcement_id: row for row in rows}


async def all_receipts(uow: UnitOfWork, announcement_id: int) -> dict[int, AnnouncementReceipt]:
    rows = await uow.session.scalars(select(AnnouncementReceipt).where(
        AnnouncementReceipt.announcement_id == announcement_id))
    return {row.user_id: row for row in rows}


async def posts_of(uow: UnitOfWork, announcement_id: int) -> Sequence[AnnouncementPost]:
    return (await uow.session.scalars(select(AnnouncementPost).where(
        AnnouncementPost.announcement_id == announcement_id))).all()


# --- who is addressed ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Reach:
    """What places a person in an audience: their departments with those above them (a
    department's announcement reaches the departments below it) and their channels."""

    department_ids: frozenset[int]
    channel_ids: frozenset[int]


async def reach_of(uow: UnitOfWork, user_id: int) -> Reach:
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    memberships = await org_queries.memberships_of(uow, [user_id])
    departments = {up for d in memberships[user_id].department_ids if d in parents
                   for up in org_queries.ancestors_and_self(parents, d)}
    channels = set(await uow.session.scalars(
        select(ChannelMember.channel_id).where(ChannelMember.user_id == user_id)))
    return Reach(frozenset(departments), frozenset(channels))


def addressed_sql(actor: Actor, reach: Reach) -> ColumnElement[bool]:
    """SQL: the announcement addresses the actor (company-wide, to one of their departments
    or one above, or to one of their channels)."""
    def targeted(kind: AudienceKind, ids: frozenset[int]) -> ColumnElement[bool]:
        if not ids:
            return false()
        return exists().where(AnnouncementTarget.announcement_id == Announcement.id,
                              AnnouncementTarget.kind == kind.value,
                              AnnouncementTarget.target_id.in_(sorted(ids)))
    company = Announcement.to_company.is_(True) if policy.is_insider(actor) else false()
    return or_(company, targeted(AudienceKind.DEPARTMENT, reach.department_ids),
               targeted(AudienceKind.CHANNEL, reach.channel_ids))


def addresses(actor: Actor, reach: Reach, announcement: Announcement, targets: Targets) -> bool:
    """`addressed_sql` for one announcement already read."""
    return ((announcement.to_company and policy.is_insider(actor))
            or bool(reach.department_ids.intersection(targets.department_ids))
            or bool(reach.channel_ids.intersection(targets.channel_ids)))


async def audience_people(uow: UnitOfWork, announcement: Announcement,
                          targets: Targets) -> set[int]:
    """The active people it addresses now (system accounts aside)."""
    people: set[int] = set()
    if announcement.to_company:
        people |= set(await uow.session.scalars(select(User.id).where(
            User.active, User.bot.is_(False), ~is_guest_sql(User.role))))
    if targets.department_ids:
        parents = org_queries.parent_map(await org_queries.all_departments(uow))
        subtree = {d for target in targets.department_ids if target in parents
                   for d in org_queries.descendants_and_self(parents, target)}
        people |= await org_queries.active_member_ids_of_departments(uow, subtree)
    if targets.channel_ids:
        people |= set(await uow.session.scalars(
            select(ChannelMember.user_id).join(User, User.id == ChannelMember.user_id)
            .where(ChannelMember.channel_id.in_(targets.channel_ids), User.active)))
    return people - await org_queries.bot_ids(uow, people)


async def announcement_channels(uow: UnitOfWork, announcement: Announcement,
                                targets: Targets) -> list[int]:
    """Where it is posted: the announcement channels it names, the company's own
    announcement channels (tied to no department) when it is company-wide, and the
    announcement channels tied to its departments; live ones only."""
    wanted: list[ColumnElement[bool]] = []
    if targets.channel_ids:
        wanted.append(Channel.id.in_(targets.channel_ids))
    if announcement.to_company:
        wanted.append(Channel.department_id.is_(None))
    if targets.department_ids:
        wanted.append(Channel.department_id.in_(targets.department_ids))
    if not wanted:
        return []
    return list(await uow.session.scalars(
        select(Channel.id).where(Channel.kind == ChannelKind.ANNOUNCEMENT.value,
                                 Channel.archived_at.is_(None), or_(*wanted))
        .order_by(Channel.id)))


async def channels_named(uow: UnitOfWork, channel_ids: Iterable[int]) -> dict[int, Channel]:
    wanted = set(channel_ids)
    if not wanted:
        return {}
    rows = await uow.session.scalars(select(Channel).where(Channel.id.in_(wanted)))
    return {row.id: row for row in rows}


async def admin_ids(uow: UnitOfWork) -> list[int]:
    """Active administrators (and owners), who review company-wide announcements."""
    return list(await uow.session.scalars(
        select(User.id).where(User.active, User.bot.is_(False),
                              policy.reviews_as_admin_sql(User.role)).order_by(User.id)))


# --- reviews ------------------------------------------------------------------------------

async def announcement_of_review(uow: UnitOfWork, review_id: int) -> int | None:
    return await uow.session.scalar(select(AnnouncementReview.announcement_id).where(
        AnnouncementReview.id == review_id))


async def reviewed_by(uow: UnitOfWork, user_id: int, announcement_ids: Iterable[int]) -> set[int]:
    """Those of the announcements one of whose reviews the person approves (or approved)."""
    wanted = set(announcement_ids)
    if not wanted:
        return set()
    reviews = approval_queries.subjects_approved_by(user_id, REVIEW)
    return set(await uow.session.scalars(
        select(AnnouncementReview.announcement_id).where(
            AnnouncementReview.announcement_id.in_(wanted),
            AnnouncementReview.id.in_(reviews)).distinct()))


def waiting_for_sql(user_id: int) -> ColumnElement[bool]:
    """SQL: its review under way waits for the person's decision now."""
    return and_(Announcement.status == AnnouncementStatus.IN_REVIEW.value, exists().where(
        ApprovalInstance.subject_kind == REVIEW,
        ApprovalInstance.subject_id == Announcement.review_id,
        ApprovalTask.instance_id == ApprovalInstance.id,
        ApprovalTask.assignee_id == user_id,
        ApprovalTask.state == TaskState.PENDING.value))


# --- lists --------------------------------------------------------------------------------

def published_list(actor: Actor, reach: Reach, now: datetime,
                   after: tuple[int, datetime, int] | None, limit: int
                   ) -> Select[Announcement]:
    """What shows on the announcements page: published, not expired, addressed to the
    actor or published by them (every one for administrators); weightier first, then
    newest."""
    seen = (true() if policy.sees_every_published(actor)
            else or_(Announcement.author_id == actor.user_id, addressed_sql(actor, reach)))
    statement = select(Announcement).where(
        Announcement.status == AnnouncementStatus.PUBLISHED.value,
        or_(Announcement.expires_at.is_(None), Announcement.expires_at > now), seen)
    if after is not None:
        weight, published_at, last_id = after
        statement = statement.where(or_(
            Announcement.weight < weight,
            and_(Announcement.weight == weight, or_(
                Announcement.published_at < published_at,
                and_(Announcement.published_at == published_at, Announcement.id < last_id)))))
    return statement.order_by(Announcement.weight.desc(), Announcement.published_at.desc(),
                              Announcement.id.desc()).limit(limit)


def own_list(actor: Actor, *, published: bool, after: int | None,
             limit: int) -> Select[Announcement]:
    """The actor's own announcements, newest first: published ones (expired too), or those
    not published yet."""
    status = Announcement.status == AnnouncementStatus.PUBLISHED.value
    statement = select(Announcement).where(Announcement.author_id == actor.user_id,
                                           status if published else ~status)
    if after is not None:
        statement = statement.where(Announcement.id < after)
    return statement.order_by(Announcement.id.desc()).limit(limit)


def review_list(actor: Actor, *, after: int | None,
                limit: int) -> Select[Announcement]:
    statement = select(Announcement).where(waiting_for_sql(actor.user_id))
    if after is not None:
        statement = statement.where(Announcement.id < after)
    return statement.order_by(Announcement.id.desc()).limit(limit)
