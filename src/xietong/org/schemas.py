"""HTTP shapes of the organisation API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from xietong.core.actor import Role
from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import (
    DepartmentName,
    DisplayName,
    Email,
    Password,
    Phone,
    ShortText,
    Username,
    refuse_format_characters,
)

_Ids = list[Id]


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None
    phone: str | None
    title: str | None
    avatar_url: str | None
    role: Role
    active: bool
    department_ids: list[int]
    primary_department_id: int | None
    created_at: datetime
    # A system account (协同助手), not a person: it posts cards and reads nothing sent to it.
    bot: bool = False


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


class DepartmentRef(BaseModel):
    id: int
    # Names from the root down ("研发部", "后端组"): a department is known by its path.
    path: list[str]


class AccountOut(UserOut):
    """A person as the administrators' list shows them: the directory's fields, their
    departments by name, and when they last signed in (None: never)."""

    departments: list[DepartmentRef]
    last_sign_in_at: datetime | None


class AccountPage(BaseModel):
    items: list[AccountOut]
    next_cursor: str | None


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class UserCreate(Strict):
    username: Username
    display_name: DisplayName
    password: Password
    email: Email | None = None
    phone: Phone | None = None
    title: ShortText = None
    role: Role = Role.MEMBER
    department_ids: _Ids = Field(default_factory=list, max_length=50)
    primary_department_id: Id | None = None


class UserUpdate(Strict):
    """Fields left out stay as they are; `email: null` clears the address."""

    display_name: DisplayName | None = None
    email: Email | None = None
    phone: Phone | None = None
    title: ShortText = None
    avatar_url: Annotated[str | None, AfterValidator(refuse_format_characters)] = Field(
        default=None, max_length=500, pattern=r"^(https?://|/)[^\s\x00-\x1f\x7f<>\"']*$")
    role: Role | None = None
    active: Flag | None = None
    department_ids: _Ids | None = Field(default=None, max_length=50)
    primary_department_id: Id | None = None


class DepartmentNode(BaseModel):
    id: int
    name: str
    parent_id: int | None
    position: int
    manager_ids: list[int]
    # Its own active members.
    member_count: int
    # Active people in it or any department below it, each once: whom `@department` reaches.
    total_member_count: int
    # What a filter typed over the tree matches: the name folded, its pinyin run together and
    # its initials ("研发部 yanfabu yfb"), so a picker filters by 研发, yanfa or yf.
    search_text: str
    children: list[DepartmentNode]


class DepartmentTree(BaseModel):
    items: list[DepartmentNode]


class DepartmentOut(BaseModel):
    id: int
    name: str
    parent_id: int | None
    position: int
    manager_ids: list[int]
    member_count: int
    total_member_count: int
    # Names from the root down to this department, for breadcrumbs ("研发部 / 后端组").
    path: list[str]


class DepartmentCreate(Strict):
    name: DepartmentName
    parent_id: Id | None = None
    manager_ids: _Ids = Field(default_factory=list, max_length=50)
    position: int | None = Field(default=None, ge=0, le=1_000_000, strict=True)


class DepartmentUpdate(Strict):
    """Fields left out stay; `parent_id: null` moves the department to the top level."""

    name: DepartmentName | None = None
    parent_id: Id | None = None
    manager_ids: _Ids | None = Field(default=None, max_length=50)
    position: int | None = Field(default=None, ge=0, le=1_000_000, strict=True)


class DepartmentMembersSet(Strict):
    user_ids: _Ids = Field(max_length=10_000)


class DepartmentMembers(BaseModel):
    department_id: int
    user_ids: list[int]


class ImportProblem(BaseModel):
    """Why a row of an import cannot be added. `code` (with `params`) is for the client to
    say in its language; `message` says it in English."""

    field: str  # name, username, email, phone, department, title, role
    code: str
    message: str
    params: dict[str, str | int] = Field(default_factory=dict)


class ImportRow(BaseModel):
    """A row of the file as it would be added: the values cleaned where they are valid,
    as written where they are not."""

    row: int  # the row's number in the spreadsheet (or the CSV record's), from 1
    display_name: str
    username: str
    # True when the file left the username empty and it was made from the name's pinyin.
    username_generated: bool
    email: str | None
    phone: str | None
    title: str | None
    role: Role | None
    departments: list[DepartmentRef]
    problems: list[ImportProblem]


class ImportedAccount(BaseModel):
    id: int
    username: str
    display_name: str
    # Generated, shown this once (only its hash is kept): hand it to the person.
    password: str


class ImportReport(BaseModel):
    dry_run: bool
    file_kind: str  # "csv" or "xlsx"
    # Which column of the file each field was read from, by its header as written.
    columns: dict[str, str]
    # Headers of columns that were not read (no field has that name).
    ignored_columns: list[str]
    rows: list[ImportRow]
    ready: int
    with_problems: int
    # The people added (a real run); empty on a dry run.
    created: list[ImportedAccount]
