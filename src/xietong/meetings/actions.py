"""Writers of meetings. Each checks the policy, writes, tells the people concerned and
never commits (the caller's unit of work does)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update

from xietong.business_calendar.queries import work_calendar
from xietong.chat.actions import open_linked_channel, set_linked_members
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Conflict, Invalid, NotFound
from xietong.core.uow import UnitOfWork
from xietong.documents.access import access_page
from xietong.documents.actions import do_create_page, do_set_page_permissions
from xietong.documents.schemas import PageCreate, PagePermissionsIn
from xietong.documents.spaces import do_make_department_space
from xietong.documents.ydoc import content_of, document_from, seed_from_markdown
from xietong.meetings import queries, recurrence
from xietong.meetings.access import MeetingAccess
from xietong.meetings.events import MeetingChanged, MeetingInvited, to_people
from xietong.meetings.extraction import Candidate, ProposedItem, extract_action_items
from xietong.meetings.minutes import (
    attendee_grants,
    department_for,
    folder_in,
    minutes_page_markdown,
    page_title,
    separate_checklists,
    template_markdown,
)
from xietong.meetings.models import (
    ActionItem,
    AgendaItem,
    ItemSource,
    ItemStatus,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    Response,
)
from xietong.meetings.reminders import arm_reminder, disarm_reminder
from xietong.meetings.schemas import (
    MAX_AGENDA_ITEMS,
    MAX_ATTENDEES,
    ActionItemCreate,
    ActionItemUpdate,
    AgendaItemIn,
    AgendaItemUpdate,
    ConfirmBody,
    MeetingCreate,
    MeetingUpdate,
)
from xietong.meetings.views import meeting_data
from xietong.org import queries as org_queries
from xietong.org.models import Department, User
from xietong.policy import meetings as meetings_policy
from xietong.policy import require
from xietong.projects.access import access_project
from xietong.projects.actions import do_create_task
from xietong.projects.queries import membership
from xietong.projects.schemas import TaskCreate

# A meeting may be set up to this long ago (a form filled in as it starts).
PAST_GRACE = timedelta(minutes=10)
LONGEST = timedelta(hours=24)
MAX_ACTION_ITEMS = 200


def check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid("A meeting ends after it starts.", code="meeting_ends_before_start")
    if ends_at - starts_at > LONGEST:
        raise Invalid("A meeting lasts at most 24 hours.", code="meeting_too_long")
    if starts_at < now - PAST_GRACE:
        raise Invalid("A meeting is set up for a time still ahead.", code="meeting_in_past")


async def _invited(uow: UnitOfWork, user_ids: Iterable[int],
                   department_ids: Iterable[int]) -> set[int]:
    """The active people named and those of the departments named (and the departments
    below them); an unknown or deactivated person or department is refused."""
    wanted = set(user_ids)
    active = await org_queries.active_user_ids(uow, wanted)
    if wanted - active or await org_queries.bot_ids(uow, wanted):
        raise Invalid("Unknown or deactivated person.", code="unknown_person",
                      details={"user_ids": sorted(wanted - active)})
    departments = set(department_ids)
    if departments:
        parents = org_queries.parent_map(await org_queries.all_departments(uow))
        if departments - parents.keys():
            raise Invalid("Unknown department.", code="unknown_department",
                          details={"department_ids": sorted(departments - parents.keys())})
        below = {d for top in departments for d in org_queries.descendants_and_self(parents, top)}
        active |= await org_queries.active_member_ids_of_departments(uow, below)
    active -= await org_queries.bot_ids(uow, active)
    if len(active) > MAX_ATTENDEES:
        raise Invalid(f"A meeting has at most {MAX_ATTENDEES} attendees.",
                      code="too_many_attendees", details={"attendees": len(active)})
    return active


async def _check_people(uow: UnitOfWork, user_ids: Iterable[int | None]) -> None:
    """Refuse any of `user_ids` (None: nobody) that is not an active person, in one query."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    unknown = wanted - await org_queries.active_user_ids(uow, wanted) if wanted else set()
    if unknown:
        raise Invalid("Unknown or deactivated person.", code="unknown_person",
                      details={"user_ids": sorted(unknown)})


async def emit_meeting(uow: UnitOfWork, meeting: Meeting, change: str,
                       also: Iterable[int] = ()) -> None:
    """Tell the meeting's people (and `also`, e.g. those just removed) of a change."""
    await uow.flush()
    people = await queries.attendee_ids(uow, meeting.id) | set(also) | {meeting.organiser_id}
    uow.emit(MeetingChanged(meeting=meeting_data(meeting), change=change),
             to_people(people, meeting.organiser_id))


