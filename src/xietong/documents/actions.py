"""Writers of pages: making them (from templates), renaming and classifying, moving them in
and between trees, the trash, who may see them, freshness, favourites and views. Each tells
whoever reads the page; none commits (the caller's unit of work does).

Changes to a space's tree (a page made, moved, put in the trash or back, restricted or
freed) take the tree's lock first (`grants.lock_trees`) and read the page again under it,
so two moves at once cannot make a loop between them, and no page is made under one that
has just gone to the trash."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update

from xietong.audit.actions import AuditAction, do_record
from xietong.core import ranks
from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.db import table_of
from xietong.core.errors import Conflict, Invalid, NotFound
from xietong.core.uow import UnitOfWork
from xietong.documents import queries
from xietong.documents.access import (
    PageAccess,
    SpaceAccess,
    access_page,
    access_space,
    check_level,
    check_space_open,
)
from xietong.documents.events import PageChanged, page_audience, page_readers
from xietong.documents.grants import check_grants, lock_trees, replace_grants, repoint_sources
from xietong.documents.models import Favourite, Page, PageView, Space
from xietong.documents.models import PageUpdate as StoredUpdate
from xietong.documents.schemas import (
    FreshnessIn,
    PageCreate,
    PageMove,
    PagePermissionsIn,
    PageUpdate,
)
from xietong.documents.searching import do_index_page, do_index_pages, do_unindex_pages
from xietong.documents.templates import BY_KEY, TemplateKey, plain_text
from xietong.documents.views import page_data
from xietong.documents.ydoc import Content
from xietong.org import queries as org_queries
from xietong.policy import documents as policy
from xietong.policy import require
from xietong.policy.documents import EDIT, MANAGE, NONE

# The pages someone viewed last, kept per person.
RECENT_KEPT = 50


def page_target(page_id: int) -> str:
    return f"page:{page_id}"


async def emit_page(uow: UnitOfWork, page: Page, space: Space, change: str, *,
                    also: Iterable[int] = (), from_space_id: int | None = None,
                    from_parent_id: int | None = None) -> None:
    await uow.flush()
    uow.emit(PageChanged(page=page_data(page), change=change, from_space_id=from_space_id,
                         from_parent_id=from_parent_id),
             await page_audience(uow, page, space, also=also))


# --- places in the tree --------------------------------------------------------------------

async def _place(uow: UnitOfWork, space_id: int, parent_id: int | None, *,
                 after_id: int | None, moving: int | None, last: bool) -> str:
    """A rank for a page put under `parent_id` (None: the top of the space) right after its
    sibling `after_id` (None: first, or last with `last`); `moving`: the page itself, when
    it is already there."""
    around = [(i, r) for i, r in await queries.siblings(uow, space_id, parent_id)
              if i != moving]
    if after_id is None:
        position = len(around) if last else 0
    else:
        position = next((n + 1 for n, (i, _) in enumerate(around) if i == after_id), -1)
        if position < 0:
            raise Invalid("after_id is not a page under that parent.", code="unknown_sibling",
                          details={"after_id": after_id})
    before = around[position - 1][1] if position > 0 else None
    after = around[position][1] if position < len(around) else None
    if before is not None and after is not None and before >= after:
        return await _respread(uow, around, position)  # no room between a tie
    rank = ranks.between(before, after)
    if len(rank) > ranks.MAX_LENGTH:
        return await _respread(uow, around, position)
    return rank


_SET_RANK = (update(table_of(Page)).where(table_of(Page).c.id == bindparam("page_id"))
             .values(rank=bindparam("new_rank")))


async def _respread(uow: UnitOfWork, around: list[tuple[int, str]], position: int) -> str:
    """Spread the siblings' ranks evenly, leaving a place at `position`: its rank."""
    spread = ranks.spread(len(around) + 1)
    taken = spread[:position] + spread[position + 1:]
    await uow.session.execute(_SET_RANK, [{"page_id": i, "new_rank": r}
                                          for (i, _), r in zip(around, taken, strict=True)])
    return spread[position]


