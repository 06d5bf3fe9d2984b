"""How cheap recognising glossary terms is: the matcher (`glossary.matcher`: pyahocorasick
over every active term's names, leftmost-longest choice in Python, offsets mapped back
through the folded text) with `--terms` terms of 2 aliases each, run over a message of
`--chars` characters; and on a scratch installation, what a node pays to build it from the
database and to learn that it need not (the revision read).

    .venv/bin/python -m bench.glossary [--terms 5000] [--chars 2000] [--runs 500] [--postgres]

Prints one JSON document:
- `build`: milliseconds to build the automaton from names already in memory, and its names;
- `message`: its length, how many matches it holds;
- `find_us` (p50/p95/p99/max microseconds per message, `--runs` runs): with every term
  readable, with a reader filter (department-only terms), on text made only of the
  characters terms are made of (a match at nearly every character: the worst case), and
  the fold of the text alone (`fold_text`);
- `database`: the terms written straight into a scratch database (`--postgres`: PostgreSQL),
  then `build_matcher_ms` (reading the names and building, what a node does after a change),
  `revision_check_us` (what every call costs when nothing changed, p50/p95) and
  `recognise_us` (revision check and find, in one reader unit of work, p50/p95).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert

from bench.common import (
    Environment,
    add_database_options,
    machine_info,
    percentile,
    report_on_scratch,
)
from xietong.core.clock import utcnow
from xietong.glossary.matcher import STATE_ID, MatchedTerm, Matcher, MatcherCache
from xietong.glossary.models import GlossaryName, GlossaryState, GlossaryTerm
from xietong.glossary.normalise import fold_text, normalise_name

# Common characters of business Chinese, so terms and text look alike.
HAN = ("客户成功服务等级协议回款收线索商机毛利迭代灰度发布验收工单首响时间账期良率试用期目标关键"
       "结果排期缺陷需求评审上线交付采购合同报价审批预算成本渠道市场品牌活动运营数据分析指标"
       "质量生产车间物料库存发货物流售后投诉满意度续约增购培训招聘薪酬绩效考核财务报表税务")
FILLER = "，。、的了在是和与对把被从向为就都也还要会能可以这个那些我们他们请今天明天下周"
# Ordinary text around the terms: common characters that no generated term uses.
COMMON = "".join(dict.fromkeys(
    c for c in ("一是不有人中大上个国我以要他时来用生到作地于出就分对成会可主年动同也能下过子"
                "说种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现"
                "实加量都两体制机当使点从本去把性好应开它合还因由其些然前外天政四日那社义事平"
                "形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没")
    if c not in HAN))
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def make_names(rng: random.Random, count: int) -> list[tuple[str, list[str]]]:
    """`count` terms with two aliases each, every name unique in its normalised form: four
    in five Chinese (2–6 characters), one in five a Latin acronym (2–5 letters)."""
    seen: set[str] = set()

    def fresh() -> str:
        while True:
            if rng.random() < 0.2:
                name = "".join(rng.choice(LATIN) for _ in range(rng.randint(2, 5)))
            else:
                name = "".join(rng.choice(HAN) for _ in range(rng.randint(2, 6)))
            key = normalise_name(name)
            if key not in seen:
                seen.add(key)
                return name

    return [(fresh(), [fresh(), fresh()]) for _ in range(count)]


def make_message(rng: random.Random, terms: list[tuple[str, list[str]]], chars: int) -> str:
    """A message of `chars` characters: Chinese with punctuation, a few English words, and a
    term or alias every 60 characters or so (some in full width); around them, characters
    no term uses, as in a real message whose terms are the ones it names."""
    parts: list[str] = []
    length = 0
    while length < chars:
        roll = rng.random()
        if roll < 0.03:
            name, aliases = rng.choice(terms)
            piece = rng.choice([name, *aliases])
            if rng.random() < 0.2:
                piece = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in piece)
        elif roll < 0.06:
            piece = rng.choice([" release ", " deadline ", " OK ", " 👍", " review "])
        elif roll < 0.35:
            piece = rng.choice(FILLER)
        else:
            piece = rng.choice(COMMON)
        parts.append(piece)
        length += len(piece)
    return "".join(parts)[:chars]


def micros(work: Callable[[], object], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        samples.append((time.perf_counter() - began) * 1e6)
    return {"p50": round(statistics.median(samples), 1),
            "p95": round(percentile(samples, 0.95), 1),
            "p99": round(percentile(samples, 0.99), 1), "max": round(max(samples), 1)}


def in_memory(args: argparse.Namespace) -> tuple[dict[str, Any], list[tuple[str, list[str]]]]:
    rng = random.Random(args.seed)
    terms = make_names(rng, args.terms)
    matched = [MatchedTerm(id=i + 1, term=name, department_id=(i % 10) + 1,
                           visibility="department" if i % 50 == 0 else "company",
                           owner_ids=frozenset()) for i, (name, _) in enumerate(terms)]
    names = [(normalise_name(name), i + 1) for i, (term, aliases) in enumerate(terms)
             for name in (term, *aliases)]
    began = time.perf_counter()
    matcher = Matcher(names, matched)
    build_ms = (time.perf_counter() - began) * 1000
    message = make_message(rng, terms, args.chars)
    chinese_only = "".join(rng.choice(HAN) for _ in range(args.chars))
    found = matcher.find(message)
    # A reader of departments 1–3 (the department-only terms of others are left out).
    def readable(term: MatchedTerm) -> bool:
        return (term.visibility == "company" or (term.department_id or 0) <= 3)
    report = {
        "terms": args.terms, "names": matcher.name_count,
        "build": {"automaton_ms": round(build_ms, 1)},
        "message": {"chars": len(message), "matches": len(found),
                    "sample": message[:80]},
        "find_us": {
            "every_term_readable": micros(lambda: matcher.find(message), args.runs),
            "with_reader_filter": micros(lambda: matcher.find(message, readable), args.runs),
            # Worst case: every character one that terms are made of (matches everywhere).
            "term_characters_only": micros(lambda: matcher.find(chinese_only), args.runs),
            "fold_text_alone": micros(lambda: fold_text(message), args.runs),
        },
    }
    return report, terms


async def in_database(args: argparse.Namespace, environment: Environment,
                      terms: list[tuple[str, list[str]]]) -> dict[str, Any]:
    runtime = environment.runtime()
    await runtime.start()
    try:
        now = utcnow()
        began = time.perf_counter()
        async with runtime.unit_of_work() as uow:
            await uow.session.execute(insert(GlossaryTerm), [
                {"id": i + 1, "term": name, "english": "", "definition": f"{name}的定义。",
                 "definition_html": f"<p>{name}的定义。</p>", "examples": [],
                 "department_id": None, "visibility": "company", "status": "active",
                 "sort_key": name, "search_text": name, "created_at": now,
                 "updated_at": now} for i, (name, _) in enumerate(terms)])
            await uow.session.execute(insert(GlossaryName), [
                {"term_id": i + 1, "name": name, "normalised": normalise_name(name),
                 "is_alias": position > 0, "position": position}
                for i, (term, aliases) in enumerate(terms)
                for position, name in enumerate((term, *aliases))])
            await uow.session.execute(insert(GlossaryState),
                                      [{"id": STATE_ID, "revision": uuid.uuid4().hex}])
        written_s = time.perf_counter() - began
        cache = MatcherCache()
        builds = []
        for _ in range(5):
            fresh = MatcherCache()
            async with runtime.reader() as uow:
                began = time.perf_counter()
                await fresh.matcher_for(uow)
                builds.append((time.perf_counter() - began) * 1000)
        async with runtime.reader() as uow:
            matcher = await cache.matcher_for(uow)
        message = make_message(random.Random(args.seed + 1), terms, args.chars)
        checks, recognised = [], []
        for _ in range(args.runs):
            async with runtime.reader() as uow:
                began = time.perf_counter()
                assert await cache.matcher_for(uow) is matcher
                checks.append((time.perf_counter() - began) * 1e6)
            async with runtime.reader() as uow:
                began = time.perf_counter()
                (await cache.matcher_for(uow)).find(message)
                recognised.append((time.perf_counter() - began) * 1e6)
        assert cache.builds == 1
        return {
            "database": environment.database, "terms_written_s": round(written_s, 2),
            "build_matcher_ms": {"median": round(statistics.median(builds), 1),
                                 "min": round(min(builds), 1), "max": round(max(builds), 1)},
            "revision_check_us": {"p50": round(statistics.median(checks), 1),
                                  "p95": round(percentile(checks, 0.95), 1)},
            "recognise_us": {"p50": round(statistics.median(recognised), 1),
                             "p95": round(percentile(recognised, 0.95), 1)},
        }
    finally:
        await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--terms", type=int, default=5_000)
    parser.add_argument("--chars", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    add_database_options(parser)
    args = parser.parse_args()
    if args.terms < 1 or args.chars < 1 or args.runs < 1:
        parser.error("--terms, --chars and --runs must be positive")
    report, terms = in_memory(args)

    async def run(options: argparse.Namespace, environment: Environment) -> dict[str, Any]:
        return {**report, "database": await in_database(options, environment, terms),
                "machine": machine_info()}

    report_on_scratch(args, run)


if __name__ == "__main__":
    main()