async def _invite(uow: UnitOfWork, meeting: Meeting, user_ids: Iterable[int],
                  occurrences: int = 1) -> None:
    invited = set(user_ids) - {meeting.organiser_id}
    if not invited:
        return
    organiser = await org_queries.get_user(uow, meeting.organiser_id)
    uow.emit(MeetingInvited(meeting_id=meeting.id, title=meeting.title,
                            starts_at=meeting.starts_at.isoformat(),
                            organiser_id=meeting.organiser_id,
                            organiser_name=organiser.display_name if organiser else "",
                            occurrences=occurrences),
             to_people(invited, meeting.organiser_id))


async def _occurrences(uow: UnitOfWork, data: MeetingCreate, zone: ZoneInfo
                       ) -> tuple[str | None, list[datetime]]:
    """The series' starts (one for a single meeting), holidays left out when asked."""
    if data.rrule is None:
        return None, [data.starts_at]
    rule = recurrence.normalise(data.rrule, data.starts_at, zone)
    starts = recurrence.expand(rule, data.starts_at, zone)
    if data.skip_non_working_days:
        calendar = await work_calendar(uow, default_zone=zone)
        starts = [s for s in starts if calendar.is_working_day(s.astimezone(zone).date())]
    if not starts:
        raise Invalid("The series has no meeting left to hold.", code="rrule_empty")
    return rule, starts


def _agenda_rows(meeting_id: int, agenda: Sequence[AgendaItemIn]) -> list[AgendaItem]:
    return [AgendaItem(meeting_id=meeting_id, position=position, title=item.title,
                       owner_id=item.owner_id, duration_minutes=item.duration_minutes,
                       notes=item.notes, pre_read_url=item.pre_read_url)
            for position, item in enumerate(agenda)]


async def do_create_meeting(uow: UnitOfWork, actor: Actor, data: MeetingCreate, *,
                            zone: ZoneInfo, now: datetime | None = None) -> Meeting:
    """A meeting, or a series' every occurrence (each a meeting with the agenda given):
    attendees invited, reminders armed, a channel opened when asked. The first meeting."""
    require(meetings_policy.can_create_meeting(actor),
            "Guests do not call meetings.", code="may_not_create_meeting")
    now = now or utcnow()
    check_times(data.starts_at, data.ends_at, now)
    people = await _invited(uow, data.attendee_ids, data.department_ids) | {actor.user_id}
    await _check_people(uow, (item.owner_id for item in data.agenda))
    rule, starts = await _occurrences(uow, data, zone)
    series = None
    if rule is not None:
        series = MeetingSeries(organiser_id=actor.user_id, rrule=rule,
                               first_starts_at=data.starts_at, zone=zone.key,
                               skip_non_working_days=data.skip_non_working_days,
                               created_at=now)
        uow.session.add(series)
        await uow.flush()
    channel_id = None
    if data.create_channel:
        channel = await open_linked_channel(
            uow, data.title, description=f"会议「{data.title}」的讨论",
            creator_id=actor.user_id, people=people)
        channel_id = channel.id
    length = data.ends_at - data.starts_at
    meetings = [Meeting(series_id=series.id if series else None, title=data.title,
                        tier=data.tier.value, organiser_id=actor.user_id, starts_at=start,
                        ends_at=start + length, location=data.location, link=data.link,
                        description=data.description,
                        pre_reads=[p.model_dump() for p in data.pre_reads],
                        department_ids=sorted(set(data.department_ids)),
                        remind_minutes=data.remind_minutes, channel_id=channel_id,
                        created_at=now, updated_at=now)
                for start in starts]
    uow.session.add_all(meetings)
    await uow.flush()
    for meeting in meetings:
        uow.session.add_all(MeetingAttendee(
            meeting_id=meeting.id, user_id=u,
            response=(Response.ACCEPTED if u == actor.user_id else Response.PENDING).value,
            responded_at=now if u == actor.user_id else None) for u in sorted(people))
        uow.session.add_all(_agenda_rows(meeting.id, data.agenda))
        await arm_reminder(uow, meeting, now)
    await uow.flush()
    for meeting in meetings:
        uow.emit(MeetingChanged(meeting=meeting_data(meeting), change="created"),
                 to_people(people, actor.user_id))
    await _invite(uow, meetings[0], people, occurrences=len(meetings))
    return meetings[0]


