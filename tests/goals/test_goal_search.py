"""Objectives in search: found by their words and their key results' words by whoever sees
them (everyone in the company for a public one; the owner, the managers above and
administrators for a private one), never by others; an edit is found by its new words;
`xietong reindex` rebuilds them."""

from __future__ import annotations

from typing import Any, get_args

from tests.goals.helpers import OBJECTIVES, add_key_result, make_objective
from tests.helpers import Cast, Person
from xietong.core.signals import IndexRebuilding
from xietong.goals.models import Level
from xietong.search.schemas import ObjectiveLevel


async def found(person: Person, q: str) -> list[int]:
    response = await person.api.get("/api/v1/search", params={"q": q, "kind": "objective"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    assert all(hit["kind"] == "objective" for hit in items)
    return [hit["objective"]["id"] for hit in items]


async def test_objectives_are_found_by_who_sees_them(cast: Cast) -> None:
    public = await make_objective(cast.zhoujianguo, "打开华东市场",
                                  description="新品首发放在华东区")
    await add_key_result(cast.zhoujianguo, public["id"], "签约渠道伙伴 12 家", target=12)
    private = await make_objective(cast.liuyang, "华东大客户攻坚", "person",
                                   visibility="private")
    for name in ("zhoujianguo", "zhangwei", "liuyang", "lina"):
        assert await found(cast.people[name], "华东市场") == [public["id"]], name
        # A key result's words find its objective.
        assert await found(cast.people[name], "渠道伙伴") == [public["id"]], name
    assert await found(cast.alex, "华东市场") == []
    # The private one: its owner, 张伟 (who manages 销售部, above 华东区), administrators.
    for name, sees in (("liuyang", True), ("zhangwei", True), ("linxiaoyan", True),
                       ("lina", False), ("wangfang", False), ("alex", False)):
        assert await found(cast.people[name], "大客户攻坚") == (
            [private["id"]] if sees else []), name
    hit = (await cast.liuyang.api.get("/api/v1/search", params={
        "q": "大客户攻坚", "kind": "objective"})).json()["items"][0]
    assert hit["objective"] == {"id": private["id"], "title": "华东大客户攻坚", "level": "person",
                                "period": "2026-Q4", "owner_id": cast.liuyang.id,
                                "progress": 0.0, "archived": False}
    assert "<mark>" in hit["title_highlight"]
    # Made public, colleagues find it; renamed, it is found by its new words only.
    await cast.liuyang.api.patch(f"{OBJECTIVES}/{private['id']}",
                                 json={"visibility": "company", "title": "华东重点客户签约"})
    assert await found(cast.lina, "重点客户") == [private["id"]]
    assert await found(cast.lina, "攻坚") == []


async def test_reindex_rebuilds_the_objectives(cast: Cast) -> None:
    made = await make_objective(cast.zhoujianguo, "提升客户满意度")
    async with cast.runtime.unit_of_work() as uow:
        answers = await uow.signal(IndexRebuilding())
    assert ("objectives", 1) in answers
    assert await found(cast.lina, "满意度") == [made["id"]]


def test_search_names_the_levels_goals_have() -> None:
    assert set(get_args(ObjectiveLevel)) == {level.value for level in Level}
