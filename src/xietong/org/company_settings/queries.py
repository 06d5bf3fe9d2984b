"""Reading the company's settings, and the facts about a person their groups ask.

Each request reads the settings in its own unit of work: `company_settings(uow)` asks the
database for the row's revision (one primary-key read of a one-row table) and takes the
parsed settings from this process's cache when it holds that revision, parsing the row
only when it does not. The revision is a new random value at every change, so a cached
copy is never stale: it is simply no longer asked for.

Across nodes this is the behaviour chosen: no node serves a permission decision from
settings older than the last change committed before its request read the revision. A
change made on one node is in force on every node from the next request that starts after
its commit, with no message between nodes and nothing to lose if Redis is away; the price
is that one small read per request that asks a configurable rule (creating a channel,
posting in an announcement channel, asking what one may do). A request already running
when the change commits finishes on what it read, as with any other row it read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.revisions import ByRevision
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.company_settings.definitions import DEFAULTS, CompanySettings
from xietong.org.company_settings.models import THE_ROW, CompanySettingsRecord
from xietong.policy import company as company_policy

log = logging.getLogger("xietong.org.company_settings")


# The settings parsed from the last few revisions this process read.
_parsed: ByRevision[CompanySettings] = ByRevision()


def parse_overrides(overrides: Mapping[str, Any]) -> CompanySettings:
    """The settings a stored row holds. A value this version cannot read (a setting since
    removed, or a shape since changed) falls back to the default, with a warning, rather
    than make every permission check fail."""
    valid: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in CompanySettings.model_fields:
            log.warning("ignoring the stored company setting %r: no such setting", key)
            continue
        try:
            valid[key] = getattr(CompanySettings.model_validate({key: value}), key)
        except ValidationError as error:
            log.warning("the stored company setting %r is not valid (%s); using its default",
                        key, error.errors(include_url=False))
    return CompanySettings(**valid)


def settings_of(record: CompanySettingsRecord | None) -> CompanySettings:
    """The settings `record` (the row, or None when there is none) holds."""
    if record is None:
        return DEFAULTS
    cached = _parsed.get(record.revision)
    if cached is None:
        cached = parse_overrides(record.overrides)
        _parsed.put(record.revision, cached)
    return cached


async def company_settings(uow: UnitOfWork) -> CompanySettings:
    """The settings in force for this unit of work (see the module's docstring)."""
    revision = await uow.session.scalar(
        select(CompanySettingsRecord.revision).where(CompanySettingsRecord.id == THE_ROW))
    if revision is None:
        return DEFAULTS
    cached = _parsed.get(revision)
    if cached is not None:
        return cached
    # Read the revision again with the values: the row may have changed in between, and a
    # value must never be cached under another revision than its own.
    return settings_of(await settings_record(uow))


async def settings_record(uow: UnitOfWork) -> CompanySettingsRecord | None:
    """The row itself (who changed the settings last, and when), read afresh."""
    return await uow.session.get(CompanySettingsRecord, THE_ROW, populate_existing=True)


async def standing_of(uow: UnitOfWork, actor: Actor,
                      *groups: company_policy.Group) -> company_policy.Standing:
    """Where the actor stands in the organisation, as far as deciding `groups` asks: their
    departments and those above them, whether they manage one. Nothing is read that no
    group asks about (for an administrator or a guest, nothing at all)."""
    wants_departments = any(company_policy.asks_about_departments(actor, g) for g in groups)
    wants_managers = any(company_policy.asks_about_managers(actor, g) for g in groups)
    if not (wants_departments or wants_managers):
        return company_policy.NO_STANDING
    department_ids: frozenset[int] = frozenset()
    if wants_departments:
        own = (await org_queries.memberships_of(uow, [actor.user_id]))[actor.user_id]
        if own.department_ids:
            parents = org_queries.parent_map(await org_queries.all_departments(uow))
            department_ids = frozenset(
                above for department_id in own.department_ids
                for above in org_queries.ancestors_and_self(parents, department_id))
    manages = wants_managers and bool(await org_queries.departments_managed_by(uow,
                                                                                actor.user_id))
    return company_policy.Standing(department_ids=department_ids, manages_a_department=manages)