async def _live_parent(uow: UnitOfWork, actor: Actor, found: PageAccess | None,
                       parent_id: int) -> PageAccess:
    """A page to put others under: one the actor edits (one they do not see is unknown)."""
    try:
        return await access_page(uow, actor, parent_id, need=EDIT,
                                 viewer=found.viewer if found else None)
    except NotFound:
        raise Invalid("The parent page does not exist.", code="unknown_parent_page",
                      details={"parent_id": parent_id}) from None


async def _still_live(uow: UnitOfWork, page: Page, space_id: int) -> None:
    """Read under the tree's lock again: still live, still in that space (what was set on it
    before is written first, not lost)."""
    await uow.flush()
    await uow.session.refresh(page)
    if page.deleted_at is not None or page.space_id != space_id:
        raise Conflict("The tree changed meanwhile; try again.", code="tree_changed")


# --- making and changing ---------------------------------------------------------------------

async def check_page_place(uow: UnitOfWork, actor: Actor, space_id: int,
                           parent_id: int | None) -> tuple[SpaceAccess, PageAccess | None]:
    """Where a new page may go for `actor`: the space (400 `unknown_space` when they do not
    see it) and the parent page (400 `unknown_parent_page` unless they edit it; one of
    another space, 400 `space_mismatch`), or its top (403 unless they edit the space)."""
    try:
        space_found = await access_space(uow, actor, space_id)
    except NotFound:
        raise Invalid("The space does not exist.", code="unknown_space",
                      details={"space_id": space_id}) from None
    parent = None
    if parent_id is not None:
        parent = await _live_parent(uow, actor, None, parent_id)
        if parent.page.space_id != space_found.space.id:
            raise Invalid("The parent page is in another space.", code="space_mismatch")
    else:
        check_space_open(space_found)
        require(policy.can_create_pages(space_found.level),
                "You need the edit level on the space to add pages at its top.",
                code="page_level_too_low")
    return space_found, parent


async def do_create_page(uow: UnitOfWork, actor: Actor, data: PageCreate, *,
                         content: Content | None = None) -> Page:
    """A new page, from its template — or holding `content` (an import): its document is
    stored with it, and its text and Markdown are the document's."""
    space_found, parent = await check_page_place(uow, actor, data.space_id, data.parent_id)
    space = space_found.space
    await lock_trees(uow, {space.id})
    if parent is not None:
        await _still_live(uow, parent.page, space.id)
    template = BY_KEY[data.template or TemplateKey.BLANK]
    now = utcnow()
    page = Page(space_id=space.id, parent_id=data.parent_id,
                title=data.title or template.title, icon=data.icon,
                rank=await _place(uow, space.id, data.parent_id, after_id=data.after_id,
                                  moving=None, last=data.after_id is None),
                classification=data.classification.value, restricted=False,
                grants_from_id=parent.page.grants_from_id if parent else None,
                markdown=template.markdown if content is None else content.markdown,
                text=plain_text(template.markdown) if content is None else content.text,
                content_version=0, created_by=actor.user_id, created_at=now, updated_at=now)
    uow.session.add(page)
    await uow.flush()
    if content is not None:
        uow.session.add(StoredUpdate(page_id=page.id, update=content.state))
    await do_index_page(uow, page)
    await emit_page(uow, page, space, "created")
    return page


async def do_update_page(uow: UnitOfWork, actor: Actor, found: PageAccess,
                         data: PageUpdate) -> Page:
    """Its title and icon (edit), its classification (manage)."""
    page = found.page
    given = data.model_fields_set
    for name in ("title", "icon", "classification"):
        if name in given and getattr(data, name) is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep it.",
                          code="null_setting")
    if data.title is not None or data.icon is not None:
        check_level(found, EDIT)
    if data.classification is not None:
        check_level(found, MANAGE)
    change = None
    if data.classification is not None and data.classification.value != page.classification:
        await do_record(uow, AuditAction.PAGE_CLASSIFIED, actor_id=actor.user_id,
                        ip=actor.ip, target=page_target(page.id),
                        details={"from": page.classification,
                                 "to": data.classification.value})
        page.classification, change = data.classification.value, "classified"
    if data.icon is not None and data.icon != page.icon:
        page.icon, change = data.icon, change or "updated"
    if data.title is not None and data.title != page.title:
        page.title, change = data.title, "renamed"
        await uow.flush()
        await do_index_page(uow, page)
    if change is None:
        return page
    page.updated_at = utcnow()
    await emit_page(uow, page, found.space, change)
    return page


