"""HTTP shapes of meetings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
)

from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.meetings.models import ItemSource, ItemStatus, Response, Tier
from xietong.projects.schemas import Day

MAX_ATTENDEES = 500
MAX_DEPARTMENTS = 50
MAX_AGENDA_ITEMS = 50
MAX_PRE_READS = 20
MINUTES_LENGTH = 100_000

Title = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_name),
                  AfterValidator(fits(200))]
Place = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
Notes = Annotated[FreeText, StringConstraints(max_length=20_000)]
Minutes = Annotated[FreeText, StringConstraints(max_length=MINUTES_LENGTH)]


def _web_address(value: str) -> str:
    """A link people click: http(s) only (never javascript: or file:)."""
    if value and not value.lower().startswith(("https://", "http://")):
        raise ValueError("must be an http:// or https:// address")
    return value


Link = Annotated[str, StringConstraints(max_length=500, strip_whitespace=True),
                 AfterValidator(_web_address)]


def _iso_text(value: object) -> object:
    """A time in a body is ISO 8601 text with its offset, not a bare number (the server's
    own callers hand a datetime)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or value.strip().lstrip("+-").isdigit():
        raise ValueError("must be an ISO 8601 time with its offset, as text")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
RemindMinutes = Annotated[int, Field(ge=0, le=10_080, strict=True)]


class PreRead(Strict):
    title: Title
    url: Link = ""


class AgendaItemIn(Strict):
    title: Title
    owner_id: Id | None = None
    duration_minutes: Annotated[int, Field(ge=1, le=600, strict=True)] | None = None
    notes: Notes = ""
    pre_read_url: Link = ""


class AgendaItemUpdate(Strict):
    """Only the fields given change; `null` clears the owner or the duration."""

    title: Title | None = None
    owner_id: Id | None = None
    duration_minutes: Annotated[int, Field(ge=1, le=600, strict=True)] | None = None
    notes: Notes | None = None
    pre_read_url: Link | None = None
    position: Annotated[int, Field(ge=0, le=MAX_AGENDA_ITEMS, strict=True)] | None = None


class MeetingCreate(Strict):
    title: Title
    tier: Tier = Tier.CUSTOM
    starts_at: Instant
    ends_at: Instant
    location: Place = ""
    link: Link = ""
    description: Notes = ""
    attendee_ids: list[Id] = Field(default_factory=list, max_length=MAX_ATTENDEES)
    department_ids: list[Id] = Field(default_factory=list, max_length=MAX_DEPARTMENTS)
    agenda: list[AgendaItemIn] = Field(default_factory=list, max_length=MAX_AGENDA_ITEMS)
    pre_reads: list[PreRead] = Field(default_factory=list, max_length=MAX_PRE_READS)
    # A series: an RFC 5545 RRULE value with COUNT or UNTIL (FREQ=WEEKLY;INTERVAL=2;COUNT=6).
    rrule: Annotated[str, StringConstraints(max_length=500)] | None = None
    # Occurrences falling on a holiday or weekend (the business calendar's) are left out.
    skip_non_working_days: Flag = False
    remind_minutes: RemindMinutes | None = 15
    # A private channel for the meeting (the whole series) with its attendees.
    create_channel: Flag = False


class MeetingUpdate(Strict):
    """Changes this one meeting (an occurrence of a series on its own); only the fields
    given change. `attendee_ids`/`department_ids` replace the lists (answers of those who
    stay are kept)."""

    title: Title | None = None
    tier: Tier | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    location: Place | None = None
    link: Link | None = None
    description: Notes | None = None
    attendee_ids: list[Id] | None = Field(default=None, max_length=MAX_ATTENDEES)
    department_ids: list[Id] | None = Field(default=None, max_length=MAX_DEPARTMENTS)
    pre_reads: list[PreRead] | None = Field(default=None, max_length=MAX_PRE_READS)
    remind_minutes: RemindMinutes | None = None


class MinutesBody(Strict):
    minutes: Minutes


class ResponseBody(Strict):
    response: Literal["accepted", "declined", "tentative"]


class ActionItemCreate(Strict):
    title: Title
    owner_id: Id | None = None
    due_on: Day | None = None


class ActionItemUpdate(Strict):
    """A proposal's words, owner or due day; `null` clears the owner or the day."""

    title: Title | None = None
    owner_id: Id | None = None
    owner_department_id: Id | None = None
    due_on: Day | None = None


class ConfirmBody(Strict):
    """Make the item a task of `project_id` (the caller works on its tasks). Left out, the
    title, assignee (the item's owner, when a member of the project) and due day are the
    item's."""

    project_id: Id
    title: Title | None = None
    assignee_id: Id | None = None
    due_on: Day | None = None


class PreReadOut(BaseModel):
    title: str
    url: str


class AttendeeOut(BaseModel):
    user_id: int
    display_name: str
    response: Response
    responded_at: datetime | None


class InvitedDepartment(BaseModel):
    id: int
    name: str


class AgendaItemOut(BaseModel):
    id: int
    position: int
    title: str
    owner_id: int | None
    owner_name: str | None
    duration_minutes: int | None
    notes: str
    pre_read_url: str


class ActionItemOut(BaseModel):
    id: int
    meeting_id: int
    title: str
    owner_id: int | None
    owner_name: str | None
    owner_department_id: int | None
    owner_department_name: str | None
    owner_text: str | None
    due_on: date | None
    due_text: str | None
    sentence: str
    source: ItemSource
    status: ItemStatus
    task_id: int | None
    project_id: int | None
    decided_at: datetime | None
    created_at: datetime


class ActionItemList(BaseModel):
    items: list[ActionItemOut]
    next_cursor: str | None = None


class Extracted(BaseModel):
    """The meeting's action items after a run, and how many proposals it added."""

    added: int
    items: list[ActionItemOut]


class MeetingData(BaseModel):
    """A meeting as its events carry it (the same for every reader)."""

    id: int
    series_id: int | None
    title: str
    tier: Tier
    organiser_id: int
    starts_at: datetime
    ends_at: datetime
    location: str
    link: str
    cancelled: bool


class MeetingSummary(MeetingData):
    """A meeting on a calendar: with the caller's own answer (None: not invited)."""

    my_response: Response | None


class MeetingList(BaseModel):
    items: list[MeetingSummary]
    next_cursor: str | None


class SeriesOut(BaseModel):
    id: int
    rrule: str
    skip_non_working_days: bool
    occurrences: int


class MeetingActions(BaseModel):
    edit: bool
    respond: bool
    write_minutes: bool
    manage_action_items: bool


class MeetingOut(MeetingSummary):
    description: str
    organiser_name: str
    attendees: list[AttendeeOut]
    departments: list[InvitedDepartment]
    agenda: list[AgendaItemOut]
    pre_reads: list[PreReadOut]
    minutes: str
    minutes_updated_at: datetime | None
    # The minutes as a documents page (null: none yet; `minutes` is then the Markdown).
    minutes_page_id: int | None
    # The page's first words, for a caller who may read it (null otherwise).
    minutes_preview: str | None
    remind_minutes: int | None
    channel_id: int | None
    series: SeriesOut | None
    previous_meeting_id: int | None
    # The open action items of the series' previous meeting: where this one starts.
    carried_over: list[ActionItemOut]
    can: MeetingActions


class FeedOut(BaseModel):
    """The caller's calendar address (shown once: only its hash is kept)."""

    path: str
    token: str
