from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xietong.core.ids import Id
from xietong.notifications.models import NotificationKind

Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                             description="A local time, HH:MM (24-hour).")]


class NotificationOut(BaseModel):
    id: int
    kind: NotificationKind
    scope: str | None
    actor_id: int | None
    title: str
    body: str
    link: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int


class MarkRead(BaseModel):
    """Either some notifications (`ids`) or all of them (`all: true`)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Id] = Field(default_factory=list, max_length=500)
    all: bool = Field(default=False, strict=True)

    @model_validator(mode="after")
    def _one_or_the_other(self) -> MarkRead:
        if bool(self.ids) == self.all:
            raise ValueError("Give either ids or all: true.")
        return self


class MarkedRead(BaseModel):
    ids: list[int]
    unread_count: int


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Each kind on (true) or off (false); a kind left out is on. The whole set is replaced.
    kinds: dict[NotificationKind, Annotated[bool, Field(strict=True)]] = Field(
        default_factory=dict)
    dnd_enabled: bool = Field(default=False, strict=True)
    dnd_start: Clock = "22:00"
    dnd_end: Clock = "08:00"


class PreferencesOut(BaseModel):
    kinds: dict[NotificationKind, bool]
    dnd_enabled: bool
    dnd_start: str
    dnd_end: str


def clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))