def _check_editable(actor: Actor, found: MeetingAccess) -> None:
    require(meetings_policy.can_edit_meeting(actor, found.standing),
            "Only the organiser or an administrator changes a meeting.",
            code="may_not_edit_meeting")
    if found.meeting.cancelled_at is not None:
        raise Conflict("The meeting is cancelled.", code="meeting_cancelled")


async def _set_attendees(uow: UnitOfWork, meeting: Meeting, wanted: set[int]) -> set[int]:
    """Make the attendees exactly `wanted` (and the organiser); answers of those who stay
    are kept. Those removed."""
    wanted = wanted | {meeting.organiser_id}
    current = await queries.attendee_ids(uow, meeting.id)
    removed = current - wanted
    if removed:
        await uow.session.execute(delete(MeetingAttendee).where(
            MeetingAttendee.meeting_id == meeting.id, MeetingAttendee.user_id.in_(removed)))
    uow.session.add_all(MeetingAttendee(meeting_id=meeting.id, user_id=u,
                                        response=Response.PENDING.value)
                        for u in sorted(wanted - current))
    await _invite(uow, meeting, wanted - current)
    if meeting.channel_id is not None and meeting.series_id is None:
        await set_linked_members(uow, meeting.channel_id, wanted)
    return removed


async def do_update_meeting(uow: UnitOfWork, actor: Actor, found: MeetingAccess,
                            data: MeetingUpdate, *, now: datetime | None = None) -> Meeting:
    _check_editable(actor, found)
    meeting = found.meeting
    now = now or utcnow()
    given = data.model_fields_set
    for name in ("title", "tier", "starts_at", "ends_at", "location", "link", "description",
                 "attendee_ids", "department_ids", "pre_reads"):
        if name in given and getattr(data, name) is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep it.",
                          code="null_setting")
    starts_at = data.starts_at or meeting.starts_at
    ends_at = data.ends_at or meeting.ends_at
    moved = (starts_at, ends_at) != (meeting.starts_at, meeting.ends_at)
    if moved:
        check_times(starts_at, ends_at, now)
    removed: set[int] = set()
    if data.attendee_ids is not None or data.department_ids is not None:
        departments = (data.department_ids if data.department_ids is not None
                       else meeting.department_ids)
        named = (set(data.attendee_ids) if data.attendee_ids is not None
                 else await queries.attendee_ids(uow, meeting.id))
        if data.attendee_ids is None and data.department_ids is not None:
            # Those who came with the departments dropped leave with them.
            named -= await org_queries.active_member_ids_of_departments(
                uow, set(meeting.department_ids) - set(departments))
        people = await _invited(uow, named, departments)
        meeting.department_ids = sorted(set(departments))
        removed = await _set_attendees(uow, meeting, people)
    for name in ("title", "location", "link", "description"):
        value = getattr(data, name)
        if value is not None:
            setattr(meeting, name, value)
    if data.tier is not None:
        meeting.tier = data.tier.value
    if data.pre_reads is not None:
        meeting.pre_reads = [p.model_dump() for p in data.pre_reads]
    if "remind_minutes" in given:
        meeting.remind_minutes = data.remind_minutes
    if moved or "remind_minutes" in given:
        await disarm_reminder(uow, meeting)
        meeting.starts_at, meeting.ends_at = starts_at, ends_at
        meeting.reminded_at = None
        await arm_reminder(uow, meeting, now)
    meeting.updated_at = now
    await emit_meeting(uow, meeting, "updated", removed)
    return meeting


async def do_cancel_meeting(uow: UnitOfWork, actor: Actor, found: MeetingAccess, *,
                            following: bool, now: datetime | None = None) -> list[Meeting]:
    """Cancel it (and, `following`, the series' later meetings): they stay, marked
    cancelled, so calendars that read the feed see them go. Those cancelled."""
    _check_editable(actor, found)
    now = now or utcnow()
    meeting = found.meeting
    chosen = [meeting]
    if following and meeting.series_id is not None:
        chosen = [m for m in await queries.series_meetings(uow, meeting.series_id)
                  if m.cancelled_at is None and (m.starts_at, m.id) >= (meeting.starts_at,
                                                                      meeting.id)]
    for one in chosen:
        one.cancelled_at = one.updated_at = now
        await disarm_reminder(uow, one)
        await emit_meeting(uow, one, "cancelled")
    return chosen


