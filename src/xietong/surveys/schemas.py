"""HTTP shapes of surveys and votes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.surveys.models import AudienceKind, QuestionKind, SurveyKind

# Limits a builder never reaches and a hostile client is refused at (422).
MAX_QUESTIONS = 50
MAX_OPTIONS = 30
MAX_DEPARTMENTS = 100
MAX_TEXT_ANSWER = 2_000

Title = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_name),
                  AfterValidator(fits(200))]
QuestionTitle = Annotated[str, StringConstraints(max_length=300), AfterValidator(clean_name),
                          AfterValidator(fits(300))]
OptionLabel = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_name),
                        AfterValidator(fits(200))]
Description = Annotated[FreeText, StringConstraints(max_length=5_000)]
TextAnswer = Annotated[FreeText, StringConstraints(max_length=MAX_TEXT_ANSWER)]
# Any integer a question could want, bounded so the column takes it; the question's own
# range (1–5, 0–10) is checked against its kind.
AnswerValue = Annotated[int, Field(ge=-1_000, le=1_000, strict=True)]


class QuestionIn(Strict):
    kind: QuestionKind
    title: QuestionTitle
    required: Flag = True
    # A choice question's options, in order (2 to 30); none for the other kinds.
    options: Annotated[list[OptionLabel], Field(max_length=MAX_OPTIONS)] = Field(
        default_factory=list)


class AudienceIn(Strict):
    """Who is asked: the company, or departments (with those below them). A channel's
    members are asked by giving the survey's `channel_id` instead."""

    kind: Literal[AudienceKind.COMPANY, AudienceKind.DEPARTMENTS]
    department_ids: Annotated[list[Id], Field(max_length=MAX_DEPARTMENTS)] = Field(
        default_factory=list)


class SurveyCreate(Strict):
    kind: SurveyKind = SurveyKind.SURVEY
    title: Title
    description: Description = ""
    anonymous: Flag = False
    # In the future (a refusal otherwise); none: open until closed.
    deadline: datetime | None = None
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=MAX_QUESTIONS)]
    # Ask the company or departments …
    audience: AudienceIn | None = None
    # … or this channel's members, posting the survey (a poll: its card) in the channel.
    channel_id: Id | None = None
    # Respondents see the results too (default: yes for a poll, no for a survey).
    results_published: Flag | None = None


class SurveyUpdate(Strict):
    title: Title | None = None
    description: Description | None = None
    deadline: datetime | None = None
    # Replaces every question; refused once someone has answered.
    questions: Annotated[list[QuestionIn] | None,
                         Field(min_length=1, max_length=MAX_QUESTIONS)] = None
    results_published: Flag | None = None


class AnswerIn(Strict):
    question_id: Id
    # A choice question's chosen options (one for `single`).
    option_ids: Annotated[list[Id], Field(max_length=MAX_OPTIONS)] = Field(
        default_factory=list)
    # A `scale` (1–5) or `nps` (0–10) question's answer.
    value: AnswerValue | None = None
    # A `text` question's answer.
    text: TextAnswer | None = None


class ResponseCreate(Strict):
    answers: Annotated[list[AnswerIn], Field(max_length=MAX_QUESTIONS)]


class OptionOut(BaseModel):
    id: int
    label: str


class QuestionOut(BaseModel):
    id: int
    kind: QuestionKind
    title: str
    required: bool
    options: list[OptionOut]


class AudienceOut(BaseModel):
    kind: AudienceKind
    department_ids: list[int]
    channel_id: int | None


SurveyAction = Literal["edit", "close", "delete", "results"]


class SurveyCard(BaseModel):
    """A survey in a list, and the caller's part in it."""

    id: int
    kind: SurveyKind
    title: str
    anonymous: bool
    creator_id: int | None
    deadline: datetime | None
    closed: bool
    closed_at: datetime | None
    results_published: bool
    response_count: int
    audience_size: int
    question_count: int
    created_at: datetime
    # The caller was asked / has answered / may answer now (asked, not yet, still open).
    in_audience: bool
    answered: bool
    may_answer: bool
    can: list[SurveyAction]


class SurveyOut(SurveyCard):
    description: str
    audience: AudienceOut
    channel_id: int | None
    message_id: int | None
    questions: list[QuestionOut]
    # Questions may still change (nobody has answered).
    questions_editable: bool


class SurveyPage(BaseModel):
    items: list[SurveyCard]
    next_cursor: str | None


class OptionCount(BaseModel):
    option_id: int
    label: str
    count: int


class QuestionResult(BaseModel):
    question_id: int
    kind: QuestionKind
    title: str
    # How many responses answered it.
    answered: int
    # Choice questions: each option's count.
    options: list[OptionCount]
    # Scale: how many chose 1…5; NPS: 0…10.
    distribution: list[int]
    average: float | None
    # NPS: promoters' share minus detractors', in percent (-100 … 100).
    nps: float | None
    # Text answers (None where they are withheld: an anonymous survey's small group).
    texts: list[str] | None


class DepartmentResult(BaseModel):
    department_id: int | None
    name: str
    responses: int
    questions: list[QuestionResult]


class SurveyResults(BaseModel):
    survey_id: int
    anonymous: bool
    responses: int
    audience_size: int
    # An anonymous survey shows nothing but the count below this many responses, and no
    # department with fewer.
    min_group_size: int
    below_minimum: bool
    questions: list[QuestionResult]
    departments: list[DepartmentResult]
    # Departments left out of the breakdown for being smaller than the minimum.
    departments_withheld: int


class SurveySummary(BaseModel):
    """A survey as its card in chat shows it: a poll with its question and, for those who
    may see them, its counts."""

    id: int
    kind: SurveyKind
    title: str
    anonymous: bool
    deadline: datetime | None
    closed: bool
    response_count: int
    audience_size: int
    answered: bool
    may_answer: bool
    # The poll's question (None for a survey: it is filled in on its page).
    question: QuestionOut | None
    # The poll's counts, for those who may see its results (None otherwise, or while an
    # anonymous poll has fewer responses than the minimum).
    counts: list[OptionCount] | None
    # The caller's own choices (a named poll; None otherwise).
    my_choices: list[int] | None


class SurveySummaries(BaseModel):
    items: list[SurveySummary]
