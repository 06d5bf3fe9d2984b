"""Documents over HTTP: spaces, their page trees, pages, who may see them, the trash,
freshness, favourites and recently viewed. Thin routes over access, actions and views."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Protocol, cast

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import Field
from sqlalchemy import func, select

from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.core.uow import UnitOfWork
from xietong.documents import actions, comments, freshness, queries, spaces, versions
from xietong.documents.access import (
    PageAccess,
    access_page,
    access_space,
    pages_seen_among,
    seen_parents,
    viewer_of,
    visible_ancestors,
)
from xietong.documents.collab import CollabServices, rooms_of
from xietong.documents.events import space_owners
from xietong.documents.grants import check_grants
from xietong.documents.models import Page, VersionKind
from xietong.documents.schemas import (
    MAX_PAGE_SUMMARIES,
    FreshnessIn,
    LinkedPage,
    LinkedPages,
    PageCommentBody,
    PageCommentOut,
    PageCreate,
    PageMove,
    PageOut,
    PagePermissions,
    PagePermissionsIn,
    PageRef,
    PageRefList,
    PageThreadCreate,
    PageThreadList,
    PageThreadOut,
    PageTree,
    PageUpdate,
    PermissionEntries,
    SpaceCreate,
    SpaceList,
    SpaceOut,
    SpacePermissions,
    SpacePermissionsIn,
    SpaceUpdate,
    StaleList,
    StalePage,
    TemplateList,
    TemplateOut,
    TrashItem,
    TrashList,
    TreeNode,
    VersionCreate,
    VersionDetail,
    VersionDiff,
    VersionList,
)
from xietong.documents.templates import TEMPLATES
from xietong.documents.views import grants_out, page_out, space_out, spaces_data
from xietong.documents.ydoc import replace_content
from xietong.edge import CurrentActor, IdPath, Rt, get_services
from xietong.policy import documents as policy
from xietong.policy import require
from xietong.policy.documents import COMMENT, EDIT, VIEW

router = APIRouter(prefix="/api/v1", tags=["documents"])

# How many a person's own lists show, and the trash.
LISTED = 50
TRASH_SHOWN = 200


# --- spaces --------------------------------------------------------------------------------

async def _spaces_out(uow: UnitOfWork, actor: Actor, archived: bool | None,
                      only: int | None = None) -> list[SpaceOut]:
    """The spaces the caller reads, or sees pages of, with their level and counts."""
    viewer = await viewer_of(uow, actor)
    chosen = [s for s in await queries.spaces(uow, archived=archived)
              if only is None or s.id == only]
    grants = await queries.space_grants(uow, [s.id for s in chosen])
    levels = {s.id: viewer.space_level(s, grants.get(s.id, [])) for s in chosen}
    through_pages = await queries.spaces_with_pages_seen(
        uow, actor, [i for i, level in levels.items() if level < VIEW])
    shown = [s for s in chosen if levels[s.id] >= VIEW or s.id in through_pages]
    counts: dict[int, int] = {}
    if shown:
        counts = {space_id: count for space_id, count in await uow.session.execute(
            select(Page.space_id, func.count()).where(
                Page.space_id.in_([s.id for s in shown]), Page.deleted_at.is_(None),
                queries.seen_by(actor)).group_by(Page.space_id))}
    return [space_out(data, levels[data.id], counts.get(data.id, 0))
            for data in await spaces_data(uow, shown)]


async def _space_out(uow: UnitOfWork, actor: Actor, space_id: int) -> SpaceOut:
    await access_space(uow, actor, space_id)
    [found] = await _spaces_out(uow, actor, None, only=space_id)
    return found


@router.get("/spaces")
async def list_spaces(actor: CurrentActor, rt: Rt, archived: bool = False) -> SpaceList:
    """The spaces the caller reads (or sees some pages of): department spaces first, then
    shared ones, by name; `archived=true`: the archived ones instead."""
    async with rt.reader() as uow:
        return SpaceList(items=await _spaces_out(uow, actor, archived))


@router.post("/spaces", status_code=201)
async def create_space(body: SpaceCreate, actor: CurrentActor, rt: Rt) -> SpaceOut:
    async with rt.unit_of_work() as uow:
        space = await spaces.do_create_space(uow, actor, body)
        return await _space_out(uow, actor, space.id)


@router.get("/spaces/{space_id}")
async def get_space(space_id: IdPath, actor: CurrentActor, rt: Rt) -> SpaceOut:
    async with rt.reader() as uow:
        return await _space_out(uow, actor, space_id)


@router.patch("/spaces/{space_id}")
async def update_space(space_id: IdPath, body: SpaceUpdate, actor: CurrentActor,
                       rt: Rt) -> SpaceOut:
    async with rt.unit_of_work() as uow:
        found = await access_space(uow, actor, space_id, for_update=True)
        await spaces.do_update_space(uow, actor, found, body)
        return await _space_out(uow, actor, space_id)


async def _space_permissions(uow: UnitOfWork, actor: Actor, space_id: int) -> SpacePermissions:
    found = await access_space(uow, actor, space_id)
    require(found.level >= VIEW, "You see only some pages of this space.")
    grants = (await queries.space_grants(uow, [space_id])).get(space_id, [])
    return SpacePermissions(grants=grants_out(grants),
                            owner_ids=sorted(await space_owners(uow, found.space)))


@router.get("/spaces/{space_id}/permissions")
async def get_space_permissions(space_id: IdPath, actor: CurrentActor,
                                rt: Rt) -> SpacePermissions:
    async with rt.reader() as uow:
        return await _space_permissions(uow, actor, space_id)


@router.put("/spaces/{space_id}/permissions")
async def set_space_permissions(space_id: IdPath, body: SpacePermissionsIn,
                                actor: CurrentActor, rt: Rt) -> SpacePermissions:
    """The space's whole set of grants (its owners and the administrators manage it
    whatever they say)."""
    async with rt.unit_of_work() as uow:
        found = await access_space(uow, actor, space_id, for_update=True)
        rows = await check_grants(uow, body.grants)
        await spaces.do_set_space_grants(uow, actor, found, rows)
        return await _space_permissions(uow, actor, space_id)


@router.get("/spaces/{space_id}/tree", response_model=PageTree)
async def space_tree(space_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    """Every live page of the space the caller sees, in one answer: parents before their
    children, siblings in order. A page whose parent the caller may not see hangs from the
    nearest page above it they see (or the top)."""
    async with rt.reader() as uow:
        found = await access_space(uow, actor, space_id)
        rows = await queries.tree_rows(uow, space_id)
        restricted = (await queries.restricted_grants_in(uow, space_id)
                      if any(row.grants_from_id is not None for row in rows) else {})
    shown_parent = seen_parents(found, rows, restricted)
    children: dict[int | None, list[int]] = defaultdict(list)
    by_id = {row.id: row for row in rows}
    for row in rows:  # in (parent, rank, id) order
        if row.id in shown_parent:
            children[shown_parent[row.id]].append(row.id)
    items: list[dict[str, object]] = []
    stack = list(reversed(sorted(children.get(None, []),
                                 key=lambda i: (by_id[i].rank, i))))
    while stack:
        page_id = stack.pop()
        row = by_id[page_id]
        below = children.get(page_id, [])
        items.append({"id": row.id, "parent_id": shown_parent[row.id], "title": row.title,
                      "rank": row.rank, "icon": row.icon, "has_children": bool(below),
                      "updated_at": row.updated_at})
        stack.extend(reversed(sorted(below, key=lambda i: (by_id[i].rank, i))))
    # The nodes' fields as read, serialised once as the schema declares (tens of thousands of
    # nodes are not validated one by one on the way out).
    tree = PageTree.model_construct(space_id=space_id,
                                    items=cast("list[TreeNode]", items))
    return Response(content=tree.model_dump_json(warnings=False),
                    media_type="application/json")


@router.get("/spaces/{space_id}/trash")
async def space_trash(space_id: IdPath, actor: CurrentActor, rt: Rt) -> TrashList:
    """What went to the trash in this space (each page with those that went with it),
    newest first, as far as the caller may see it."""
    async with rt.reader() as uow:
        found = await access_space(uow, actor, space_id)
        roots = (await uow.session.scalars(
            select(Page).where(Page.space_id == space_id, Page.deleted_at.is_not(None),
                               Page.deleted_root_id == Page.id)
            .order_by(Page.deleted_at.desc(), Page.id.desc()).limit(TRASH_SHOWN))).all()
        levels = await pages_seen_among(uow, found.viewer, found.space, found.level,
                                        [(p.id, p.grants_from_id) for p in roots])
        counts: dict[int | None, int] = {root: count for root, count in (
            await uow.session.execute(
                select(Page.deleted_root_id, func.count())
                .where(Page.deleted_root_id.in_(list(levels)))
                .group_by(Page.deleted_root_id)))} if levels else {}
    archived = found.space.archived_at is not None
    return TrashList(items=[TrashItem(
        id=p.id, parent_id=p.parent_id, title=p.title, icon=p.icon,
        deleted_at=p.deleted_at or p.updated_at, deleted_by=p.deleted_by,
        page_count=counts.get(p.id, 1),
        can_restore=not archived and policy.can_edit_page(levels[p.id]))
        for p in roots if p.id in levels])


@router.get("/spaces/{space_id}/stale")
async def stale_pages(space_id: IdPath, actor: CurrentActor, rt: Rt) -> StaleList:
    """The space's pages whose review is overdue (that the caller sees), most overdue
    first."""
    now = utcnow()
    async with rt.reader() as uow:
        found = await access_space(uow, actor, space_id)
        due = [p for p in await queries.pages_with_cadence(uow, space_id=space_id)
               if freshness.is_stale(p, now)]
        levels = await pages_seen_among(uow, found.viewer, found.space, found.level,
                                        [(p.id, p.grants_from_id) for p in due])
    items = []
    for page in due:
        due_at = freshness.due_at(page)
        if page.id in levels and due_at is not None and page.review_every_days is not None:
            items.append(StalePage(
                id=page.id, title=page.title, icon=page.icon, owner_id=page.owner_id,
                review_every_days=page.review_every_days, reviewed_at=page.reviewed_at,
                review_due_at=due_at, overdue_days=freshness.overdue_days(page, now)))
    items.sort(key=lambda item: (item.review_due_at, item.id))
    return StaleList(items=items)


# --- pages ---------------------------------------------------------------------------------

@router.get("/page-templates")
async def page_templates(actor: CurrentActor) -> TemplateList:
    """What a new page may start from: a title and a Markdown body (zh-CN)."""
    return TemplateList(items=[TemplateOut(
        key=t.key, name=t.name, name_en=t.name_en, description=t.description, title=t.title,
        markdown=t.markdown) for t in TEMPLATES])


async def _page_out(uow: UnitOfWork, actor: Actor, found: PageAccess) -> PageOut:
    return page_out(found, actor, await visible_ancestors(uow, found),
                    favourite=await queries.is_favourite(uow, actor.user_id, found.page.id),
                    now=utcnow())


async def _fresh_out(uow: UnitOfWork, actor: Actor, page_id: int) -> PageOut:
    return await _page_out(uow, actor, await access_page(uow, actor, page_id))


@router.post("/pages", status_code=201)
@router.post("/docs", status_code=201, name="create_doc")  # the contract's name for pages
async def create_page(body: PageCreate, actor: CurrentActor, rt: Rt) -> PageOut:
    async with rt.unit_of_work() as uow:
        page = await actions.do_create_page(uow, actor, body)
        return await _fresh_out(uow, actor, page.id)


@router.get("/pages/{page_id}")
@router.get("/docs/{page_id}", name="get_doc")
async def get_page(page_id: IdPath, actor: CurrentActor, rt: Rt) -> PageOut:
    """The page with its derived text and Markdown, the path down to it, the caller's level
    and what they may do. Opening it puts it first among their recently viewed (and a
    confidential page's view is audited)."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id)
        await actions.do_record_view(uow, actor, found, utcnow())
        return await _page_out(uow, actor, found)


@router.patch("/pages/{page_id}")
async def update_page(page_id: IdPath, body: PageUpdate, actor: CurrentActor,
                      rt: Rt) -> PageOut:
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, for_update=True)
        await actions.do_update_page(uow, actor, found, body)
        return await _fresh_out(uow, actor, page_id)


