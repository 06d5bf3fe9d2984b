"""Rules of credentials: API tokens and sessions."""

from __future__ import annotations

from xietong.core.actor import Actor, Role


def can_hold_api_tokens(role: Role) -> bool:
    """Guests hold no API tokens: a script would keep a guest's reach with nobody watching.
    A person demoted to guest loses the tokens they had."""
    return role != Role.GUEST


def can_create_api_token(actor: Actor) -> bool:
    return can_hold_api_tokens(actor.role)


def can_revoke_token(actor: Actor, token_owner_id: int) -> bool:
    return actor.user_id == token_owner_id or actor.is_admin
