"""Sign-in, sign-out, password change and API tokens over HTTP."""

from __future__ import annotations

import asyncio
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Request, Response

from xietong.auth import actions, queries
from xietong.auth.actions import LoginPolicy, LoginRefused
from xietong.auth.models import AuthToken
from xietong.auth.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenList,
    ApiTokenOut,
    LoginIn,
    LoginOut,
    PasswordChange,
    PasswordReset,
    SessionOut,
)
from xietong.core.errors import TooManyRequests, Unauthorized
from xietong.core.security import csrf_token_for, generate_password
from xietong.edge import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    ClientOrigin,
    CurrentActor,
    IdPath,
    Rt,
    Services,
    client_ip,
    get_services,
    presented_token,
)
from xietong.org import queries as org_queries
from xietong.org.access import access_user
from xietong.org.views import user_out

router = APIRouter(prefix="/api/v1", tags=["auth"])

REFUSALS = {
    "bad_credentials": "Wrong username or password.",
    "account_inactive": "This account has been deactivated.",
}


class AuthServices(Services, Protocol):
    """What signing in uses of the runtime beyond `Services` (`Runtime` provides it)."""

    @property
    def login_policy(self) -> LoginPolicy: ...


@router.post("/auth/login")
async def login(body: LoginIn, request: Request, response: Response,
                rt: Annotated[AuthServices, Depends(get_services)],
                origin: ClientOrigin) -> LoginOut:
    async with rt.reader() as uow:
        verdict = await actions.check_login(uow, origin, body.login, body.password,
                                            passwords=rt.passwords, failures=rt.failures,
                                            rules=rt.login_policy)
    async with rt.unit_of_work() as uow:
        outcome = await actions.do_login(uow, origin, body.login, verdict, rules=rt.login_policy)
        if not isinstance(outcome, LoginRefused):
            user = await user_out(uow, outcome.user)
    # The audit record of a refusal is committed above, before we answer.
    if isinstance(outcome, LoginRefused):
        if outcome.delay_seconds:
            # Slow the guesser down, holding no transaction or connection while we wait.
            await asyncio.sleep(outcome.delay_seconds)
        if outcome.code == "too_many_requests":
            raise TooManyRequests("Too many failed sign-ins; try again later.",
                                  retry_after=max(outcome.retry_after, 1))
        raise Unauthorized(REFUSALS[outcome.code], code=outcome.code)
    csrf = csrf_token_for(rt.secret_key, outcome.token)
    secure = request.url.scheme == "https"
    max_age = rt.settings.session_ttl_days * 86400
    response.set_cookie(SESSION_COOKIE, outcome.token, max_age=max_age, httponly=True,
                        samesite="lax", secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="lax",
                        secure=secure, path="/")
    return LoginOut(user=user, token=outcome.token, csrf_token=csrf)


@router.get("/auth/session")
async def current_session(request: Request, rt: Rt) -> SessionOut:
    """Who the request is signed in as: `{signed_in: false, user: null}` with 200 when
    nobody is. A page asks this before it knows; `GET /users/me` answers 401 instead,
    which browsers log as an error on every visit to the sign-in page."""
    presented = presented_token(request)
    actor = (await rt.actor_for_token(presented[0], client_ip(request))
             if presented is not None else None)
    if actor is None:
        return SessionOut(signed_in=False, user=None)
    async with rt.reader() as uow:
        user = await org_queries.get_user(uow, actor.user_id)
        if user is None:  # removed since the credential was checked
            return SessionOut(signed_in=False, user=None)
        return SessionOut(signed_in=True, user=await user_out(uow, user))


@router.post("/auth/logout", status_code=204)
async def logout(actor: CurrentActor, rt: Rt, response: Response) -> None:
    async with rt.unit_of_work() as uow:
        await actions.do_logout(uow, actor)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.post("/users/me/password", status_code=204)
async def change_password(body: PasswordChange, actor: CurrentActor, rt: Rt) -> None:
    async with rt.reader() as uow:
        new_hash = await actions.check_password_change(uow, actor, body.old_password,
                                                       body.new_password, passwords=rt.passwords)
    async with rt.unit_of_work() as uow:
        await actions.do_change_password(uow, actor, new_hash)


@router.post("/users/{user_id}/password-reset")
async def reset_password(user_id: IdPath, actor: CurrentActor, rt: Rt,
                         response: Response) -> PasswordReset:
    """Give the person a generated password, answered this once (and never stored in the
    clear); their sessions and API tokens end. For administrators (an owner's password only
    for an owner), never for oneself (change your own with `POST /users/me/password`)."""
    password = generate_password()
    new_hash = await rt.passwords.hash_generated(password)
    async with rt.unit_of_work() as uow:
        user = await access_user(uow, actor, user_id)
        ended = await actions.do_reset_password(uow, user, new_hash, by=actor)
    # A password in the body: no cache along the way may keep it.
    response.headers["Cache-Control"] = "no-store"
    return PasswordReset(password=password, credentials_revoked=ended)


def _token_out(token: AuthToken) -> ApiTokenOut:
    return ApiTokenOut(id=token.id, name=token.name, created_at=token.created_at,
                       last_used_at=token.last_used_at, expires_at=token.expires_at)


@router.post("/tokens", status_code=201)
async def create_api_token(body: ApiTokenCreate, actor: CurrentActor, rt: Rt) -> ApiTokenCreated:
    async with rt.unit_of_work() as uow:
        token, secret = await actions.do_create_api_token(uow, actor, body.name,
                                                          body.expires_in_days)
    return ApiTokenCreated(**_token_out(token).model_dump(), token=secret)


@router.get("/tokens")
async def list_api_tokens(actor: CurrentActor, rt: Rt) -> ApiTokenList:
    async with rt.reader() as uow:
        tokens = await queries.api_tokens_of(uow, actor.user_id)
    return ApiTokenList(items=[_token_out(t) for t in tokens])


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_api_token(token_id: IdPath, actor: CurrentActor, rt: Rt) -> None:
    async with rt.unit_of_work() as uow:
        await actions.do_revoke_api_token(uow, actor, token_id)