@router.post("/pages/{page_id}/move")
async def move_page(page_id: IdPath, body: PageMove, actor: CurrentActor, rt: Rt) -> PageOut:
    # Changes to a tree lock the tree first, then its rows (`actions`): no row is locked
    # here, or a move waiting for the tree would hold what the move holding it needs.
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, need=EDIT)
        await actions.do_move_page(uow, actor, found, body)
        return await _fresh_out(uow, actor, page_id)


@router.delete("/pages/{page_id}", status_code=204)
async def delete_page(page_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    """To the trash, with every page under it."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, need=EDIT)
        await actions.do_delete_page(uow, actor, found)
    return Response(status_code=204)


@router.post("/pages/{page_id}/restore")
async def restore_page(page_id: IdPath, actor: CurrentActor, rt: Rt) -> PageOut:
    """Back from the trash, with what went with it."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, need=EDIT, in_trash=True)
        await actions.do_restore_page(uow, actor, found)
        return await _fresh_out(uow, actor, page_id)


async def _page_permissions(uow: UnitOfWork, actor: Actor, page_id: int) -> PagePermissions:
    found = await access_page(uow, actor, page_id)
    page = found.page
    source = page.grants_from_id
    if source is not None:
        effective = (await queries.page_grants(uow, [source])).get(source, [])
    else:
        effective = (await queries.space_grants(uow, [page.space_id])).get(page.space_id, [])
    return PagePermissions(
        inherit=not page.restricted,
        grants=grants_out(effective) if page.restricted else [],
        inherited_from_page_id=None if page.restricted else source,
        effective=grants_out(effective),
        owner_ids=sorted(await space_owners(uow, found.space)))


@router.get("/pages/{page_id}/permissions")
async def get_page_permissions(page_id: IdPath, actor: CurrentActor,
                               rt: Rt) -> PagePermissions:
    async with rt.reader() as uow:
        return await _page_permissions(uow, actor, page_id)


@router.put("/pages/{page_id}/permissions")
async def set_page_permissions(page_id: IdPath, body: PagePermissionsIn, actor: CurrentActor,
                               rt: Rt) -> PagePermissions:
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id)
        await actions.do_set_page_permissions(uow, actor, found, body)
        return await _page_permissions(uow, actor, page_id)


