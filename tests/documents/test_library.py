"""A space's file library: files kept in a space with their versions (a new version keeps
the old ones, an old one brought back is a new version), renamed, put in the trash and back;
who may do what by their level in the space (readers list and download, editors add and
rename, managers delete; anyone who does not read the space gets 404); a library file's
uploads downloadable through `/files/{id}` by the space's readers only; names checked; the
changes heard live by the space's readers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api_inputs import Unchanged
from tests.documents.helpers import (
    API,
    SPACES,
    make_page,
    make_space,
    person_grant,
    set_page_grants,
)
from tests.files.images import solid_png
from tests.helpers import Cast, Person, error_code, upload
from tests.realtime.wsclient import Socket

FILES = f"{API}/library-files"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
async def space(cast: Cast) -> dict[str, Any]:
    """李娜's shared space 产品资料: 张伟 reads it, 王芳 comments, 刘洋 edits; the company and
    the guest Alex have nothing (and 赵敏 of 研发部 neither)."""
    await cast.add_person("zhaomin", "赵敏", departments=("研发部",))
    return await make_space(cast.lina, "产品资料", grants=[
        person_grant(cast.zhangwei, "view"), person_grant(cast.wangfang, "comment"),
        person_grant(cast.liuyang, "edit")])


async def add(person: Person, space_id: int, upload_name: str = "报价单.xlsx",
              data: bytes = b"v1 bytes", **body: Any) -> httpx.Response:
    """`person` uploads `data` (as `upload_name`) and adds it to the space's library."""
    stored = await upload(person, upload_name, data)
    return await person.api.post(f"{SPACES}/{space_id}/files",
                                 json={"file_id": stored["id"], **body})


async def added(person: Person, space_id: int, upload_name: str = "报价单.xlsx",
                data: bytes = b"v1 bytes", **body: Any) -> dict[str, Any]:
    response = await add(person, space_id, upload_name, data, **body)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def new_version(person: Person, item_id: int, data: bytes, name: str = "报价单.xlsx",
                      **body: Any) -> httpx.Response:
    stored = await upload(person, name, data)
    return await person.api.post(f"{FILES}/{item_id}/versions",
                                 json={"file_id": stored["id"], **body})


async def listed(person: Person, space_id: int, **params: Any) -> list[str]:
    response = await person.api.get(f"{SPACES}/{space_id}/files", params=params)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


async def download(person: Person, file_id: int) -> httpx.Response:
    return await person.api.get(f"{API}/files/{file_id}")


# --- versions ------------------------------------------------------------------------------

async def test_versions_are_kept_and_an_old_one_comes_back_as_the_newest(
        cast: Cast, space: dict[str, Any]) -> None:
    first = await added(cast.lina, space["id"], data=b"first price list",
                        description="华东区 2025 年报价", note="初版")
    assert (first["name"], first["version"], first["description"]) == (
        "报价单.xlsx", 1, "华东区 2025 年报价")
    assert [(v["number"], v["note"], v["created_by"]) for v in first["versions"]] == [
        (1, "初版", cast.lina.id)]
    # 刘洋 edits: his own upload becomes version 2; version 1 stays downloadable.
    second = await new_version(cast.liuyang, first["id"], b"second price list", note="调价")
    assert second.status_code == 201, second.text
    body = second.json()
    assert (body["version"], body["file"]["id"]) == (2, body["versions"][0]["file"]["id"])
    assert body["updated_by"] == cast.liuyang.id
    assert [(v["number"], v["note"], v["created_by"]) for v in body["versions"]] == [
        (2, "调价", cast.liuyang.id), (1, "初版", cast.lina.id)]
    v1, v2 = body["versions"][1]["file"]["id"], body["versions"][0]["file"]["id"]
    for reader in (cast.zhangwei, cast.wangfang, cast.liuyang):
        assert (await download(reader, v1)).content == b"first price list"
        assert (await download(reader, v2)).content == b"second price list"
    # Version 1 back on top: a version of its own, naming the one it restores.
    restored = await cast.liuyang.api.post(f"{FILES}/{first['id']}/versions/1/restore",
                                           json={"note": "按旧价执行"})
    assert restored.status_code == 201, restored.text
    body = restored.json()
    assert (body["version"], body["file"]["id"]) == (3, v1)
    assert [(v["number"], v["file"]["id"], v["restored_from"]) for v in body["versions"]] == [
        (3, v1, 1), (2, v2, None), (1, v1, None)]
    assert (await cast.zhangwei.api.get(f"{FILES}/{first['id']}")).json() == body
    # The newest cannot be restored onto itself; a version that never was does not exist.
    again = await cast.liuyang.api.post(f"{FILES}/{first['id']}/versions/3/restore", json={})
    assert (again.status_code, error_code(again)) == (409, "version_is_newest")
    never = await cast.liuyang.api.post(f"{FILES}/{first['id']}/versions/9/restore", json={})
    assert never.status_code == 404


