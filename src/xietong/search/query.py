"""The search query language, parsed into what must and must not match, and filters.

    报价单 Q3报价            words: each must occur (Chinese runs as substrings)
    "季度 销售报告"           an exact phrase
    -草稿  NOT 草稿           must not occur
    报价 OR 询价             either
    deploy*                  prefix
    in:#销售部  in:销售部     channel (by name, among those one may read)
    from:@zhangwei from:张伟  sender (username or display name); from:@me
    @me                      messages that mention me (directly, my department, or @all)
    has:file  is:thread      with an attachment / in a thread
    before:2024-05-01  after:2024-05-01  on:2024-05-01   (also 2024年5月1日, today, 昨天)

Nothing a person types is an error: unbalanced quotes close at the end, stray operators
and punctuation are ignored, an unknown `filter:` is searched as text. What could not be
used is reported in `warnings`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from xietong.search import text as analysis
from xietong.search.text import Expr, Seq

# Bounds on the work one query can ask for; the HTTP layer also bounds its length.
MAX_ITEMS = 24
MAX_FILTER_VALUES = 10

QUOTES = {'"': '"', "“": "”", "”": "”", "「": "」", "『": "』"}
OPERATORS = {"AND", "OR", "NOT", "NEAR"}
_NEAR_DISTANCE = re.compile(r"NEAR/\d+")  # FTS5's and Lucene's "within N words"
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?")


@dataclass(frozen=True, slots=True)
class Highlight:
    """What to mark in a hit: a Chinese string, a word stem, or a word prefix."""

    kind: str  # "cjk", "stem", "prefix"
    text: str


@dataclass
class ParsedQuery:
    must: list[Expr] = field(default_factory=list)
    must_not: list[Expr] = field(default_factory=list)
    channel_names: list[str] = field(default_factory=list)
    sender_names: list[str] = field(default_factory=list)
    from_me: bool = False
    mentions_me: bool = False
    has_file: bool = False
    in_thread: bool = False
    sent_before: datetime | None = None
    sent_after: datetime | None = None
    highlights: list[Highlight] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(self.channel_names or self.sender_names or self.from_me
                    or self.mentions_me or self.has_file or self.in_thread
                    or self.sent_before or self.sent_after)

    @property
    def is_empty(self) -> bool:
        return not (self.must or self.must_not or self.has_filters)


@dataclass
class _Item:
    text: str
    quoted: bool = False
    negated: bool = False


def _lex(query: str) -> list[_Item | str]:
    """Split into items (words, quoted phrases) and the bare operators between them."""
    out: list[_Item | str] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
            continue
        negated = False
        if char == "-" and i + 1 < n and not query[i + 1].isspace():
            negated, i = True, i + 1
            char = query[i]
        if char in QUOTES:
            close = QUOTES[char]
            end = next((j for j in range(i + 1, n) if query[j] in (close, '"')), n)
            out.append(_Item(query[i + 1:end], quoted=True, negated=negated))
            i = end + 1
            continue
        j = i
        while j < n and not query[j].isspace():
            # A quote inside a word (in:"项目 群") opens a quoted value.
            if query[j] in QUOTES and j > i and query[j - 1] == ":":
                close = QUOTES[query[j]]
                end = next((k for k in range(j + 1, n) if query[k] in (close, '"')), n)
                out.append(_Item(query[i:j] + query[j + 1:end], negated=negated))
                j = end + 1
                break
            j += 1
        else:
            word = query[i:j]
            # FTS syntax people paste (NEAR(a b), AND(x)): the operator is not a word.
            head, paren, rest = word.partition("(")
            if paren and head in OPERATORS:
                word = rest
            if not negated and (word in OPERATORS or _NEAR_DISTANCE.fullmatch(word)):
                out.append(word)
            else:
                out.append(_Item(word, negated=negated))
        i = j
    return out


def _local_day(value: str, today: date) -> date | None:
    lowered = value.strip().lower()
    if lowered in ("today", "今天", "今日"):
        return today
    if lowered in ("yesterday", "昨天", "昨日"):
        return today - timedelta(days=1)
    match = _DATE.fullmatch(lowered)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        return None


# Dates are clamped into this range: `before:9999-12-31` (or year 1) would otherwise
# overflow Python's datetime when shifted by a time zone or a day. Nobody wrote a message
# outside it, so clamping changes no answer.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def clamp_instant(value: datetime) -> datetime:
    """`value` in UTC (a naive one taken as UTC), clamped into [EARLIEST, LATEST]."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value.year <= EARLIEST.year:
        return EARLIEST
    if value.year >= LATEST.year:
        return LATEST
    return value.astimezone(UTC)


