"""The company's settings: administrators choose who may create channels, post
announcements, create projects and see analytics; the rules read the choice on the very
next request (on every node); bad choices are refused whole; every change is audited."""

from __future__ import annotations

import asyncio
import typing
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from tests.api_inputs import problem_locs, refused
from tests.conftest import Backend
from tests.helpers import PASSWORD, Cast, Person, anonymous_client, error_code, statements
from tests.servers import Node
from xietong.audit.models import AuditEntry
from xietong.core.actor import Actor, Role
from xietong.org.company_settings.definitions import (
    DEFAULTS,
    DEFINITIONS,
    MAX_GROUP_DEPARTMENTS,
    MAX_GROUP_PEOPLE,
    ChannelPermissionGroup,
    CompanySettings,
    CompanySettingsChange,
    PermissionGroup,
)
from xietong.org.company_settings.models import THE_ROW, CompanySettingsRecord
from xietong.policy import company as company_policy
from xietong.runtime import Runtime

API = "/api/v1"
SETTINGS = f"{API}/admin/settings"
PERMISSIONS = f"{API}/settings/permissions"
CHANNELS = f"{API}/channels"
GROUP_KEYS = ["create_channels", "post_announcements", "create_projects", "view_analytics",
              "view_analytics_overview"]
KEYS = [*GROUP_KEYS, "overdue_manager_days", "analytics_min_group_size"]
CHANGED = "company_settings.changed"

Group = dict[str, list[Any]]


async def values(admin: Person) -> dict[str, Any]:
    response = await admin.api.get(SETTINGS)
    assert response.status_code == 200, response.text
    return {item["key"]: item["value"] for item in response.json()["items"]}


async def change(admin: Person, **settings: Group | None) -> dict[str, Group]:
    response = await admin.api.patch(SETTINGS, json=settings)
    assert response.status_code == 200, response.text
    return {item["key"]: item["value"] for item in response.json()["items"]}


async def permissions(person: Person) -> dict[str, bool]:
    response = await person.api.get(PERMISSIONS)
    assert response.status_code == 200, response.text
    found: dict[str, bool] = response.json()
    return found


async def creating_a_channel(person: Person, kind: str = "private") -> int:
    """The status of `person` creating a channel (named after them, so each may make one)."""
    response = await person.api.post(CHANNELS, json={"name": f"{person.username} 的{kind}",
                                                     "kind": kind})
    if response.status_code != 201:
        assert error_code(response) == "forbidden", response.text
    return response.status_code


async def posting(person: Person, channel_id: int) -> int:
    response = await person.api.post(f"{CHANNELS}/{channel_id}/messages",
                                     json={"text": f"{person.display_name} 的公告"})
    if response.status_code != 201:
        assert error_code(response) == "announcement_only", response.text
    return response.status_code


async def audit_entries(runtime: Runtime) -> list[AuditEntry]:
    async with runtime.reader() as uow:
        return list((await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == CHANGED)
            .order_by(AuditEntry.id))).all())


def default(key: str) -> Any:
    value = getattr(DEFAULTS, key)
    return value if isinstance(value, int) else value.model_dump(mode="json")


# --- defaults: today's rules -------------------------------------------------------------------

