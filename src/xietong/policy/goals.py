"""Rules of goals (OKR): who sets objectives at which level, who sees them, who changes
them and who checks in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, false, or_, true

from xietong.core.actor import Actor
from xietong.policy.org import is_guest

# Visibility and level values as stored (the goals domain's enums hold the same).
COMPANY = "company"
DEPARTMENT = "department"
PRIVATE = "private"
PERSON = "person"


@dataclass(frozen=True, slots=True)
class ObjectiveStanding:
    """Where someone stands towards an objective (fetched by `goals.access`)."""

    owner: bool = False
    # The objective's department is one of theirs or above one of theirs.
    in_department: bool = False
    # They manage its department or a department above it.
    manages_department: bool = False
    visibility: str = COMPANY


def can_see_objective(actor: Actor, standing: ObjectiveStanding) -> bool:
    """OKRs are public in the company by default; a department's are seen by its people, a
    private one by its owner; the managers above and the administrators see all. A guest
    sees only their own."""
    return (actor.is_admin or standing.owner or standing.manages_department
            or (standing.visibility == COMPANY and not is_guest(actor.role))
            or (standing.visibility == DEPARTMENT and standing.in_department
                and not is_guest(actor.role)))


def seeing_sql(actor: Actor, *, owner: ColumnElement[bool], in_department: ColumnElement[bool],
               manages_department: ColumnElement[bool],
               visibility: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """`can_see_objective` as an SQL condition over many objectives at once, each fact a
    condition the caller built."""
    if actor.is_admin:
        return true()
    insider = not is_guest(actor.role)
    return or_(owner, manages_department,
               (visibility == COMPANY) if insider else false(),
               (visibility == DEPARTMENT) & in_department if insider else false())


def can_edit_objective(actor: Actor, standing: ObjectiveStanding) -> bool:
    """Change its words, alignment, weight and key results, archive it: its owner, the
    managers above its department, administrators."""
    return actor.is_admin or standing.owner or standing.manages_department


def can_check_in(actor: Actor, standing: ObjectiveStanding, owns_key_result: bool) -> bool:
    """A check-in on a key result: whoever may edit the objective, and the key result's own
    owner."""
    return owns_key_result or can_edit_objective(actor, standing)


def can_set_objective(actor: Actor, level: str, *, for_self: bool,
                      manages_department: bool) -> bool:
    """Company objectives are the administrators'; a department's are set by its managers
    (or those above); a person sets their own, and their managers may set them for them."""
    if actor.is_admin:
        return True
    if is_guest(actor.role):
        return False
    if level == COMPANY:
        return False
    if level == DEPARTMENT:
        return manages_department
    return for_self or manages_department
