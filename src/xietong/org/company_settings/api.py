"""The company's settings over HTTP: administrators read and change them; everyone may ask
what the settings let them do."""

from __future__ import annotations

from fastapi import APIRouter

from xietong.edge import CurrentActor, Rt
from xietong.org.company_settings import actions, queries
from xietong.org.company_settings.definitions import CompanySettingsChange
from xietong.org.company_settings.schemas import CompanySettingsOut, MyPermissions, settings_out
from xietong.policy import analytics as analytics_policy
from xietong.policy import chat as chat_policy
from xietong.policy import company as company_policy
from xietong.policy import projects as projects_policy
from xietong.policy import require

# Included in `org.api.router`, which serves it under /api/v1.
router = APIRouter(tags=["settings"])

ADMINS_ONLY = "Only administrators see and change the company's settings."


@router.get("/admin/settings")
async def get_company_settings(actor: CurrentActor, rt: Rt) -> CompanySettingsOut:
    """Every setting with its value (the default where none was chosen), its default, the
    role presets it may name and its labels."""
    require(company_policy.can_manage_company_settings(actor), ADMINS_ONLY)
    async with rt.reader() as uow:
        record = await queries.settings_record(uow)
    return settings_out(queries.settings_of(record), record)


@router.patch("/admin/settings")
async def change_company_settings(body: CompanySettingsChange, actor: CurrentActor,
                                  rt: Rt) -> CompanySettingsOut:
    """Change the settings given (the others stay); `null` puts one back to its default.
    All or nothing, and audited (`company_settings.changed`). In force for every request
    on every node that starts after this one's answer."""
    async with rt.unit_of_work() as uow:
        record = await actions.do_change_company_settings(uow, actor, body)
    return settings_out(queries.settings_of(record), record)


@router.get("/settings/permissions")
async def my_permissions(actor: CurrentActor, rt: Rt) -> MyPermissions:
    """What the caller may do where the company chooses who may."""
    async with rt.reader() as uow:
        settings = await queries.company_settings(uow)
        standing = await queries.standing_of(
            uow, actor, settings.create_channels, settings.post_announcements,
            settings.create_projects, settings.view_analytics)
    return MyPermissions(
        create_channels=chat_policy.can_create_channels(actor, settings.create_channels,
                                                        standing),
        post_announcements=chat_policy.can_post_announcements(
            actor, False, settings.post_announcements, standing),
        post_announcements_as_channel_admin=chat_policy.can_post_announcements(
            actor, True, settings.post_announcements, standing),
        create_projects=projects_policy.can_create_project(actor, settings.create_projects,
                                                           standing),
        view_analytics=analytics_policy.can_view_analytics(actor, settings.view_analytics,
                                                           standing))
