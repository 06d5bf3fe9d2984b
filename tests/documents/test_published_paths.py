"""The documents and glossary rows of the published API contract (`../shared/API.md`), called
exactly as an outside client written against it calls them: `/api/v1/docs…` for pages, the
`entries` form of permissions, `/docs/{id}/sync` for co-editing with `?token=`, `POST
/spaces` with a `department_id`, and `/api/v1/glossary` for terms."""

from __future__ import annotations

import asyncio
import contextlib

import websockets
from pycrdt import Doc, create_sync_message

from tests.documents.helpers import SPACES, make_page, space_id_of
from tests.documents.yclient import Editor, collab_url, eventually
from tests.glossary.helpers import GLOSSARY
from tests.helpers import Cast, error_code

DOCS = "/api/v1/docs"


async def test_pages_are_made_read_and_versioned_under_docs(cast: Cast,
                                                             live_server: str) -> None:
    space = await space_id_of(cast, "研发部")
    made = await cast.lina.api.post(DOCS, json={"space_id": space, "title": "接口规范",
                                                "template": "requirements"})
    assert made.status_code == 201, made.text
    page = made.json()
    assert (page["title"], page["space_id"]) == ("接口规范", space)
    child = await cast.lina.api.post(DOCS, json={"space_id": space, "title": "错误码",
                                                 "parent_id": page["id"]})
    assert child.status_code == 201, child.text
    assert child.json()["parent_id"] == page["id"]

    shown = await cast.zhangwei.api.get(f"{DOCS}/{page['id']}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["id"] == page["id"]
    assert shown.json()["level"] == "view"

    # Its Markdown as people are editing it, before it is derived.
    editor = await Editor.open(live_server, page["id"], cast.lina.token)
    await editor.wait_synced()
    editor.type_paragraph("所有接口返回 JSON；错误见《错误码》。")
    await eventually(lambda: "错误码" in editor.text)
    for _ in range(100):
        text = await cast.zhangwei.api.get(f"{DOCS}/{page['id']}/text")
        if "所有接口返回 JSON" in text.text:
            break
        await asyncio.sleep(0.05)
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/markdown")
    assert "所有接口返回 JSON；错误见《错误码》。" in text.text

    saved = await cast.lina.api.post(f"/api/v1/pages/{page['id']}/versions",
                                     json={"name": "初稿"})
    assert saved.status_code == 201, saved.text
    editor.type_paragraph("第二稿加的一段")
    await eventually(lambda: "第二稿" in editor.text)
    listed = await cast.zhangwei.api.get(f"{DOCS}/{page['id']}/versions")
    assert listed.status_code == 200, listed.text
    assert saved.json()["id"] in [v["id"] for v in listed.json()["items"]]
    # A reader may not restore; an editor does, and the editor's replica follows.
    refused = await cast.zhangwei.api.post(
        f"{DOCS}/{page['id']}/versions/{saved.json()['id']}/restore")
    assert refused.status_code == 403, refused.text
    restored = await cast.lina.api.post(
        f"{DOCS}/{page['id']}/versions/{saved.json()['id']}/restore")
    assert restored.status_code == 201, restored.text
    await eventually(lambda: "第二稿" not in editor.text)
    await editor.close()

    # Someone outside the company's pages learns nothing of it.
    for path in (f"{DOCS}/{page['id']}", f"{DOCS}/{page['id']}/text",
                 f"{DOCS}/{page['id']}/versions"):
        hidden = await cast.alex.api.get(path)
        assert (hidden.status_code, error_code(hidden)) == (404, "not_found"), path


async def test_a_confidential_page_read_as_text_is_audited(cast: Cast) -> None:
    page = await make_page(cast.lina, await space_id_of(cast, "研发部"), "薪酬方案")
    marked = await cast.lina.api.patch(f"/api/v1/pages/{page['id']}",
                                       json={"classification": "confidential"})
    assert marked.status_code == 200, marked.text
    assert (await cast.zhangwei.api.get(f"{DOCS}/{page['id']}/text")).status_code == 200
    audit = (await cast.linxiaoyan.api.get("/api/v1/audit", params={"limit": 50})).json()
    viewed = [(e["actor_id"], e["target"]) for e in audit["items"]
              if e["action"] == "page.viewed"]
    assert viewed == [(cast.zhangwei.id, f"page:{page['id']}")]


async def test_permissions_take_the_contracts_entries(cast: Cast) -> None:
    page = await make_page(cast.lina, await space_id_of(cast, "研发部"), "路线图")
    path = f"{DOCS}/{page['id']}/permissions"
    entries = [{"user_id": cast.wangfang.id, "level": "comment"},
               {"department_id": cast.departments["销售部"], "level": "view"},
               {"user_id": cast.lina.id, "level": "manage"}]
    answer = await cast.lina.api.put(path, json={"entries": entries})
    assert answer.status_code == 200, answer.text
    assert answer.json()["inherit"] is False
    assert sorted((g["subject"], g["user_id"] or g["department_id"], g["level"])
                  for g in answer.json()["grants"]) == sorted([
        ("user", cast.wangfang.id, "comment"), ("department", cast.departments["销售部"], "view"),
        ("user", cast.lina.id, "manage")])
    assert (await cast.wangfang.api.get(f"{DOCS}/{page['id']}")).json()["level"] == "comment"
    # 研发部 no longer reaches it through the space; 销售部 does.
    assert (await cast.zhangwei.api.get(f"{DOCS}/{page['id']}")).status_code == 200

    everyone = await cast.lina.api.put(path, json={"entries": [
        {"everyone": True, "level": "view"}, {"user_id": cast.lina.id, "level": "manage"}]})
    assert everyone.status_code == 200, everyone.text
    assert (await cast.wangfang.api.get(f"{DOCS}/{page['id']}")).json()["level"] == "view"

    for bad in ([{"level": "view"}],
                [{"user_id": cast.wangfang.id, "everyone": True, "level": "view"}],
                [{"everyone": False, "level": "view"}],
                [{"user_id": cast.wangfang.id, "level": "owner"}],
                [{"user_id": cast.wangfang.id}]):
        refused = await cast.lina.api.put(path, json={"entries": bad})
        assert refused.status_code == 422, (bad, refused.text)
    assert (await cast.lina.api.put(path, json={"grants": []})).status_code == 422
    # A reader may not change who sees it; someone who cannot see it learns nothing.
    reader = await cast.wangfang.api.put(path, json={"entries": []})
    assert reader.status_code == 403, reader.text
    hidden = await cast.alex.api.put(path, json={"entries": []})
    assert hidden.status_code == 404, hidden.text
    assert (await cast.wangfang.api.get(f"{DOCS}/{page['id']}")).json()["level"] == "view"


async def test_the_sync_socket_speaks_y_websocket_with_a_token(cast: Cast,
                                                                live_server: str) -> None:
    page = await make_page(cast.lina, await space_id_of(cast, "研发部"), "同步")
    url = collab_url(live_server, page["id"], cast.lina.token, path="sync")
    assert f"/api/v1/docs/{page['id']}/sync?token=" in url
    writer = await Editor.connect(url)
    reader = await Editor.connect(
        collab_url(live_server, page["id"], cast.zhangwei.token, path="sync"))
    await writer.wait_synced()
    await reader.wait_synced()
    writer.type_paragraph("经由约定的路径写入")
    await eventually(lambda: "经由约定的路径写入" in reader.text)
    await writer.close()
    await reader.close()
    # No token, no page: closed with the reason.
    async with websockets.connect(live_server.replace("http://", "ws://")
                                  + f"/api/v1/docs/{page['id']}/sync") as raw:
        with contextlib.suppress(websockets.ConnectionClosed):
            await raw.send(create_sync_message(Doc()))
            await raw.recv()
        assert raw.close_code == 4401

async def test_a_space_for_a_department(cast: Cast) -> None:
    made = await cast.lina.api.post(SPACES, json={"name": "研发知识库",
                                                  "department_id": cast.departments["研发部"]})
    assert made.status_code == 201, made.text
    space = made.json()
    permissions = (await cast.lina.api.get(f"{SPACES}/{space['id']}/permissions")).json()
    assert sorted((g["subject"], g["department_id"], g["level"])
                  for g in permissions["grants"]) == [
        ("department", cast.departments["研发部"], "edit"), ("everyone", None, "view")]
    assert permissions["owner_ids"] == [cast.lina.id]
    for body in ({"name": "x", "department_id": 999_999},
                 {"name": "x", "department_id": cast.departments["研发部"], "grants": []},
                 {"name": "x", "department_id": "研发部"}):
        refused = await cast.lina.api.post(SPACES, json=body)
        assert refused.status_code == 422, (body, refused.text)


async def test_the_glossary_at_its_published_path(cast: Cast) -> None:
    made = await cast.lina.api.post(GLOSSARY, json={
        "term": "灰度发布", "definition": "先让一部分用户用上新版本。", "aliases": ["灰度"]})
    assert made.status_code == 201, made.text
    # Without a department_id it is the writer's own department's.
    assert made.json()["department"]["id"] == cast.departments["研发部"]
    named = await cast.zhangwei.api.post(GLOSSARY, json={
        "term": "回款", "definition": "客户付来的款。",
        "department_id": cast.departments["销售部"]})
    assert named.status_code == 201, named.text
    found = await cast.wangfang.api.get(GLOSSARY, params={"q": "灰度"})
    assert found.status_code == 200, found.text
    assert [t["term"] for t in found.json()["items"]] == ["灰度发布"]
    # A guest is in no department: they are told to name one (and may not write anyway).
    refused = await cast.alex.api.post(GLOSSARY, json={"term": "顾问", "definition": "x"})
    assert (refused.status_code, error_code(refused)) == (422, "term_department_required")
    # Someone outside 销售部 may not write its terms.
    other = await cast.lina.api.post(GLOSSARY, json={
        "term": "商机", "definition": "x", "department_id": cast.departments["销售部"]})
    assert (other.status_code, error_code(other)) == (403, "may_not_write_term")