async def do_respond(uow: UnitOfWork, actor: Actor, found: MeetingAccess, response: str, *,
                     now: datetime | None = None) -> None:
    require(meetings_policy.can_respond(actor, found.standing),
            "Only those invited answer an invitation.", code="not_invited")
    if found.meeting.cancelled_at is not None:
        raise Conflict("The meeting is cancelled.", code="meeting_cancelled")
    await uow.session.execute(
        update(MeetingAttendee)
        .where(MeetingAttendee.meeting_id == found.meeting.id,
               MeetingAttendee.user_id == actor.user_id)
        .values(response=response, responded_at=now or utcnow()))
    await emit_meeting(uow, found.meeting, "response")


async def do_set_minutes(uow: UnitOfWork, actor: Actor, found: MeetingAccess, minutes: str,
                         *, now: datetime | None = None) -> None:
    require(meetings_policy.can_write_minutes(actor, found.standing),
            "Only the meeting's attendees take its minutes.", code="may_not_write_minutes")
    meeting = found.meeting
    if meeting.minutes_page_id is not None:
        raise Conflict("This meeting's minutes are a page: edit them there.",
                       code="minutes_in_page", details={"page_id": meeting.minutes_page_id})
    meeting.minutes = minutes
    meeting.minutes_updated_at = meeting.updated_at = now or utcnow()
    meeting.minutes_updated_by = actor.user_id
    await emit_meeting(uow, meeting, "minutes")


async def do_open_minutes_page(uow: UnitOfWork, actor: Actor, found: MeetingAccess, *,
                               zone: ZoneInfo) -> bool:
    """Make the meeting's minutes page unless it has one (whether it made it). The page
    starts from the Markdown minutes if any were taken, else from the meeting's template;
    the meeting's row is locked by the caller, so two at once make one page."""
    require(meetings_policy.can_write_minutes(actor, found.standing),
            "Only the meeting's attendees take its minutes.", code="may_not_write_minutes")
    meeting = found.meeting
    if meeting.minutes_page_id is not None:
        return False
    agent = meetings_policy.minutes_page_agent(actor)
    department = await department_for(uow, meeting)
    space = await do_make_department_space(uow, department.id, department.name,
                                           actor_id=actor.user_id)
    folder_id = await folder_in(uow, agent, space)
    attendee_ids = sorted(await queries.attendee_ids(uow, meeting.id))
    if meeting.minutes.strip():
        markdown = separate_checklists(meeting.minutes)
    else:
        agenda = (await uow.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id))).all()
        names = await queries.names_of(
            uow, [*attendee_ids, meeting.organiser_id,
                  *(a.owner_id for a in agenda if a.owner_id is not None)])
        markdown = template_markdown(meeting, agenda, names, attendee_ids, zone)
    page = await do_create_page(
        uow, agent, PageCreate(space_id=space.id, parent_id=folder_id,
                               title=page_title(meeting, zone)),
        content=content_of(document_from(seed_from_markdown(markdown))))
    await do_set_page_permissions(
        uow, agent, await access_page(uow, agent, page.id),
        PagePermissionsIn(inherit=False,
                          grants=attendee_grants([*attendee_ids, meeting.organiser_id],
                                                 meeting.department_ids)))
    meeting.minutes_page_id = page.id
    meeting.updated_at = utcnow()
    await emit_meeting(uow, meeting, "minutes")
    return True


async def do_add_agenda_item(uow: UnitOfWork, actor: Actor, found: MeetingAccess,
                             data: AgendaItemIn) -> AgendaItem:
    _check_editable(actor, found)
    await _check_people(uow, [data.owner_id])
    count, last = (await uow.session.execute(
        select(func.count(), func.max(AgendaItem.position))
        .where(AgendaItem.meeting_id == found.meeting.id))).one()
    if count >= MAX_AGENDA_ITEMS:
        raise Invalid(f"An agenda has at most {MAX_AGENDA_ITEMS} items.",
                      code="too_many_agenda_items")
    item = _agenda_rows(found.meeting.id, [data])[0]
    item.position = (last if last is not None else -1) + 1
    uow.session.add(item)
    await emit_meeting(uow, found.meeting, "agenda")
    return item


