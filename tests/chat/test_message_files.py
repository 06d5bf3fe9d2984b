"""`GET /messages/{id}/files`: readers of a message learn what it carries before downloading."""

from __future__ import annotations

from tests.helpers import Cast, create_channel, error_code, post


async def test_readers_see_the_names_of_attached_files_and_outsiders_do_not(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "报价讨论", "private", cast.lina)
    uploaded = await cast.zhangwei.api.post(
        "/api/v1/files", files={"file": ("报价单 Q3.txt", b"price list\n", "text/plain")})
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
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
