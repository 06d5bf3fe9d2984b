"""Tables of projects: the projects and their members, each project's workflow of statuses,
the tasks, what each task waits for, and each task's history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xietong.core.clock import utcnow
from xietong.core.db import Base, UTCDateTime
from xietong.core.ranks import RankString


class Visibility(StrEnum):
    MEMBERS = "members"  # only its members see it
    COMPANY = "company"  # everyone in the company sees its name, tasks and progress


class ProjectRole(StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class Category(StrEnum):
    """What a status means whatever a project calls it: the board's columns keep their
    names, progress and "overdue" read the category."""

    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    CANCELLED = "cancelled"


class LabelColor(StrEnum):
    """The palette a project's labels are painted from."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    GREEN = "green"
    TEAL = "teal"
    BLUE = "blue"
    PURPLE = "purple"
    GREY = "grey"


class TaskRole(StrEnum):
    """Someone besides the assignee on a task: working on it with them, or following it."""

    COLLABORATOR = "collaborator"
    WATCHER = "watcher"


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.MEMBERS.value)
    # Its conversation, made with it; members follow the project's.
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProjectMember(Base):
    __tablename__ = "project_members"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16), default=ProjectRole.MEMBER.value)


class ProjectStatus(Base):
    """One column of a project's board, in `position` order."""

    __tablename__ = "project_statuses"
    __table_args__ = (Index("ix_project_statuses_project_id_position", "project_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    # More cards than this in the column: the board warns (it does not refuse).
    wip_limit: Mapped[int | None] = mapped_column(Integer)


def number_of(task_id: int) -> str:
    """How people name a task: `T-123`."""
    return f"T-{task_id}"


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        # A board: a project's tasks by column, in rank order.
        Index("ix_tasks_project_id_status_id_rank", "project_id", "status_id", "rank"),
        # My work: an assignee's tasks by due date.
        Index("ix_tasks_assignee_id_due_at", "assignee_id", "due_at"),
        Index("ix_tasks_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    # Markdown as written, and the sanitised HTML made of it when written.
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    status_id: Mapped[int] = mapped_column(ForeignKey("project_statuses.id",
                                                      ondelete="RESTRICT"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NORMAL.value)
    start_at: Mapped[date | None] = mapped_column(Date)
    due_at: Mapped[date | None] = mapped_column(Date)
    estimate_hours: Mapped[float | None] = mapped_column(Float)
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    rank: Mapped[str] = mapped_column(RankString)
    # The chat message it was made from (quoted and linked).
    source_message_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When it last reached a "done" status (None while it is not done).
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TaskDependency(Base):
    """`task_id` cannot start before `depends_on_id` finishes (finish-to-start)."""

    __tablename__ = "task_dependencies"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"),
                                         primary_key=True)
    depends_on_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"),
                                               primary_key=True, index=True)


class TaskEntry(Base):
    """One change in a task's history: what, by whom, when (`data`: the fields' before and
    after, the move, the dependency)."""

    __tablename__ = "task_entries"
    __table_args__ = (Index("ix_task_entries_task_id_id", "task_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProjectLabel(Base):
    """One of the labels a project's tasks may carry, with its colour, in `position` order."""

    __tablename__ = "project_labels"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # 32 like a task's labels (those made before label sets keep their names).
    name: Mapped[str] = mapped_column(String(32))
    color: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)


class TaskPerson(Base):
    """A collaborator (a project member) or a watcher (anyone who sees the task)."""

    __tablename__ = "task_people"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class ChecklistItem(Base):
    __tablename__ = "task_checklist_items"
    __table_args__ = (Index("ix_task_checklist_items_task_id_position", "task_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)


class TaskAttachment(Base):
    """An uploaded file attached to a task: whoever sees the task may download it."""

    __tablename__ = "task_attachments"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"),
                                         primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TaskComment(Base):
    """A comment on a task: Markdown as written, its sanitised HTML, whom it mentions."""

    __tablename__ = "task_comments"
    __table_args__ = (Index("ix_task_comments_task_id_id", "task_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    mentioned_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
