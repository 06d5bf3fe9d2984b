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
)
from xietong.core.errors import TooManyRequests, Unauthorized
from xietong.core.security import csrf_token_for
from xietong.edge import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    ClientOrigin,
    CurrentActor,
    IdPath,
    Rt,
    Services,
    get_services,
)
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
