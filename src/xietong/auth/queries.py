from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, or_, select

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