@router.put("/docs/{page_id}/permissions")
async def set_doc_permissions(page_id: IdPath, body: PermissionEntries, actor: CurrentActor,
                              rt: Rt) -> PagePermissions:
    """The published contract's form: `{entries: [{user_id | department_id | everyone,
    level}]}` become the page's own grants (it no longer inherits)."""
    return await set_page_permissions(page_id, body.as_permissions(), actor, rt)


@router.put("/pages/{page_id}/freshness")
async def set_freshness(page_id: IdPath, body: FreshnessIn, actor: CurrentActor,
                        rt: Rt) -> PageOut:
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, for_update=True)
        await actions.do_set_freshness(uow, actor, found, body)
        return await _fresh_out(uow, actor, page_id)


@router.post("/pages/{page_id}/review")
async def review_page(page_id: IdPath, actor: CurrentActor, rt: Rt) -> PageOut:
    """Mark it reviewed: fresh until its next review is due."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, for_update=True)
        await actions.do_review(uow, actor, found, utcnow())
        return await _fresh_out(uow, actor, page_id)


@router.put("/pages/{page_id}/favourite", status_code=204)
async def star_page(page_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id)
        await actions.do_star(uow, actor, found, utcnow())
    return Response(status_code=204)


@router.delete("/pages/{page_id}/favourite", status_code=204)
async def unstar_page(page_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        await access_page(uow, actor, page_id)
        await actions.do_unstar(uow, actor, page_id)
    return Response(status_code=204)


def _refs(rows: list[queries.PageRefRow]) -> PageRefList:
    return PageRefList(items=[PageRef(id=r.id, title=r.title, icon=r.icon, space_id=r.space_id,
                                      space_name=r.space_name, updated_at=r.updated_at,
                                      at=r.at) for r in rows])


@router.get("/favourite-pages")
async def favourite_pages(actor: CurrentActor, rt: Rt,
                          limit: Annotated[int, Query(ge=1, le=200)] = LISTED) -> PageRefList:
    """The pages the caller starred (and still sees), newest star first."""
    async with rt.reader() as uow:
        return _refs(await queries.favourites_of(uow, actor, limit))


@router.get("/page-summaries")
async def page_summaries(
    actor: CurrentActor, rt: Rt,
    ids: Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]],
                   Query(min_length=1, max_length=MAX_PAGE_SUMMARIES)],
) -> LinkedPages:
    """Several pages at once, as chat messages linking to them show them: those of `ids`
    the caller may read, the others (in the trash, not theirs, none at all) left out as if
    they did not exist. A client asks for the pages a screen of messages links in one go."""
    async with rt.reader() as uow:
        rows = await queries.page_summaries(uow, actor, ids)
    return LinkedPages(items=[LinkedPage.model_validate(row._asdict()) for row in rows])


@router.get("/recent-pages")
async def recent_pages(actor: CurrentActor, rt: Rt,
                       limit: Annotated[int, Query(ge=1, le=LISTED)] = LISTED) -> PageRefList:
    """The pages the caller opened last (up to 50, those they still see), newest first."""
    async with rt.reader() as uow:
        return _refs(await queries.recent_of(uow, actor, limit))



# --- versions ---------------------------------------------------------------------------


class VersionServices(CollabServices, Protocol):
    """Restoring a version changes the live document: the node's co-editing rooms."""


