"""The channel directory (`GET /api/v1/channels/browse`): every live public channel and every
department's channel, found by name, pinyin, initials, department or description; private
channels, DMs and archived channels never; other departments' channels by name only, with
joining them refused; guests only what they already belong to."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (
    Cast,
    Person,
    anonymous_client,
    create_channel,
    error_code,
    post,
    statements,
)
from xietong.core.pagination import encode_cursor

API = "/api/v1"
BROWSE = f"{API}/channels/browse"


async def browse(person: Person, q: str | None = None, **params: Any) -> list[dict[str, Any]]:
    if q is not None:
        params["q"] = q
    response = await person.api.get(BROWSE, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def names(person: Person, q: str | None = None) -> list[str]:
    return [item["name"] for item in await browse(person, q)]


async def department_channel(cast: Cast, name: str, department: str,
                             description: str = "") -> int:
    created = await cast.linxiaoyan.api.post(f"{API}/channels", json={
        "name": name, "kind": "department", "department_id": cast.departments[department],
        "description": description})
    assert created.status_code == 201, created.text
    channel_id: int = created.json()["id"]
    return channel_id


async def public_channel(person: Person, name: str, description: str = "") -> int:
    created = await person.api.post(f"{API}/channels", json={
        "name": name, "kind": "public", "description": description})
    assert created.status_code == 201, created.text
    channel_id: int = created.json()["id"]
    return channel_id


@pytest.fixture
async def company(cast: Cast) -> dict[str, int]:
    """研发部 and 销售部 have their department channels; 马超 (前端组, under 研发部) runs a
    busy public channel, 李娜 (研发部) a quiet one, 张伟 (销售部) one more; a private
    channel and an archived one exist."""
    frontend = await cast.linxiaoyan.api.post(f"{API}/departments", json={
        "name": "前端组", "parent_id": cast.departments["研发部"]})
    assert frontend.status_code == 201, frontend.text
    cast.departments["前端组"] = frontend.json()["id"]
    await cast.add_person("machao", "马超", departments=("前端组",), title="前端组长")
    channels = {
        "研发部": await department_channel(cast, "研发部", "研发部", "研发全员"),
        "销售部": await department_channel(cast, "销售部", "销售部", "销售内部目标"),
        "前端技术交流": await public_channel(cast.machao, "前端技术交流",
                                       "Vue、TypeScript 与性能优化"),
        "API 讨论组": await public_channel(cast.lina, "API 讨论组"),
        "客户案例库": await public_channel(cast.zhangwei, "客户案例库", "成单故事与品牌素材"),
        "并购绝密": await create_channel(cast.zhangwei, "并购绝密", "private"),
        "旧项目": await public_channel(cast.lina, "旧项目"),
    }
    await post(cast.machao, channels["前端技术交流"], "本周分享：虚拟列表")
    archived = await cast.lina.api.patch(f"{API}/channels/{channels['旧项目']}",
                                         json={"archived": True})
    assert archived.status_code == 200, archived.text
    return channels


async def test_a_member_of_another_department_finds_public_channels_and_department_channels(
        cast: Cast, company: dict[str, int]) -> None:
    # 王芳 (客服部) is in none of them.
    items = {item["name"]: item for item in await browse(cast.wangfang)}
    assert set(items) == {"研发部", "销售部", "前端技术交流", "API 讨论组", "客户案例库"}

    frontend = items["前端技术交流"]
    assert frontend["kind"] == "public"
    assert frontend["description"] == "Vue、TypeScript 与性能优化"
    assert (frontend["member_count"], frontend["joined"]) == (1, False)
    assert (frontend["department_id"], frontend["department_name"]) == (
        cast.departments["前端组"], "前端组")
    assert frontend["department_path"] == ["研发部", "前端组"]
    assert items["API 讨论组"]["department_path"] == ["研发部"]
    assert frontend["last_activity_at"] is not None
    assert (frontend["can_preview"], frontend["can_join"], frontend["can_leave"]) == (
        True, True, False)
    assert items["API 讨论组"]["last_activity_at"] is None  # nothing said yet

    # Another department's channel: its name, department and head count, nothing said in it.
    sales = items["销售部"]
    assert sales["kind"] == "department"
    assert (sales["department_id"], sales["department_name"]) == (
        cast.departments["销售部"], "销售部")
    assert sales["member_count"] == 3  # 张伟, 刘洋 (华东区 is below 销售部) and its creator
    assert (sales["description"], sales["last_activity_at"]) == ("", None)
    assert (sales["can_preview"], sales["can_join"], sales["joined"]) == (False, False, False)

    # The order: the most recently active first, then the name's pinyin (API, kehu, xiaoshou,
    # yanfa): the department channels, listed by name only, show no activity to order by.
    assert [item["name"] for item in await browse(cast.wangfang)] == [
        "前端技术交流", "API 讨论组", "客户案例库", "销售部", "研发部"]


async def test_what_one_has_joined_is_marked_and_listed_last(
        cast: Cast, company: dict[str, int]) -> None:
    joined = await cast.wangfang.api.post(f"{API}/channels/{company['API 讨论组']}/join")
    assert joined.status_code == 204, joined.text
    items = await browse(cast.wangfang)
    assert [item["name"] for item in items][-1] == "API 讨论组"
    api_group = items[-1]
    assert (api_group["joined"], api_group["member_count"]) == (True, 2)
    assert (api_group["can_join"], api_group["can_leave"]) == (False, True)

    # One's own department channel: joined, readable, and not to be left.
    own = {item["name"]: item for item in await browse(cast.lina)}["研发部"]
    assert (own["joined"], own["can_preview"], own["can_leave"]) == (True, True, False)
    assert own["description"] == "研发全员"

    left = await cast.wangfang.api.post(f"{API}/channels/{company['API 讨论组']}/leave")
    assert left.status_code == 204
    assert not {i["name"]: i for i in await browse(cast.wangfang)}["API 讨论组"]["joined"]


@pytest.mark.parametrize(("q", "expected"), [
    # The department (and those below it: 前端组), and the channels its people made.
    ("研发", {"研发部", "前端技术交流", "API 讨论组"}),
    ("yanfa", {"研发部", "前端技术交流", "API 讨论组"}),
    ("yf", {"研发部", "前端技术交流", "API 讨论组"}),
    ("YANFA", {"研发部", "前端技术交流", "API 讨论组"}),
    ("前端", {"前端技术交流"}),
    ("qdz", {"前端技术交流"}),  # 前端组, its department
    ("qianduan", {"前端技术交流"}),
    ("qdjs", {"前端技术交流"}),
    ("typescript", {"前端技术交流"}),  # its description
    ("api", {"API 讨论组"}),
    ("ＡＰＩ", {"API 讨论组"}),  # full-width
    ("tlz", {"API 讨论组"}),
    ("品牌", {"客户案例库"}),
    ("目标", set()),  # the 销售部 channel's description is not 王芳's to search
    ("绝密", set()),  # a private channel
    ("旧项目", set()),  # archived
    ("100%", set()),  # LIKE's wildcards are literal
    ("_", set()),
    ("   ", {"研发部", "销售部", "前端技术交流", "API 讨论组", "客户案例库"}),
    ("", {"研发部", "销售部", "前端技术交流", "API 讨论组", "客户案例库"}),
])
async def test_search_by_name_pinyin_initials_department_and_description(
        cast: Cast, company: dict[str, int], q: str, expected: set[str]) -> None:
    assert set(await names(cast.wangfang, q)) == expected


async def test_renaming_a_channel_is_searched_by_its_new_name(
        cast: Cast, company: dict[str, int]) -> None:
    renamed = await cast.lina.api.patch(f"{API}/channels/{company['API 讨论组']}",
                                        json={"name": "接口设计"})
    assert renamed.status_code == 200, renamed.text
    assert await names(cast.wangfang, "jiekou") == ["接口设计"]
    assert await names(cast.wangfang, "tlz") == []


async def test_bad_queries_are_refused_not_failed(cast: Cast, company: dict[str, int]) -> None:
    for params, code in (({"q": "研" * 101}, "invalid"),
                         ({"q": "研发\u0000"}, "control_characters"),
                         ({"q": "\u0007"}, "control_characters"),
                         ({"limit": 0}, "invalid"),
                         ({"limit": 101}, "invalid"),
                         ({"cursor": "not-a-cursor"}, "bad_cursor"),
                         ({"cursor": "W10"}, "bad_cursor"),  # []
                         ({"cursor": encode_cursor(2, 0, "a", 1)}, "bad_cursor"),
                         ({"cursor": encode_cursor(0, -1, "a", 1)}, "bad_cursor"),
                         ({"cursor": encode_cursor(0, 0, "a\u0000", 1)}, "bad_cursor"),
                         ({"cursor": encode_cursor(0, 0, "a" * 301, 1)}, "bad_cursor"),
                         ({"cursor": encode_cursor(0, 0, "a", 2**63)}, "bad_cursor"),
                         ({"cursor": "x" * 501}, "invalid")):
        response = await cast.wangfang.api.get(BROWSE, params=params)
        assert 400 <= response.status_code < 500, (params, response.text)
        assert error_code(response) == code, (params, response.text)
    # Emoji and rare characters are just text that matches nothing.
    assert await names(cast.wangfang, "🚀𠀀") == []


async def test_pages_follow_the_order_without_repeats(cast: Cast,
                                                      company: dict[str, int]) -> None:
    everything = await names(cast.wangfang)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await cast.wangfang.api.get(BROWSE, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


async def test_other_departments_channels_are_named_but_not_joined_or_read(
        cast: Cast, company: dict[str, int]) -> None:
    sales = company["销售部"]
    refused = await cast.wangfang.api.post(f"{API}/channels/{sales}/join")
    assert refused.status_code == 403, refused.text
    assert error_code(refused) == "not_joinable"
    for path in (f"{API}/channels/{sales}", f"{API}/channels/{sales}/messages"):
        assert (await cast.wangfang.api.get(path)).status_code == 404, path
    members = (await cast.zhangwei.api.get(f"{API}/channels/{sales}/members")).json()["items"]
    assert cast.wangfang.id not in {m["user_id"] for m in members}

    # Private channels stay missing, as before; so does an archived public one to join.
    private = await cast.wangfang.api.post(f"{API}/channels/{company['并购绝密']}/join")
    assert private.status_code == 404
    archived = await cast.wangfang.api.post(f"{API}/channels/{company['旧项目']}/join")
    assert archived.status_code == 403
    assert error_code(archived) == "channel_archived"


async def test_a_guest_browses_only_what_they_belong_to(cast: Cast,
                                                        company: dict[str, int]) -> None:
    assert await browse(cast.alex) == []
    assert await browse(cast.alex, "yanfa") == []
    added = await cast.lina.api.post(f"{API}/channels/{company['API 讨论组']}/members",
                                     json={"user_ids": [cast.alex.id]})
    assert added.status_code == 200, added.text
    items = await browse(cast.alex)
    assert [item["name"] for item in items] == ["API 讨论组"]
    # No org chart for guests: not the department either.
    assert (items[0]["department_id"], items[0]["department_name"]) == (None, None)
    assert items[0]["joined"] is True
    refused = await cast.alex.api.post(f"{API}/channels/{company['前端技术交流']}/join")
    assert refused.status_code == 404


async def test_signed_out_is_refused(cast: Cast) -> None:
    async with anonymous_client(cast.client) as anonymous:
        response = await anonymous.get(BROWSE)
    assert response.status_code == 401


async def test_the_directory_costs_the_same_statements_however_many_channels(
        cast: Cast, company: dict[str, int]) -> None:
    """Member counts, activity and departments come with the channels: no statement per
    channel."""
    async def statements_for(q: str | None) -> int:
        with statements(cast.runtime) as seen:
            await browse(cast.wangfang, q)
        return len(seen)

    await browse(cast.wangfang)  # the first request may sign in: not counted
    few = (await statements_for(None), await statements_for("yanfa"))
    for n in range(12):
        channel_id = await public_channel(cast.machao, f"专题{n}")
        await post(cast.machao, channel_id, "开个头")
    many = (await statements_for(None), await statements_for("yanfa"))
    assert many == few, (few, many)
    assert len(await browse(cast.wangfang, "yanfa")) == 15
