"""Changing the company's settings. It never commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from xietong.audit.actions import COMPANY_SETTINGS_TARGET, AuditAction, do_record
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.company_settings import queries
from xietong.org.company_settings.definitions import (
    DEFAULTS,
    AnyGroup,
    AnyValue,
    ChannelPermissionGroup,
    CompanySettings,
    CompanySettingsChange,
    PermissionGroup,
)
from xietong.org.company_settings.models import THE_ROW, CompanySettingsRecord
from xietong.policy import company as company_policy
from xietong.policy import require

# Held from reading the row to the commit: of two administrators changing different
# settings at once, the second reads the first's change and keeps it.
SETTINGS_LOCK = "org:company-settings"


async def do_change_company_settings(uow: UnitOfWork, actor: Actor,
                                     change: CompanySettingsChange
                                     ) -> CompanySettingsRecord | None:
    """Apply the settings given in `change` (null: back to the default) and audit what
    changed. Answers the row as it now is (None while every setting has its default)."""
    require(company_policy.can_manage_company_settings(actor),
            "Only administrators change the company's settings.")
    given = {key: getattr(change, key) for key in sorted(change.model_fields_set)}
    await _check_groups(uow, {key: group for key, group in given.items()
                              if isinstance(group, PermissionGroup | ChannelPermissionGroup)})
    await uow.lock(SETTINGS_LOCK)
    record = await queries.settings_record(uow)
    before = queries.settings_of(record)
    after = before.model_copy(update={
        key: group if group is not None else getattr(DEFAULTS, key)
        for key, group in given.items()})
    changed = {key: {"from": _shown(getattr(before, key)), "to": _shown(getattr(after, key))}
               for key in given if getattr(before, key) != getattr(after, key)}
    if not changed:
        return record
    if record is None:
        record = CompanySettingsRecord(id=THE_ROW)
        uow.session.add(record)
    record.overrides = _overrides(after)
    record.revision = uuid.uuid4().hex
    record.updated_at = utcnow()
    record.updated_by = actor.user_id
    await uow.flush()
    await do_record(uow, AuditAction.COMPANY_SETTINGS_CHANGED, actor_id=actor.user_id,
                    ip=actor.ip, target=COMPANY_SETTINGS_TARGET, details={"changed": changed})
    return record


def _shown(value: AnyValue) -> Any:
    return value if isinstance(value, int) else value.model_dump(mode="json")


def _overrides(settings: CompanySettings) -> dict[str, Any]:
    """What is stored: the values that differ from the defaults (a value set back to its
    default is no longer stored, so it follows the default if a later version changes it)."""
    return {key: _shown(getattr(settings, key)) for key in CompanySettings.model_fields
            if getattr(settings, key) != getattr(DEFAULTS, key)}


async def _check_groups(uow: UnitOfWork, groups: Mapping[str, AnyGroup]) -> None:
    """Refuse a group naming a department that does not exist, or a person who does not
    exist, is deactivated, or is a guest (guests are in no group: naming one would look
    like a right given that is not)."""
    department_ids = {d for group in groups.values() for d in group.department_ids}
    user_ids = {u for group in groups.values() for u in group.user_ids}
    existing_departments = await org_queries.department_exists(uow, department_ids)
    active = await org_queries.active_user_ids(uow, user_ids)
    guests = await org_queries.guest_ids(uow, user_ids)
    for key, group in groups.items():
        missing = sorted(set(group.department_ids) - existing_departments)
        if missing:
            raise Invalid("Unknown department.",
                          details={"setting": key, "department_ids": missing})
        gone = sorted(set(group.user_ids) - active)
        if gone:
            raise Invalid("Unknown or deactivated person.",
                          details={"setting": key, "user_ids": gone})
        named_guests = sorted(set(group.user_ids) & guests)
        if named_guests:
            raise Invalid("Guests cannot be given the company's rights.",
                          code="guest_in_group", details={"setting": key,
                                                           "user_ids": named_guests})