VersionRt = Annotated[VersionServices, Depends(get_services)]


@router.get("/pages/{page_id}/versions")
@router.get("/docs/{page_id}/versions", name="list_doc_versions")
async def list_page_versions(page_id: IdPath, actor: CurrentActor, rt: Rt,
                             cursor: Annotated[str | None, Query(max_length=200)] = None
                             ) -> VersionList:
    """The page's versions, newest first: taken while people edit (every ten minutes of
    changes), saved under a name, or made by a restore; each with who changed the page
    since the one before."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        await access_page(uow, actor, page_id)
        found = await versions.versions_page(uow, page_id, before_id)
    return VersionList(items=[versions.version_out(v) for v in found],
                       next_cursor=encode_cursor(found[-1].id)
                       if len(found) == versions.VERSIONS_PAGE else None)


@router.post("/pages/{page_id}/versions", status_code=201)
async def save_page_version(page_id: IdPath, body: VersionCreate, actor: CurrentActor,
                            rt: VersionRt) -> VersionDetail:
    """The page as it is now, saved under a name (for those who may edit it)."""
    async with rt.reader() as uow:
        await access_page(uow, actor, page_id, need=EDIT)
    content = await rooms_of(rt).current(page_id)
    async with rt.unit_of_work() as uow:
        version = await versions.take_version(uow, page_id, content, kind=VersionKind.NAMED,
                                              name=body.name, created_by=actor.user_id)
        return versions.version_detail(version)


@router.get("/pages/{page_id}/versions/{version_id}")
async def get_page_version(page_id: IdPath, version_id: IdPath, actor: CurrentActor,
                           rt: Rt) -> VersionDetail:
    async with rt.reader() as uow:
        await access_page(uow, actor, page_id)
        return versions.version_detail(await versions.version_of(uow, page_id, version_id))


@router.get("/docs/{page_id}/text", response_class=PlainTextResponse,
            responses={200: {"content": {"text/markdown": {}}}})
async def page_text(page_id: IdPath, actor: CurrentActor, rt: VersionRt) -> PlainTextResponse:
    """The page's Markdown as people are editing it (or as last derived), as
    `text/markdown`. Reading it is a view, as opening the page is (a confidential page's is
    audited)."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id)
        await actions.do_record_view(uow, actor, found, utcnow())
    live = await rooms_of(rt).live(page_id)
    return PlainTextResponse(live.markdown if live is not None else found.page.markdown,
                             media_type="text/markdown; charset=utf-8")


