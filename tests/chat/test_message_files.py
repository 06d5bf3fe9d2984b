"""What a message carries: its `files` (an image's size with them) and `GET /messages/{id}/files`;
readers learn it before downloading anything."""

from __future__ import annotations

from tests.files.images import solid_png
from tests.helpers import (
    Cast,
    Person,
    anonymous_client,
    create_channel,
    error_code,
    post,
    statements,
    upload,
)
from xietong.runtime import Runtime


async def _upload(person: Person, name: str, body: bytes) -> int:
    file_id: int = (await upload(person, name, body, "text/plain"))["id"]
    return file_id


async def _upload_image(person: Person, name: str, width: int, height: int) -> int:
    stored = await upload(person, name, solid_png(width, height), "image/png")
    assert (stored["width"], stored["height"]) == (width, height)
    file_id: int = stored["id"]
    return file_id


async def test_a_message_carries_its_files_with_image_sizes(cast: Cast) -> None:
    """The message itself describes its files (name, type, size, an image's width and
    height), wherever it is answered: a client lays the image's box out before it loads."""
    channel_id = await create_channel(cast.zhangwei, "设计稿", "private", cast.lina)
    photo = await _upload_image(cast.zhangwei, "首页 设计稿.png", 1200, 900)
    sheet = await _upload(cast.zhangwei, "说明.txt", b"notes\n")
    sent = await post(cast.zhangwei, channel_id, "新版首页", file_ids=[photo, sheet])

    def described(message: dict[str, object]) -> list[tuple[object, ...]]:
        files = message["files"]
        assert isinstance(files, list)
        return [(f["id"], f["name"], f["content_type"], f["width"], f["height"],
                 f["has_thumbnail"]) for f in files]

    expected = [(photo, "首页 设计稿.png", "image/png", 1200, 900, True),
                (sheet, "说明.txt", "text/plain", None, None, False)]
    assert described(sent) == expected
    page = (await cast.lina.api.get(f"/api/v1/channels/{channel_id}/messages")).json()
    assert described(page["items"][-1]) == expected
    one = (await cast.lina.api.get(f"/api/v1/messages/{sent['id']}")).json()
    assert described(one) == expected
    # A retry answers the first message, files and all.
    again = await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/messages", json={
        "text": "新版首页", "file_ids": [photo], "client_msg_id": "retry-1"})
    retried = await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/messages", json={
        "text": "新版首页", "file_ids": [photo], "client_msg_id": "retry-1"})
    assert retried.status_code == 200
    assert described(retried.json()) == described(again.json()) == expected[:1]
    # Deleted, it carries nothing.
    assert (await cast.zhangwei.api.delete(f"/api/v1/messages/{sent['id']}")).status_code == 204
    gone = (await cast.lina.api.get(f"/api/v1/messages/{sent['id']}")).json()
    assert gone["files"] == []
    assert gone["file_ids"] == []


async def test_a_page_of_messages_reads_their_files_in_one_query(cast: Cast,
                                                                 runtime: Runtime) -> None:
    channel_id = await create_channel(cast.zhangwei, "相册", "private", cast.lina)
    for n in range(6):
        image = await _upload_image(cast.zhangwei, f"照片{n}.png", 40 + n, 30)
        await post(cast.zhangwei, channel_id, f"第 {n} 张", file_ids=[image])
    path = f"/api/v1/channels/{channel_id}/messages"
    assert (await cast.lina.api.get(path)).status_code == 200  # the token is remembered now
    with statements(runtime) as seen:
        page = (await cast.lina.api.get(path)).json()
    assert [f["width"] for m in page["items"] for f in m["files"]] == [40, 41, 42, 43, 44, 45]
    assert sum(" files" in s for s in seen) == 1, seen


async def test_readers_see_the_names_of_attached_files_and_outsiders_do_not(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "报价讨论", "private", cast.lina)
    file_id = await _upload(cast.zhangwei, "报价单 Q3.txt", b"price list\n")
    message = await post(cast.zhangwei, channel_id, "见附件", file_ids=[file_id])

    response = await cast.lina.api.get(f"/api/v1/messages/{message['id']}/files")
    assert response.status_code == 200, response.text
    [described] = response.json()
    assert described["id"] == file_id
    assert described["name"] == "报价单 Q3.txt"
    assert described["size"] == len(b"price list\n")

    outsider = await cast.wangfang.api.get(f"/api/v1/messages/{message['id']}/files")
    # A non-member learns nothing, not even that the message exists.
    assert outsider.status_code == 404
    assert error_code(outsider) == "not_found"
    missing = await cast.lina.api.get("/api/v1/messages/2147483000/files")
    assert missing.status_code == 404


async def test_a_message_without_files_lists_none(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "闲聊", "private", cast.lina)
    message = await post(cast.zhangwei, channel_id, "你好")
    response = await cast.lina.api.get(f"/api/v1/messages/{message['id']}/files")
    assert response.status_code == 200
    assert response.json() == []


async def test_public_channel_files_follow_who_may_read_it(cast: Cast) -> None:
    """In a public channel any employee may look (as they may read it); a guest who was not
    invited may not; a deleted message carries nothing any more; order is the message's."""
    channel_id = await create_channel(cast.zhangwei, "全员公告区", "public")
    second = await _upload(cast.zhangwei, "b-议程.txt", b"agenda\n")
    first = await _upload(cast.zhangwei, "a-纪要.txt", b"minutes\n")
    message = await post(cast.zhangwei, channel_id, "两个附件", file_ids=[second, first])
    path = f"/api/v1/messages/{message['id']}/files"

    visitor = await cast.wangfang.api.get(path)
    assert visitor.status_code == 200, visitor.text
    assert [f["id"] for f in visitor.json()] == [second, first]

    guest = await cast.alex.api.get(path)
    assert guest.status_code == 404
    assert error_code(guest) == "not_found"
    async with anonymous_client(cast.client) as nobody:
        assert (await nobody.get(path)).status_code == 401

    deleted = await cast.zhangwei.api.delete(f"/api/v1/messages/{message['id']}")
    assert deleted.status_code == 204
    after = await cast.wangfang.api.get(path)
    assert after.status_code == 200
    assert after.json() == []


async def test_bad_message_ids_are_refused_clearly(cast: Cast) -> None:
    for bad in ("0", "-1", "abc", str(2**63)):
        response = await cast.lina.api.get(f"/api/v1/messages/{bad}/files")
        assert response.status_code == 422, (bad, response.text)
        assert error_code(response) == "invalid"
