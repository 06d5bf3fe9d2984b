"""SQLite FTS5: how documents and queries are written for the `search_fts` table.

The table indexes `search_items.document`, the analysed tokens joined by spaces; its
tokenizer splits exactly there (see migration 0004). Queries quote every token, so nothing
a person types can reach FTS5's own syntax.
"""

from __future__ import annotations

from collections.abc import Sequence

from xietong.search.text import AllOf, AnyOf, Expr, Seq

SOURCE = "search_fts CROSS JOIN search_items AS s ON s.id = search_fts.rowid"
MATCH = "search_fts MATCH :match"
NEWEST_FIRST = "search_fts.rowid DESC"
# bm25() is lower for better matches, and only callable where the MATCH is: computed in
# the inner query (RANKED_COLUMN) and read by the outer one (RELEVANCE).
RANKED_COLUMN = "-bm25(search_fts) AS relevance"
RELEVANCE = "w.relevance"
AGE_DAYS = "(julianday(:now) - julianday(w.created_at))"
# Only exclusions: the complement of what they match.
EXCLUDE_ONLY = "s.id NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :exclude)"


def encode_document(terms: Sequence[str], unordered: Sequence[str]) -> str:
    return " ".join([*terms, *unordered])


def compile_expr(expr: Expr) -> str:
    if isinstance(expr, Seq):
        return '"' + " ".join(expr.tokens) + '"' + ("*" if expr.prefix else "")
    joiner = " OR " if isinstance(expr, AnyOf) else " AND "
    assert isinstance(expr, AnyOf | AllOf)
    return "(" + joiner.join(compile_expr(item) for item in expr.items) + ")"


def compile_query(must: Sequence[Expr], must_not: Sequence[Expr]) -> tuple[str | None, str | None]:
    """(MATCH for the hits, MATCH for exclusions when there is nothing positive)."""
    excluded = " OR ".join(compile_expr(e) for e in must_not) if must_not else None
    if not must:
        return None, excluded
    positive = " AND ".join(compile_expr(e) for e in must)
    if excluded is None:
        return positive, None
    return f"({positive}) NOT ({excluded})", None
