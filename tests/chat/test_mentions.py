"""Mention extraction: who a message names, and what the caller must look up to know."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.helpers import Cast, create_channel, post
from xietong.chat.markdown import render_markdown
from xietong.chat.mentions import (
    MAX_CANDIDATES,
    MAX_NAME_CHARS,
    MentionDirectory,
    Mentions,
    find_mentions,
    mention_candidates,
)

# The cast: 张伟 in 销售部, 李娜 in 研发部, 王芳 manages 客服部, and a few who test the edges.
ZHANG_WEI, LI_NA, WANG_FANG, ZHANG_WEI_WEI, ALEX, LI_DOT_NA, JOSE = 1, 2, 3, 4, 5, 6, 7
SALES, RND, SERVICE = 10, 11, 12

PEOPLE = {
    ZHANG_WEI: ("zhangwei", "张伟"),
    LI_NA: ("lina", "李娜"),
    WANG_FANG: ("wangfang", "王芳"),
    ZHANG_WEI_WEI: ("zhangweiwei", "张伟伟"),
    ALEX: ("alex", "外部顾问 Alex"),
    LI_DOT_NA: ("li.na", "Li Na"),
    JOSE: ("jose", "José"),
}
DEPARTMENTS = {SALES: "销售部", RND: "研发部", SERVICE: "客服部"}
DIRECTORY = MentionDirectory(people=PEOPLE, departments=DEPARTMENTS)


def users(*user_ids: int) -> Mentions:
    return Mentions(user_ids=tuple(sorted(user_ids)))


@pytest.mark.parametrize(("text", "expected"), [
    # Chinese names need no delimiter after them.
    ("@张伟你好", users(ZHANG_WEI)),
    ("@张伟伟", users(ZHANG_WEI_WEI)),
    ("@张伟伟你好", users(ZHANG_WEI_WEI)),
    ("@张伟，你好", users(ZHANG_WEI)),
    ("@张伟。", users(ZHANG_WEI)),
    ("（@李娜）", users(LI_NA)),
    ("“@张伟”说", users(ZHANG_WEI)),
    ("请@zhangwei 和@李娜 看一下", users(ZHANG_WEI, LI_NA)),
    ("@张伟@李娜", users(ZHANG_WEI, LI_NA)),
    ("＠李娜 看看", users(LI_NA)),
    # Usernames: ASCII, case-insensitive, trailing '.' is punctuation.
    ("@zhangwei:", users(ZHANG_WEI)),
    ("@zhangwei.", users(ZHANG_WEI)),
    ("@ZhangWei, hi", users(ZHANG_WEI)),
    ("@zhangwei你好", users(ZHANG_WEI)),
    ("@li.na. 你看", users(LI_DOT_NA)),
    ("@zhangwei123", Mentions()),
    ("@zhang", Mentions()),
    # Display names with spaces; an ASCII ending must not run on into more letters.
    ("@外部顾问 Alex 请看", users(ALEX)),
    ("@外部顾问 Alex，请看", users(ALEX)),
    ("@外部顾问 Alexander", Mentions()),
    ("@Li Na 你好", users(LI_DOT_NA)),
    ("@José", users(JOSE)),
    ("@Jose\u0301 (decomposed é)", users(JOSE)),
    # Departments and everyone.
    ("@研发部 @all", Mentions(department_ids=(RND,), all=True)),
    ("@销售部和@客服部", Mentions(department_ids=(SALES, SERVICE))),
    ("@ALL", Mentions(all=True)),
    ("@channel!", Mentions(all=True)),
    ("@所有人 开会", Mentions(all=True)),
    ("@全体成员：明天放假", Mentions(all=True)),
    ("@所有人员", Mentions(all=True)),
    ("@allen @channels", Mentions()),
    # The same person twice, by name and by username: once.
    ("@张伟 @张伟 @zhangwei", users(ZHANG_WEI)),
    # Unknown names.
    ("@nobody @不存在的人 @", Mentions()),
    ("@ 张伟", Mentions()),
])
def test_find_mentions(text: str, expected: Mentions) -> None:
    assert find_mentions(text, DIRECTORY) == expected


@pytest.mark.parametrize("text", [
    "`@张伟`",
    "看 `code @zhangwei` 这里",
    "`` `@all` ``",
    "```\n@张伟 @all\n```",
    "~~~python\n@decorator\n@zhangwei\n~~~",
    "前言\n\n    @张伟 indented code\n",
    "> ```\n> @李娜\n> ```",
    "```\n@张伟 never closed",
])
def test_mentions_in_code_do_not_count(text: str) -> None:
    assert find_mentions(text, DIRECTORY) == Mentions()
    assert mention_candidates(text) == set()


@pytest.mark.parametrize("text", [
    "a@b.com",
    "zhangwei@example.com",
    "邮件发给 lina@example.com 吧",
    "<lina@example.com>",
    "https://example.com/@zhangwei",
    "<https://example.com/@李娜>",
    "www.example.com/@zhangwei",
    "\\@all",
    "&#64;all",
    "&commat;张伟",
])
def test_addresses_and_escapes_are_not_mentions(text: str) -> None:
    assert find_mentions(text, DIRECTORY) == Mentions()


def test_mention_next_to_code_and_markup_counts() -> None:
    text = "`x`@张伟 **@李娜** @*王芳* [@zhangweiwei](https://example.com)\n> @研发部"
    assert find_mentions(text, DIRECTORY) == Mentions(
        user_ids=(ZHANG_WEI, LI_NA, WANG_FANG, ZHANG_WEI_WEI), department_ids=(RND,))


def test_a_person_wins_over_a_department_of_the_same_name() -> None:
    directory = MentionDirectory(people=PEOPLE, departments={**DEPARTMENTS, 99: "王芳"})
    assert find_mentions("@王芳", directory) == users(WANG_FANG)


def test_the_longest_name_wins_across_people_and_departments() -> None:
    directory = MentionDirectory(people={**PEOPLE, 50: ("rd", "研发")}, departments=DEPARTMENTS)
    assert find_mentions("@研发部", directory) == Mentions(department_ids=(RND,))
    assert find_mentions("@研发 部", directory) == users(50)


def test_all_words_win_over_a_username() -> None:
    directory = MentionDirectory(people={60: ("all", "Everyone Smith")})
    assert find_mentions("@all", directory) == Mentions(all=True)


def test_namesakes_are_all_mentioned() -> None:
    directory = MentionDirectory(people={**PEOPLE, 70: ("zhangwei2", "张伟")},
                                 departments={20: "研发部", 21: "研发部"})
    assert find_mentions("@张伟 @研发部", directory) == Mentions(
        user_ids=(ZHANG_WEI, 70), department_ids=(20, 21))
    # A username still picks one of them.
    assert find_mentions("@zhangwei2", directory) == users(70)


def test_result_is_sorted_and_unique() -> None:
    text = "@王芳 @李娜 @张伟 @王芳 @研发部 @销售部 @研发部"
    assert find_mentions(text, DIRECTORY) == Mentions(
        user_ids=(ZHANG_WEI, LI_NA, WANG_FANG), department_ids=(SALES, RND))


def test_an_empty_directory_mentions_only_everyone() -> None:
    assert find_mentions("@张伟 @all", MentionDirectory()) == Mentions(all=True)


# --- candidates

@pytest.mark.parametrize(("text", "must_include"), [
    ("@张伟你好", {"张伟"}),
    ("@张伟伟", {"张伟", "张伟伟"}),
    ("请@ZhangWei 和@李娜 看一下", {"zhangwei", "ZhangWei", "李娜"}),
    ("@外部顾问 Alex，请看", {"外部顾问 Alex", "外部顾问"}),
    ("@li.na. 你看", {"li.na", "li"}),
    ("@Li Na 你好", {"Li Na", "Li", "li"}),
    ("@研发部 @all", {"研发部", "all"}),
    ("＠全体成员", {"全体成员"}),
])
def test_candidates_hold_every_name_that_could_match(text: str, must_include: set[str]) -> None:
    assert must_include <= mention_candidates(text)


def test_candidates_are_few_and_short() -> None:
    candidates = mention_candidates("请@zhangwei 和@李娜 看一下这个问题，好吗？")
    # No ASCII prefix that runs on into more letters ("zhang"), nothing past punctuation.
    assert candidates == {"zhangwei", "zhangwei 和", "李", "李娜", "李娜 看", "李娜 看一",
                          "李娜 看一下", "李娜 看一下这", "李娜 看一下这个", "李娜 看一下这个问",
                          "李娜 看一下这个问题"}
    long = mention_candidates("@" + "长" * 100)
    assert max(len(c) for c in long) == MAX_NAME_CHARS
    assert mention_candidates("邮件 a@b.com `@张伟`") == set()


@pytest.mark.parametrize("text", [
    "请@zhangwei 和@李娜 看一下",
    "@张伟你好，@张伟伟也看看，@外部顾问 Alex 和 @Li Na。",
    "@研发部 @all @所有人 ＠销售部",
    "@José @Jose\u0301 @zhangwei. @li.na: @ZHANGWEI",
    "`@王芳` @王芳",
])
def test_looking_up_only_candidates_loses_nothing(text: str) -> None:
    """The caller's small query finds exactly what the whole directory would."""
    candidates = mention_candidates(text)
    looked_up = MentionDirectory(
        people={uid: (username, name) for uid, (username, name) in PEOPLE.items()
                if username in candidates or name in candidates},
        departments={did: name for did, name in DEPARTMENTS.items() if name in candidates})
    assert find_mentions(text, looked_up) == find_mentions(text, DIRECTORY)


