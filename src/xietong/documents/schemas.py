"""HTTP shapes of documents."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Literal, Self

import emoji
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.documents.models import Classification, GrantLevel, SpaceKind, Subject, VersionKind
from xietong.documents.templates import TemplateKey

TITLE_LENGTH = 200
Title = Annotated[str, StringConstraints(max_length=TITLE_LENGTH), AfterValidator(clean_name),
                  AfterValidator(fits(TITLE_LENGTH))]
SpaceName = Annotated[str, StringConstraints(max_length=80), AfterValidator(clean_name),
                      AfterValidator(fits(80))]
Description = Annotated[FreeText, StringConstraints(max_length=2_000)]
MAX_GRANTS = 100


def clean_icon(value: str) -> str:
    """An icon is one emoji (📘, 👩‍💻, 🇨🇳), or nothing."""
    value = value.strip()
    if value and not emoji.is_emoji(value):
        raise ValueError("must be a single emoji, or empty")
    return value


Icon = Annotated[str, StringConstraints(max_length=32), AfterValidator(clean_icon)]
# A review cadence in days: from a day to ten years.
Cadence = Annotated[int, Field(ge=1, le=3650, strict=True)]
# Who may do what on a page or space, as the caller has it ("none": they see the space only
# through some of its pages).
LevelName = Literal["none", "view", "comment", "edit", "manage"]


class GrantIn(Strict):
    """A level given to a person (`subject: "user"` with `user_id`), a department
    (`"department"` with `department_id`: its people and those of the departments below it)
    or everyone in the company (`"everyone"`; never guests)."""

    subject: Subject
    user_id: Id | None = None
    department_id: Id | None = None
    level: GrantLevel

    @model_validator(mode="after")
    def _subject_named(self) -> Self:
        if (self.user_id is not None) != (self.subject == Subject.USER):
            raise ValueError('user_id names the person of a "user" grant, and only that')
        if (self.department_id is not None) != (self.subject == Subject.DEPARTMENT):
            raise ValueError('department_id names the department of a "department" grant, '
                             "and only that")
        return self


class GrantOut(BaseModel):
    subject: Subject
    user_id: int | None
    department_id: int | None
    level: GrantLevel


# --- spaces --------------------------------------------------------------------------------

class SpaceCreate(Strict):
    """A shared space. `grants` default: everyone in the company may view it (its creator
    owns and manages it); with `department_id` (instead of `grants`), a space for that
    department's work: its people edit, the company views."""

    name: SpaceName
    description: Description = ""
    icon: Icon = ""
    grants: list[GrantIn] | None = Field(default=None, max_length=MAX_GRANTS)
    department_id: Id | None = None

    @model_validator(mode="after")
    def _grants_or_department(self) -> Self:
        if self.grants is not None and self.department_id is not None:
            raise ValueError("give grants or a department_id, not both")
        return self


class SpaceUpdate(Strict):
    """A department space's name follows its department, and its owners are the
    department's managers: `name` and `owner_id` are for shared spaces."""

    name: SpaceName | None = None
    description: Description | None = None
    icon: Icon | None = None
    owner_id: Id | None = None
    archived: Flag | None = None


class SpaceData(BaseModel):
    """A space as everyone who reads it is told (events carry this)."""

    id: int
    kind: SpaceKind
    department_id: int | None
    name: str
    description: str
    icon: str
    # Its owners: a shared space's owner, a department space's managers.
    owner_ids: list[int]
    archived: bool
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class SpaceOut(SpaceData):
    page_count: int
    level: LevelName
    # What the caller may do: create_pages, edit (name, description, icon), manage
    # (permissions, owner, archive).
    can: list[str]


class SpaceList(BaseModel):
    items: list[SpaceOut]


class SpacePermissionsIn(Strict):
    grants: list[GrantIn] = Field(max_length=MAX_GRANTS)


class SpacePermissions(BaseModel):
    grants: list[GrantOut]
    # Who manages it whatever its grants say: its owners (administrators too, not listed).
    owner_ids: list[int]


class SpaceRef(BaseModel):
    id: int
    name: str
    icon: str
    archived: bool


# --- the tree ------------------------------------------------------------------------------

class TreeNode(BaseModel):
    id: int
    # The nearest page above it that the caller sees (None: the top of the space).
    parent_id: int | None
    title: str
    rank: str
    icon: str
    has_children: bool
    updated_at: datetime


class PageTree(BaseModel):
    """A space's live pages the caller sees, parents before their children, siblings in
    order (depth first)."""

    space_id: int
    items: list[TreeNode]