async def test_every_setting_starts_at_todays_rule(cast: Cast) -> None:
    response = await cast.linxiaoyan.api.get(SETTINGS)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["updated_at"], body["updated_by"]) == (None, None)
    items = {item["key"]: item for item in body["items"]}
    assert [item["key"] for item in body["items"]] == KEYS
    assert items["create_channels"]["value"] == {"roles": ["everyone"], "department_ids": [],
                                                 "user_ids": []}
    assert items["post_announcements"]["value"]["roles"] == ["admins", "channel_admins"]
    assert items["create_projects"]["value"]["roles"] == ["everyone"]
    assert items["view_analytics"]["value"]["roles"] == ["admins", "department_managers"]
    assert items["view_analytics_overview"]["value"]["roles"] == ["admins"]
    assert items["analytics_min_group_size"]["value"] == 5
    for item in items.values():
        assert item["value"] == item["default"]
        assert set(item["labels"]) == {"zh-CN", "en"}
        assert all(item["labels"].values())
    for key in GROUP_KEYS:
        assert items[key]["type"] == "permission_group"
        assert {"everyone", "department_managers", "admins"} <= set(items[key]["roles"])
    assert {k: items["overdue_manager_days"][k] for k in (
        "type", "value", "roles", "minimum", "maximum")} == {
        "type": "integer", "value": 3, "roles": [], "minimum": 0, "maximum": 30}
    assert "channel_admins" in items["post_announcements"]["roles"]
    assert "channel_admins" not in items["create_channels"]["roles"]
    assert (await cast.linxiaoyan.api.get(
        SETTINGS, headers={"Accept-Language": "zh-CN"})).json() == body

    everything = dict.fromkeys(["create_channels", "post_announcements",
                                "post_announcements_as_channel_admin", "create_projects",
                                "view_analytics"], True)
    assert await permissions(cast.zhoujianguo) == everything
    assert await permissions(cast.linxiaoyan) == everything
    # 张伟 manages 销售部; 刘洋 manages nothing; Alex is a guest.
    assert await permissions(cast.zhangwei) == {**everything, "post_announcements": False}
    assert await permissions(cast.liuyang) == {**everything, "post_announcements": False,
                                               "view_analytics": False}
    assert await permissions(cast.alex) == dict.fromkeys(everything, False)
    assert await creating_a_channel(cast.liuyang) == 201
    assert await creating_a_channel(cast.alex) == 403


# --- who may create channels -------------------------------------------------------------------

async def test_admins_only_refuses_members_and_lets_admins_create(cast: Cast) -> None:
    admins_only = {"roles": ["admins"], "department_ids": [], "user_ids": []}
    assert (await change(cast.linxiaoyan, create_channels=admins_only))["create_channels"] \
        == admins_only
    for person in (cast.liuyang, cast.zhangwei):
        for kind in ("public", "private"):
            assert await creating_a_channel(person, kind) == 403, (person.username, kind)
    assert await creating_a_channel(cast.alex) == 403
    assert (await cast.liuyang.api.get(CHANNELS)).json()["items"] == []
    assert (await permissions(cast.liuyang))["create_channels"] is False
    assert await creating_a_channel(cast.linxiaoyan) == 201
    assert await creating_a_channel(cast.zhoujianguo, "public") == 201
    # Opening a DM is not creating a channel.
    dm = await cast.liuyang.api.post(f"{API}/dms", json={"user_ids": [cast.lina.id]})
    assert dm.status_code == 201, dm.text

    # Back to the default: everyone may again.
    assert (await change(cast.zhoujianguo, create_channels=None))["create_channels"] \
        == default("create_channels")
    assert await creating_a_channel(cast.liuyang) == 201
    assert (await permissions(cast.liuyang))["create_channels"] is True


async def test_departments_name_their_people_and_those_below(cast: Cast) -> None:
    sales = cast.departments["销售部"]
    await change(cast.linxiaoyan, create_channels={"department_ids": [sales],
                                                   "user_ids": [cast.lina.id]})
    assert await creating_a_channel(cast.zhangwei) == 201  # in 销售部
    assert await creating_a_channel(cast.liuyang) == 201  # in 华东区, below 销售部
    assert await creating_a_channel(cast.lina) == 201  # named
    assert await creating_a_channel(cast.wangfang) == 403  # 客服部
    assert (await permissions(cast.wangfang))["create_channels"] is False
    assert (await permissions(cast.liuyang))["create_channels"] is True
    # A guest in a named department is still no creator of channels.
    moved = await cast.zhoujianguo.api.patch(f"{API}/users/{cast.alex.id}",
                                             json={"department_ids": [sales]})
    assert moved.status_code == 200, moved.text
    assert await creating_a_channel(cast.alex) == 403
    assert (await permissions(cast.alex))["create_channels"] is False

    # Moving 刘洋 out of 销售部 takes the right away with the next request.
    moved = await cast.linxiaoyan.api.patch(f"{API}/users/{cast.liuyang.id}", json={
        "department_ids": [cast.departments["客服部"]]})
    assert moved.status_code == 200, moved.text
    assert (await permissions(cast.liuyang))["create_channels"] is False