def test_candidates_stay_bounded_on_hostile_input() -> None:
    text = " ".join(f"@{i:05d}名字很长的一个人不存在的名称测试" for i in range(800))[:16000]
    assert len(mention_candidates(text)) <= MAX_CANDIDATES


# --- speed

def test_a_long_message_with_many_mentions_is_fast() -> None:
    directory = MentionDirectory(
        people={**PEOPLE, **{100 + i: (f"user{i}", f"员工{i}号") for i in range(500)}},
        departments=DEPARTMENTS)
    text = "".join(f"@员工{i}号 看一下，@张伟你好 @zhangwei: @研发部 `@all` "
                   for i in range(500))[:16000]
    assert len(text) == 16000
    best = float("inf")
    for attempt in range(3):
        # A different text each time, so the parse cache does not help.
        variant = text[:-1] + str(attempt)
        started = time.perf_counter()
        candidates = mention_candidates(variant)
        found = find_mentions(variant, directory)
        best = min(best, time.perf_counter() - started)
    assert len(candidates) <= MAX_CANDIDATES
    assert ZHANG_WEI in found.user_ids
    assert found.department_ids == (RND,)
    assert not found.all
    assert best < 0.1


# --- marked in the rendered message --------------------------------------------------------

def _marked(html: str) -> Mentions:
    users: set[int] = set()
    departments: set[int] = set()
    everyone = False
    for names in re.findall(r'<span class="mention" data-mention="([^"]*)">', html):
        kind, _, ids = names.partition(":")
        if kind == "all":
            everyone = True
        else:
            (users if kind == "user" else departments).update(int(i) for i in ids.split())
    return Mentions(tuple(sorted(users)), tuple(sorted(departments)), everyone)


