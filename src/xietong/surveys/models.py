"""Tables of surveys: the survey, its questions, its audience (who may answer, and whether
they have), and the responses with their answers.

An anonymous survey's responses carry no respondent, no time and no id that follows the
order they came in (`SurveyResponse.id` is random); who has answered is only the
`answered` flag of the audience row, which shares nothing with a response. So the
database can say that someone answered, and what was answered, but not who answered what."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xietong.chat.models import MessageId
from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class SurveyKind(StrEnum):
    SURVEY = "survey"
    # One choice question, created from a channel and voted on in its card.
    POLL = "poll"


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"  # 1 to 5
    NPS = "nps"  # 0 to 10, "how likely would you recommend …"
    TEXT = "text"


class AudienceKind(StrEnum):
    COMPANY = "company"
    DEPARTMENTS = "departments"
    CHANNEL = "channel"


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_creator_id_id", "creator_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=SurveyKind.SURVEY.value)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    audience_kind: Mapped[str] = mapped_column(String(16))
    # The departments chosen (with those below them), for `departments`.
    audience_department_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The channel whose members were asked (and where its message was posted).
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"),
                                                   index=True)
    message_id: Mapped[int | None] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="SET NULL"))
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Respondents see the results too (polls start so).
    results_published: Mapped[bool] = mapped_column(Boolean, default=False)
    response_count: Mapped[int] = mapped_column(Integer, default=0)
    audience_size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    __table_args__ = (Index("ix_survey_questions_survey_id_position", "survey_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # [{"id": 1, "label": "..."}] for choice questions, numbered from 1 in their order.
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class SurveyAudience(Base):
    """Someone asked to answer, fixed when the survey is created, and whether they have.
    No id and no time: nothing here follows the order in which people answered."""

    __tablename__ = "survey_audience"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyResponse(Base):
    """One person's answers. Anonymous: no `respondent_id`, no `submitted_at`, and the id
    is random (`actions.new_response_id`), so neither time nor order ties it to anyone."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "respondent_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # The respondent's primary department when they answered, for the breakdown.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True, index=True)
    option_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
