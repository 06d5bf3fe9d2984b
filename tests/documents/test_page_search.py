"""Pages in search: found by the words of their title and text by whoever may read them at
the time of the search — never by anyone else, not after a grant is taken away, not from
the trash — and by their new words once renamed; `xietong reindex` brings them back."""

from __future__ import annotations

from typing import get_args

from tests.documents.helpers import (
    PAGES,
    department_grant,
    make_page,
    person_grant,
    set_page_grants,
    space_id_of,
)
from tests.helpers import Cast, Person
from tests.search.test_search_api import search
from xietong.documents.models import Classification
from xietong.search.indexing import indexed_count, rebuild_everything
from xietong.search.models import ItemKind
from xietong.search.schemas import PageClassification


async def finds(person: Person, q: str) -> list[int]:
    """The pages `person` finds by `q`, over every kind and with `kind=page` alike."""
    everything = [hit["page"]["id"] for hit in (await search(person, q))["items"]
                  if hit["kind"] == "page"]
    only = (await search(person, q, kind="page"))["items"]
    assert [hit["page"]["id"] for hit in only] == everything, (person.username, q)
    return everything


async def test_whoever_reads_a_page_finds_it_and_nobody_else(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    page = await make_page(cast.lina, space, "结算服务拆分方案", template="requirements")
    hit = (await search(cast.wangfang, "结算服务", kind="page"))["items"][0]
    assert hit["page"] == {"id": page["id"], "title": "结算服务拆分方案", "icon": "",
                           "space": {"id": space, "name": "研发部"},
                           "classification": "internal", "updated_at": page["updated_at"]}
    assert "<mark>" in hit["title_highlight"]
    # Its text is found too (the requirements template's words).
    assert await finds(cast.wangfang, "验收标准") == [page["id"]]
    assert await finds(cast.alex, "结算服务") == []
    # Restricted to 研发部 and to 王芳 by name: 张伟 finds it no more; 王芳 until her grant
    # is taken away.
    await set_page_grants(cast.lina, page["id"], [department_grant(cast, "研发部", "view"),
                                                  person_grant(cast.wangfang, "view")])
    assert await finds(cast.zhangwei, "结算服务") == []
    assert await finds(cast.wangfang, "结算服务") == [page["id"]]
    assert await finds(cast.lina, "结算服务") == [page["id"]]
    assert await finds(cast.linxiaoyan, "结算服务") == [page["id"]]
    await set_page_grants(cast.lina, page["id"], [department_grant(cast, "研发部", "view")])
    assert await finds(cast.wangfang, "结算服务") == []
    found = await search(cast.wangfang, "结算服务")
    assert (found["items"], found["total"]) == ([], 0)
    # A page under it inherits: found by the same people only.
    child = await make_page(cast.lina, space, "结算服务接口清单", parent_id=page["id"])
    assert await finds(cast.wangfang, "接口清单") == []
    assert await finds(cast.lina, "接口清单") == [child["id"]]


async def test_renamed_trashed_and_restored_pages_are_found_as_they_are(cast: Cast) -> None:
    space = await space_id_of(cast, "客服部")
    page = await make_page(cast.wangfang, space, "投诉处理流程")
    child = await make_page(cast.wangfang, space, "投诉升级名单", parent_id=page["id"])
    renamed = await cast.wangfang.api.patch(f"{PAGES}/{page['id']}",
                                            json={"title": "售后回访流程"})
    assert renamed.status_code == 200
    assert await finds(cast.lina, "投诉处理") == []
    assert await finds(cast.lina, "回访") == [page["id"]]
    assert (await cast.wangfang.api.delete(f"{PAGES}/{page['id']}")).status_code == 204
    assert await finds(cast.wangfang, "回访") == []
    assert await finds(cast.wangfang, "升级名单") == []
    assert (await cast.wangfang.api.post(f"{PAGES}/{page['id']}/restore")).status_code == 200
    assert await finds(cast.wangfang, "回访") == [page["id"]]
    assert await finds(cast.wangfang, "升级名单") == [child["id"]]


async def test_rebuilding_the_index_brings_pages_back(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    page = await make_page(cast.lina, space, "发布检查清单")
    trashed = await make_page(cast.lina, space, "废弃的发布清单")
    assert (await cast.lina.api.delete(f"{PAGES}/{trashed['id']}")).status_code == 204
    async with cast.runtime.unit_of_work() as uow:
        rebuilt = dict(await rebuild_everything(uow))
        assert rebuilt["pages"] == 1
        assert await indexed_count(uow, ItemKind.PAGE) == 1
    assert await finds(cast.lina, "发布") == [page["id"]]


def test_search_knows_the_classifications() -> None:
    assert set(get_args(PageClassification)) == {c.value for c in Classification}

