"""Events of the notification centre: to the person the notification is for, only."""

from __future__ import annotations

from typing import Literal

from xietong.core.events import USER, Audience, Event, Scope
from xietong.notifications.schemas import NotificationOut


def to_person(user_id: int) -> Audience:
    return Audience.users([user_id], scope=Scope(USER, user_id))


class NotificationCreated(Event):
    """A new notification. `quiet`: it came in the person's do-not-disturb hours, so the
    client adds it to the feed without a pop-up."""

    type: Literal["notification.created"] = "notification.created"
    notification: NotificationOut
    quiet: bool


class NotificationsRead(Event):
    """Marked read (on another tab or device, too): `ids`, or all of them (`all`)."""

    type: Literal["notification.read"] = "notification.read"
    ids: list[int]
    all: bool
    unread_count: int


NOTIFICATION_EVENTS: tuple[type[Event], ...] = (NotificationCreated, NotificationsRead)