async def do_move_page(uow: UnitOfWork, actor: Actor, found: PageAccess,
                       data: PageMove) -> Page:
    """Under another parent, to the top of its space, or into another space (with every
    page under it), at a place among its new siblings. A page cannot go under itself or
    a page below it (`page_cycle`)."""
    check_level(found, EDIT)
    page = found.page
    given = data.model_fields_set
    if "parent_id" in given:
        parent_id = data.parent_id
    else:
        parent_id = page.parent_id if data.space_id in (None, page.space_id) else None
    destination = None
    if parent_id is not None:
        destination = await _live_parent(uow, actor, found, parent_id)
        target_space = destination.page.space_id
        if data.space_id is not None and data.space_id != target_space:
            raise Invalid("The parent page is in another space.", code="space_mismatch")
        space = destination.space
    else:
        target_space = data.space_id or page.space_id
        try:
            space_found = await access_space(uow, actor, target_space, viewer=found.viewer)
        except NotFound:
            raise Invalid("The space does not exist.", code="unknown_space",
                          details={"space_id": target_space}) from None
        check_space_open(space_found)
        require(policy.can_create_pages(space_found.level),
                "You need the edit level on the space to put pages at its top.",
                code="page_level_too_low")
        space = space_found.space
    await lock_trees(uow, {page.space_id, target_space})
    await _still_live(uow, page, found.space.id)
    if destination is not None:
        try:
            await _still_live(uow, destination.page, target_space)
        except Conflict:
            raise Invalid("The parent page does not exist.", code="unknown_parent_page",
                          details={"parent_id": parent_id}) from None
        if parent_id == page.id or page.id in {
                row.id for row in await queries.ancestors(uow, destination.page.id)}:
            raise Invalid("A page cannot go under itself or a page below it.",
                          code="page_cycle", details={"parent_id": parent_id})
    rank = await _place(uow, target_space, parent_id, after_id=data.after_id, moving=page.id,
                        last=False)
    old_space, old_parent, old_source = page.space_id, page.parent_id, page.grants_from_id
    moved_between = target_space != old_space
    before = (await page_readers(uow, page, found.space)
              if moved_between or old_source is not None else set())
    page.parent_id, page.rank = parent_id, rank
    if moved_between:
        await uow.session.execute(
            update(Page).where(Page.id.in_(queries.subtree(page.id)))
            .values(space_id=target_space).execution_options(synchronize_session="fetch"))
        page.space_id = target_space
    new_source = (page.id if page.restricted
                  else destination.page.grants_from_id if destination else None)
    await repoint_sources(uow, page.id, old=old_source, new=new_source)
    page.grants_from_id = new_source
    page.updated_at = utcnow()
    await emit_page(uow, page, space, "moved", also=before, from_space_id=old_space,
                    from_parent_id=old_parent)
    return page


# --- the trash -------------------------------------------------------------------------------

async def do_delete_page(uow: UnitOfWork, actor: Actor, found: PageAccess) -> None:
    """The page and every live page under it go to the trash together."""
    check_level(found, EDIT)
    page = found.page
    await lock_trees(uow, {page.space_id})
    try:
        await _still_live(uow, page, found.space.id)
    except Conflict:
        raise NotFound("No such page.") from None
    now = utcnow()
    await uow.session.execute(
        update(Page).where(Page.id.in_(queries.subtree(page.id)), Page.deleted_at.is_(None))
        .values(deleted_at=now, deleted_by=actor.user_id, deleted_root_id=page.id)
        .execution_options(synchronize_session="fetch"))
    gone = list(await uow.session.scalars(select(Page.id).where(
        Page.deleted_root_id == page.id)))
    await do_unindex_pages(uow, gone)
    page.deleted_at, page.deleted_by, page.deleted_root_id = now, actor.user_id, page.id
    await emit_page(uow, page, found.space, "deleted")


