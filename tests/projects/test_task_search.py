"""Projects and tasks in search, and the summaries a message's task card reads: whoever
sees the project finds it and its tasks (its members, everyone in the company when it is
company-visible, administrators; a guest only the projects they are in), by words and by
number, and nobody else; an edited title is found by its new words; `xietong reindex`
brings them back."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from sqlalchemy import delete

from tests.helpers import Cast, Person, error_code
from tests.projects.helpers import PROJECTS, TASKS, make_project, make_task, move, status_id
from tests.search.test_search_api import API, search
from xietong.projects.models import Category
from xietong.search.indexing import indexed_count, rebuild_everything
from xietong.search.models import ItemKind, SearchItem
from xietong.search.schemas import TaskCategory

SUMMARIES = f"{API}/task-summaries"


def hits(found: dict[str, Any]) -> list[tuple[str, int]]:
    return [(hit["kind"], hit[hit["kind"]]["id"]) for hit in found["items"]]


async def finds(person: Person, q: str, kind: str) -> list[int]:
    """The items of `kind` `person` finds by `q`, over every kind and with `kind=`."""
    everything = [item_id for k, item_id in hits(await search(person, q)) if k == kind]
    only = hits(await search(person, q, kind=kind))
    assert [item_id for _, item_id in only] == everything, (person.username, q)
    assert {k for k, _ in only} <= {kind}
    return everything


async def sees(person: Person, task_id: int) -> bool:
    """Whether the task's own page shows it to `person` (or 404s)."""
    status = (await person.api.get(f"{TASKS}/{task_id}")).status_code
    assert status in (200, 404), (person.username, status)
    return status == 200


async def summaries(person: Person, *task_ids: int) -> list[int]:
    response = await person.api.get(SUMMARIES, params={"ids": list(task_ids)})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_whoever_sees_the_project_finds_its_tasks_and_nobody_else(cast: Cast) -> None:
    project = await make_project(cast.lina, "内部重构", description="把结算服务拆成独立模块",
                                 member_ids=[cast.zhangwei.id, cast.alex.id])
    task = await make_task(cast.lina, project["id"], "拆分结算服务",
                           description="先梳理发票接口的依赖", assignee_id=cast.zhangwei.id)
    number = task["number"]
    assert number == f"T-{task['id']}"
    queries = ("结算服务", "发票接口", number, f"#{number}", f"{number} 拆分")
    # Its members (a guest added to it too) and the administrators.
    for person in (cast.lina, cast.zhangwei, cast.alex, cast.linxiaoyan, cast.zhoujianguo):
        assert await sees(person, task["id"])
        for q in queries:
            assert await finds(person, q, "task") == [task["id"]], (person.username, q)
        assert await finds(person, "结算服务", "project") == [project["id"]]
        assert await summaries(person, task["id"]) == [task["id"]]
    # Not in a private project: neither by a word nor by its number, nor its card.
    for person in (cast.wangfang, cast.liuyang):
        assert not await sees(person, task["id"])
        for q in (*queries, "内部重构"):
            found = await search(person, q)
            assert (found["items"], found["total"]) == ([], 0), (person.username, q)
        assert await summaries(person, task["id"]) == []
    # Removed from it, the guest finds it no more.
    removed = await cast.lina.api.delete(f"{PROJECTS}/{project['id']}/members/{cast.alex.id}")
    assert removed.status_code == 204
    assert not await sees(cast.alex, task["id"])
    assert await finds(cast.alex, "结算服务", "task") == []
    assert await summaries(cast.alex, task["id"]) == []


async def test_a_company_visible_project_is_found_by_the_company_not_by_a_guest(
        cast: Cast) -> None:
    project = await make_project(cast.lina, "官网改版", visibility="company")
    task = await make_task(cast.lina, project["id"], "首页轮播图重新设计")
    for person in (cast.wangfang, cast.liuyang, cast.linxiaoyan):
        assert await sees(person, task["id"])
        assert await finds(person, "轮播图", "task") == [task["id"]], person.username
        assert await finds(person, task["number"], "task") == [task["id"]]
        assert await finds(person, "官网改版", "project") == [project["id"]]
    # A guest from outside sees only the projects they are in.
    assert not await sees(cast.alex, task["id"])
    for q in ("轮播图", task["number"], "官网改版"):
        assert (await search(cast.alex, q))["items"] == []
    assert await summaries(cast.alex, task["id"]) == []
    # Made members-only, it is found by its members alone.
    response = await cast.lina.api.patch(f"{PROJECTS}/{project['id']}",
                                         json={"visibility": "members"})
    assert response.status_code == 200, response.text
    assert await finds(cast.wangfang, "轮播图", "task") == []
    assert await finds(cast.lina, "轮播图", "task") == [task["id"]]


