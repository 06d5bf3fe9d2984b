"""What every HTTP route shares: the runtime, the caller's identity, the client address.

Routes declare `actor: CurrentActor` and `rt: Rt`; authentication (bearer token or
session cookie + CSRF header) happens here, once, before the route body runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.requests import HTTPConnection

from xietong.auth.actions import do_touch_credential
from xietong.auth.cache import KnownCredential
from xietong.auth.queries import live_credential
from xietong.core.actor import Actor, Origin, Role
from xietong.core.clock import utcnow
from xietong.core.errors import Forbidden, Unauthorized
from xietong.core.ids import MAX_ID
from xietong.core.security import csrf_matches, token_digest
from xietong.runtime import Runtime

SESSION_COOKIE = "xietong_session"
CSRF_COOKIE = "xietong_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Writing "last used" on every request would turn reads into writes; a few minutes is enough.
TOUCH_INTERVAL = timedelta(minutes=5)


# Dependencies are `async def` even when they never await: FastAPI runs a plain `def`
# dependency in a worker thread, a thread round trip on every request.
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


Rt = Annotated[Runtime, Depends(get_runtime)]


def client_ip(connection: HTTPConnection) -> str | None:
    # uvicorn has already replaced this with X-Forwarded-For when the peer is a trusted proxy.
    return connection.client.host if connection.client else None


async def get_origin(request: Request) -> Origin:
    return Origin(ip=client_ip(request))


ClientOrigin = Annotated[Origin, Depends(get_origin)]


def presented_token(connection: HTTPConnection) -> tuple[str, bool] | None:
    """The credential on a request or WebSocket, and whether it came from the cookie."""
    authorization = connection.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    cookie = connection.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else None


async def actor_for_token(runtime: Runtime, token: str, ip: str | None) -> Actor | None:
    """The person a live credential belongs to, or None when it is unknown or dead."""
    now = utcnow()
    digest = token_digest(token)
    known = runtime.credentials.get(digest, now)
    if known is None:
        generation = runtime.credentials.generation
        async with runtime.reader() as uow:
            found = await live_credential(uow, digest)
        if found is None:
            return None
        credential, user = found
        known = KnownCredential(user_id=user.id, role=Role(user.role), token_id=credential.id,
                                expires_at=credential.expires_at,
                                last_used_at=credential.last_used_at)
        runtime.credentials.put(digest, known, generation)
    if known.last_used_at is None or now - known.last_used_at > TOUCH_INTERVAL:
        async with runtime.unit_of_work() as uow:
            await do_touch_credential(uow, known.token_id, ip)
        runtime.credentials.touched(digest, now)
    return Actor(user_id=known.user_id, role=known.role, ip=ip, token_id=known.token_id)


async def authenticate(request: Request, runtime: Runtime) -> Actor:
    presented = presented_token(request)
    if presented is None:
        raise Unauthorized("Sign in first.")
    token, from_cookie = presented
    # A cookie rides along on requests other sites trigger; a bearer header never does.
    # So only cookie-authenticated writes must prove they come from our own pages.
    if from_cookie and request.method not in SAFE_METHODS and not csrf_matches(
            runtime.secret_key, token, request.headers.get(CSRF_HEADER)):
        raise Forbidden("Missing or wrong CSRF token.", code="csrf_failed")
    actor = await actor_for_token(runtime, token, client_ip(request))
    if actor is None:
        raise Unauthorized("The session has ended; sign in again.")
    return actor


async def current_actor(request: Request) -> Actor:
    return await authenticate(request, await get_runtime(request))


CurrentActor = Annotated[Actor, Depends(current_actor)]


# An id in the path, bounded like `core.ids.Id`.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
