"""Co-editing a page over its collab socket, with scripted Yjs peers (pycrdt): replicas
converge and the store agrees; who may only read receives but cannot write; hostile frames
change nothing; access taken away cuts the socket at once."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from pycrdt import Doc, write_var_uint
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select
from websockets.asyncio.client import ClientConnection

from tests.documents.helpers import PAGES, make_page, person_grant, set_page_grants, space_id_of
from tests.documents.yclient import Editor, collab_url, eventually
from tests.helpers import Cast
from xietong.app import WS_MAX_SIZE
from xietong.documents.collab import (
    CLOSE_BAD_MESSAGE,
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_TOO_BIG,
    MAX_UPDATE_BYTES,
    STEP2,
    SYNC,
    UPDATE,
    compact,
    rooms_of,
    stored_document,
    sync_message,
)
from xietong.documents.models import PageUpdate
from xietong.documents.ydoc import fragment_of, text_of
from xietong.policy.documents import Level
from xietong.runtime import Runtime


async def closed(raw: ClientConnection) -> None:
    """Read until the server closes the socket (what it sends before is of no interest)."""
    with contextlib.suppress(websockets.ConnectionClosed):
        while True:
            await asyncio.wait_for(raw.recv(), 10)


async def stored_text(runtime: Runtime, page_id: int) -> str:
    """The page as its stored updates make it."""
    async with runtime.reader() as uow:
        return text_of(await stored_document(uow, page_id))


async def update_count(runtime: Runtime, page_id: int, author_id: int | None = None) -> int:
    """The page's stored updates (`author_id`'s only, when given)."""
    statement = select(func.count()).select_from(PageUpdate).where(
        PageUpdate.page_id == page_id)
    if author_id is not None:
        statement = statement.where(PageUpdate.author_id == author_id)
    async with runtime.reader() as uow:
        return int(await uow.session.scalar(statement) or 0)


@pytest.fixture(autouse=True)
async def _rooms_settle(runtime: Runtime) -> AsyncIterator[None]:
    """The rooms' work under way (storing, deriving, folding) ends before the next test
    empties the tables under it."""
    yield
    await rooms_of(runtime).settle()


@pytest.fixture
async def page(cast: Cast) -> dict[str, Any]:
    """A blank page in 研发部's space: 研发部 edits it, the company reads it."""
    return await make_page(cast.lina, await space_id_of(cast, "研发部"), "接口设计")


async def test_two_editors_converge_and_a_latecomer_gets_everything(
        cast: Cast, page: dict[str, Any], live_server: str, runtime: Runtime) -> None:
    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    admin = await Editor.open(live_server, page["id"], cast.linxiaoyan.token)
    await lina.wait_synced()
    await admin.wait_synced()
    lina.type_paragraph("第一段：李娜写的")
    admin.type_paragraph("第二段：林晓燕写的 ✅")
    await eventually(lambda: lina.text == admin.text and "李娜" in admin.text
                     and "林晓燕" in lina.text)
    await lina.close()
    await admin.close()
    # Nobody is in the room any more; a newcomer gets it all from the store.
    later = await Editor.open(live_server, page["id"], cast.zhangwei.token)
    await later.wait_synced()
    await eventually(lambda: later.text == lina.text)
    await later.close()
    assert await stored_text(runtime, page["id"]) == lina.text
    # A second after the last change the page's text and Markdown are derived from it.
    async def derived() -> dict[str, Any]:
        answer: dict[str, Any] = (await cast.lina.api.get(f"{PAGES}/{page['id']}")).json()
        return answer
    for _ in range(100):
        shown = await derived()
        if "林晓燕" in shown["text"]:
            break
        await asyncio.sleep(0.1)
    assert "第一段：李娜写的" in shown["text"]
    assert "第二段：林晓燕写的 ✅" in shown["markdown"]


async def test_twenty_editors_typing_at_once_end_identical(
        cast: Cast, page: dict[str, Any], live_server: str, runtime: Runtime) -> None:
    editors = [await Editor.open(live_server, page["id"], cast.lina.token) for _ in range(20)]
    for editor in editors:
        await editor.wait_synced()
    for round_ in range(5):
        for number, editor in enumerate(editors):
            editor.type_paragraph(f"编辑{number}-第{round_}句")
        await asyncio.sleep(0)
    await eventually(lambda: all(e.text == editors[0].text for e in editors)
                     and editors[0].text.count("\n") == 99, timeout=30)
    lines = editors[0].text.split("\n")
    assert sorted(lines) == sorted(f"编辑{n}-第{r}句" for n in range(20) for r in range(5))
    for editor in editors:
        await editor.close()
    assert await stored_text(runtime, page["id"]) == editors[0].text
    # 200 updates were stored (a paragraph, then its words); the room folded them as it went.
    assert await update_count(runtime, page["id"]) < 200
    # Folding what is left into one changes nothing.
    async with runtime.unit_of_work() as uow:
        await compact(uow, page["id"])
    assert await update_count(runtime, page["id"]) == 1
    assert await stored_text(runtime, page["id"]) == editors[0].text


