"""Tables of the organisation: departments, users, memberships and managers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, false, func, text
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.actor import Role
from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    # Order among siblings, as an administrator arranged them.
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # Sibling names are unique; roots (parent NULL) count as siblings of each other.
        Index("uq_departments_sibling_name", func.coalesce(parent_id, 0), name, unique=True),
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(100))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Made by installing (`xietong ensure-owner`, or `create-admin` given no name), not known
    # to be a person: left out of colleagues' directory until it becomes one (edits its
    # profile, or joins a department). Administrators still find it.
    setup_account: Mapped[bool] = mapped_column(Boolean, default=False,
                                                server_default=false())
    # Not a person: a system account (the 协同助手 that posts cards). It has no password,
    # and no directory, picker or mention list offers it.
    bot: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Lower-case name, username and pinyin (full and initials): what directory search matches.
    search_text: Mapped[str] = mapped_column(String(600), default="")
    # Pinyin of the display name, so lists sort the way a Chinese reader expects (陈 before 张).
    sort_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DepartmentMember(Base):
    __tablename__ = "department_members"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        # At most one primary department per person.
        Index("uq_department_members_primary", "user_id", unique=True,
              sqlite_where=text("is_primary"), postgresql_where=text("is_primary")),
    )


class DepartmentManager(Base):
    __tablename__ = "department_managers"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
