"""Turning announcement rows into API shapes, a page's lookups batched."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from xietong.announcements import queries
from xietong.announcements.access import is_expired, standing_of
from xietong.announcements.events import REVIEW
from xietong.announcements.models import (
    Announcement,
    AnnouncementReceipt,
    AnnouncementStatus,
    Importance,
)
from xietong.announcements.queries import Reach, Targets
from xietong.announcements.schemas import (
    AnnouncementOut,
    AudienceOut,
    DepartmentReceipts,
    NamedRef,
    PendingPerson,
    ReceiptsOut,
)
from xietong.approvals.views import summaries_for
from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.files.queries import files_by_ids
from xietong.files.schemas import file_out
from xietong.org import queries as org_queries
from xietong.policy import announcements as policy

# The name of the group of people in no department, in the read-tracking chart.
NO_DEPARTMENT = "未分配部门"


async def announcements_out(uow: UnitOfWork, actor: Actor, rows: Sequence[Announcement],
                            now: datetime, reach: Reach | None = None) -> list[AnnouncementOut]:
    if not rows:
        return []
    reach = reach or await queries.reach_of(uow, actor.user_id)
    ids = [a.id for a in rows]
    targets = await queries.targets_of(uow, ids)
    attached = await queries.file_ids_of(uow, ids)
    files = await files_by_ids(uow, {f for fs in attached.values() for f in fs}
                               | {a.cover_file_id for a in rows if a.cover_file_id})
    departments = {d.id: d.name for d in await org_queries.all_departments(uow)}
    channels = await queries.channels_named(
        uow, {c for t in targets.values() for c in t.channel_ids})
    authors = {u.id: u.display_name for u in await org_queries.users_by_ids(
        uow, {a.author_id for a in rows}, None)}
    approvals = await summaries_for(uow, REVIEW, [a.review_id for a in rows if a.review_id])
    receipts = await queries.receipts_of(uow, actor.user_id, ids)
    reviewed = await queries.reviewed_by(uow, actor.user_id, [a.id for a in rows if a.review_id])
    shaped = []
    for a in rows:
        target = targets[a.id]
        standing = await standing_of(uow, actor, a, target, now, reach, reviewed)
        receipt = receipts.get(a.id)
        shaped.append(AnnouncementOut(
            id=a.id, title=a.title, body=a.body, body_html=a.body_html,
            importance=Importance(a.importance),
            audience=AudienceOut(
                company=a.to_company,
                departments=[NamedRef(id=d, name=departments.get(d, "")) for d in
                             target.department_ids],
                channels=[NamedRef(id=c, name=channels[c].name if c in channels else "")
                          for c in target.channel_ids]),
            cover=file_out(files[a.cover_file_id]) if a.cover_file_id in files else None,
            files=[file_out(files[f]) for f in attached.get(a.id, []) if f in files],
            requires_ack=a.requires_ack, status=AnnouncementStatus(a.status),
            expired=a.status == AnnouncementStatus.PUBLISHED and is_expired(a, now),
            publish_at=a.publish_at, expires_at=a.expires_at, published_at=a.published_at,
            author_id=a.author_id, author_name=authors.get(a.author_id, ""),
            created_at=a.created_at, updated_at=a.updated_at, review_comment=a.review_comment,
            approval=approvals.get(a.review_id) if a.review_id else None,
            read_at=receipt.read_at if receipt else None,
            acknowledged_at=receipt.acknowledged_at if receipt else None,
            in_audience=standing.in_audience,
            can_edit=policy.can_edit_announcement(standing),
            can_track=policy.can_track_reads(actor, standing),
            can_acknowledge=policy.can_acknowledge(standing)))
    return shaped


async def receipts_out(uow: UnitOfWork, announcement: Announcement,
                       targets: Targets) -> ReceiptsOut:
    """Its audience now (its author aside), by primary department: how many read and
    acknowledged; and who has not acknowledged yet (not read, where none is asked)."""
    people = await queries.audience_people(uow, announcement, targets) - {announcement.author_id}
    receipts: dict[int, AnnouncementReceipt] = await queries.all_receipts(uow, announcement.id)
    memberships = await org_queries.memberships_of(uow, people)
    departments = await org_queries.all_departments(uow)
    names = {d.id: d.name for d in departments}
    order = {d.id: i for i, d in enumerate(departments)}
    users = {u.id: u for u in await org_queries.users_by_ids(uow, people, None)}
    counts: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    pending: list[PendingPerson] = []
    for person in people:
        department = memberships[person].primary_department_id
        receipt = receipts.get(person)
        row = counts[department]
        row[0] += 1
        row[1] += receipt is not None
        row[2] += receipt is not None and receipt.acknowledged_at is not None
        done = (receipt is not None and (receipt.acknowledged_at is not None
                                         or not announcement.requires_ack))
        if not done:
            pending.append(PendingPerson(
                user_id=person, display_name=users[person].display_name if person in users
                else "", department_id=department,
                read_at=receipt.read_at if receipt else None))
    by_department = [DepartmentReceipts(department_id=d, name=names.get(d, NO_DEPARTMENT)
                                        if d is not None else NO_DEPARTMENT,
                                        total=c[0], read=c[1], acknowledged=c[2])
                     for d, c in counts.items()]
    by_department.sort(key=lambda r: (r.department_id is None,
                                      order.get(r.department_id or 0, 0)))
    users_order = {u.id: (u.sort_key, u.id) for u in users.values()}
    pending.sort(key=lambda p: users_order.get(p.user_id, ("", p.user_id)))
    return ReceiptsOut(total=len(people), read=sum(r.read for r in by_department),
                       acknowledged=sum(r.acknowledged for r in by_department),
                       requires_ack=announcement.requires_ack, departments=by_department,
                       pending=pending)