async def test_a_hit_shows_the_task_as_it_is_now(cast: Cast) -> None:
    project = await make_project(cast.lina, "新品上市", member_ids=[cast.wangfang.id])
    task = await make_task(cast.lina, project["id"], "上市新闻稿",
                           description="找媒体合作方确认发布时间", assignee_id=cast.wangfang.id,
                           due_at="2026-12-20")
    assert (await move(cast.lina, task["id"], status_id(project, "进行中"))).status_code == 200
    [hit] = (await search(cast.wangfang, "新闻稿"))["items"]
    assert hit["kind"] == "task"
    assert hit["task"] == {
        "id": task["id"], "number": task["number"], "title": "上市新闻稿",
        "project": {"id": project["id"], "name": "新品上市", "archived": False},
        "status": "进行中", "category": "doing", "assignee_id": cast.wangfang.id,
        "due_at": "2026-12-20"}
    assert hit["title_highlight"] == "上市<mark>新闻稿</mark>"
    [hit] = (await search(cast.wangfang, "媒体合作"))["items"]
    assert hit["highlight"] == "找<mark>媒体合作</mark>方确认发布时间"
    [project_hit] = (await search(cast.wangfang, "新品上市", kind="project"))["items"]
    assert project_hit["project"] == {"id": project["id"], "name": "新品上市",
                                      "archived": False, "owner_id": cast.lina.id,
                                      "member_count": 2}
    # The card endpoint answers the same summary.
    response = await cast.wangfang.api.get(SUMMARIES, params={"ids": [task["id"]]})
    assert response.json()["items"] == [hit["task"] for hit in (
        await search(cast.wangfang, "新闻稿"))["items"]]


async def test_an_edited_title_is_found_by_its_new_words(cast: Cast) -> None:
    project = await make_project(cast.lina, "季度复盘")
    task = await make_task(cast.lina, project["id"], "整理客户反馈")
    response = await cast.lina.api.patch(f"{TASKS}/{task['id']}",
                                         json={"title": "汇总渠道销量数据",
                                               "description": "按华东华南分区"})
    assert response.status_code == 200, response.text
    assert await finds(cast.lina, "渠道销量", "task") == [task["id"]]
    assert await finds(cast.lina, "华南", "task") == [task["id"]]
    assert await finds(cast.lina, "客户反馈", "task") == []
    # A renamed project too; an archived one stays findable by who sees it.
    response = await cast.lina.api.patch(f"{PROJECTS}/{project['id']}",
                                         json={"name": "年度总结", "archived": True})
    assert response.status_code == 200, response.text
    assert await finds(cast.lina, "年度总结", "project") == [project["id"]]
    assert await finds(cast.lina, "季度复盘", "project") == []
    [hit] = (await search(cast.lina, "渠道销量"))["items"]
    assert hit["task"]["project"] == {"id": project["id"], "name": "年度总结", "archived": True}


async def test_rebuilding_the_index_brings_projects_and_tasks_back(cast: Cast) -> None:
    project = await make_project(cast.lina, "仓储系统升级", member_ids=[cast.zhangwei.id])
    task = await make_task(cast.lina, project["id"], "盘点库存接口")
    async with cast.runtime.unit_of_work() as uow:
        await uow.session.execute(delete(SearchItem))
    assert (await search(cast.zhangwei, "库存"))["items"] == []
    async with cast.runtime.unit_of_work() as uow:
        rebuilt = dict(await rebuild_everything(uow))
        assert (rebuilt["projects"], rebuilt["tasks"]) == (1, 1)
        assert await indexed_count(uow, ItemKind.TASK) == 1
        assert await indexed_count(uow, ItemKind.PROJECT) == 1
    assert await finds(cast.zhangwei, "库存", "task") == [task["id"]]
    assert await finds(cast.zhangwei, task["number"], "task") == [task["id"]]
    assert await finds(cast.zhangwei, "仓储系统", "project") == [project["id"]]
    assert (await search(cast.wangfang, "库存"))["items"] == []


async def test_summaries_keep_only_the_visible_and_refuse_bad_ids(cast: Cast) -> None:
    private = await make_project(cast.lina, "内部重构")
    public = await make_project(cast.lina, "官网改版", visibility="company")
    hidden = await make_task(cast.lina, private["id"], "拆分服务")
    shown = [await make_task(cast.lina, public["id"], f"首页模块 {n}") for n in range(3)]
    asked = [shown[2]["id"], hidden["id"], 999_999, shown[0]["id"], shown[0]["id"]]
    assert await summaries(cast.wangfang, *asked) == [shown[0]["id"], shown[2]["id"]]
    assert await summaries(cast.lina, *asked) == sorted(
        {hidden["id"], shown[0]["id"], shown[2]["id"]})
    for params in ({}, {"ids": "abc"}, {"ids": 0}, {"ids": list(range(1, 102))}):
        response = await cast.lina.api.get(SUMMARIES, params=params)
        assert (response.status_code, error_code(response)) == (422, "invalid"), params


def test_a_hits_category_is_one_of_the_projects() -> None:
    assert set(get_args(TaskCategory)) == {category.value for category in Category}


@pytest.mark.parametrize("kind", ["task", "project"])
async def test_a_kind_keeps_hits_of_that_kind(cast: Cast, kind: str) -> None:
    project = await make_project(cast.lina, "预算编制")
    task = await make_task(cast.lina, project["id"], "预算编制初稿")
    found = hits(await search(cast.lina, "预算编制", kind=kind))
    assert found == [(kind, task["id"] if kind == "task" else project["id"])]
    assert sorted(hits(await search(cast.lina, "预算编制"))) == [
        ("project", project["id"]), ("task", task["id"])]
