"""Rules of collaboration analytics (the domain to come)."""

from __future__ import annotations

from xietong.core.actor import Actor
from xietong.policy.company import Group, Standing, is_in_group


def can_view_analytics(actor: Actor, viewers: Group, standing: Standing) -> bool:
    """Whom the company's `view_analytics` setting names (by default department managers
    and administrators): the figures name people and departments."""
    return is_in_group(actor, viewers, standing)
