"""What every HTTP route shares: the services, the caller's identity, the client address.

Routes declare `actor: CurrentActor` and `rt: Rt`; authentication (bearer token or
session cookie + CSRF header) happens here, once, before the route body runs.

`Rt` is the small `Services` protocol, not `xietong.runtime.Runtime`: the runtime imports
every domain, so a route that imported it would tie its domain into one import cycle
with all the others. This module imports nothing of xietong but `core` and `settings`;
a route that needs more of the runtime names it in a protocol of its own domain.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from fastapi import Depends, Path, Request
from starlette.requests import HTTPConnection

from xietong.core.actor import Actor, Origin
from xietong.core.errors import Forbidden, Unauthorized
from xietong.core.ids import MAX_ID
from xietong.core.ratelimit import FailureCounter
from xietong.core.security import Passwords, csrf_matches
from xietong.core.uow import UnitOfWork
from xietong.settings import Settings

SESSION_COOKIE = "xietong_session"
CSRF_COOKIE = "xietong_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Services(Protocol):
    """What every route may use of the runtime (`xietong.runtime.Runtime` provides it)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def secret_key(self) -> str: ...
    @property
    def passwords(self) -> Passwords: ...
    @property
    def failures(self) -> FailureCounter: ...

    def unit_of_work(self) -> UnitOfWork:
        """A write transaction: `async with rt.unit_of_work() as uow:`."""
        ...

    def reader(self) -> UnitOfWork:
        """A read transaction; actions must not be called on it."""
        ...

    async def actor_for_token(self, token: str, ip: str | None, *,
                              touch: bool = True) -> Actor | None:
        """The person a live credential belongs to, or None when it is unknown or dead;
        `touch=False` records nothing of the use (no last-used time or address)."""
        ...


def services_of(connection: HTTPConnection) -> Any:
    """The runtime `create_app` installed; callers annotate it with the protocol they need."""
    return connection.app.state.runtime


# Dependencies are `async def` even when they never await: FastAPI runs a plain `def`
# dependency in a worker thread, a thread round trip on every request.
async def get_services(request: Request) -> Any:
    """The runtime as a route dependency, under the protocol its alias names: `Rt` below,
    or a domain's own (`Annotated[OpsServices, Depends(get_services)]`). What checks that
    the runtime provides each protocol is mypy, in tests/test_import_contracts.py."""
    return services_of(request)


Rt = Annotated[Services, Depends(get_services)]


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


async def authenticate(request: Request, services: Services, *, touch: bool = True) -> Actor:
    presented = presented_token(request)
    if presented is None:
        raise Unauthorized("Sign in first.")
    token, from_cookie = presented
    # A cookie rides along on requests other sites trigger; a bearer header never does.
    # So only cookie-authenticated writes must prove they come from our own pages.
    if from_cookie and request.method not in SAFE_METHODS and not csrf_matches(
            services.secret_key, token, request.headers.get(CSRF_HEADER)):
        raise Forbidden("Missing or wrong CSRF token.", code="csrf_failed")
    actor = await services.actor_for_token(token, client_ip(request), touch=touch)
    if actor is None:
        raise Unauthorized("The session has ended; sign in again.")
    return actor


async def current_actor(request: Request) -> Actor:
    return await authenticate(request, services_of(request))


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def unrecorded_actor(request: Request) -> Actor:
    """The caller of a route whose callers the server must not record (the anonymous
    suggestion box). Their address is dropped from the request itself before anything
    reads it: uvicorn's access log reads the same ASGI scope when it writes the request's
    line, so the line names no client; the actor carries no address either (nothing
    written from it can hold one); and the credential is checked without being touched,
    so no session's last-used time or address marks the moment."""
    request.scope["client"] = None
    return await authenticate(request, services_of(request), touch=False)


# A route that declares `actor: UnrecordedActor` instead of `CurrentActor` is unrecorded.
UnrecordedActor = Annotated[Actor, Depends(unrecorded_actor)]


# An id in the path, bounded like `core.ids.Id`.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
