"""Tables of 员工之声: suggestions, kudos and showcase cases.

A suggestion row holds what was said, to whom, and the day — never who, from where or at
what time: no author id, no timestamp finer than the date, and the receipt only as its
SHA-256 (the code itself is shown once to the author and kept nowhere).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xietong.chat.models import MessageId
from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class SuggestionCategory(StrEnum):
    WORKPLACE = "workplace"  # 办公环境
    PROCESS = "process"  # 流程制度
    MANAGEMENT = "management"  # 管理沟通
    PRODUCT = "product"  # 产品与客户
    WELFARE = "welfare"  # 福利关怀
    OTHER = "other"  # 其他


class SuggestionStatus(StrEnum):
    OPEN = "open"  # waiting for the department's answer
    ANSWERED = "answered"


class KudosValue(StrEnum):
    """The company's values a kudos is given for."""

    CUSTOMER_FIRST = "customer_first"  # 客户第一
    TEAMWORK = "teamwork"  # 团队合作
    EXCELLENCE = "excellence"  # 追求卓越
    INTEGRITY = "integrity"  # 诚信
    OWNERSHIP = "ownership"  # 担当


class ShowcaseKind(StrEnum):
    PAGE = "page"  # a documents page
    MESSAGE = "message"  # a chat message


class Suggestion(Base):
    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_department_id_id", "department_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Addressed to (the department that answers it).
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(16), default=SuggestionCategory.OTHER.value)
    body: Mapped[str] = mapped_column(Text)
    # The author's own department, only when they chose to say it and it has at least
    # `policy.feedback.MIN_GROUP_SIZE` people.
    from_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    # The company-local day it was written: the only time kept of it.
    submitted_on: Mapped[date] = mapped_column(Date)
    receipt_digest: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=SuggestionStatus.OPEN.value)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Kudos(Base):
    """感谢/表扬 to a person or to a team (a department): exactly one of the two is set."""

    __tablename__ = "kudos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                          index=True)
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ShowcaseCase(Base):
    """A page or message an administrator holds up as a best practice. Only a link: the
    page's or message's own permissions decide who sees the case at all."""

    __tablename__ = "showcase_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    page_id: Mapped[int | None] = mapped_column(
        ForeignKey("doc_pages.id", ondelete="CASCADE"), unique=True)
    message_id: Mapped[int | None] = mapped_column(
        MessageId, ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text, default="")
    promoted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
