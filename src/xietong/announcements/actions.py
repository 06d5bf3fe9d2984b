"""The writers of announcements: `check_*` validate, `do_*` write and emit. They never commit.

An announcement's life: a draft (its author's alone) → submitted, a review on the approvals
engine (`announcement_review:<id>`, one per submission) → approved: published at once or,
with a publish time ahead, by a durable job keyed by the announcement (so it happens once)
→ shown to its audience until it expires (a job unpins it then). A rejected or returned
review brings it back to its author as a draft, with the reviewer's comment.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from xietong.announcements import queries
from xietong.announcements.access import Found, is_expired
from xietong.announcements.events import (
    REVIEW,
    AnnouncementPublished,
    AnnouncementReceiptChanged,
    AnnouncementReminded,
    AnnouncementReviewed,
    to_people,
)
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
    Importance,
)
from xietong.announcements.queries import SETTINGS_ROW, Targets
from xietong.announcements.schemas import (
    AnnouncementCreate,
    AnnouncementUpdate,
    AudienceIn,
    SettingsChange,
)
from xietong.approvals import queries as approval_queries
from xietong.approvals.actions import (
    approvable,
    create_flow,
    do_resubmit,
    do_start_flow,
    do_withdraw,
)
from xietong.approvals.models import ApprovalStatus, StepMode
from xietong.approvals.schemas import REQUESTER_DEPARTMENT, ApproverSpec, StepSpec
from xietong.chat.access import access_channel_as_member, access_message
from xietong.chat.actions import admit_system_account, do_pin, do_send_message, render_html
from xietong.chat.mentioning import ResolvedMentions
from xietong.chat.models import ChannelKind, ChannelMember
from xietong.chat.schemas import MessageCard
from xietong.core.actor import Actor, Role
from xietong.core.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from xietong.core.events import Scope
from xietong.core.ratelimit import FailureCounter
from xietong.core.uow import UnitOfWork
from xietong.files.queries import attachable_file_ids, files_by_ids
from xietong.org import queries as org_queries
from xietong.org.actions import system_account
from xietong.policy import announcements as policy
from xietong.policy import chat as chat_policy
from xietong.policy import require

PUBLISH_JOB = "announcements.publish"
EXPIRE_JOB = "announcements.expire"
REMIND_JOB = "announcements.remind"
# Those who have not acknowledged are reminded once on their own, this long after publishing.
AUTO_REMIND_AFTER = timedelta(days=1)
# A publisher's "remind" reaches the pending people at most once in this many seconds.
REMIND_INTERVAL_SECONDS = 10 * 60
# How far ahead a publish time or expiry may be set.
LONGEST_AHEAD = timedelta(days=366)
WEIGHTS = {Importance.NORMAL: 0, Importance.IMPORTANT: 1, Importance.URGENT: 2}
_SUMMARY_CHARS = 500


# A job's work: (its unit of work, the announcement's id, now).
JobRun = Callable[[UnitOfWork, int, datetime], Awaitable[None]]


def publish_key(announcement_id: int) -> str:
    return f"announcement-publish:{announcement_id}"


def expire_key(announcement_id: int) -> str:
    return f"announcement-expire:{announcement_id}"


def remind_key(announcement_id: int) -> str:
    return f"announcement-remind:{announcement_id}"


# --- checks -------------------------------------------------------------------------------

def check_times(publish_at: datetime | None, expires_at: datetime | None,
                now: datetime) -> None:
    """A publish time and an expiry lie ahead (within a year), the expiry after publishing."""
    if publish_at is not None and publish_at <= now:
        raise Invalid("The publish time has passed: choose one ahead, or none to publish "
                      "on approval.", code="announcement_publish_in_past")
    if expires_at is not None and expires_at <= now:
        raise Invalid("The expiry has passed: choose one ahead.",
                      code="announcement_expiry_in_past")
    if expires_at is not None and publish_at is not None and expires_at <= publish_at:
        raise Invalid("The announcement would expire before it is published.",
                      code="announcement_expiry_before_publish")
    if any(at is not None and at > now + LONGEST_AHEAD for at in (publish_at, expires_at)):
        raise Invalid("Publish times and expiries lie within a year.",
                      code="announcement_too_far_ahead")


async def check_audience(uow: UnitOfWork, actor: Actor, audience: AudienceIn
                         ) -> tuple[bool, list[int], list[int]]:
    """The audience as stored (company, department ids, channel ids), once every id names a
    department or a live announcement channel the actor sees (422
    `announcement_unknown_audience` otherwise), and the actor may address each (403
    `announcement_may_not_address`)."""
    department_ids = sorted(set(audience.department_ids))
    channel_ids = sorted(set(audience.channel_ids))
    if not (audience.company or department_ids or channel_ids):
        raise Invalid("Choose whom it addresses: the company, departments or channels.",
                      code="announcement_no_audience")
    unknown_departments = set(department_ids) - await org_queries.department_exists(
        uow, department_ids)
    channels = await queries.channels_named(uow, channel_ids)
    memberships = {m.channel_id: m for m in await uow.session.scalars(
        select(ChannelMember).where(ChannelMember.channel_id.in_(channel_ids),
                                    ChannelMember.user_id == actor.user_id))}
    unknown_channels = {c for c in channel_ids
                        if c not in channels
                        or channels[c].kind != ChannelKind.ANNOUNCEMENT.value
                        or channels[c].archived_at is not None
                        or (c not in memberships
                             and not policy.may_name_unjoined_channels(actor))}
    if unknown_departments or unknown_channels:
        raise Invalid("No such department or announcement channel.",
                      code="announcement_unknown_audience",
                      details={"department_ids": sorted(unknown_departments),
                               "channel_ids": sorted(unknown_channels)})
    reach = await queries.reach_of(uow, actor.user_id)
    settings = await queries.settings_of(uow)
    refused: dict[str, Any] = {}
    if audience.company and not policy.can_address_company(
            actor, settings is not None and settings.review_department_id in reach.department_ids):
        refused["company"] = True
    if department_ids:
        parents = org_queries.parent_map(await org_queries.all_departments(uow))
        managed = await org_queries.departments_managed_by(uow, actor.user_id)
        refused_departments = [
            d for d in department_ids if not policy.can_address_department(
                actor, d in reach.department_ids,
                bool(managed.intersection(org_queries.ancestors_and_self(parents, d))))]
        if refused_departments:
            refused["department_ids"] = refused_departments
    refused_channels = [c for c in channel_ids if not policy.can_address_channel(
        actor, chat_policy.is_channel_admin(memberships.get(c)))]
    if refused_channels:
        refused["channel_ids"] = refused_channels
    if refused:
        raise Forbidden("You may not address this audience: the company is addressed by "
                        "administrators and the reviewing department, a department by its "
                        "people and managers, a channel by its admins.",
                        code="announcement_may_not_address", details=refused)
    return audience.company, department_ids, channel_ids


async def check_files(uow: UnitOfWork, actor: Actor, cover_file_id: int | None,
                      file_ids: Sequence[int]) -> list[int]:
    """Cover and attachments are the author's own uploads (attaching is what lets the
    audience download them); the cover is an image."""
    wanted = list(dict.fromkeys(file_ids))
    given = set(wanted) | ({cover_file_id} if cover_file_id is not None else set())
    foreign = given - await attachable_file_ids(uow, actor.user_id, given)
    if foreign:
        raise Invalid("Attach only files you uploaded.", code="announcement_bad_files",
                      details={"file_ids": sorted(foreign)})
    if cover_file_id is not None:
        cover = (await files_by_ids(uow, [cover_file_id]))[cover_file_id]
        if not cover.content_type.startswith("image/"):
            raise Invalid("The cover must be an image.", code="announcement_cover_not_image")
    return wanted


async def _set_targets(uow: UnitOfWork, announcement: Announcement, department_ids: list[int],
                       channel_ids: list[int]) -> None:
    await uow.session.execute(delete(AnnouncementTarget).where(
        AnnouncementTarget.announcement_id == announcement.id))
    uow.session.add_all(
        [AnnouncementTarget(announcement_id=announcement.id, kind=AudienceKind.DEPARTMENT.value,
                            target_id=d) for d in department_ids]
        + [AnnouncementTarget(announcement_id=announcement.id, kind=AudienceKind.CHANNEL.value,
                              target_id=c) for c in channel_ids])


async def _set_files(uow: UnitOfWork, announcement: Announcement, file_ids: list[int]) -> None:
    await uow.session.execute(delete(AnnouncementFile).where(
        AnnouncementFile.announcement_id == announcement.id))
    uow.session.add_all(AnnouncementFile(announcement_id=announcement.id, file_id=f, position=i)
                        for i, f in enumerate(file_ids))


# --- drafts -------------------------------------------------------------------------------

async def do_create(uow: UnitOfWork, actor: Actor, body: AnnouncementCreate,
                    now: datetime) -> Announcement:
    require(policy.can_draft(actor), "Guests do not write announcements.")
    check_times(body.publish_at, body.expires_at, now)
    company, department_ids, channel_ids = await check_audience(uow, actor, body.audience)
    file_ids = await check_files(uow, actor, body.cover_file_id, body.file_ids)
    announcement = Announcement(
        author_id=actor.user_id, title=body.title, body=body.body,
        body_html=await render_html(body.body, ResolvedMentions()),
        importance=body.importance.value, weight=WEIGHTS[body.importance],
        to_company=company, cover_file_id=body.cover_file_id, requires_ack=body.requires_ack,
        status=AnnouncementStatus.DRAFT.value, publish_at=body.publish_at,
        expires_at=body.expires_at, created_at=now, updated_at=now)
    uow.session.add(announcement)
    await uow.flush()
    await _set_targets(uow, announcement, department_ids, channel_ids)
    await _set_files(uow, announcement, file_ids)
    await uow.flush()
    return announcement


def _check_editable(found: Found) -> None:
    if not found.standing.author:
        raise Forbidden("Only its author changes an announcement.",
                        code="announcement_not_author")
    if not policy.can_edit_announcement(found.standing):
        raise Conflict("Only a draft can be changed, submitted or deleted; withdraw it from "
                       "review first.", code="announcement_not_draft",
                       details={"status": found.announcement.status})


async def do_update(uow: UnitOfWork, actor: Actor, found: Found, changes: AnnouncementUpdate,
                    now: datetime) -> Announcement:
    _check_editable(found)
    announcement = found.announcement
    given = changes.model_fields_set
    for name in ("title", "body", "importance", "audience", "file_ids", "requires_ack"):
        if name in given and getattr(changes, name) is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep it.",
                          code="announcement_null_field", details={"field": name})
    publish_at = changes.publish_at if "publish_at" in given else announcement.publish_at
    expires_at = changes.expires_at if "expires_at" in given else announcement.expires_at
    if {"publish_at", "expires_at"} & given:
        check_times(publish_at, expires_at, now)
    if changes.audience is not None:
        company, department_ids, channel_ids = await check_audience(uow, actor,
                                                                    changes.audience)
        announcement.to_company = company
        await _set_targets(uow, announcement, department_ids, channel_ids)
    cover = changes.cover_file_id if "cover_file_id" in given else announcement.cover_file_id
    if "cover_file_id" in given or changes.file_ids is not None:
        file_ids = await check_files(uow, actor, cover if "cover_file_id" in given else None,
                                     changes.file_ids or [])
        announcement.cover_file_id = cover
        if changes.file_ids is not None:
            await _set_files(uow, announcement, file_ids)
    if changes.title is not None:
        announcement.title = changes.title
    if changes.body is not None:
        announcement.body = changes.body
        announcement.body_html = await render_html(changes.body, ResolvedMentions())
    if changes.importance is not None:
        announcement.importance = changes.importance.value
        announcement.weight = WEIGHTS[changes.importance]
    if changes.requires_ack is not None:
        announcement.requires_ack = changes.requires_ack
    announcement.publish_at, announcement.expires_at = publish_at, expires_at
    announcement.updated_at = now
    await uow.flush()
    return announcement


async def do_delete(uow: UnitOfWork, actor: Actor, found: Found) -> None:
    """Its author deletes a draft; an administrator takes down any (unpinned, its jobs
    cancelled; the review's history stays with the approvals)."""
    announcement = found.announcement
    if not policy.can_delete_announcement(actor, found.standing):
        _check_editable(found)
    if announcement.status == AnnouncementStatus.IN_REVIEW:
        await _withdraw_review(uow, announcement, announcement.updated_at)
    for key in (publish_key(announcement.id), expire_key(announcement.id),
                remind_key(announcement.id)):
        await uow.cancel_job(key)
    await _unpin(uow, announcement)
    await uow.session.delete(announcement)
    await uow.flush()


# --- review -------------------------------------------------------------------------------

async def _settings_row(uow: UnitOfWork, now: datetime) -> AnnouncementSettings:
    settings = await queries.settings_of(uow)
    if settings is None:
        settings = AnnouncementSettings(id=SETTINGS_ROW, updated_at=now)
        uow.session.add(settings)
        await uow.flush()
    return settings


async def do_change_settings(uow: UnitOfWork, actor: Actor, change: SettingsChange,
                             now: datetime) -> AnnouncementSettings:
    require(policy.can_manage_settings(actor),
            "Only administrators choose who reviews company-wide announcements.")
    department_id = change.review_department_id
    if department_id is not None and not await org_queries.department_exists(
            uow, [department_id]):
        raise Invalid("No such department.", code="announcement_unknown_audience",
                      details={"department_ids": [department_id], "channel_ids": []})
    settings = await _settings_row(uow, now)
    settings.review_department_id = department_id
    settings.updated_at = now
    await uow.flush()
    return settings


_MANAGER_STEP = StepSpec(mode=StepMode.ANY,
                         approvers=[ApproverSpec(manager_of=REQUESTER_DEPARTMENT)])


def _admin_step(admin_ids: list[int]) -> StepSpec:
    # A step names at most 20 approvers: the first administrators by id (owners first in
    # practice: they were made first).
    return StepSpec(mode=StepMode.ANY, approvers=[ApproverSpec(user_id=a) for a in admin_ids[:20]])


async def _flow(uow: UnitOfWork, settings: AnnouncementSettings, slot: str, name: str,
                steps: list[StepSpec], now: datetime) -> int:
    """The flow kept in `settings.<slot>`, made again when the steps it should have changed
    (an administrator joined, the reviewing department was chosen)."""
    wanted = [step.model_dump(mode="json", exclude_none=True) for step in steps]
    flow_id: int | None = getattr(settings, slot)
    if flow_id is not None:
        flow = await approval_queries.flow(uow, flow_id)
        if flow is not None and flow.archived_at is None and flow.steps == wanted:
            return flow.id
    flow = await create_flow(uow, name=name, steps=steps, created_by=None, now=now)
    setattr(settings, slot, flow.id)
    return flow.id


def _common_department(parents: dict[int, int | None], department_ids: list[int]) -> int | None:
    """The lowest department above (or among) all of them; None when they share none."""
    chains = [org_queries.ancestors_and_self(parents, d) for d in department_ids if d in parents]
    if not chains:
        return None
    shared = set(chains[0]).intersection(*chains[1:])
    return next((d for d in chains[0] if d in shared), None)


async def _has_manager_reviewer(uow: UnitOfWork, parents: dict[int, int | None],
                                department_id: int, author_id: int) -> bool:
    managers = await org_queries.managers_of(uow)
    for department in org_queries.ancestors_and_self(parents, department_id):
        if await approvable(uow, managers.get(department, [])) - {author_id}:
            return True
    return False


async def _review_plan(uow: UnitOfWork, announcement: Announcement, targets: Targets,
                       now: datetime) -> tuple[int, int | None]:
    """The flow that reviews it and the department whose manager it asks.

    Company-wide: the manager of the reviewing department (人力资源部, or the one above when
    its manager wrote it), then an administrator. Departments: the manager of the lowest
    department over all of them (walking up when its manager wrote it). Channels only: the
    manager of the author's department. Where no manager but the author is found, an
    administrator reviews it."""
    settings = await _settings_row(uow, now)
    admins = [a for a in await queries.admin_ids(uow) if a != announcement.author_id]
    if not admins:
        raise Invalid("No administrator but the author can review it.",
                      code="announcement_no_reviewer")
    parents = org_queries.parent_map(await org_queries.all_departments(uow))
    if announcement.to_company:
        hr = settings.review_department_id
        if hr is not None and hr in parents and await _has_manager_reviewer(
                uow, parents, hr, announcement.author_id):
            flow_id = await _flow(uow, settings, "company_flow_id", "公告审核 · 全公司",
                                  [_MANAGER_STEP, _admin_step(admins)], now)
            return flow_id, hr
    else:
        department = (_common_department(parents, targets.department_ids)
                      if targets.department_ids else
                      (await org_queries.memberships_of(uow, [announcement.author_id]))[
                          announcement.author_id].primary_department_id)
        if department is not None and await _has_manager_reviewer(
                uow, parents, department, announcement.author_id):
            flow_id = await _flow(uow, settings, "department_flow_id", "公告审核 · 部门",
                                  [_MANAGER_STEP], now)
            return flow_id, department
    flow_id = await _flow(uow, settings, "admin_flow_id", "公告审核 · 管理员",
                          [_admin_step(admins)], now)
    return flow_id, None


async def do_submit(uow: UnitOfWork, actor: Actor, found: Found, now: datetime) -> Announcement:
    """Send a draft for review. One its reviewer returned for changes goes on in the same
    approval (a new round, as the engine resubmits), unless its audience now asks for other
    reviewers; otherwise — new, rejected or withdrawn — a new approval starts."""
    _check_editable(found)
    announcement = found.announcement
    check_times(announcement.publish_at, announcement.expires_at, now)
    # The audience is checked again: a channel may have been archived since.
    await check_audience(uow, actor, AudienceIn(
        company=announcement.to_company, department_ids=found.targets.department_ids,
        channel_ids=found.targets.channel_ids))
    flow_id, department_id = await _review_plan(uow, announcement, found.targets, now)
    title, summary = f"公告：{announcement.title}", announcement.body[:_SUMMARY_CHARS]
    returned = (await approval_queries.instance_for(uow, Scope(REVIEW, announcement.review_id))
                if announcement.review_id is not None else None)
    if returned is not None and returned.status != ApprovalStatus.RETURNED:
        returned = None
    if (returned is not None and returned.flow_id == flow_id
            and returned.requester_department_id == department_id):
        await do_resubmit(uow, returned, now, title=title, summary=summary)
    else:
        if returned is not None:
            await do_withdraw(uow, returned, now)
        review = AnnouncementReview(announcement_id=announcement.id, created_at=now)
        uow.session.add(review)
        await uow.flush()
        await do_start_flow(uow, flow_id=flow_id, subject=Scope(REVIEW, review.id), title=title,
                            requester_id=announcement.author_id,
                            requester_department_id=department_id, now=now, summary=summary)
        announcement.review_id = review.id
    announcement.status = AnnouncementStatus.IN_REVIEW.value
    announcement.review_comment = None
    announcement.updated_at = now
    await uow.flush()
    return announcement


async def _withdraw_review(uow: UnitOfWork, announcement: Announcement, now: datetime) -> None:
    if announcement.review_id is None:
        return
    instance = await approval_queries.instance_for(uow, Scope(REVIEW, announcement.review_id))
    if instance is not None and instance.status in (ApprovalStatus.PENDING,
                                                    ApprovalStatus.RETURNED):
        await do_withdraw(uow, instance, now)


async def do_withdraw_from_review(uow: UnitOfWork, actor: Actor, found: Found,
                                  now: datetime) -> Announcement:
    """Its author takes it back from review (to change it): a draft again."""
    announcement = found.announcement
    if not found.standing.author:
        raise Forbidden("Only its author withdraws an announcement.",
                        code="announcement_not_author")
    if announcement.status != AnnouncementStatus.IN_REVIEW:
        raise Conflict("Only an announcement in review can be withdrawn.",
                       code="announcement_not_in_review",
                       details={"status": announcement.status})
    await _withdraw_review(uow, announcement, now)
    announcement.status = AnnouncementStatus.DRAFT.value
    announcement.updated_at = now
    await uow.flush()
    return announcement


async def do_conclude_review(uow: UnitOfWork, review_id: int, outcome: str,
                             instance_id: int, now: datetime) -> None:
    """Its review ended (the `ApprovalConcluded` signal, in the decision's unit of work):
    approved, it is published now or scheduled; rejected or returned, it is its author's
    draft again with the reviewer's comment. A review no longer current changes nothing."""
    announcement_id = await queries.announcement_of_review(uow, review_id)
    announcement = (await queries.get_announcement(uow, announcement_id, for_update=True)
                    if announcement_id is not None else None)
    if (announcement is None or announcement.review_id != review_id
            or announcement.status != AnnouncementStatus.IN_REVIEW):
        return
    if outcome == ApprovalStatus.APPROVED:
        if announcement.publish_at is not None and announcement.publish_at > now:
            announcement.status = AnnouncementStatus.SCHEDULED.value
            announcement.updated_at = now
            await uow.enqueue(PUBLISH_JOB, {"announcement_id": announcement.id},
                              run_at=announcement.publish_at, key=publish_key(announcement.id))
        else:
            await do_publish(uow, announcement, now)
        comment = None
    else:
        tasks = (await approval_queries.tasks_of(uow, [instance_id]))[instance_id]
        decided = [t for t in tasks if t.comment and t.decided_at is not None]
        comment = max(decided, key=lambda t: (t.decided_at, t.id)).comment if decided else None
        announcement.status = AnnouncementStatus.DRAFT.value
        announcement.review_comment = comment
        announcement.updated_at = now
    await uow.flush()
    uow.emit(AnnouncementReviewed(announcement_id=announcement.id, title=announcement.title,
                                  outcome=outcome, comment=comment),
             to_people({announcement.author_id}, announcement.id))


# --- publishing ---------------------------------------------------------------------------

async def _poster(uow: UnitOfWork) -> Actor:
    bot = await system_account(uow)
    return Actor(user_id=bot.id, role=Role.MEMBER)


async def do_publish(uow: UnitOfWork, announcement: Announcement, now: datetime) -> None:
    """Show it to its audience: posted by the system account (协同助手) as a card in the
    audience's announcement channels and pinned there, its expiry and automatic reminder
    queued, its audience told. The review approved it, so no posting right is asked."""
    targets = (await queries.targets_of(uow, [announcement.id]))[announcement.id]
    announcement.status = AnnouncementStatus.PUBLISHED.value
    announcement.published_at = now
    announcement.updated_at = now
    await uow.flush()
    poster = await _poster(uow)
    author = await org_queries.get_user(uow, announcement.author_id)
    card = MessageCard(kind="announcement", event="published", title=announcement.title,
                       link=f"/announcements/{announcement.id}",
                       facts={"importance": announcement.importance,
                              "author": author.display_name if author else None,
                              "requires_ack": "yes" if announcement.requires_ack else None})
    for channel_id in await queries.announcement_channels(uow, announcement, targets):
        await admit_system_account(uow, channel_id, poster.user_id)
        found = await access_channel_as_member(uow, poster, channel_id)
        message, _ = await do_send_message(
            uow, poster, found, text=f"【公告】{announcement.title}",
            client_msg_id=f"announcement:{announcement.id}", thread_root_id=None, file_ids=[],
            ack_required=False, card=card)
        await do_pin(uow, poster, await access_message(uow, poster, message.id), True)
        await uow.insert_ignoring_duplicates(AnnouncementPost, [{
            "announcement_id": announcement.id, "channel_id": channel_id,
            "message_id": message.id}])
    if announcement.expires_at is not None:
        await uow.enqueue(EXPIRE_JOB, {"announcement_id": announcement.id},
                          run_at=max(announcement.expires_at, now),
                          key=expire_key(announcement.id))
    if announcement.requires_ack:
        await uow.enqueue(REMIND_JOB, {"announcement_id": announcement.id},
                          run_at=now + AUTO_REMIND_AFTER, key=remind_key(announcement.id))
    people = await queries.audience_people(uow, announcement, targets)
    uow.emit(AnnouncementPublished(announcement_id=announcement.id, title=announcement.title,
                                   author_id=announcement.author_id,
                                   importance=announcement.importance),
             to_people(people | {announcement.author_id}, announcement.id))


async def _unpin(uow: UnitOfWork, announcement: Announcement) -> None:
    """Take its cards down from the channels' pins (a card already gone is passed over)."""
    posts = await queries.posts_of(uow, announcement.id)
    if not posts:
        return
    poster = await _poster(uow)
    for post in posts:
        try:
            await do_pin(uow, poster, await access_message(uow, poster, post.message_id), False)
        except (NotFound, Forbidden, Invalid):
            continue


async def run_publish(uow: UnitOfWork, announcement_id: int, now: datetime) -> None:
    """The publish job: a scheduled announcement is published, once (a second run, or one
    for an announcement taken down, finds nothing scheduled)."""
    announcement = await queries.get_announcement(uow, announcement_id, for_update=True)
    if announcement is not None and announcement.status == AnnouncementStatus.SCHEDULED:
        # Published at its time, even when the job runs a little late.
        await do_publish(uow, announcement, max(now, announcement.publish_at or now))


async def run_expire(uow: UnitOfWork, announcement_id: int, now: datetime) -> None:
    """The expiry job: its audience's lists hide it already (by its expiry); its pins go."""
    announcement = await queries.get_announcement(uow, announcement_id, for_update=True)
    if announcement is not None and announcement.status == AnnouncementStatus.PUBLISHED:
        await _unpin(uow, announcement)


async def pending_people(uow: UnitOfWork, announcement: Announcement,
                         targets: Targets) -> list[int]:
    """Its audience (but its author) who have not acknowledged it yet."""
    receipts = await queries.all_receipts(uow, announcement.id)
    people = await queries.audience_people(uow, announcement, targets)
    return sorted(p for p in people - {announcement.author_id}
                  if p not in receipts or receipts[p].acknowledged_at is None)


async def _remind(uow: UnitOfWork, announcement: Announcement, targets: Targets,
                  by: int | None) -> list[int]:
    pending = await pending_people(uow, announcement, targets)
    if pending:
        uow.emit(AnnouncementReminded(announcement_id=announcement.id,
                                      title=announcement.title, by=by),
                 to_people(set(pending), announcement.id))
    return pending


async def run_remind(uow: UnitOfWork, announcement_id: int, now: datetime) -> None:
    """The automatic reminder a day after publishing, to whoever has not acknowledged."""
    announcement = await queries.get_announcement(uow, announcement_id)
    if (announcement is None or announcement.status != AnnouncementStatus.PUBLISHED
            or not announcement.requires_ack or is_expired(announcement, now)):
        return
    targets = (await queries.targets_of(uow, [announcement.id]))[announcement.id]
    await _remind(uow, announcement, targets, None)


async def do_remind(uow: UnitOfWork, actor: Actor, found: Found, *, throttle: FailureCounter,
                    now: datetime) -> list[int]:
    """Its publisher (or an administrator) reminds those who have not acknowledged: at most
    once per `REMIND_INTERVAL_SECONDS` (429 `announcement_remind_too_soon`)."""
    announcement = found.announcement
    require(policy.can_track_reads(actor, found.standing),
            "Only its publisher and administrators send reminders.",
            code="announcement_not_publisher")
    if not announcement.requires_ack:
        raise Invalid("This announcement does not ask for acknowledgement.",
                      code="announcement_no_ack")
    if found.standing.expired:
        raise Conflict("The announcement has expired.", code="announcement_expired")
    key = f"remind:announcement:{announcement.id}"
    if await throttle.hit(key, REMIND_INTERVAL_SECONDS) > 1:
        _, wait = await throttle.peek(key)
        raise TooManyRequests("A reminder went out a moment ago; try again later.",
                              retry_after=max(wait, 1), code="announcement_remind_too_soon",
                              details={"interval_seconds": REMIND_INTERVAL_SECONDS})
    return await _remind(uow, announcement, found.targets, actor.user_id)


# --- receipts -----------------------------------------------------------------------------

def _check_reader(found: Found) -> None:
    if found.announcement.status != AnnouncementStatus.PUBLISHED:
        raise Conflict("The announcement is not published.", code="announcement_not_published")
    if not found.standing.in_audience:
        raise Forbidden("Only its audience reads and acknowledges it.",
                        code="announcement_not_audience")


async def do_read(uow: UnitOfWork, actor: Actor, found: Found,
                  now: datetime) -> AnnouncementReceipt:
    """The actor of its audience opened it (once; opening again keeps the first time)."""
    _check_reader(found)
    if await uow.insert_ignoring_duplicates(AnnouncementReceipt, [{
            "announcement_id": found.announcement.id, "user_id": actor.user_id,
            "read_at": now}]):
        uow.emit(AnnouncementReceiptChanged(announcement_id=found.announcement.id,
                                            user_id=actor.user_id, acknowledged=False),
                 to_people({found.announcement.author_id}, found.announcement.id))
    return await _receipt(uow, found.announcement.id, actor.user_id)


async def do_acknowledge(uow: UnitOfWork, actor: Actor, found: Found,
                         now: datetime) -> AnnouncementReceipt:
    """“我已阅读并知晓”: idempotent; acknowledging reads it too."""
    _check_reader(found)
    if not policy.can_acknowledge(found.standing):
        if not found.announcement.requires_ack:
            raise Invalid("This announcement does not ask for acknowledgement.",
                          code="announcement_no_ack")
        raise Conflict("The announcement has expired.", code="announcement_expired")
    await uow.insert_ignoring_duplicates(AnnouncementReceipt, [{
        "announcement_id": found.announcement.id, "user_id": actor.user_id, "read_at": now}])
    receipt = await _receipt(uow, found.announcement.id, actor.user_id)
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at = now
        await uow.flush()
        uow.emit(AnnouncementReceiptChanged(announcement_id=found.announcement.id,
                                            user_id=actor.user_id, acknowledged=True),
                 to_people({found.announcement.author_id}, found.announcement.id))
    return receipt


async def _receipt(uow: UnitOfWork, announcement_id: int, user_id: int) -> AnnouncementReceipt:
    receipt = await uow.session.get(AnnouncementReceipt, (announcement_id, user_id),
                                    populate_existing=True)
    assert receipt is not None
    return receipt
