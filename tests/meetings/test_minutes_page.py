"""A meeting's minutes as a documents page: made once for its organiser or an attendee, in
the organiser's department space, editable by the attendees and hidden from everyone the
space does not already let manage it; extraction reads the page as it is being edited."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.documents.helpers import PAGES, space_id_of, tree
from tests.documents.yclient import Editor
from tests.helpers import Cast, error_code
from tests.meetings.test_meetings import MEETINGS, make_meeting

API_DOCS = "/api/v1/docs"


async def _open_page(person: Any, meeting_id: int) -> Any:
    return await person.api.post(f"{MEETINGS}/{meeting_id}/minutes-page")


async def test_the_minutes_page_is_made_once_and_only_its_people_edit_it(cast: Cast) -> None:
    # 刘洋 (华东区, no manager) calls it; 王芳 of 客服部 and the guest Alex attend.
    meeting = await make_meeting(cast.liuyang, "渠道周会",
                                 attendee_ids=[cast.wangfang.id, cast.alex.id],
                                 agenda=[{"title": "渠道进展", "owner_id": cast.wangfang.id},
                                         {"title": "下月计划"}])
    assert meeting["minutes_page_id"] is None
    # Someone not at the meeting does not see it, nor may make its minutes.
    assert (await _open_page(cast.lina, meeting["id"])).status_code == 404
    made = await _open_page(cast.wangfang, meeting["id"])
    assert made.status_code == 201, made.text
    page_id = made.json()["minutes_page_id"]
    assert isinstance(page_id, int)
    # Made once: asked again (twice at once) it is the same page.
    again = await asyncio.gather(_open_page(cast.liuyang, meeting["id"]),
                                 _open_page(cast.alex, meeting["id"]))
    assert [(r.status_code, r.json()["minutes_page_id"]) for r in again] == [
        (200, page_id), (200, page_id)]
    page = (await cast.liuyang.api.get(f"{PAGES}/{page_id}")).json()
    assert page["title"].startswith("会议纪要 · 渠道周会 · ")
    assert page["title"].endswith("日")
    # In the organiser's department space, under its "会议纪要" page.
    assert page["space"]["id"] == await space_id_of(cast, "华东区")
    assert [b["title"] for b in page["breadcrumbs"]] == ["会议纪要"]
    # From the template: the agenda as headings, the action items' section.
    markdown = page["markdown"]
    assert "## 1. 渠道进展（王芳）" in markdown
    assert "## 2. 下月计划" in markdown
    assert "## 行动项" in markdown
    assert "勾选项" in markdown
    # Every attendee edits it, the guest included; the organiser's department (which
    # reads the space) does not see it, nor does the company; the manager above 华东区
    # (张伟 of 销售部), who manages the space, and an administrator do.
    for person in (cast.liuyang, cast.wangfang, cast.alex):
        seen = await person.api.get(f"{PAGES}/{page_id}")
        assert (seen.status_code, seen.json()["level"]) == (200, "edit"), person.username
    assert (await cast.lina.api.get(f"{PAGES}/{page_id}")).status_code == 404
    assert (await cast.lina.api.get(f"{API_DOCS}/{page_id}/text")).status_code == 404
    assert (await cast.zhangwei.api.get(f"{PAGES}/{page_id}")).json()["level"] == "manage"
    assert (await cast.linxiaoyan.api.get(f"{PAGES}/{page_id}")).status_code == 200
    # The meeting shows it to its people, with the page's first words.
    shown = (await cast.alex.api.get(f"{MEETINGS}/{meeting['id']}")).json()
    assert shown["minutes_page_id"] == page_id
    assert shown["minutes_preview"].startswith("时间：")
    # The Markdown field is closed once there is a page.
    refused = await cast.wangfang.api.put(f"{MEETINGS}/{meeting['id']}/minutes",
                                          json={"minutes": "旧写法"})
    assert (refused.status_code, error_code(refused)) == (409, "minutes_in_page")
    # The next meeting's minutes go under the same "会议纪要" page.
    second = await make_meeting(cast.liuyang, "渠道周会", attendee_ids=[cast.wangfang.id])
    other = (await _open_page(cast.liuyang, second["id"])).json()["minutes_page_id"]
    rows = await tree(cast.zhangwei, await space_id_of(cast, "华东区"))
    folders = [r for r in rows if r["title"] == "会议纪要"]
    assert len(folders) == 1
    assert {r["id"] for r in rows if r["parent_id"] == folders[0]["id"]} == {page_id, other}


async def test_minutes_taken_before_become_the_page(cast: Cast) -> None:
    meeting = await make_meeting(cast.lina, attendee_ids=[cast.zhangwei.id],
                                 department_ids=[cast.departments["客服部"]])
    path = f"{MEETINGS}/{meeting['id']}"
    written = "## 结论\n\n- [ ] @张伟 把报价单发给客户 12月10日\n"
    assert (await cast.zhangwei.api.put(f"{path}/minutes", json={"minutes": written})
            ).status_code == 200
    page_id = (await _open_page(cast.zhangwei, meeting["id"])).json()["minutes_page_id"]
    page = (await cast.wangfang.api.get(f"{PAGES}/{page_id}")).json()  # invited with 客服部
    assert page["level"] == "edit"
    assert page["markdown"].strip() == written.strip()
    assert page["space"]["id"] == await space_id_of(cast, "研发部")
    permissions = (await cast.lina.api.get(f"{PAGES}/{page_id}/permissions")).json()
    assert permissions["inherit"] is False
    assert {(g["subject"], g.get("user_id"), g.get("department_id"), g["level"])
            for g in permissions["grants"]} == {
        ("user", cast.lina.id, None, "edit"), ("user", cast.zhangwei.id, None, "edit"),
        ("user", cast.wangfang.id, None, "edit"),
        ("department", None, cast.departments["客服部"], "edit")}


async def test_extraction_reads_the_page_as_it_is_edited(cast: Cast, live_server: str) -> None:
    meeting = await make_meeting(cast.liuyang, "渠道周会",
                                 attendee_ids=[cast.wangfang.id, cast.zhangwei.id])
    path = f"{MEETINGS}/{meeting['id']}"
    page_id = (await _open_page(cast.wangfang, meeting["id"])).json()["minutes_page_id"]
    # The template alone proposes nothing.
    empty = await cast.liuyang.api.post(f"{path}/action-items/extract")
    assert (empty.status_code, empty.json()["added"]) == (200, 0)
    # 王芳 writes in the page, through the co-editing socket as the editor does.
    editor = await Editor.open(live_server, page_id, cast.wangfang.token)
    await editor.wait_synced()
    editor.type_paragraph("王芳负责下周三前完成渠道培训。")
    editor.type_paragraph("张伟月底前把新报价单发给客户。")
    owners: set[int | None] = set()
    for _ in range(50):
        extracted = await cast.liuyang.api.post(f"{path}/action-items/extract")
        assert extracted.status_code == 200, extracted.text
        owners = {i["owner_id"] for i in extracted.json()["items"]}
        if owners >= {cast.wangfang.id, cast.zhangwei.id}:
            break
        await asyncio.sleep(0.1)
    assert owners == {cast.wangfang.id, cast.zhangwei.id}
    await editor.close()
    # Read again after everyone left (from the stored page): nothing new.
    again = await cast.liuyang.api.post(f"{path}/action-items/extract")
    assert (again.json()["added"], len(again.json()["items"])) == (0, 2)
    # Only the organiser runs it; someone who is not there does not see the meeting.
    refused = await cast.wangfang.api.post(f"{path}/action-items/extract")
    assert (refused.status_code, error_code(refused)) == (403, "may_not_manage_action_items")
    assert (await cast.lina.api.post(f"{path}/action-items/extract")).status_code == 404


async def test_a_minutes_page_in_the_trash_is_said_so(cast: Cast) -> None:
    meeting = await make_meeting(cast.liuyang, attendee_ids=[cast.wangfang.id])
    page_id = (await _open_page(cast.liuyang, meeting["id"])).json()["minutes_page_id"]
    assert (await cast.wangfang.api.delete(f"{PAGES}/{page_id}")).status_code == 204
    refused = await cast.liuyang.api.post(f"{MEETINGS}/{meeting['id']}/action-items/extract")
    assert (refused.status_code, error_code(refused)) == (409, "minutes_page_unreadable")
    shown = (await cast.liuyang.api.get(f"{MEETINGS}/{meeting['id']}")).json()
    assert (shown["minutes_page_id"], shown["minutes_preview"]) == (page_id, None)
