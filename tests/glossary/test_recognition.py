"""Finding glossary terms in text: the matcher on its own (leftmost, longest, no overlap;
full-width and case folded; Latin names only as whole words; offsets into the text as
written, whatever emoji or combining marks it holds), then `POST /glossary/recognise` over
HTTP (what the reader may read, deprecated terms, a node learning of another's change,
bad input)."""

from __future__ import annotations

import random

import pytest

from tests.glossary.helpers import RECOGNISE, TERMS, make_term, recognise
from tests.helpers import Cast, anonymous_client, error_code, statements
from xietong.glossary.matcher import MATCHERS, MatchedTerm, Matcher, MatcherCache
from xietong.glossary.normalise import (
    FoldedText,
    _fold_by_cluster,
    fold_text,
    normalise_name,
)
from xietong.runtime import Runtime

# (id, term, aliases)
GLOSSARY = [
    (1, "客户", []),
    (2, "客户成功", ["CSM"]),
    (3, "SLA", ["服务等级协议"]),
    (4, "灰度发布", ["灰度", "Canary Release"]),
    (5, "客户A", []),
    (6, "Café", []),
    (7, "Straße", []),
    (8, "P0", []),
    (9, "户成功部", []),
    (10, "OKR 对齐", []),
]


def matcher(*, without: tuple[int, ...] = ()) -> Matcher:
    terms = [MatchedTerm(id=i, term=t, department_id=None, visibility="company",
                         owner_ids=frozenset()) for i, t, _ in GLOSSARY if i not in without]
    names = [(normalise_name(name), i) for i, t, aliases in GLOSSARY
             for name in (t, *aliases)]
    return Matcher(names, terms)


def found(text: str, m: Matcher | None = None) -> list[tuple[int, int, str, str]]:
    """(start, end, the text matched, the term) of each match."""
    return [(x.start, x.end, text[x.start:x.end], x.term.term)
            for x in (m or matcher()).find(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # The longest at a place: 客户成功部 names 客户成功, never 客户 inside it.
    ("客户成功部", [("客户成功", "客户成功")]),
    ("我们的客户成功团队和客户", [("客户成功", "客户成功"), ("客户", "客户")]),
    # Leftmost first: 客户 at 0 wins over 户成功部 at 1, which would overlap it.
    ("客户户成功部", [("客户", "客户"), ("户成功部", "户成功部")]),
    ("客户成功部门", [("客户成功", "客户成功")]),
    # An alias names its term; 灰度 inside 灰度发布 is the longer one.
    ("按服务等级协议，今晚灰度发布，明天再灰度一次", [
        ("服务等级协议", "SLA"), ("灰度发布", "灰度发布"),
        ("灰度", "灰度发布")]),
    # Full-width forms and case fold to the name.
    ("ＳＬＡ达标，sla 超时，Sla！", [("ＳＬＡ", "SLA"), ("sla", "SLA"),
                                 ("Sla", "SLA")]),
    ("本周 Ｐ０ 故障两起", [("Ｐ０", "P0")]),
    ("STRASSE 与 straße", [("STRASSE", "Straße"), ("straße", "Straße")]),
    # Latin names only as whole words: not in SLAB, SLA2, _SLA or xSLA …
    ("SLAB SLA2 _SLA xSLA SLA_x", []),
    # … but next to Chinese, punctuation, spaces or emoji.
    ("本月SLA达成率(SLA)，SLA-1 “SLA”", [("SLA", "SLA"), ("SLA", "SLA"),
                                      ("SLA", "SLA"), ("SLA", "SLA")]),
    # A long match glued to a word gives way to a shorter one at the same place.
    ("客户AB", [("客户", "客户")]),
    ("客户A 到了", [("客户A", "客户A")]),
    # Spaces: any run of them (ideographic, no-break, line breaks) is one.
    ("Canary  Release 和 canary\u3000release、CANARY\nRELEASE", [
        ("Canary  Release", "灰度发布"), ("canary\u3000release", "灰度发布"),
        ("CANARY\nRELEASE", "灰度发布")]),
    ("OKR 对齐 和 OKR对齐", [("OKR 对齐", "OKR 对齐")]),
    ("", []),
    ("没有术语的一句话。", []),
])
def test_the_matcher_finds_the_longest_leftmost_terms(
        text: str, expected: list[tuple[str, str]]) -> None:
    assert [(matched, term) for _, _, matched, term in found(text)] == expected