async def test_department_managers_are_those_who_manage_any_department(cast: Cast) -> None:
    await change(cast.linxiaoyan, create_channels={"roles": ["department_managers"]})
    for manager in (cast.zhangwei, cast.lina, cast.wangfang):
        assert await creating_a_channel(manager) == 201, manager.username
    assert await creating_a_channel(cast.liuyang) == 403
    # Made a manager of 华东区, 刘洋 may.
    east = cast.departments["华东区"]
    made = await cast.linxiaoyan.api.patch(f"{API}/departments/{east}",
                                           json={"manager_ids": [cast.liuyang.id]})
    assert made.status_code == 200, made.text
    assert await creating_a_channel(cast.liuyang) == 201


# --- who may post announcements ----------------------------------------------------------------

async def test_the_announcement_rule_follows_the_setting(cast: Cast) -> None:
    created = await cast.linxiaoyan.api.post(CHANNELS, json={
        "name": "公司公告", "kind": "announcement",
        "member_ids": [cast.zhangwei.id, cast.lina.id, cast.liuyang.id]})
    assert created.status_code == 201, created.text
    channel_id = created.json()["id"]
    # By default: the channel's admins (its creator) and the company's administrators.
    assert await posting(cast.zhangwei, channel_id) == 403
    assert await posting(cast.linxiaoyan, channel_id) == 201
    # Its creator, no longer a company administrator, is still the channel's admin.
    demoted = await cast.zhoujianguo.api.patch(f"{API}/users/{cast.linxiaoyan.id}",
                                               json={"role": "member"})
    assert demoted.status_code == 200, demoted.text
    assert await posting(cast.linxiaoyan, channel_id) == 201
    assert await permissions(cast.linxiaoyan) == {
        "create_channels": True, "post_announcements": False,
        "post_announcements_as_channel_admin": True, "create_projects": True,
        "view_analytics": False}

    # Administrators only: the channel's own admin may no longer.
    await change(cast.zhoujianguo, post_announcements={"roles": ["admins"]})
    assert await posting(cast.linxiaoyan, channel_id) == 403
    assert (await permissions(cast.linxiaoyan))["post_announcements_as_channel_admin"] is False
    # A department: 研发部's 李娜 may, 张伟 may not.
    await change(cast.zhoujianguo, post_announcements={
        "department_ids": [cast.departments["研发部"]]})
    assert await posting(cast.lina, channel_id) == 201
    assert await posting(cast.zhangwei, channel_id) == 403
    # Everyone in the channel.
    await change(cast.zhoujianguo, post_announcements={"roles": ["everyone"]})
    for person in (cast.zhangwei, cast.liuyang, cast.linxiaoyan):
        assert await posting(person, channel_id) == 201, person.username
    assert (await permissions(cast.liuyang))["post_announcements"] is True
    # Membership is still needed: the setting says who speaks, not who is in the room
    # (to whom an announcement channel they are not in does not exist).
    outsider = await cast.wangfang.api.post(f"{CHANNELS}/{channel_id}/messages",
                                            json={"text": "我不在这个频道"})
    refused(outsider, 404, "not_found")
    texts = [m["text"] for m in (await cast.lina.api.get(
        f"{CHANNELS}/{channel_id}/messages")).json()["items"]]
    assert len(texts) == 6


