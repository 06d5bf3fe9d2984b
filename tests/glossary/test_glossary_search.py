"""Glossary terms in search: found by their name, aliases, English name, definition and
examples by whoever may read them — everyone, guests too, for a company-wide term; only its
department's readers for one kept to it — never by others; an edit is found by its new
words, a deleted term no more; `xietong reindex` rebuilds them."""

from __future__ import annotations

from typing import Any, get_args

from tests.glossary.helpers import TERMS, make_term
from tests.helpers import Cast, Person
from xietong.core.signals import IndexRebuilding
from xietong.glossary.models import TermStatus
from xietong.search.schemas import TermStatus as SearchedTermStatus


async def found(person: Person, q: str) -> list[int]:
    response = await person.api.get("/api/v1/search", params={"q": q, "kind": "term"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    assert all(hit["kind"] == "term" for hit in items)
    return [hit["term"]["id"] for hit in items]


async def test_terms_are_found_by_who_may_read_them(cast: Cast) -> None:
    public = await make_term(cast, cast.zhangwei, "回款", "销售部", aliases=["收款"],
                             english="Payment Collection",
                             definition="合同款项**实际到账**，以银行流水为准。",
                             examples=["九月底前完成六成回款"])
    hidden = await make_term(cast, cast.zhangwei, "底价", "销售部", visibility="department",
                             definition="报价不能低于的价格，由销售总监审批。")
    for name in ("zhoujianguo", "zhangwei", "liuyang", "lina", "alex"):
        person = cast.people[name]
        for q in ("回款", "收款", "Payment", "银行流水", "六成"):
            assert await found(person, q) == [public["id"]], (name, q)
    for name, reads in (("zhangwei", True), ("liuyang", True), ("linxiaoyan", True),
                        ("lina", False), ("alex", False)):
        assert await found(cast.people[name], "销售总监审批") == (
            [hidden["id"]] if reads else []), name
    hit = (await cast.alex.api.get("/api/v1/search", params={"q": "回款"})).json()["items"][0]
    assert hit["kind"] == "term"
    assert hit["term"] == {"id": public["id"], "term": "回款", "english": "Payment Collection",
                           "aliases": ["收款"], "status": "active",
                           "department": {"id": cast.departments["销售部"], "path": ["销售部"]}}
    assert "<mark>" in hit["title_highlight"]
    # Renamed: found by its new words only; deleted: not at all.
    await cast.zhangwei.api.patch(f"{TERMS}/{public['id']}", json={"definition": "到账的款项。"})
    assert await found(cast.lina, "银行流水") == []
    assert await found(cast.lina, "到账") == [public["id"]]
    await cast.zhangwei.api.delete(f"{TERMS}/{public['id']}")
    assert await found(cast.lina, "到账") == []


async def test_reindex_rebuilds_the_terms(cast: Cast) -> None:
    made = await make_term(cast, cast.lina, "灰度发布", "研发部", definition="先开放给少数用户。")
    async with cast.runtime.unit_of_work() as uow:
        answers = await uow.signal(IndexRebuilding())
    assert ("terms", 1) in answers
    assert await found(cast.alex, "少数用户") == [made["id"]]


def test_search_names_the_statuses_terms_have() -> None:
    assert set(get_args(SearchedTermStatus)) == {status.value for status in TermStatus}
