"""The ASGI application: routers, error mapping, body limits, security headers, the web client."""

from __future__ import annotations

import base64
import email.message
import functools
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xietong import __version__
from xietong.core import errors
from xietong.core.i18n import ErrorCatalogue
from xietong.core.text import control_character_in
from xietong.openapi import declare_errors, declare_events, require_sent_fields
from xietong.runtime import Runtime

log = logging.getLogger("xietong")

STATIC_DIR = Path(__file__).parent / "static"
OPENAPI_URL = "/api/openapi.json"
# The browsable API reference. Swagger UI's script, style and icon come from the
# fastapi-offline package (pinned in pyproject.toml), served by us: many companies run
# Xietong without internet, so nothing may be fetched from a CDN.
DOCS_URL = "/api/docs"
DOCS_ASSETS_URL = DOCS_URL + "/assets"
DOCS_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"

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

# The largest WebSocket frame a client may send: a co-editing update (a pasted chapter) of up
# to 1 MiB with its header (`documents.collab.MAX_UPDATE_BYTES`); each socket then holds its
# own frames to what it expects (the event socket's JSON frames to 4 KB).
WS_MAX_SIZE = 1024 * 1024 + 1024

# Paths that belong to the server, never to the single-page web client.
SERVER_PREFIXES = ("/api/", "/hooks/", "/healthz", "/readyz", "/assets/")


def error_response(request: Request, status: int, code: str, message: str,
                   details: Any = None, headers: Mapping[str, str] | None = None) -> JSONResponse:
    catalogue: ErrorCatalogue = request.app.state.error_texts
    text = catalogue.localise(code, message, request.headers.get("accept-language"))
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
        # The Allow header (required with a 405) says which methods would have worked: all
        # the routes of this path, where Starlette's names only the first one it matched.
        named = (error.headers or {}).get("Allow", "")
        return error_response(request, 405, "method_not_allowed",
                              "This endpoint does not accept that method.",
                              headers={"Allow": ", ".join(allowed_methods(request, named))})
    if error.status_code == 413:
        return error_response(request, 413, "payload_too_large", "The request body is too large.")
    if error.status_code == 400 and _declares_json(request.scope):
        # FastAPI's own parse failures that are not JSON syntax errors: bytes that are not
        # UTF-8, nesting too deep to decode. To the client, all of it is a body that is not JSON.
        return error_response(request, 400, "bad_json", "The body is not valid JSON.")
    return error_response(request, error.status_code, "http_error", str(error.detail),
                          headers=error.headers)


def allowed_methods(request: Request, named: str = "") -> list[str]:
    """Every method the request's path accepts, read from the OpenAPI document: it lists
    every operation of every path, whichever router holds it. (FastAPI's GET routes do not
    answer HEAD, so HEAD is not among them.) `named` is the Allow header Starlette gave
    its 405, which keeps the methods of the routes the document leaves out (the document
    itself, the docs page)."""
    methods = {method.strip() for method in named.split(",") if method.strip()}
    for template, operations in request.app.openapi()["paths"].items():
        if _path_pattern(template).match(request.scope["path"]):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


@functools.cache
def _path_pattern(template: str) -> re.Pattern[str]:
    return compile_path(template)[0]


async def on_unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal", "An internal error occurred.")


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

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The docs page sets its own policy (`docs_page`: its start-up script is inline).
        headers = self.HEADERS[:3] if scope["path"] == DOCS_URL else self.HEADERS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A response that sets one of these itself keeps its own (a file's download
                # has a stricter policy, and our own pages may frame its preview).
                own = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in headers if h[0] not in own)]
            await send(message)

        await self.app(scope, receive, with_headers)


def docs_page(title: str) -> HTMLResponse:
    """Swagger UI on our own copy of its assets, under a CSP as strict as the web client's:
    only our own origin, and the page's one inline start-up script allowed by its hash."""
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_URL, title=title,
        swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
        # The validator badge would send the document's URL to validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None})
    inline = re.findall(r"<script>(.*?)</script>", bytes(page.body).decode(), re.DOTALL)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in inline)
    page.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self' {hashes}; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'self'")
    return page


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


# Bytes that may spell a character text input may not carry (`core.text`): JSON escapes of
# C0/C1 controls, DEL and surrogates; raw DEL; raw UTF-8 C1 (C2 80-9F); in a query string,
# their percent-encodings and raw control or non-ASCII bytes. Only a hit costs a full parse.
_BODY_ESCAPE_HINT = re.compile(rb"\\u(?:00[0189]|007[fF]|[dD][89a-fA-F])")
_BODY_C1_HINT = re.compile(rb"\xc2[\x80-\x9f]")
_QUERY_HINT = re.compile(rb"%(?:[01][0-9a-fA-F]|7[fF]|[cC]2%[89][0-9a-fA-F])|[^\x20-\x7e]")
_MAX_PROBLEMS = 20


