"""Signing in: by username or email, the cookies it sets, and the throttle on failures.

The failure counters live in memory on the SQLite run and in Redis on the PostgreSQL run;
every test here must hold on both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie

import httpx
from sqlalchemy import func, select

from tests.conftest import Backend
from tests.helpers import PASSWORD, Cast, error_code, sign_in
from xietong.app import create_app
from xietong.audit.models import AuditEntry
from xietong.runtime import Runtime

LOGIN = "/api/v1/auth/login"
ADDRESS = "203.0.113.7"  # the address of the `client` fixture and of the cast's clients


@asynccontextmanager
async def client_on(runtime: Runtime, *, ip: str = ADDRESS,
                    base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    """A fresh anonymous client (no cookies) on the app, seen as coming from `ip`."""
    transport = httpx.ASGITransport(app=create_app(runtime), client=(ip, 4242))
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


@asynccontextmanager
async def server_with(backend: Backend, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    """A second server on the same database with other login settings, and a client on it."""
    runtime = Runtime(backend.settings(**settings))
    try:
        async with client_on(runtime) as client:
            yield client
    finally:
        await runtime.close()


async def attempt(client: httpx.AsyncClient, login: str,
                  password: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.post(LOGIN, json={"login": login, "password": password})
    return response, time.perf_counter() - started


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header of the response, by cookie name."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0].strip()
        found[name] = header
    return found


def attributes(set_cookie_header: str) -> dict[str, str]:
    """The attributes of one Set-Cookie header, names lower-cased ('' for flags)."""
    parts = [p.strip() for p in set_cookie_header.split(";")[1:]]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts}


def cookie_value(set_cookie_header: str) -> str:
    parsed: SimpleCookie = SimpleCookie()
    parsed.load(set_cookie_header)
    (morsel,) = parsed.values()
    return morsel.value


async def audit_count(runtime: Runtime, action: str) -> int:
    async with runtime.reader() as uow:
        found = await uow.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))
    return found or 0


# --- signing in ----------------------------------------------------------------------------

async def test_sign_in_by_username_in_any_case(cast: Cast, runtime: Runtime) -> None:
    async with client_on(runtime) as client:
        response = await client.post(LOGIN, json={"login": " ZhangWei ", "password": PASSWORD})
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"user", "token", "csrf_token"}
        assert body["user"]["id"] == cast.zhangwei.id
        assert body["user"]["username"] == "zhangwei"
        assert body["user"]["display_name"] == "张伟"
        assert "password_hash" not in body["user"]
        assert body["token"].startswith("xts_")  # recognisable to secret scanners
        assert len(body["csrf_token"]) >= 32
        assert body["token"] != cast.zhangwei.token  # a new session each time

        # The token works as a bearer credential for this person.
        me = await client.get("/api/v1/users/me",
                              headers={"Authorization": f"Bearer {body['token']}"})
        assert me.status_code == 200
        assert me.json()["id"] == cast.zhangwei.id


async def test_sign_in_by_email_in_any_case(cast: Cast, runtime: Runtime) -> None:
    async with client_on(runtime) as client:
        for login in ("zhangwei@example.com", "ZhangWei@Example.COM"):
            response = await client.post(LOGIN, json={"login": login, "password": PASSWORD})
            assert response.status_code == 200, (login, response.text)
            assert response.json()["user"]["id"] == cast.zhangwei.id
        # The email of one person never signs in another.
        response = await client.post(LOGIN, json={"login": "lin@example.com",
                                                  "password": PASSWORD})
        assert response.json()["user"]["id"] == cast.linxiaoyan.id


async def test_sign_in_sets_a_httponly_session_cookie_and_a_readable_csrf_cookie(
        cast: Cast, runtime: Runtime) -> None:
    async with client_on(runtime) as client:
        response = await client.post(LOGIN, json={"login": "lina", "password": PASSWORD})
        assert response.status_code == 200
        body = response.json()
        cookies = set_cookies(response)
        assert set(cookies) == {"xietong_session", "xietong_csrf"}

        session = attributes(cookies["xietong_session"])
        assert cookie_value(cookies["xietong_session"]) == body["token"]
        assert "httponly" in session
        assert session["samesite"].lower() == "lax"
        assert "secure" not in session  # plain http: a Secure cookie would never come back
        assert session["path"] == "/"
        assert int(session["max-age"]) == runtime.settings.session_ttl_days * 86400

        csrf = attributes(cookies["xietong_csrf"])
        assert cookie_value(cookies["xietong_csrf"]) == body["csrf_token"]
        assert "httponly" not in csrf  # the page's script reads it to send X-CSRF-Token
        assert csrf["samesite"].lower() == "lax"
        assert "secure" not in csrf

        # The cookie alone authenticates reads.
        me = await client.get("/api/v1/users/me")
        assert me.status_code == 200
        assert me.json()["id"] == cast.lina.id


async def test_cookies_are_secure_over_https(cast: Cast, runtime: Runtime) -> None:
    async with client_on(runtime, base_url="https://testserver") as client:
        response = await client.post(LOGIN, json={"login": "lina", "password": PASSWORD})
        assert response.status_code == 200
        cookies = set_cookies(response)
        for name in ("xietong_session", "xietong_csrf"):
            assert "secure" in attributes(cookies[name]), cookies[name]
        assert "httponly" in attributes(cookies["xietong_session"])
        me = await client.get("/api/v1/users/me")
        assert me.status_code == 200


async def test_wrong_password_and_unknown_person_are_refused_alike(cast: Cast,
                                                                  runtime: Runtime) -> None:
    async with client_on(runtime) as client:
        for language in ("en", "zh-CN,zh;q=0.9"):
            replies = [await client.post(LOGIN, json={"login": login, "password": password},
                                         headers={"Accept-Language": language})
                       for login, password in (("zhangwei", PASSWORD + "x"),
                                               ("nobody-here", PASSWORD),
                                               ("nobody@example.com", PASSWORD))]
            for reply in replies:
                assert reply.status_code == 401, reply.text
                assert error_code(reply) == "bad_credentials"
                assert "set-cookie" not in reply.headers
            messages = {reply.json()["error"]["message"] for reply in replies}
            assert len(messages) == 1, messages
        # Someone else's password is no key either.
        other = await client.post(LOGIN, json={"login": "lina", "password": "not-linas-password"})
        assert error_code(other) == "bad_credentials"


async def test_empty_or_missing_fields_are_invalid_input(cast: Cast, runtime: Runtime) -> None:
    async with client_on(runtime) as client:
        for body in ({"login": "zhangwei", "password": ""}, {"login": "", "password": PASSWORD},
                     {"login": "zhangwei"}, {"password": PASSWORD},
                     {"login": "zhangwei", "password": PASSWORD, "remember": True}):
            response = await client.post(LOGIN, json=body)
            assert response.status_code == 422, (body, response.text)
            assert error_code(response) == "invalid"
        broken = await client.post(LOGIN, content=b"{not json",
                                   headers={"Content-Type": "application/json"})
        assert broken.status_code == 400
        assert error_code(broken) == "bad_json"
    # Malformed requests are not sign-in attempts: nothing recorded, nothing counted.
    assert await audit_count(runtime, "login.failed") == 0


# --- the throttle on failed sign-ins -------------------------------------------------------

async def test_repeated_failures_are_slowed_then_locked_out(cast: Cast, runtime: Runtime) -> None:
    settings = runtime.settings
    assert (settings.login_slowdown_after, settings.login_lockout_after) == (5, 10)
    slowdown = settings.login_slowdown_seconds
    async with client_on(runtime) as client:
        results = [await attempt(client, "zhangwei", f"guess number {n}") for n in range(1, 21)]
        for number, (response, elapsed) in enumerate(results, start=1):
            if number < settings.login_lockout_after:
                assert response.status_code == 401, (number, response.text)
                assert error_code(response) == "bad_credentials"
                if number >= settings.login_slowdown_after:
                    assert elapsed >= slowdown, (number, elapsed)
            else:
                assert response.status_code == 429, (number, response.text)
                assert error_code(response) == "too_many_requests"
                retry_after = int(response.headers["Retry-After"])
                assert 1 <= retry_after <= settings.login_window_seconds

        # Locked out: even the right password is refused, and no session is opened.
        right = await client.post(LOGIN, json={"login": "zhangwei", "password": PASSWORD})
        assert right.status_code == 429
        assert error_code(right) == "too_many_requests"
        assert int(right.headers["Retry-After"]) >= 1
        assert "set-cookie" not in right.headers
        by_email = await client.post(LOGIN, json={"login": "zhangwei@example.com",
                                                  "password": PASSWORD})
        assert by_email.status_code == 429

        # Another person signing in from the same address is not affected.
        await sign_in(client, "lina")
    # Sessions opened before the lockout keep working: it refuses sign-ins, nothing else.
    assert (await cast.zhangwei.api.get("/api/v1/users/me")).status_code == 200


async def test_slowdown_is_the_configured_delay(cast: Cast, backend: Backend) -> None:
    # A delay far above the cost of a password check, so the difference cannot be noise.
    delay = 0.6
    async with server_with(backend, login_slowdown_seconds=delay, login_slowdown_after=3,
                           login_lockout_after=10) as client:
        timings = [await attempt(client, "lina", f"guess {n}") for n in range(1, 6)]
    for number, (response, elapsed) in enumerate(timings, start=1):
        assert response.status_code == 401, (number, response.text)
        if number < 3:
            assert elapsed < delay, (number, elapsed)
        else:
            assert elapsed >= delay, (number, elapsed)


async def test_a_failing_sign_in_does_not_hold_up_other_peoples_writes(
        cast: Cast, backend: Backend) -> None:
    # The slowdown is a wait for the guesser only; the server must go on serving everyone else
    # (on SQLite a transaction held open during the wait would block every writer).
    delay = 1.5
    async with server_with(backend, login_slowdown_seconds=delay,
                           login_slowdown_after=1) as client:
        guess = asyncio.create_task(attempt(client, "liuyang", "a wrong guess"))
        await asyncio.sleep(0.3)  # the password has been checked; the guess is being delayed
        started = time.perf_counter()
        created = await cast.lina.api.post("/api/v1/tokens", json={"name": "部署脚本"})
        waited = time.perf_counter() - started
        response, elapsed = await guess
    assert created.status_code == 201, created.text
    assert response.status_code == 401
    assert elapsed >= delay
    assert waited < delay / 2, waited


async def test_failures_count_against_the_account_whichever_name_is_used(
        cast: Cast, runtime: Runtime) -> None:
    lockout = runtime.settings.login_lockout_after
    names = ["zhangwei", "ZhangWei@Example.com", "ZHANGWEI", "zhangwei@example.com"]
    async with client_on(runtime) as client:
        for n in range(lockout - 1):
            response = await client.post(LOGIN, json={"login": names[n % len(names)],
                                                      "password": f"guess {n}"})
            assert response.status_code == 401, (n, response.text)
        last = await client.post(LOGIN, json={"login": "zhangwei@example.com",
                                              "password": "one more guess"})
        assert last.status_code == 429
        for login in ("zhangwei", "zhangwei@example.com"):
            right = await client.post(LOGIN, json={"login": login, "password": PASSWORD})
            assert right.status_code == 429, login


async def test_a_successful_sign_in_clears_the_failures(cast: Cast, runtime: Runtime) -> None:
    lockout = runtime.settings.login_lockout_after
    async with client_on(runtime) as client:
        for round_ in range(2):
            for n in range(lockout - 1):
                response = await client.post(LOGIN, json={"login": "wangfang",
                                                          "password": f"guess {round_}.{n}"})
                assert response.status_code == 401, (round_, n, response.text)
            await sign_in(client, "wangfang")


async def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_a_sequence(
        cast: Cast, runtime: Runtime) -> None:
    lockout = runtime.settings.login_lockout_after
    async with client_on(runtime) as client:
        replies = await asyncio.gather(*(
            client.post(LOGIN, json={"login": "liuyang", "password": f"parallel guess {n}"})
            for n in range(3 * lockout)))
        statuses = sorted(r.status_code for r in replies)
        assert set(statuses) <= {401, 429}
        assert statuses.count(401) == lockout - 1, statuses
        # At most `lockout` passwords were actually tried; the rest were refused unchecked.
        assert await audit_count(runtime, "login.failed") <= lockout
        right = await client.post(LOGIN, json={"login": "liuyang", "password": PASSWORD})
        assert right.status_code == 429


async def test_many_accounts_tried_from_one_address_lock_out_that_address(
        cast: Cast, runtime: Runtime) -> None:
    limit = runtime.settings.login_ip_lockout_after
    assert limit == 50
    async with client_on(runtime, ip="198.51.100.23") as attacker:
        for n in range(1, limit + 3):
            response = await attacker.post(LOGIN, json={"login": f"user{n}",
                                                        "password": "Password1"})
            expected = 401 if n < limit else 429
            assert response.status_code == expected, (n, response.text)
            if expected == 429:
                assert error_code(response) == "too_many_requests"
                assert int(response.headers["Retry-After"]) >= 1
        # From that address nobody signs in now, not even with a right password …
        right = await attacker.post(LOGIN, json={"login": "lina", "password": PASSWORD})
        assert right.status_code == 429
    # … while the same people sign in from elsewhere: each account saw one failure at most.
    async with client_on(runtime, ip=ADDRESS) as office:
        await sign_in(office, "lina")
    async with client_on(runtime, ip="2001:db8::7") as elsewhere:
        await sign_in(elsewhere, "zhangwei")


async def test_a_lockout_ends_with_its_window(cast: Cast, backend: Backend) -> None:
    window = 2
    async with server_with(backend, login_window_seconds=window, login_lockout_after=3,
                           login_slowdown_after=1, login_slowdown_seconds=0) as client:
        started = time.monotonic()
        for n in range(3):
            await client.post(LOGIN, json={"login": "lina", "password": f"guess {n}"})
        locked = await client.post(LOGIN, json={"login": "lina", "password": PASSWORD})
        assert locked.status_code == 429
        assert 1 <= int(locked.headers["Retry-After"]) <= window
        await asyncio.sleep(max(0.0, started + window + 0.3 - time.monotonic()))
        await sign_in(client, "lina")