async def do_restore_page(uow: UnitOfWork, actor: Actor, found: PageAccess) -> Page:
    """Bring back what went to the trash with the page; under its parent if that is live,
    else at the top of its space; last among its siblings."""
    check_level(found, EDIT)
    page = found.page
    if page.deleted_root_id != page.id:
        raise Invalid("The page went to the trash with a page above it: restore that one.",
                      code="restore_the_top", details={"page_id": page.deleted_root_id})
    await lock_trees(uow, {page.space_id})
    await uow.flush()
    await uow.session.refresh(page)
    if page.deleted_at is None or page.deleted_root_id != page.id:
        raise NotFound("No such page in the trash.")
    parent = (await uow.session.get(Page, page.parent_id)) if page.parent_id else None
    gone = parent is None or parent.deleted_at is not None or parent.space_id != page.space_id
    if page.parent_id is not None and gone:
        new_source = page.id if page.restricted else None
        await repoint_sources(uow, page.id, old=page.grants_from_id, new=new_source)
        page.grants_from_id, page.parent_id = new_source, None
    page.rank = await _place(uow, page.space_id, page.parent_id, after_id=None,
                             moving=page.id, last=True)
    back = list(await uow.session.scalars(select(Page.id).where(
        Page.deleted_root_id == page.id)))
    await uow.session.execute(
        update(Page).where(Page.deleted_root_id == page.id)
        .values(deleted_at=None, deleted_by=None, deleted_root_id=None)
        .execution_options(synchronize_session="fetch"))
    page.updated_at = utcnow()
    await uow.flush()
    await do_index_pages(uow, back)
    await emit_page(uow, page, found.space, "restored")
    return page


# --- who sees it ---------------------------------------------------------------------------

async def do_set_page_permissions(uow: UnitOfWork, actor: Actor, found: PageAccess,
                                  data: PagePermissionsIn) -> Page:
    """Its own grants (only they apply to it and to what inherits through it), or back to
    its parent's. Someone who manages the page but not its space cannot lock themselves
    out (`keep_your_access`)."""
    check_level(found, MANAGE)
    if data.inherit and data.grants:
        raise Invalid("A page that inherits has no grants of its own.",
                      code="inherit_takes_no_grants")
    rows = await check_grants(uow, data.grants)
    page = found.page
    await lock_trees(uow, {page.space_id})
    await _still_live(uow, page, found.space.id)
    before_grants = (await queries.page_grants(uow, [page.id])).get(page.id, [])
    before_inherit = not page.restricted
    readers = await page_readers(uow, page, found.space)
    await replace_grants(uow, [] if data.inherit else rows, actor_id=actor.user_id,
                         page_id=page.id)
    if data.inherit and page.restricted:
        parent = await uow.session.get(Page, page.parent_id) if page.parent_id else None
        source = parent.grants_from_id if parent is not None else None
        page.restricted = False
        await repoint_sources(uow, page.id, old=page.id, new=source)
        page.grants_from_id = source
    elif not data.inherit and not page.restricted:
        page.restricted = True
        await repoint_sources(uow, page.id, old=page.grants_from_id, new=page.id)
        page.grants_from_id = page.id
    await uow.flush()
    if policy.must_keep_own_access(manages_space=found.space_level >= MANAGE):
        try:
            kept = (await access_page(uow, actor, page.id, viewer=found.viewer)).level
        except NotFound:
            kept = NONE
        if kept < MANAGE:
            raise Invalid("These grants would take the page away from you; keep yourself "
                          "a manager.", code="keep_your_access")
    page.updated_at = utcnow()
    await do_record(uow, AuditAction.PAGE_PERMISSIONS_CHANGED, actor_id=actor.user_id,
                    ip=actor.ip, target=page_target(page.id), details={
                        "before": {"inherit": before_inherit,
                                   "grants": [g._asdict() for g in before_grants]},
                        "after": {"inherit": data.inherit,
                                  "grants": [] if data.inherit
                                  else [g._asdict() for g in rows]}})
    await emit_page(uow, page, found.space, "permissions", also=readers)
    return page


