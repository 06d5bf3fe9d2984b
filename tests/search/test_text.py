"""Analysis and the query language, as pure functions: what documents and queries become."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from xietong.search import fts_postgres, fts_sqlite
from xietong.search.highlight import snippet
from xietong.search.query import Highlight, describe, parse
from xietong.search.text import analyse, normalise

NOW = datetime(2025, 6, 30, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "normal"), [
    ("ＡＰＩ１２３", "api123"), ("會議報價單", "会议报价单"), ("Café NǏ HǍO", "cafe ni hao"),
    ("Straße", "strasse"), ("㈱", "(株)"), ("ｶﾀｶﾅ", "カタカナ"),
])
def test_normal_form(raw: str, normal: str) -> None:
    assert normalise(raw) == normal


def test_documents_are_bigrams_tails_and_stems() -> None:
    analysed = analyse("我们Q3报价单，meetings 在 ＡＰＩ接口")
    assert analysed.terms == ["我们", "q3", "报价", "价单", "meet", "在", "api", "接口"]
    assert analysed.extras == ["_们", "_单", "_meetings", "_口"]


def query_of(q: str) -> tuple[list[str], list[str]]:
    parsed = parse(q, now=NOW)
    return [describe(e) for e in parsed.must], [describe(e) for e in parsed.must_not]


@pytest.mark.parametrize(("q", "must", "must_not"), [
    ("会议", ['"会议"'], []),
    ("報價單", ['"报价 价单"'], []),
    ("会", ['("会"* OR "_会")'], []),
    ("Q3报价", ['(("q3" AND "报价") OR "q3 报价")'], []),
    ("报价单的事", ['"报价 价单"'], []),
    ('"季度 销售报告"', ['"季度 销售 售报 报告"'], []),
    ("meetings -draft", ['"meet"'], ['"draft"']),
    ("NOT 草稿 报价", ['"报价"'], ['"草稿"']),
    ("报价 OR 询价", ['("报价" OR "询价")'], []),
    ("deploy*", ['("deploy"* OR "_deploy"*)'], []),
    ("PO-2025-0612", ['"po 2025 0612"'], []),
    ("NEAR(报价 合同)", ['"报价"', '"合同"'], []),
    ('"unbalanced', ['"unbalanc"'], []),
    ("！！！ * - ()", [], []),
])
def test_queries(q: str, must: list[str], must_not: list[str]) -> None:
    assert query_of(q) == (must, must_not)


def test_filters() -> None:
    parsed = parse('in:#销售部 in:"项目 群" from:@zhangwei from:me @me has:file is:thread '
                   "before:2025-05-01 after:2025年3月1日 has:magic before:soon 报价", now=NOW)
    assert parsed.channel_names == ["销售部", "项目 群"]
    assert parsed.sender_names == ["zhangwei"]
    assert (parsed.from_me, parsed.mentions_me, parsed.has_file, parsed.in_thread) == (
        True, True, True, True)
    # Calendar days in China (UTC+8): before the 1st of May starts at 16:00 UTC on 30 April.
    assert parsed.sent_before == datetime(2025, 4, 30, 16, tzinfo=UTC)
    assert parsed.sent_after == datetime(2025, 3, 1, 16, tzinfo=UTC)
    assert len(parsed.warnings) == 2
    assert [describe(e) for e in parsed.must] == ['"报价"']


def test_both_backends_are_written_from_the_same_tokens() -> None:
    parsed = parse("Q3报价 -草稿 deploy*", now=NOW)
    assert fts_sqlite.compile_query(parsed.must, parsed.must_not) == (
        '((("q3" AND "报价") OR "q3 报价") AND ("deploy"* OR "_deploy"*)) NOT ("草稿")', None)
    assert fts_postgres.compile_query(parsed.must, parsed.must_not) == (
        "((('q3' & '报价') | ('q3' <-> '报价')) & ('deploy':* | '_deploy':*)) & !('草稿')",
        None)
    analysed = analyse("报价 报价")
    assert fts_sqlite.encode_document(analysed.terms, [*analysed.extras, "__u3"]) == (
        "报价 报价 _价 __u3")
    assert fts_postgres.encode_document(analysed.terms, [*analysed.extras, "__u3"]) == (
        "'报价':1,2 '_价' '__u3'")


def test_snippets_escape_and_mark() -> None:
    wanted = [Highlight("cjk", "报价"), Highlight("stem", "meet"), Highlight("prefix", "depl")]
    assert snippet("<b>報價</b> Meetings & deployment",
                   wanted) == ("&lt;b&gt;<mark>報價</mark>&lt;/b&gt; <mark>Meetings</mark> &amp; "
                               "<mark>deployment</mark>")
    assert snippet("no match here", wanted) == "no match here"