def test_rendering_marks_each_mention_and_nothing_else() -> None:
    html = render_markdown("请 @张伟 和 @研发部 看，`@李娜` 不算，lina@example.com 不算，"
                           "\\@王芳 不算，@nobody 不算，@所有人", DIRECTORY.spans)
    assert html == (
        f'<p>请 <span class="mention" data-mention="user:{ZHANG_WEI}">@张伟</span> 和 '
        f'<span class="mention" data-mention="department:{RND}">@研发部</span> 看，'
        "<code>@李娜</code> 不算，lina@example.com 不算，@王芳 不算，@nobody 不算，"
        '<span class="mention" data-mention="all">@所有人</span></p>\n')


@pytest.mark.parametrize("text", [
    "@张伟伟 @张伟", "@zhangwei，@lina 和 @Li Na", "**@李娜** [@zhangweiwei](https://example.com)",
    "@外部顾问 Alex 请看", "@销售部和@客服部", "`x`@张伟", "> @研发部 @all",
    "https://example.com/@zhangwei", "<lina@example.com>", "&#64;all", "\\@all",
    "```\n@张伟\n```",
])
def test_rendering_marks_only_who_is_mentioned(text: str) -> None:
    """What the message shows as a mention is what notified people: never more."""
    marked = _marked(render_markdown(text, DIRECTORY.spans))
    found = find_mentions(text, DIRECTORY)
    assert set(marked.user_ids) <= set(found.user_ids)
    assert set(marked.department_ids) <= set(found.department_ids)
    assert found.all or not marked.all
    assert marked == found, text