@router.get("/pages/{page_id}/versions/{version_id}/diff")
async def diff_page_version(page_id: IdPath, version_id: IdPath, actor: CurrentActor,
                            rt: VersionRt,
                            against: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
                            ) -> VersionDiff:
    """What changed from this version to `against` (another version of the page), or to
    the page as it is now — as people are editing it this moment, if they are — line by
    line of their Markdown."""
    async with rt.reader() as uow:
        found = await access_page(uow, actor, page_id)
        older = await versions.version_of(uow, page_id, version_id)
        newer = (await versions.version_of(uow, page_id, against)).markdown \
            if against is not None else None
    if newer is None:
        live = await rooms_of(rt).live(page_id)
        newer = live.markdown if live is not None else found.page.markdown
    return versions.diff(older.markdown, newer, from_id=version_id, to_id=against)


@router.post("/pages/{page_id}/versions/{version_id}/restore", status_code=201)
@router.post("/docs/{page_id}/versions/{version_id}/restore", status_code=201,
              name="restore_doc_version")
async def restore_page_version(page_id: IdPath, version_id: IdPath, actor: CurrentActor,
                               rt: VersionRt) -> VersionDetail:
    """The page made to read as the version did, as a new change on top of its history
    (nothing is lost: the version before the restore is kept too), which people editing it
    at the moment receive at once. Answers the version the restore made."""
    async with rt.reader() as uow:
        await access_page(uow, actor, page_id, need=EDIT)
        old = versions.document_of(await versions.version_of(uow, page_id, version_id))
    rooms = rooms_of(rt)
    current = await rooms.current(page_id)
    async with rt.unit_of_work() as uow:
        await versions.take_version(uow, page_id, current, kind=VersionKind.AUTO,
                                    created_by=actor.user_id)
    restored = await rooms.change(page_id, actor.user_id, lambda doc: replace_content(doc, old))
    async with rt.unit_of_work() as uow:
        version = await versions.take_version(
            uow, page_id, restored, kind=VersionKind.RESTORED, created_by=actor.user_id,
            name=f"#{version_id}", editor_ids=[actor.user_id])
        return versions.version_detail(version)


