"""Directory search: finding colleagues by name, pinyin, initials, username, email or title,
in Chinese reading order, page by page, and only those the caller may see."""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

import httpx

from tests.helpers import PASSWORD, Cast, anonymous_client, error_code
from xietong.core.actor import Actor, Role
from xietong.org import actions
from xietong.runtime import Runtime

USERS = "/api/v1/users"

# Everyone in the cast, in the order a Chinese reader expects (by pinyin of the name):
# li na, lin xiao yan, liu yang, wai bu gu wen (Alex), wang fang, zhang wei, zhou jian guo.
CAST_IN_ORDER = ["lina", "linxiaoyan", "liuyang", "alex", "wangfang", "zhangwei", "zhoujianguo"]


async def search(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await api.get(USERS, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def found(api: httpx.AsyncClient, q: str, **params: Any) -> list[str]:
    return [u["username"] for u in await search(api, q=q, **params)]


async def every_page(api: httpx.AsyncClient, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Walk the cursor to the end, checking each page's size on the way."""
    collected: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(1000):
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await api.get(USERS, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        collected.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return collected
        assert len(page["items"]) == limit  # only a full page promises more
    raise AssertionError("the cursor never ended")


def crafted_cursor(*parts: object) -> str:
    raw = json.dumps(list(parts), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- matching ----------------------------------------------------------------------------------

async def test_by_chinese_name(cast: Cast) -> None:
    api = cast.liuyang.api
    assert await found(api, "张") == ["zhangwei"]
    assert await found(api, "张伟") == ["zhangwei"]
    assert await found(api, "晓燕") == ["linxiaoyan"]
    assert await found(api, "张三") == []
    # A tab pasted in with the name is text like any other, not a refused request.
    assert await found(api, "\t张伟") == ["zhangwei"]


async def test_by_pinyin_initials_and_username(cast: Cast) -> None:
    # A username that has nothing to do with the name, so only pinyin can find 陈晨.
    await cast.add_person("emp0042", "陈晨", departments=("华东区",), title="大客户经理")
    api = cast.liuyang.api
    assert await found(api, "chenchen") == ["emp0042"]
    assert await found(api, "chen") == ["emp0042"]
    assert await found(api, "cc") == ["emp0042"]
    assert await found(api, "emp0042") == ["emp0042"]
    assert await found(api, "zhangwei") == ["zhangwei"]
    assert await found(api, "zw") == ["zhangwei"]
    assert await found(api, "lxy") == ["linxiaoyan"]
    assert await found(api, "zjg") == ["zhoujianguo"]
    # Case and spaces do not matter.
    assert await found(api, "Zhang Wei") == ["zhangwei"]
    assert await found(api, "ZW") == ["zhangwei"]


async def test_a_surname_is_found_by_its_surname_reading(cast: Cast) -> None:
    # 单 reads "dan" in most words but "shan" as a surname; people type either.
    await cast.add_person("emp0007", "单雄信")
    api = cast.liuyang.api
    assert await found(api, "shanxiongxin") == ["emp0007"]
    assert await found(api, "danxiongxin") == ["emp0007"]
    assert await found(api, "sxx") == ["emp0007"]


async def test_by_email_and_title(cast: Cast) -> None:
    api = cast.liuyang.api
    assert await found(api, "lin@example") == ["linxiaoyan"]
    assert await found(api, "LIN@EXAMPLE.COM") == ["linxiaoyan"]
    assert set(await found(api, "销售")) == {"zhangwei", "liuyang"}
    assert await found(api, "研发总监") == ["lina"]
    assert await found(api, "顾问") == ["alex"]


async def test_full_width_input_is_folded(cast: Cast) -> None:
    api = cast.liuyang.api
    assert await found(api, "ｚｈａｎｇｗｅｉ") == ["zhangwei"]
    assert await found(api, "ＺＷ") == ["zhangwei"]
    assert await found(api, "ａｌｅｘ") == ["alex"]


async def test_like_wildcards_in_the_query_are_literal(cast: Cast) -> None:
    await cast.add_person("wu_min", "吴敏", title="达成率100%")
    api = cast.liuyang.api
    assert await found(api, "%") == ["wu_min"]
    assert await found(api, "_") == ["wu_min"]
    assert await found(api, "100%") == ["wu_min"]
    assert await found(api, "wu_m") == ["wu_min"]
    assert await found(api, "zhang%") == []
    assert await found(api, "zh_ngwei") == []
    assert await found(api, "z%w") == []
    assert await found(api, "\\") == []
    assert await found(api, "%%") == []


async def test_an_empty_query_lists_everyone(cast: Cast) -> None:
    api = cast.liuyang.api
    assert await found(api, "") == CAST_IN_ORDER
    assert await found(api, "   ") == CAST_IN_ORDER
    assert [u["username"] for u in await search(api)] == CAST_IN_ORDER


# --- departments -------------------------------------------------------------------------------

async def test_a_department_includes_its_sub_departments(cast: Cast) -> None:
    api = cast.lina.api
    sales, east = cast.departments["销售部"], cast.departments["华东区"]
    assert [u["username"] for u in await search(api, department_id=sales)] == \
        ["liuyang", "zhangwei"]
    assert [u["username"] for u in await search(
        api, department_id=sales, include_subdepartments="false")] == ["zhangwei"]
    assert [u["username"] for u in await search(api, department_id=east)] == ["liuyang"]
    assert await found(api, "zw", department_id=east) == []
    assert await found(api, "销售", department_id=sales, include_subdepartments="false") == \
        ["zhangwei"]
    assert await search(api, department_id=cast.departments["客服部"], q="zhang") == []


async def test_an_unknown_department_is_not_found(cast: Cast) -> None:
    response = await cast.lina.api.get(USERS, params={"department_id": 999_999})
    assert response.status_code == 404
    assert error_code(response) == "not_found"


# --- order and pages ---------------------------------------------------------------------------

async def test_people_are_listed_by_pinyin(cast: Cast) -> None:
    api = cast.zhangwei.api
    listed = [u["display_name"] for u in await search(api)]
    assert listed == ["李娜", "林晓燕", "刘洋", "外部顾问 Alex", "王芳", "张伟", "周建国"]
    await cast.add_person("emp0001", "陈晨")
    await cast.add_person("emp0002", "白雪")
    listed = [u["display_name"] for u in await search(api)]
    assert listed[:3] == ["白雪", "陈晨", "李娜"]


async def test_small_pages_return_everyone_exactly_once(cast: Cast) -> None:
    api = cast.zhangwei.api
    whole = [u["username"] for u in await search(api, limit=200)]
    assert whole == CAST_IN_ORDER
    for limit in (1, 2, 3, 6, 7):
        paged = [u["username"] for u in await every_page(api, limit)]
        assert paged == whole, limit
    # Paging a filtered search keeps the filter.
    assert [u["username"] for u in await every_page(api, 1, q="l")] == \
        [u["username"] for u in await search(api, q="l")]


async def test_a_bad_cursor_is_a_client_error(cast: Cast) -> None:
    api = cast.zhangwei.api
    for cursor in ("nonsense", "游标", "!!!", crafted_cursor("li na"),
                   crafted_cursor(5, "li na"), crafted_cursor("li na", "5"),
                   crafted_cursor("li na", True), crafted_cursor("li na", 5, 6),
                   base64.urlsafe_b64encode(b'{"a": 1}').decode(),
                   # Well formed but never given out: numbers past any id, invisible characters.
                   crafted_cursor("li na", 99_999_999_999_999_999_999),
                   crafted_cursor("li na", -1), crafted_cursor("li\u0000na", 1)):
        response = await api.get(USERS, params={"cursor": cursor})
        assert response.status_code == 400, (cursor, response.text)
        assert error_code(response) == "bad_cursor"


# --- who is listed -----------------------------------------------------------------------------

async def test_deactivated_people_are_hidden_unless_an_admin_asks(cast: Cast) -> None:
    admin = cast.linxiaoyan.api
    response = await admin.patch(f"{USERS}/{cast.wangfang.id}", json={"active": False})
    assert response.status_code == 200
    without = [u for u in CAST_IN_ORDER if u != "wangfang"]
    assert [u["username"] for u in await search(cast.zhangwei.api)] == without
    assert await found(cast.zhangwei.api, "王芳") == []
    # A member asking for them is not told.
    assert [u["username"] for u in await search(cast.zhangwei.api,
                                                include_inactive="true")] == without
    assert [u["username"] for u in await search(admin)] == without
    listed = await search(admin, include_inactive="true")
    assert [u["username"] for u in listed] == CAST_IN_ORDER
    assert next(u for u in listed if u["username"] == "wangfang")["active"] is False
    assert await found(admin, "王芳", include_inactive="true") == ["wangfang"]
    # The department no longer counts her.
    tree = (await admin.get("/api/v1/departments")).json()["items"]
    support = next(d for d in tree if d["name"] == "客服部")
    assert support["member_count"] == 0


async def test_a_guest_sees_only_themselves(cast: Cast) -> None:
    guest = cast.alex.api
    assert [u["username"] for u in await search(guest)] == ["alex"]
    assert await found(guest, "张") == []
    assert await found(guest, "alex") == ["alex"]
    assert [u["username"] for u in await every_page(guest, 1)] == ["alex"]
    response = await guest.get(f"{USERS}/{cast.zhangwei.id}")
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    # Someone who exists and someone who does not look the same to a guest.
    nobody = await guest.get(f"{USERS}/999999")
    assert nobody.status_code == 404
    assert nobody.json() == response.json()
    assert (await guest.get(f"{USERS}/{cast.alex.id}")).json()["username"] == "alex"
    # The org chart is closed to guests, so is searching by department.
    response = await guest.get(USERS, params={"department_id": cast.departments["销售部"]})
    assert response.status_code == 403


# --- several people by id ----------------------------------------------------------------------

LOOKUP = f"{USERS}/lookup"


async def test_a_lookup_names_several_people_at_once(cast: Cast) -> None:
    """What a chat screen needs to label authors: one request for many ids, former
    colleagues included, unknown ids and repeats left out or answered once."""
    gone = await cast.linxiaoyan.api.patch(f"{USERS}/{cast.wangfang.id}",
                                           json={"active": False})
    assert gone.status_code == 200
    wanted = [cast.zhangwei.id, cast.lina.id, 999_999, cast.wangfang.id, cast.lina.id]
    response = await cast.zhangwei.api.get(LOOKUP, params={"ids": wanted})
    assert response.status_code == 200, response.text
    people = response.json()
    assert [u["id"] for u in people] == sorted({cast.zhangwei.id, cast.lina.id,
                                                cast.wangfang.id})
    assert {u["username"]: u["active"] for u in people} == {
        "zhangwei": True, "lina": True, "wangfang": False}
    one = (await cast.zhangwei.api.get(f"{USERS}/{cast.lina.id}")).json()
    assert next(u for u in people if u["id"] == cast.lina.id) == one


async def test_a_guest_looks_up_only_whom_they_may_see(cast: Cast) -> None:
    everyone = [cast.people[name].id for name in CAST_IN_ORDER]
    response = await cast.alex.api.get(LOOKUP, params={"ids": everyone})
    assert response.status_code == 200
    assert [u["username"] for u in response.json()] == ["alex"]
    shared = await cast.zhangwei.api.post("/api/v1/channels", json={
        "name": "顾问沟通", "kind": "private", "member_ids": [cast.alex.id]})
    assert shared.status_code == 201
    response = await cast.alex.api.get(LOOKUP, params={"ids": everyone})
    assert {u["username"] for u in response.json()} == {"alex", "zhangwei"}


async def test_bad_lookups_are_refused_clearly(cast: Cast) -> None:
    for params in ({}, {"ids": "0"}, {"ids": "abc"}, {"ids": str(2**63)},
                   {"ids": [str(n) for n in range(1, 202)]}):
        response = await cast.zhangwei.api.get(LOOKUP, params=params)
        assert response.status_code == 422, (params, response.text)
        assert error_code(response) == "invalid"
    allowed = await cast.zhangwei.api.get(LOOKUP, params={"ids": list(range(1, 201))})
    assert allowed.status_code == 200
    async with anonymous_client(cast.client) as nobody:
        assert (await nobody.get(LOOKUP, params={"ids": 1})).status_code == 401


# --- many people -------------------------------------------------------------------------------

# Surnames whose pinyin readings are unambiguous and none a prefix of another, so the
# expected order does not depend on how the database collates spaces.
SURNAMES = {"赵": "zhao", "钱": "qian", "孙": "sun", "周": "zhou", "吴": "wu", "郑": "zheng",
            "冯": "feng", "陈": "chen", "杨": "yang", "黄": "huang", "何": "he", "马": "ma",
            "郭": "guo", "罗": "luo", "高": "gao"}
GIVEN_NAMES = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "艳", "勇", "杰",
               "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英"]


async def add_many_people(runtime: Runtime, owner_id: int, department_id: int,
                          count: int) -> dict[str, str]:
    """`count` members of one department, added in one transaction; username → name."""
    surnames = list(SURNAMES)
    people = {f"bulk{n:03d}": surnames[(n * 7) % len(surnames)] + GIVEN_NAMES[n % len(GIVEN_NAMES)]
              for n in range(count)}
    owner = Actor(user_id=owner_id, role=Role.OWNER)
    async with runtime.unit_of_work() as uow:
        for username, display_name in people.items():
            await actions.do_create_user(uow, owner, username=username,
                                         display_name=display_name, password=PASSWORD,
                                         passwords=runtime.passwords,
                                         department_ids=[department_id])
    return people


async def test_paging_through_many_people(cast: Cast, runtime: Runtime) -> None:
    readings = sorted(SURNAMES.values())
    assert not any(b.startswith(a) for a, b in itertools.pairwise(readings))
    created = await cast.linxiaoyan.api.post("/api/v1/departments", json={"name": "共享中心"})
    assert created.status_code == 201
    department_id = created.json()["id"]
    people = await add_many_people(runtime, cast.zhoujianguo.id, department_id, 60)
    api = cast.lina.api

    in_department = await every_page(api, 7, department_id=department_id)
    usernames = [u["username"] for u in in_department]
    assert len(usernames) == len(set(usernames)) == 60
    assert set(usernames) == set(people)
    assert all(u["display_name"] == people[u["username"]] for u in in_department)
    surname_order = [SURNAMES[u["display_name"][0]] for u in in_department]
    assert surname_order == sorted(surname_order)

    # Every page size walks the whole directory once, in the same order as one big page.
    whole = [u["id"] for u in await search(api, limit=200)]
    assert len(whole) == 60 + len(CAST_IN_ORDER)
    for limit in (1, 9, 50, 66, 67):
        assert [u["id"] for u in await every_page(api, limit)] == whole, limit
    # A search that matches many, paged.
    assert sorted(u["username"] for u in await every_page(api, 8, q="bulk")) == sorted(people)
    zhao = [u for u, name in people.items() if name.startswith("赵")]
    assert zhao
    assert sorted(u["username"] for u in await every_page(api, 2, q="赵")) == sorted(zhao)