async def test_posting_elsewhere_reads_no_setting(cast: Cast) -> None:
    """Only an announcement channel asks the setting: other posts cost no query for it, and
    an announcement with the settings cached costs one (their revision)."""
    await change(cast.linxiaoyan, post_announcements={"roles": ["everyone"]})
    private = await cast.zhangwei.api.post(CHANNELS, json={
        "name": "小组", "kind": "private", "member_ids": [cast.lina.id]})
    announcement = await cast.linxiaoyan.api.post(CHANNELS, json={
        "name": "公告", "kind": "announcement", "member_ids": [cast.zhangwei.id]})
    assert await posting(cast.zhangwei, announcement.json()["id"]) == 201  # warms the cache
    with statements(cast.runtime) as seen:
        assert await posting(cast.zhangwei, private.json()["id"]) == 201
    assert not [s for s in seen if "company_settings" in s], seen
    with statements(cast.runtime) as seen:
        assert await posting(cast.zhangwei, announcement.json()["id"]) == 201
    assert len([s for s in seen if "company_settings" in s]) == 1, seen


# --- refusals ----------------------------------------------------------------------------------

async def test_only_administrators_see_and_change_the_settings(cast: Cast,
                                                               runtime: Runtime) -> None:
    before = await values(cast.linxiaoyan)
    for person in (cast.zhangwei, cast.liuyang, cast.alex):
        refused(await person.api.get(SETTINGS), 403, "forbidden")
        refused(await person.api.patch(SETTINGS, json={"create_channels": {
            "user_ids": [cast.zhangwei.id]}}), 403, "forbidden")
        assert (await person.api.get(PERMISSIONS)).status_code == 200
    async with anonymous_client(cast.client) as nobody:
        refused(await nobody.get(SETTINGS), 401, "unauthorized")
        refused(await nobody.patch(SETTINGS, json={"create_channels": {"roles": ["admins"]}}),
                401, "unauthorized")
        refused(await nobody.get(PERMISSIONS), 401, "unauthorized")
    assert await values(cast.linxiaoyan) == before
    assert await audit_entries(runtime) == []


def many(count: int, start: int = 1) -> list[int]:
    return list(range(start, start + count))


