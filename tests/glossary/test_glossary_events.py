"""Glossary events on the socket and the notifications they lead to: a company-wide term's
changes reach everyone (guests too), a department's own only those who may read it, each
frame carrying the term as a fresh fetch shows it; a term leaving someone's sight is
withdrawn from them. Followers hear of a new definition or a deprecation, once, unless
they made it or may no longer read the term."""

from __future__ import annotations

from typing import Any

from tests.glossary.helpers import TERMS, make_term
from tests.helpers import Cast, Follow
from tests.projects.test_project_events import frames
from tests.realtime.wsclient import Socket

NAMES = ("zhangwei", "liuyang", "lina", "alex", "linxiaoyan")
CLIENT_ONLY = ("replaced_by", "following", "can")


def as_told(fetched: dict[str, Any]) -> dict[str, Any]:
    """A term as an event carries it: the reply less what is the caller's own."""
    return {k: v for k, v in fetched.items() if k not in CLIENT_ONLY}


async def heard(socket: Socket) -> list[dict[str, Any]]:
    return [f for f in [*socket.events, *await socket.quiet(0.3)]
            if f["type"].startswith("glossary.")]


async def test_term_changes_reach_whoever_may_read_the_term(cast: Cast,
                                                            live_server: str) -> None:
    sockets = {name: await Socket.open(live_server, cast.people[name].token) for name in NAMES}
    try:
        public = await make_term(cast, cast.zhangwei, "回款", "销售部")
        for name in NAMES:
            [frame] = await frames(sockets[name], "glossary.term_changed", 1)
            assert frame["scope"] == "glossary:0"
            assert (frame["data"]["change"], frame["data"]["actor_id"]) == (
                "created", cast.zhangwei.id)
            assert frame["data"]["term"] == as_told(public)
        changed = await cast.liuyang.api.patch(f"{TERMS}/{public['id']}", json={
            "definition": "款项实际到账。", "aliases": ["收款"]})
        for name in NAMES:
            [_, frame] = await frames(sockets[name], "glossary.term_changed", 2)
            assert frame["data"]["fields"] == ["aliases", "definition"]
            assert frame["data"]["term"] == as_told(changed.json())
        for socket in sockets.values():
            socket.events.clear()
        # A department's own: 张伟 (its manager), 刘洋 (below it), the administrator.
        hidden = await make_term(cast, cast.zhangwei, "底价", "销售部", visibility="department")
        for name in ("zhangwei", "liuyang", "linxiaoyan"):
            [frame] = await frames(sockets[name], "glossary.term_changed", 1)
            assert frame["data"]["term"]["id"] == hidden["id"]
        for name in ("lina", "alex"):
            assert await heard(sockets[name]) == []
        for socket in sockets.values():
            socket.events.clear()
        # Kept to the department from now on: withdrawn from everyone, then told again to
        # those who still read it.
        narrowed = await cast.zhangwei.api.patch(f"{TERMS}/{public['id']}",
                                                 json={"visibility": "department"})
        assert narrowed.status_code == 200
        for name in NAMES:
            told = await heard(sockets[name])
            assert told[0]["type"] == "glossary.term_withdrawn"
            assert told[0]["data"] == {"term_id": public["id"], "reason": "hidden"}
            if name in ("lina", "alex"):
                assert len(told) == 1, name
            else:
                assert [f["type"] for f in told] == ["glossary.term_withdrawn",
                                                     "glossary.term_changed"], name
                assert told[1]["data"]["term"] == as_told(narrowed.json())
            sockets[name].events.clear()
        # Deleted: withdrawn from those who read it, no one else.
        assert (await cast.zhangwei.api.delete(f"{TERMS}/{hidden['id']}")).status_code == 204
        for name in ("zhangwei", "liuyang", "linxiaoyan"):
            [frame] = await frames(sockets[name], "glossary.term_withdrawn", 1)
            assert frame["data"] == {"term_id": hidden["id"], "reason": "deleted"}
        for name in ("lina", "alex"):
            assert await heard(sockets[name]) == []
    finally:
        for socket in sockets.values():
            await socket.close()


async def notices(cast: Cast, name: str) -> list[tuple[str, str, str]]:
    items = (await cast.people[name].api.get("/api/v1/notifications")).json()["items"]
    return [(n["kind"], n["title"], n["link"]) for n in items
            if n["kind"] == "glossary_term_changed"]


async def test_followers_hear_of_a_new_definition_and_a_deprecation(cast: Cast,
                                                                     follow: Follow) -> None:
    term = await make_term(cast, cast.wangfang, "SLA", "客服部")
    successor = await make_term(cast, cast.wangfang, "服务承诺", "客服部")
    for name in ("lina", "alex", "zhangwei", "wangfang"):
        response = await cast.people[name].api.put(f"{TERMS}/{term['id']}/follow")
        assert response.status_code == 200
    await follow.held()
    path = f"{TERMS}/{term['id']}"
    link = f"/glossary/{term['id']}"
    # Words that do not change its meaning tell nobody.
    await cast.wangfang.api.patch(path, json={"english": "Service Level Agreement",
                                              "examples": ["SLA 还剩 30 分钟"]})
    await cast.wangfang.api.patch(path, json={"definition": "工作时间 2 小时内首次响应。"})
    await follow.catch_up()
    await follow.catch_up()  # a batch seen twice records nothing twice
    for name in ("lina", "alex", "zhangwei"):
        assert await notices(cast, name) == [
            ("glossary_term_changed", "术语「SLA」的定义已更新", link)], name
    # Not the one who changed it.
    assert await notices(cast, "wangfang") == []
    [item] = [n for n in (await cast.lina.api.get("/api/v1/notifications")).json()["items"]
              if n["kind"] == "glossary_term_changed"]
    assert item["body"] == "工作时间 2 小时内首次响应。"
    assert item["actor_id"] == cast.wangfang.id
    assert item["data"] == {"term_id": term["id"], "subject_label": "SLA",
                            "actor_name": "王芳", "deprecated": False}
    # Kept to 客服部 from now on: 李娜, 张伟 and Alex may not read it, so are told nothing
    # of its deprecation; someone of 客服部 who follows it is.
    colleague = await cast.add_person("caoying", "曹颖", departments=("客服部",))
    await colleague.api.put(f"{path}/follow")
    await cast.wangfang.api.patch(path, json={"visibility": "department"})
    await cast.wangfang.api.patch(path, json={"status": "deprecated",
                                              "replaced_by_id": successor["id"]})
    await follow.catch_up()
    assert await notices(cast, "caoying") == [
        ("glossary_term_changed", "术语「SLA」已停用", link)]
    for name in ("lina", "alex", "zhangwei"):
        assert len(await notices(cast, name)) == 1, name
    # Those who switched the kind off are not told.
    await cast.caoying.api.put("/api/v1/notifications/preferences",
                               json={"kinds": {"glossary_term_changed": False}})
    await cast.wangfang.api.patch(path, json={"definition": "又改了。"})
    await follow.catch_up()
    assert len(await notices(cast, "caoying")) == 1
