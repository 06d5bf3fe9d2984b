"""Rules of 员工之声: the anonymous suggestion box, kudos and the best-practice showcase.

All three are for the people of the company: guests (outsiders in a few channels) neither
see nor write any of it. A suggestion is answered, publicly, by the managers of the
department it is addressed to (or of a department above it) and by administrators: the
answer speaks for the department, so its people do not answer on its behalf. Only
administrators put a case into the showcase or take it out.

The suggestion box never shows a breakdown by a group of fewer than `MIN_GROUP_SIZE`
people: a count "from 财务部" when 财务部 is three people points at one of them.
"""

from __future__ import annotations

from xietong.core.actor import Actor
from xietong.policy.org import is_guest

# The smallest department whose people a suggestion may name as where it comes from, and
# the smallest group any per-department count of the box is shown for. A constant, not a
# company setting: lowering it weakens every author's anonymity at once, after the fact.
MIN_GROUP_SIZE = 5


def can_use_voice(actor: Actor) -> bool:
    """Read and write suggestions, kudos and the showcase: everyone in the company."""
    return not is_guest(actor.role)


def can_answer_suggestion(actor: Actor, *, manages_department: bool) -> bool:
    """Answer (or change the answer to) a suggestion addressed to a department: its
    managers and those of a department above it, administrators."""
    return actor.is_admin or (manages_department and not is_guest(actor.role))


def may_show_group(headcount: int) -> bool:
    """A department is big enough to be named as where suggestions come from."""
    return headcount >= MIN_GROUP_SIZE


def can_curate_showcase(actor: Actor) -> bool:
    """Promote a page or a message into the showcase, or take a case out: administrators."""
    return actor.is_admin


def may_receive_kudos(role_is_guest: bool, active: bool) -> bool:
    """Someone kudos may be given to: an active person of the company (not a guest)."""
    return active and not role_is_guest
