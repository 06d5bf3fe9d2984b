"""Whatever is typed into the search box or put in the URL, the answer is a 200 with
sensible results or a 4xx JSON error, never a 500. (The fixed list of nasty queries is in
test_search_api.py; these add syntax people paste from other engines, extreme dates,
control characters, undecodable bytes, and a few hundred random strings.)"""

from __future__ import annotations

import random
import re
from typing import Any

from tests.helpers import Cast, create_channel, error_code, post
from tests.search.test_search_api import API, ids, search

RESULT_KEYS = {"items", "total", "total_capped", "warnings"}
# What no text input may hold (tests/test_control_characters.py): a 422, not a search.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


async def test_other_engines_syntax_is_searched_as_words(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "语法", "public")
    both = await post(cast.zhangwei, channel_id, "报价单 body 合同 ready")
    quote_only = await post(cast.zhangwei, channel_id, "报价单还没发")
    for q in ("报价 AND 合同", "报价 NEAR 合同", "NEAR(报价 合同)", "报价 NEAR/3 合同",
              "+报价 +合同", "报价^ 合同", "(报价 合同)", "{报价 合同}", "报价 && 合同"):
        assert ids(await search(cast.lina, q)) == [both["id"]], q
    # FTS5 column filters and PostgreSQL's tsquery operators are just text.
    assert ids(await search(cast.lina, "body:报价")) == [both["id"]]
    assert ids(await search(cast.lina, "document:报价 search_fts:合同")) == []
    # (the operators are dropped as punctuation; the three words remain, all in `both`)
    assert ids(await search(cast.lina, "报价 | 合同 & !ready <-> :*")) == [both["id"]]
    assert set(ids(await search(cast.lina, "报价单*"))) == {both["id"], quote_only["id"]}
    assert ids(await search(cast.lina, "报价 -合同")) == [quote_only["id"]]
    assert ids(await search(cast.lina, "报价 NOT 合同")) == [quote_only["id"]]
    # Blank queries and queries of nothing searchable are empty answers, not errors.
    for q in ("", " ", "\t\n\u3000", "!!!", "。，、", "***", '""', "--", "🙂🙂", "\t\r\n"):
        found = await search(cast.lina, q)
        assert (found["items"], found["total"]) == ([], 0), repr(q)
    # Control characters are no query but a mistake, as in any other text input.
    response = await cast.lina.api.get(f"{API}/search", params={"q": "\x00\x01\x7f"})
    assert response.status_code == 422
    assert error_code(response) == "control_characters"


async def test_dates_out_of_any_calendar_are_handled(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "日期", "public")
    sent = await post(cast.zhangwei, channel_id, "月底对账")
    everything: list[int] = [sent["id"]]
    nothing: list[int] = []
    for q, found in (("对账 before:9999-12-31", everything), ("对账 after:9999-12-31", nothing),
                     ("对账 on:9999-12-31", nothing), ("对账 before:0001-01-01", nothing),
                     ("对账 after:0001-01-01", everything), ("对账 after:1900-01-01", everything),
                     ("对账 before:2024-02-30", everything), ("对账 after:0000-00-00", everything),
                     ("对账 before:99999-01-01", everything), ("对账 on:昨天", nothing)):
        assert ids(await search(cast.lina, q)) == found, q
    for params, found in (({"before": "9999-12-31T23:59:59"}, [sent["id"]]),
                          ({"before": "9999-12-31T23:59:59-12:00"}, [sent["id"]]),
                          ({"after": "0001-01-01T00:00:00"}, [sent["id"]]),
                          ({"after": "0001-01-01T00:00:00+14:00"}, [sent["id"]]),
                          ({"before": "0001-01-01T00:00:00", "tz": 840}, []),
                          ({"after": "9999-12-31T00:00:00Z"}, [])):
        assert ids(await search(cast.lina, "对账", **params)) == found, params
    for params in ({"before": "2024-02-30"}, {"after": "tomorrow"}, {"before": "1e309"},
                   {"after": ""}):
        response = await cast.lina.api.get(f"{API}/search", params={"q": "对账", **params})
        assert response.status_code == 422, params
        assert error_code(response) == "invalid"


