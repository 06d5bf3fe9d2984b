"""HTTP shapes of the glossary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, JsonValue, StringConstraints

from xietong.core.ids import Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.glossary.models import TermStatus, TermVisibility
from xietong.org.schemas import DepartmentRef

MAX_ALIASES = 20
MAX_EXAMPLES = 10
MAX_OWNERS = 10
MAX_DEFINITION = 10_000
MAX_RECOGNISED_TEXT = 20_000


def _optional_name(value: str) -> str:
    """Blank is none (""); anything else a clean name."""
    return clean_name(value) if value.strip() else ""


def _visible_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


# A term or an alias: one line of up to 64 characters.
TermName = Annotated[str, StringConstraints(max_length=64), AfterValidator(clean_name),
                     AfterValidator(fits(64))]
English = Annotated[str, StringConstraints(max_length=128), AfterValidator(_optional_name),
                    AfterValidator(fits(128))]
Definition = Annotated[FreeText, StringConstraints(max_length=MAX_DEFINITION),
                       AfterValidator(_visible_text)]
Example = Annotated[str, StringConstraints(max_length=500), AfterValidator(clean_name),
                    AfterValidator(fits(500))]


class TermCreate(Strict):
    term: TermName
    aliases: list[TermName] = Field(default_factory=list, max_length=MAX_ALIASES)
    english: English = ""
    # Markdown, rendered and sanitised as a task's description is.
    definition: Definition
    examples: list[Example] = Field(default_factory=list, max_length=MAX_EXAMPLES)
    # Default: the creator's own (primary) department.
    department_id: Id | None = None
    # Default: the department's managers (or the creator, when it has none).
    owner_ids: list[Id] | None = Field(default=None, max_length=MAX_OWNERS)
    visibility: TermVisibility = TermVisibility.COMPANY


class TermUpdate(Strict):
    """What changes; a field left out stays. `replaced_by_id: null` drops the pointer."""

    term: TermName | None = None
    aliases: list[TermName] | None = Field(default=None, max_length=MAX_ALIASES)
    english: English | None = None
    definition: Definition | None = None
    examples: list[Example] | None = Field(default=None, max_length=MAX_EXAMPLES)
    department_id: Id | None = None
    owner_ids: list[Id] | None = Field(default=None, max_length=MAX_OWNERS)
    visibility: TermVisibility | None = None
    status: TermStatus | None = None
    # A deprecated term's successor ("use X instead").
    replaced_by_id: Id | None = None


class TermRef(BaseModel):
    id: int
    term: str


class TermData(BaseModel):
    """A term as everyone who reads it is told (events carry this)."""

    id: int
    term: str
    aliases: list[str]
    english: str
    definition: str
    # Safe HTML of the definition (Markdown rendered, then sanitised).
    definition_html: str
    examples: list[str]
    # None once its department was deleted.
    department: DepartmentRef | None
    owner_ids: list[int]
    visibility: TermVisibility
    status: TermStatus
    replaced_by_id: int | None
    follower_count: int
    created_by: int | None
    created_at: datetime
    updated_by: int | None
    updated_at: datetime


class TermOut(TermData):
    # The successor, when the caller may read it.
    replaced_by: TermRef | None
    following: bool
    # What the caller may do: edit, delete.
    can: list[str]


class TermListItem(BaseModel):
    """A term as the list shows it: the definition cut to a line."""

    id: int
    term: str
    aliases: list[str]
    english: str
    excerpt: str
    department: DepartmentRef | None
    visibility: TermVisibility
    status: TermStatus
    follower_count: int
    following: bool
    updated_at: datetime


class TermPage(BaseModel):
    items: list[TermListItem]
    next_cursor: str | None


class TermCard(BaseModel):
    """What a hover card over a recognised term shows."""

    id: int
    term: str
    english: str
    aliases: list[str]
    # The definition as plain text, cut to about two lines.
    excerpt: str
    department: DepartmentRef | None
    status: TermStatus
    replaced_by: TermRef | None
    # The term's page in the web app.
    link: str


class FieldChange(BaseModel):
    field: str
    before: JsonValue
    after: JsonValue


class RevisionOut(BaseModel):
    id: int
    actor_id: int | None
    # "created" or "updated".
    change: str
    changes: list[FieldChange]
    created_at: datetime


class RevisionPage(BaseModel):
    items: list[RevisionOut]
    next_cursor: str | None


class FollowState(BaseModel):
    following: bool
    follower_count: int


class RecogniseBody(Strict):
    # Any text a message may hold (a message, a screen of messages joined by line breaks);
    # "" finds nothing.
    text: str = Field(max_length=MAX_RECOGNISED_TEXT)


class RecognisedTerm(BaseModel):
    """`text[start:end]` names the term (offsets in code points: a character outside the
    BMP, an emoji, counts once, as in Python; JavaScript counts it twice)."""

    start: int
    end: int
    term_id: int
    # The term's own name (the text may have used an alias or another width or case).
    term: str


class Recognised(BaseModel):
    items: list[RecognisedTerm]