class ControlCharacters:
    """One rule for all text input, at one place: no request reaches a route while its path,
    its query string or its JSON body holds a character `core.text.control_character_in`
    refuses. It answers 422 `control_characters`, with details naming each place (`loc`
    like ["body", "text"], ["query", "action"] or ["path", "emoji"]) in the shape of
    `invalid`'s details.

    Before, each field had to remember the rule, and one that forgot met PostgreSQL's
    refusal of NUL as a 500. Multipart uploads are not read here: the file name is display
    text cleaned by `files.actions.clean_file_name`, and an upload has no other text.
    WebSocket frames carry no free text (their string fields are compared with fixed
    words), so sockets are left to `realtime.socket`.
    """

    def __init__(self, app: ASGIApp, route_paths: Iterable[str]) -> None:
        self.app = app
        # Only to name the parameter that holds the character, when one does.
        self.route_patterns = [compile_path(path)[0] for path in route_paths]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = self.path_problems(scope) + _query_problems(scope["query_string"])
        if not problems and _declares_json(scope):
            body, receive = await _buffered(receive)
            problems = _body_problems(body)
        if problems:
            reply = error_response(
                Request(scope), 422, "control_characters",
                "Text may not contain control characters (other than tab and line breaks) "
                "or unpaired surrogates.", problems[:_MAX_PROBLEMS])
            await reply(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def path_problems(self, scope: Scope) -> list[dict[str, Any]]:
        path: str = scope["path"]
        bad = control_character_in(path)
        if bad is None:
            return []
        for pattern in self.route_patterns:
            if matched := pattern.match(path):
                named = [_problem(["path", name], found)
                         for name, value in matched.groupdict().items()
                         if (found := control_character_in(value))]
                if named:
                    return named
        return [_problem(["path"], bad)]


def _problem(loc: list[Any], bad: str) -> dict[str, Any]:
    return {"loc": loc, "msg": f"must not contain control characters (U+{ord(bad):04X})",
            "type": "control_characters"}


def _shown(key: str) -> str:
    """A key fit to name in a reply (a lone surrogate cannot even be encoded in one)."""
    return "".join("\ufffd" if control_character_in(c) else c for c in key)


def _query_problems(raw: bytes) -> list[dict[str, Any]]:
    if not _QUERY_HINT.search(raw):
        return []
    problems = []
    # Decoded exactly as Starlette decodes it for the routes.
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        bad = control_character_in(name) or control_character_in(value)
        if bad is not None:
            problems.append(_problem(["query", _shown(name)], bad))
    return problems


def _declares_json(scope: Scope) -> bool:
    """Whether FastAPI reads this request's body as JSON (its rule, in its words)."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.decode("latin-1")
            if content_type == "application/json":
                return True
            message = email.message.Message()
            message["content-type"] = content_type
            subtype = message.get_content_subtype()
            return message.get_content_maintype() == "application" and (
                subtype == "json" or subtype.endswith("+json"))
    return False


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (within the app's body limit, which `receive` enforces), and a
    `receive` that hands it on to the app as if it were arriving now."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away: pass that on
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    first = ({"type": "http.request", "body": body, "more_body": False}
             if message["type"] == "http.request" else message)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return first
        return await receive()

    return body, replay


def _may_hold_control_characters(body: bytes) -> bool:
    """A look at the bytes that plain text passes in about a microsecond: a one-byte `in`
    runs at memchr speed, and each pattern only runs when its first byte is there at all.
    A zero byte never occurs in UTF-8 JSON, but in every UTF-16 or UTF-32 one (which
    `json.loads`, and so FastAPI, reads as well): those are always parsed."""
    return (b"\x7f" in body or b"\x00" in body
            or (b"\xc2" in body and _BODY_C1_HINT.search(body) is not None)
            or (b"\\" in body and _BODY_ESCAPE_HINT.search(body) is not None))


def _body_problems(body: bytes) -> list[dict[str, Any]]:
    if not _may_hold_control_characters(body):
        return []
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return []  # not JSON: the route answers 400 bad_json
    problems: list[dict[str, Any]] = []
    # Depth first in document order, without recursion (a body may nest deeply). A key is
    # checked as a string of its own, named by its place.
    stack: list[tuple[list[Any], Any]] = [(["body"], document)]
    while stack and len(problems) < _MAX_PROBLEMS:
        loc, value = stack.pop()
        if isinstance(value, str):
            if bad := control_character_in(value):
                problems.append(_problem(loc, bad))
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                stack.append(([*loc, _shown(key)], item))
                stack.append(([*loc, _shown(key)], key))
        elif isinstance(value, list):
            stack.extend(([*loc, index], item) for index, item in reversed(list(enumerate(value))))
    return problems


class XietongApp(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside FastAPI's whole stack: the body limit sits there too.
        return JsonBodyLimit(super().build_middleware_stack())

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            runtime: Runtime = self.state.runtime
            events = sorted((event for domain in runtime.domains for event in domain.event_types),
                            key=lambda event: str(event.model_fields["type"].default))
            document = declare_events(declare_errors(super().openapi()), events)
            self.openapi_schema = require_sent_fields(document)
        return self.openapi_schema


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
                     openapi_url=OPENAPI_URL, docs_url=None, redoc_url=None,
                     generate_unique_id_function=_operation_id,
                     # Routes that take files will raise their own limit.
                     max_body_size=runtime.settings.max_json_body_bytes)
    app.state.runtime = runtime
    app.state.error_texts = ErrorCatalogue(domain.error_texts for domain in runtime.domains)
    app.add_exception_handler(errors.XietongError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
    for domain in runtime.domains:
        for mount in domain.routers:
            limit = mount.body_limit(runtime.settings) if mount.body_limit else None
            app.include_router(mount.router, prefix=mount.prefix, max_body_size=limit)

    async def api_docs(request: Request) -> Response:
        return docs_page(f"{app.title} API")

    # A plain route (GET and HEAD), outside the OpenAPI document like the document itself.
    app.add_route(DOCS_URL, api_docs, include_in_schema=False)
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS_DIR), name="docs-assets")
    if (STATIC_DIR / "assets").is_dir():
        app.mount("/assets", HashedAssets(directory=STATIC_DIR / "assets"), name="assets")
    # Inside SecurityHeaders (its refusals carry them) and inside the app's body limit.
    app.add_middleware(ControlCharacters, route_paths=[
        mount.prefix + route.path for domain in runtime.domains for mount in domain.routers
        for route in mount.router.routes if isinstance(route, APIRoute)])
    app.add_middleware(SecurityHeaders)
    return app
