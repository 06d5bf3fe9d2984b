"""The directory and organisation over HTTP: thin routes over access/actions/queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response
from pydantic import Field
from starlette.datastructures import UploadFile

from xietong.core.actor import Role
from xietong.core.errors import BadRequest, Forbidden, Invalid
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.edge import CurrentActor, IdPath, Rt
from xietong.org import access, actions, people_import, queries, spreadsheets, views
from xietong.org.company_settings.api import router as company_settings_router
from xietong.org.models import User
from xietong.org.schemas import (
    AccountPage,
    AccountStatus,
    DepartmentCreate,
    DepartmentMembers,
    DepartmentMembersSet,
    DepartmentOut,
    DepartmentTree,
    DepartmentUpdate,
    ImportReport,
    UserCreate,
    UserOut,
    UserPage,
    UserUpdate,
)
from xietong.policy import org as org_policy
from xietong.policy import require
from xietong.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["organisation"])
# The company's settings are the organisation's: served under its prefix.
router.include_router(company_settings_router)

def directory_position(cursor: str) -> tuple[str, int]:
    """The (sort_key, id) a directory cursor stands for. A cursor is opaque but not trusted:
    anything we could not have given out (an id past the column, a NUL) is a bad cursor."""
    sort_key, user_id = decode_cursor(cursor, str, int)
    if not 1 <= user_id <= MAX_ID or "\x00" in sort_key or len(sort_key) > 300:
        raise BadRequest("The cursor is not one this server gave out.", code="bad_cursor")
    return sort_key, user_id


def directory_cursor(users: Sequence[User], limit: int) -> str | None:
    """The cursor after a page of `limit` people, when the query (asked for one more)
    found more."""
    if len(users) <= limit:
        return None
    last = users[limit - 1]
    return encode_cursor(last.sort_key, last.id)


@router.get("/users/me")
async def get_me(actor: CurrentActor, rt: Rt) -> UserOut:
    async with rt.reader() as uow:
        return await views.user_out(uow, await access.access_user(uow, actor, actor.user_id))


@router.get("/users")
async def search_users(
    actor: CurrentActor, rt: Rt,
    q: Annotated[str | None, Query(max_length=100)] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    include_subdepartments: bool = True,
    include_inactive: bool = False,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> UserPage:
    """Directory search by name, username, pinyin (zhangsan) or initials (zs), email or title."""
    after = directory_position(cursor) if cursor else None
    async with rt.reader() as uow:
        visible = await access.visible_user_ids(uow, actor)
        department_ids = (None if department_id is None else
                          await access.access_department_subtree(uow, actor, department_id,
                                                                 include_subdepartments))
        users = await queries.search_directory(
            uow, query=q, department_ids=department_ids, visible_ids=visible,
            include_inactive=(include_inactive
                              and org_policy.can_see_deactivated_people(actor)),
            include_setup_accounts=org_policy.can_see_setup_accounts(actor),
            after=after, limit=limit + 1)
        items = await views.users_out(uow, users[:limit])
    return UserPage(items=items, next_cursor=directory_cursor(users, limit))


@router.get("/admin/users")
async def list_accounts(
    actor: CurrentActor, rt: Rt,
    q: Annotated[str | None, Query(max_length=100)] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    include_subdepartments: bool = True,
    role: Role | None = None,
    status: AccountStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AccountPage:
    """Every account, for administrators: with departments (by path), title, role, status
    and last sign-in. Filters: `q` (name, pinyin, initials, username, email, title), a
    department (with its sub-departments unless `include_subdepartments=false`), `role`,
    `status` (`active` or `deactivated`; both when left out). Pinyin order, cursor-paged."""
    require(org_policy.can_review_accounts(actor), "Only administrators list accounts.")
    after = directory_position(cursor) if cursor else None
    async with rt.reader() as uow:
        department_ids = (None if department_id is None else
                          await access.access_department_subtree(uow, actor, department_id,
                                                                 include_subdepartments))
        users = await queries.search_directory(
            uow, query=q, department_ids=department_ids, visible_ids=None,
            include_inactive=status is not AccountStatus.ACTIVE,
            inactive_only=status is AccountStatus.DEACTIVATED, role=role,
            after=after, limit=limit + 1)
        items = await views.accounts_out(uow, users[:limit])
    return AccountPage(items=items, next_cursor=directory_cursor(users, limit))


# How many people one lookup may name: a channel's page of members at a time.
LOOKUP_LIMIT = 200
UserIds = Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]],
                    Query(min_length=1, max_length=LOOKUP_LIMIT)]


@router.get("/users/lookup")
async def lookup_users(ids: UserIds, actor: CurrentActor, rt: Rt) -> list[UserOut]:
    """Several people by id in one request (`?ids=3&ids=7`), for labelling what a client
    shows; people the caller may not see, or who do not exist, are left out (as with
    `GET /users/{id}`, invisible and missing look alike)."""
    async with rt.reader() as uow:
        visible = await access.visible_user_ids(uow, actor)
        return await views.users_out(uow, await queries.users_by_ids(uow, ids, visible))


@router.post("/users", status_code=201)
async def create_user(body: UserCreate, actor: CurrentActor, rt: Rt) -> UserOut:
    async with rt.unit_of_work() as uow:
        user = await actions.do_create_user(
            uow, actor, username=body.username, display_name=body.display_name,
            password=body.password, passwords=rt.passwords, role=body.role, email=body.email,
            phone=body.phone, title=body.title, department_ids=body.department_ids,
            primary_department_id=body.primary_department_id)
        return await views.user_out(uow, user)


@router.get("/users/{user_id}")
async def get_user(user_id: IdPath, actor: CurrentActor, rt: Rt) -> UserOut:
    async with rt.reader() as uow:
        return await views.user_out(uow, await access.access_user(uow, actor, user_id))


@router.patch("/users/{user_id}")
async def update_user(user_id: IdPath, body: UserUpdate, actor: CurrentActor, rt: Rt) -> UserOut:
    async with rt.unit_of_work() as uow:
        user = await access.access_user(uow, actor, user_id)
        await actions.do_update_user(uow, actor, user, body)
        return await views.user_out(uow, user)


@router.get("/departments")
async def department_tree(actor: CurrentActor, rt: Rt) -> DepartmentTree:
    if not org_policy.can_browse_departments(actor):
        raise Forbidden("Guests cannot browse the organisation.")
    async with rt.reader() as uow:
        return DepartmentTree(items=await views.department_tree(uow))


@router.post("/departments", status_code=201)
async def create_department(body: DepartmentCreate, actor: CurrentActor, rt: Rt) -> DepartmentOut:
    async with rt.unit_of_work() as uow:
        department = await actions.do_create_department(
            uow, actor, name=body.name, parent_id=body.parent_id, manager_ids=body.manager_ids,
            position=body.position)
        return await views.department_out(uow, department)


@router.get("/departments/{department_id}")
async def get_department(department_id: IdPath, actor: CurrentActor, rt: Rt) -> DepartmentOut:
    async with rt.reader() as uow:
        department = await access.access_department(uow, actor, department_id)
        return await views.department_out(uow, department)


@router.patch("/departments/{department_id}")
async def update_department(department_id: IdPath, body: DepartmentUpdate, actor: CurrentActor,
                            rt: Rt) -> DepartmentOut:
    async with rt.unit_of_work() as uow:
        department = await access.access_department(uow, actor, department_id)
        await actions.do_update_department(uow, actor, department, body)
        return await views.department_out(uow, department)


@router.delete("/departments/{department_id}", status_code=204)
async def delete_department(department_id: IdPath, actor: CurrentActor, rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        department = await access.access_department(uow, actor, department_id)
        await actions.do_delete_department(uow, actor, department)


@router.get("/departments/{department_id}/members")
async def get_department_members(department_id: IdPath, actor: CurrentActor,
                                 rt: Rt) -> DepartmentMembers:
    async with rt.reader() as uow:
        await access.access_department(uow, actor, department_id)
        return DepartmentMembers(department_id=department_id,
                                 user_ids=await queries.member_ids(uow, department_id))


@router.put("/departments/{department_id}/members")
async def set_department_members(department_id: IdPath, body: DepartmentMembersSet,
                                 actor: CurrentActor, rt: Rt) -> DepartmentMembers:
    async with rt.unit_of_work() as uow:
        department = await access.access_department(uow, actor, department_id)
        members = await actions.do_set_department_members(uow, actor, department, body.user_ids)
    return DepartmentMembers(department_id=department_id, user_ids=sorted(members))


# The import takes a file: its router has a body limit of its own (`import_body_limit`).
import_router = APIRouter(prefix="/api/v1", tags=["organisation"])

_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}},
        }}},
    },
}
# Room for the multipart framing around the file.
_MULTIPART_ALLOWANCE = 64 * 1024


def import_body_limit(_settings: Settings) -> int:
    return spreadsheets.MAX_FILE_BYTES + _MULTIPART_ALLOWANCE


@import_router.post("/users/import", openapi_extra=_IMPORT_BODY)
async def import_users(request: Request, response: Response, actor: CurrentActor, rt: Rt,
                       dry_run: bool = True) -> ImportReport:
    """Add people from a CSV (UTF-8, with or without BOM, or GBK) or XLSX file (multipart
    field `file`, at most 2 MiB and 1000 rows; headers such as 姓名/name, 用户名/username,
    邮箱/email, 手机/phone, 部门/department as a path like 研发部/后端组, 职位/title,
    角色/role). With `dry_run` (the default) nothing is written: the reply shows each row
    as it would be added and its problems. `dry_run=false` adds every row in one
    transaction, or refuses the file whole (422 `import_has_problems`, the report in the
    details); its reply names each person added with a generated password, this once."""
    require(org_policy.can_import_people(actor), "Only administrators add people.")
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("Send the file as the multipart field 'file'.",
                          code="import_file_required")
        data = await upload.read(spreadsheets.MAX_FILE_BYTES + 1)
        file_name = "".join(c for c in upload.filename or "" if c.isprintable())[:200] or None
    # Unpacking and parsing a spreadsheet is CPU work: off the event loop.
    table = await anyio.to_thread.run_sync(spreadsheets.read_table, data,
                                          people_import.is_header)
    if dry_run:
        async with rt.reader() as uow:
            return people_import.report(
                table, await people_import.check_import(uow, actor, table), dry_run=True)
    passwords = await people_import.new_passwords(rt.passwords, table)
    async with rt.unit_of_work() as uow:
        imported = await people_import.do_import_people(uow, actor, table, passwords=passwords,
                                                        file_name=file_name)
    # Passwords in the body: no cache along the way may keep them.
    response.headers["Cache-Control"] = "no-store"
    return imported