async def test_only_ones_own_upload_is_added(cast: Cast, space: dict[str, Any],
                                             unchanged: Unchanged) -> None:
    others = await upload(cast.lina, "底价.xlsx", b"secret floor prices")
    item = await added(cast.liuyang, space["id"])
    async with unchanged:
        # 刘洋 guessed 李娜's upload: adding it would hand it to the space's readers.
        for response in (
                await cast.liuyang.api.post(f"{SPACES}/{space['id']}/files",
                                            json={"file_id": others["id"]}),
                await cast.liuyang.api.post(f"{FILES}/{item['id']}/versions",
                                            json={"file_id": others["id"]}),
                await cast.liuyang.api.post(f"{SPACES}/{space['id']}/files",
                                            json={"file_id": 999_999})):
            assert (response.status_code, error_code(response)) == (422, "not_your_upload")
    assert (await download(cast.zhangwei, others["id"])).status_code == 404


async def test_rename_and_describe(cast: Cast, space: dict[str, Any]) -> None:
    item = await added(cast.liuyang, space["id"], "draft.docx")
    renamed = await cast.liuyang.api.patch(f"{FILES}/{item['id']}", json={
        "name": "  产品路线图 2025.docx ", "description": "第三季度版本"})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["description"]) == (
        "产品路线图 2025.docx", "第三季度版本")
    # The upload keeps its own name; the library's is what the list shows.
    assert renamed.json()["file"]["name"] == "draft.docx"
    assert await listed(cast.zhangwei, space["id"]) == ["产品路线图 2025.docx"]
    null = await cast.liuyang.api.patch(f"{FILES}/{item['id']}", json={"name": None})
    assert (null.status_code, error_code(null)) == (422, "null_setting")


