"""The rollup consumer: follows the event log and keeps the analytics tables.

One batch of events is read as a whole: the people's departments, the channels' kinds, the
messages answered and the open mentions are each asked once, and the counters are written
with one multi-row upsert per table, so a batch of 500 costs a few statements, not 500.

Exactly once: the consumer's position moves in the transaction that writes the batch.
Replaying (`rebuild`) recomputes the day-keyed tables from the log: their rows for the days
replayed are deleted first and written again, and the per-item tables (requests, tasks,
approvals) hold each item's last state, so a replay changes nothing.

Days and hours are the company's: an event counts on the day, in the company's time zone,
it was logged. Working times (responses, resolutions, cycle times) are measured on the
business calendar, as SLAs are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.sql.schema import Table

from xietong.analytics import metrics
from xietong.analytics.models import (
    ActiveDay,
    ActiveWeek,
    ApprovalFact,
    ChannelDay,
    DepartmentCount,
    HourCount,
    MentionFact,
    PairCount,
    RequestFact,
    TaskFact,
)
from xietong.business_calendar.queries import work_calendar
from xietong.business_calendar.work_calendar import WorkCalendar
from xietong.chat.models import Channel, Message
from xietong.core.clock import utcnow
from xietong.core.db import table_of
from xietong.core.errors import Conflict
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.org.models import DepartmentMember, User
from xietong.realtime.log import EventLog
from xietong.realtime.models import ConsumerPosition, EventRecord

NAME = "analytics.rollups"

# The next message in a channel after someone else's, within this, answers them.
REPLY_WINDOW = timedelta(minutes=30)
# Today's hourly chart needs today; older hours are dropped as new ones come.
HOURS_KEPT = timedelta(hours=48)

TYPES = frozenset({
    "message.created", "reaction.added", "channel.read", "file.downloaded",
    "search.performed", "request.changed", "task.changed", "approval.changed", "kudos.given",
})


# What the consumer reads of each event (the rest of the payload is ignored).
class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Mentions(_Read):
    user_ids: list[int] = []
    department_ids: list[int] = []


class _Message(_Read):
    id: int
    channel_id: int
    sender_id: int
    created_at: datetime
    thread_root_id: int | None = None
    mentions: _Mentions = _Mentions()
    file_ids: list[int] = []
    card: dict[str, Any] | None = None


class _MessageCreated(_Read):
    message: _Message


class _ByUser(_Read):
    user_id: int


class _Breached(_Read):
    response: bool
    resolution: bool


class _Request(_Read):
    id: int
    type_id: int | None
    department_id: int
    requester_id: int
    status: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    breached: _Breached
    rating: int | None


class _Entry(_Read):
    kind: str
    actor_id: int | None


class _RequestChanged(_Read):
    request: _Request
    entry: _Entry


class _Task(_Read):
    id: int
    project_id: int
    assignee_id: int | None
    created_by: int | None
    created_at: datetime
    due_at: date | None
    completed_at: datetime | None


class _TaskChanged(_Read):
    task: _Task
    entry: _Entry


class _Approval(_Read):
    id: int
    flow_id: int
    status: str
    requester_department_id: int | None
    created_at: datetime
    concluded_at: datetime | None


class _ApprovalChanged(_Read):
    approval: _Approval
    actor_id: int | None


class _Ref(_Read):
    id: int


class _Kudos(_Read):
    giver: _Ref
    recipient: _Ref | None
    department: _Ref | None


class _KudosGiven(_Read):
    kudos: _Kudos


@dataclass
class _Tally:
    """What a batch adds up to, written at the end with one statement per table."""

    counts: defaultdict[tuple[date, int, str], float] = field(
        default_factory=lambda: defaultdict(float))
    pairs: defaultdict[tuple[date, int, int, str], float] = field(
        default_factory=lambda: defaultdict(float))
    hours: defaultdict[tuple[datetime, str], float] = field(
        default_factory=lambda: defaultdict(float))
    active: dict[tuple[date, int], int] = field(default_factory=dict)
    channel_days: set[tuple[date, int, int]] = field(default_factory=set)
    requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    approvals: dict[int, dict[str, Any]] = field(default_factory=dict)
    new_mentions: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    answered: dict[tuple[int, int], tuple[datetime, float]] = field(default_factory=dict)

    def count(self, day: date, department_id: int, metric: str, value: float = 1) -> None:
        self.counts[(day, department_id, metric)] += value

    def pair(self, day: date, source: int, target: int, metric: str) -> None:
        self.pairs[(day, source, target, metric)] += 1


@dataclass(frozen=True, slots=True)
class _People:
    """The people a batch names: primary department (0 for none) and whether a bot."""

    departments: dict[int, int]
    bots: set[int]

    def department(self, user_id: int | None) -> int:
        return self.departments.get(user_id, metrics.NO_DEPARTMENT) if user_id else 0

    def is_person(self, user_id: int | None) -> bool:
        return user_id is not None and user_id not in self.bots


class RollupConsumer:
    """Keeps the analytics tables from the event log (see the module's docstring)."""

    name = NAME
    types = TYPES

    def __init__(self, *, zone: ZoneInfo) -> None:
        self.zone = zone

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        batch = _Batch(self.zone, await work_calendar(uow, default_zone=self.zone))
        await batch.read(uow, events)
        await batch.write(uow)


class _Batch:
    def __init__(self, zone: ZoneInfo, calendar: WorkCalendar) -> None:
        self.zone = zone
        self.calendar = calendar
        self.tally = _Tally()

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def working_seconds(self, since: datetime, until: datetime | None) -> float | None:
        if until is None:
            return None
        return max(self.calendar.working_time_between(since, until).total_seconds(), 0.0)

    async def read(self, uow: UnitOfWork, events: Sequence[CommittedEvent]) -> None:
        parsed: list[tuple[CommittedEvent, BaseModel]] = []
        user_ids: set[int] = set()
        for event in events:
            model = _parse(event)
            if model is None:
                continue
            parsed.append((event, model))
            user_ids |= _people_named(model)
        messages = [m.message for _, m in parsed if isinstance(m, _MessageCreated)]
        replied = await _replied_to(uow, messages)
        user_ids |= {sender for sender, _ in replied.values()}
        people = await _people(uow, user_ids)
        kinds = await _channel_kinds(uow, {m.channel_id for m in messages})
        open_mentions = await _open_mentions(uow, messages)
        for event, model in parsed:
            logged = event.created_at or utcnow()
            if isinstance(model, _MessageCreated):
                self._message(model.message, logged, people, kinds, replied, open_mentions)
            elif isinstance(model, _RequestChanged):
                self._request(model, logged, people)
            elif isinstance(model, _TaskChanged):
                self._task(model, logged, people)
            elif isinstance(model, _ApprovalChanged):
                self._approval(model, logged, people)
            elif isinstance(model, _KudosGiven):
                self._kudos(model.kudos, logged, people)
            elif isinstance(model, _ByUser):
                self._by_user(event.type, model.user_id, logged, people)

    def _active(self, day: date, user_id: int | None, people: _People) -> None:
        if user_id is not None and people.is_person(user_id):
            self.tally.active[(day, user_id)] = people.department(user_id)

    def _by_user(self, kind: str, user_id: int, logged: datetime, people: _People) -> None:
        day = self.day(logged)
        self._active(day, user_id, people)
        metric = {"reaction.added": metrics.REACTIONS, "file.downloaded": metrics.FILES_DOWNLOADED,
                  "search.performed": metrics.SEARCHES}.get(kind)
        if metric is not None and people.is_person(user_id):
            self.tally.count(day, people.department(user_id), metric)

    def _message(self, message: _Message, logged: datetime, people: _People,
                 kinds: dict[int, str], replied: dict[int, tuple[int, datetime]],
                 open_mentions: dict[tuple[int, int], list[dict[str, Any]]]) -> None:
        sender = message.sender_id
        if message.card is not None or not people.is_person(sender):
            return  # what the system and bots post is not people collaborating
        tally, day = self.tally, self.day(logged)
        own = people.department(sender)
        self._active(day, sender, people)
        tally.count(day, own, metrics.MESSAGES)
        tally.count(day, own, metrics.messages_in(kinds.get(message.channel_id, "public")))
        if message.file_ids:
            tally.count(day, own, metrics.FILES_UPLOADED, len(message.file_ids))
        tally.channel_days.add((day, message.channel_id, own))
        hour = logged.replace(minute=0, second=0, microsecond=0)
        tally.hours[(hour, metrics.HOUR_MESSAGES)] += 1
        answered = replied.get(message.id)
        if answered is not None and answered[0] != sender and people.is_person(answered[0]):
            other = people.department(answered[0])
            if other != own:
                tally.count(day, own, metrics.CROSS_MESSAGES)
                tally.pair(day, own, other, metrics.PAIR_MESSAGES)
        # The sender's own mentions waiting in this channel are answered by this message.
        waiting = open_mentions.get((message.channel_id, sender), [])
        for mention in [m for m in waiting if m["mentioned_at"] < message.created_at]:
            waiting.remove(mention)
            seconds = self.working_seconds(mention["mentioned_at"], message.created_at) or 0.0
            key = (mention["message_id"], sender)
            if key in tally.new_mentions:
                tally.new_mentions[key].update(answered_at=message.created_at,
                                               response_seconds=seconds)
            else:
                tally.answered[key] = (message.created_at, seconds)
        self._mentions(message, day, own, people, open_mentions)

    def _mentions(self, message: _Message, day: date, own: int, people: _People,
                  open_mentions: dict[tuple[int, int], list[dict[str, Any]]]) -> None:
        tally = self.tally
        for user_id in sorted(set(message.mentions.user_ids) - {message.sender_id}):
            other = people.department(user_id)
            if other == own or not people.is_person(user_id):
                continue
            tally.count(day, own, metrics.MENTIONS_OUT)
            tally.count(day, other, metrics.MENTIONS_IN)
            tally.pair(day, own, other, metrics.PAIR_MENTIONS)
            row = {"message_id": message.id, "user_id": user_id,
                   "channel_id": message.channel_id, "from_department_id": own,
                   "to_department_id": other, "mentioned_at": message.created_at, "day": day,
                   "answered_at": None, "response_seconds": None}
            tally.new_mentions[(message.id, user_id)] = row
            open_mentions.setdefault((message.channel_id, user_id), []).append(row)
        for department_id in sorted(set(message.mentions.department_ids) - {own}):
            tally.pair(day, own, department_id, metrics.PAIR_MENTIONS)
            tally.count(day, own, metrics.MENTIONS_OUT)
            tally.count(day, department_id, metrics.MENTIONS_IN)

    def _request(self, changed: _RequestChanged, logged: datetime, people: _People) -> None:
        request, tally = changed.request, self.tally
        requester_department = people.department(request.requester_id)
        self._active(self.day(logged), changed.entry.actor_id, people)
        if changed.entry.kind == "filed":
            day = self.day(request.created_at)
            tally.count(day, request.department_id, metrics.REQUESTS_FILED)
            tally.count(day, requester_department, metrics.REQUESTS_SENT)
            if requester_department != request.department_id:
                tally.pair(day, requester_department, request.department_id,
                           metrics.PAIR_REQUESTS)
        tally.requests[request.id] = {
            "request_id": request.id, "department_id": request.department_id,
            "requester_department_id": requester_department, "type_id": request.type_id,
            "status": request.status, "filed_at": request.created_at,
            "filed_day": self.day(request.created_at),
            "first_response_at": request.first_response_at,
            "response_seconds": self.working_seconds(request.created_at,
                                                     request.first_response_at),
            "resolved_at": request.resolved_at,
            "resolution_seconds": self.working_seconds(request.created_at,
                                                       request.resolved_at),
            "response_breached": request.breached.response,
            "resolution_breached": request.breached.resolution, "rating": request.rating}

    def _task(self, changed: _TaskChanged, logged: datetime, people: _People) -> None:
        task = changed.task
        self._active(self.day(logged), changed.entry.actor_id, people)
        owner = task.assignee_id if task.assignee_id is not None else task.created_by
        completed_day = self.day(task.completed_at) if task.completed_at else None
        self.tally.tasks[task.id] = {
            "task_id": task.id, "project_id": task.project_id,
            "department_id": people.department(owner), "created_at": task.created_at,
            "created_day": self.day(task.created_at), "due_at": task.due_at,
            "completed_at": task.completed_at, "completed_day": completed_day,
            "cycle_seconds": self.working_seconds(task.created_at, task.completed_at),
            "late": bool(completed_day and task.due_at and completed_day > task.due_at),
            "deleted": False}

    def _approval(self, changed: _ApprovalChanged, logged: datetime, people: _People) -> None:
        approval = changed.approval
        self._active(self.day(logged), changed.actor_id, people)
        self.tally.approvals[approval.id] = {
            "approval_id": approval.id,
            "requester_department_id": approval.requester_department_id or 0,
            "flow_id": approval.flow_id, "started_at": approval.created_at,
            "day": self.day(approval.created_at), "status": approval.status,
            "concluded_at": approval.concluded_at,
            "duration_seconds": self.working_seconds(approval.created_at,
                                                     approval.concluded_at)}

    def _kudos(self, kudos: _Kudos, logged: datetime, people: _People) -> None:
        day, giver = self.day(logged), kudos.giver.id
        self._active(day, giver, people)
        own = people.department(giver)
        target = (people.department(kudos.recipient.id) if kudos.recipient is not None
                  else kudos.department.id if kudos.department is not None else None)
        self.tally.count(day, own, metrics.KUDOS_GIVEN)
        if target is not None:
            self.tally.count(day, target, metrics.KUDOS_RECEIVED)
            if target != own:
                self.tally.pair(day, own, target, metrics.PAIR_KUDOS)

    async def write(self, uow: UnitOfWork) -> None:
        tally = self.tally
        await _add(uow, table_of(DepartmentCount), ("day", "department_id", "metric"),
                   [{"day": d, "department_id": dep, "metric": m, "value": v}
                    for (d, dep, m), v in tally.counts.items()])
        await _add(uow, table_of(PairCount),
                   ("day", "from_department_id", "to_department_id", "metric"),
                   [{"day": d, "from_department_id": a, "to_department_id": b, "metric": m,
                     "value": v} for (d, a, b, m), v in tally.pairs.items()])
        if tally.hours:
            await _add(uow, table_of(HourCount), ("hour", "metric"),
                       [{"hour": h, "metric": m, "value": v} for (h, m), v in tally.hours.items()])
            newest = max(h for h, _ in tally.hours)
            await uow.session.execute(delete(HourCount).where(HourCount.hour < newest - HOURS_KEPT))
        await uow.insert_all_new(table_of(ActiveDay), [
            {"day": d, "user_id": u, "department_id": dep} for (d, u), dep in tally.active.items()])
        await uow.insert_all_new(table_of(ActiveWeek), _weeks(tally.active))
        await uow.insert_all_new(table_of(ChannelDay), [
            {"day": d, "channel_id": c, "department_id": dep} for d, c, dep in tally.channel_days])
        await uow.insert_all_new(table_of(MentionFact), list(tally.new_mentions.values()))
        if tally.answered:
            await uow.session.execute(_ANSWER, [
                {"m": message_id, "u": user_id, "at": at, "seconds": seconds}
                for (message_id, user_id), (at, seconds) in tally.answered.items()])
        for table, key, rows in ((RequestFact, "request_id", tally.requests),
                                 (TaskFact, "task_id", tally.tasks),
                                 (ApprovalFact, "approval_id", tally.approvals)):
            await _replace(uow, table_of(table), key, list(rows.values()))


_MENTIONS = table_of(MentionFact)
# A mention answered: one statement for all of a batch's (the driver's executemany).
_ANSWER = (update(_MENTIONS)
           .where(_MENTIONS.c.message_id == bindparam("m"), _MENTIONS.c.user_id == bindparam("u"),
                  _MENTIONS.c.answered_at.is_(None))
           .values(answered_at=bindparam("at"), response_seconds=bindparam("seconds")))


def _parse(event: CommittedEvent) -> BaseModel | None:
    reader = _READERS.get(event.type)
    return reader.model_validate_json(event.data) if reader is not None else None


_READERS: dict[str, type[BaseModel]] = {
    "message.created": _MessageCreated, "reaction.added": _ByUser, "channel.read": _ByUser,
    "file.downloaded": _ByUser, "search.performed": _ByUser,
    "request.changed": _RequestChanged, "task.changed": _TaskChanged,
    "approval.changed": _ApprovalChanged, "kudos.given": _KudosGiven,
}


def _people_named(model: BaseModel) -> set[int]:
    if isinstance(model, _MessageCreated):
        message = model.message
        return {message.sender_id, *message.mentions.user_ids}
    if isinstance(model, _ByUser):
        return {model.user_id}
    if isinstance(model, _RequestChanged):
        return {model.request.requester_id, *_some(model.entry.actor_id)}
    if isinstance(model, _TaskChanged):
        return {*_some(model.task.assignee_id), *_some(model.task.created_by),
                *_some(model.entry.actor_id)}
    if isinstance(model, _ApprovalChanged):
        return set(_some(model.actor_id))
    if isinstance(model, _KudosGiven):
        recipient = model.kudos.recipient
        return {model.kudos.giver.id, *_some(recipient.id if recipient is not None else None)}
    return set()


def _some(value: int | None) -> tuple[int, ...]:
    return () if value is None else (value,)


async def _people(uow: UnitOfWork, user_ids: Iterable[int]) -> _People:
    wanted = sorted(set(user_ids))
    if not wanted:
        return _People({}, set())
    rows = await uow.session.execute(
        select(User.id, User.bot, DepartmentMember.department_id)
        .outerjoin(DepartmentMember, and_(DepartmentMember.user_id == User.id,
                                          DepartmentMember.is_primary.is_(True)))
        .where(User.id.in_(wanted)))
    departments: dict[int, int] = {}
    bots: set[int] = set()
    for user_id, bot, department_id in rows:
        if bot:
            bots.add(user_id)
        if department_id is not None:
            departments[user_id] = department_id
    return _People(departments, bots)


async def _channel_kinds(uow: UnitOfWork, channel_ids: set[int]) -> dict[int, str]:
    if not channel_ids:
        return {}
    return {channel_id: kind for channel_id, kind in await uow.session.execute(
        select(Channel.id, Channel.kind).where(Channel.id.in_(sorted(channel_ids))))}


async def _replied_to(uow: UnitOfWork, messages: Sequence[_Message]
                      ) -> dict[int, tuple[int, datetime]]:
    """For each message, whom it answers, if anyone: the thread's root author for a reply
    in a thread, else the author of the channel's previous message when it came within
    `REPLY_WINDOW` (read from the messages, so a replay finds the same)."""
    if not messages:
        return {}
    roots = {m.thread_root_id for m in messages if m.thread_root_id is not None}
    earlier = Message.__table__.alias("earlier")
    later = Message.__table__.alias("later")
    unthreaded = [m.id for m in messages if m.thread_root_id is None]
    previous: dict[int, int] = {}
    if unthreaded:
        before = (select(func.max(earlier.c.id))
                  .where(earlier.c.channel_id == later.c.channel_id, earlier.c.id < later.c.id,
                         earlier.c.thread_root_id.is_(None))
                  .scalar_subquery())
        rows = await uow.session.execute(
            select(later.c.id, before).where(later.c.id.in_(unthreaded)))
        previous = {message_id: previous_id for message_id, previous_id in rows if previous_id}
    wanted = roots | set(previous.values())
    authors: dict[int, tuple[int, datetime]] = {}
    if wanted:
        authors = {row.id: (row.sender_id, row.created_at) for row in await uow.session.execute(
            select(Message.id, Message.sender_id, Message.created_at)
            .where(Message.id.in_(sorted(wanted))))}
    answered: dict[int, tuple[int, datetime]] = {}
    for message in messages:
        if message.thread_root_id is not None:
            found = authors.get(message.thread_root_id)
            if found is not None:
                answered[message.id] = found
            continue
        found = authors.get(previous.get(message.id, 0))
        if found is not None and message.created_at - found[1] <= REPLY_WINDOW:
            answered[message.id] = found
    return answered


async def _open_mentions(uow: UnitOfWork, messages: Sequence[_Message]
                         ) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """The unanswered mentions that the batch's messages may answer: of their senders, in
    their channels, oldest first. Asked as `channel_id IN (…) AND user_id IN (…)`, which
    both databases answer from the (channel_id, user_id) index (SQLite scanned the table
    for a row-value `IN`), and narrowed to the batch's pairs here."""
    pairs = {(m.channel_id, m.sender_id) for m in messages}
    found: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    if not pairs:
        return found
    rows = await uow.session.execute(
        select(MentionFact.message_id, MentionFact.user_id, MentionFact.channel_id,
               MentionFact.mentioned_at)
        .where(MentionFact.channel_id.in_(sorted({c for c, _ in pairs})),
               MentionFact.user_id.in_(sorted({u for _, u in pairs})),
               MentionFact.answered_at.is_(None))
        .order_by(MentionFact.mentioned_at))
    for row in rows:
        if (row.channel_id, row.user_id) in pairs:
            found[(row.channel_id, row.user_id)].append(
                {"message_id": row.message_id, "mentioned_at": row.mentioned_at})
    return found


async def _add(uow: UnitOfWork, table: Table, key: tuple[str, ...],
               rows: list[dict[str, Any]]) -> None:
    """Add each row's `value` to the stored one (inserting the row when there is none)."""
    if rows:
        await uow.add_to(table, rows, key=key, column="value")


async def _replace(uow: UnitOfWork, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
    """Write each item's last state (one statement; the row's every column)."""
    if rows:
        await uow.upsert_many(table, rows, key=(key,))


async def rebuild(uow: UnitOfWork, consumer: RollupConsumer, log: EventLog, *, since: date,
                  batch: int = 2000) -> int:
    """Recompute the day-keyed tables from `since` (a company day) from the log, up to the
    consumer's position (held meanwhile, so the live consumer waits): delete their rows for
    those days, then hand every event logged since the day began to the consumer again.
    Returns how many events were read. Refuses days the log no longer holds whole."""
    start = datetime.combine(since, time.min, consumer.zone)
    position = await uow.session.scalar(
        select(ConsumerPosition.position).where(ConsumerPosition.name == NAME)
        .with_for_update())
    if position is None:
        raise Conflict("The analytics consumer has not started yet: nothing to rebuild.",
                       code="analytics_not_started")
    pruned = await log.pruned_through(uow.session)
    if pruned:
        kept_from = await uow.session.scalar(
            select(func.min(EventRecord.created_at)).where(EventRecord.id > pruned))
        if kept_from is None or kept_from > start:
            raise Conflict(f"The event log no longer holds all of {since}: rebuild from a "
                           "later day.", code="analytics_log_pruned")
    for table, column in ((DepartmentCount, DepartmentCount.day), (PairCount, PairCount.day),
                          (ActiveDay, ActiveDay.day), (ChannelDay, ChannelDay.day),
                          (MentionFact, MentionFact.day)):
        await uow.session.execute(delete(table).where(column >= since))
    await uow.session.execute(delete(HourCount).where(HourCount.hour >= start))
    # The week under way since its Monday: kept from the days before `since`.
    monday = since - timedelta(days=since.weekday())
    await uow.session.execute(delete(ActiveWeek).where(ActiveWeek.week >= monday))
    kept = {(d, u): dep for d, u, dep in await uow.session.execute(
        select(ActiveDay.day, ActiveDay.user_id, ActiveDay.department_id)
        .where(ActiveDay.day >= monday, ActiveDay.day < since))}
    await uow.insert_all_new(table_of(ActiveWeek), _weeks(kept))
    first = await uow.session.scalar(
        select(func.min(EventRecord.id)).where(EventRecord.created_at >= start))
    cursor, read = (first - 1 if first is not None else position), 0
    while cursor < position:
        events = [e for e in await log.after(uow.session, cursor, batch) if e.id <= position]
        if not events:
            break
        wanted: list[CommittedEvent] = [e for e in events if e.type in TYPES]
        if wanted:
            await consumer.handle(uow, wanted)
        cursor, read = events[-1].id, read + len(events)
    return read


def _weeks(active: dict[tuple[date, int], int]) -> list[dict[str, Any]]:
    """`ActiveWeek` rows for `ActiveDay` ones ((day, user) -> department)."""
    return [{"week": week, "department_id": dep, "user_id": u} for week, dep, u in {
        (d - timedelta(days=d.weekday()), dep, u) for (d, u), dep in active.items()}]


async def oldest_whole_day(uow: UnitOfWork, log: EventLog, zone: ZoneInfo) -> date:
    """The first company day whose events the log still holds all of (today when the log
    is empty)."""
    pruned = await log.pruned_through(uow.session)
    oldest = await uow.session.scalar(
        select(func.min(EventRecord.created_at)).where(EventRecord.id > pruned))
    if oldest is None:
        return utcnow().astimezone(zone).date()
    day = oldest.astimezone(zone).date()
    return day if not pruned else day + timedelta(days=1)
