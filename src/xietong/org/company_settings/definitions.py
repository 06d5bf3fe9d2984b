"""What the company's settings are: each one's key, type, default and labels.

A setting is a field of `CompanySettings`: its name is the key, its annotation the type,
its default the default, and `Labels` in its annotation the zh-CN and English labels a
settings page shows. Adding a setting is adding a field here (and to
`CompanySettingsChange`, which a test keeps in step) and asking it in a policy rule.

Who may do something is a group, after Zulip's group-based settings, in one shape:

    {"roles": ["department_managers"], "department_ids": [4], "user_ids": [17, 23]}

A person is in the group when any part names them: a role preset (`everyone`: every
member; `department_managers`; `admins`; and for a right inside a channel,
`channel_admins`), a department they are in or below, or themselves. One shape rather
than a choice between named presets and custom lists, because a company's real answers
mix them ("managers, and 行政部"); a preset is simply a group naming one role. Zulip's
anonymous groups are the same union of members and subgroups. Administrators are in every
group and guests in none (`policy.company`), so neither needs naming and no setting can
lock the administrators out; a group must name someone (`admins` alone: administrators
only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xietong.core.ids import Id
from xietong.policy.company import (
    ADMINS,
    CHANNEL_ADMINS,
    DEPARTMENT_MANAGERS,
    EVERYONE,
    ChannelRole,
    CompanyRole,
)

# What one group may name: enough for a company's real lists, small enough that checking a
# person against it stays trivial and the audit entry of a change stays readable.
MAX_GROUP_DEPARTMENTS = 200
MAX_GROUP_PEOPLE = 1000

RoleName = TypeVar("RoleName", bound=str)


class _Group(BaseModel, Generic[RoleName]):
    """Who may do something: anyone a role preset, a department or a person names. Kept in
    one canonical form (each list sorted, without repeats), so two groups naming the same
    people compare equal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: tuple[RoleName, ...] = Field(default=(), max_length=8)
    department_ids: tuple[Id, ...] = Field(default=(), max_length=MAX_GROUP_DEPARTMENTS)
    user_ids: tuple[Id, ...] = Field(default=(), max_length=MAX_GROUP_PEOPLE)

    @field_validator("roles", "department_ids", "user_ids", mode="after")
    @classmethod
    def _canonical(cls, values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(sorted(set(values)))

    @model_validator(mode="after")
    def _names_someone(self) -> _Group[RoleName]:
        if not (self.roles or self.department_ids or self.user_ids):
            raise ValueError("A group must name a role, a department or a person "
                             f"(['{ADMINS}'] for administrators only).")
        return self


class PermissionGroup(_Group[CompanyRole]):
    """Who may do something in the company (roles: everyone, department_managers, admins)."""


class ChannelPermissionGroup(_Group[ChannelRole]):
    """Who may do something inside a channel; it may also name the channel's own admins
    (roles: everyone, department_managers, admins, channel_admins)."""


AnyGroup = PermissionGroup | ChannelPermissionGroup

# A number of days from 0 (never) to a month.
OverdueDays = Annotated[int, Field(ge=0, le=30, strict=True)]
# Analytics hides a department's breakdown with fewer people than this (privacy).
MinGroupSize = Annotated[int, Field(ge=3, le=50, strict=True)]
# What a setting holds: a group of people, or a number.
AnyValue = AnyGroup | int


@dataclass(frozen=True, slots=True)
class Labels:
    """A setting's name as a settings page shows it."""

    zh_cn: str
    en: str

    def as_json(self) -> dict[str, str]:
        return {"zh-CN": self.zh_cn, "en": self.en}


class CompanySettings(BaseModel):
    """Every setting with its value (the default where an administrator chose none)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    create_channels: Annotated[PermissionGroup, Labels(
        "谁可以创建公开和私有频道", "Who may create public and private channels")
    ] = PermissionGroup(roles=(EVERYONE,))
    post_announcements: Annotated[ChannelPermissionGroup, Labels(
        "谁可以在公告频道发言", "Who may post in announcement channels")
    ] = ChannelPermissionGroup(roles=(ADMINS, CHANNEL_ADMINS))
    create_projects: Annotated[PermissionGroup, Labels(
        "谁可以创建项目", "Who may create projects")
    ] = PermissionGroup(roles=(EVERYONE,))
    view_analytics: Annotated[PermissionGroup, Labels(
        "谁可以查看协作分析", "Who may see collaboration analytics")
    ] = PermissionGroup(roles=(ADMINS, DEPARTMENT_MANAGERS))
    view_analytics_overview: Annotated[PermissionGroup, Labels(
        "谁可以查看公司协作概览（只含全公司汇总）",
        "Who may see the company's collaboration overview (company-wide totals only)")
    ] = PermissionGroup(roles=(ADMINS,))
    overdue_manager_days: Annotated[OverdueDays, Labels(
        "任务逾期多少天后通知负责人的上级（0 表示不通知）",
        "Days a task is overdue before its assignee's manager is told (0: never)")
    ] = 3
    analytics_min_group_size: Annotated[MinGroupSize, Labels(
        "协作分析中少于多少人的部门不单独显示",
        "Departments with fewer people than this are not shown on their own in analytics")
    ] = 5


class CompanySettingsChange(BaseModel):
    """The settings to change (the others stay as they are); `null` puts one back to its
    default. One field per field of `CompanySettings`, of the same type."""

    model_config = ConfigDict(extra="forbid")

    create_channels: PermissionGroup | None = None
    post_announcements: ChannelPermissionGroup | None = None
    create_projects: PermissionGroup | None = None
    view_analytics: PermissionGroup | None = None
    view_analytics_overview: PermissionGroup | None = None
    overdue_manager_days: OverdueDays | None = None
    analytics_min_group_size: MinGroupSize | None = None


DEFAULTS = CompanySettings()


@dataclass(frozen=True, slots=True)
class Definition:
    """One setting as a settings page needs to know it."""

    key: str
    type: str  # "permission_group" or "integer"
    roles: tuple[str, ...]  # the role presets its group may name (none for a number)
    labels: Labels
    default: AnyValue
    # A number's bounds.
    minimum: int | None = None
    maximum: int | None = None


def _definition(key: str) -> Definition:
    field = CompanySettings.model_fields[key]
    labels = next(m for m in field.metadata if isinstance(m, Labels))
    if field.annotation is int:
        bounds = {name: getattr(m, name) for m in field.metadata
                  for name in ("ge", "le") if getattr(m, name, None) is not None}
        return Definition(key=key, type="integer", roles=(), labels=labels,
                          default=getattr(DEFAULTS, key), minimum=bounds.get("ge"),
                          maximum=bounds.get("le"))
    group_type = field.annotation
    assert group_type in (PermissionGroup, ChannelPermissionGroup), (key, group_type)
    roles = ChannelRole if group_type is ChannelPermissionGroup else CompanyRole
    return Definition(key=key, type="permission_group", roles=get_args(roles), labels=labels,
                      default=getattr(DEFAULTS, key))


DEFINITIONS: tuple[Definition, ...] = tuple(_definition(key)
                                            for key in CompanySettings.model_fields)
