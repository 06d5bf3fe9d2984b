"""Writers of spaces: a space per department (made with the department, named after it,
following its renames; a shared space once the department is gone), shared spaces, their
settings, grants and archiving. None commits (the caller's unit of work does)."""

from __future__ import annotations

from sqlalchemy import select

from xietong.audit.actions import AuditAction, do_record
from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid
from xietong.core.events import Audience
from xietong.core.signals import DepartmentNamed, DepartmentRemoving
from xietong.core.uow import UnitOfWork
from xietong.documents import queries
from xietong.documents.access import SpaceAccess
from xietong.documents.events import (
    COMPANY_DOCS,
    SpaceChanged,
    space_audience,
    space_scope,
    space_subscribers,
)
from xietong.documents.grants import check_grants, default_rows, replace_grants
from xietong.documents.models import GrantLevel, Space, SpaceKind, Subject
from xietong.documents.queries import GrantRow
from xietong.documents.schemas import GrantIn, SpaceCreate, SpaceUpdate
from xietong.documents.views import space_data
from xietong.org import queries as org_queries
from xietong.org.models import Department
from xietong.policy import documents as policy
from xietong.policy import require


def space_target(space_id: int) -> str:
    return f"space:{space_id}"


async def emit_space(uow: UnitOfWork, space: Space, change: str, *,
                     touched: set[int] | None = None, audience: Audience | None = None
                     ) -> None:
    """Tell the space's readers (at delivery; or `audience`) of `change`; `touched`: the
    people whose subscription to the space's own scope may have changed (their sockets
    subscribe anew)."""
    await uow.flush()
    uow.emit(SpaceChanged(space=await space_data(uow, space), change=change,
                          user_ids=sorted(touched or ())),
             audience or await space_audience(uow, space))


async def _reached(uow: UnitOfWork, space: Space) -> set[int]:
    return await space_subscribers(uow, space)


# --- department spaces ---------------------------------------------------------------------

async def do_make_department_space(uow: UnitOfWork, department_id: int, name: str, *,
                                   actor_id: int | None) -> Space:
    """The department's space with the default grants (the department edits, the company
    reads), unless it has one."""
    found = await queries.space_for_department(uow, department_id)
    if found is not None:
        return found
    now = utcnow()
    space = Space(kind=SpaceKind.DEPARTMENT.value, department_id=department_id, name=name,
                  description="", icon="", owner_id=None, created_by=actor_id,
                  created_at=now, updated_at=now)
    uow.session.add(space)
    await uow.flush()
    await replace_grants(uow, default_rows(department_id=department_id), actor_id=actor_id,
                         space_id=space.id)
    await emit_space(uow, space, "created", touched=await _reached(uow, space))
    return space


async def department_named(uow: UnitOfWork, signal: DepartmentNamed) -> None:
    """A department made gets its space; one renamed renames its space."""
    space = await queries.space_for_department(uow, signal.department_id)
    if space is None:
        await do_make_department_space(uow, signal.department_id, signal.name,
                                       actor_id=signal.actor_id)
        return
    if space.name != signal.name:
        space.name, space.updated_at = signal.name, utcnow()
        await emit_space(uow, space, "renamed")


async def department_removing(uow: UnitOfWork, signal: DepartmentRemoving) -> None:
    """A department about to be deleted leaves its space, pages and all, as a shared space
    owned by whoever deletes it."""
    space = await queries.space_for_department(uow, signal.department_id)
    if space is None:
        return
    before = await _reached(uow, space)
    space.kind, space.department_id = SpaceKind.SHARED.value, None
    space.owner_id, space.updated_at = signal.actor_id, utcnow()
    await uow.flush()
    await emit_space(uow, space, "updated", touched=before | await _reached(uow, space))


async def ensure_department_spaces(uow: UnitOfWork) -> int:
    """A space for every department without one (departments made before documents, or
    by the demo); how many were made."""
    made = 0
    for department in await uow.session.scalars(select(Department).order_by(Department.id)):
        if await queries.space_for_department(uow, department.id) is None:
            await do_make_department_space(uow, department.id, department.name, actor_id=None)
            made += 1
    return made


# --- shared spaces ---------------------------------------------------------------------------