async def test_who_may_only_read_receives_changes_but_cannot_make_them(
        cast: Cast, page: dict[str, Any], live_server: str, runtime: Runtime) -> None:
    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    reader = await Editor.open(live_server, page["id"], cast.zhangwei.token)  # 销售部: view
    await lina.wait_synced()
    await reader.wait_synced()
    lina.type_paragraph("只有研发部能改")
    await eventually(lambda: "只有研发部能改" in reader.text)
    before = await update_count(runtime, page["id"])
    reader.type_paragraph("销售部想偷偷改")
    assert (await reader.wait_closed())[0] == CLOSE_FORBIDDEN
    await asyncio.sleep(0.2)
    assert "销售部想偷偷改" not in lina.text
    assert await update_count(runtime, page["id"]) == before
    await lina.close()


async def test_a_reader_reconnecting_with_a_page_that_had_deletions_stays(
        cast: Cast, page: dict[str, Any], live_server: str, runtime: Runtime) -> None:
    """Yjs answers sync step 1 with its whole delete set: a reader whose replica saw text
    deleted sends one on every reconnect, and is not taken for a writer. A delete set of a
    reader's own making is dropped, not applied."""
    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    reader = await Editor.open(live_server, page["id"], cast.zhangwei.token)  # 销售部: view
    await lina.wait_synced()
    await reader.wait_synced()
    lina.type_paragraph("草稿：待删除")
    lina.type_paragraph("定稿")
    await eventually(lambda: "定稿" in reader.text)
    del fragment_of(lina.doc).children[0]
    await eventually(lambda: "草稿" not in reader.text)

    reader = await reader.reconnect(live_server, page["id"], cast.zhangwei.token)
    await reader.wait_synced()
    lina.type_paragraph("重连后李娜又写了一段")
    await eventually(lambda: "重连后李娜又写了一段" in reader.text)
    assert reader.closed is None
    assert await update_count(runtime, page["id"], cast.zhangwei.id) == 0

    # Deletions alone, of what is in the page: dropped, the reader stays, the page is whole.
    forged: Doc[Any] = Doc()
    forged.apply_update(reader.doc.get_update())
    reader._sending = False
    del fragment_of(forged).children[0:len(fragment_of(forged).children)]
    only_deletions = forged.get_update(forged.get_state())
    await reader.send(sync_message(UPDATE, only_deletions))
    lina.type_paragraph("最后一段")
    await eventually(lambda: "最后一段" in reader.text)
    assert "定稿" in lina.text
    assert reader.closed is None
    assert await update_count(runtime, page["id"], cast.zhangwei.id) == 0
    assert "定稿" in await stored_text(runtime, page["id"])
    await reader.close()
    await lina.close()


