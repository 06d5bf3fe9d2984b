"""Events of documents, and who hears them.

A space everyone in the company reads (it grants everyone a level, as a department space
does by default) is heard through one scope, `docs:0`, read by everyone but guests (as
goals' `okr:0`): a new space or page there reaches every open page without re-subscribing
anyone. Any other space is heard through its own scope `space:<id>`: whoever reads the space
when the event is delivered — its owners, the administrators and whom its grants to people
and departments reach (`SpaceScopes`, the rule of `access_space`). A page with grants of its
own (or under one) is heard only by the people who may read it, named when it changes (and,
when its readers change, by those who could read it before too).

A socket's subscriptions to `space:<id>` are worked out when it connects and again when an
event says that someone's access changed (`membership_changes`): a space's grants set, a
department's people or a person's departments or role changed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import select

from xietong.core.actor import Actor, Role
from xietong.core.events import Audience, CommittedEvent, Event, Scope
from xietong.core.uow import UnitOfWork
from xietong.documents import queries
from xietong.documents.models import Page, Space
from xietong.documents.schemas import PageData, PageThreadOut, SpaceData
from xietong.org import queries as org_queries
from xietong.policy import documents as policy

SPACE = "space"
DOCS = "docs"
# The spaces everyone in the company reads.
COMPANY_DOCS = Scope(DOCS, 0)


def space_scope(space_id: int) -> Scope:
    return Scope(SPACE, space_id)


class SpaceChanged(Event):
    """A space was created or changed (`change`: created, updated, renamed, archived,
    unarchived, permissions); `user_ids`: the people whose access to it may have changed."""

    type: Literal["space.changed"] = "space.changed"
    space: SpaceData
    change: str
    user_ids: list[int]


class PageChanged(Event):
    """A page was created or changed (`change`: created, renamed, updated, classified,
    moved, deleted, restored, permissions, freshness, reviewed); a move says where from."""

    type: Literal["page.changed"] = "page.changed"
    page: PageData
    change: str
    from_space_id: int | None
    from_parent_id: int | None


class PageReviewDue(Event):
    """A page's review is due: to its freshness owner, or (`escalated`) to its space's owners
    once it is a third of its cadence overdue."""

    type: Literal["page.review_due"] = "page.review_due"
    page_id: int
    page_title: str
    space_id: int
    space_name: str
    owner_id: int | None
    due_at: str
    escalated: bool


class PageCommentChanged(Event):
    """A comment thread of a page changed (`change`: created — a thread began; replied,
    edited, deleted — one comment; resolved, reopened), by `actor_id`. `thread` is the
    thread as it is now; None when it was removed with its first comment. `comment_id`:
    the comment written, edited or removed (the first one for a new thread);
    `newly_mentioned_ids`: whom it mentions for the first time."""

    type: Literal["doc.comment_changed"] = "doc.comment_changed"
    page_id: int
    thread_id: int
    comment_id: int | None
    change: Literal["created", "replied", "edited", "deleted", "resolved", "reopened"]
    thread: PageThreadOut | None
    actor_id: int
    newly_mentioned_ids: list[int]


DOCUMENT_EVENTS: tuple[type[Event], ...] = (SpaceChanged, PageChanged, PageReviewDue)
COMMENT_EVENTS: tuple[type[Event], ...] = (PageCommentChanged,)


# --- who hears what ----------------------------------------------------------------------

async def space_owners(uow: UnitOfWork, space: Space) -> set[int]:
    """Who owns the space: a shared space's owner; a department space's managers (of the
    department and those above it)."""
    if space.department_id is not None:
        return await queries.managers_above(uow, space.department_id)
    return {space.owner_id} if space.owner_id is not None else set()


async def space_subscribers(uow: UnitOfWork, space: Space) -> set[int]:
    """Who hears the space through its own scope: its owners and whom its grants to people
    and departments reach (the administrators hear every space; a grant to everyone is
    heard through the company's scope)."""
    grants = (await queries.space_grants(uow, [space.id])).get(space.id, [])
    return await space_owners(uow, space) | await queries.people_reached(
        uow, [g for g in grants if g.subject != policy.EVERYONE])


async def space_audience(uow: UnitOfWork, space: Space) -> Audience:
    """Whoever reads the space at delivery: the company's scope when everyone does, else
    the space's own."""
    grants = (await queries.space_grants(uow, [space.id])).get(space.id, [])
    return Audience.readers_of(COMPANY_DOCS if queries.everyone_reads(grants)
                               else space_scope(space.id))


async def space_readers(uow: UnitOfWork, space: Space) -> set[int]:
    """Everyone who reads the space now, by name: its owners, the administrators and whom
    its grants reach."""
    grants = (await queries.space_grants(uow, [space.id])).get(space.id, [])
    return (await space_owners(uow, space) | await queries.administrators(uow)
            | await queries.people_reached(uow, grants))


async def page_readers(uow: UnitOfWork, page: Page, space: Space) -> set[int]:
    """Everyone who may read the page now, by name."""
    if page.grants_from_id is None:
        return await space_readers(uow, space)
    grants = (await queries.page_grants(uow, [page.grants_from_id])).get(page.grants_from_id,
                                                                          [])
    space_grants = (await queries.space_grants(uow, [space.id])).get(space.id, [])
    managing = [g for g in space_grants if g.level == policy.MANAGE.label]
    return (await space_owners(uow, space) | await queries.administrators(uow)
            | await queries.people_reached(uow, [*grants, *managing]))


async def page_audience(uow: UnitOfWork, page: Page, space: Space, *,
                        also: Iterable[int] = ()) -> Audience:
    """Who hears of the page's change: the space's readers at delivery when the page takes
    the space's grants (and nobody else is to hear it), else the page's readers by name
    (with `also`: those who read it before the change)."""
    extra = set(also)
    if page.grants_from_id is None and not extra:
        return await space_audience(uow, space)
    return Audience.users(await page_readers(uow, page, space) | extra,
                          scope=space_scope(space.id))


# --- the space scope ---------------------------------------------------------------------

_ACCESS_EVENTS = frozenset({"space.changed", "department.members_changed", "user.updated",
                            "department.updated"})


async def _actor(uow: UnitOfWork, user_id: int) -> Actor | None:
    user = await org_queries.get_user(uow, user_id)
    if user is None or not user.active:
        return None
    return Actor(user_id=user.id, role=Role(user.role))


class SpaceScopes:
    """`space:<id>` is read by whoever reads the space (`access_space`) other than through
    a grant to everyone (that is `docs:0`'s): its owners, the administrators (every space)
    and whom its grants to people and departments reach."""

    kind = SPACE

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        actor = await _actor(uow, user_id)
        if actor is None:
            return set()
        if policy.manages_every_space(actor):
            return None
        return set(await uow.session.scalars(select(Space.id).where(
            queries.space_seen_by(actor, through_everyone=False))))

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        actor = await _actor(uow, user_id)
        if actor is None:
            return False
        return await uow.session.scalar(select(Space.id).where(
            Space.id == scope_id, queries.space_seen_by(actor, through_everyone=False))
        ) is not None

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        if event.type not in _ACCESS_EVENTS:
            return set()
        payload = event.payload
        if event.type == "space.changed":
            return _ids(payload.get("user_ids"))
        if event.type == "department.members_changed":
            return _ids(payload.get("added")) | _ids(payload.get("removed"))
        changed = payload.get("changed")
        if not isinstance(changed, list):
            return set()
        if event.type == "user.updated":
            touched = {"role", "department_ids", "active"} & set(changed)
            return {event.scope.id} if touched and event.scope is not None else set()
        # A department's new managers own its space now (those who stopped hear of it on
        # their next connection).
        department = payload.get("department")
        if "manager_ids" in changed and isinstance(department, dict):
            return _ids(department.get("manager_ids"))
        return set()


class CompanyDocs:
    """`docs:0`, the spaces everyone in the company reads: everyone but guests."""

    kind = DOCS

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        actor = await _actor(uow, user_id)
        return {0} if actor is not None and policy.reads_company_spaces(actor) else set()

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        actor = await _actor(uow, user_id)
        return scope_id == 0 and actor is not None and policy.reads_company_spaces(actor)

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        # A guest made a member (or the other way) reads the company's spaces now.
        if event.type != "user.updated" or event.scope is None:
            return set()
        changed = event.payload.get("changed")
        return {event.scope.id} if isinstance(changed, list) and "role" in changed else set()


def _ids(value: object) -> set[int]:
    return {int(v) for v in value if isinstance(v, int)} if isinstance(value, list) else set()