async def do_update_agenda_item(uow: UnitOfWork, actor: Actor, found: MeetingAccess,
                                item: AgendaItem, data: AgendaItemUpdate) -> AgendaItem:
    """The organiser changes any of it; an attendee writes an item's notes (the minutes of
    that item) only."""
    given = data.model_fields_set
    if given <= {"notes"}:
        require(meetings_policy.can_write_minutes(actor, found.standing),
                "Only the meeting's attendees take its minutes.",
                code="may_not_write_minutes")
    else:
        _check_editable(actor, found)
    for name in ("title", "notes", "pre_read_url", "position"):
        if name in given and getattr(data, name) is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep it.",
                          code="null_setting")
    if "owner_id" in given:
        await _check_people(uow, [data.owner_id])
        item.owner_id = data.owner_id
    if "duration_minutes" in given:
        item.duration_minutes = data.duration_minutes
    for name in ("title", "notes", "pre_read_url", "position"):
        value = getattr(data, name)
        if value is not None:
            setattr(item, name, value)
    await emit_meeting(uow, found.meeting, "agenda")
    return item


async def do_delete_agenda_item(uow: UnitOfWork, actor: Actor, found: MeetingAccess,
                                item: AgendaItem) -> None:
    _check_editable(actor, found)
    await uow.session.delete(item)
    await emit_meeting(uow, found.meeting, "agenda")


def _check_items(actor: Actor, found: MeetingAccess) -> None:
    require(meetings_policy.can_manage_action_items(actor, found.standing),
            "Only the organiser or an administrator decides a meeting's action items.",
            code="may_not_manage_action_items")


async def _room_for(uow: UnitOfWork, meeting_id: int, more: int) -> None:
    if await queries.count_items(uow, meeting_id) + more > MAX_ACTION_ITEMS:
        raise Invalid(f"A meeting has at most {MAX_ACTION_ITEMS} action items.",
                      code="too_many_action_items")


async def do_add_action_item(uow: UnitOfWork, actor: Actor, found: MeetingAccess,
                             data: ActionItemCreate) -> ActionItem:
    _check_items(actor, found)
    await _check_people(uow, [data.owner_id])
    await _room_for(uow, found.meeting.id, 1)
    now = utcnow()
    item = ActionItem(meeting_id=found.meeting.id, title=data.title, owner_id=data.owner_id,
                      due_on=data.due_on, source=ItemSource.MANUAL.value,
                      status=ItemStatus.PROPOSED.value, created_at=now, updated_at=now)
    uow.session.add(item)
    await emit_meeting(uow, found.meeting, "action_items")
    return item


async def candidates_for(uow: UnitOfWork, meeting: Meeting) -> list[Candidate]:
    """Whom the extractor may name as an owner: the attendees and the departments
    invited."""
    people = (await uow.session.execute(
        select(User.id, User.display_name, User.username)
        .where(User.id.in_(await queries.attendee_ids(uow, meeting.id))))).all()
    departments = (await uow.session.execute(
        select(Department.id, Department.name)
        .where(Department.id.in_(meeting.department_ids or [0])))).all()
    return ([Candidate(kind="user", id=i, names=(name, login)) for i, name, login in people]
            + [Candidate(kind="department", id=i, names=(name,)) for i, name in departments])


def fingerprint(proposed: ProposedItem) -> str:
    """The same sentence read again is the same proposal."""
    said = "\n".join((" ".join(proposed.sentence.split()), proposed.title))
    return hashlib.sha256(said.encode()).hexdigest()


def minutes_text(minutes: str, agenda: Sequence[AgendaItem]) -> str:
    """The minutes and each agenda item's notes, as one text to read."""
    parts = [minutes] + [a.notes for a in agenda if a.notes.strip()]
    return "\n\n".join(p for p in parts if p.strip())