async def test_bad_values_are_a_422_and_change_nothing(cast: Cast, runtime: Runtime) -> None:
    admin = cast.linxiaoyan
    # Something other than the default, so that a refused change could be seen undoing it.
    await change(admin, view_analytics={"roles": ["everyone"]})
    before = await values(admin)
    entries = len(await audit_entries(runtime))
    sales = cast.departments["销售部"]
    deactivated = await admin.api.post(f"{API}/users", json={
        "username": "gone", "display_name": "离职员工", "password": PASSWORD})
    assert deactivated.status_code == 201, deactivated.text
    gone = deactivated.json()["id"]
    assert (await admin.api.patch(f"{API}/users/{gone}", json={"active": False})).status_code \
        == 200

    invalid: list[tuple[dict[str, Any], list[Any] | None]] = [
        ({"colour": {"roles": ["everyone"]}}, ["body", "colour"]),  # an unknown key
        ({"create_channels": {"roles": ["everyone"]}, "is_admin": True}, ["body", "is_admin"]),
        ({"create_channels": "admins"}, ["body", "create_channels"]),
        ({"create_channels": ["admins"]}, ["body", "create_channels"]),
        ({"create_channels": 1}, ["body", "create_channels"]),
        ({"create_channels": True}, ["body", "create_channels"]),
        ({"create_channels": {"roles": "admins"}}, ["body", "create_channels", "roles"]),
        ({"create_channels": {"roles": ["root"]}}, ["body", "create_channels", "roles", 0]),
        ({"create_channels": {"roles": ["Admins"]}}, ["body", "create_channels", "roles", 0]),
        # Channel admins are a channel's: no company-wide right names them.
        ({"create_channels": {"roles": ["channel_admins"]}},
         ["body", "create_channels", "roles", 0]),
        ({"view_analytics": {}}, ["body", "view_analytics"]),  # names nobody
        ({"view_analytics": {"roles": [], "department_ids": [], "user_ids": []}},
         ["body", "view_analytics"]),
        ({"create_channels": {"roles": ["everyone"], "groups": [1]}},
         ["body", "create_channels", "groups"]),
        ({"create_channels": {"department_ids": [str(sales)]}},
         ["body", "create_channels", "department_ids", 0]),
        ({"create_channels": {"department_ids": [True]}},
         ["body", "create_channels", "department_ids", 0]),
        ({"create_channels": {"user_ids": [float(cast.lina.id)]}},
         ["body", "create_channels", "user_ids", 0]),
        ({"create_channels": {"user_ids": [0]}}, ["body", "create_channels", "user_ids", 0]),
        ({"create_channels": {"user_ids": [2**31]}}, ["body", "create_channels", "user_ids", 0]),
        ({"create_channels": {"user_ids": many(MAX_GROUP_PEOPLE + 1)}},
         ["body", "create_channels", "user_ids"]),
        ({"create_channels": {"department_ids": many(MAX_GROUP_DEPARTMENTS + 1)}},
         ["body", "create_channels", "department_ids"]),
        ({"create_channels": {"user_ids": many(100_000)}},
         ["body", "create_channels", "user_ids"]),
        # All or nothing: a good change beside a bad one is not made either.
        ({"create_channels": {"roles": ["admins"]}, "create_projects": {"roles": ["nobody"]}},
         ["body", "create_projects", "roles", 0]),
        # Rules the database knows: ids that name nobody, people who cannot hold a right.
        ({"create_channels": {"roles": ["admins"]},
          "create_projects": {"department_ids": [sales, 999_999]}}, None),
        ({"create_channels": {"user_ids": [cast.lina.id, 999_999]}}, None),
        ({"create_channels": {"user_ids": [gone]}}, None),
    ]
    for body, loc in invalid:
        response = await admin.api.patch(SETTINGS, json=body)
        refused(response, 422, "invalid")
        if loc is not None:
            assert loc in problem_locs(response), (body, response.text)
    too_large = await admin.api.patch(SETTINGS, json={"create_channels": {
        "user_ids": many(300_000)}})
    refused(too_large, 413, "payload_too_large")
    guest = await admin.api.patch(SETTINGS, json={"post_announcements": {
        "user_ids": [cast.alex.id]}})
    refused(guest, 422, "guest_in_group")
    assert guest.json()["error"]["details"] == {"setting": "post_announcements",
                                                "user_ids": [cast.alex.id]}
    unknown = await admin.api.patch(SETTINGS, json={"create_projects": {
        "department_ids": [999_999]}})
    assert unknown.json()["error"]["details"] == {"setting": "create_projects",
                                                  "department_ids": [999_999]}
    # NUL and other control characters, in a value or in a key.
    for body, loc in (({"create_channels": {"roles": ["everyone\x00"]}},
                       ["body", "create_channels", "roles", 0]),
                      ({"create_channels\x00": {"roles": ["everyone"]}},
                       ["body", "create_channels\ufffd"]),
                      ({"view_analytics": {"roles": ["\x1badmins"]}},
                       ["body", "view_analytics", "roles", 0])):
        response = await admin.api.patch(SETTINGS, json=body)
        refused(response, 422, "control_characters")
        assert problem_locs(response) == [loc], response.text
    for body_bytes in (b'{"create_channels": ', b"[]", b'"create_channels"'):
        response = await admin.api.patch(SETTINGS, content=body_bytes,
                                         headers={"content-type": "application/json"})
        assert response.status_code in (400, 422), response.text
    assert await values(admin) == before
    assert len(await audit_entries(runtime)) == entries
    # Nothing of a refused change reached a rule either.
    assert await creating_a_channel(cast.liuyang) == 201


# --- audit, reset, concurrency -----------------------------------------------------------------

