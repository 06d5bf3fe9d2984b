"""API tokens for scripts and bots: made once, shown once, listed without the secret,
revoked by their owner or an administrator, stored only as digests."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select, text

from tests.helpers import Cast, client_with_token, error_code
from xietong.auth.models import AuthToken
from xietong.core.clock import utcnow
from xietong.runtime import Runtime

TOKENS = "/api/v1/tokens"
ME = "/api/v1/users/me"
FIELDS = {"id", "name", "created_at", "last_used_at", "expires_at"}


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value  # times are UTC, and say so
    return parsed


async def test_a_new_token_is_shown_once_and_authenticates(cast: Cast) -> None:
    before = utcnow()
    response = await cast.zhangwei.api.post(TOKENS, json={"name": "CRM 同步"})
    after = utcnow()
    assert response.status_code == 201, response.text
    made = response.json()
    assert set(made) == FIELDS | {"token"}
    assert made["name"] == "CRM 同步"
    assert made["token"].startswith("xta_")  # recognisable to secret scanners
    assert len(made["token"]) >= 40
    assert made["expires_at"] is None
    assert made["last_used_at"] is None
    assert before - timedelta(seconds=1) <= parse_time(made["created_at"]) <= after

    async with client_with_token(cast.client, made["token"]) as bot:
        me = await bot.get(ME)
        assert me.status_code == 200
        assert me.json()["id"] == cast.zhangwei.id
        # It acts as its owner for writes as well, with no CSRF value needed.
        second = await bot.post(TOKENS, json={"name": "第二个"})
        assert second.status_code == 201

    # The list never shows a secret again.
    listed = await cast.zhangwei.api.get(TOKENS)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [t["name"] for t in items] == ["第二个", "CRM 同步"]  # newest first
    for item in items:
        assert set(item) == FIELDS
    assert made["token"] not in listed.text
    assert second.json()["token"] not in listed.text
    # Using it is remembered, so an owner can spot a token nobody uses.
    used = next(t for t in items if t["id"] == made["id"])
    assert used["last_used_at"] is not None
    assert before - timedelta(seconds=1) <= parse_time(used["last_used_at"])


async def test_tokens_are_listed_to_their_owner_only(cast: Cast) -> None:
    for person, name in ((cast.zhangwei, "张伟的"), (cast.lina, "李娜的")):
        assert (await person.api.post(TOKENS, json={"name": name})).status_code == 201
    assert [t["name"] for t in (await cast.zhangwei.api.get(TOKENS)).json()["items"]] == ["张伟的"]
    assert [t["name"] for t in (await cast.lina.api.get(TOKENS)).json()["items"]] == ["李娜的"]
    # Administrators list their own too; the endpoint is not an inventory of everyone's.
    assert (await cast.linxiaoyan.api.get(TOKENS)).json()["items"] == []
    # Sessions are not API tokens and are never listed.
    assert (await cast.wangfang.api.get(TOKENS)).json() == {"items": []}


async def test_a_token_can_expire(cast: Cast, runtime: Runtime) -> None:
    before = utcnow()
    response = await cast.lina.api.post(TOKENS, json={"name": "临时", "expires_in_days": 7})
    assert response.status_code == 201
    made = response.json()
    expires_at = parse_time(made["expires_at"])
    assert before + timedelta(days=7) - timedelta(minutes=1) <= expires_at
    assert expires_at <= utcnow() + timedelta(days=7)

    async with client_with_token(cast.client, made["token"]) as bot:
        assert (await bot.get(ME)).status_code == 200
        async with runtime.unit_of_work() as uow:
            row = await uow.session.get(AuthToken, made["id"])
            assert row is not None
            row.expires_at = utcnow() - timedelta(seconds=1)
        # Changed behind the server's back: make it look the token up again.
        runtime.credentials.forget_all()
        expired = await bot.get(ME)
        assert expired.status_code == 401
        assert error_code(expired) == "unauthorized"
    # Its owner's session is not affected.
    assert (await cast.lina.api.get(ME)).status_code == 200


async def test_bad_token_requests_are_refused(cast: Cast) -> None:
    for body in ({}, {"name": ""}, {"name": "   "}, {"name": "x" * 101},
                 {"name": "ok", "expires_in_days": 0}, {"name": "ok", "expires_in_days": 3651},
                 {"name": "ok", "expires_in_days": "soon"}, {"name": "ok", "scope": "all"},
                 {"name": "\u202eevil"}):
        response = await cast.zhangwei.api.post(TOKENS, json=body)
        assert response.status_code == 422, (body, response.text)
        assert error_code(response) == "invalid"
    assert (await cast.zhangwei.api.get(TOKENS)).json()["items"] == []


async def test_revoking_a_token_ends_it(cast: Cast) -> None:
    made = (await cast.zhangwei.api.post(TOKENS, json={"name": "旧脚本"})).json()
    kept = (await cast.zhangwei.api.post(TOKENS, json={"name": "新脚本"})).json()
    async with client_with_token(cast.client, made["token"]) as old_bot, \
            client_with_token(cast.client, kept["token"]) as new_bot:
        assert (await old_bot.get(ME)).status_code == 200

        response = await cast.zhangwei.api.delete(f"{TOKENS}/{made['id']}")
        assert response.status_code == 204
        refused = await old_bot.get(ME)
        assert refused.status_code == 401
        assert error_code(refused) == "unauthorized"
        assert (await new_bot.get(ME)).status_code == 200
        assert (await cast.zhangwei.api.get(ME)).status_code == 200

        names = [t["name"] for t in (await cast.zhangwei.api.get(TOKENS)).json()["items"]]
        assert names == ["新脚本"]
        again = await cast.zhangwei.api.delete(f"{TOKENS}/{made['id']}")
        assert again.status_code == 404
        assert error_code(again) == "not_found"

        # A token may revoke itself (a bot retiring its own credential).
        assert (await new_bot.delete(f"{TOKENS}/{kept['id']}")).status_code == 204
        assert (await new_bot.get(ME)).status_code == 401


async def test_someone_elses_token_looks_absent_but_an_admin_may_revoke_it(cast: Cast) -> None:
    made = (await cast.lina.api.post(TOKENS, json={"name": "研发机器人"})).json()
    async with client_with_token(cast.client, made["token"]) as bot:
        for outsider in (cast.zhangwei, cast.alex):
            response = await outsider.api.delete(f"{TOKENS}/{made['id']}")
            assert response.status_code == 404, (outsider.username, response.text)
            assert error_code(response) == "not_found"
        # … exactly like a token that does not exist at all.
        missing = await cast.zhangwei.api.delete(f"{TOKENS}/{made['id'] + 1000}")
        assert missing.status_code == 404
        assert (await bot.get(ME)).status_code == 200

        response = await cast.linxiaoyan.api.delete(f"{TOKENS}/{made['id']}")
        assert response.status_code == 204
        assert (await bot.get(ME)).status_code == 401
    assert (await cast.lina.api.get(TOKENS)).json()["items"] == []
    assert (await cast.lina.api.get(ME)).status_code == 200


async def test_sessions_cannot_be_revoked_through_the_token_endpoint(
        cast: Cast, runtime: Runtime) -> None:
    async with runtime.reader() as uow:
        session_id = await uow.session.scalar(
            select(AuthToken.id).where(AuthToken.user_id == cast.lina.id,
                                       AuthToken.kind == "session"))
    assert session_id is not None
    for actor in (cast.lina, cast.linxiaoyan):
        response = await actor.api.delete(f"{TOKENS}/{session_id}")
        assert response.status_code == 404
    assert (await cast.lina.api.get(ME)).status_code == 200


async def test_guests_cannot_make_tokens(cast: Cast) -> None:
    response = await cast.alex.api.post(TOKENS, json={"name": "顾问脚本"})
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    listed = await cast.alex.api.get(TOKENS)
    assert listed.status_code == 200
    assert listed.json()["items"] == []


async def test_tokens_are_stored_only_as_digests(cast: Cast, runtime: Runtime) -> None:
    secrets = [(await cast.zhangwei.api.post(TOKENS, json={"name": f"脚本{n}"})).json()["token"]
               for n in range(3)]
    sessions = [person.token for person in cast.people.values()]
    async with runtime.reader() as uow:
        rows = (await uow.session.execute(text("SELECT * FROM auth_tokens"))).all()
        digests = set((await uow.session.scalars(select(AuthToken.digest))).all())
    assert len(rows) == len(secrets) + len(sessions)
    stored = "\n".join(str(value) for row in rows for value in row)
    for secret in secrets + sessions:
        assert secret not in stored
        assert secret.split("_", 1)[1] not in stored  # not even without its prefix
        assert hashlib.sha256(secret.encode()).hexdigest() in digests


async def test_a_person_made_a_guest_loses_their_api_tokens_at_once(cast: Cast) -> None:
    """Guests cannot make tokens, so a demotion to guest revokes the ones the person made as
    a member: in the same change, audited, and refused from the very next request although
    nodes remember credentials for a while."""
    made = [(await cast.lina.api.post(TOKENS, json={"name": name})).json()
            for name in ("研发机器人", "构建脚本")]
    async with client_with_token(cast.client, made[0]["token"]) as bot:
        assert (await bot.get(ME)).status_code == 200  # remembered by the credential cache
        demoted = await cast.linxiaoyan.api.patch(f"/api/v1/users/{cast.lina.id}",
                                                  json={"role": "guest"})
        assert demoted.status_code == 200, demoted.text
        refused = await bot.get(ME)
        assert refused.status_code == 401
        assert error_code(refused) == "unauthorized"
    async with client_with_token(cast.client, made[1]["token"]) as other:
        assert (await other.get(ME)).status_code == 401
    # The person's sign-in session stays: they are still a guest who may work.
    assert (await cast.lina.api.get(ME)).json()["role"] == "guest"
    assert (await cast.lina.api.get(TOKENS)).json()["items"] == []

    audit = (await cast.linxiaoyan.api.get("/api/v1/audit",
                                           params={"action": "token.revoked"})).json()["items"]
    assert sorted((e["target"], e["actor_id"], e["details"]["reason"]) for e in audit) == sorted(
        (f"token:{t['id']}", cast.linxiaoyan.id, "demoted_to_guest") for t in made)
    changed = (await cast.linxiaoyan.api.get("/api/v1/audit", params={
        "action": "user.role_changed", "target": f"user:{cast.lina.id}"})).json()["items"]
    assert [e["details"] for e in changed] == [
        {"from": "member", "to": "guest", "api_tokens_revoked": sorted(t["id"] for t in made)}]


async def test_a_demotion_short_of_guest_keeps_api_tokens(cast: Cast) -> None:
    made = (await cast.linxiaoyan.api.post(TOKENS, json={"name": "审计导出"})).json()
    async with client_with_token(cast.client, made["token"]) as bot:
        demoted = await cast.zhoujianguo.api.patch(f"/api/v1/users/{cast.linxiaoyan.id}",
                                                   json={"role": "member"})
        assert demoted.status_code == 200, demoted.text
        me = await bot.get(ME)
        assert me.status_code == 200
        assert me.json()["role"] == "member"