async def do_create_space(uow: UnitOfWork, actor: Actor, data: SpaceCreate) -> Space:
    require(policy.can_create_space(actor), "Guests do not create spaces.",
            code="may_not_create_space")
    if data.department_id is not None:
        rows = await check_grants(uow, [
            GrantIn(subject=Subject.DEPARTMENT, department_id=data.department_id,
                    level=GrantLevel.EDIT),
            GrantIn(subject=Subject.EVERYONE, level=GrantLevel.VIEW)])
    elif data.grants is not None:
        rows = await check_grants(uow, data.grants)
    else:
        rows = default_rows(department_id=None)
    now = utcnow()
    space = Space(kind=SpaceKind.SHARED.value, department_id=None, name=data.name,
                  description=data.description, icon=data.icon, owner_id=actor.user_id,
                  created_by=actor.user_id, created_at=now, updated_at=now)
    uow.session.add(space)
    await uow.flush()
    await replace_grants(uow, rows, actor_id=actor.user_id, space_id=space.id)
    await do_record(uow, AuditAction.SPACE_CREATED, actor_id=actor.user_id, ip=actor.ip,
                    target=space_target(space.id),
                    details={"name": space.name, "grants": [row._asdict() for row in rows]})
    await emit_space(uow, space, "created", touched=await _reached(uow, space))
    return space


async def do_update_space(uow: UnitOfWork, actor: Actor, found: SpaceAccess,
                          data: SpaceUpdate) -> Space:
    require(policy.can_manage_space(found.level),
            "Only the space's managers change it.")
    space = found.space
    given = data.model_fields_set
    for name in ("name", "description", "icon", "owner_id", "archived"):
        if name in given and getattr(data, name) is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep it.",
                          code="null_setting")
    department = space.kind == SpaceKind.DEPARTMENT.value
    if department and data.name is not None and data.name != space.name:
        raise Invalid("A department space is named after its department.",
                      code="name_follows_department")
    if department and data.owner_id is not None:
        raise Invalid("A department space's owners are the department's managers.",
                      code="owner_follows_department")
    record: dict[str, object] = {}
    changes = []
    touched: set[int] = set()
    if data.owner_id is not None and data.owner_id != space.owner_id:
        if (data.owner_id not in await org_queries.active_user_ids(uow, [data.owner_id])
                or await org_queries.bot_ids(uow, [data.owner_id])):
            raise Invalid("Unknown or deactivated person.", code="unknown_person",
                          details={"owner_id": data.owner_id})
        owner = await org_queries.get_user(uow, data.owner_id)
        assert owner is not None
        require(policy.can_create_space(Actor(user_id=owner.id, role=Role(owner.role))),
                "A guest cannot own a space.", code="guest_cannot_own")
        record["owner_id"] = {"from": space.owner_id, "to": data.owner_id}
        touched |= {data.owner_id, *([space.owner_id] if space.owner_id else [])}
        space.owner_id = data.owner_id
        changes.append("updated")
    for name in ("name", "description", "icon"):
        value = getattr(data, name)
        if value is not None and value != getattr(space, name):
            record[name] = {"from": getattr(space, name), "to": value}
            setattr(space, name, value)
            changes.append("renamed" if name == "name" else "updated")
    if data.archived is not None and data.archived != (space.archived_at is not None):
        space.archived_at = utcnow() if data.archived else None
        record["archived"] = data.archived
        changes.append("archived" if data.archived else "unarchived")
    if not record:
        return space
    space.updated_at = utcnow()
    await do_record(uow, AuditAction.SPACE_UPDATED, actor_id=actor.user_id, ip=actor.ip,
                    target=space_target(space.id), details=record)
    # One event: the most telling of what changed.
    for change in ("archived", "unarchived", "renamed", "updated"):
        if change in changes:
            await emit_space(uow, space, change, touched=touched)
            break
    return space


async def do_set_space_grants(uow: UnitOfWork, actor: Actor, found: SpaceAccess,
                              grants: list[GrantRow]) -> None:
    """`grants` (checked) become the space's whole set."""
    require(policy.can_manage_space(found.level),
            "Only the space's managers set who sees it.")
    space = found.space
    before = await _reached(uow, space)
    await replace_grants(uow, grants, actor_id=actor.user_id, space_id=space.id)
    await uow.flush()
    after = await _reached(uow, space)
    space.updated_at = utcnow()
    await do_record(uow, AuditAction.SPACE_PERMISSIONS_CHANGED, actor_id=actor.user_id,
                    ip=actor.ip, target=space_target(space.id),
                    details={"before": [g._asdict() for g in found.grants],
                             "after": [g._asdict() for g in grants]})
    # Those who could read it before hear of it too: the company, or them by name.
    company = queries.everyone_reads(found.grants) or queries.everyone_reads(grants)
    audience = (Audience.readers_of(COMPANY_DOCS) if company else Audience.users(
        before | after | await queries.administrators(uow), scope=space_scope(space.id)))
    await emit_space(uow, space, "permissions", touched=before ^ after, audience=audience)