async def test_the_list_is_in_pinyin_order_and_paged(cast: Cast, space: dict[str, Any]) -> None:
    for name in ("张三的方案.pdf", "Beta 测试.txt", "阿里合同.docx", "陈述.pptx", "zoo.png"):
        await added(cast.liuyang, space["id"], name)
    assert await listed(cast.zhangwei, space["id"]) == [
        "阿里合同.docx", "Beta 测试.txt", "陈述.pptx", "张三的方案.pdf", "zoo.png"]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await cast.zhangwei.api.get(f"{SPACES}/{space['id']}/files",
                                            params=params)).json()
        seen += [item["name"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == await listed(cast.zhangwei, space["id"])
    bad = await cast.zhangwei.api.get(f"{SPACES}/{space['id']}/files",
                                      params={"cursor": "not-a-cursor"})
    assert (bad.status_code, error_code(bad)) == (400, "bad_cursor")


# --- trash ---------------------------------------------------------------------------------

async def test_the_trash_takes_a_file_from_its_readers_and_gives_it_back(
        cast: Cast, space: dict[str, Any]) -> None:
    item = await added(cast.liuyang, space["id"], data=b"roadmap")
    file_id = item["file"]["id"]
    assert (await cast.lina.api.delete(f"{FILES}/{item['id']}")).status_code == 204
    assert await listed(cast.zhangwei, space["id"]) == []
    assert (await cast.zhangwei.api.get(f"{FILES}/{item['id']}")).status_code == 404
    assert (await download(cast.zhangwei, file_id)).status_code == 404
    # Its uploader keeps his own upload; the managers see the trash, the others may not.
    assert (await download(cast.liuyang, file_id)).status_code == 200
    assert await listed(cast.lina, space["id"], trash="true") == ["报价单.xlsx"]
    refused = await cast.liuyang.api.get(f"{SPACES}/{space['id']}/files",
                                         params={"trash": "true"})
    assert (refused.status_code, error_code(refused)) == (403, "library_level_too_low")
    no = await cast.liuyang.api.post(f"{FILES}/{item['id']}/restore")
    assert (no.status_code, error_code(no)) == (403, "library_level_too_low")
    back = await cast.lina.api.post(f"{FILES}/{item['id']}/restore")
    assert back.status_code == 200, back.text
    assert back.json()["deleted"] is False
    assert (await download(cast.zhangwei, file_id)).content == b"roadmap"
    # Only what is in the trash comes back from it.
    twice = await cast.lina.api.post(f"{FILES}/{item['id']}/restore")
    assert twice.status_code == 404


# --- permissions ---------------------------------------------------------------------------

async def test_each_level_does_what_it_may(cast: Cast, space: dict[str, Any],
                                           unchanged: Unchanged) -> None:
    item = await added(cast.liuyang, space["id"])
    version = item["file"]["id"]
    for reader in (cast.zhangwei, cast.wangfang):  # view, comment
        assert await listed(reader, space["id"]) == ["报价单.xlsx"]
        assert (await reader.api.get(f"{FILES}/{item['id']}")).status_code == 200
        assert (await download(reader, version)).status_code == 200
        theirs = await upload(reader, "mine.txt", b"mine")
        async with unchanged:
            for response in (
                    await reader.api.post(f"{SPACES}/{space['id']}/files",
                                          json={"file_id": theirs["id"]}),
                    await reader.api.post(f"{FILES}/{item['id']}/versions",
                                          json={"file_id": theirs["id"]}),
                    await reader.api.post(f"{FILES}/{item['id']}/versions/1/restore", json={}),
                    await reader.api.patch(f"{FILES}/{item['id']}", json={"name": "x.txt"}),
                    await reader.api.delete(f"{FILES}/{item['id']}")):
                assert (response.status_code, error_code(response)) == (
                    403, "library_level_too_low"), response.text
    # An editor adds and renames but does not delete.
    async with unchanged:
        refused = await cast.liuyang.api.delete(f"{FILES}/{item['id']}")
        assert (refused.status_code, error_code(refused)) == (403, "library_level_too_low")
    # The space's owner and the administrators manage it.
    assert (await cast.linxiaoyan.api.delete(f"{FILES}/{item['id']}")).status_code == 204


async def test_outsiders_are_told_nothing_exists(cast: Cast, space: dict[str, Any],
                                                 unchanged: Unchanged) -> None:
    item = await added(cast.liuyang, space["id"], "photo.png", solid_png(64, 48))
    version = item["file"]["id"]
    # 李娜 lets the guest see one page of the space: he sees the space through it, not its
    # files.
    page = await make_page(cast.lina, space["id"], "给顾问的说明")
    await set_page_grants(cast.lina, page["id"], [person_grant(cast.alex, "view")])
    for outsider in (cast.zhaomin, cast.alex):
        theirs = await upload(outsider, "mine.txt", b"mine")
        async with unchanged:
            for response in (
                    await outsider.api.get(f"{SPACES}/{space['id']}/files"),
                    await outsider.api.post(f"{SPACES}/{space['id']}/files",
                                            json={"file_id": theirs["id"]}),
                    await outsider.api.get(f"{FILES}/{item['id']}"),
                    await outsider.api.patch(f"{FILES}/{item['id']}", json={"name": "x"}),
                    await outsider.api.post(f"{FILES}/{item['id']}/versions",
                                            json={"file_id": theirs["id"]}),
                    await outsider.api.post(f"{FILES}/{item['id']}/versions/1/restore",
                                            json={}),
                    await outsider.api.delete(f"{FILES}/{item['id']}"),
                    await outsider.api.post(f"{FILES}/{item['id']}/restore"),
                    await download(outsider, version),
                    await outsider.api.get(f"{API}/files/{version}/thumbnail")):
                assert (response.status_code, error_code(response)) == (404, "not_found"), (
                    outsider.username, response.request.url, response.text)
    # Granted the space, 赵敏 reads its files at once.
    granted = await cast.lina.api.put(f"{SPACES}/{space['id']}/permissions", json={"grants": [
        person_grant(cast.zhangwei, "view"), person_grant(cast.zhaomin, "view")]})
    assert granted.status_code == 200, granted.text
    assert (await download(cast.zhaomin, version)).status_code == 200
    assert (await cast.zhaomin.api.get(f"{API}/files/{version}/thumbnail")).status_code == 200
    # ... and 刘洋, no longer granted, neither reads nor changes them (his own upload stays his).
    assert (await cast.liuyang.api.get(f"{FILES}/{item['id']}")).status_code == 404
    assert (await download(cast.liuyang, version)).status_code == 200


async def test_an_archived_space_keeps_its_files_read_only(cast: Cast,
                                                          space: dict[str, Any]) -> None:
    item = await added(cast.liuyang, space["id"])
    archived = await cast.lina.api.patch(f"{SPACES}/{space['id']}", json={"archived": True})
    assert archived.status_code == 200, archived.text
    assert await listed(cast.zhangwei, space["id"]) == ["报价单.xlsx"]
    assert (await download(cast.zhangwei, item["file"]["id"])).status_code == 200
    for response in (await add(cast.liuyang, space["id"]),
                     await new_version(cast.liuyang, item["id"], b"v2"),
                     await cast.lina.api.delete(f"{FILES}/{item['id']}")):
        assert (response.status_code, error_code(response)) == (409, "space_archived")


# --- names and previews --------------------------------------------------------------------

async def test_names(cast: Cast, space: dict[str, Any], unchanged: Unchanged) -> None:
    # The upload's own name unless another is given, Unicode kept as written (NFC).
    kept = await added(cast.liuyang, space["id"], "王芳 🌸 方案 e\u0301.pdf", PDF)
    assert kept["name"] == "王芳 🌸 方案 \u00e9.pdf"
    named = await added(cast.liuyang, space["id"], "scan0001.pdf", PDF, name="合同（盖章版）.pdf")
    assert (named["name"], named["file"]["name"]) == ("合同（盖章版）.pdf", "scan0001.pdf")
    longest = await added(cast.liuyang, space["id"], name="长" * 251 + ".pdf")
    assert len(longest["name"]) == 255
    stored = await upload(cast.liuyang, "a.txt", b"a")
    async with unchanged:
        for name, problem in (("", "blank"), ("   ", "blank"), ("长" * 256, "string_too_long"),
                              ("a\u202eexe.txt", "bidi_control"),
                              ("zero\u200bwidth.txt", "invisible_characters")):
            response = await cast.liuyang.api.post(f"{SPACES}/{space['id']}/files", json={
                "file_id": stored["id"], "name": name})
            assert response.status_code == 422, (name, response.text)
            assert problem in response.text, (name, response.text)
        for body in ({"file_id": stored["id"], "note": "x" * 201},
                     {"file_id": stored["id"], "description": "x" * 2001},
                     {"file_id": "1"}, {"file_id": 0}, {}, {"file_id": stored["id"], "x": 1}):
            response = await cast.liuyang.api.post(f"{SPACES}/{space['id']}/files", json=body)
            assert response.status_code == 422, (body, response.text)
        control = await cast.liuyang.api.post(f"{SPACES}/{space['id']}/files", json={
            "file_id": stored["id"], "name": "a\x00b"})
        assert (control.status_code, error_code(control)) == (422, "control_characters")


async def test_pdfs_and_images_are_shown_other_files_downloaded(cast: Cast,
                                                                space: dict[str, Any]) -> None:
    pdf = await added(cast.liuyang, space["id"], "说明书.pdf", PDF)
    png = await added(cast.liuyang, space["id"], "截图.png", solid_png(64, 48))
    svg = await added(cast.liuyang, space["id"], "logo.svg",
                      b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert (pdf["file"]["content_type"], png["file"]["content_type"],
            svg["file"]["content_type"]) == ("application/pdf", "image/png", "text/plain")
    assert png["file"]["has_thumbnail"] is True
    for item, disposition in ((pdf, "inline;"), (png, "inline;"), (svg, "attachment;")):
        response = await download(cast.zhangwei, item["file"]["id"])
        assert response.headers["content-disposition"].startswith(disposition)
        # Whatever the browser shows runs no script and loads nothing; only our own pages
        # may frame it (the preview).
        [policy] = response.headers.get_list("content-security-policy")
        assert policy.startswith("sandbox;")
        assert "default-src 'none'" in policy
        assert "frame-ancestors 'self'" in policy
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
        assert response.headers["x-content-type-options"] == "nosniff"
    # The pages of the app itself are framed by nobody.
    page = await cast.zhangwei.api.get(f"{SPACES}/{space['id']}/files")
    assert page.headers["x-frame-options"] == "DENY"


# --- live ----------------------------------------------------------------------------------

async def test_changes_reach_the_spaces_readers(cast: Cast, space: dict[str, Any],
                                                live_server: str) -> None:
    names = ("lina", "zhangwei", "liuyang", "zhaomin", "alex")
    sockets = {name: await Socket.open(live_server, cast.people[name].token) for name in names}
    try:
        item = await added(cast.liuyang, space["id"])
        await new_version(cast.liuyang, item["id"], b"v2")
        fetched = (await cast.lina.api.get(f"{FILES}/{item['id']}")).json()
        for name in ("lina", "zhangwei", "liuyang"):
            for change in ("created", "version_added"):
                frame = await sockets[name].wait_for("library_file.changed", change=change)
                assert frame["scope"] == f"space:{space['id']}"
            shown = frame["data"]["library_file"]
            assert shown == {k: fetched[k] for k in shown}
        for name in ("zhaomin", "alex"):
            await sockets[name].quiet(0.3)
            assert [f for f in sockets[name].events
                    if f["type"] == "library_file.changed"] == []
    finally:
        for socket in sockets.values():
            await socket.close()
