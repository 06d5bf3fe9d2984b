"""HTTP shapes of the company's settings (the PATCH body is `definitions.CompanySettingsChange`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from xietong.org.company_settings.definitions import (
    DEFINITIONS,
    ChannelPermissionGroup,
    CompanySettings,
    PermissionGroup,
)
from xietong.org.company_settings.models import CompanySettingsRecord


class SettingOut(BaseModel):
    key: str
    # What the value is: "permission_group" (a group of `roles`, `department_ids` and
    # `user_ids`) or "integer" (a whole number from `minimum` to `maximum`).
    type: str
    # The role presets this setting's group may name (none for a number).
    roles: list[str]
    # Keyed by language: "zh-CN" and "en".
    labels: dict[str, str]
    value: PermissionGroup | ChannelPermissionGroup | int
    default: PermissionGroup | ChannelPermissionGroup | int
    minimum: int | None = None
    maximum: int | None = None


class CompanySettingsOut(BaseModel):
    items: list[SettingOut] = Field(description="Every setting, in the order a page shows them.")
    # The last change: when and by whom (null while no administrator has changed any).
    updated_at: datetime | None
    updated_by: int | None


class MyPermissions(BaseModel):
    """What the signed-in person may do where the company chooses who may (for a client to
    show or hide what they cannot use; the server checks each request anyway)."""

    create_channels: bool
    # In announcement channels one is a member of but not an admin of.
    post_announcements: bool
    # In announcement channels one is an admin of.
    post_announcements_as_channel_admin: bool
    create_projects: bool
    view_analytics: bool


def settings_out(settings: CompanySettings,
                 record: CompanySettingsRecord | None) -> CompanySettingsOut:
    return CompanySettingsOut(
        items=[SettingOut(key=d.key, type=d.type, roles=list(d.roles),
                          labels=d.labels.as_json(), value=getattr(settings, d.key),
                          default=d.default, minimum=d.minimum, maximum=d.maximum)
               for d in DEFINITIONS],
        updated_at=record.updated_at if record is not None else None,
        updated_by=record.updated_by if record is not None else None)
