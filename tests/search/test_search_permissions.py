"""Search never shows what the caller may not read now: conversations they are not in,
public channels to a guest, channels they were removed from, deleted text; names in
`in:`/`from:` filters reveal nothing either. (Removal from a private channel, edits and
deletes are in test_search_api.py.)"""

from __future__ import annotations

from typing import Any

from tests.helpers import Cast, Person, create_channel, error_code, post
from tests.search.test_search_api import API, ids, search


async def open_conversation(person: Person, *others: Person) -> int:
    response = await person.api.post(f"{API}/dms", json={"user_ids": [o.id for o in others]})
    assert response.status_code in (200, 201), response.text
    channel_id: int = response.json()["id"]
    return channel_id


async def test_direct_and_group_conversations_stay_between_their_people(cast: Cast) -> None:
    direct = await open_conversation(cast.zhangwei, cast.liuyang)
    group = await open_conversation(cast.zhangwei, cast.liuyang, cast.lina)
    one_to_one = await post(cast.zhangwei, direct, "私下说：年终奖方案定了")
    in_group = await post(cast.lina, group, "三人小组：年终奖方案的系统支持")
    assert set(ids(await search(cast.liuyang, "年终奖"))) == {one_to_one["id"], in_group["id"]}
    assert ids(await search(cast.lina, "年终奖")) == [in_group["id"]]
    # Not in either conversation: nothing, also for the owner of the company and for
    # filters that name the conversation or its people.
    for outsider in (cast.wangfang, cast.zhoujianguo, cast.alex):
        for q in ("年终奖", "方案", "年终奖 from:@zhangwei", "from:@lina", "-不存在的词"):
            assert ids(await search(outsider, q)) == [], (outsider.username, q)
        for params in ({"channel_id": direct}, {"channel_id": group}):
            response = await outsider.api.get(f"{API}/search", params={"q": "年终奖", **params})
            assert response.status_code == 404, (outsider.username, params)
            assert error_code(response) == "not_found"


async def test_a_guest_finds_only_the_channels_they_were_invited_to(cast: Cast) -> None:
    public = await create_channel(cast.zhangwei, "公司公告", "public")
    invited = await create_channel(cast.zhangwei, "顾问项目", "private", cast.alex)
    announced = await post(cast.zhangwei, public, "交付计划：下周一上线")
    shared = await post(cast.zhangwei, invited, "交付计划给顾问过目")
    # Everyone else in the company reads the public channel without joining it.
    assert set(ids(await search(cast.wangfang, "交付计划"))) == {announced["id"]}
    assert set(ids(await search(cast.alex, "交付计划"))) == {shared["id"]}
    assert ids(await search(cast.alex, "上线")) == []
    assert ids(await search(cast.alex, "交付计划 in:#公司公告")) == []
    assert ids(await search(cast.alex, "", sender_id=cast.zhangwei.id)) == [shared["id"]]
    response = await cast.alex.api.get(f"{API}/search", params={"q": "交付", "channel_id": public})
    assert response.status_code == 404
    # Joining makes a public channel the guest's; being invited in is how a guest joins.
    response = await cast.zhangwei.api.post(f"{API}/channels/{public}/members",
                                            json={"user_ids": [cast.alex.id]})
    assert response.status_code in (200, 201, 204), response.text
    assert set(ids(await search(cast.alex, "交付计划"))) == {announced["id"], shared["id"]}


async def test_archived_channels_stay_searchable_by_their_members(cast: Cast) -> None:
    channel_id = await create_channel(cast.lina, "旧项目", "private", cast.zhangwei)
    sent = await post(cast.lina, channel_id, "旧项目的验收报告在共享盘")
    response = await cast.lina.api.patch(f"{API}/channels/{channel_id}", json={"archived": True})
    assert response.status_code == 200, response.text
    assert response.json()["archived"] is True
    assert ids(await search(cast.zhangwei, "验收报告")) == [sent["id"]]
    assert ids(await search(cast.zhangwei, "验收报告 in:#旧项目")) == [sent["id"]]
    assert ids(await search(cast.wangfang, "验收报告")) == []