# --- comments ----------------------------------------------------------------------------

@router.get("/pages/{page_id}/comments")
async def list_page_comments(page_id: IdPath, actor: CurrentActor, rt: Rt,
                             status: comments.ThreadStatus = "all") -> PageThreadList:
    """The page's comment threads with their replies, in the order they began (`status`:
    only the open or the resolved ones), and how many are open and resolved."""
    async with rt.reader() as uow:
        await access_page(uow, actor, page_id)
        return await comments.thread_list(uow, page_id, status)


@router.post("/pages/{page_id}/comments", status_code=201)
async def start_page_comment_thread(page_id: IdPath, body: PageThreadCreate, actor: CurrentActor,
                                    rt: Rt) -> PageThreadOut:
    """A thread on the page, or on a range of it (`anchor`); `@name` mentions the people who
    may read the page."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, need=COMMENT)
        root = await comments.do_start_thread(uow, actor, found, body)
        return await comments.thread_now(uow, root)


@router.post("/pages/{page_id}/comments/{thread_id}/replies", status_code=201)
async def reply_to_page_comment(page_id: IdPath, thread_id: IdPath, body: PageCommentBody,
                                actor: CurrentActor, rt: Rt) -> PageCommentOut:
    """A reply at the end of a thread (reopening it if it was resolved)."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, need=COMMENT)
        root = await comments.comment_of(uow, found, thread_id, thread=True)
        return comments.comment_out(await comments.do_reply(uow, actor, found, root, body.text))


@router.patch("/pages/{page_id}/comments/{page_comment_id}")
async def edit_page_comment(page_id: IdPath, page_comment_id: IdPath, body: PageCommentBody,
                            actor: CurrentActor, rt: Rt) -> PageCommentOut:
    """Its writer's new words."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, need=COMMENT)
        comment = await comments.comment_of(uow, found, page_comment_id)
        await comments.do_edit_comment(uow, actor, found, comment, body.text)
        return comments.comment_out(comment)


@router.delete("/pages/{page_id}/comments/{page_comment_id}", status_code=204)
async def delete_page_comment(page_id: IdPath, page_comment_id: IdPath, actor: CurrentActor,
                              rt: Rt) -> Response:
    """By its writer or the page's managers; a thread's first comment takes the thread."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, need=COMMENT)
        comment = await comments.comment_of(uow, found, page_comment_id)
        await comments.do_delete_comment(uow, actor, found, comment)
    return Response(status_code=204)


@router.post("/pages/{page_id}/comments/{thread_id}/resolve")
async def resolve_page_comment_thread(page_id: IdPath, thread_id: IdPath, actor: CurrentActor,
                                      rt: Rt) -> PageThreadOut:
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, need=COMMENT)
        root = await comments.comment_of(uow, found, thread_id, thread=True)
        await comments.do_set_resolved(uow, actor, found, root, True)
        return await comments.thread_now(uow, root)


@router.post("/pages/{page_id}/comments/{thread_id}/reopen")
async def reopen_page_comment_thread(page_id: IdPath, thread_id: IdPath, actor: CurrentActor,
                                     rt: Rt) -> PageThreadOut:
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id, need=COMMENT)
        root = await comments.comment_of(uow, found, thread_id, thread=True)
        await comments.do_set_resolved(uow, actor, found, root, False)
        return await comments.thread_now(uow, root)
