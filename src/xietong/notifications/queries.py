from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select

from xietong.core.uow import UnitOfWork
from xietong.notifications.models import Notification, NotificationPreferences


async def feed(uow: UnitOfWork, user_id: int, *, unread_only: bool, before_id: int | None,
               limit: int) -> Sequence[Notification]:
    """A person's notifications, newest first."""
    statement = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    if before_id is not None:
        statement = statement.where(Notification.id < before_id)
    return (await uow.session.scalars(
        statement.order_by(Notification.id.desc()).limit(limit))).all()


async def unread_count(uow: UnitOfWork, user_id: int) -> int:
    return int(await uow.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0)


async def preferences_of(uow: UnitOfWork, user_ids: Iterable[int]
                         ) -> dict[int, NotificationPreferences]:
    """The stored preferences of those of `user_ids` who chose any (others: defaults)."""
    wanted = list(set(user_ids))
    if not wanted:
        return {}
    rows = await uow.session.scalars(
        select(NotificationPreferences).where(NotificationPreferences.user_id.in_(wanted)))
    return {row.user_id: row for row in rows}
