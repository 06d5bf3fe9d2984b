"""Rules of credentials: API tokens and sessions."""

from __future__ import annotations

from xietong.core.actor import Actor, Role
from xietong.policy import org as org_policy


def can_hold_api_tokens(role: Role) -> bool:
    """Guests hold no API tokens: a script would keep a guest's reach with nobody watching.
    A person demoted to guest loses the tokens they had."""
    return role != Role.GUEST


def can_create_api_token(actor: Actor) -> bool:
    return can_hold_api_tokens(actor.role)


def can_revoke_token(actor: Actor, token_owner_id: int) -> bool:
    return actor.user_id == token_owner_id or actor.is_admin


def can_reset_password(actor: Actor, target_user_id: int, target_role: Role) -> bool:
    """Give someone a new password: whoever administers the person (only an owner an
    owner's). Not one's own: that is a password change, which asks for the current one."""
    return (actor.user_id != target_user_id
            and org_policy.can_administer_user(actor, target_role))
