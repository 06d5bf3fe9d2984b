"""HTTP shapes of announcements."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints

from xietong.announcements.models import AnnouncementStatus, Importance
from xietong.approvals.schemas import ApprovalSummary
from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.files.schemas import FileOut

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_TARGETS = 50
MAX_FILES = 10


def _visible_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Title = Annotated[str, StringConstraints(max_length=MAX_TITLE), AfterValidator(clean_name),
                  AfterValidator(fits(MAX_TITLE))]
Body = Annotated[FreeText, StringConstraints(max_length=MAX_BODY), AfterValidator(_visible_text)]


class AudienceIn(Strict):
    """Whom it addresses: the whole company (guests aside), departments (with the
    departments below them) and announcement channels; at least one of them."""

    company: Flag = False
    department_ids: list[Id] = Field(default_factory=list, max_length=MAX_TARGETS)
    channel_ids: list[Id] = Field(default_factory=list, max_length=MAX_TARGETS)


class AnnouncementCreate(Strict):
    title: Title
    # Markdown.
    body: Body
    importance: Importance = Importance.NORMAL
    audience: AudienceIn
    # Uploads of the author's (`POST /api/v1/files`): an image for the cover.
    cover_file_id: Id | None = None
    file_ids: list[Id] = Field(default_factory=list, max_length=MAX_FILES)
    # None: publish as soon as it is approved. Both must lie ahead; expiry after publishing.
    publish_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    requires_ack: Flag = False


class AnnouncementUpdate(Strict):
    """What changes in a draft; a field left out stays. `null` clears the cover, the
    publish time (publish on approval) and the expiry."""

    title: Title | None = None
    body: Body | None = None
    importance: Importance | None = None
    audience: AudienceIn | None = None
    cover_file_id: Id | None = None
    file_ids: list[Id] | None = Field(default=None, max_length=MAX_FILES)
    publish_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    requires_ack: Flag | None = None


class Box(StrEnum):
    # What the caller's audience sees now (and what they published), important first.
    PUBLISHED = "published"
    # The caller's own not yet published: drafts, in review, scheduled.
    DRAFTS = "drafts"
    # The caller's own published ones, expired too (read tracking).
    MINE = "mine"
    # Those whose review waits for the caller's decision.
    REVIEW = "review"


class NamedRef(BaseModel):
    id: int
    name: str


class AudienceOut(BaseModel):
    company: bool
    departments: list[NamedRef]
    channels: list[NamedRef]


class AnnouncementOut(BaseModel):
    id: int
    title: str
    body: str
    body_html: str
    importance: Importance
    audience: AudienceOut
    cover: FileOut | None
    files: list[FileOut]
    requires_ack: bool
    status: AnnouncementStatus
    # Published and past its expiry: its audience no longer sees it.
    expired: bool
    publish_at: datetime | None
    expires_at: datetime | None
    published_at: datetime | None
    author_id: int
    author_name: str
    created_at: datetime
    updated_at: datetime
    # Why its last review sent it back, for its author.
    review_comment: str | None
    # Its review under way or last concluded (None: never submitted).
    approval: ApprovalSummary | None
    # The caller's own receipt.
    read_at: datetime | None
    acknowledged_at: datetime | None
    # The caller is among its audience (their opening it counts as a read).
    in_audience: bool
    # What the caller may do with it.
    can_edit: bool
    can_track: bool
    can_acknowledge: bool


class AnnouncementPage(BaseModel):
    items: list[AnnouncementOut]
    next_cursor: str | None


class DepartmentReceipts(BaseModel):
    """The audience of one (primary) department: how many, how many read, acknowledged.
    `department_id` None: people in no department."""

    department_id: int | None
    name: str
    total: int
    read: int
    acknowledged: int


class PendingPerson(BaseModel):
    user_id: int
    display_name: str
    department_id: int | None
    read_at: datetime | None


class ReceiptsOut(BaseModel):
    total: int
    read: int
    acknowledged: int
    requires_ack: bool
    departments: list[DepartmentReceipts]
    # Who has not acknowledged yet (has not read, where no acknowledgement is asked).
    pending: list[PendingPerson]


class Reminded(BaseModel):
    user_ids: list[int]


class SettingsOut(BaseModel):
    # Whose manager reviews company-wide announcements before an administrator (人力资源部).
    review_department_id: int | None


class SettingsChange(Strict):
    review_department_id: Id | None