# --- pages ---------------------------------------------------------------------------------

class PageCreate(Strict):
    """A page at the top of `space_id` or under `parent_id` (a page of that space), last
    among its siblings or right after `after_id`. A template fills its title (unless one is
    given) and its first words."""

    space_id: Id
    parent_id: Id | None = None
    title: Title | None = None
    template: TemplateKey | None = None
    icon: Icon = ""
    classification: Classification = Classification.INTERNAL
    after_id: Id | None = None


class PageUpdate(Strict):
    title: Title | None = None
    icon: Icon | None = None
    classification: Classification | None = None


class PageMove(Strict):
    """Where the page goes: under `parent_id` (null: the top of the space; left out: its
    parent now), in `space_id` (left out: the parent's space, or its own), right after
    `after_id` among its new siblings (null or left out: first)."""

    parent_id: Id | None = None
    space_id: Id | None = None
    after_id: Id | None = None


class PagePermissionsIn(Strict):
    """`inherit: true` (and no grants): the page takes its parent's grants again.
    `inherit: false`: only `grants` apply to it and to the pages under it that inherit
    (none: only the space's managers)."""

    inherit: Flag
    grants: list[GrantIn] = Field(default_factory=list, max_length=MAX_GRANTS)


class PermissionEntry(Strict):
    """One line of the published contract's `PUT /docs/{id}/permissions`: a level for a
    person, a department or everyone — exactly one of the three named."""

    user_id: Id | None = None
    department_id: Id | None = None
    everyone: Literal[True] | None = None
    level: GrantLevel

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        named = [self.user_id is not None, self.department_id is not None,
                 self.everyone is not None]
        if named.count(True) != 1:
            raise ValueError("name one of user_id, department_id or everyone")
        return self

    def grant(self) -> GrantIn:
        if self.user_id is not None:
            return GrantIn(subject=Subject.USER, user_id=self.user_id, level=self.level)
        if self.department_id is not None:
            return GrantIn(subject=Subject.DEPARTMENT, department_id=self.department_id,
                           level=self.level)
        return GrantIn(subject=Subject.EVERYONE, level=self.level)


class PermissionEntries(Strict):
    """The page's own grants, replacing whatever it had or inherited (`PUT
    /pages/{id}/permissions` with `inherit: false`)."""

    entries: list[PermissionEntry] = Field(max_length=MAX_GRANTS)

    def as_permissions(self) -> PagePermissionsIn:
        return PagePermissionsIn(inherit=False, grants=[e.grant() for e in self.entries])


class PagePermissions(BaseModel):
    inherit: bool
    # Its own grants (none while it inherits).
    grants: list[GrantOut]
    # While it inherits: the page whose grants it takes (None: the space's).
    inherited_from_page_id: int | None
    # The grants that decide who sees it now.
    effective: list[GrantOut]
    # Who manage it whatever the grants: the space's owners (and administrators).
    owner_ids: list[int]


class FreshnessIn(Strict):
    """Who keeps the page current and how often it is reviewed (null: nobody / never)."""

    owner_id: Id | None = None
    review_every_days: Cadence | None = None


class Breadcrumb(BaseModel):
    id: int
    title: str
    icon: str


class PageData(BaseModel):
    """A page as everyone who reads it is told (events carry this; no text)."""

    id: int
    space_id: int
    parent_id: int | None
    title: str
    icon: str
    rank: str
    classification: Classification
    # It has grants of its own.
    restricted: bool
    content_version: int
    owner_id: int | None
    review_every_days: int | None
    reviewed_at: datetime | None
    # When its next review is due: its last review (or its making) plus its cadence.
    review_due_at: datetime | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    edited_at: datetime | None
    edited_by: int | None
    deleted: bool


class PageOut(PageData):
    """A page as `GET /pages/{id}` shows it, with its derived text and Markdown."""

    text: str
    markdown: str
    space: SpaceRef
    # The pages above it the caller sees, from the top of the space down.
    breadcrumbs: list[Breadcrumb]
    level: LevelName
    # What the caller may do: comment, edit (title, icon, move, trash, freshness), manage
    # (permissions), classify, review, export, share_by_link.
    can: list[str]
    favourite: bool
    stale: bool


class TrashItem(BaseModel):
    id: int
    parent_id: int | None
    title: str
    icon: str
    deleted_at: datetime
    deleted_by: int | None
    # How many pages went to the trash with it (itself included).
    page_count: int
    can_restore: bool


class TrashList(BaseModel):
    items: list[TrashItem]


