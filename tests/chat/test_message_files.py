"""`GET /messages/{id}/files`: readers of a message learn what it carries before downloading."""

from __future__ import annotations

from tests.helpers import Cast, Person, anonymous_client, create_channel, error_code, post


async def _upload(person: Person, name: str, body: bytes) -> int:
    response = await person.api.post("/api/v1/files",
                                     files={"file": (name, body, "text/plain")})
    assert response.status_code == 201, response.text
    file_id: int = response.json()["id"]
    return file_id


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
