"""The API guide (docs/api.md) and the README stay true to the server: every endpoint path
they name is in the OpenAPI document (or is the event socket), with the method they name it
with, and the guide's lists of event types are the ones the document declares."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from starlette.routing import WebSocketRoute

from xietong.app import DOCS_URL, OPENAPI_URL, create_app
from xietong.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "api.md"
DOCUMENTS = [GUIDE, ROOT / "README.md"]

# A path as text names it: up to a space, quote, bracket, table bar or query string.
_PATH = re.compile(r"(?<![\w./-])((?:GET|POST|PUT|PATCH|DELETE) )?"
                   r"(/(?:api/|healthz\b|readyz\b)[^\s`'\"()<>|,;?\\]*)")
# What stands for a value inside a path: {channel_id}, {project['id']}, $PROJECT.
_PLACEHOLDER = re.compile(r"\{[^{}\s]*\}|\$[A-Z_]+")


@functools.cache
def _template(path: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^}]+\}", path)
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")


def named_paths(text: str) -> list[tuple[str | None, str]]:
    """Each (method or None, path) the text names, placeholders made `{x}`."""
    found = []
    for match in _PATH.finditer(_PLACEHOLDER.sub("{x}", text)):
        method, path = match.group(1), match.group(2).rstrip(".:…")
        found.append((method.strip() if method else None, path))
    return found


def unknown(named: list[tuple[str | None, str]], operations: dict[str, set[str]]
            ) -> list[str]:
    """What is named but not served: a path no operation matches, or a method it lacks."""
    problems = []
    for method, path in named:
        matching = [template for template in operations if _template(template).match(path)]
        if not matching:
            problems.append(path)
        elif method and not any(method in operations[template] for template in matching):
            problems.append(f"{method} {path}")
    return problems


def served(runtime: Runtime) -> tuple[dict[str, set[str]], dict[str, Any]]:
    """Each path the server answers with its methods: the OpenAPI document's operations,
    the WebSocket routes (the event socket) and the document and its browsable page."""
    app = create_app(runtime)
    document = app.openapi()
    operations = {path: {method.upper() for method in methods}
                  for path, methods in document["paths"].items()}
    for domain in runtime.domains:  # as `create_app` mounts them
        for mount in domain.routers:
            for route in mount.router.routes:
                if isinstance(route, WebSocketRoute):
                    operations[mount.prefix + route.path] = {"GET"}
    operations[OPENAPI_URL] = operations[DOCS_URL] = {"GET"}
    return operations, document


def test_every_path_the_docs_name_is_served(runtime: Runtime) -> None:
    operations, _ = served(runtime)
    for document in DOCUMENTS:
        named = named_paths(document.read_text(encoding="utf-8"))
        assert len(named) > 10, document
        assert unknown(named, operations) == [], document.name


def test_the_check_finds_a_path_or_method_that_is_not_served(runtime: Runtime) -> None:
    operations, _ = served(runtime)
    text = ("`GET /api/v1/channels/{channel_id}/messages` and `$XT/api/v1/channels/$PROJECT"
            "/messages?limit=2` are served; `GET /api/v1/channels/{channel_id}/archive` is "
            "not, nor is `DELETE /api/v1/users/me`, nor f\"/api/v1/chanels/{project['id']}\".")
    assert unknown(named_paths(text), operations) == [
        "/api/v1/channels/{x}/archive", "DELETE /api/v1/users/me", "/api/v1/chanels/{x}"]


def listed_types(marker: str) -> set[str]:
    """The first column of the table after `<!-- marker` in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index(f"<!-- {marker}"):].split("\n\n", 1)[0]
    return set(re.findall(r"^\| `([a-z_.]+)` \|", table, re.MULTILINE))


def test_the_guide_lists_the_event_types_the_server_declares(runtime: Runtime) -> None:
    _, document = served(runtime)
    schemas = document["components"]["schemas"]
    for marker, union in (("event-types", "EventFrame"), ("ephemeral-types", "EphemeralFrame")):
        declared = set(schemas[union]["discriminator"]["mapping"])
        assert listed_types(marker) == declared, (union, declared ^ listed_types(marker))