class StalePage(BaseModel):
    id: int
    title: str
    icon: str
    owner_id: int | None
    review_every_days: int
    reviewed_at: datetime | None
    review_due_at: datetime
    overdue_days: int


class StaleList(BaseModel):
    items: list[StalePage]


class PageRef(BaseModel):
    """A page in someone's favourites or recently viewed list."""

    id: int
    title: str
    icon: str
    space_id: int
    space_name: str
    updated_at: datetime
    # When it was starred, or last viewed.
    at: datetime


class PageRefList(BaseModel):
    items: list[PageRef]


# How many pages one `GET /page-summaries` answers (a screen of messages' links).
MAX_PAGE_SUMMARIES = 100


class LinkedPage(BaseModel):
    """A page as a chat message linking to it shows it."""

    id: int
    title: str
    icon: str
    space_id: int
    space_name: str
    classification: Classification
    updated_at: datetime


class LinkedPages(BaseModel):
    """The pages asked for that the caller may read, in id order (the others left out)."""

    items: list[LinkedPage]


class TemplateOut(BaseModel):
    key: TemplateKey
    name: str
    name_en: str
    description: str
    title: str
    markdown: str


class TemplateList(BaseModel):
    items: list[TemplateOut]


# --- versions ---------------------------------------------------------------------------


class VersionCreate(Strict):
    name: str = Field(min_length=1, max_length=100)


class VersionOut(BaseModel):
    id: int
    page_id: int
    kind: VersionKind
    name: str | None
    created_by: int | None
    created_at: datetime
    # Who changed the page since the version before.
    editor_ids: list[int]
    characters: int


class VersionDetail(VersionOut):
    text: str
    markdown: str


class VersionList(BaseModel):
    items: list[VersionOut]
    next_cursor: str | None


class DiffLine(BaseModel):
    op: Literal["equal", "insert", "delete"]
    text: str


class VersionDiff(BaseModel):
    """From one version to another (`to_id` None: to the page as it is now), line by line
    of their Markdown."""

    from_id: int
    to_id: int | None
    inserted: int
    deleted: int
    lines: list[DiffLine]


# --- comments ----------------------------------------------------------------------------

CommentText = Annotated[FreeText, StringConstraints(min_length=1, max_length=10_000)]
# The text a range comment quotes (the client cuts a longer selection to this).
QUOTE_LENGTH = 1_000
Quote = Annotated[FreeText, StringConstraints(min_length=1, max_length=QUOTE_LENGTH)]
# A Yjs relative position, encoded (Y.encodeRelativePosition) then base64: a few dozen bytes;
# the cap keeps a comment from carrying anything else.
POSITION_BYTES = 512


def decode_position(value: str) -> bytes:
    """The bytes of a base64 relative position (standard alphabet, padded), or ValueError."""
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ValueError("must be base64") from None
    if not raw or len(raw) > POSITION_BYTES:
        raise ValueError(f"must hold 1 to {POSITION_BYTES} bytes")
    return raw


def check_position(value: str) -> str:
    decode_position(value)
    return value


Position = Annotated[str, StringConstraints(min_length=1, max_length=4 * POSITION_BYTES // 3 + 4),
                     AfterValidator(check_position)]


class PageCommentAnchor(BaseModel):
    """A range of the page: the text it quoted when the thread began, and where it starts
    and ends as Yjs relative positions (base64), which follow the text through edits."""

    quote: Quote
    start: Position
    end: Position


class PageCommentAnchorIn(PageCommentAnchor, Strict):
    pass


class PageThreadCreate(Strict):
    """A new thread: on the page as a whole (no `anchor`) or on a range of it."""

    text: CommentText
    anchor: PageCommentAnchorIn | None = None


class PageCommentBody(Strict):
    text: CommentText


class PageCommentOut(BaseModel):
    id: int
    thread_id: int
    author_id: int | None
    text: str
    html: str
    # The people it mentions (those who may read the page).
    mentioned_ids: list[int]
    created_at: datetime
    edited_at: datetime | None


class PageThreadOut(BaseModel):
    """A thread: its first comment and the replies, oldest first (`comments[0]` began it)."""

    id: int
    page_id: int
    anchor: PageCommentAnchor | None
    resolved_at: datetime | None
    resolved_by: int | None
    comments: list[PageCommentOut]


class PageThreadList(BaseModel):
    """The page's threads in the order they began (the client orders them by where their
    ranges are); the counts are of the whole page, whatever the filter."""

    items: list[PageThreadOut]
    open_count: int
    resolved_count: int
