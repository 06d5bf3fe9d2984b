"""A project's channel follows the project: renamed with it (its members hear
`channel.updated`), archived with it (read-only), brought back with it — with whoever joined
the project meanwhile."""

from __future__ import annotations

from typing import Any

from tests.helpers import Cast, Person, error_code
from tests.projects.helpers import PROJECTS, make_project
from tests.projects.test_project_events import frames
from tests.realtime.wsclient import Socket

CHANNELS = "/api/v1/channels"


async def channel(person: Person, channel_id: int) -> dict[str, Any]:
    response = await person.api.get(f"{CHANNELS}/{channel_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def say(person: Person, channel_id: int, text: str) -> int:
    response = await person.api.post(f"{CHANNELS}/{channel_id}/messages", json={"text": text})
    return response.status_code


async def members(person: Person, channel_id: int) -> set[int]:
    items = (await person.api.get(f"{CHANNELS}/{channel_id}/members")).json()["items"]
    return {m["user_id"] for m in items}


async def test_renaming_a_project_renames_its_channel(cast: Cast, live_server: str) -> None:
    project = await make_project(cast.lina, "新品上市", member_ids=[cast.zhangwei.id])
    channel_id = project["channel_id"]
    watching = await Socket.open(live_server, cast.zhangwei.token)
    outsider = await Socket.open(live_server, cast.liuyang.token)
    try:
        response = await cast.lina.api.patch(f"{PROJECTS}/{project['id']}",
                                             json={"name": "春季新品上市"})
        assert response.status_code == 200, response.text
        [frame] = await frames(watching, "channel.updated", 1)
        assert frame["data"]["channel"]["id"] == channel_id
        assert frame["data"]["channel"]["name"] == "春季新品上市"
        assert (await channel(cast.zhangwei, channel_id))["name"] == "春季新品上市"
        heard = [f for f in [*outsider.events, *await outsider.quiet(0.3)]
                 if f["type"] == "channel.updated"]
        assert heard == []
    finally:
        await watching.close()
        await outsider.close()
    # A description or visibility change leaves the channel's name as it is.
    await cast.lina.api.patch(f"{PROJECTS}/{project['id']}", json={"visibility": "company"})
    assert (await channel(cast.lina, channel_id))["name"] == "春季新品上市"


async def test_archiving_a_project_makes_its_channel_read_only_until_it_is_back(
        cast: Cast) -> None:
    project = await make_project(cast.lina, "年会筹备", member_ids=[cast.zhangwei.id])
    channel_id = project["channel_id"]
    assert await say(cast.zhangwei, channel_id, "场地定了吗？") == 201
    response = await cast.lina.api.patch(f"{PROJECTS}/{project['id']}",
                                          json={"archived": True})
    assert response.status_code == 200, response.text
    assert (await channel(cast.zhangwei, channel_id))["archived"] is True
    response = await cast.zhangwei.api.post(f"{CHANNELS}/{channel_id}/messages",
                                            json={"text": "还能说话吗"})
    assert (response.status_code, error_code(response)) == (403, "channel_archived")
    # The history stays readable.
    texts = [m["text"] for m in (await cast.zhangwei.api.get(
        f"{CHANNELS}/{channel_id}/messages")).json()["items"]]
    assert "场地定了吗？" in texts
    # 王芳 joins the archived project: she is in its channel once it is back.
    await cast.lina.api.post(f"{PROJECTS}/{project['id']}/members",
                             json={"user_ids": [cast.wangfang.id]})
    response = await cast.lina.api.patch(f"{PROJECTS}/{project['id']}",
                                          json={"archived": False})
    assert response.status_code == 200, response.text
    assert response.json()["archived"] is False
    assert (await channel(cast.zhangwei, channel_id))["archived"] is False
    assert await say(cast.zhangwei, channel_id, "恢复了") == 201
    assert await members(cast.lina, channel_id) >= {cast.lina.id, cast.zhangwei.id,
                                                     cast.wangfang.id}
    assert await say(cast.wangfang, channel_id, "我来了") == 201


async def test_only_the_owner_or_an_admin_renames_or_archives(cast: Cast) -> None:
    project = await make_project(cast.lina, "渠道活动", member_ids=[cast.zhangwei.id])
    channel_id = project["channel_id"]
    for body in ({"name": "改个名"}, {"archived": True}):
        response = await cast.zhangwei.api.patch(f"{PROJECTS}/{project['id']}", json=body)
        assert response.status_code == 403, response.text
        # A non-member does not learn the project exists.
        response = await cast.liuyang.api.patch(f"{PROJECTS}/{project['id']}", json=body)
        assert response.status_code == 404, response.text
    found = await channel(cast.zhangwei, channel_id)
    assert (found["name"], found["archived"]) == ("渠道活动", False)
    # An administrator may, and the channel follows.
    response = await cast.linxiaoyan.api.patch(f"{PROJECTS}/{project['id']}",
                                               json={"name": "华东渠道活动", "archived": True})
    assert response.status_code == 200, response.text
    found = await channel(cast.zhangwei, channel_id)
    assert (found["name"], found["archived"]) == ("华东渠道活动", True)
