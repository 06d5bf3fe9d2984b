"""Rules of collaboration analytics: who sees which figures.

The company's `view_analytics` setting names who may see analytics. Those it names for
themselves (an administrator, a person, a department they are in, or everyone) see the
whole company; those it names only as department managers see the departments they manage
and those below. Anyone else sees the company's overview (company-wide totals only) when the
`view_analytics_overview` group names them, and nothing otherwise. Guests see nothing."""

from __future__ import annotations

from enum import StrEnum

from xietong.core.actor import Actor
from xietong.policy.company import (
    DEPARTMENT_MANAGERS,
    EVERYONE,
    Group,
    Standing,
    is_in_group,
)
from xietong.policy.org import is_guest


class Reach(StrEnum):
    COMPANY = "company"  # every department's figures and lists
    DEPARTMENTS = "departments"  # the subtrees of the departments one manages
    OVERVIEW = "overview"  # the company's overview only
    NONE = "none"


def can_view_analytics(actor: Actor, viewers: Group, standing: Standing) -> bool:
    """Whom the company's `view_analytics` setting names (by default department managers
    and administrators): the figures name departments."""
    return is_in_group(actor, viewers, standing)


def analytics_reach(actor: Actor, viewers: Group, overview_viewers: Group,
                    standing: Standing) -> Reach:
    """How far `actor` sees (the standing as `standing_of` fetches it for both groups)."""
    if is_guest(actor.role):
        return Reach.NONE
    if actor.is_admin or _named_for_themselves(actor, viewers, standing):
        return Reach.COMPANY
    if standing.manages_a_department and DEPARTMENT_MANAGERS in viewers.roles:
        return Reach.DEPARTMENTS
    return Reach.OVERVIEW if is_in_group(actor, overview_viewers, standing) else Reach.NONE


def _named_for_themselves(actor: Actor, viewers: Group, standing: Standing) -> bool:
    return (EVERYONE in viewers.roles or actor.user_id in viewers.user_ids
            or not standing.department_ids.isdisjoint(viewers.department_ids))


def may_see_breakdown(people: int, min_group_size: int) -> bool:
    """A department's own figures are shown only when it has enough people that they do not
    point at someone (the company's minimum group size)."""
    return people >= min_group_size
