"""PostgreSQL: documents as `tsvector` values (under a GIN index), queries as `tsquery`.

Both are written here from our own tokens (positions included), never by PostgreSQL's
parser, so they hold exactly the tokens SQLite's FTS5 table holds and both databases give
the same answers. pg_trgm is not used: its trigrams cannot index the two-character
Chinese words people search for most, and the bigram tokens already match substrings.
"""

from __future__ import annotations

from collections.abc import Sequence

from xietong.search.text import AllOf, AnyOf, Expr, Seq

SOURCE = "search_items AS s"
MATCH = "s.document @@ CAST(:match AS tsquery)"
NEWEST_FIRST = "s.id DESC"
# Ranked in the outer query only, over the RANK_WINDOW newest matches' documents.
RANKED_COLUMN = "s.document AS document"
RELEVANCE = "ts_rank(w.document, CAST(:match AS tsquery), 1)"
AGE_DAYS = "(EXTRACT(EPOCH FROM (CAST(:now AS timestamptz) - w.created_at)) / 86400.0)"
EXCLUDE_ONLY = "NOT (s.document @@ CAST(:exclude AS tsquery))"
# tsvector keeps positions up to this; later tokens share it.
MAX_POSITION = 16383


def encode_document(terms: Sequence[str], unordered: Sequence[str]) -> str:
    """A tsvector literal: ordered tokens with their positions, the rest without."""
    positions: dict[str, list[int]] = {}
    # Positions come in increasing order, so each list is sorted and without repeats,
    # except at MAX_POSITION, which every later token shares.
    for index, token in enumerate(terms[:MAX_POSITION], start=1):
        positions.setdefault(token, []).append(index)
    for token in terms[MAX_POSITION:]:
        at = positions.setdefault(token, [])
        if not at or at[-1] != MAX_POSITION:
            at.append(MAX_POSITION)
    # PostgreSQL keeps at most 255 positions per lexeme.
    parts = [f"'{token}':{','.join(map(str, at[:255]))}" for token, at in positions.items()]
    parts.extend(f"'{token}'" for token in dict.fromkeys(unordered) if token not in positions)
    return " ".join(parts)


def compile_expr(expr: Expr) -> str:
    if isinstance(expr, Seq):
        tokens = [f"'{token}'" for token in expr.tokens]
        if expr.prefix:
            tokens[-1] += ":*"
        return tokens[0] if len(tokens) == 1 else "(" + " <-> ".join(tokens) + ")"
    joiner = " | " if isinstance(expr, AnyOf) else " & "
    assert isinstance(expr, AnyOf | AllOf)
    return "(" + joiner.join(compile_expr(item) for item in expr.items) + ")"


def compile_query(must: Sequence[Expr], must_not: Sequence[Expr]) -> tuple[str | None, str | None]:
    excluded = " | ".join(compile_expr(e) for e in must_not) if must_not else None
    if not must:
        return None, excluded
    positive = " & ".join(compile_expr(e) for e in must)
    if excluded is None:
        return positive, None
    return f"({positive}) & !({excluded})", None
