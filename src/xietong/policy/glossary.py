"""Rules of the glossary (术语手册): who reads a term, who writes and removes one.

A glossary explains each department's jargon to the others, so a term is read by everyone
in the company, guests too, unless its department keeps it to itself (`visibility:
department`). A term is written by the department that owns it: its people (and those of
the departments below it), its managers (and those above), the term's named owners, and
the administrators. Guests only read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, false, or_, true

from xietong.core.actor import Actor, Role
from xietong.policy.org import is_guest

# Visibility values as stored (`glossary.models.TermVisibility` holds the same).
COMPANY = "company"
DEPARTMENT = "department"


@dataclass(frozen=True, slots=True)
class TermStanding:
    """Where someone stands towards a term (worked out by `glossary.access`)."""

    # One of the term's named owners.
    owner: bool = False
    # The term's department is one of theirs or above one of theirs (its people).
    in_department: bool = False
    # They manage the term's department or a department above it.
    manages_department: bool = False
    visibility: str = COMPANY


def can_read_term(actor: Actor, standing: TermStanding) -> bool:
    """A company-wide term: everyone, guests too (it is a glossary). A department's own:
    its people but guests, its managers and those above, its owners, administrators."""
    if standing.visibility == COMPANY:
        return True
    return (actor.is_admin or standing.owner or standing.manages_department
            or (standing.in_department and not is_guest(actor.role)))


def reading_sql(actor: Actor, *, owner: ColumnElement[bool], in_department: ColumnElement[bool],
                manages_department: ColumnElement[bool],
                visibility: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """`can_read_term` as an SQL condition over many terms at once, each fact a condition
    the caller built."""
    if actor.is_admin:
        return true()
    return or_(visibility == COMPANY, owner, manages_department,
               in_department if not is_guest(actor.role) else false())


def reads_every_term_sql(role: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: the stored role reads every term whatever its visibility (an administrator's);
    whom a department-only term's change is told to."""
    return role.in_([Role.OWNER.value, Role.ADMIN.value])


def can_create_term(actor: Actor, *, in_department: bool, manages_department: bool) -> bool:
    """A term for a department: its people (or those of a department below it), its
    managers (or those above it), administrators; never a guest."""
    if is_guest(actor.role):
        return False
    return actor.is_admin or in_department or manages_department


def can_edit_term(actor: Actor, standing: TermStanding) -> bool:
    """Change a term's words, aliases, examples, owners, status and visibility: whoever
    may create a term for its department, and its named owners; never a guest."""
    if is_guest(actor.role):
        return False
    return (actor.is_admin or standing.owner or standing.in_department
            or standing.manages_department)


def can_delete_term(actor: Actor, standing: TermStanding) -> bool:
    """Remove a term for good (its history and followers go with it): the managers of its
    department and those above, administrators. Others deprecate it instead."""
    return actor.is_admin or standing.manages_department


def may_own_terms(role: Role) -> bool:
    """A named owner answers for a term's words: someone of the company, not a guest."""
    return not is_guest(role)
