"""HTTP shapes of 员工之声."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints, model_validator

from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.feedback.models import (
    KudosValue,
    ShowcaseKind,
    SuggestionCategory,
    SuggestionStatus,
)
from xietong.org.schemas import DepartmentRef

MAX_SUGGESTION = 2_000
MAX_ANSWER = 2_000
MAX_KUDOS_MESSAGE = 500
MAX_SUMMARY = 1_000


def _visible_text(value: str) -> str:
    """Trimmed, and not blank."""
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def _trimmed(value: str) -> str:
    return value.strip()


SuggestionText = Annotated[FreeText, StringConstraints(max_length=MAX_SUGGESTION),
                           AfterValidator(_visible_text)]
AnswerText = Annotated[FreeText, StringConstraints(max_length=MAX_ANSWER),
                       AfterValidator(_visible_text)]
KudosText = Annotated[FreeText, StringConstraints(max_length=MAX_KUDOS_MESSAGE),
                      AfterValidator(_visible_text)]
CaseTitle = Annotated[str, StringConstraints(max_length=100), AfterValidator(clean_name),
                      AfterValidator(fits(100))]
CaseSummary = Annotated[FreeText, StringConstraints(max_length=MAX_SUMMARY),
                        AfterValidator(_trimmed)]
# A receipt as the author may type it back: dashes, spaces and case do not matter.
ReceiptCode = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class PersonRef(BaseModel):
    id: int
    display_name: str


# Suggestions

class SuggestionCreate(Strict):
    department_id: Id
    category: SuggestionCategory = SuggestionCategory.OTHER
    body: SuggestionText
    # Say which department it comes from (the author's primary one), only allowed when
    # that department has at least `min_group_size` people.
    share_department: Flag = False


class SuggestionCreated(BaseModel):
    id: int
    # Shown once: the only way to find this suggestion again as its author.
    receipt: str


class ReceiptLookup(Strict):
    receipt: ReceiptCode


class SuggestionAnswer(Strict):
    answer: AnswerText


class SuggestionOut(BaseModel):
    id: int
    department: DepartmentRef
    category: SuggestionCategory
    body: str
    from_department: DepartmentRef | None
    # The day only: no finer time is kept.
    submitted_on: date
    status: SuggestionStatus
    answer: str | None
    answered_by: PersonRef | None
    answered_at: datetime | None
    can_answer: bool


class SuggestionPage(BaseModel):
    items: list[SuggestionOut]
    next_cursor: str | None


class DepartmentSuggestionCount(BaseModel):
    department: DepartmentRef
    total: int
    answered: int


class FromDepartmentCount(BaseModel):
    department: DepartmentRef
    count: int


class SuggestionStats(BaseModel):
    # No breakdown by the authors' departments is shown for a group smaller than this.
    min_group_size: int
    total: int
    answered: int
    # Addressed to each department (the departments answer in public; no author in it).
    by_department: list[DepartmentSuggestionCount]
    # Where they come from, for the authors who said so, per department of at least
    # `min_group_size` people now; the rest are counted in `from_unnamed`.
    from_departments: list[FromDepartmentCount]
    from_unnamed: int


# Kudos

class KudosCreate(Strict):
    """To a person (`recipient_id`) or a team (`department_id`): exactly one of the two."""

    recipient_id: Id | None = None
    department_id: Id | None = None
    value: KudosValue
    message: KudosText

    @model_validator(mode="after")
    def _one_recipient(self) -> KudosCreate:
        if (self.recipient_id is None) == (self.department_id is None):
            raise ValueError("give kudos to a person (recipient_id) or a team (department_id)")
        return self


class KudosOut(BaseModel):
    id: int
    giver: PersonRef
    recipient: PersonRef | None
    department: DepartmentRef | None
    value: KudosValue
    message: str
    created_at: datetime


class KudosPage(BaseModel):
    items: list[KudosOut]
    next_cursor: str | None


class DepartmentKudosCount(BaseModel):
    department: DepartmentRef
    count: int


class ValueCount(BaseModel):
    value: KudosValue
    count: int


class KudosStats(BaseModel):
    # The period, as company-local days, `to` included.
    start: date
    end: date
    total: int
    # A person's kudos count for their primary department; a team's for the team.
    by_department: list[DepartmentKudosCount]
    by_value: list[ValueCount]


# Showcase

class ShowcaseCreate(Strict):
    kind: ShowcaseKind
    # The page's or the message's id.
    target_id: Id
    title: CaseTitle
    summary: CaseSummary = ""


class ShowcaseOut(BaseModel):
    id: int
    kind: ShowcaseKind
    target_id: int
    title: str
    summary: str
    # Where the web client opens the page or message.
    link: str
    promoted_by: PersonRef | None
    created_at: datetime


class ShowcaseList(BaseModel):
    items: list[ShowcaseOut]
