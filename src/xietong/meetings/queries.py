"""Every SELECT of meetings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import or_, select, tuple_

from xietong.core.uow import UnitOfWork
from xietong.meetings.models import ActionItem, ItemStatus, Meeting, MeetingAttendee
from xietong.org.models import Department, User
from xietong.projects.models import Category, ProjectStatus, Task


async def calendar_of(uow: UnitOfWork, user_id: int, *, since: datetime | None,
                      until: datetime | None, after: tuple[datetime, int] | None,
                      limit: int, cancelled: bool) -> Sequence[tuple[Meeting, str]]:
    """The meetings `user_id` is invited to (an organiser is too) overlapping
    [since, until), by start then id, after the keyset `after`; with their answer."""
    query = (select(Meeting, MeetingAttendee.response)
             .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
             .where(MeetingAttendee.user_id == user_id)
             .order_by(Meeting.starts_at, Meeting.id).limit(limit))
    if since is not None:
        query = query.where(Meeting.ends_at > since)
    if until is not None:
        query = query.where(Meeting.starts_at < until)
    if after is not None:
        query = query.where(tuple_(Meeting.starts_at, Meeting.id) > tuple_(*after))
    if not cancelled:
        query = query.where(Meeting.cancelled_at.is_(None))
    return [(meeting, response) for meeting, response in await uow.session.execute(query)]


async def attendees_of(uow: UnitOfWork, meeting_ids: Iterable[int]
                       ) -> dict[int, list[MeetingAttendee]]:
    ids = sorted(set(meeting_ids))
    found: dict[int, list[MeetingAttendee]] = {m: [] for m in ids}
    if ids:
        for row in await uow.session.scalars(
                select(MeetingAttendee).where(MeetingAttendee.meeting_id.in_(ids))
                .order_by(MeetingAttendee.meeting_id, MeetingAttendee.user_id)):
            found[row.meeting_id].append(row)
    return found


async def attendee_ids(uow: UnitOfWork, meeting_id: int) -> set[int]:
    return set(await uow.session.scalars(
        select(MeetingAttendee.user_id).where(MeetingAttendee.meeting_id == meeting_id)))


async def names_of(uow: UnitOfWork, user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = await uow.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


async def department_names(uow: UnitOfWork, department_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(department_ids))
    if not ids:
        return {}
    rows = await uow.session.execute(
        select(Department.id, Department.name).where(Department.id.in_(ids)))
    return {department_id: name for department_id, name in rows}


async def series_meetings(uow: UnitOfWork, series_id: int) -> Sequence[Meeting]:
    return (await uow.session.scalars(
        select(Meeting).where(Meeting.series_id == series_id)
        .order_by(Meeting.starts_at, Meeting.id))).all()


async def previous_in_series(uow: UnitOfWork, meeting: Meeting) -> Meeting | None:
    """The series' meeting held last before this one (cancelled ones skipped)."""
    if meeting.series_id is None:
        return None
    return await uow.session.scalar(
        select(Meeting).where(Meeting.series_id == meeting.series_id,
                              Meeting.cancelled_at.is_(None),
                              tuple_(Meeting.starts_at, Meeting.id)
                              < tuple_(meeting.starts_at, meeting.id))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(1))


async def items_of(uow: UnitOfWork, meeting_id: int) -> Sequence[ActionItem]:
    return (await uow.session.scalars(
        select(ActionItem).where(ActionItem.meeting_id == meeting_id)
        .order_by(ActionItem.id))).all()


async def open_items_of(uow: UnitOfWork, meeting_id: int) -> Sequence[ActionItem]:
    """What a meeting left open: proposals not yet decided, and confirmed items whose task
    is neither done nor cancelled."""
    finished = select(Task.id).join(ProjectStatus, ProjectStatus.id == Task.status_id).where(
        ProjectStatus.category.in_([Category.DONE.value, Category.CANCELLED.value]))
    return (await uow.session.scalars(
        select(ActionItem).where(
            ActionItem.meeting_id == meeting_id,
            or_(ActionItem.status == ItemStatus.PROPOSED.value,
                (ActionItem.status == ItemStatus.CONFIRMED.value)
                & ActionItem.task_id.is_not(None) & ActionItem.task_id.not_in(finished)))
        .order_by(ActionItem.id))).all()


async def count_items(uow: UnitOfWork, meeting_id: int) -> int:
    return len(await items_of(uow, meeting_id))
