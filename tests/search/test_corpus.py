"""The labelled corpus against this backend: precision and recall per group of queries,
recall on two-character Chinese words, and no hit anyone may not read.

The figures are printed (pytest -s shows them) and asserted against the targets."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tests.conftest import BACKEND
from tests.helpers import Cast, Person
from tests.search.corpus import Loaded, corpus, load_corpus

PAGE = 100


@dataclass
class Score:
    hits: int = 0
    expected: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.hits if self.hits else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


async def all_hits(person: Person, q: str) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    while True:
        response = await person.api.get("/api/v1/search",
                                        params={"q": q, "limit": PAGE, "offset": len(hits)})
        assert response.status_code == 200, response.text
        page = response.json()
        hits.extend(page["items"])
        if len(page["items"]) < PAGE:
            assert page["total"] == len(hits), (q, page["total"], len(hits))
            return hits


async def test_corpus_precision_recall_and_no_leaks(cast: Cast) -> None:
    loaded: Loaded = await load_corpus(cast)
    data = corpus()
    assert len(data["messages"]) >= 2000
    assert len(data["queries"]) >= 40
    assert loaded.indexed == sum(not m["deleted"] for m in data["messages"])
    groups: dict[str, Score] = defaultdict(Score)
    total = Score()
    leaks: list[tuple[str, int]] = []
    misses: list[str] = []
    corpus_id = {db_id: corpus_id for corpus_id, db_id in loaded.message_ids.items()}
    answers = hashlib.sha256()
    for query in data["queries"]:
        person = cast.people[query["as"]]
        hits = await all_hits(person, query["q"])
        found = {hit["message"]["id"] for hit in hits}
        assert len(found) == len(hits), f"duplicate hits for {query['q']}"
        for hit in hits:
            message = hit["message"]
            if not loaded.readable(query["as"], loaded.channel_of[message["id"]]):
                leaks.append((query["q"], message["id"]))
            assert not message["deleted"]
            assert "<mark>" in hit["highlight"] or not query["need"], (query["q"], hit)
        answers.update(f"{query['q']}|{sorted(corpus_id[i] for i in found)}\n".encode())
        expected = {loaded.message_ids[i] for i in query["expect"]}
        correct = len(found & expected)
        for score in (groups[query["group"]], total):
            score.hits += len(found)
            score.expected += len(expected)
            score.correct += correct
        if correct < len(expected) or correct < len(found):
            misses.append(f"{query['q']!r} as {query['as']}: {len(found)} found, "
                          f"{len(expected)} expected, {correct} right")
    print(f"\nsearch corpus on {BACKEND}: {len(data['messages'])} messages, "
          f"{len(data['queries'])} queries")
    # The same digest on SQLite and PostgreSQL: both found exactly the same messages.
    print(f"answers digest {answers.hexdigest()[:16]}")
    print(f"{'group':<12}{'precision':>10}{'recall':>8}{'hits':>7}{'expected':>10}")
    for name, score in [*sorted(groups.items()), ("ALL", total)]:
        print(f"{name:<12}{score.precision:>10.3f}{score.recall:>8.3f}{score.hits:>7}"
              f"{score.expected:>10}")
    print("imperfect queries:\n  " + "\n  ".join(misses))
    assert leaks == []
    assert groups["2char"].recall >= 0.98
    assert groups["permission"].precision == 1.0 or groups["permission"].recall >= 0.98
    assert total.recall >= 0.97
    assert total.precision >= 0.9