def _start_of(day: date, zone: timezone) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def parse(query: str, *, now: datetime, utc_offset_minutes: int = 480) -> ParsedQuery:
    """Parse `query`. Dates are calendar days at `utc_offset_minutes` (China by default)."""
    parsed = ParsedQuery()
    zone = timezone(timedelta(minutes=utc_offset_minutes))
    today = now.astimezone(zone).date()
    pending_not = False
    pending_or = False
    items = _lex(unicodedata.normalize("NFKC", query))
    used = 0
    for entry in items:
        if isinstance(entry, str):
            if entry == "NOT":
                pending_not = True
            elif entry == "OR" and parsed.must:
                pending_or = True
            continue
        if used >= MAX_ITEMS:
            parsed.warnings.append(f"Only the first {MAX_ITEMS} terms are used.")
            break
        used += 1
        negated = entry.negated or pending_not
        pending_not = False
        if not entry.quoted and _apply_filter(parsed, entry.text, negated, today, zone):
            pending_or = False
            continue
        expr = _text_expr(parsed, entry, negated)
        if expr is None:
            continue
        if negated:
            parsed.must_not.append(expr)
        elif pending_or:
            previous = parsed.must.pop()
            parsed.must.append(analysis.AnyOf((previous, expr)))
        else:
            parsed.must.append(expr)
        pending_or = False
    return parsed


def _text_expr(parsed: ParsedQuery, item: _Item, negated: bool) -> Expr | None:
    normalised = analysis.normalise(item.text)
    if item.quoted:
        expr = analysis.phrase(normalised)
    elif (normalised.endswith("*") and (word := normalised.rstrip("*"))
          and word.isalnum() and word.isascii()):
        expr = analysis.word_prefix(word)
        if not negated:
            parsed.highlights.append(Highlight("prefix", word))
        return expr
    else:
        expr = analysis.chunk_expr(normalised)
    if expr is not None and not negated:
        parsed.highlights.extend(_highlights(normalised))
    return expr


def _highlights(normalised: str) -> list[Highlight]:
    found: list[Highlight] = []
    for run in analysis.runs(normalised):
        if run.kind == "word":
            found.append(Highlight("stem", analysis.stem(run.text[:analysis.MAX_TOKEN_CHARS])))
        elif len(run.text) <= analysis.SHORT_RUN:
            found.append(Highlight("cjk", run.text))
        else:
            words = [w for w in analysis.segment(run.text) if len(w) > 1] or [run.text]
            found.extend(Highlight("cjk", w) for w in words)
    return found


def _strip_sigil(value: str, sigil: str) -> str:
    return value[1:] if value.startswith(sigil) else value


def _apply_filter(parsed: ParsedQuery, raw: str, negated: bool, today: date,
                  zone: timezone) -> bool:
    """Take `raw` as a filter if it is one; False means it is text to search for."""
    if raw.lower() == "@me" and not negated:
        parsed.mentions_me = True
        return True
    name, colon, value = raw.partition(":")
    if not colon:
        return False
    name = name.lower()
    if name not in ("in", "from", "has", "is", "before", "after", "on", "during"):
        return False
    if negated:
        parsed.warnings.append(f"{raw}: filters cannot be negated; ignored.")
        return True
    value = value.strip()
    if not value:
        parsed.warnings.append(f"{raw}: the filter needs a value; ignored.")
        return True
    if name == "in":
        if len(parsed.channel_names) < MAX_FILTER_VALUES:
            parsed.channel_names.append(_strip_sigil(value, "#"))
    elif name == "from":
        person = _strip_sigil(value, "@")
        if person.lower() == "me":
            parsed.from_me = True
        elif len(parsed.sender_names) < MAX_FILTER_VALUES:
            parsed.sender_names.append(person)
    elif name == "has":
        if value.lower() in ("file", "files", "attachment", "attachments", "文件", "附件"):
            parsed.has_file = True
        else:
            parsed.warnings.append(f"{raw}: only has:file is known; ignored.")
    elif name == "is":
        if value.lower() in ("thread", "threads", "reply", "replies", "话题", "回复"):
            parsed.in_thread = True
        else:
            parsed.warnings.append(f"{raw}: only is:thread is known; ignored.")
    else:
        day = _local_day(value, today)
        if day is None:
            parsed.warnings.append(f"{raw}: not a date (use 2024-05-01); ignored.")
            return True
        day = min(max(day, EARLIEST.date()), LATEST.date())
        start, end = _start_of(day, zone), _start_of(day + timedelta(days=1), zone)
        if name == "before":
            parsed.sent_before = min(filter(None, (parsed.sent_before, start)))
        elif name == "after":
            parsed.sent_after = max(filter(None, (parsed.sent_after, end)))
        else:
            parsed.sent_after = max(filter(None, (parsed.sent_after, start)))
            parsed.sent_before = min(filter(None, (parsed.sent_before, end)))
    return True


def describe(expr: Expr) -> str:
    """A readable form of an expression, for tests and logs."""
    if isinstance(expr, Seq):
        body = " ".join(expr.tokens)
        return f'"{body}"' + ("*" if expr.prefix else "")
    joiner = " OR " if isinstance(expr, analysis.AnyOf) else " AND "
    return "(" + joiner.join(describe(item) for item in expr.items) + ")"
