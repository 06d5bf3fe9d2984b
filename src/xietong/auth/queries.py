from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select

from xietong.auth.models import AuthToken, TokenKind
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.org.models import User


def _is_live() -> ColumnElement[bool]:
    """SQL condition (on AuthToken joined with its User): the credential lets its owner
    in now — not revoked, not expired, the owner active."""
    return and_(AuthToken.revoked_at.is_(None),
                or_(AuthToken.expires_at.is_(None), AuthToken.expires_at > utcnow()),
                User.active)


async def live_credential(uow: UnitOfWork, digest: str) -> tuple[AuthToken, User] | None:
    """The live credential whose token has `digest`, and its owner, in one query."""
    row = (await uow.session.execute(
        select(AuthToken, User).join(User, User.id == AuthToken.user_id)
        .where(AuthToken.digest == digest, _is_live()))).first()
    return None if row is None else (row[0], row[1])


async def live_token_ids(uow: UnitOfWork, token_ids: set[int]) -> set[int]:
    """Which of `token_ids` are still live credentials (see `live_credential`)."""
    return set(await uow.session.scalars(
        select(AuthToken.id).join(User, User.id == AuthToken.user_id)
        .where(AuthToken.id.in_(token_ids), _is_live())))


async def api_tokens_of(uow: UnitOfWork, user_id: int) -> Sequence[AuthToken]:
    return (await uow.session.scalars(
        select(AuthToken).where(AuthToken.user_id == user_id,
                                AuthToken.kind == TokenKind.API.value,
                                AuthToken.revoked_at.is_(None))
        .order_by(AuthToken.id.desc()))).all()


async def last_sign_ins(uow: UnitOfWork, user_ids: Iterable[int]) -> dict[int, datetime]:
    """When each person last signed in: every sign-in opens a session, and session rows are
    kept (revoked or expired) rather than deleted. People who never did are left out."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await uow.session.execute(
        select(AuthToken.user_id, func.max(AuthToken.created_at))
        .where(AuthToken.user_id.in_(wanted), AuthToken.kind == TokenKind.SESSION.value)
        .group_by(AuthToken.user_id))
    return {user_id: at for user_id, at in rows}