async def test_a_change_is_audited_with_what_changed(cast: Cast, runtime: Runtime) -> None:
    admin = cast.linxiaoyan
    sales = cast.departments["销售部"]
    response = await admin.api.patch(SETTINGS, json={
        "create_channels": {"roles": ["admins"]},
        # Given unsorted and repeated: kept in one canonical form.
        "view_analytics": {"user_ids": [cast.lina.id, cast.liuyang.id, cast.lina.id],
                           "department_ids": [sales]},
        "create_projects": None})  # already the default: no change
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["updated_by"] == admin.id
    assert body["updated_at"] is not None
    entries = await audit_entries(runtime)
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor_id, entry.target, entry.ip) == (admin.id, "company_settings",
                                                         "203.0.113.7")
    analytics = {"roles": [], "department_ids": [sales],
                 "user_ids": sorted([cast.lina.id, cast.liuyang.id])}
    assert entry.details == {"changed": {
        "create_channels": {"from": default("create_channels"),
                            "to": {"roles": ["admins"], "department_ids": [], "user_ids": []}},
        "view_analytics": {"from": default("view_analytics"), "to": analytics}}}
    assert (await values(admin))["view_analytics"] == analytics
    # The audit log's own reader shows it to administrators.
    listed = await cast.zhoujianguo.api.get(f"{API}/audit", params={"action": CHANGED})
    assert [item["details"] for item in listed.json()["items"]] == [entry.details]

    # The same values again, or nothing at all: no change, no entry, no new revision.
    async with runtime.reader() as uow:
        record = await uow.session.get(CompanySettingsRecord, THE_ROW)
        assert record is not None
        revision = record.revision
    again = await admin.api.patch(SETTINGS, json={"view_analytics": {
        "department_ids": [sales], "user_ids": [cast.liuyang.id, cast.lina.id]}})
    assert again.json() == body
    assert (await admin.api.patch(SETTINGS, json={})).json() == body
    assert len(await audit_entries(runtime)) == 1
    async with runtime.reader() as uow:
        record = await uow.session.get(CompanySettingsRecord, THE_ROW)
        assert record is not None
        assert record.revision == revision

    # Back to the default: recorded, and no longer stored as a choice.
    await change(cast.zhoujianguo, create_channels=None)
    entries = await audit_entries(runtime)
    assert entries[-1].actor_id == cast.zhoujianguo.id
    assert entries[-1].details == {"changed": {"create_channels": {
        "from": {"roles": ["admins"], "department_ids": [], "user_ids": []},
        "to": default("create_channels")}}}
    async with runtime.reader() as uow:
        record = await uow.session.get(CompanySettingsRecord, THE_ROW)
        assert record is not None
        assert set(record.overrides) == {"view_analytics"}


async def test_concurrent_changes_keep_each_other(cast: Cast, runtime: Runtime) -> None:
    """Administrators changing different settings at the same moment: each change is kept
    (no one writes back what they read before the other's commit)."""
    admins = (cast.zhoujianguo, cast.linxiaoyan)
    department_ids = list(cast.departments.values())
    for round_number in range(4):
        wanted = {key: {"roles": [], "department_ids": [department_ids[(round_number + i) % 5]],
                        "user_ids": []} for i, key in enumerate(GROUP_KEYS)}
        answers = await asyncio.gather(*(
            admins[i % 2].api.patch(SETTINGS, json={key: group})
            for i, (key, group) in enumerate(wanted.items())))
        assert [a.status_code for a in answers] == [200] * len(GROUP_KEYS), [
            a.text for a in answers]
        assert {k: v for k, v in (await values(cast.linxiaoyan)).items()
                if k in GROUP_KEYS} == wanted, round_number
    assert len(await audit_entries(runtime)) == 4 * len(GROUP_KEYS)


