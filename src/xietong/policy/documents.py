"""Rules of documents: who sees and changes a space and its pages, level by level.

Four levels, each including the ones before it: view < comment < edit < manage. A space
grants levels to a person, a department (its people and the people of the departments
below it) or everyone in the company; a page takes its parent's grants (up to the space's)
unless it has its own — then only its own apply, as Confluence's restrictions do ("break
inheritance"). The space's managers (a department space's: the managers of the department
and of those above it; a shared one's: its creator, and whoever is granted `manage` on it)
and the company's administrators always manage every page of it. A guest is reached only by
what is granted to them personally, never through a department or "everyone".

A page is classified 公开 / 内部 / 机密 (public, internal, confidential): a confidential one
is never exported nor shared by link, and each view of it is audited.

The rules are small pure functions of facts the caller fetched (`documents.access`); the
SQL form of "sees the page" (`seeing_sql`, for lists and search) is built from the same
facts, each a condition the caller made.
"""

from __future__ import annotations

from enum import IntEnum

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, or_, true

from xietong.core.actor import Actor, Role
from xietong.policy.org import is_guest, is_guest_sql


class Level(IntEnum):
    """What someone may do with a page or a space; each level includes those below it."""

    NONE = 0
    VIEW = 1
    COMMENT = 2
    EDIT = 3
    MANAGE = 4

    @property
    def label(self) -> str:
        """As stored and as the API writes it: "view" … "manage" ("none" for NONE)."""
        return self.name.lower()

    @classmethod
    def named(cls, label: str) -> Level:
        return cls[label.upper()]


NONE, VIEW, COMMENT, EDIT, MANAGE = (Level.NONE, Level.VIEW, Level.COMMENT, Level.EDIT,
                                      Level.MANAGE)
# The levels a grant may give, as stored.
GRANTED_LEVELS = ("view", "comment", "edit", "manage")

# Whom a grant is to, as stored.
PERSON = "user"
DEPARTMENT = "department"
EVERYONE = "everyone"

# A page's classification, as stored.
PUBLIC = "public"
INTERNAL = "internal"
CONFIDENTIAL = "confidential"


# --- who a grant reaches -------------------------------------------------------------------

def grant_applies(actor: Actor, subject: str, *, to_actor: bool,
                  department_at_or_above_mine: bool) -> bool:
    """A grant to a person reaches that person; one to a department reaches its people and
    those of the departments below it; one to everyone, everyone in the company. Guests
    are reached only personally."""
    if subject == PERSON:
        return to_actor
    if is_guest(actor.role):
        return False
    if subject == DEPARTMENT:
        return department_at_or_above_mine
    return subject == EVERYONE


def grant_applies_sql(actor: Actor, *, subject: SQLColumnExpression[str],
                      to_actor: ColumnElement[bool],
                      department_at_or_above_mine: ColumnElement[bool]) -> ColumnElement[bool]:
    """`grant_applies` as an SQL condition over many grants, each fact a condition the
    caller built."""
    personal = and_(subject == PERSON, to_actor)
    if is_guest(actor.role):
        return personal
    return or_(personal, and_(subject == DEPARTMENT, department_at_or_above_mine),
               subject == EVERYONE)


# --- levels --------------------------------------------------------------------------------

def space_level(actor: Actor, *, manages_space: bool, granted: Level) -> Level:
    """The space's managers and the administrators manage it; others have the highest level
    the space's grants that reach them give (NONE without one). `manages_space`: they are
    its owner (a department space: a manager of the department or one above it)."""
    if actor.is_admin or manages_space or granted >= MANAGE:
        return MANAGE
    return granted


def page_level(space: Level, *, inherits: bool, granted: Level, archived: bool) -> Level:
    """A page's level for someone whose level in its space is `space`: whoever manages the
    space manages every page; a page that inherits has the space's level; one with its own
    grants (or under one that has them: `inherits` false, `granted` from those grants) has
    what they give. In an archived space pages are only read."""
    level = space if space >= MANAGE or inherits else granted
    return min(level, VIEW) if archived else level


def can_see_page(level: Level) -> bool:
    return level >= VIEW


def reads_company_spaces(actor: Actor) -> bool:
    """A grant to everyone reaches them (`grant_applies`): anyone but a guest."""
    return not is_guest(actor.role)


