"""`page.changed` and `space.changed` on the socket: a page that takes its space's grants is
heard by whoever reads the space at delivery; a page with grants of its own only by whom
they reach (and, when they change, by those who could read it before); someone granted a
space starts hearing it at once, someone whose grant is taken away stops. Each frame
carries the page as a fresh fetch shows it."""

from __future__ import annotations

from typing import Any

from tests.documents.helpers import (
    PAGES,
    SPACES,
    department_grant,
    make_page,
    make_space,
    person_grant,
    set_page_grants,
    space_id_of,
)
from tests.helpers import Cast
from tests.realtime.wsclient import Socket

NAMES = ("lina", "zhangwei", "wangfang", "liuyang", "alex")


async def heard(socket: Socket, kind: str, change: str, item_id: int,
                wait: bool) -> list[dict[str, Any]]:
    """The frames of `kind` and `change` about `item_id` the socket got; with `wait`, at
    least one is waited for, else whatever arrives within a short while is looked at."""
    key = "page" if kind == "page.changed" else "space"

    def matching() -> list[dict[str, Any]]:
        return [f for f in socket.events if f["type"] == kind
                and f["data"]["change"] == change and f["data"][key]["id"] == item_id]

    if wait:
        while not matching():
            await socket.next_frame()
    else:
        await socket.quiet(0.3)
    return matching()


async def test_page_changes_reach_who_may_read_the_page(cast: Cast, live_server: str) -> None:
    sockets = {name: await Socket.open(live_server, cast.people[name].token) for name in NAMES}
    try:
        space = await space_id_of(cast, "研发部")
        page = await make_page(cast.lina, space, "接口规范")
        insiders = ("lina", "zhangwei", "wangfang", "liuyang")
        for name in insiders:
            [frame] = await heard(sockets[name], "page.changed", "created", page["id"], True)
            # The company reads 研发部's space: heard through the company's scope.
            assert frame["scope"] == "docs:0"
            fetched = (await cast.lina.api.get(f"{PAGES}/{page['id']}")).json()
            assert frame["data"]["page"] == {k: fetched[k] for k in frame["data"]["page"]}
        assert await heard(sockets["alex"], "page.changed", "created", page["id"], False) == []
        # Restricted to 研发部 and 刘洋: everyone who read it before hears that, then only
        # they hear its changes.
        await set_page_grants(cast.lina, page["id"], [department_grant(cast, "研发部", "edit"),
                                                      person_grant(cast.liuyang, "view")])
        for name in insiders:
            await heard(sockets[name], "page.changed", "permissions", page["id"], True)
        renamed = await cast.lina.api.patch(f"{PAGES}/{page['id']}", json={"title": "接口规范 v2"})
        assert renamed.status_code == 200
        for name in ("lina", "liuyang"):
            [frame] = await heard(sockets[name], "page.changed", "renamed", page["id"], True)
            assert frame["data"]["page"]["title"] == "接口规范 v2"
        for name in ("zhangwei", "wangfang", "alex"):
            assert await heard(sockets[name], "page.changed", "renamed", page["id"],
                               False) == [], name
        # 刘洋's grant taken away: he hears that, and nothing after it.
        await set_page_grants(cast.lina, page["id"], [department_grant(cast, "研发部", "edit")])
        await heard(sockets["liuyang"], "page.changed", "permissions", page["id"], True)
        assert (await cast.lina.api.delete(f"{PAGES}/{page['id']}")).status_code == 204
        await heard(sockets["lina"], "page.changed", "deleted", page["id"], True)
        assert await heard(sockets["liuyang"], "page.changed", "deleted", page["id"],
                           False) == []
    finally:
        for socket in sockets.values():
            await socket.close()


async def test_space_grants_change_who_hears_the_space_at_once(cast: Cast,
                                                              live_server: str) -> None:
    sockets = {name: await Socket.open(live_server, cast.people[name].token) for name in NAMES}
    try:
        space = await make_space(cast.lina, "架构评审", grants=[
            person_grant(cast.zhangwei, "view")])
        for name in ("lina", "zhangwei"):
            [frame] = await heard(sockets[name], "space.changed", "created", space["id"], True)
            assert frame["data"]["space"]["name"] == "架构评审"
        assert await heard(sockets["wangfang"], "space.changed", "created", space["id"],
                           False) == []
        # 张伟 was subscribed by the space's creation: he hears its first page.
        first = await make_page(cast.lina, space["id"], "评审规则")
        [frame] = await heard(sockets["zhangwei"], "page.changed", "created", first["id"], True)
        assert frame["scope"] == f"space:{space['id']}"
        # The grant moves to 王芳: she hears the next page, 张伟 does not.
        granted = await cast.lina.api.put(f"{SPACES}/{space['id']}/permissions", json={
            "grants": [person_grant(cast.wangfang, "edit")]})
        assert granted.status_code == 200
        [change] = await heard(sockets["wangfang"], "space.changed", "permissions",
                               space["id"], True)
        assert set(change["data"]["user_ids"]) == {cast.zhangwei.id, cast.wangfang.id}
        second = await make_page(cast.wangfang, space["id"], "评审记录")
        await heard(sockets["wangfang"], "page.changed", "created", second["id"], True)
        await heard(sockets["lina"], "page.changed", "created", second["id"], True)
        assert await heard(sockets["zhangwei"], "page.changed", "created", second["id"],
                           False) == []
        assert await heard(sockets["alex"], "page.changed", "created", second["id"],
                           False) == []
        # Granted to 客服部: 刘洋, who joins it, hears the next page at once.
        await cast.lina.api.put(f"{SPACES}/{space['id']}/permissions", json={
            "grants": [department_grant(cast, "客服部", "view")]})
        joined = await cast.linxiaoyan.api.put(
            f"/api/v1/departments/{cast.departments['客服部']}/members",
            json={"user_ids": [cast.wangfang.id, cast.liuyang.id]})
        assert joined.status_code == 200, joined.text
        third = await make_page(cast.lina, space["id"], "评审排期")
        await heard(sockets["liuyang"], "page.changed", "created", third["id"], True)
        await heard(sockets["wangfang"], "page.changed", "created", third["id"], True)
        assert await heard(sockets["zhangwei"], "page.changed", "created", third["id"],
                           False) == []
    finally:
        for socket in sockets.values():
            await socket.close()