async def test_a_stored_value_this_version_cannot_read_falls_back_to_its_default(
        cast: Cast, runtime: Runtime) -> None:
    """A row written by another version (a setting since removed, a role since renamed)
    must not break every permission check: what cannot be read has its default."""
    async with runtime.unit_of_work() as uow:
        uow.session.add(CompanySettingsRecord(
            id=THE_ROW, revision="f" * 32, overrides={
                "create_channels": {"roles": ["wizards"]},
                "retired_setting": True,
                "view_analytics": {"roles": ["everyone"]}}))
    assert (await values(cast.linxiaoyan)) == {
        **{key: default(key) for key in KEYS}, "view_analytics": {
            "roles": ["everyone"], "department_ids": [], "user_ids": []}}
    assert await creating_a_channel(cast.liuyang) == 201
    assert (await permissions(cast.liuyang))["view_analytics"] is True
    # The next change stores only what this version reads.
    await change(cast.linxiaoyan, create_projects={"roles": ["admins"]})
    async with runtime.reader() as uow:
        record = await uow.session.get(CompanySettingsRecord, THE_ROW)
        assert record is not None
        assert set(record.overrides) == {"view_analytics", "create_projects"}
    assert (await permissions(cast.liuyang))["create_projects"] is False


# --- the definitions and the rule --------------------------------------------------------------

def test_the_change_body_names_every_setting_with_its_type() -> None:
    assert list(CompanySettingsChange.model_fields) == list(CompanySettings.model_fields)
    for key, field in CompanySettings.model_fields.items():
        assert field.annotation in (PermissionGroup, ChannelPermissionGroup, int)
        if field.annotation is not int:
            assert CompanySettingsChange.model_fields[key].annotation == field.annotation | None
            continue
        # A number: the change takes what the setting holds, and nothing outside its bounds.
        [definition] = [d for d in DEFINITIONS if d.key == key]
        assert definition.minimum is not None
        assert definition.maximum is not None
        for value in (definition.minimum, definition.maximum, None):
            assert getattr(CompanySettingsChange.model_validate({key: value}), key) == value
        for bad in (definition.minimum - 1, definition.maximum + 1, True, "3"):
            with pytest.raises(ValidationError):
                CompanySettingsChange.model_validate({key: bad})


def test_the_role_presets_are_the_policys_names() -> None:
    assert typing.get_args(company_policy.CompanyRole) == (
        company_policy.EVERYONE, company_policy.DEPARTMENT_MANAGERS, company_policy.ADMINS)
    assert typing.get_args(company_policy.ChannelRole) == (
        *typing.get_args(company_policy.CompanyRole), company_policy.CHANNEL_ADMINS)


MEMBER = Actor(user_id=7, role=Role.MEMBER)
SALES, EAST, RESEARCH = 2, 3, 4
IN_EAST = company_policy.Standing(department_ids=frozenset({EAST, SALES}))
MANAGER = company_policy.Standing(manages_a_department=True)


@pytest.mark.parametrize(("group", "standing", "channel_admin", "expected"), [
    (ChannelPermissionGroup(roles=("everyone",)), company_policy.NO_STANDING, False, True),
    (ChannelPermissionGroup(roles=("admins",)), IN_EAST, True, False),
    (ChannelPermissionGroup(user_ids=(7,)), company_policy.NO_STANDING, False, True),
    (ChannelPermissionGroup(user_ids=(8,)), company_policy.NO_STANDING, False, False),
    (ChannelPermissionGroup(department_ids=(SALES,)), IN_EAST, False, True),
    (ChannelPermissionGroup(department_ids=(RESEARCH,)), IN_EAST, False, False),
    (ChannelPermissionGroup(roles=("department_managers",)), MANAGER, False, True),
    (ChannelPermissionGroup(roles=("department_managers",)), IN_EAST, False, False),
    (ChannelPermissionGroup(roles=("channel_admins",)), company_policy.NO_STANDING, True, True),
    (ChannelPermissionGroup(roles=("channel_admins",)), company_policy.NO_STANDING, False,
     False),
])
def test_who_a_group_names(group: ChannelPermissionGroup, standing: company_policy.Standing,
                           channel_admin: bool, expected: bool) -> None:
    assert company_policy.is_in_group(MEMBER, group, standing,
                                      channel_admin=channel_admin) is expected
    # Administrators are in every group, guests in none, whatever it names.
    for role, always in ((Role.ADMIN, True), (Role.OWNER, True), (Role.GUEST, False)):
        actor = Actor(user_id=7, role=role)
        assert company_policy.is_in_group(actor, group, standing,
                                          channel_admin=channel_admin) is always


