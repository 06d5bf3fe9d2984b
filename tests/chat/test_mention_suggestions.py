"""What typing @ offers, on the demo company (`xietong seed-demo`): the ranking table, who
sees what, whether an invitation is offered, and bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import client_with_token, error_code, sign_in, statements
from xietong.chat.demo import seed_demo_conversations
from xietong.chat.mention_suggestions import rank_mentions
from xietong.org.demo import seed_demo_company
from xietong.org.models import Department, User
from xietong.org.names import sort_key_for
from xietong.runtime import Runtime

DEMO_PASSWORD = "xietong-demo"

# (who types, in which conversation, what they type after the @, the first suggestion).
# 孙悦 works in 市场部 (its channel: 王芳, 赵丽, 孙悦, 钱多多, 何思琪); 周建国 in 总经办 (with
# 林晓燕); the project group holds 王芳, 李娜, 马超, 唐宁, 张伟, 蒋文, 赵丽 and 高远;
# 随便聊聊 everyone.
RANKING: list[tuple[str, str, str, str]] = [
    # The two cases: a surname's pinyin beats a given name's, and a department
    # whose name matches beats a person whose title does (李娜 is 研发总监).
    ("sunyue", "市场部", "li", "李娜"),
    ("sunyue", "市场部", "研发", "研发部"),
    # The name's own start.
    ("sunyue", "市场部", "李", "李娜"),
    ("sunyue", "市场部", "邓", "邓丽君"),
    ("sunyue", "市场部", "外部", "外部顾问 Alex"),
    # Pinyin of the surname: a whole syllable before part of one (li: 李 li, 林 lin).
    ("sunyue", "市场部", "lin", "林晓燕"),
    ("sunyue", "市场部", "ma", "马超"),
    ("sunyue", "市场部", "hu", "胡杰"),
    ("sunyue", "市场部", "gao", "高远"),
    ("sunyue", "市场部", "lv", "吕布"),
    ("sunyue", "市场部", "dan", "单雄信"),
    # A surname's rarer reading still finds it (单 is shàn as a surname, 曾 zēng).
    ("sunyue", "市场部", "shan", "单雄信"),
    ("sunyue", "市场部", "zeng", "曾志伟"),
    # Initials, and the full pinyin, case and width folded, spaces ignored.
    ("sunyue", "市场部", "ln", "李娜"),
    ("sunyue", "市场部", "lxy", "林晓燕"),
    ("sunyue", "市场部", "zw", "张伟"),
    ("sunyue", "市场部", "ZHANG", "张伟"),
    ("sunyue", "市场部", "ｌｉ ｎａ", "李娜"),
    # Same match: members of the conversation first, then pinyin order.
    ("sunyue", "市场部", "zh", "赵丽"),
    ("sunyue", "随便聊聊", "zh", "张伟"),  # before 丁一: 丁 reads zhēng only rarely
    ("sunyue", "市场部", "丽", "赵丽"),
    ("zhoujianguo", "总经办", "丽", "邓丽君"),
    # The given name: a later syllable or word.
    ("sunyue", "市场部", "na", "李娜"),
    ("sunyue", "市场部", "xiaoyan", "林晓燕"),
    ("sunyue", "市场部", "yan", "研发部"),  # yan fa bu: its pinyin's start
    ("zhoujianguo", "总经办", "alex", "外部顾问 Alex"),
    # Departments by name and by pinyin, above people whose title holds the text.
    ("sunyue", "市场部", "前端", "前端组"),
    ("sunyue", "市场部", "客服", "客服部"),
    ("sunyue", "市场部", "yanfa", "研发部"),
    ("sunyue", "市场部", "yf", "杨帆"),  # people first at the same match (研发部: yfb)
    ("wangfang", "Q4 新品发布项目组", "后端", "后端组"),
    # Only a title: members first.
    ("sunyue", "市场部", "总监", "王芳"),
    ("wangfang", "Q4 新品发布项目组", "总监", "蒋文"),
    # Nothing typed yet: the conversation's members (not oneself), in pinyin order.
    ("sunyue", "市场部", "", "何思琪"),
    ("wangfang", "Q4 新品发布项目组", "", "高远"),
]


def first_label(item: dict[str, Any]) -> str:
    return str(item["user"]["display_name"] if item["kind"] == "person"
               else item["department"]["name"])


class Demo:
    def __init__(self, client: httpx.AsyncClient, channels: dict[str, int]) -> None:
        self.client = client
        self.channels = channels
        self.apis: dict[str, httpx.AsyncClient] = {}

    async def api(self, username: str) -> httpx.AsyncClient:
        if username not in self.apis:
            token = await sign_in(self.client, username, DEMO_PASSWORD)
            self.apis[username] = client_with_token(self.client, token)
        return self.apis[username]

    async def suggest(self, username: str, channel: str, q: str, **params: Any
                      ) -> httpx.Response:
        api = await self.api(username)
        return await api.get(f"/api/v1/channels/{self.channels[channel]}/mention-suggestions",
                             params={"q": q, **params})

    async def close(self) -> None:
        for api in self.apis.values():
            await api.aclose()


@pytest.fixture
async def demo(runtime: Runtime, client: httpx.AsyncClient) -> Any:
    async with runtime.unit_of_work() as uow:
        await seed_demo_company(uow, password=DEMO_PASSWORD, passwords=runtime.passwords)
    async with runtime.unit_of_work() as uow:
        await seed_demo_conversations(uow)
    boss = client_with_token(client, await sign_in(client, "zhoujianguo", DEMO_PASSWORD))
    everything = (await boss.get("/api/v1/channels")).json()["items"]
    await boss.aclose()
    found = Demo(client, {c["name"]: c["id"] for c in everything})
    # 周建国 is in every channel the demo makes but the project group.
    project = await (await found.api("wangfang")).get("/api/v1/channels")
    found.channels.update({c["name"]: c["id"] for c in project.json()["items"]})
    yield found
    await found.close()


async def test_mention_ranking_on_the_demo_company(demo: Demo) -> None:
    wrong = []
    for username, channel, typed, expected in RANKING:
        answer = await demo.suggest(username, channel, typed)
        assert answer.status_code == 200, answer.text
        items = answer.json()["items"]
        got = [first_label(item) for item in items[:4]]
        if not got or got[0] != expected:
            wrong.append(f"{username} in {channel} typing @{typed}: expected {expected}, "
                         f"got {got}")
    assert not wrong, "\n".join(wrong)


async def test_members_are_marked_and_an_invitation_is_offered_where_one_may_add(
        demo: Demo) -> None:
    answer = (await demo.suggest("wangfang", "Q4 新品发布项目组", "li")).json()
    by_name = {first_label(i): i for i in answer["items"]}
    assert by_name["李娜"]["in_channel"] is True
    assert by_name["林晓燕"]["in_channel"] is False
    assert answer["can_invite"] is True  # a private channel's members add people
    # Department channels follow the organisation: nobody is invited into one.
    department = (await demo.suggest("sunyue", "市场部", "li")).json()
    assert department["can_invite"] is False
    assert [i["in_channel"] for i in department["items"][:2]] == [False, False]
    # A department: its member count and path come along for the list to show.
    rnd = (await demo.suggest("sunyue", "市场部", "后端")).json()["items"][0]
    assert rnd["kind"] == "department"
    assert rnd["department"]["path"] == ["研发部", "后端组"]
    assert rnd["department"]["member_count"] == 5


async def test_one_does_not_suggest_oneself_and_outsiders_see_nothing(demo: Demo) -> None:
    mine = (await demo.suggest("lina", "Q4 新品发布项目组", "lina")).json()["items"]
    assert "李娜" not in [first_label(i) for i in mine]
    # The project group is private: to 孙悦, who is not in it, it does not exist.
    hidden = await demo.suggest("sunyue", "Q4 新品发布项目组", "li")
    assert hidden.status_code == 404, hidden.text
    assert error_code(hidden) == "not_found"


async def test_a_guest_sees_only_people_they_share_a_channel_with_and_no_departments(
        demo: Demo) -> None:
    project = demo.channels["Q4 新品发布项目组"]
    wangfang = await demo.api("wangfang")
    guest = (await wangfang.get("/api/v1/users", params={"q": "guest.partner"})).json()
    added = await wangfang.post(f"/api/v1/channels/{project}/members",
                                json={"user_ids": [guest["items"][0]["id"]]})
    assert added.status_code == 200, added.text
    answer = (await demo.suggest("guest.partner", "Q4 新品发布项目组", "研发")).json()
    assert [first_label(i) for i in answer["items"]] == ["李娜"]  # by title; no 研发部
    assert answer["can_invite"] is False
    everyone = (await demo.suggest("guest.partner", "Q4 新品发布项目组", "")).json()
    assert {first_label(i) for i in everyone["items"]} <= {
        "王芳", "李娜", "马超", "唐宁", "张伟", "蒋文", "赵丽", "高远"}


@pytest.mark.parametrize(("params", "status"), [
    ({"q": "x" * 101}, 422), ({"q": "li", "limit": 0}, 422), ({"q": "li", "limit": 51}, 422),
    ({"q": "li", "limit": "many"}, 422),
])
async def test_bad_input_is_refused(demo: Demo, params: dict[str, Any], status: int) -> None:
    api = await demo.api("sunyue")
    answer = await api.get(f"/api/v1/channels/{demo.channels['市场部']}/mention-suggestions",
                           params=params)
    assert answer.status_code == status, answer.text


async def test_wildcards_and_strange_text_match_literally(demo: Demo) -> None:
    for typed in ("%", "_", "\\", "'; DROP TABLE users; --", "🙂", "<b>", "李娜李娜李娜"):
        answer = await demo.suggest("sunyue", "市场部", typed)
        assert answer.status_code == 200, answer.text
        assert answer.json()["items"] == [], typed
    missing = await (await demo.api("sunyue")).get(
        "/api/v1/channels/999999/mention-suggestions", params={"q": "li"})
    assert missing.status_code == 404


async def test_a_keystroke_costs_a_bounded_number_of_queries(demo: Demo,
                                                             runtime: Runtime) -> None:
    api = await demo.api("sunyue")
    await demo.suggest("sunyue", "随便聊聊", "l")  # sign-in caches warmed
    with statements(runtime) as seen:
        answer = await api.get(
            f"/api/v1/channels/{demo.channels['随便聊聊']}/mention-suggestions",
            params={"q": "l", "limit": 50})
    assert answer.status_code == 200
    assert len(answer.json()["items"]) > 10
    assert len(seen) <= 12, seen


def someone(id: int, display_name: str, title: str | None = None) -> User:
    return User(id=id, display_name=display_name, username=f"user{id}", title=title,
                email=None, sort_key=sort_key_for(display_name))


def test_ranking_puts_members_first_only_between_equal_matches() -> None:
    people = [someone(1, "林晓燕"), someone(2, "李娜"), someone(3, "邓丽君"),
              someone(4, "刘洋", title="研发工程师")]
    departments = [Department(id=10, name="研发部", position=1),
                   Department(id=11, name="研发部门测试", position=2)]
    ids = [r.id for r in rank_mentions("li", people, departments, members={1, 3}, limit=10)]
    # 李娜 (li, a whole syllable) outranks the member 林晓燕 (lin); the members among
    # the equally good come first (林晓燕 before 刘洋); 邓丽君's li is a given name.
    assert ids == [2, 1, 4, 3]
    ranked = rank_mentions("研发", people, departments, members={4}, limit=10)
    assert [(r.kind, r.id) for r in ranked] == [("department", 10), ("department", 11),
                                                ("person", 4)]
    assert rank_mentions("li", people, departments, members=(), limit=1)[0].id == 2