async def do_extract(uow: UnitOfWork, actor: Actor, found: MeetingAccess, *,
                     zone: ZoneInfo, live_page: str | None = None) -> int:
    """Read the minutes for action items and store each new one as a proposal (never a
    task: the organiser confirms). Running it again adds only what is new. How many.
    The minutes are the meeting's page when it has one (`live_page`: its Markdown as
    people are editing it on this node, if they are), else its Markdown field."""
    _check_items(actor, found)
    meeting = found.meeting
    minutes = (meeting.minutes if meeting.minutes_page_id is None
               else await minutes_page_markdown(uow, actor, meeting.minutes_page_id, live_page))
    agenda = (await uow.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position, AgendaItem.id))).all()
    proposed = extract_action_items(minutes_text(minutes, agenda),
                                    meeting_at=meeting.starts_at, zone=zone,
                                    candidates=await candidates_for(uow, meeting))
    known = set(await uow.session.scalars(
        select(ActionItem.fingerprint).where(ActionItem.meeting_id == meeting.id)))
    now = utcnow()
    fresh: dict[str, ProposedItem] = {}
    for one in proposed:
        key = fingerprint(one)
        if key not in known:
            fresh.setdefault(key, one)
    await _room_for(uow, meeting.id, len(fresh))
    rows = [{
        "meeting_id": meeting.id, "title": one.title[:200] or one.sentence[:200],
        "owner_id": one.owner.id if one.owner and one.owner.kind == "user" else None,
        "owner_department_id": (one.owner.id if one.owner and one.owner.kind == "department"
                                else None),
        "owner_text": one.owner_text[:64] if one.owner_text else None,
        "due_on": one.due_on, "due_text": one.due_text[:64] if one.due_text else None,
        "sentence": one.sentence,
        "source": (ItemSource.CHECKLIST if one.explicit else ItemSource.EXTRACTED).value,
        "status": ItemStatus.PROPOSED.value, "fingerprint": key,
        "created_at": now, "updated_at": now} for key, one in fresh.items()]
    added = await uow.insert_new(ActionItem.__table__, rows, ActionItem.id)  # type: ignore[arg-type]
    if added:
        await emit_meeting(uow, meeting, "action_items")
    return len(added)


def _check_undecided(item: ActionItem) -> None:
    if item.status != ItemStatus.PROPOSED.value:
        raise Conflict("The action item was already decided.", code="item_decided",
                       details={"status": item.status})


async def do_update_action_item(uow: UnitOfWork, actor: Actor, found: MeetingAccess,
                                item: ActionItem, data: ActionItemUpdate) -> ActionItem:
    _check_items(actor, found)
    _check_undecided(item)
    given = data.model_fields_set
    if "title" in given and data.title is None:
        raise Invalid("title cannot be null; leave it out to keep it.", code="null_setting")
    if data.title is not None:
        item.title = data.title
    if "owner_id" in given:
        await _check_people(uow, [data.owner_id])
        item.owner_id = data.owner_id
        if data.owner_id is not None:
            item.owner_department_id = None
    if "owner_department_id" in given:
        if data.owner_department_id is not None and not await org_queries.department_exists(
                uow, [data.owner_department_id]):
            raise Invalid("Unknown department.", code="unknown_department",
                          details={"department_id": data.owner_department_id})
        item.owner_department_id = data.owner_department_id
        if data.owner_department_id is not None:
            item.owner_id = None
    if "due_on" in given:
        item.due_on = data.due_on
    item.updated_at = utcnow()
    await emit_meeting(uow, found.meeting, "action_items")
    return item


async def do_confirm_action_item(uow: UnitOfWork, actor: Actor, found: MeetingAccess,
                                 item: ActionItem, data: ConfirmBody) -> ActionItem:
    """The item becomes a task of the project chosen (as its members create tasks), its
    description naming the meeting; the item keeps the task's id."""
    _check_items(actor, found)
    _check_undecided(item)
    try:
        project = await access_project(uow, actor, data.project_id, for_update=True)
    except NotFound:
        raise Invalid("No such project.", code="unknown_project",
                      details={"project_id": data.project_id}) from None
    if "assignee_id" in data.model_fields_set:
        assignee = data.assignee_id
    else:
        owner = item.owner_id
        assignee = owner if owner is not None and await membership(
            uow, data.project_id, owner) is not None else None
    meeting = found.meeting
    day = meeting.starts_at.strftime("%Y-%m-%d")
    description = f"来自会议「{meeting.title}」（{day}）的待办。"
    if item.sentence:
        description += f"\n\n> {item.sentence}"
    task = await do_create_task(uow, actor, project, TaskCreate(
        title=data.title or item.title, description=description, assignee_id=assignee,
        due_at=data.due_on if "due_on" in data.model_fields_set else item.due_on))
    now = utcnow()
    item.status = ItemStatus.CONFIRMED.value
    item.task_id, item.project_id = task.id, data.project_id
    item.decided_by, item.decided_at, item.updated_at = actor.user_id, now, now
    await emit_meeting(uow, meeting, "action_items")
    return item


async def do_dismiss_action_item(uow: UnitOfWork, actor: Actor, found: MeetingAccess,
                                 item: ActionItem) -> ActionItem:
    _check_items(actor, found)
    _check_undecided(item)
    now = utcnow()
    item.status = ItemStatus.DISMISSED.value
    item.decided_by, item.decided_at, item.updated_at = actor.user_id, now, now
    await emit_meeting(uow, found.meeting, "action_items")
    return item