async def test_channel_names_in_filters_reveal_nothing(cast: Cast) -> None:
    private = await create_channel(cast.zhangwei, "并购机密", "private", cast.liuyang)
    await post(cast.zhangwei, private, "并购对价初步定在两个亿")
    public = await create_channel(cast.lina, "并购公开", "public")
    visible = await post(cast.lina, public, "并购新闻稿明天发")
    assert ids(await search(cast.liuyang, "并购 in:#并购机密")) != []

    async def outsider_reply(q: str) -> dict[str, Any]:
        found = await search(cast.wangfang, q)
        assert (found["items"], found["total"]) == ([], 0), q
        return found

    secret = await outsider_reply("并购 in:#并购机密")
    missing = await outsider_reply("并购 in:#没有这个群")
    # A channel one may not read answers exactly like one that does not exist.
    assert [w.replace("并购机密", "NAME") for w in secret["warnings"]] == [
        w.replace("没有这个群", "NAME") for w in missing["warnings"]]
    # Naming it next to a readable channel finds only the readable one's messages.
    assert ids(await search(cast.wangfang, "并购 in:#并购机密 in:#并购公开")) == [visible["id"]]
    # Case differences, the channel's id and negations do not get around the rule.
    await outsider_reply("并购 in:#并购机密 -新闻稿")
    response = await cast.wangfang.api.get(f"{API}/search", params={"q": "", "channel_id": private})
    assert response.status_code == 404


async def test_sender_filters_find_only_what_the_caller_may_read(cast: Cast) -> None:
    private = await create_channel(cast.zhangwei, "销售内部", "private", cast.liuyang)
    public = await create_channel(cast.zhangwei, "销售公开", "public")
    hidden = await post(cast.zhangwei, private, "返点比例调到百分之五")
    seen = await post(cast.zhangwei, public, "返点政策请看公告")
    by_name = {"from:@zhangwei", "from:张伟", "from:zhangwei@example.com"}
    for q in by_name:
        assert set(ids(await search(cast.liuyang, f"返点 {q}"))) == {hidden["id"], seen["id"]}
        assert ids(await search(cast.wangfang, f"返点 {q}")) == [seen["id"]], q
        assert ids(await search(cast.wangfang, q)) == [seen["id"]], q
    assert ids(await search(cast.wangfang, "", sender_id=cast.zhangwei.id)) == [seen["id"]]
    assert ids(await search(cast.alex, "", sender_id=cast.zhangwei.id)) == []


async def test_a_deactivated_persons_token_is_refused(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "交接", "private", cast.liuyang)
    await post(cast.zhangwei, channel_id, "客户名单交接完毕")
    assert len(ids(await search(cast.liuyang, "客户名单"))) == 1
    response = await cast.linxiaoyan.api.patch(f"{API}/users/{cast.liuyang.id}",
                                               json={"active": False})
    assert response.status_code == 200, response.text
    response = await cast.liuyang.api.get(f"{API}/search", params={"q": "客户名单"})
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


async def test_a_guest_cannot_probe_names_with_from(cast: Cast) -> None:
    shared = await create_channel(cast.zhangwei, "顾问对接", "private", cast.alex)
    await post(cast.zhangwei, shared, "对接人是我")
    known = await search(cast.alex, "对接 from:@zhangwei")
    assert (len(known["items"]), known["warnings"]) == (1, [])
    # 李娜 shares no channel with the guest: her name answers like a name nobody has.
    for q in ("from:@lina", "from:李娜", "from:@no-such-person"):
        found = await search(cast.alex, q)
        assert found["items"] == []
        assert found["warnings"] == [f"Nobody is called {q.split(':', 1)[1].lstrip('@')!r}."]
