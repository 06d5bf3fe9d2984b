"""Health, readiness, the API description and the served web client."""

from __future__ import annotations

import httpx

from tests.conftest import Backend
from tests.test_cli import free_port
from xietong.app import STATIC_DIR, create_app
from xietong.runtime import Runtime


async def test_healthz_and_readyz(client: httpx.AsyncClient, backend: Backend) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    expected = {"database": "ok", "redis": "ok"} if backend.is_postgres else {"database": "ok"}
    assert ready.json()["checks"] == expected


async def test_readyz_is_503_when_redis_does_not_answer(backend: Backend) -> None:
    # A port nobody listens on stands in for a Redis that went away.
    runtime = Runtime(backend.settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    try:
        transport = httpx.ASGITransport(app=create_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": "ok", "redis": "unavailable"}
    finally:
        await runtime.close()


async def test_openapi_and_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    assert "/api/v1/auth/login" in spec["paths"]
    operation_ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids)), "operation ids must be unique"
    assert "login" in operation_ids
    docs = await client.get("/api/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_web_client_is_served_for_page_urls_not_for_api(client: httpx.AsyncClient) -> None:
    if not (STATIC_DIR / "index.html").exists():
        raise AssertionError("the web client is not built; `make web` (make test builds it)")
    page = await client.get("/people/42", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    api = await client.get("/api/v1/does-not-exist")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "route_not_found"
    asset = next((STATIC_DIR / "assets").glob("*.js"))
    served = await client.get(f"/assets/{asset.name}")
    assert served.status_code == 200
    assert "immutable" in served.headers["cache-control"]
