"""Spaces and pages as the API shows them, and what the caller may do with each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.documents import freshness, queries
from xietong.documents.access import PageAccess
from xietong.documents.models import Page, Space, SpaceKind, Subject
from xietong.documents.queries import GrantRow
from xietong.documents.schemas import (
    Breadcrumb,
    GrantOut,
    LevelName,
    PageData,
    PageOut,
    SpaceData,
    SpaceOut,
    SpaceRef,
)
from xietong.policy import documents as policy
from xietong.policy.documents import Level


async def spaces_data(uow: UnitOfWork, spaces: Sequence[Space]) -> list[SpaceData]:
    """Each space with its owners, in two statements for the lot."""
    managers = await queries.department_space_owners(
        uow, [s.department_id for s in spaces if s.department_id is not None])
    return [SpaceData(
        id=s.id, kind=SpaceKind(s.kind), department_id=s.department_id, name=s.name,
        description=s.description, icon=s.icon,
        owner_ids=(managers.get(s.department_id, []) if s.department_id is not None
                   else [s.owner_id] if s.owner_id is not None else []),
        archived=s.archived_at is not None, created_by=s.created_by, created_at=s.created_at,
        updated_at=s.updated_at) for s in spaces]


async def space_data(uow: UnitOfWork, space: Space) -> SpaceData:
    return (await spaces_data(uow, [space]))[0]


def space_actions(level: Level, *, archived: bool) -> list[str]:
    can = []
    if policy.can_create_pages(level) and not archived:
        can.append("create_pages")
    if policy.can_manage_space(level):
        can += ["edit", "manage"]
    return can


def level_name(level: Level) -> LevelName:
    names: dict[Level, LevelName] = {Level.NONE: "none", Level.VIEW: "view",
                                     Level.COMMENT: "comment", Level.EDIT: "edit",
                                     Level.MANAGE: "manage"}
    return names[level]


def space_out(data: SpaceData, level: Level, page_count: int) -> SpaceOut:
    return SpaceOut(**data.model_dump(), page_count=page_count, level=level_name(level),
                    can=space_actions(level, archived=data.archived))


def page_data(page: Page) -> PageData:
    return PageData(
        id=page.id, space_id=page.space_id, parent_id=page.parent_id, title=page.title,
        icon=page.icon, rank=page.rank, classification=page.classification,
        restricted=page.restricted, content_version=page.content_version,
        owner_id=page.owner_id, review_every_days=page.review_every_days,
        reviewed_at=page.reviewed_at, review_due_at=freshness.due_at(page),
        created_by=page.created_by, created_at=page.created_at, updated_at=page.updated_at,
        edited_at=page.edited_at, edited_by=page.edited_by,
        deleted=page.deleted_at is not None)


def page_actions(found: PageAccess, actor: Actor) -> list[str]:
    level, page = found.level, found.page
    can = []
    if policy.can_comment(level):
        can.append("comment")
    if policy.can_edit_page(level):
        can.append("edit")
    if policy.can_set_page_permissions(level):
        can.append("manage")
    if policy.can_classify(level):
        can.append("classify")
    if policy.can_review(level, owns_freshness=page.owner_id == actor.user_id):
        can.append("review")
    if policy.can_export(level, page.classification):
        can.append("export")
    if policy.can_share_by_link(level, page.classification):
        can.append("share_by_link")
    return can


def page_out(found: PageAccess, actor: Actor, breadcrumbs: Sequence[queries.ChainRow], *,
             favourite: bool, now: datetime) -> PageOut:
    page, space = found.page, found.space
    return PageOut(
        **page_data(page).model_dump(), text=page.text, markdown=page.markdown,
        space=SpaceRef(id=space.id, name=space.name, icon=space.icon,
                       archived=space.archived_at is not None),
        breadcrumbs=[Breadcrumb(id=row.id, title=row.title, icon=row.icon)
                     for row in breadcrumbs],
        level=level_name(found.level), can=page_actions(found, actor), favourite=favourite,
        stale=freshness.is_stale(page, now))


def grants_out(grants: Sequence[GrantRow]) -> list[GrantOut]:
    return [GrantOut(subject=Subject(g.subject), user_id=g.user_id,
                     department_id=g.department_id, level=g.level) for g in grants]
