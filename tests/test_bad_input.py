"""Hostile and broken input: every refusal is a 4xx in the JSON error shape, never a 500, and
never leaves anything written. Names in any script (and with emoji) are people's real names
and are kept exactly; what names may not carry is invisible trickery (control characters,
bidirectional overrides)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.api_inputs import DEPARTMENTS, JSON, USERS, Unchanged, refused, row_counts
from tests.helpers import PASSWORD, Cast
from xietong.runtime import Runtime


def person(username: str = "zhaomin", display_name: str = "赵敏", **extra: Any) -> dict[str, Any]:
    return {"username": username, "display_name": display_name, "password": PASSWORD, **extra}


# --- not JSON, not the right JSON --------------------------------------------------------------

async def test_malformed_json_is_a_400(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    bodies = [b'{"name": "\xe5\xb8\x82', b"{nope", b'{"name": "x",}', b"", b"{'name': 'x'}",
              b'{"name": "x"} trailing', b'{"name": "\xff\xfe"}', b"[" * 100_000 + b"]" * 100_000]
    targets = [("POST", DEPARTMENTS), ("POST", USERS),
               ("PATCH", f"{USERS}/{cast.liuyang.id}"),
               ("PATCH", f"{DEPARTMENTS}/{cast.departments['销售部']}"),
               ("PUT", f"{DEPARTMENTS}/{cast.departments['销售部']}/members")]
    async with unchanged:
        for method, path in targets:
            for body in bodies:
                if body == b"":
                    continue  # an empty body is a missing body (see below), not bad JSON
                response = await admin.request(method, path, content=body, headers=JSON)
                refused(response, 400, "bad_json")


async def test_a_missing_or_non_object_body_is_a_422(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    async with unchanged:
        for body in (b"", b"[]", b'"name"', b"null", b"42", b'[{"name": "x"}]'):
            refused(await admin.post(DEPARTMENTS, content=body, headers=JSON), 422, "invalid")
        refused(await admin.post(DEPARTMENTS, content=b'{"name": "x"}',
                                 headers={"content-type": "text/plain"}), 422, "invalid")


async def test_wrong_types_are_a_422(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    sales = cast.departments["销售部"]
    async with unchanged:
        departments: list[dict[str, Any]] = [
            {"name": 123}, {"name": None}, {"name": ["市场部"]}, {"name": {"zh": "市场部"}},
            {"name": "市场部", "parent_id": "x"}, {"name": "市场部", "parent_id": 1.5},
            {"name": "市场部", "parent_id": True}, {"name": "市场部", "parent_id": [sales]},
            {"name": "市场部", "manager_ids": cast.lina.id},
            {"name": "市场部", "manager_ids": [str(cast.lina.id) + "x"]},
            {"name": "市场部", "manager_ids": [True]}, {"name": "市场部", "position": "first"},
            {"name": "市场部", "position": True}]
        for body in departments:
            refused(await admin.post(DEPARTMENTS, json=body), 422, "invalid")
        memberships: list[dict[str, Any]] = [
            {"user_ids": "1,2"}, {"user_ids": None}, {"user_ids": [None]}, {"user_ids": [True]},
            {"user_ids": [{"id": 1}]}, {}]
        for body in memberships:
            refused(await admin.put(f"{DEPARTMENTS}/{sales}/members", json=body), 422)
        for change in ({"active": "maybe"}, {"active": [False]},
                       {"role": "superuser"}, {"role": 1},
                       {"department_ids": [True]}, {"department_ids": ["研发部"]},
                       {"primary_department_id": "销售部"}, {"display_name": 42},
                       {"phone": 13800000000}):
            refused(await admin.patch(f"{USERS}/{cast.liuyang.id}", json=change), 422)
        for body in ({**person(), "username": 123}, {**person(), "display_name": None},
                     {**person(), "password": 12345678}, person(department_ids={"a": 1}),
                     person(role="owner ")):
            refused(await admin.post(USERS, json=body), 422, "invalid")


async def test_unknown_fields_are_a_422(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    async with unchanged:
        refused(await admin.post(DEPARTMENTS, json={"name": "市场部", "colour": "red"}), 422)
        refused(await admin.post(DEPARTMENTS, json={"name": "市场部", "id": 77}), 422)
        refused(await admin.post(USERS, json=person(is_admin=True)), 422)
        refused(await admin.post(USERS, json=person(password_hash="x")), 422)
        for change in ({"password": "new password 123"}, {"username": "liu"},
                       {"password_hash": "x"}, {"title": "经理", "salary": 1}):
            refused(await admin.patch(f"{USERS}/{cast.liuyang.id}", json=change), 422)
        refused(await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}",
                                             json={"is_admin": True}), 422)
        refused(await admin.put(f"{DEPARTMENTS}/{cast.departments['销售部']}/members",
                                json={"user_ids": [], "manager_ids": []}), 422)


async def test_a_huge_body_is_a_413(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    huge = b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(huge), 64 * 1024):
            yield huge[start:start + 64 * 1024]

    async with unchanged:
        response = await admin.post(DEPARTMENTS, content=huge, headers=JSON)
        refused(response, 413, "payload_too_large")
        assert response.headers["x-content-type-options"] == "nosniff"
        # Without a Content-Length the limit still holds, counted as the body arrives.
        response = await admin.post(DEPARTMENTS, content=chunks(), headers=JSON)
        assert "content-length" not in response.request.headers
        refused(response, 413, "payload_too_large")
        refused(await admin.patch(f"{USERS}/{cast.liuyang.id}", content=huge, headers=JSON),
                413, "payload_too_large")
        # Even before signing in.
        refused(await cast.client.post("/api/v1/auth/login", content=huge, headers=JSON),
                413, "payload_too_large")


# --- names -------------------------------------------------------------------------------------

BAD_NAMES = {
    "empty": "",
    "spaces": "   ",
    "whitespace": "\t\n \u3000",
    "too long": "名" * 1000,
    "one too many": "名" * 65,
    "right-to-left override": "销售\u202e部",
    "left-to-right override": "\u202d张伟",
    "isolate": "\u2066研发部\u2069",
    "right-to-left mark": "研发\u200f部",
    "nul": "研发\x00部",
    "bell": "王\x07芳",
    "escape": "\x1b[31m张伟",
    "newline": "张\n伟",
    "line separator": "张\u2028伟",
    "delete": "张伟\x7f",
    "private use": "张\ue000伟",
    "only punctuation": "...",
    # Under NFC each U+0958 becomes two code points: 64 typed, 128 stored.
    "grows past the limit when normalised": "\u0958" * 64,
}
# Refused for every text input before any field's own rule (tests/test_control_characters.py).
CONTROL_CHARACTER_NAMES = {"nul", "bell", "escape", "delete"}


def name_refusal(label: str) -> str:
    return "control_characters" if label in CONTROL_CHARACTER_NAMES else "invalid"


@pytest.mark.parametrize("label", list(BAD_NAMES))
async def test_bad_department_names_are_refused(cast: Cast, unchanged: Unchanged,
                                                label: str) -> None:
    admin = cast.linxiaoyan.api
    name, code = BAD_NAMES[label], name_refusal(label)
    async with unchanged:
        refused(await admin.post(DEPARTMENTS, json={"name": name}), 422, code)
        refused(await admin.post(DEPARTMENTS, json={
            "name": name, "parent_id": cast.departments["销售部"]}), 422, code)
        refused(await admin.patch(f"{DEPARTMENTS}/{cast.departments['华东区']}",
                                  json={"name": name}), 422, code)


@pytest.mark.parametrize("label", list(BAD_NAMES))
async def test_bad_display_names_are_refused(cast: Cast, unchanged: Unchanged,
                                             label: str) -> None:
    name, code = BAD_NAMES[label], name_refusal(label)
    async with unchanged:
        refused(await cast.linxiaoyan.api.post(USERS, json=person(display_name=name)),
                422, code)
        refused(await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}",
                                             json={"display_name": name}), 422, code)
        if label not in ("empty", "spaces", "whitespace"):  # a blank title just clears it
            refused(await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}",
                                                 json={"title": name * 2}), 422, code)


async def test_the_longest_names_fit(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    name = "名" * 64
    response = await admin.post(DEPARTMENTS, json={"name": name})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name
    response = await admin.post(USERS, json=person(display_name=name, title="职" * 100))
    assert response.status_code == 201, response.text
    assert response.json()["display_name"] == name
    assert response.json()["title"] == "职" * 100


REAL_NAMES = ["王芳 🌸", "أحمد الفارسي", "שרה כהן", "Zoë Ångström", "👩‍💻 林工", "Ольга",
              "محمد 🇸🇦", "김민준", "Nguyễn Văn An", "O'Brien"]
REAL_DEPARTMENTS = ["研发部 🚀", "قسم المبيعات", "מחלקת מכירות", "🎉 活动组", "R&D <Core>",
                    "Ventes & Marketing", "客服部（华南）"]


async def test_names_in_any_script_and_with_emoji_round_trip(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    created_departments = {}
    for name in REAL_DEPARTMENTS:
        response = await admin.post(DEPARTMENTS, json={"name": name})
        assert response.status_code == 201, (name, response.text)
        assert response.json()["name"] == name
        created_departments[name] = response.json()["id"]
    tree = (await admin.get(DEPARTMENTS)).json()["items"]
    assert {d["name"] for d in tree} >= set(REAL_DEPARTMENTS)
    for name, department_id in created_departments.items():
        assert (await admin.get(f"{DEPARTMENTS}/{department_id}")).json()["name"] == name

    for number, name in enumerate(REAL_NAMES):
        response = await admin.post(USERS, json=person(f"intl{number}", name, title=name))
        assert response.status_code == 201, (name, response.text)
        user_id = response.json()["id"]
        fetched = (await cast.liuyang.api.get(f"{USERS}/{user_id}")).json()
        assert fetched["display_name"] == name
        assert fetched["title"] == name
        found = (await cast.liuyang.api.get(USERS, params={"q": name})).json()["items"]
        assert user_id in [u["id"] for u in found], name

    # And a person may rename themselves so.
    response = await cast.liuyang.api.patch(f"{USERS}/{cast.liuyang.id}",
                                            json={"display_name": "أحمد 🌙"})
    assert response.status_code == 200
    assert (await cast.liuyang.api.get(f"{USERS}/me")).json()["display_name"] == "أحمد 🌙"


async def test_names_are_trimmed_and_normalised(cast: Cast) -> None:
    response = await cast.linxiaoyan.api.post(DEPARTMENTS, json={"name": "  Cafe\u0301 组 "})
    assert response.status_code == 201
    assert response.json()["name"] == "Caf\u00e9 组"


@pytest.mark.parametrize("username", [
    "zhang😀", "zhang wei", "שרה", "أحمد", "张伟", "'; DROP TABLE users; --", "admin'--",
    "a", "x" * 33, "-zhang", "zhang-", ".zhang", "zhang@example.com", "zhang\x00", "zhang\u202e",
    "", "ｚｈａｎｇ", "zhang/wei", "zhang%"])
async def test_bad_usernames_are_refused(cast: Cast, unchanged: Unchanged,
                                         username: str) -> None:
    code = "control_characters" if "\x00" in username else "invalid"
    async with unchanged:
        refused(await cast.linxiaoyan.api.post(USERS, json=person(username)), 422, code)


async def test_sql_looking_names_are_just_names(cast: Cast, runtime: Runtime) -> None:
    admin = cast.linxiaoyan.api
    hostile = ["'; DROP TABLE users; --", "Robert'); DROP TABLE departments;--",
               "\" OR 1=1 --", "%' OR '1'='1", "name\\'); DELETE FROM department_members; --"]
    before = await row_counts(runtime)
    made: dict[str, int] = {}
    for number, text in enumerate(hostile):
        department = await admin.post(DEPARTMENTS, json={"name": text})
        assert department.status_code == 201, department.text
        assert department.json()["name"] == text
        made[text] = department.json()["id"]
        created = await admin.post(USERS, json=person(f"bobby{number}", text, title=text,
                                                      department_ids=[made[text]]))
        assert created.status_code == 201, created.text
        assert created.json()["display_name"] == text
        found = await admin.get(USERS, params={"q": text})
        assert [u["username"] for u in found.json()["items"]] == [f"bobby{number}"], text
    after = await row_counts(runtime)
    assert after["users"] == before["users"] + len(hostile)
    assert after["departments"] == before["departments"] + len(hostile)
    assert after["department_members"] == before["department_members"] + len(hostile)
    # Every table still works: the directory, the tree, memberships, sign-in.
    listed = (await admin.get(USERS, params={"limit": 200})).json()["items"]
    assert len(listed) == len(cast.people) + len(hostile)
    tree = (await admin.get(DEPARTMENTS)).json()["items"]
    assert {d["name"] for d in tree} >= set(hostile)
    for text, department_id in made.items():
        members = (await admin.get(f"{DEPARTMENTS}/{department_id}/members")).json()
        assert len(members["user_ids"]) == 1, text
    response = await cast.client.post("/api/v1/auth/login",
                                      json={"login": "bobby0", "password": PASSWORD})
    assert response.status_code == 200
    response = await cast.client.post("/api/v1/auth/login",
                                      json={"login": "' OR 1=1 --", "password": "' OR '1'='1"})
    refused(response, 401)


async def test_a_lone_surrogate_is_not_text(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    async with unchanged:
        for body in (b'{"name": "\\ud800"}', b'{"name": "\\udfff\\ud800"}'):
            refused(await admin.post(DEPARTMENTS, content=body, headers=JSON), 422,
                    "control_characters")
        refused(await admin.patch(f"{USERS}/{cast.liuyang.id}",
                                  content=b'{"display_name": "\\ud83d"}', headers=JSON), 422)


async def test_a_nul_in_a_sign_in_name_is_refused_before_any_lookup(cast: Cast) -> None:
    # PostgreSQL refuses a NUL in any text parameter; the lookup must not even try. The
    # refusal is the same for any name, so it tells nothing about accounts, and counts
    # no failed sign-in.
    for _ in range(3):
        for login in ("zhangwei\x00", "\x00", "zhangwei@example.com\x00",
                      "zhang\x00wei@example.com", "nobody\x00"):
            response = await cast.client.post("/api/v1/auth/login",
                                              json={"login": login, "password": PASSWORD})
            refused(response, 422, "control_characters")
    response = await cast.client.post("/api/v1/auth/login",
                                      json={"login": "zhangwei", "password": PASSWORD})
    assert response.status_code == 200, response.text


async def test_other_text_fields_refuse_invisible_characters(cast: Cast,
                                                             unchanged: Unchanged) -> None:
    me = cast.liuyang
    async with unchanged:
        for change in ({"email": "liu@exam\u202eple.com"}, {"email": "liu\n@example.com"},
                       {"email": "not-an-address"}, {"email": "x" * 250 + "@example.com"},
                       {"phone": "call me"}, {"avatar_url": "javascript:alert(1)"}):
            refused(await me.api.patch(f"{USERS}/{me.id}", json=change), 422, "invalid")
        for change in ({"email": "liu\x00@example.com"}, {"phone": "138\x000000"},
                       {"avatar_url": "/avatars/\x00.png"}, {"avatar_url": "/a\x1b.png"}):
            refused(await me.api.patch(f"{USERS}/{me.id}", json=change), 422,
                    "control_characters")
        refused(await cast.linxiaoyan.api.post(USERS, json=person(email="zm\x00@example.com")),
                422, "control_characters")


# --- ids ---------------------------------------------------------------------------------------

async def test_ids_out_of_range_in_the_path_are_a_422(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    async with unchanged:
        for raw in ("99999999999999999999", "2147483648", "0", "-1", "abc", "1.5", "1e3", "１"):
            refused(await admin.get(f"{USERS}/{raw}"), 422, "invalid")
            refused(await admin.get(f"{DEPARTMENTS}/{raw}"), 422, "invalid")
            refused(await admin.patch(f"{USERS}/{raw}", json={"title": "x"}), 422, "invalid")
            refused(await admin.patch(f"{DEPARTMENTS}/{raw}", json={"name": "x"}), 422)
            refused(await admin.delete(f"{DEPARTMENTS}/{raw}"), 422, "invalid")
            refused(await admin.put(f"{DEPARTMENTS}/{raw}/members", json={"user_ids": []}), 422)
        refused(await admin.get(f"{USERS}/%00"), 422, "control_characters")
        # The largest id that fits is simply not there.
        refused(await admin.get(f"{USERS}/2147483647"), 404, "not_found")


async def test_ids_out_of_range_in_the_body_are_a_422(cast: Cast, unchanged: Unchanged) -> None:
    admin = cast.linxiaoyan.api
    sales = cast.departments["销售部"]
    big = [99_999_999_999_999_999_999, 2**63, 2**31, 0, -1]
    async with unchanged:
        for value in big:
            refused(await admin.post(DEPARTMENTS, json={"name": "市场部", "parent_id": value}),
                    422, "invalid")
            refused(await admin.post(DEPARTMENTS, json={"name": "市场部", "manager_ids": [value]}),
                    422, "invalid")
            refused(await admin.put(f"{DEPARTMENTS}/{sales}/members", json={"user_ids": [value]}),
                    422, "invalid")
            refused(await admin.post(USERS, json=person(department_ids=[value])), 422, "invalid")
            refused(await admin.patch(f"{USERS}/{cast.liuyang.id}",
                                      json={"primary_department_id": value}), 422, "invalid")
            refused(await admin.patch(f"{DEPARTMENTS}/{sales}", json={"parent_id": value}),
                    422, "invalid")
        refused(await admin.post(DEPARTMENTS, json={"name": "市场部", "position": 2**40}), 422)
        refused(await admin.get(USERS, params={"department_id": "99999999999999999999"}), 422)
        refused(await admin.get(USERS, params={"limit": "99999999999999999999"}), 422)
        refused(await admin.get(USERS, params={"limit": 0}), 422)


async def test_search_refuses_what_cannot_be_searched(cast: Cast) -> None:
    api = cast.zhangwei.api
    for q in ("张\x00伟", "\x00"):
        refused(await api.get(USERS, params={"q": q}), 422, "control_characters")
    refused(await api.get(USERS, params={"q": "x" * 101}), 422, "invalid")
    refused(await api.get(USERS, params={"include_inactive": "perhaps"}), 422, "invalid")


# --- routes, methods, languages ----------------------------------------------------------------

async def test_unknown_routes_are_a_json_404(cast: Cast) -> None:
    for path in ("/api/v1/nope", "/api/v2/users", "/api/v1/users/1/nope", "/api/v1/"):
        response = await cast.zhangwei.api.get(path)
        refused(response, 404, "route_not_found")
        assert response.headers["content-type"].startswith("application/json")
    refused(await cast.client.post("/api/v1/nope", json={}), 404, "route_not_found")


async def test_wrong_methods_are_a_json_405(cast: Cast, unchanged: Unchanged) -> None:
    api = cast.linxiaoyan.api
    async with unchanged:
        for method, path in (("DELETE", USERS), ("PUT", DEPARTMENTS), ("POST", f"{USERS}/me"),
                             ("DELETE", f"{USERS}/{cast.liuyang.id}"),
                             ("POST", f"{DEPARTMENTS}/{cast.departments['销售部']}")):
            response = await api.request(method, path)
            refused(response, 405, "method_not_allowed")
            assert "allow" in response.headers


async def test_messages_follow_the_preferred_language(cast: Cast) -> None:
    member = cast.liuyang.api
    chinese = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}
    response = await member.post(DEPARTMENTS, json={"name": "市场部"}, headers=chinese)
    refused(response, 403, "forbidden")
    assert response.json()["error"]["message"] == "你没有权限执行此操作。"
    response = await member.post(DEPARTMENTS, json={"name": "市场部"})
    assert response.json()["error"]["message"] != "你没有权限执行此操作。"
    assert response.json()["error"]["message"].isascii()

    admin = cast.linxiaoyan.api
    response = await admin.post(DEPARTMENTS, json={"name": "销售部"}, headers=chinese)
    refused(response, 409, "name_taken")
    assert response.json()["error"]["message"] == "同级下已有同名部门。"
    response = await admin.get("/api/v1/nope", headers={"accept-language": "zh-TW"})
    assert response.json()["error"]["message"] == "没有这个接口。"
    response = await admin.post(DEPARTMENTS, content=b"{", headers={**JSON, **chinese})
    assert response.json()["error"]["message"] == "请求体不是合法的 JSON。"
    response = await admin.post(DEPARTMENTS, json={"name": ""}, headers=chinese)
    assert response.json()["error"]["message"] == "请求内容不符合要求。"
    response = await admin.post(DEPARTMENTS, json={"name": ""},
                                headers={"accept-language": "en-US,zh-CN;q=0.5"})
    assert response.json()["error"]["message"].isascii()


async def test_refused_requests_write_no_audit_entries(cast: Cast, runtime: Runtime) -> None:
    before = await row_counts(runtime)
    admin = cast.linxiaoyan.api
    await admin.post(DEPARTMENTS, json={"name": "销售部"})
    await admin.post(USERS, json=person("zhangwei"))
    await admin.patch(f"{DEPARTMENTS}/{cast.departments['销售部']}",
                      json={"parent_id": cast.departments["华东区"]})
    await admin.patch(f"{USERS}/{cast.liuyang.id}", json={"title": "经理", "department_ids": [9]})
    await cast.liuyang.api.put(f"{DEPARTMENTS}/{cast.departments['销售部']}/members",
                               json={"user_ids": []})
    assert await row_counts(runtime) == before
