"""Department channels follow the organisation: people who join a department (or any
department below it) are in its channel, people who leave are out, and moves count."""

from __future__ import annotations

from tests.helpers import Cast, statements


async def _members(cast: Cast, channel_id: int) -> set[int]:
    response = await cast.linxiaoyan.api.get(f"/api/v1/channels/{channel_id}/members")
    assert response.status_code == 200
    return {m["user_id"] for m in response.json()["items"]}


async def test_department_channel_follows_membership_and_moves(cast: Cast) -> None:
    sales = cast.departments["销售部"]
    created = await cast.linxiaoyan.api.post("/api/v1/channels", json={
        "name": "销售部全员", "kind": "department", "department_id": sales})
    assert created.status_code == 201, created.text
    channel_id = created.json()["id"]
    creator = cast.linxiaoyan.id
    assert await _members(cast, channel_id) == {creator, cast.zhangwei.id, cast.liuyang.id}

    # 王芳 joins 华东区 (below 销售部): she is in the channel, and sees it in her list.
    east = cast.departments["华东区"]
    joined = await cast.linxiaoyan.api.put(f"/api/v1/departments/{east}/members",
                                           json={"user_ids": [cast.liuyang.id,
                                                              cast.wangfang.id]})
    assert joined.status_code == 200
    assert cast.wangfang.id in await _members(cast, channel_id)
    mine = (await cast.wangfang.api.get("/api/v1/channels")).json()["items"]
    assert channel_id in {c["id"] for c in mine}

    # 华东区 moves under 研发部: its people leave the 销售部 channel.
    moved = await cast.linxiaoyan.api.patch(f"/api/v1/departments/{east}",
                                            json={"parent_id": cast.departments["研发部"]})
    assert moved.status_code == 200
    assert await _members(cast, channel_id) == {creator, cast.zhangwei.id}

    # A member leaving the department itself leaves the channel too.
    left = await cast.linxiaoyan.api.put(f"/api/v1/departments/{sales}/members",
                                         json={"user_ids": []})
    assert left.status_code == 200
    assert await _members(cast, channel_id) == {creator}
    # Nobody can leave or be added by hand: the organisation decides.
    refused = await cast.linxiaoyan.api.post(f"/api/v1/channels/{channel_id}/members",
                                             json={"user_ids": [cast.lina.id]})
    assert refused.status_code == 422


async def test_a_membership_change_costs_the_same_however_many_department_channels(
        cast: Cast) -> None:
    """Syncing department channels reads the tree, the departments' people and the channels'
    members once for all of them: an unchanged channel costs no statement, a changed one
    only its writes."""
    async def statements_for_a_move(user_ids: list[int]) -> list[str]:
        east = cast.departments["华东区"]
        with statements(cast.runtime) as seen:
            moved = await cast.linxiaoyan.api.put(f"/api/v1/departments/{east}/members",
                                                  json={"user_ids": user_ids})
            assert moved.status_code == 200, moved.text
        return seen

    async def department_channel(name: str, department: str) -> None:
        created = await cast.linxiaoyan.api.post("/api/v1/channels", json={
            "name": name, "kind": "department", "department_id": cast.departments[department]})
        assert created.status_code == 201, created.text

    # 王芳 joins 华东区, so the 销售部 channel: with one department channel, then with seven.
    await department_channel("销售部全员", "销售部")
    await statements_for_a_move([cast.liuyang.id])  # the first request signs in: not counted
    few = await statements_for_a_move([cast.liuyang.id, cast.wangfang.id])
    await statements_for_a_move([cast.liuyang.id])
    for name in ("总经办", "研发部", "客服部"):
        for n in range(2):
            await department_channel(f"{name}{n}", name)
    many = await statements_for_a_move([cast.liuyang.id, cast.wangfang.id])
    # Compared statement by statement, so a failure names the one that differs (a CI run
    # under load once counted 19 against 18).
    assert sorted(many) == sorted(few), (few, many)