async def test_hostile_frames_close_the_socket_and_change_nothing(
        cast: Cast, page: dict[str, Any], live_server: str, runtime: Runtime) -> None:
    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    await lina.wait_synced()
    lina.type_paragraph("原文")
    await eventually(lambda: "原文" in lina.text)
    await asyncio.sleep(0.2)
    before = await update_count(runtime, page["id"])
    good = lina.doc.get_update()
    hostile: list[tuple[bytes, int]] = [
        (sync_message(UPDATE, good[:len(good) // 2]), CLOSE_BAD_MESSAGE),  # a truncated update
        (sync_message(UPDATE, os.urandom(200)), CLOSE_BAD_MESSAGE),  # random bytes as an update
        (b"\x07" + os.urandom(300), CLOSE_BAD_MESSAGE),  # no message type we know
        (bytes([SYNC, UPDATE]) + write_var_uint(10_000) + b"short", CLOSE_BAD_MESSAGE),
        (sync_message(STEP2, b"\xff" * 20), CLOSE_BAD_MESSAGE),
        (sync_message(UPDATE, os.urandom(MAX_UPDATE_BYTES + 1)), CLOSE_TOO_BIG),  # over the limit
        (sync_message(UPDATE, os.urandom(WS_MAX_SIZE)), 1009),  # past what the socket takes at all
    ]
    for frame, code in hostile:
        async with websockets.connect(collab_url(live_server, page["id"], cast.lina.token),
                                      max_size=None) as raw:
            await raw.send(frame)
            await closed(raw)
            assert raw.close_code == code, (frame[:20], raw.close_code)
    # The room and the store are as they were; editing goes on.
    assert await update_count(runtime, page["id"]) == before
    lina.type_paragraph("之后")
    fresh = await Editor.open(live_server, page["id"], cast.linxiaoyan.token)
    await fresh.wait_synced()
    await eventually(lambda: fresh.text == "原文\n之后")
    await lina.close()
    await fresh.close()


async def test_the_socket_asks_who_you_are_and_what_you_may_see(
        cast: Cast, page: dict[str, Any], live_server: str) -> None:
    for token, code in (("not-a-token", 4401), (cast.alex.token, CLOSE_NOT_FOUND)):
        async with websockets.connect(collab_url(live_server, page["id"], token)) as raw:
            await closed(raw)
            assert raw.close_code == code
    async with websockets.connect(collab_url(live_server, 999_999, cast.lina.token)) as raw:
        await closed(raw)
        assert raw.close_code == CLOSE_NOT_FOUND


async def test_access_taken_away_cuts_the_socket_at_once(
        cast: Cast, page: dict[str, Any], live_server: str) -> None:
    # Only 李娜 and 张伟 (named) may read it now: the page's own grants.
    await set_page_grants(cast.lina, page["id"], [person_grant(cast.lina, "manage"),
                                                 person_grant(cast.zhangwei, "edit")])
    zhangwei = await Editor.open(live_server, page["id"], cast.zhangwei.token)
    await zhangwei.wait_synced()
    zhangwei.type_paragraph("张伟还能编辑")
    await set_page_grants(cast.lina, page["id"], [person_grant(cast.lina, "manage")])
    code, reason = await zhangwei.wait_closed(timeout=5)
    assert (code, reason) == (CLOSE_FORBIDDEN, "access_revoked")


async def test_a_page_from_a_template_starts_with_it_once(
        cast: Cast, live_server: str, runtime: Runtime) -> None:
    made = await make_page(cast.lina, await space_id_of(cast, "研发部"),
                           template="meeting_notes")
    first = await Editor.open(live_server, made["id"], cast.lina.token)
    await first.wait_synced()
    await eventually(lambda: bool(first.text))
    seeded = first.text
    assert seeded.strip()
    assert seeded.split("\n")[0] in made["markdown"]
    first.append_to_first("（已补充）")
    await eventually(lambda: "（已补充）" in first.text)
    await first.close()
    again = await Editor.open(live_server, made["id"], cast.linxiaoyan.token)
    await again.wait_synced()
    await eventually(lambda: "（已补充）" in again.text)
    assert again.text.count(seeded.split("\n")[0]) == 1  # never seeded twice
    await again.close()


async def test_versions_are_kept_compared_and_restored_while_people_edit(
        cast: Cast, page: dict[str, Any], live_server: str, runtime: Runtime) -> None:
    versions = f"{PAGES}/{page['id']}/versions"
    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    await lina.wait_synced()
    lina.type_paragraph("第一版：目标是十月上线")
    await lina.close()  # the last one out: the page's text is derived at once
    first = await cast.lina.api.post(versions, json={"name": "评审前"})
    assert first.status_code == 201, first.text
    assert first.json()["markdown"] == "第一版：目标是十月上线\n"
    # A reader may look but not save or restore.
    assert (await cast.zhangwei.api.get(versions)).status_code == 200
    assert (await cast.zhangwei.api.post(versions, json={"name": "我的"})).status_code == 403
    assert (await cast.alex.api.get(versions)).status_code == 404

    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    admin = await Editor.open(live_server, page["id"], cast.linxiaoyan.token)
    await lina.wait_synced()
    await admin.wait_synced()
    lina.append_to_first("，推迟到十一月")
    admin.type_paragraph("风险：接口未定")
    await eventually(lambda: lina.text == admin.text and "风险" in lina.text)
    # Each saw the other's change: the room holds both (the page's columns are derived only
    # a second later — the comparison is with the page as it is being edited).

    diff = (await cast.zhangwei.api.get(f"{versions}/{first.json()['id']}/diff")).json()
    assert [(line["op"], line["text"]) for line in diff["lines"] if line["op"] != "equal"] == [
        ("delete", "第一版：目标是十月上线"), ("insert", "第一版：目标是十月上线，推迟到十一月"),
        ("insert", ""), ("insert", "风险：接口未定")]

    # Restored while both are still editing: they receive it as any other change.
    restored = await cast.lina.api.post(f"{versions}/{first.json()['id']}/restore")
    assert restored.status_code == 201, restored.text
    assert restored.json()["kind"] == "restored"
    await eventually(lambda: lina.text == admin.text == "第一版：目标是十月上线")
    # Nothing lost: the page as it was before the restore is a version too.
    listed = (await cast.lina.api.get(versions)).json()["items"]
    kinds = [v["kind"] for v in listed]
    assert kinds[:2] == ["restored", "auto"]
    assert "named" in kinds
    before_restore = (await cast.lina.api.get(f"{versions}/{listed[1]['id']}")).json()
    assert "风险：接口未定" in before_restore["text"]
    assert (await cast.zhangwei.api.post(
        f"{versions}/{first.json()['id']}/restore")).status_code == 403
    assert (await cast.lina.api.get(f"{versions}/999999")).status_code == 404
    await lina.close()
    await admin.close()
    assert await stored_text(runtime, page["id"]) == "第一版：目标是十月上线"


async def test_a_version_restored_with_nobody_editing_changes_the_stored_page(
        cast: Cast, page: dict[str, Any], live_server: str, runtime: Runtime) -> None:
    versions = f"{PAGES}/{page['id']}/versions"
    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    await lina.wait_synced()
    lina.type_paragraph("初版")
    await lina.close()
    await rooms_of(runtime).settle()
    first = (await cast.lina.api.post(versions, json={"name": "初版"})).json()
    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    await lina.wait_synced()
    lina.append_to_first("，后来改了")
    await lina.close()
    await rooms_of(runtime).settle()
    assert await stored_text(runtime, page["id"]) == "初版，后来改了"
    # Nobody has the page open: the change is made on the stored document.
    restored = await cast.lina.api.post(f"{versions}/{first['id']}/restore")
    assert restored.status_code == 201, restored.text
    assert await stored_text(runtime, page["id"]) == "初版"
    shown = (await cast.lina.api.get(f"{PAGES}/{page['id']}")).json()
    assert shown["text"] == "初版"
    later = await Editor.open(live_server, page["id"], cast.zhangwei.token)
    await later.wait_synced()
    await eventually(lambda: later.text == "初版")
    await later.close()


async def test_archiving_the_space_makes_its_editors_readers_at_once(
        cast: Cast, page: dict[str, Any], live_server: str, runtime: Runtime) -> None:
    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    await lina.wait_synced()
    lina.type_paragraph("归档之前")
    await eventually(lambda: "归档之前" in lina.text)
    await rooms_of(runtime).settle()
    archived = await cast.linxiaoyan.api.patch(f"/api/v1/spaces/{page['space_id']}",
                                               json={"archived": True})
    assert archived.status_code == 200, archived.text
    # The space's change reaches the node's rooms, which ask again: 李娜 only reads now.
    room = rooms_of(runtime).rooms[page["id"]]
    await eventually(lambda: bool(room.peers)
                     and all(peer.level < Level.EDIT for peer in room.peers))
    before = await update_count(runtime, page["id"])
    lina.type_paragraph("归档之后")
    assert (await lina.wait_closed())[0] == CLOSE_FORBIDDEN
    assert await update_count(runtime, page["id"]) == before
    assert await stored_text(runtime, page["id"]) == "归档之前"


async def test_opening_a_page_with_history_writes_nothing(
        cast: Cast, page: dict[str, Any], live_server: str, runtime: Runtime) -> None:
    lina = await Editor.open(live_server, page["id"], cast.lina.token)
    await lina.wait_synced()
    lina.type_paragraph("已有内容")
    await lina.close()
    for _ in range(100):  # the last one out: the page's text derived, the room let go
        if (await cast.lina.api.get(f"{PAGES}/{page['id']}")).json()["text"] == "已有内容":
            break
        await asyncio.sleep(0.05)
    await rooms_of(runtime).settle()
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(" ".join(statement.split()))

    engine = runtime.engine.sync_engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", record)
    try:
        reader = await Editor.open(live_server, page["id"], cast.zhangwei.token)
        await reader.wait_synced()
        await eventually(lambda: reader.text == "已有内容")
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", record)
    # No write of the page's (no INSERT, UPDATE or DELETE, no PostgreSQL lock), and no write
    # transaction but signing in's, which may note when the token was last used.
    writes = [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))
              or "pg_advisory_xact_lock" in s]
    assert all("auth_tokens" in s for s in writes), writes
    assert seen.count("BEGIN IMMEDIATE") <= len(writes)  # SQLite says BEGIN; PostgreSQL not
    await reader.close()
