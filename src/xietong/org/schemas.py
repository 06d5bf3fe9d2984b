"""HTTP shapes of the organisation API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from xietong.core.actor import Role
from xietong.core.ids import Flag, Id
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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


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
    member_count: int
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
