"""Pages: made (from templates), read with their path and what the caller may do, renamed,
classified, ordered and moved in their tree and between trees, put in the trash and back,
starred and remembered as recently viewed. Titles in any script, at the longest, and the
ones refused."""

from __future__ import annotations

import asyncio

import pytest

from tests.documents.helpers import (
    PAGES,
    SPACES,
    make_page,
    make_space,
    move,
    shape,
    space_id_of,
    tree,
)
from tests.helpers import Cast, error_code
from xietong.documents.templates import TEMPLATES, plain_text


async def test_a_page_from_a_template_starts_with_its_title_and_words(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    listed = (await cast.lina.api.get("/api/v1/page-templates")).json()["items"]
    assert [(t["key"], t["name"], t["name_en"]) for t in listed] == [
        ("meeting_notes", "会议纪要", "Meeting notes"),
        ("requirements", "需求文档", "Requirements document"),
        ("weekly_report", "项目周报", "Weekly project report"),
        ("manual", "操作手册", "Operations manual"),
        ("blank", "空白页", "Blank page")]
    for template in TEMPLATES:
        page = await make_page(cast.lina, space, template=template.key.value)
        assert page["title"] == template.title
        assert page["markdown"] == template.markdown
        assert page["text"] == plain_text(template.markdown)
        assert page["content_version"] == 0
    notes = await make_page(cast.lina, space, "周会纪要 2026-10-12", template="meeting_notes")
    assert notes["title"] == "周会纪要 2026-10-12"
    assert "待办事项" in notes["text"]
    assert "|" not in notes["text"]
    assert notes["markdown"].startswith("# 会议纪要")
    blank = await make_page(cast.lina, space)
    assert (blank["title"], blank["markdown"], blank["text"]) == ("无标题文档", "", "")
    unknown = await cast.lina.api.post(PAGES, json={"space_id": space, "template": "poem"})
    assert unknown.status_code == 422


def test_plain_text_keeps_the_words_and_drops_the_markup() -> None:
    assert plain_text("# 标题\n\n- [ ] 事项 **加粗**\n- [x] 完成\n\n| 列 | 值 |\n|---|---|\n"
                      "| 甲 | 1 |\n\n```py\nprint('你好')\n```\n\n> 引用 [链接](http://x.cn)") == (
        "标题\n事项 加粗\n完成\n列\n值\n甲\n1\nprint('你好')\n引用 链接")
    assert plain_text("") == ""


async def test_titles_in_any_script_at_the_longest_and_the_refused_ones(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    for title in ("需求文档 📝", "أحمد والفريق", "Ñandú — naïve café", "👩‍💻 工程师手册", "x" * 200,
                  "数" * 200, "  前后空格  "):
        page = await make_page(cast.lina, space, title)
        assert page["title"] == title.strip()
        got = await cast.lina.api.get(f"{PAGES}/{page['id']}")
        assert got.json()["title"] == title.strip()
    before = len(await tree(cast.lina, space))
    for bad in ("", "   ", "\u3164", "x" * 201, "数" * 201, "a\u202eb", "a\u200bb",
                "x" * 100_000):
        refused = await cast.lina.api.post(PAGES, json={"space_id": space, "title": bad})
        assert (refused.status_code, error_code(refused)) == (422, "invalid"), bad
    nul = await cast.lina.api.post(PAGES, json={"space_id": space, "title": "a\u0000b"})
    assert nul.status_code == 422
    assert len(await tree(cast.lina, space)) == before
    page = await make_page(cast.lina, space, "改名前")
    for wrong in ("", "x" * 201, None):
        refused = await cast.lina.api.patch(f"{PAGES}/{page['id']}", json={"title": wrong})
        assert refused.status_code == 422, wrong
    assert (await cast.lina.api.get(f"{PAGES}/{page['id']}")).json()["title"] == "改名前"


async def test_a_page_shows_its_path_level_and_what_may_be_done(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    top = await make_page(cast.lina, space, "研发手册", icon="📘")
    middle = await make_page(cast.lina, space, "流程", parent_id=top["id"])
    leaf = await make_page(cast.lina, space, "代码评审", parent_id=middle["id"])
    mine = (await cast.lina.api.get(f"{PAGES}/{leaf['id']}")).json()
    assert [b["title"] for b in mine["breadcrumbs"]] == ["研发手册", "流程"]
    assert mine["breadcrumbs"][0]["icon"] == "📘"
    assert mine["space"] == {"id": space, "name": "研发部", "icon": "", "archived": False}
    assert (mine["level"], mine["parent_id"], mine["classification"]) == (
        "manage", middle["id"], "internal")
    assert mine["can"] == ["comment", "edit", "manage", "classify", "review", "export",
                           "share_by_link"]
    other = (await cast.wangfang.api.get(f"{PAGES}/{leaf['id']}")).json()
    assert (other["level"], other["can"]) == ("view", ["export"])
    unknown = await cast.lina.api.get(f"{PAGES}/999999")
    assert (unknown.status_code, error_code(unknown)) == (404, "not_found")


async def test_siblings_keep_their_order_and_pages_move_within_and_between_trees(
        cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    a = await make_page(cast.lina, space, "A")
    b = await make_page(cast.lina, space, "B")
    c = await make_page(cast.lina, space, "C")
    inserted = await make_page(cast.lina, space, "A2", after_id=a["id"])
    assert shape(await tree(cast.lina, space)) == [
        ("A", None), ("A2", None), ("B", None), ("C", None)]
    # C first; B under A; A2 under B after nothing (first).
    assert (await move(cast.lina, c["id"], after_id=None)).status_code == 200
    assert (await move(cast.lina, b["id"], parent_id=a["id"])).status_code == 200
    moved = await move(cast.lina, inserted["id"], parent_id=b["id"])
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent_id"] == b["id"]
    assert [x["title"] for x in moved.json()["breadcrumbs"]] == ["A", "B"]
    items = await tree(cast.lina, space)
    assert shape(items) == [("C", None), ("A", None), ("B", "A"), ("A2", "B")]
    assert [i["has_children"] for i in items] == [False, True, True, False]
    assert set(items[0]) == {"id", "parent_id", "title", "rank", "icon", "has_children",
                             "updated_at"}
    # A under its own descendant: refused, nothing moved.
    for target in (a["id"], b["id"], inserted["id"]):
        refused = await move(cast.lina, a["id"], parent_id=target)
        assert (refused.status_code, error_code(refused)) == (422, "page_cycle"), target
    assert shape(await tree(cast.lina, space)) == shape(items)
    # A neighbour that is not a sibling there, a parent that does not exist.
    refused = await move(cast.lina, c["id"], parent_id=a["id"], after_id=inserted["id"])
    assert (refused.status_code, error_code(refused)) == (422, "unknown_sibling")
    refused = await move(cast.lina, c["id"], parent_id=999999)
    assert (refused.status_code, error_code(refused)) == (422, "unknown_parent_page")
    # Into another space, the whole subtree with it (李娜 edits 研发部's and the shared one).
    shared = await make_space(cast.lina, "架构")
    to_other = await move(cast.lina, b["id"], space_id=shared["id"])
    assert to_other.status_code == 200, to_other.text
    assert (to_other.json()["space_id"], to_other.json()["parent_id"]) == (shared["id"], None)
    assert shape(await tree(cast.lina, shared["id"])) == [("B", None), ("A2", "B")]
    assert shape(await tree(cast.lina, space)) == [("C", None), ("A", None)]
    # The space and the parent must agree; a space one may not write to is refused.
    refused = await move(cast.lina, c["id"], parent_id=a["id"], space_id=shared["id"])
    assert (refused.status_code, error_code(refused)) == (422, "space_mismatch")
    sales = await space_id_of(cast, "销售部")
    refused = await move(cast.lina, c["id"], space_id=sales)
    assert (refused.status_code, error_code(refused)) == (403, "page_level_too_low")
    refused = await move(cast.lina, c["id"], space_id=999999)
    assert (refused.status_code, error_code(refused)) == (422, "unknown_space")


async def test_ranks_stay_short_and_distinct_when_pages_land_on_one_spot(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    first = await make_page(cast.lina, space, "起点")
    last = await make_page(cast.lina, space, "终点")
    made = []
    for n in range(60):  # each right after the first: ranks lengthen, then are spread out
        made.append(await make_page(cast.lina, space, f"第{n}页", after_id=first["id"]))
    items = await tree(cast.lina, space)
    assert [i["title"] for i in items] == ["起点", *[f"第{n}页" for n in reversed(range(60))],
                                           "终点"]
    ranks = [i["rank"] for i in items]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)
    assert max(len(r) for r in ranks) <= 40
    assert last["id"] == items[-1]["id"]


async def test_two_moves_at_once_never_make_a_loop(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    for _ in range(5):
        a = await make_page(cast.lina, space, "甲")
        b = await make_page(cast.lina, space, "乙")
        answers = await asyncio.gather(move(cast.lina, a["id"], parent_id=b["id"]),
                                       move(cast.lina, b["id"], parent_id=a["id"]))
        codes = sorted(r.status_code for r in answers)
        assert codes == [200, 422], [r.text for r in answers]
        assert [error_code(r) for r in answers if r.status_code == 422] == ["page_cycle"]
        parents = {i["id"]: i["parent_id"] for i in await tree(cast.lina, space)}
        # One under the other, the other at the top: no loop.
        [top] = [p for p in (a, b) if parents[p["id"]] is None]
        assert {parents[a["id"]], parents[b["id"]]} == {None, top["id"]}, parents
        # Both go to the trash with the one at the top.
        assert (await cast.lina.api.delete(f"{PAGES}/{top['id']}")).status_code == 204


async def test_two_moves_between_spaces_at_once_never_make_a_loop(cast: Cast) -> None:
    first, second = await space_id_of(cast, "研发部"), (await make_space(cast.lina, "架构"))["id"]
    for _ in range(3):
        a = await make_page(cast.lina, first, "甲")
        b = await make_page(cast.lina, second, "乙")
        answers = await asyncio.gather(move(cast.lina, a["id"], parent_id=b["id"]),
                                       move(cast.lina, b["id"], parent_id=a["id"]))
        assert sorted(r.status_code for r in answers) == [200, 422], [r.text for r in answers]
        pages = {i["id"]: i for s in (first, second) for i in await tree(cast.lina, s)}
        assert {pages[a["id"]]["parent_id"], pages[b["id"]]["parent_id"]} & {None}
        [top] = [p for p in (a, b) if pages[p["id"]]["parent_id"] is None]
        assert (await cast.lina.api.delete(f"{PAGES}/{top['id']}")).status_code == 204


async def test_many_moves_at_once_keep_one_order(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    pages = [await make_page(cast.lina, space, f"页{n}") for n in range(8)]
    answers = await asyncio.gather(*(move(cast.lina, p["id"], after_id=pages[0]["id"])
                                     for p in pages[1:]))
    assert {r.status_code for r in answers} == {200}
    items = await tree(cast.lina, space)
    assert sorted(i["id"] for i in items) == sorted(p["id"] for p in pages)
    assert items[0]["id"] == pages[0]["id"]
    ranks = [i["rank"] for i in items]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)


async def test_the_trash_takes_a_subtree_and_gives_it_back(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    top = await make_page(cast.lina, space, "旧手册")
    child = await make_page(cast.lina, space, "旧流程", parent_id=top["id"])
    grandchild = await make_page(cast.lina, space, "旧清单", parent_id=child["id"])
    earlier = await make_page(cast.lina, space, "早删的", parent_id=child["id"])
    assert (await cast.lina.api.delete(f"{PAGES}/{earlier['id']}")).status_code == 204
    assert (await cast.lina.api.delete(f"{PAGES}/{top['id']}")).status_code == 204
    assert await tree(cast.lina, space) == []
    for page in (top, child, grandchild):
        assert (await cast.lina.api.get(f"{PAGES}/{page['id']}")).status_code == 404
    trash = (await cast.lina.api.get(f"{SPACES}/{space}/trash")).json()["items"]
    assert [(t["title"], t["page_count"], t["can_restore"]) for t in trash] == [
        ("旧手册", 3, True), ("早删的", 1, True)]
    assert trash[0]["deleted_by"] == cast.lina.id
    # 王芳 reads the space but does not edit it: she sees the trash, cannot restore.
    theirs = (await cast.wangfang.api.get(f"{SPACES}/{space}/trash")).json()["items"]
    assert [t["can_restore"] for t in theirs] == [False, False]
    refused = await cast.wangfang.api.post(f"{PAGES}/{top['id']}/restore")
    assert refused.status_code == 403
    # A page that went with another is restored with it.
    refused = await cast.lina.api.post(f"{PAGES}/{child['id']}/restore")
    assert (refused.status_code, error_code(refused)) == (422, "restore_the_top")
    restored = await cast.lina.api.post(f"{PAGES}/{top['id']}/restore")
    assert restored.status_code == 200, restored.text
    assert shape(await tree(cast.lina, space)) == [("旧手册", None), ("旧流程", "旧手册"),
                                                  ("旧清单", "旧流程")]
    # What went earlier on its own stays in the trash; restored, it finds its parent again.
    assert [t["title"] for t in (await cast.lina.api.get(
        f"{SPACES}/{space}/trash")).json()["items"]] == ["早删的"]
    again = await cast.lina.api.post(f"{PAGES}/{earlier['id']}/restore")
    assert again.json()["parent_id"] == child["id"]
    # Its parent gone meanwhile, a page comes back at the top of its space.
    assert (await cast.lina.api.delete(f"{PAGES}/{earlier['id']}")).status_code == 204
    assert (await cast.lina.api.delete(f"{PAGES}/{child['id']}")).status_code == 204
    alone = await cast.lina.api.post(f"{PAGES}/{earlier['id']}/restore")
    assert alone.json()["parent_id"] is None
    # Restoring twice, or restoring a live page: nothing in the trash.
    assert (await cast.lina.api.post(f"{PAGES}/{earlier['id']}/restore")).status_code == 404
    assert (await cast.lina.api.delete(f"{PAGES}/{earlier['id']}")).status_code == 204
    assert (await cast.lina.api.delete(f"{PAGES}/{earlier['id']}")).status_code == 404


async def test_favourites_and_recently_viewed_follow_what_one_still_sees(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    pages = [await make_page(cast.lina, space, f"文档{n}") for n in range(55)]
    for page in pages:
        assert (await cast.zhangwei.api.get(f"{PAGES}/{page['id']}")).status_code == 200
    # Read again, the first comes first; one row per page, the last 50 kept.
    await cast.zhangwei.api.get(f"{PAGES}/{pages[10]['id']}")
    recent = (await cast.zhangwei.api.get("/api/v1/recent-pages")).json()["items"]
    assert len(recent) == 50
    assert recent[0]["id"] == pages[10]["id"]
    assert [r["id"] for r in recent[1:4]] == [pages[54]["id"], pages[53]["id"],
                                             pages[52]["id"]]
    assert len({r["id"] for r in recent}) == 50
    assert recent[0]["space_name"] == "研发部"
    assert (await cast.zhangwei.api.get("/api/v1/recent-pages",
                                        params={"limit": 3})).json()["items"][0]["id"] == (
        pages[10]["id"])
    async with cast.runtime.reader() as uow:
        from sqlalchemy import func, select

        from xietong.documents.models import PageView
        kept = await uow.session.scalar(select(func.count()).where(
            PageView.user_id == cast.zhangwei.id))
    assert kept == 50
    # Stars: twice is once; unstarred is gone; a page gone to the trash drops out.
    for page in (pages[0], pages[1], pages[1]):
        assert (await cast.zhangwei.api.put(f"{PAGES}/{page['id']}/favourite")).status_code == 204
    stars = (await cast.zhangwei.api.get("/api/v1/favourite-pages")).json()["items"]
    assert [s["id"] for s in stars] == [pages[1]["id"], pages[0]["id"]]
    assert (await cast.zhangwei.api.get(f"{PAGES}/{pages[1]['id']}")).json()["favourite"]
    assert (await cast.zhangwei.api.delete(
        f"{PAGES}/{pages[1]['id']}/favourite")).status_code == 204
    assert (await cast.lina.api.delete(f"{PAGES}/{pages[0]['id']}")).status_code == 204
    assert (await cast.zhangwei.api.get("/api/v1/favourite-pages")).json()["items"] == []
    # A page one may not see cannot be starred, and takes nobody's list with it.
    assert (await cast.alex.api.put(f"{PAGES}/{pages[2]['id']}/favourite")).status_code == 404
    assert (await cast.alex.api.get("/api/v1/recent-pages")).json()["items"] == []


async def test_classification_is_for_managers_and_confidential_views_are_audited(
        cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    page = await make_page(cast.lina, space, "薪酬方案")
    member = await cast.add_person("zengzhiwei", "曾志伟", departments=("研发部",))
    refused = await member.api.patch(f"{PAGES}/{page['id']}",
                                     json={"classification": "confidential"})
    assert (refused.status_code, error_code(refused)) == (403, "page_level_too_low")
    marked = await cast.lina.api.patch(f"{PAGES}/{page['id']}",
                                       json={"classification": "confidential"})
    assert marked.status_code == 200, marked.text
    assert marked.json()["classification"] == "confidential"
    assert "export" not in marked.json()["can"]
    assert "share_by_link" not in marked.json()["can"]
    for person in (cast.lina, member, member):
        assert (await person.api.get(f"{PAGES}/{page['id']}")).status_code == 200
    audit = (await cast.linxiaoyan.api.get("/api/v1/audit", params={"limit": 50})).json()
    entries = audit["items"] if isinstance(audit, dict) else audit
    views = [e for e in entries if e["action"] == "page.viewed"]
    assert sorted(e["actor_id"] for e in views) == sorted([cast.lina.id, member.id, member.id])
    assert {e["target"] for e in views} == {f"page:{page['id']}"}
    classified = [e for e in entries if e["action"] == "page.classified"]
    assert [(e["actor_id"], e["details"]) for e in classified] == [
        (cast.lina.id, {"from": "internal", "to": "confidential"})]
    # An internal page's views are not audited.
    plain = await make_page(cast.lina, space, "周报")
    await cast.lina.api.get(f"{PAGES}/{plain['id']}")
    again = (await cast.linxiaoyan.api.get("/api/v1/audit", params={"limit": 50})).json()
    entries = again["items"] if isinstance(again, dict) else again
    assert len([e for e in entries if e["action"] == "page.viewed"]) == 3


@pytest.mark.parametrize("classification", ["public", "internal", "confidential"])
def test_export_and_links_follow_the_classification(classification: str) -> None:
    from xietong.policy import documents as policy

    for level in policy.Level:
        assert policy.can_export(level, classification) == (
            level >= policy.VIEW and classification != "confidential")
        assert policy.can_share_by_link(level, classification) == (
            level >= policy.MANAGE and classification != "confidential")
    assert policy.audits_views(classification) == (classification == "confidential")



async def test_pages_linked_from_chat_are_summarised_for_their_readers(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    shared = await make_page(cast.lina, space, "接口规范", icon="📘")
    secret = await make_page(cast.lina, space, "薪酬方案")
    restricted = await cast.lina.api.put(f"{PAGES}/{secret['id']}/permissions", json={
        "inherit": False, "grants": [{"subject": "user", "user_id": cast.lina.id,
                                      "level": "manage"}]})
    assert restricted.status_code == 200, restricted.text
    trashed = await make_page(cast.lina, space, "旧方案")
    assert (await cast.lina.api.delete(f"{PAGES}/{trashed['id']}")).status_code == 204

    ids = [shared["id"], secret["id"], trashed["id"], 999_999]
    seen = await cast.zhangwei.api.get("/api/v1/page-summaries", params={"ids": ids})
    assert seen.status_code == 200, seen.text
    assert seen.json()["items"] == [{
        "id": shared["id"], "title": "接口规范", "icon": "📘", "space_id": space,
        "space_name": "研发部", "classification": "internal",
        "updated_at": shared["updated_at"]}]
    mine = await cast.lina.api.get("/api/v1/page-summaries", params={"ids": ids})
    assert [p["title"] for p in mine.json()["items"]] == ["接口规范", "薪酬方案"]
    # A guest sees none of the company's pages.
    guest = await cast.alex.api.get("/api/v1/page-summaries", params={"ids": ids})
    assert guest.json()["items"] == []
    for bad in ({}, {"ids": [0]}, {"ids": ["一"]}, {"ids": list(range(1, 102))}):
        refused = await cast.zhangwei.api.get("/api/v1/page-summaries", params=bad)
        assert refused.status_code == 422, (bad, refused.text)