def test_offsets_count_code_points_through_emoji_and_combining_marks() -> None:
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # 👨‍👩‍👧: five code points
    text = f"{family}SLA🎉客户成功👍🏽CSM"
    assert found(text) == [(5, 8, "SLA", "SLA"), (9, 13, "客户成功", "客户成功"),
                           (15, 18, "CSM", "客户成功")]
    # Café written with a combining accent (e + U+0301) is the term Café …
    decomposed = "去 Cafe\u0301 喝咖啡"
    assert found(decomposed) == [(2, 7, "Cafe\u0301", "Café")]
    # … and a match never ends inside a cluster: "Café" is not the word "Cafe".
    assert found("Cafe 和 Café") == [(7, 11, "Café", "Café")]
    # A combining mark glued to a Latin name makes it another word.
    assert found("SLA\u0332 和 P0") == [(7, 9, "P0", "P0")]


def test_a_term_left_out_of_the_matcher_leaves_room_for_others() -> None:
    # Without 客户成功 (another department's, or deprecated), 客户 is found in 客户成功部.
    assert found("客户成功部", matcher(without=(2,))) == [(0, 2, "客户", "客户")]
    only_company = matcher().find("客户成功部", lambda term: term.id != 2)
    assert [(m.start, m.end, m.term.term) for m in only_company] == [(0, 2, "客户")]


def test_an_empty_glossary_finds_nothing() -> None:
    empty = Matcher([], [])
    assert empty.find("SLA 客户") == []


async def test_recognise_over_http_follows_the_glossary(cast: Cast) -> None:
    sla = await make_term(cast, cast.wangfang, "SLA", "客服部", aliases=["服务等级协议"])
    await make_term(cast, cast.zhangwei, "客户", "销售部")
    await make_term(cast, cast.wangfang, "客户成功", "客服部")
    response = await cast.lina.api.post(RECOGNISE, json={"text": "客户成功部的ＳＬＡ"})
    assert response.json() == {"items": [
        {"start": 0, "end": 4, "term_id": response.json()["items"][0]["term_id"],
         "term": "客户成功"},
        {"start": 6, "end": 9, "term_id": sla["id"], "term": "SLA"}]}
    # Guests read the company-wide glossary too.
    assert await recognise(cast.alex, "SLA 客户") == [("SLA", "SLA"), ("客户", "客户")]
    # A new alias is matched at once; a deprecated term no more, and its place is free.
    renamed = await cast.wangfang.api.patch(f"{TERMS}/{sla['id']}", json={
        "aliases": ["服务等级协议", "服务水平协议"]})
    assert renamed.status_code == 200, renamed.text
    assert await recognise(cast.lina, "服务水平协议") == [("服务水平协议", "SLA")]
    [success] = [t for t in (await cast.lina.api.get(TERMS)).json()["items"]
                 if t["term"] == "客户成功"]
    deprecated = await cast.wangfang.api.patch(f"{TERMS}/{success['id']}",
                                               json={"status": "deprecated"})
    assert deprecated.status_code == 200, deprecated.text
    assert await recognise(cast.lina, "客户成功部") == [("客户", "客户")]


async def test_a_department_only_term_is_found_for_its_readers_only(cast: Cast) -> None:
    await make_term(cast, cast.zhangwei, "客户", "销售部")
    await make_term(cast, cast.zhangwei, "客户成功", "销售部", visibility="department")
    text = "客户成功部"
    # 刘洋 works in 华东区, below 销售部; 张伟 manages it; the owner-admin reads everything.
    for person in (cast.liuyang, cast.zhangwei, cast.linxiaoyan, cast.zhoujianguo):
        assert await recognise(person, text) == [("客户成功", "客户成功")], person.username
    # Others do not know it exists, so 客户 is what they see there.
    for person in (cast.lina, cast.wangfang, cast.alex):
        assert await recognise(person, text) == [("客户", "客户")], person.username


