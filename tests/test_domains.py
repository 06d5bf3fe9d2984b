"""The manifests (`xietong.manifest`, listed in `xietong.domains.DOMAINS`) are the whole
server: nothing a domain contributes is left out of the list, nothing is declared twice,
and a domain added to the list is served without touching another file."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Match

import xietong
from tests.conftest import Backend
from xietong.app import create_app
from xietong.core.errors import Conflict
from xietong.core.events import Event
from xietong.core.i18n import CHINESE, CORE_TEXTS, ErrorCatalogue
from xietong.core.signals import CredentialsChanged, Signal
from xietong.domains import DOMAINS
from xietong.manifest import DomainManifest, Mount
from xietong.models import Base
from xietong.runtime import Runtime

PACKAGE = Path(xietong.__file__).parent
# Not importable as plain modules: Alembic's environment runs on import, `__main__` is the CLI.
NOT_IMPORTED = ("xietong.migrations", "xietong.__main__")


def every_module() -> Iterator[ModuleType]:
    for found in pkgutil.walk_packages([str(PACKAGE)], prefix="xietong."):
        if not found.name.startswith(NOT_IMPORTED):
            yield importlib.import_module(found.name)


MODULES = list(every_module())


def subclasses(cls: type) -> set[type]:
    """The subclasses of `cls` that xietong defines. (A `slots=True` dataclass is a new
    class; the one it replaced lingers among the subclasses, but not in its module.)"""
    found: set[type] = set()
    direct: list[type] = cls.__subclasses__()
    for sub in direct:
        found |= {sub, *subclasses(sub)}
    return {c for c in found if c.__module__.startswith("xietong.")
            and getattr(sys.modules[c.__module__], c.__qualname__, None) is c}


# --- the list is complete -----------------------------------------------------------------
# Each check answers what is wrong with a list of manifests; the real list has nothing
# wrong, and a list with a gap (below) has.

Domains = tuple[DomainManifest, ...]


def package_problems(domains: Domains) -> list[str]:
    """Every package with a manifest is in the list, under its own name."""
    packages = {path.parent.name for path in PACKAGE.glob("*/manifest.py")}
    listed = Counter(domain.name for domain in domains)
    problems = [f"{name} is not listed" for name in packages - set(listed)]
    problems += [f"{name} is listed {n} times" for name, n in listed.items() if n > 1]
    for domain in domains:
        module = sys.modules.get(f"xietong.{domain.name}.manifest")
        if module is None or module.MANIFEST is not domain:
            problems.append(f"{domain.name} is not xietong.{domain.name}.manifest.MANIFEST")
    return problems


def table_problems(domains: Domains) -> list[str]:
    """Every table comes from a models module one domain declares, of its own package."""
    declared = Counter(module.__name__ for domain in domains for module in domain.models)
    defining = {mapper.class_.__module__ for mapper in Base.registry.mappers}
    problems = [f"{name} is not declared" for name in defining - set(declared)]
    problems += [f"{name} is declared {n} times" for name, n in declared.items() if n > 1]
    problems += [f"{module.__name__} is not {domain.name}'s" for domain in domains
                 for module in domain.models
                 if not module.__name__.startswith(f"xietong.{domain.name}.")]
    return problems


def router_problems(domains: Domains) -> list[str]:
    """No router is declared twice. (That every route is served, directly or inside
    another domain's router, is `unserved_routes`'s to say.)"""
    declared = Counter(id(mount.router) for domain in domains for mount in domain.routers)
    return [f"router {key} is declared {n} times" for key, n in declared.items() if n > 1]


def event_problems(domains: Domains) -> list[str]:
    """Every event type is declared by exactly one domain; no two share a `type`."""
    declared = Counter(event for domain in domains for event in domain.event_types)
    problems = [f"{event.__name__} is not declared" for event in subclasses(Event) - set(declared)]
    problems += [f"{event.__name__} is declared {n} times" for event, n in declared.items()
                 if n > 1]
    names = Counter(event.model_fields["type"].default for event in declared)
    problems += [f"{name!r} names {n} event types" for name, n in names.items() if n > 1]
    return problems


# Signals whose handlers are on their way in a branch of their own: approvals' outcome is
# answered by the domains whose subjects are approved (requests). Once one answers it, the
# check below says to drop it from here.
AWAITING_HANDLER: set[type[Signal]] = set()


def signal_problems(domains: Domains) -> list[str]:
    """Every signal has a domain that handles it: one that nobody hears is a mistake."""
    handled = {reaction.signal for domain in domains for reaction in domain.signal_handlers}
    # The runtime itself forgets cached credentials; every other signal is a domain's.
    return [f"{signal.__name__} has no handler"
            for signal in subclasses(Signal) - handled - {CredentialsChanged}
            - AWAITING_HANDLER] + [
        f"{signal.__name__} is handled now: drop it from AWAITING_HANDLER"
        for signal in AWAITING_HANDLER & handled]


CHECKS = {"packages": package_problems, "tables": table_problems, "routers": router_problems,
          "events": event_problems, "signals": signal_problems}


def without(name: str) -> Domains:
    return tuple(domain for domain in DOMAINS if domain.name != name)


def doubled(name: str) -> Domains:
    twice = next(domain for domain in DOMAINS if domain.name == name)
    return (*DOMAINS, dataclasses.replace(twice, name=f"{name}_again"))


GAPS: dict[str, Domains] = {
    "packages": without("ops"),
    "tables": without("audit"),
    "routers": doubled("ops"),
    "events": doubled("chat"),
    "signals": without("search"),
}


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_the_list_is_complete(check: str) -> None:
    assert CHECKS[check](DOMAINS) == []


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_a_gap_in_the_list_is_found(check: str) -> None:
    assert CHECKS[check](GAPS[check]) != []


def test_the_checks_see_the_whole_package() -> None:
    """What they compare against is really there (not an empty import by mistake)."""
    assert len(subclasses(Event)) >= 12
    assert len(subclasses(Signal)) >= 8
    assert len(Base.registry.mappers) >= 20
    assert sum(isinstance(value, APIRouter) for module in MODULES
               for value in vars(module).values()) >= 10


def test_error_texts_sit_with_the_domain_that_raises_them() -> None:
    """Each code a manifest translates is raised in its own package, and one catalogue
    holds them all, with no code given twice."""
    catalogue = ErrorCatalogue(domain.error_texts for domain in DOMAINS)
    for domain in DOMAINS:
        source = "\n".join(path.read_text() for path in (PACKAGE / domain.name).rglob("*.py")
                           if path.name != "manifest.py")
        for code in domain.error_texts.get(CHINESE, {}):
            assert f'"{code}"' in source, (domain.name, code)
    translated = [set(domain.error_texts.get(CHINESE, {})) for domain in DOMAINS]
    assert catalogue.codes(CHINESE) == set(CORE_TEXTS[CHINESE]).union(*translated)


def test_the_app_the_cli_and_the_model_registry_name_no_domain() -> None:
    """They iterate the list; only `xietong.domains` imports the manifests."""
    domains = {f"xietong.{domain.name}" for domain in DOMAINS}
    for module in ("app", "cli", "models"):
        tree = ast.parse((PACKAGE / f"{module}.py").read_text())
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
        named = {name for name in imported
                 if any(name == d or name.startswith(d + ".") for d in domains)}
        assert not named, (module, named)


@asynccontextmanager
async def app_of(backend: Backend, domains: tuple[DomainManifest, ...]) -> AsyncIterator[FastAPI]:
    """The app of a runtime made of `domains`, unstarted: the routes used here never reach
    the database."""
    runtime = Runtime(backend.settings(), domains=domains)
    try:
        yield create_app(runtime)
    finally:
        await runtime.close()


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def unserved_routes(app: FastAPI) -> list[str]:
    """The routes of the package's routers that `app` does not serve: an HTTP route is an
    operation of its OpenAPI document (the operation id is the route's name), a socket
    route answers its path."""
    operations = {(operation["operationId"], method.upper())
                  for methods in app.openapi()["paths"].values()
                  for method, operation in methods.items()}
    problems = []
    for module in MODULES:
        for router in [value for value in vars(module).values() if isinstance(value, APIRouter)]:
            for route in router.routes:
                if isinstance(route, APIRoute) and route.include_in_schema:
                    served = all((route.name, method) in operations
                                 for method in route.methods or ())
                elif isinstance(route, APIWebSocketRoute):
                    scope = {"type": "websocket", "path": route.path, "path_params": {}}
                    served = any(mounted.matches(scope)[0] is Match.FULL
                                 for mounted in app.routes)
                else:
                    continue
                if not served:
                    problems.append(f"{module.__name__}: {route.path}")
    return problems


async def test_every_route_is_served(backend: Backend) -> None:
    async with app_of(backend, DOMAINS) as app:
        assert unserved_routes(app) == []


async def test_a_domain_left_out_is_not_served(backend: Backend) -> None:
    async with app_of(backend, without("jobs")) as app:
        unserved = unserved_routes(app)
    assert unserved
    assert all(problem.startswith("xietong.jobs.") for problem in unserved)
    async with app_of(backend, without("realtime")) as app:
        assert "xietong.realtime.socket: /api/v1/events/ws" in unserved_routes(app)


# --- a new domain is one more entry in the list -------------------------------------------

planted_router = APIRouter(prefix="/api/v1/planted", tags=["planted"])


@planted_router.get("/things/{thing_id}")
async def planted_thing(thing_id: int) -> dict[str, int]:
    if thing_id == 7:
        raise Conflict("Thing 7 is taken.", code="planted_taken")
    return {"thing_id": thing_id}


PLANTED = DomainManifest(
    name="planted",
    routers=(Mount(planted_router),),
    error_texts={CHINESE: {"planted_taken": "7 号已被占用。"}},
)


@pytest.fixture
async def planted(backend: Backend) -> AsyncIterator[httpx.AsyncClient]:
    """The app of the list plus one domain that exists only in this test."""
    async with app_of(backend, (*DOMAINS, PLANTED)) as app, client_of(app) as client:
        yield client


async def test_a_planted_domain_is_mounted_and_speaks_its_error_texts(
        planted: httpx.AsyncClient, backend: Backend) -> None:
    ok = await planted.get("/api/v1/planted/things/3")
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"thing_id": 3}

    chinese = await planted.get("/api/v1/planted/things/7",
                                headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert chinese.status_code == 409
    assert chinese.json()["error"] == {"code": "planted_taken", "message": "7 号已被占用。",
                                       "details": None}
    english = await planted.get("/api/v1/planted/things/7", headers={"Accept-Language": "en"})
    assert english.json()["error"]["message"] == "Thing 7 is taken."
    # The core's texts are there as before.
    missing = await planted.get("/api/v1/users/1", headers={"Accept-Language": "zh-CN"})
    assert missing.json()["error"]["message"] == "请先登录。"
    assert "/api/v1/planted/things/{thing_id}" in (await planted.get(
        "/api/openapi.json")).json()["paths"]

    # The app of the list alone has no such route, and no such text.
    async with app_of(backend, DOMAINS) as app, client_of(app) as without:
        absent = await without.get("/api/v1/planted/things/3")
    assert absent.status_code == 404
    assert absent.json()["error"]["code"] == "route_not_found"


@pytest.mark.parametrize("texts", [
    {CHINESE: {"name_taken": "重名。"}},  # org's code
    {CHINESE: {"not_found": "没有。"}},  # the core's
    {"zh_CN": {"planted_taken": "占用。"}},  # not a language we speak
])
def test_error_texts_that_clash_or_miss_are_refused(texts: dict[str, dict[str, str]]) -> None:
    clashing = DomainManifest(name="clashing", error_texts=texts)
    with pytest.raises(ValueError, match=r"two zh-CN texts|not one of"):
        ErrorCatalogue(domain.error_texts for domain in (*DOMAINS, clashing))
