"""Writing grants, and keeping each page's `grants_from_id` (whose grants apply to it) in
step when a page is restricted, freed or moved. Called by the space and page actions inside
their unit of work, the tree's lock held."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import delete, insert, update

from xietong.core.clock import utcnow
from xietong.core.errors import Invalid
from xietong.core.uow import UnitOfWork
from xietong.documents import queries
from xietong.documents.models import Grant, Page, Subject
from xietong.documents.queries import GrantRow
from xietong.documents.schemas import GrantIn
from xietong.org import queries as org_queries


def tree_lock(space_id: int) -> str:
    """The lock that serialises changes to a space's tree (moves, restrictions): two moves
    at once must not make a loop between them."""
    return f"documents.tree:{space_id}"


async def lock_trees(uow: UnitOfWork, space_ids: set[int]) -> None:
    """The trees of these spaces, in id order (two moves between two spaces take turns
    without deadlocking)."""
    for space_id in sorted(space_ids):
        await uow.lock(tree_lock(space_id))


async def check_grants(uow: UnitOfWork, grants: Sequence[GrantIn]) -> list[GrantRow]:
    """The grants as stored, once each: people who exist and are not system accounts,
    departments that exist."""
    keys = Counter((g.subject, g.user_id, g.department_id) for g in grants)
    if twice := [k for k, n in keys.items() if n > 1]:
        raise Invalid("Each person, department or everyone is granted one level.",
                      code="duplicate_grant",
                      details=[{"subject": s, "user_id": u, "department_id": d}
                               for s, u, d in twice])
    people = {g.user_id for g in grants if g.user_id is not None}
    unknown = (people - await org_queries.existing_user_ids(uow, people)
               | await org_queries.bot_ids(uow, people))
    if unknown:
        raise Invalid("Unknown or deactivated person.", code="unknown_person",
                      details={"user_ids": sorted(unknown)})
    departments = {g.department_id for g in grants if g.department_id is not None}
    missing = departments - await org_queries.department_exists(uow, departments)
    if missing:
        raise Invalid("Unknown department.", code="unknown_department",
                      details={"department_ids": sorted(missing)})
    return [GrantRow(g.subject.value, g.user_id, g.department_id, g.level.value)
            for g in grants]


async def replace_grants(uow: UnitOfWork, rows: Sequence[GrantRow], *, actor_id: int | None,
                         space_id: int | None = None, page_id: int | None = None) -> None:
    """Make `rows` the whole set of grants of the space or page."""
    target = Grant.space_id == space_id if space_id is not None else Grant.page_id == page_id
    await uow.session.execute(delete(Grant).where(target))
    if rows:
        now = utcnow()
        await uow.session.execute(insert(Grant), [
            {"space_id": space_id, "page_id": page_id, "subject": row.subject,
             "user_id": row.user_id, "department_id": row.department_id, "level": row.level,
             "created_by": actor_id, "created_at": now} for row in rows])


def default_rows(*, department_id: int | None) -> list[GrantRow]:
    """A department space: its department edits, the company reads. A shared space: the
    company reads (its owner manages it)."""
    rows = [GrantRow(Subject.EVERYONE.value, None, None, "view")]
    if department_id is not None:
        rows.insert(0, GrantRow(Subject.DEPARTMENT.value, None, department_id, "edit"))
    return rows


async def repoint_sources(uow: UnitOfWork, root_id: int, *, old: int | None,
                          new: int | None) -> None:
    """Under `root_id` (itself included), the pages whose grants came from `old` (None:
    the space's) take them from `new` instead: what a page restricted, freed or moved
    changes for itself and the pages that inherit through it."""
    if old == new:
        return
    source = Page.grants_from_id.is_(None) if old is None else Page.grants_from_id == old
    await uow.session.execute(
        update(Page).where(Page.id.in_(queries.subtree(root_id)), source)
        .values(grants_from_id=new).execution_options(synchronize_session="fetch"))