async def test_a_node_rebuilds_its_matcher_only_when_the_glossary_changed(
        cast: Cast, runtime: Runtime) -> None:
    await make_term(cast, cast.wangfang, "SLA", "客服部")
    other_node = MatcherCache()  # another node's: it heard nothing, it reads the revision
    async with runtime.reader() as uow:
        assert [m.term.term for m in (await other_node.matcher_for(uow)).find("SLA")] == [
            "SLA"]
    assert await recognise(cast.lina, "SLA") == [("SLA", "SLA")]
    builds = MATCHERS.builds
    async with runtime.reader() as uow:
        with statements(runtime) as seen:
            await MATCHERS.matcher_for(uow)
            await other_node.matcher_for(uow)
    # Nothing changed: one primary-key read each, no rebuild.
    assert seen == ["SELECT glossary_state.revision FROM glossary_state"] * 2
    assert MATCHERS.builds == builds
    await make_term(cast, cast.lina, "迭代", "研发部", aliases=["Sprint"])
    async with runtime.reader() as uow:
        assert [m.term.term for m in (await other_node.matcher_for(uow)).find(
            "下个 sprint")] == ["迭代"]
    assert other_node.builds == 2
    # A change that cannot move a match (the English name) leaves the matchers be.
    [sla] = [t for t in (await cast.lina.api.get(TERMS)).json()["items"] if t["term"] == "SLA"]
    await cast.wangfang.api.patch(f"{TERMS}/{sla['id']}", json={"english": "SLA"})
    async with runtime.reader() as uow:
        await other_node.matcher_for(uow)
    assert other_node.builds == 2


async def test_recognise_refuses_bad_input_clearly(cast: Cast) -> None:
    await make_term(cast, cast.wangfang, "SLA", "客服部")
    api = cast.lina.api
    longest = "SLA " + "字" * 19_996
    response = await api.post(RECOGNISE, json={"text": longest})
    assert response.status_code == 200
    assert response.json()["items"] == [
        {"start": 0, "end": 3, "term_id": response.json()["items"][0]["term_id"],
         "term": "SLA"}]
    for body in ({"text": "字" * 20_001}, {}, {"text": None}, {"text": 5},
                 {"text": ["SLA"]}, {"text": "SLA", "extra": 1}):
        response = await api.post(RECOGNISE, json=body)
        assert response.status_code == 422, body
        assert error_code(response)
    response = await api.post(RECOGNISE, content=b"{not json",
                              headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    assert error_code(response)
    assert (await api.post(RECOGNISE, json={"text": ""})).json() == {"items": []}
    async with anonymous_client(cast.client) as nobody:
        response = await nobody.post(RECOGNISE, json={"text": "SLA"})
        assert response.status_code == 401


def unfolded(folded: FoldedText) -> list[tuple[str, tuple[int, int], bool, bool]]:
    """Each folded character, where it came from, and whether it starts (ends) its cluster."""
    return [(char, folded.original(i, i + 1), folded.firsts[i] if folded.firsts else True,
             folded.lasts[i] if folded.lasts else True) for i, char in enumerate(folded.text)]


def test_the_quick_fold_agrees_with_the_fold_by_cluster() -> None:
    """Texts of one character to one take a quick path (`str.translate`); every text it
    takes must fold exactly as the cluster-by-cluster fold does."""
    alphabet = ["客", "户", "S", "l", "A", "Ａ", "ｓ", " ", " ", "\u3000", "\n", "\t", "ß",
                "İ", "ﬁ", "㎡", "e", "\u0301", "\u0332", "👍", "🏽", "\u200d", "ｶ", "ﾞ",
                "Ω", "é", "_", "1", "１", "。"]
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert unfolded(fold_text(text)) == unfolded(_fold_by_cluster(text)), repr(text)