# --- freshness -----------------------------------------------------------------------------

async def do_set_freshness(uow: UnitOfWork, actor: Actor, found: PageAccess,
                           data: FreshnessIn) -> Page:
    """Who keeps the page current (someone who may read it) and its review cadence; the
    reminders start over."""
    check_level(found, EDIT)
    page = found.page
    owner_id = data.owner_id if "owner_id" in data.model_fields_set else page.owner_id
    cadence = (data.review_every_days if "review_every_days" in data.model_fields_set
               else page.review_every_days)
    if owner_id is not None and owner_id != page.owner_id:
        owner = await org_queries.get_user(uow, owner_id)
        if owner is None or not owner.active or owner.bot:
            raise Invalid("Unknown or deactivated person.", code="unknown_person",
                          details={"owner_id": owner_id})
        try:
            level = (await access_page(uow, Actor(user_id=owner.id, role=Role(owner.role)),
                                       page.id)).level
        except NotFound:
            level = NONE
        if not policy.can_own_freshness(level):
            raise Invalid("The owner must be able to read the page.",
                          code="owner_cannot_read", details={"owner_id": owner_id})
    if (owner_id, cadence) == (page.owner_id, page.review_every_days):
        return page
    page.owner_id, page.review_every_days = owner_id, cadence
    page.review_reminded_at = page.review_escalated_at = None
    page.updated_at = utcnow()
    await emit_page(uow, page, found.space, "freshness")
    return page


async def do_review(uow: UnitOfWork, actor: Actor, found: PageAccess, now: datetime) -> Page:
    """The page was read through and is current: fresh until its next review is due."""
    page = found.page
    require(policy.can_review(found.level, owns_freshness=page.owner_id == actor.user_id),
            "Its owner or someone who edits it marks it reviewed.", code="page_level_too_low")
    page.reviewed_at = now
    page.review_reminded_at = page.review_escalated_at = None
    await emit_page(uow, page, found.space, "reviewed")
    return page


# --- a person's own --------------------------------------------------------------------------

async def do_star(uow: UnitOfWork, actor: Actor, found: PageAccess, now: datetime) -> None:
    await uow.insert_ignoring_duplicates(Favourite, [
        {"user_id": actor.user_id, "page_id": found.page.id, "created_at": now}])


async def do_unstar(uow: UnitOfWork, actor: Actor, page_id: int) -> None:
    await uow.session.execute(delete(Favourite).where(Favourite.user_id == actor.user_id,
                                                      Favourite.page_id == page_id))


_VIEWS = table_of(PageView)


async def do_record_view(uow: UnitOfWork, actor: Actor, found: PageAccess,
                         now: datetime) -> None:
    """The page was opened: first among the actor's recently viewed (the last 50 kept);
    a confidential page's view is audited."""
    page = found.page
    await uow.upsert(_VIEWS, {"user_id": actor.user_id, "page_id": page.id,
                              "viewed_at": now}, key=("user_id", "page_id"))
    newest = (select(_VIEWS.c.page_id).where(_VIEWS.c.user_id == actor.user_id)
              .order_by(_VIEWS.c.viewed_at.desc(), _VIEWS.c.page_id.desc())
              .limit(RECENT_KEPT))
    await uow.session.execute(delete(_VIEWS).where(
        _VIEWS.c.user_id == actor.user_id,
        _VIEWS.c.page_id.not_in(select(newest.subquery().c.page_id))))
    if policy.audits_views(page.classification):
        await do_record(uow, AuditAction.PAGE_VIEWED, actor_id=actor.user_id, ip=actor.ip,
                        target=page_target(page.id),
                        details={"title": page.title, "space_id": page.space_id})
