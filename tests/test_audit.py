"""The audit log: who did what to whom, from where and when; read by administrators only."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from sqlalchemy import select

from tests.helpers import PASSWORD, Cast, Person, error_code, sign_in
from xietong.app import create_app
from xietong.audit.models import AuditEntry
from xietong.auth.actions import THROTTLED_AUDIT_EVERY
from xietong.core.clock import utcnow
from xietong.runtime import Runtime

AUDIT = "/api/v1/audit"
LOGIN = "/api/v1/auth/login"
ADDRESS = "203.0.113.7"  # the client address of every test client here
FIELDS = {"id", "at", "actor_id", "action", "target", "ip", "details"}
BEIJING = timezone(timedelta(hours=8))


async def audit(reader: Person, **params: Any) -> list[dict[str, Any]]:
    """Every entry matching the filters, newest first (one page of up to 500)."""
    response = await reader.api.get(AUDIT, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    items: list[dict[str, Any]] = page["items"]
    for item in items:
        assert set(item) == FIELDS, item
    return items


def at(entry: dict[str, Any]) -> datetime:
    value = datetime.fromisoformat(entry["at"])
    assert value.tzinfo is not None
    return value


def anonymous(runtime: Runtime) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(runtime), client=(ADDRESS, 4242))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def only(entries: list[dict[str, Any]], action: str) -> dict[str, Any]:
    found = [e for e in entries if e["action"] == action]
    assert len(found) == 1, (action, entries)
    return found[0]


# --- what is recorded ----------------------------------------------------------------------

async def test_sign_ins_are_recorded_even_when_they_fail(cast: Cast, runtime: Runtime) -> None:
    admin = cast.linxiaoyan
    start = utcnow()
    async with anonymous(runtime) as client:
        await sign_in(client, "ZhangWei")
        wrong = await client.post(LOGIN, json={"login": "zhangwei", "password": "秘密 guess 1"})
        assert wrong.status_code == 401
        unknown = await client.post(LOGIN, json={"login": "ghost", "password": "秘密 guess 2"})
        assert unknown.status_code == 401
    end = utcnow()

    entries = await audit(admin, action="login.", since=start.isoformat())
    assert [e["action"] for e in entries] == ["login.failed", "login.failed", "login.succeeded"]
    ghost, failed, succeeded = entries
    assert (succeeded["actor_id"], succeeded["target"]) == (
        cast.zhangwei.id, f"user:{cast.zhangwei.id}")
    # A failure has no actor (nobody proved who they are) but names the account tried.
    assert (failed["actor_id"], failed["target"]) == (None, f"user:{cast.zhangwei.id}")
    assert (ghost["actor_id"], ghost["target"]) == (None, None)
    assert ghost["details"]["login"] == "ghost"
    for entry in entries:
        assert entry["ip"] == ADDRESS
        assert start <= at(entry) <= end
    assert succeeded["id"] < failed["id"] < ghost["id"]

    # The refused requests rolled nothing back: the records are in the database for good.
    async with runtime.reader() as uow:
        stored = (await uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "login.failed"))).all()
    assert len(stored) == 2

    # The passwords tried are never written down.
    everything = (await admin.api.get(AUDIT, params={"limit": 500})).text
    assert "秘密" not in everything
    assert PASSWORD not in everything


async def test_a_throttled_sign_in_is_recorded(cast: Cast, runtime: Runtime) -> None:
    start = utcnow()
    lockout = runtime.settings.login_lockout_after
    async with anonymous(runtime) as client:
        for n in range(lockout + 1):
            await client.post(LOGIN, json={"login": "wangfang", "password": f"guess {n}"})
    entries = await audit(cast.linxiaoyan, action="login.", since=start.isoformat())
    assert [e["action"] for e in entries] == ["login.throttled"] + ["login.failed"] * lockout
    assert entries[0]["ip"] == ADDRESS
    assert entries[0]["actor_id"] is None
    assert entries[0]["details"]["refused_so_far"] == 1


async def test_hammering_a_locked_account_does_not_grow_the_log_without_bound(
        cast: Cast, runtime: Runtime) -> None:
    start = utcnow()
    lockout = runtime.settings.login_lockout_after
    async with anonymous(runtime) as client:
        for n in range(lockout + THROTTLED_AUDIT_EVERY + 5):
            response = await client.post(LOGIN, json={"login": "wangfang",
                                                      "password": f"guess {n}"})
            if n >= lockout:
                assert response.status_code == 429
    entries = await audit(cast.linxiaoyan, action="login.throttled", since=start.isoformat())
    assert [e["details"]["refused_so_far"] for e in entries] == [THROTTLED_AUDIT_EVERY, 1]


async def test_hammering_from_one_address_does_not_grow_the_log_without_bound(
        cast: Cast, runtime: Runtime) -> None:
    """A guesser trying many different logins from one address is refused by the address
    lockout: recorded once per window and then every hundredth refusal, with the count."""
    start = utcnow()
    address_lockout = runtime.settings.login_ip_lockout_after
    async with anonymous(runtime) as client:
        for n in range(address_lockout + THROTTLED_AUDIT_EVERY + 5):
            response = await client.post(LOGIN, json={"login": f"nobody{n}",
                                                      "password": "guess"})
            # The failure that reaches the lockout is already answered with 429.
            assert response.status_code == (429 if n >= address_lockout - 1 else 401), n
    entries = await audit(cast.linxiaoyan, action="login.throttled", since=start.isoformat())
    assert [e["details"]["refused_so_far"] for e in entries] == [THROTTLED_AUDIT_EVERY, 1]
    assert {e["ip"] for e in entries} == {ADDRESS}


async def test_role_changes_are_recorded(cast: Cast) -> None:
    start = utcnow()
    response = await cast.zhoujianguo.api.patch(f"/api/v1/users/{cast.lina.id}",
                                                json={"role": "admin"})
    assert response.status_code == 200, response.text
    end = utcnow()
    entry = only(await audit(cast.linxiaoyan, since=start.isoformat()), "user.role_changed")
    assert entry["actor_id"] == cast.zhoujianguo.id
    assert entry["target"] == f"user:{cast.lina.id}"
    assert entry["ip"] == ADDRESS
    assert entry["details"] == {"from": "member", "to": "admin"}
    assert start <= at(entry) <= end


async def test_token_creation_and_revocation_are_recorded(cast: Cast) -> None:
    start = utcnow()
    made = (await cast.zhangwei.api.post("/api/v1/tokens", json={"name": "报表"})).json()
    revoked = await cast.linxiaoyan.api.delete(f"/api/v1/tokens/{made['id']}")
    assert revoked.status_code == 204
    end = utcnow()
    entries = await audit(cast.linxiaoyan, since=start.isoformat())
    created = only(entries, "token.created")
    assert created["actor_id"] == cast.zhangwei.id
    assert created["target"] == f"token:{made['id']}"
    assert created["details"] == {"name": "报表"}
    gone = only(entries, "token.revoked")
    assert gone["actor_id"] == cast.linxiaoyan.id  # the administrator did it …
    assert gone["target"] == f"token:{made['id']}"
    assert gone["details"] == {"owner_id": cast.zhangwei.id}  # … to 张伟's token
    for entry in (created, gone):
        assert entry["ip"] == ADDRESS
        assert start <= at(entry) <= end
    assert made["token"] not in str(entries)


async def test_deactivation_and_reactivation_are_recorded(cast: Cast) -> None:
    start = utcnow()
    path = f"/api/v1/users/{cast.liuyang.id}"
    assert (await cast.linxiaoyan.api.patch(path, json={"active": False})).status_code == 200
    assert (await cast.linxiaoyan.api.patch(path, json={"active": True})).status_code == 200
    end = utcnow()
    entries = await audit(cast.zhoujianguo, target=f"user:{cast.liuyang.id}",
                          since=start.isoformat())
    assert [e["action"] for e in entries] == ["user.reactivated", "user.deactivated"]
    for entry in entries:
        assert entry["actor_id"] == cast.linxiaoyan.id
        assert entry["ip"] == ADDRESS
        assert start <= at(entry) <= end
    # The deactivation says how many credentials died with it (刘洋's one session).
    assert entries[1]["details"] == {"credentials_revoked": 1}


async def test_department_changes_are_recorded(cast: Cast) -> None:
    admin = cast.linxiaoyan
    start = utcnow()
    moved = await admin.api.patch(f"/api/v1/users/{cast.liuyang.id}",
                                  json={"department_ids": [cast.departments["研发部"]]})
    assert moved.status_code == 200, moved.text
    renamed = await admin.api.patch(f"/api/v1/departments/{cast.departments['客服部']}",
                                    json={"name": "客户成功部"})
    assert renamed.status_code == 200, renamed.text
    end = utcnow()
    entries = await audit(admin, since=start.isoformat())
    person = only(entries, "user.departments_changed")
    assert person["target"] == f"user:{cast.liuyang.id}"
    assert person["details"] == {"department_ids": [cast.departments["研发部"]]}
    department = only(entries, "department.updated")
    assert department["target"] == f"department:{cast.departments['客服部']}"
    assert department["details"]["name"] == {"from": "客服部", "to": "客户成功部"}
    for entry in (person, department):
        assert entry["actor_id"] == admin.id
        assert entry["ip"] == ADDRESS
        assert start <= at(entry) <= end


async def test_password_changes_and_sign_outs_are_recorded(cast: Cast) -> None:
    start = utcnow()
    changed = await cast.wangfang.api.post("/api/v1/users/me/password", json={
        "old_password": PASSWORD, "new_password": "客服部 new password"})
    assert changed.status_code == 204
    assert (await cast.wangfang.api.post("/api/v1/auth/logout")).status_code == 204
    entries = await audit(cast.linxiaoyan, actor_id=cast.wangfang.id, since=start.isoformat())
    assert [e["action"] for e in entries] == ["logout", "password.changed"]
    assert entries[1]["target"] == f"user:{cast.wangfang.id}"
    assert "客服部 new password" not in str(entries)


async def test_refused_changes_leave_no_record(cast: Cast) -> None:
    start = utcnow()
    path = f"/api/v1/users/{cast.liuyang.id}"
    assert (await cast.lina.api.patch(path, json={"active": False})).status_code == 403
    assert (await cast.lina.api.patch(path, json={"role": "admin"})).status_code == 403
    assert (await cast.alex.api.post("/api/v1/tokens", json={"name": "x"})).status_code == 403
    # An administrator's change that breaks a rule is rolled back with its record.
    own = await cast.linxiaoyan.api.patch(f"/api/v1/users/{cast.linxiaoyan.id}",
                                          json={"active": False})
    assert own.status_code == 422
    assert await audit(cast.linxiaoyan, since=start.isoformat()) == []


# --- reading the log -----------------------------------------------------------------------

async def test_filters_by_actor_action_and_time(cast: Cast) -> None:
    admin, owner = cast.linxiaoyan, cast.zhoujianguo
    await sign_in(cast.client, admin.username)
    await admin.api.patch(f"/api/v1/users/{cast.lina.id}", json={"title": "首席架构师"})
    await owner.api.patch(f"/api/v1/users/{cast.liuyang.id}", json={"role": "guest"})
    await asyncio.sleep(0.01)
    mark = utcnow()
    await asyncio.sleep(0.01)
    await admin.api.patch(f"/api/v1/users/{cast.liuyang.id}", json={"role": "member"})
    await owner.api.patch(f"/api/v1/users/{cast.zhangwei.id}", json={"title": "销售副总裁"})

    by_admin = await audit(owner, actor_id=admin.id)
    assert {e["actor_id"] for e in by_admin} == {admin.id}
    assert {"user.updated", "user.role_changed", "login.succeeded"} <= {
        e["action"] for e in by_admin}

    role_changes = await audit(owner, action="user.role_changed")
    assert [(e["actor_id"], e["details"]["to"]) for e in role_changes] == [
        (admin.id, "member"), (owner.id, "guest")]
    # An exact action is exact: "user.role" is no action, and "user" is no family.
    assert await audit(owner, action="user.role") == []
    assert await audit(owner, action="user") == []

    family = await audit(owner, action="user.")
    assert family
    assert all(e["action"].startswith("user.") for e in family)
    assert {"user.created", "user.updated", "user.role_changed"} <= {e["action"] for e in family}
    logins = await audit(owner, action="login.")
    assert {e["action"] for e in logins} == {"login.succeeded"}
    assert [e["actor_id"] for e in logins] == [admin.id]  # signed in above

    later = await audit(owner, since=mark.isoformat())
    assert [(e["action"], e["actor_id"]) for e in later] == [
        ("user.updated", owner.id), ("user.role_changed", admin.id)]
    # The same instant written in Beijing time selects the same entries.
    assert await audit(owner, since=mark.astimezone(BEIJING).isoformat()) == later
    assert await audit(owner, since=(utcnow() + timedelta(minutes=1)).isoformat()) == []

    # Filters combine.
    combined = await audit(owner, actor_id=admin.id, action="user.", since=mark.isoformat())
    assert [e["action"] for e in combined] == ["user.role_changed"]

    bad = await owner.api.get(AUDIT, params={"since": "last tuesday"})
    assert bad.status_code == 422
    assert error_code(bad) == "invalid"


async def test_pages_follow_the_cursor_without_gaps_or_repeats(cast: Cast) -> None:
    admin = cast.linxiaoyan
    everything = await audit(admin)
    ids = [e["id"] for e in everything]
    assert len(ids) > 10
    assert ids == sorted(ids, reverse=True)

    for size in (3, 4, len(ids)):  # a page size that divides the total evenly is covered too
        seen: list[int] = []
        cursor: str | None = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": size}
            if cursor is not None:
                params["cursor"] = cursor
            response = await admin.api.get(AUDIT, params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            assert 1 <= len(page["items"]) <= size
            seen += [e["id"] for e in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ids, size
        assert pages == -(-len(ids) // size)

    # Paging keeps to the filter.
    first = (await admin.api.get(AUDIT, params={"action": "user.", "limit": 2})).json()
    rest = (await admin.api.get(AUDIT, params={"action": "user.", "limit": 500,
                                               "cursor": first["next_cursor"]})).json()
    family = [e["id"] for e in await audit(admin, action="user.")]
    assert [e["id"] for e in first["items"] + rest["items"]] == family

    for cursor in ("not-a-cursor", "WyJ4Il0"):  # the second is a list holding a string
        response = await admin.api.get(AUDIT, params={"cursor": cursor})
        assert response.status_code == 400, cursor
        assert error_code(response) == "bad_cursor"


async def test_only_administrators_read_the_log(cast: Cast, runtime: Runtime) -> None:
    for person in (cast.zhangwei, cast.lina, cast.alex):
        response = await person.api.get(AUDIT)
        assert response.status_code == 403, person.username
        assert error_code(response) == "forbidden"
        filtered = await person.api.get(AUDIT, params={"actor_id": person.id})
        assert filtered.status_code == 403
    for person in (cast.linxiaoyan, cast.zhoujianguo):
        assert (await person.api.get(AUDIT)).status_code == 200
    async with anonymous(runtime) as client:
        response = await client.get(AUDIT)
        assert response.status_code == 401
        assert error_code(response) == "unauthorized"


async def test_a_person_filter_finds_what_they_did_and_what_was_done_to_them(
        cast: Cast) -> None:
    admin, owner, lina = cast.linxiaoyan, cast.zhoujianguo, cast.lina
    await sign_in(cast.client, lina.username)
    await owner.api.patch(f"/api/v1/users/{lina.id}", json={"title": "首席架构师"})
    await lina.api.post("/api/v1/tokens", json={"name": "脚本"})
    await admin.api.patch(f"/api/v1/users/{cast.liuyang.id}", json={"title": "大区经理"})

    about_lina = await audit(admin, person_id=lina.id)
    assert {(e["action"], e["actor_id"], e["target"]) for e in about_lina} >= {
        ("user.updated", owner.id, f"user:{lina.id}"),
        ("token.created", lina.id, about_lina[0]["target"]),
        ("user.created", None, f"user:{lina.id}"),
        ("login.succeeded", lina.id, f"user:{lina.id}")}
    assert all(e["actor_id"] == lina.id or e["target"] == f"user:{lina.id}"
               for e in about_lina)
    assert not any(e["target"] == f"user:{cast.liuyang.id}" for e in about_lina)
    # With the other filters: what was done to her, by the owner.
    assert [e["action"] for e in await audit(admin, person_id=lina.id, actor_id=owner.id)
            ] == ["user.updated"]
    assert await audit(admin, person_id=999_999) == []
