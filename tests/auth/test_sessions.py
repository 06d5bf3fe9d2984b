"""Sessions: the cookie and its CSRF header, signing out, changing the password,
deactivated accounts, and what a request without credentials gets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from sqlalchemy import select

from tests.helpers import PASSWORD, Cast, Person, client_with_token, error_code, sign_in
from xietong.app import create_app
from xietong.auth.models import AuthToken
from xietong.core.clock import utcnow
from xietong.core.security import token_digest
from xietong.runtime import Runtime

LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"
TOKENS = "/api/v1/tokens"
PASSWORD_CHANGE = "/api/v1/users/me/password"
NEW_PASSWORD = "a brand-new 密码 2025"


@asynccontextmanager
async def anonymous(runtime: Runtime, cookies: dict[str, str] | None = None,
                    ) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh client with no credentials (the `client` fixture keeps the cast's cookies)."""
    transport = httpx.ASGITransport(app=create_app(runtime), client=("203.0.113.7", 4242))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 cookies=cookies) as client:
        yield client


@asynccontextmanager
async def browser(runtime: Runtime, login: str,
                  password: str = PASSWORD) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in the way the web page is: by the cookies the login sets."""
    async with anonymous(runtime) as client:
        response = await client.post(LOGIN, json={"login": login, "password": password})
        assert response.status_code == 200, response.text
        assert client.cookies.get("xietong_session") == response.json()["token"]
        yield client


def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    """The header a page sends on writes: the value of the readable CSRF cookie."""
    value = client.cookies.get("xietong_csrf")
    assert value
    return {"X-CSRF-Token": value}


async def who(client: httpx.AsyncClient) -> int:
    """The id of the person the client is signed in as, or 401 as a negative number."""
    response = await client.get(ME)
    if response.status_code == 401:
        assert error_code(response) == "unauthorized"
        return -401
    assert response.status_code == 200, response.text
    person_id: int = response.json()["id"]
    return person_id


async def token_names(client: httpx.AsyncClient) -> list[str]:
    response = await client.get(TOKENS)
    assert response.status_code == 200, response.text
    return [t["name"] for t in response.json()["items"]]


# --- CSRF ----------------------------------------------------------------------------------

async def test_cookie_writes_need_the_csrf_header_of_their_own_session(
        cast: Cast, runtime: Runtime) -> None:
    async with browser(runtime, "zhangwei") as page, browser(runtime, "lina") as other_page:
        # Reads with the cookie alone are fine.
        assert await who(page) == cast.zhangwei.id

        refused = [
            await page.post(TOKENS, json={"name": "无令牌"}),
            await page.post(TOKENS, json={"name": "错令牌"}, headers={"X-CSRF-Token": "0" * 64}),
            await page.post(TOKENS, json={"name": "空令牌"}, headers={"X-CSRF-Token": ""}),
            # Another session's value (someone else's page) does not fit this session.
            await page.post(TOKENS, json={"name": "别人的令牌"}, headers=csrf(other_page)),
        ]
        for response in refused:
            assert response.status_code == 403, response.text
            assert error_code(response) == "csrf_failed"
        assert await token_names(page) == []  # nothing was written

        created = await page.post(TOKENS, json={"name": "浏览器"}, headers=csrf(page))
        assert created.status_code == 201, created.text
        assert await token_names(page) == ["浏览器"]

        # Deletes are writes too.
        token_id = created.json()["id"]
        assert (await page.delete(f"{TOKENS}/{token_id}")).status_code == 403
        assert await token_names(page) == ["浏览器"]
        assert (await page.delete(f"{TOKENS}/{token_id}", headers=csrf(page))).status_code == 204
        assert await token_names(page) == []

    # A bearer header is never sent by another site, so it needs no CSRF value.
    by_bearer = await cast.zhangwei.api.post(TOKENS, json={"name": "脚本"})
    assert by_bearer.status_code == 201, by_bearer.text


async def test_a_bearer_token_wins_over_a_cookie(cast: Cast, runtime: Runtime) -> None:
    async with browser(runtime, "zhangwei") as page:
        response = await page.get(ME, headers={"Authorization": f"Bearer {cast.lina.token}"})
        assert response.json()["id"] == cast.lina.id
        # … and a bearer write needs no CSRF value even when a cookie rides along.
        created = await page.post(TOKENS, json={"name": "李娜的"},
                                  headers={"Authorization": f"Bearer {cast.lina.token}"})
        assert created.status_code == 201
        assert await token_names(cast.lina.api) == ["李娜的"]
        assert await token_names(page) == []


# --- signing out ---------------------------------------------------------------------------

async def test_signing_out_ends_that_session_only(cast: Cast, runtime: Runtime) -> None:
    second_token = await sign_in(cast.client, "zhangwei")
    async with browser(runtime, "zhangwei") as page, \
            client_with_token(cast.client, second_token) as second:
        cookie_token = page.cookies.get("xietong_session")
        assert cookie_token

        # Signing out is a write: without the CSRF value another site could sign us out.
        forged = await page.post(LOGOUT)
        assert forged.status_code == 403
        assert await who(page) == cast.zhangwei.id

        response = await page.post(LOGOUT, headers=csrf(page))
        assert response.status_code == 204
        assert response.content == b""
        cleared = {header.split("=", 1)[0]: header.lower()
                   for header in response.headers.get_list("set-cookie")}
        assert set(cleared) == {"xietong_session", "xietong_csrf"}
        assert all("max-age=0" in header for header in cleared.values()), cleared
        assert page.cookies.get("xietong_session") is None
        assert await who(page) == -401

        # The old session token is dead however it is presented.
        async with anonymous(runtime, cookies={"xietong_session": cookie_token}) as replay:
            assert await who(replay) == -401
        async with client_with_token(cast.client, cookie_token) as replay:
            assert await who(replay) == -401

        # The person's other sessions go on.
        assert await who(cast.zhangwei.api) == cast.zhangwei.id
        assert await who(second) == cast.zhangwei.id

        # Signing out by bearer token ends that token's session.
        assert (await second.post(LOGOUT)).status_code == 204
        assert await who(second) == -401
        assert await who(cast.zhangwei.api) == cast.zhangwei.id
        # Signing out twice: the second time there is no session left.
        assert (await second.post(LOGOUT)).status_code == 401


async def test_an_expired_session_no_longer_authenticates(cast: Cast, runtime: Runtime) -> None:
    assert await who(cast.lina.api) == cast.lina.id
    async with runtime.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(AuthToken).where(AuthToken.digest == token_digest(cast.lina.token)))
        assert row is not None
        assert row.kind == "session"
        assert row.expires_at is not None
        # A new session lasts the configured time.
        lasts = row.expires_at - row.created_at
        assert abs(lasts - timedelta(days=runtime.settings.session_ttl_days)) < timedelta(
            minutes=1)
        row.expires_at = utcnow() + timedelta(seconds=1.5)
    # The row was changed behind the server's back: make it look the credential up again.
    runtime.credentials.forget_all()
    assert await who(cast.lina.api) == cast.lina.id
    # The end of a session is honoured to the second, also while it is remembered.
    await asyncio.sleep(1.6)
    assert await who(cast.lina.api) == -401
    assert await who(cast.wangfang.api) == cast.wangfang.id


# --- changing the password -----------------------------------------------------------------

async def test_a_wrong_current_password_changes_nothing(cast: Cast, runtime: Runtime) -> None:
    other_session = await sign_in(cast.client, "zhangwei")
    response = await cast.zhangwei.api.post(PASSWORD_CHANGE, json={
        "old_password": PASSWORD + "?", "new_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert error_code(response) == "wrong_password"
    async with client_with_token(cast.client, other_session) as other:
        assert await who(other) == cast.zhangwei.id
    async with anonymous(runtime) as client:
        await sign_in(client, "zhangwei")
        refused = await client.post(LOGIN, json={"login": "zhangwei", "password": NEW_PASSWORD})
        assert error_code(refused) == "bad_credentials"


async def test_changing_the_password_ends_the_other_sessions_but_not_api_tokens(
        cast: Cast, runtime: Runtime) -> None:
    second_session = await sign_in(cast.client, "zhangwei")
    made = await cast.zhangwei.api.post(TOKENS, json={"name": "CRM 同步"})
    assert made.status_code == 201
    async with browser(runtime, "zhangwei") as page, \
            client_with_token(cast.client, second_session) as second, \
            client_with_token(cast.client, made.json()["token"]) as integration:
        response = await cast.zhangwei.api.post(PASSWORD_CHANGE, json={
            "old_password": PASSWORD, "new_password": NEW_PASSWORD})
        assert response.status_code == 204, response.text

        # The session that changed it goes on; every other session ends.
        assert await who(cast.zhangwei.api) == cast.zhangwei.id
        assert await who(second) == -401
        assert await who(page) == -401
        # API tokens belong to integrations, not to a browser: they survive (by design).
        assert await who(integration) == cast.zhangwei.id
        # Other people are untouched.
        assert await who(cast.lina.api) == cast.lina.id

    async with anonymous(runtime) as client:
        old = await client.post(LOGIN, json={"login": "zhangwei", "password": PASSWORD})
        assert old.status_code == 401
        assert error_code(old) == "bad_credentials"
        await sign_in(client, "zhangwei", NEW_PASSWORD)
        await sign_in(client, "zhangwei@example.com", NEW_PASSWORD)


async def test_changing_the_password_in_the_browser_keeps_the_browser_signed_in(
        cast: Cast, runtime: Runtime) -> None:
    async with browser(runtime, "lina") as page:
        forged = await page.post(PASSWORD_CHANGE, json={"old_password": PASSWORD,
                                                        "new_password": NEW_PASSWORD})
        assert forged.status_code == 403
        assert error_code(forged) == "csrf_failed"
        response = await page.post(PASSWORD_CHANGE, headers=csrf(page), json={
            "old_password": PASSWORD, "new_password": NEW_PASSWORD})
        assert response.status_code == 204
        assert await who(page) == cast.lina.id
        # Its CSRF value still fits the session for the next write.
        assert (await page.post(TOKENS, json={"name": "x"}, headers=csrf(page))).status_code == 201
        assert await who(cast.lina.api) == -401


async def test_a_new_password_must_be_acceptable(cast: Cast, runtime: Runtime) -> None:
    for new_password in (PASSWORD, "short7!", "ZhangWei", "x" * 257):
        response = await cast.zhangwei.api.post(PASSWORD_CHANGE, json={
            "old_password": PASSWORD, "new_password": new_password})
        assert response.status_code == 422, (new_password, response.text)
        assert error_code(response) == "invalid"
    missing = await cast.zhangwei.api.post(PASSWORD_CHANGE, json={"new_password": NEW_PASSWORD})
    assert missing.status_code == 422
    async with anonymous(runtime) as client:
        await sign_in(client, "zhangwei")


# --- deactivation --------------------------------------------------------------------------

async def set_active(admin: Person, person: Person, active: bool) -> httpx.Response:
    return await admin.api.patch(f"/api/v1/users/{person.id}", json={"active": active})


async def test_deactivation_ends_every_credential_at_once(cast: Cast, runtime: Runtime) -> None:
    made = await cast.zhangwei.api.post(TOKENS, json={"name": "报表机器人"})
    assert made.status_code == 201
    async with browser(runtime, "zhangwei") as page, \
            client_with_token(cast.client, made.json()["token"]) as bot:
        assert await who(page) == cast.zhangwei.id
        assert await who(bot) == cast.zhangwei.id

        response = await set_active(cast.linxiaoyan, cast.zhangwei, False)
        assert response.status_code == 200, response.text
        assert response.json()["active"] is False

        assert await who(cast.zhangwei.api) == -401
        assert await who(page) == -401
        assert await who(bot) == -401
        assert (await bot.post(TOKENS, json={"name": "偷偷的"})).status_code == 401

        async with anonymous(runtime) as client:
            refused = await client.post(LOGIN, json={"login": "zhangwei", "password": PASSWORD})
            assert refused.status_code == 401
            assert error_code(refused) == "account_inactive"
            assert "set-cookie" not in refused.headers
            # Only the right password learns that the account is inactive.
            guess = await client.post(LOGIN, json={"login": "zhangwei", "password": "guess"})
            assert error_code(guess) == "bad_credentials"

            back = await set_active(cast.linxiaoyan, cast.zhangwei, True)
            assert back.status_code == 200
            assert back.json()["active"] is True
            token = await sign_in(client, "zhangwei")
        async with client_with_token(cast.client, token) as again:
            assert await who(again) == cast.zhangwei.id
        # Reactivation revives the account, not the credentials that died with it.
        assert await who(cast.zhangwei.api) == -401
        assert await who(page) == -401
        assert await who(bot) == -401


async def test_only_administrators_deactivate(cast: Cast, runtime: Runtime) -> None:
    # Members are refused; a guest does not even see the person.
    for actor, status, code in ((cast.lina, 403, "forbidden"), (cast.zhangwei, 403, "forbidden"),
                                (cast.alex, 404, "not_found")):
        response = await set_active(actor, cast.liuyang, False)
        assert response.status_code == status, (actor.username, response.text)
        assert error_code(response) == code
    assert await who(cast.liuyang.api) == cast.liuyang.id
    async with anonymous(runtime) as client:
        await sign_in(client, "liuyang")


# --- no credentials ------------------------------------------------------------------------

async def test_requests_without_valid_credentials_get_a_json_401(cast: Cast,
                                                                 runtime: Runtime) -> None:
    endpoints: list[tuple[str, str, dict[str, object] | None]] = [
        ("GET", ME, None),
        ("GET", "/api/v1/users", None),
        ("PATCH", f"/api/v1/users/{cast.zhangwei.id}", {"active": False}),
        ("PATCH", f"/api/v1/departments/{cast.departments['客服部']}", {"name": "改名"}),
        ("POST", LOGOUT, None),
        ("POST", PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}),
        ("GET", TOKENS, None),
        ("POST", TOKENS, {"name": "匿名"}),
        ("DELETE", f"{TOKENS}/1", None),
        ("GET", "/api/v1/audit", None),
    ]
    presented: list[dict[str, str]] = [
        {},
        {"Authorization": "Bearer xts_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Basic {cast.zhangwei.token}"},
        {"Authorization": f"bearer {token_digest(cast.zhangwei.token)}"},
    ]
    async with anonymous(runtime) as client:
        for headers in presented:
            for method, path, body in endpoints:
                response = await client.request(method, path, json=body, headers=headers)
                assert response.status_code == 401, (method, path, headers, response.text)
                assert response.headers["content-type"].startswith("application/json")
                assert error_code(response) == "unauthorized"
    async with anonymous(runtime, cookies={"xietong_session": "xts_forged"}) as client:
        response = await client.get(ME)
        assert response.status_code == 401
        assert error_code(response) == "unauthorized"
    # None of it changed anything.
    assert await who(cast.zhangwei.api) == cast.zhangwei.id
    assert await token_names(cast.zhangwei.api) == []


SESSION = "/api/v1/auth/session"


async def session_of(client: httpx.AsyncClient, **headers: str) -> dict[str, object]:
    """What the page's probe hears: always 200, never a 401 to log."""
    response = await client.get(SESSION, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_the_session_probe_answers_200_signed_in_or_not(cast: Cast,
                                                              runtime: Runtime) -> None:
    nobody = {"signed_in": False, "user": None}
    async with anonymous(runtime) as client:
        assert await session_of(client) == nobody
        assert await session_of(client, Authorization="Bearer xts_not-a-real-token") == nobody
    async with anonymous(runtime, cookies={"xietong_session": "forged"}) as client:
        assert await session_of(client) == nobody
    # Signed in (by cookie, as the page is, or by a token): who, as /users/me says it.
    async with browser(runtime, "lina") as client:
        signed_in = await session_of(client)
        assert signed_in["signed_in"] is True
        assert signed_in["user"] == (await client.get(ME)).json()
        # Signed out: the same cookie is nobody's any more.
        stale = client.cookies.get("xietong_session")
        assert (await client.post(LOGOUT, headers=csrf(client))).status_code == 204
    async with anonymous(runtime, cookies={"xietong_session": stale or ""}) as client:
        assert await session_of(client) == nobody
    async with anonymous(runtime) as client:
        by_token = await session_of(client, Authorization=f"Bearer {cast.zhangwei.token}")
        assert by_token["signed_in"] is True
        assert isinstance(by_token["user"], dict)
        assert by_token["user"]["username"] == "zhangwei"
    # A deactivated person's session is nobody's.
    deactivated = await cast.linxiaoyan.api.patch(f"/api/v1/users/{cast.wangfang.id}",
                                                  json={"active": False})
    assert deactivated.status_code == 200, deactivated.text
    async with anonymous(runtime) as client:
        assert await session_of(client, Authorization=f"Bearer {cast.wangfang.token}") == nobody
    # /users/me keeps its contract: 401 for nobody.
    async with anonymous(runtime) as client:
        assert (await client.get(ME)).status_code == 401
