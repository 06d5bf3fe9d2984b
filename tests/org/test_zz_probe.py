from __future__ import annotations

import base64
import json

from tests.helpers import Cast


def cur(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


async def test_probe(cast: Cast) -> None:
    api = cast.linxiaoyan.api
    cases = [
        ("q nul", lambda: api.get("/api/v1/users", params={"q": "a\x00b"})),
        ("cursor huge", lambda: api.get("/api/v1/users", params={"cursor": cur("a", 10**20)})),
        ("cursor nul", lambda: api.get("/api/v1/users", params={"cursor": cur("a\x00", 1)})),
        ("cursor 'abc'", lambda: api.get("/api/v1/users", params={"cursor": "abc"})),
        ("cursor 游标", lambda: api.get("/api/v1/users", params={"cursor": "游标"})),
        ("email nul", lambda: api.post("/api/v1/users", json={"username": "abc", "display_name": "A", "password": "pppppppppp", "email": "a\x00b@example.com"})),
        ("avatar nul", lambda: api.patch(f"/api/v1/users/{cast.zhangwei.id}", json={"avatar_url": "/a\x00b"})),
        ("nfc expand", lambda: api.post("/api/v1/users", json={"username": "abcd", "display_name": "\u0958" * 64, "password": "pppppppppp"})),
        ("dept nfc expand", lambda: api.post("/api/v1/departments", json={"name": "\u0958" * 64})),
        ("title nfc expand", lambda: api.patch(f"/api/v1/users/{cast.zhangwei.id}", json={"title": "\u0958" * 100})),
        ("parent true", lambda: api.post("/api/v1/departments", json={"name": "X", "parent_id": True})),
        ("login nul", lambda: cast.client.post("/api/v1/auth/login", json={"login": "a\x00", "password": "x"})),
        ("10MB", lambda: api.post("/api/v1/departments", content=b"{" + b" " * 10_000_000 + b"}", headers={"content-type": "application/json"})),
        ("big id", lambda: api.get("/api/v1/users/99999999999999999999")),
        ("dept big id", lambda: api.get("/api/v1/departments/99999999999999999999")),
        ("bad json", lambda: api.post("/api/v1/departments", content=b"{nope", headers={"content-type": "application/json"})),
        ("no ctype", lambda: api.post("/api/v1/departments", content=b'{"name": "Y"}')),
        ("text ctype", lambda: api.post("/api/v1/departments", content=b'{"name": "Z"}', headers={"content-type": "text/plain"})),
        ("405", lambda: api.delete("/api/v1/users")),
        ("404", lambda: api.get("/api/v1/nope")),
        ("bad utf8", lambda: api.post("/api/v1/departments", content=b'{"name": "\xff\xfe"}', headers={"content-type": "application/json"})),
        ("lone surrogate", lambda: api.post("/api/v1/departments", content=b'{"name": "\\ud800"}', headers={"content-type": "application/json"})),
        ("array body", lambda: api.post("/api/v1/departments", json=[1])),
        ("deep json", lambda: api.post("/api/v1/departments", content=b"[" * 100000 + b"]" * 100000, headers={"content-type": "application/json"})),
        ("limit 0", lambda: api.get("/api/v1/users", params={"limit": 0})),
        ("dept param huge", lambda: api.get("/api/v1/users", params={"department_id": 10**20})),
        ("q long", lambda: api.get("/api/v1/users", params={"q": "x" * 1000})),
    ]
    for label, call in cases:
        try:
            r = await call()
            print(label, r.status_code, r.text[:200])
        except Exception as e:
            print(label, "EXC", type(e).__name__, str(e)[:200])