def manages_every_space(actor: Actor) -> bool:
    """The company's administrators manage (and read) every space and page."""
    return actor.is_admin


def manages_every_space_sql(role: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: the stored role in column `role` is an administrator's (`manages_every_space`)."""
    return role.in_((Role.OWNER.value, Role.ADMIN.value))


def reached_by_company_grants_sql(role: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: a person with the stored role `role` is reached by grants to departments and to
    everyone (`grant_applies`): anyone but a guest."""
    return ~is_guest_sql(role)


def seeing_sql(actor: Actor, *, manages_space: ColumnElement[bool],
               inherits: ColumnElement[bool], space_grants_reach: ColumnElement[bool],
               page_grants_reach: ColumnElement[bool]) -> ColumnElement[bool]:
    """`can_see_page(page_level(...))` as an SQL condition over many pages at once, each fact
    a condition the caller built: `manages_space` (they own or are granted `manage` on the
    page's space), `inherits` (the page takes the space's grants), and whether any grant of
    the space / of the page the page takes its grants from reaches them (every grant is at
    least `view`)."""
    if actor.is_admin:
        return true()
    return or_(manages_space, and_(inherits, space_grants_reach),
               and_(~inherits, page_grants_reach))


# --- spaces --------------------------------------------------------------------------------

def can_create_space(actor: Actor) -> bool:
    """A shared space: anyone in the company (not a guest)."""
    return not is_guest(actor.role)


def can_manage_space(level: Level) -> bool:
    """Rename it, describe it, archive it, set who sees it: its managers."""
    return level >= MANAGE


def can_create_pages(level: Level) -> bool:
    """A page at the top of a space (the space's level) or under a page (the page's)."""
    return level >= EDIT


# --- pages ---------------------------------------------------------------------------------

def can_comment(level: Level) -> bool:
    """Begin a thread, reply, resolve and reopen one: from the comment level up."""
    return level >= COMMENT


def can_edit_comment(level: Level, *, wrote_it: bool) -> bool:
    """A comment's words are its writer's alone (while they may still comment)."""
    return wrote_it and can_comment(level)


def can_delete_comment(level: Level, *, wrote_it: bool) -> bool:
    """Its writer (while they may still comment), or whoever manages the page. Removing a
    thread's first comment removes the thread."""
    return (wrote_it and can_comment(level)) or level >= MANAGE


def can_edit_page(level: Level) -> bool:
    """Its title, icon and words; move it, put it in the trash and back; its freshness."""
    return level >= EDIT


def can_set_page_permissions(level: Level) -> bool:
    return level >= MANAGE


def can_classify(level: Level) -> bool:
    """Mark it public, internal or confidential: who manages it (a confidential page leaves
    fewer ways out, which its editors should not lift)."""
    return level >= MANAGE


def can_review(level: Level, *, owns_freshness: bool) -> bool:
    """Mark it reviewed (fresh again): its freshness owner, or anyone who edits it."""
    return owns_freshness or level >= EDIT


def can_own_freshness(level: Level) -> bool:
    """A page's freshness owner must be able to read it."""
    return level >= VIEW


def can_export(level: Level, classification: str) -> bool:
    """Markdown, DOCX, a space as a zip: whoever reads it, unless it is confidential."""
    return level >= VIEW and classification != CONFIDENTIAL


def can_share_by_link(level: Level, classification: str) -> bool:
    """A link anyone holding it may open: who manages the page (it is a grant), never for a
    confidential one."""
    return level >= MANAGE and classification != CONFIDENTIAL


def audits_views(classification: str) -> bool:
    """Each view of a confidential page is written to the audit log."""
    return classification == CONFIDENTIAL


def must_keep_own_access(manages_space: bool) -> bool:
    """Someone who manages a page but not its space may not set its grants so that they
    lose it themselves (they could not undo it); the space's managers always keep it."""
    return not manages_space



# --- the file library of a space -----------------------------------------------------------

def can_read_library(level: Level) -> bool:
    """List a space's files and download them (every version): whoever reads the space."""
    return level >= VIEW


def can_add_to_library(level: Level) -> bool:
    """Upload a file, a new version of one, bring an older version back, rename or describe
    it: the space's editors."""
    return level >= EDIT


def can_remove_from_library(level: Level) -> bool:
    """Put a file in the space's trash, see the trash and bring files back: its managers."""
    return level >= MANAGE