async def test_bad_parameters_are_clear_4xx_json(cast: Cast) -> None:
    for params in ({"limit": 10**30}, {"limit": -1}, {"limit": "ten"}, {"offset": -5},
                   {"offset": 10**9}, {"offset": "next-page-token"}, {"channel_id": -1},
                   {"channel_id": "#销售部"}, {"sender_id": "@zhangwei"}, {"tz": "Asia/Shanghai"},
                   {"sort": "relevance;DROP"}, {"q": "x" * 10_000}, {"q": "报价 " * 400}):
        response = await cast.lina.api.get(f"{API}/search", params={"q": "报价", **params})
        assert response.status_code == 422, params
        assert error_code(response) == "invalid"
    # Bytes that are not UTF-8 (replaced, so nothing searchable is left) and a query given
    # twice: answered, with nothing found. NULs: refused, as in any text input.
    for raw in ("q=%FF%FE%FD", "q=%ED%A0%80", "q=%E6%8A", "q=a&q=b"):
        response = await cast.lina.api.get(f"{API}/search?{raw}")
        assert response.status_code == 200, raw
        assert set(response.json()) == RESULT_KEYS, raw
        assert response.json()["items"] == [], raw
    response = await cast.lina.api.get(f"{API}/search?q=%00%00")
    assert response.status_code == 422
    assert error_code(response) == "control_characters"


# Pieces random queries are made of: syntax of this language and of FTS5 / tsquery / SQL,
# scripts, width and case variants, control and invisible characters.
PIECES = ['"', "“", "”", "「", "-", "*", "(", ")", ":", "#", "@", "^", "|", "&", "!", "<->",
          ":*", "'", ";", "\\", "%", "_", "/", "\x00", "\x1f", "\x7f", "\u200b", "\u202e",
          "\ufeff", "\ud7ff", "\U0001f642", "\u3000", " ", " ", " ", "\t", "\n", "in:", "from:",
          "has:", "is:", "before:", "after:", "on:", "@me", "OR", "AND", "NOT", "NEAR",
          "body:", "报价", "會議", "单", "ＡＰＩ", "Q3", "é", "ß", "ｶ", "한", "2025-13-45",
          "9999-12-31", "0001-01-01", "今天", "x" * 70, "1=1", "--", "/*", "*/"]


def random_char(rng: random.Random) -> str:
    """Any character a URL can carry (UTF-8 has no encoding for lone surrogates)."""
    code = rng.randrange(1, 0x2FFFF)
    return chr(code) if not 0xD800 <= code <= 0xDFFF else "\ufffd"


def random_query(rng: random.Random) -> str:
    parts = [rng.choice(PIECES) if rng.random() < 0.8 else random_char(rng)
             for _ in range(rng.randrange(1, 25))]
    return "".join(parts)[:1000]


async def test_random_queries_never_fail(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "随机", "public")
    await post(cast.zhangwei, channel_id, "报价单 会议 API Q3 deploy meetings 1=1 -- 'x'")
    rng = random.Random(20250630)  # fixed: a failure names its query and reproduces
    failures: list[tuple[str, int, Any]] = []
    for _ in range(300):
        q = random_query(rng)
        response = await cast.lina.api.get(
            f"{API}/search", params={"q": q, "sort": rng.choice(["relevance", "date"])})
        if CONTROL_CHARACTER.search(q):
            if response.status_code != 422 or error_code(response) != "control_characters":
                failures.append((q, response.status_code, response.text[:200]))
        elif response.status_code != 200 or set(response.json()) != RESULT_KEYS:
            failures.append((q, response.status_code, response.text[:200]))
    assert failures == []
