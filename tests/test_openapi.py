"""The OpenAPI document tells the truth: every operation declares the errors the server
may answer with, in the one error shape; downloads declare their real content types; and a
405 names every method the path accepts."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import httpx

from tests.helpers import Cast, create_channel, error_code, post

ERRORS = {"400", "401", "403", "404", "409", "413", "422", "429"}
ERROR_REF = {"$ref": "#/components/schemas/ErrorReply"}


async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


async def test_every_operation_declares_the_error_replies(client: httpx.AsyncClient) -> None:
    doc = await document(client)
    operations = [(path, method, operation) for path, methods in doc["paths"].items()
                  for method, operation in methods.items()]
    assert len(operations) > 40
    for path, method, operation in operations:
        responses = operation["responses"]
        assert set(responses) >= ERRORS, (method, path, sorted(responses))
        for status in ERRORS:
            assert responses[status]["content"] == {"application/json": {"schema": ERROR_REF}}
        assert "Retry-After" in responses["429"]["headers"]
    error = doc["components"]["schemas"]["ErrorReply"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "details"]
    # FastAPI's own {"detail": …} 422 shape is never sent, so it is not described.
    assert "HTTPValidationError" not in doc["components"]["schemas"]


async def test_every_operation_has_its_own_id(client: httpx.AsyncClient) -> None:
    """Operation ids are the route functions' names, and the web's generated types key on
    them: two domains naming a route alike would give one id for two operations."""
    doc = await document(client)
    ids = [operation["operationId"] for methods in doc["paths"].values()
           for operation in methods.values()]
    assert len(ids) > 100
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


async def test_downloads_declare_their_content_types(client: httpx.AsyncClient,
                                                     cast: Cast) -> None:
    doc = await document(client)
    download = doc["paths"]["/api/v1/files/{file_id}"]["get"]["responses"]["200"]["content"]
    thumbnail = doc["paths"]["/api/v1/files/{file_id}/thumbnail"]["get"]["responses"]["200"]
    assert "application/json" not in download
    assert {"image/png", "image/jpeg", "text/plain", "application/octet-stream"} <= set(download)
    assert set(thumbnail["content"]) == {"image/webp"}
    # What a real download is sent as is among them.
    upload = await cast.zhangwei.api.post("/api/v1/files", files={
        "file": ("纪要.txt", "会议纪要\n".encode(), "application/octet-stream")})
    assert upload.status_code == 201, upload.text
    got = await cast.zhangwei.api.get(f"/api/v1/files/{upload.json()['id']}")
    assert got.status_code == 200
    assert got.headers["content-type"].split(";")[0] in download


async def test_a_405_allows_every_method_of_the_path(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "方法", "private")
    message = await post(cast.zhangwei, channel_id, "你好")
    api = cast.zhangwei.api
    for method, path, allowed in (
            ("PATCH", f"/api/v1/messages/{message['id']}/reactions/👍", "DELETE, PUT"),
            ("POST", f"/api/v1/channels/{channel_id}", "GET, PATCH"),
            ("DELETE", "/api/v1/users", "GET, POST"),
            ("GET", f"/api/v1/messages/{message['id']}/pin", "DELETE, PUT"),
            ("PUT", "/api/v1/tokens", "GET, POST"),
            # Routes the document does not list have methods too.
            ("POST", "/api/openapi.json", "GET, HEAD"),
            ("DELETE", "/api/docs", "GET, HEAD")):
        response = await api.request(method, path)
        assert response.status_code == 405, (method, path, response.text)
        assert error_code(response) == "method_not_allowed"
        assert response.headers["allow"] == allowed, (method, path)


async def test_operations_declare_each_success_status_they_answer_with(
        client: httpx.AsyncClient) -> None:
    """Found by schemathesis (bench/contract.py): POST /dms answers 201 when it opens a
    conversation and 200 when it exists; a retried message is a 200, a new one a 201."""
    paths = (await document(client))["paths"]
    assert {"200", "201"} <= set(paths["/api/v1/dms"]["post"]["responses"])
    assert {"200", "201"} <= set(
        paths["/api/v1/channels/{channel_id}/messages"]["post"]["responses"])


async def test_the_api_reference_uses_only_our_own_assets(client: httpx.AsyncClient) -> None:
    """/api/docs names no other host (intranet installs have no internet): Swagger UI's
    script, style and icon are served by us, and the page's policy allows only our own
    origin and the one inline start-up script it carries (tests/browser/test_offline.py
    loads it in a browser with every other host blocked)."""
    page = await client.get("/api/docs")
    assert page.status_code == 200
    assert (await client.head("/api/docs")).status_code == 200
    linked = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert len(linked) == 3
    for url in linked:
        assert url.startswith("/api/docs/assets/"), url
        asset = await client.get(url)
        assert asset.status_code == 200
        assert len(asset.content) > 1000
    policy = page.headers["content-security-policy"]
    scripts = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in policy
    assert policy.startswith("default-src 'self';")
    assert "http" not in policy
