"""Rules of projects (the domain to come)."""

from __future__ import annotations

from xietong.core.actor import Actor
from xietong.policy.company import Group, Standing, is_in_group


def can_create_project(actor: Actor, creators: Group, standing: Standing) -> bool:
    """Whom the company's `create_projects` setting names (by default every member)."""
    return is_in_group(actor, creators, standing)