def test_only_the_facts_a_group_asks_about_are_fetched() -> None:
    both = PermissionGroup(roles=("department_managers",), department_ids=(SALES,))
    everyone = PermissionGroup(roles=("everyone",))
    assert company_policy.asks_about_departments(MEMBER, both)
    assert company_policy.asks_about_managers(MEMBER, both)
    assert not company_policy.asks_about_departments(MEMBER, everyone)
    assert not company_policy.asks_about_managers(MEMBER, everyone)
    for role in (Role.ADMIN, Role.GUEST):
        actor = Actor(user_id=7, role=role)
        assert not company_policy.asks_about_departments(actor, both)
        assert not company_policy.asks_about_managers(actor, both)


# --- several nodes -----------------------------------------------------------------------------

@pytest.mark.slow
async def test_a_change_is_in_force_on_every_node_at_the_next_request(
        backend: Backend, tmp_path: Path) -> None:
    """Two server processes, each with its own cache: a change made through one node
    decides the very next request on the other."""
    if not backend.is_postgres:
        pytest.skip("several nodes need PostgreSQL (+ Redis); SQLite is one node: this is "
                    "the SQLite run")
    password = "settings-node-password"
    async with backend.installation(tmp_path, password) as env:
        nodes = [await asyncio.to_thread(Node(dict(env)).start) for _ in range(2)]
        try:
            first, second = (node.url for node in nodes)

            async def signed_in(base: str, login: str) -> httpx.AsyncClient:
                async with httpx.AsyncClient(base_url=base) as client:
                    response = await client.post(f"{API}/auth/login",
                                                 json={"login": login, "password": password})
                    assert response.status_code == 200, response.text
                return httpx.AsyncClient(base_url=base, timeout=30, headers={
                    "Authorization": f"Bearer {response.json()['token']}"})

            boss = await signed_in(first, "boss")
            made = await boss.post(f"{API}/users", json={
                "username": "lina", "display_name": "李娜", "password": password})
            assert made.status_code == 201, made.text
            lina_id = made.json()["id"]
            lina = {base: await signed_in(base, "lina") for base in (first, second)}
            boss_on_second = await signed_in(second, "boss")
            try:
                # Both nodes read (and cache) a first choice that names 李娜.
                patched = await boss.patch(SETTINGS, json={
                    "create_channels": {"user_ids": [lina_id]}})
                assert patched.status_code == 200, patched.text
                for n, base in enumerate((first, second, first, second)):
                    created = await lina[base].post(CHANNELS, json={"name": f"频道{n}"})
                    assert created.status_code == 201, created.text
                # Changed through the first node; the second decides by it at once.
                patched = await boss.patch(SETTINGS, json={
                    "create_channels": {"roles": ["admins"]}})
                assert patched.status_code == 200, patched.text
                refused_there = await lina[second].post(CHANNELS, json={"name": "不行"})
                assert refused_there.status_code == 403, refused_there.text
                assert (await lina[second].get(PERMISSIONS)).json()["create_channels"] is False
                # And back, through the second node; the first follows.
                patched = await boss_on_second.patch(SETTINGS, json={"create_channels": None})
                assert patched.status_code == 200, patched.text
                allowed = await lina[first].post(CHANNELS, json={"name": "又可以了"})
                assert allowed.status_code == 201, allowed.text
            finally:
                for client in (boss, boss_on_second, *lina.values()):
                    await client.aclose()
        finally:
            for node in nodes:
                node.stop()
