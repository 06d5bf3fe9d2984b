"""Highlight snippets: the hit's text around its first match, HTML-escaped, with the
matched words wrapped in <mark>. Nothing of the message's own markup survives escaping."""

from __future__ import annotations

import html
from collections.abc import Sequence

from xietong.search import text as analysis
from xietong.search.query import Highlight

SNIPPET_CHARS = 200
CONTEXT_BEFORE = 40


def _normalised_with_origins(original: str) -> tuple[str, list[int]]:
    """The normal form of `original`, character by character, and for each of its
    characters the index of the original character it came from."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(original):
        for produced in analysis.normalise_char(char):
            chars.append(produced)
            origins.append(index)
    return "".join(chars), origins


def match_spans(original: str, wanted: Sequence[Highlight]) -> list[tuple[int, int]]:
    """Spans [start, end) of `original` that match what the query looked for, merged."""
    if not wanted or not original:
        return []
    normalised, origins = _normalised_with_origins(original)
    chinese = {w.text for w in wanted if w.kind == "cjk"}
    stems = {w.text for w in wanted if w.kind == "stem"}
    prefixes = tuple(w.text for w in wanted if w.kind == "prefix")
    found: list[tuple[int, int]] = []
    for run in analysis.runs(normalised):
        if run.kind == "word":
            word = run.text[:analysis.MAX_TOKEN_CHARS]
            if analysis.stem(word) in stems or (prefixes and (
                    word.startswith(prefixes) or analysis.stem(word).startswith(prefixes))):
                found.append((run.start, run.start + len(run.text)))
            continue
        for needle in chinese:
            at = run.text.find(needle)
            while at >= 0:
                found.append((run.start + at, run.start + at + len(needle)))
                at = run.text.find(needle, at + 1)
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found):
        first, last = origins[start], origins[end - 1] + 1
        if spans and first <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], last))
        else:
            spans.append((first, last))
    return spans


def snippet(original: str, wanted: Sequence[Highlight]) -> str:
    """Safe HTML: at most about SNIPPET_CHARS characters of `original`, starting a little
    before the first match, with every match in <mark>."""
    spans = match_spans(original, wanted)
    start = 0
    if len(original) > SNIPPET_CHARS and spans:
        start = max(0, min(spans[0][0] - CONTEXT_BEFORE, len(original) - SNIPPET_CHARS))
    end = min(len(original), start + SNIPPET_CHARS)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(html.escape(original[cursor:span_start]))
        out.append("<mark>" + html.escape(original[span_start:span_end]) + "</mark>")
        cursor = span_end
    out.append(html.escape(original[cursor:end]))
    if end < len(original):
        out.append("…")
    return "".join(out)
