"""The ASGI application: routers, error mapping, body limits, security headers, the web client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xietong import __version__
from xietong.audit.api import router as audit_router
from xietong.auth.api import router as auth_router
from xietong.chat.api import router as chat_router
from xietong.core import errors
from xietong.core.i18n import localise
from xietong.files.api import router as files_router
from xietong.files.api import upload_body_limit
from xietong.ops.api import router as ops_router
from xietong.org.api import router as org_router
from xietong.realtime.api import router as realtime_router
from xietong.realtime.socket import router as socket_router
from xietong.runtime import Runtime
from xietong.search.api import router as search_router

log = logging.getLogger("xietong")

STATIC_DIR = Path(__file__).parent / "static"

STATUS_OF: dict[type[errors.XietongError], int] = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.Invalid: 422,
    errors.TooManyRequests: 429,
    errors.Unavailable: 503,
}

# The largest WebSocket frame a client may send (clients send small JSON frames only).
WS_MAX_SIZE = 64 * 1024

# Paths that belong to the server, never to the single-page web client.
SERVER_PREFIXES = ("/api/", "/hooks/", "/healthz", "/readyz", "/assets/")


def error_response(request: Request, status: int, code: str, message: str,
                   details: Any = None, headers: Mapping[str, str] | None = None) -> JSONResponse:
    text = localise(code, message, request.headers.get("accept-language"))
    return JSONResponse({"error": {"code": code, "message": text, "details": details}},
                        status_code=status, headers=headers)


def status_for(error: errors.XietongError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


async def on_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, errors.XietongError)
    headers = ({"Retry-After": str(error.retry_after)}
               if isinstance(error, errors.TooManyRequests) else None)
    return error_response(request, status_for(error), error.code, error.message, error.details,
                          headers)


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                for e in error.errors()]
    if any(p["type"] == "json_invalid" for p in problems):
        return error_response(request, 400, "bad_json", "The body is not valid JSON.", problems)
    return error_response(request, 422, "invalid", "The request is not valid.", problems)


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404:
        if _wants_web_client(request):
            return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})
        return error_response(request, 404, "route_not_found", "There is no such endpoint.")
    if error.status_code == 405:
        # The Allow header (required with a 405) says which methods would have worked.
        return error_response(request, 405, "method_not_allowed",
                              "This endpoint does not accept that method.", headers=error.headers)
    if error.status_code == 413:
        return error_response(request, 413, "payload_too_large", "The request body is too large.")
    if error.status_code == 400 and _declares_json(request):
        # FastAPI's own parse failures that are not JSON syntax errors: bytes that are not
        # UTF-8, nesting too deep to decode. To the client, all of it is a body that is not JSON.
        return error_response(request, 400, "bad_json", "The body is not valid JSON.")
    return error_response(request, error.status_code, "http_error", str(error.detail),
                          headers=error.headers)


async def on_unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal", "An internal error occurred.")


def _declares_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _wants_web_client(request: Request) -> bool:
    return (request.method in ("GET", "HEAD") and not request.url.path.startswith(SERVER_PREFIXES)
            and (STATIC_DIR / "index.html").is_file())


class SecurityHeaders:
    """Headers every response carries: no sniffing, no framing, a strict CSP for our pages."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"content-security-policy",
         b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
         b"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'"),
    ]
    DOCS_PREFIX = "/api/docs"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The Swagger page loads its script from a CDN; leave its CSP to the browser default.
        headers = (self.HEADERS[:3] if scope["path"].startswith(self.DOCS_PREFIX)
                   else self.HEADERS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, with_headers)


class HashedAssets(StaticFiles):
    """The web client's build output: file names carry a content hash, so cache them forever."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


class JsonBodyLimit:
    """Starlette's body limit answers a request whose declared Content-Length is over the limit
    by itself: in plain text, from outside our exception handlers, replacing whatever the app
    answered. Give that 413 the JSON error shape (and headers) every other reply has."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_as_json(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the rest of the plain-text reply
            if (message["type"] == "http.response.start" and message["status"] == 413
                    and _is_plain_text(message)):
                replaced = True
                reply = error_response(Request(scope), 413, "payload_too_large",
                                       "The request body is too large.")
                await SecurityHeaders(reply)(scope, receive, send)
                return
            await send(message)

        await self.app(scope, receive, send_as_json)


def _is_plain_text(message: Message) -> bool:
    return any(name.lower() == b"content-type" and value.startswith(b"text/plain")
               for name, value in message.get("headers", []))


class XietongApp(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside FastAPI's whole stack: the body limit sits there too.
        return JsonBodyLimit(super().build_middleware_stack())


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(runtime: Runtime, *, close_runtime_on_shutdown: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        yield
        if close_runtime_on_shutdown:
            await runtime.close()

    app = XietongApp(title="Xietong 协同", version=__version__, lifespan=lifespan,
                     openapi_url="/api/openapi.json", docs_url="/api/docs", redoc_url=None,
                     generate_unique_id_function=_operation_id,
                     # Routes that take files will raise their own limit.
                     max_body_size=runtime.settings.max_json_body_bytes)
    app.state.runtime = runtime
    app.add_exception_handler(errors.XietongError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
    for router in (ops_router, auth_router, org_router, audit_router, chat_router,
                   realtime_router, socket_router, search_router):
        app.include_router(router)
    # Uploads carry files: this router's own body limit replaces the app's JSON limit.
    app.include_router(files_router, max_body_size=upload_body_limit(runtime.settings))
    if (STATIC_DIR / "assets").is_dir():
        app.mount("/assets", HashedAssets(directory=STATIC_DIR / "assets"), name="assets")
    app.add_middleware(SecurityHeaders)
    return app
