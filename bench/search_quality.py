"""Which Chinese tokenisation finds what people mean: measured on the labelled corpus.

Indexes tests/search/corpus.json three ways in a scratch SQLite FTS5 table (the production
table's definition) and runs the corpus's text queries (not its filter queries, which do
not depend on tokenisation) through the production query parser:

- jieba:        jieba words at index time (precise mode, plus cut_for_search's sub-words)
                and at query time;
- bigram-whole: character bigrams; a query's Chinese run is one substring, however long;
- bigram+jieba: character bigrams; a long query run is split by jieba into words that
                must each occur (what production does).

Prints precision and recall per query group, index size and analysis cost per message.

Run: .venv/bin/python -m bench.search_quality
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xietong.search import fts_sqlite, query, text

CORPUS = Path(__file__).parent.parent / "tests" / "search" / "corpus.json"
TEXT_GROUPS = ("2char", "variant", "longer", "phrase", "english", "mixed", "language",
               "1char", "permission")


@contextmanager
def tokenisation(name: str) -> Iterator[None]:
    original_mode, original_segment = text.SEGMENTATION, text.segment
    text.SEGMENTATION = "jieba" if name == "jieba" else "bigram"
    if name == "bigram-whole":
        text.segment = lambda run: [run]
    try:
        yield
    finally:
        text.SEGMENTATION, text.segment = original_mode, original_segment


def readable(corpus: dict[str, Any], person: str, channel: str) -> bool:
    spec = corpus["channels"][channel]
    return person in spec["members"] or (spec["kind"] == "public" and person != "alex")


def evaluate(name: str, corpus: dict[str, Any]) -> dict[str, Any]:
    messages = [m for m in corpus["messages"] if not m["deleted"]]
    with tokenisation(name), tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "quality.db"
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE search_items (id INTEGER PRIMARY KEY, document TEXT)")
        db.execute("""CREATE VIRTUAL TABLE search_fts USING fts5(document,
                      content='search_items', content_rowid='id',
                      tokenize="ascii tokenchars '_'")""")
        started = time.perf_counter()
        documents = []
        for message in messages:
            analysed = text.analyse(message["text"])
            documents.append((message["id"], fts_sqlite.encode_document(analysed.terms,
                                                                        analysed.extras)))
        analyse_us = (time.perf_counter() - started) / len(messages) * 1e6
        tokens = sum(len(d.split()) for _, d in documents) / len(documents)
        db.executemany("INSERT INTO search_items VALUES (?, ?)", documents)
        db.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        db.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        db.commit()
        index_bytes = sum(row[0] for row in db.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'"))
        channel_of = {m["id"]: m["channel"] for m in messages}
        groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        now = datetime.now(UTC)
        for spec in corpus["queries"]:
            if spec["group"] not in TEXT_GROUPS:
                continue
            parsed = query.parse(spec["q"], now=now)
            match, _ = fts_sqlite.compile_query(parsed.must, parsed.must_not)
            found = {row[0] for row in db.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH ?", (match,))}
            found = {i for i in found if readable(corpus, spec["as"], channel_of[i])}
            expected = set(spec["expect"])
            for key in (spec["group"], "ALL"):
                groups[key][0] += len(found)
                groups[key][1] += len(expected)
                groups[key][2] += len(found & expected)
        db.close()
    return {"tokenisation": name, "analyse_us_per_message": round(analyse_us, 1),
            "tokens_per_message": round(tokens, 1), "fts_index_kib": index_bytes // 1024,
            "groups": {key: {"precision": round(c / h, 3) if h else 1.0,
                             "recall": round(c / e, 3) if e else 1.0, "hits": h, "expected": e}
                       for key, (h, e, c) in sorted(groups.items())}}


def main() -> None:
    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    text.warm_up()
    results = [evaluate(name, corpus) for name in ("jieba", "bigram-whole", "bigram+jieba")]
    print(json.dumps({"benchmark": "search_quality", "messages": len(corpus["messages"]),
                      "results": results}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