def test_a_name_split_by_markup_notifies_but_is_not_marked() -> None:
    text = "@*王芳* 请看"
    assert find_mentions(text, DIRECTORY) == users(WANG_FANG)
    assert "<span" not in render_markdown(text, DIRECTORY.spans)


def test_a_typed_mention_span_stays_text() -> None:
    html = render_markdown('<span class="mention" data-mention="all">!</span>',
                           DIRECTORY.spans)
    assert "<span" not in html
    assert "&lt;span" in html


# --- over the API: mentions resolve only to people the sender may see ----------------------

def _marked_in(html: str) -> list[str]:
    """What the rendered html marks as mentioned (`data-mention` values)."""
    return re.findall(r'data-mention="([^"]*)"', html)


async def test_a_guest_mentions_only_people_they_may_see(cast: Cast) -> None:
    """A guest sees only the people they share a channel with: `@username` of anyone else
    (or a department, which guests cannot browse) stays plain text, with no id in the
    answer, exactly like a name nobody has."""
    channel_id = await create_channel(cast.zhangwei, "顾问对接", "private", cast.alex)
    text = ("@wangfang @lina @linxiaoyan @销售部 @研发部 @all 和 @nobody 以及 @zhangwei，"
            "@张伟 @王芳 @外部顾问 Alex")
    sent = await post(cast.alex, channel_id, text)
    assert sent["mentions"] == {"user_ids": sorted([cast.zhangwei.id, cast.alex.id]),
                                "department_ids": [], "all": True}
    assert sorted(_marked_in(sent["html"])) == sorted(
        ["all", f"user:{cast.zhangwei.id}", f"user:{cast.zhangwei.id}",
         f"user:{cast.alex.id}"])
    for hidden in (cast.wangfang, cast.lina, cast.linxiaoyan):
        assert f"user:{hidden.id}" not in sent["html"]
    # An unseen colleague's username reads exactly like a name nobody has.
    assert "@wangfang @lina @linxiaoyan @销售部 @研发部" in sent["html"]
    assert "和 @nobody 以及" in sent["html"]

    # Editing resolves by the same rule.
    edited = await cast.alex.api.patch(f"/api/v1/messages/{sent['id']}",
                                       json={"text": "改为 @wangfang 和 @客服部 跟进"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["mentions"] == {"user_ids": [], "department_ids": [], "all": False}
    assert _marked_in(edited.json()["html"]) == []

    # Once 王芳 is in a channel with the guest, she is someone they may see and mention.
    added = await cast.zhangwei.api.post(f"/api/v1/channels/{channel_id}/members",
                                         json={"user_ids": [cast.wangfang.id]})
    assert added.status_code in (200, 201, 204), added.text
    now = await post(cast.alex, channel_id, "@wangfang @王芳 请看 @lina")
    assert now["mentions"]["user_ids"] == [cast.wangfang.id]
    assert _marked_in(now["html"]) == [f"user:{cast.wangfang.id}"] * 2
    channels = (await cast.wangfang.api.get("/api/v1/channels")).json()["items"]
    assert next(c for c in channels if c["id"] == channel_id)["mention_count"] == 1


async def test_members_still_mention_anyone_and_departments(cast: Cast) -> None:
    """Members see the whole company: usernames resolve company-wide and departments by
    name, as before."""
    channel_id = await create_channel(cast.zhangwei, "销售周会", "private", cast.lina,
                                      cast.alex)
    sent: dict[str, Any] = await post(cast.zhangwei, channel_id,
                                      "@wangfang @研发部 @alex 请看")
    assert sent["mentions"] == {
        "user_ids": sorted([cast.wangfang.id, cast.alex.id]),
        "department_ids": [cast.departments["研发部"]], "all": False}
    assert sorted(_marked_in(sent["html"])) == sorted([
        f"user:{cast.wangfang.id}", f"department:{cast.departments['研发部']}",
        f"user:{cast.alex.id}"])
    channels = (await cast.lina.api.get("/api/v1/channels")).json()["items"]
    assert next(c for c in channels if c["id"] == channel_id)["mention_count"] == 1
