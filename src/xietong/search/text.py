"""Text analysis for search: one normal form, and the tokens documents and queries become.

Normal form: NFKC (full-width ＡＰＩ１２３ becomes API123), traditional characters folded
to simplified with OpenCC (會議 becomes 会议), case-folded, diacritics dropped (café, nǐ).

Chinese has no spaces, so a run of Han (and kana/hangul) characters is indexed as its
overlapping character **bigrams** (报价单 → 报价 价单), plus a marked "tail" token for its
last character (`_单`) so that one-character queries can find a character in any place.
A query for any Chinese string of two or more characters is then the phrase of its
bigrams: it finds exactly the texts containing that string, whatever a segmenter would
have made of them. (jieba segmentation at index time was measured against this on the
labelled corpus, bench/search_quality.py: it finds 93% of the messages holding a searched
two-character word, bigrams 100%; it misses names its dictionary lacks or splits by
context, 钉钉 → 钉/钉, 飞书 → 飞/书, 中台 → 中/台, 没到账 → 没到/账. Bigrams pay for that
with matches across word boundaries, 机会议价 for 会议: precision 0.988 against 1.000.)

jieba is still used at *query* time: a long unquoted Chinese run (上周报价单的事) is split
into its words, each of which must occur, so that typing a sentence finds the messages
about it rather than only those containing the sentence verbatim.

Latin-script words are case-folded and Snowball-stemmed (meetings → meet); a word whose
stem differs from it is also kept in its full form as a marked token (`_meetings`), which
is what prefix queries (`meetin*`) match.

Marked tokens start with "_": user text never produces one, because "_" separates words.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import jieba  # type: ignore[import-untyped]
import opencc
import snowballstemmer  # type: ignore[import-untyped]

# Longer alphanumeric runs (hashes, base64) are cut: PostgreSQL refuses lexemes over 2 KB,
# and nobody types 65 characters of a hash to find it. Queries are cut the same way.
MAX_TOKEN_CHARS = 64
MARK = "_"

Segmentation = Literal["bigram", "jieba"]
# The tokenisation documents are indexed with. "jieba" exists so bench/search_quality.py
# can measure it against bigrams on the same corpus; production indexes bigrams.
SEGMENTATION: Segmentation = "bigram"

_t2s = opencc.OpenCC("t2s")
_stemmer = snowballstemmer.stemmer("english")
_stem_lock = threading.Lock()
_jieba_lock = threading.Lock()
_jieba_ready = False


# Han ideographs, kana and hangul: scripts written without spaces between words.
_CJK_RANGES = ("\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003ffff"
               "\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af")
# A run is a stretch of CJK characters, or of other letters and digits (`[^\W_]` is
# exactly `str.isalnum`); found by the regex engine rather than a Python loop per character.
_RUN = re.compile(f"(?P<cjk>[{_CJK_RANGES}]+)|(?P<word>[^\\W_{_CJK_RANGES}]+)")
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")


def is_cjk(char: str) -> bool:
    """Han ideographs, kana and hangul: scripts written without spaces between words."""
    return _CJK_CHAR.fullmatch(char) is not None


def normalise(text: str) -> str:
    """The normal form both documents and queries are analysed in."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = _t2s.convert(text)
    text = text.casefold()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        # map() over a C function: no Python frame per character (most text has no marks).
        if any(map(unicodedata.combining, decomposed)):
            text = unicodedata.normalize(
                "NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return text


@functools.lru_cache(maxsize=100_000)
def normalise_char(char: str) -> str:
    """`normalise` of one character (may be empty or longer): highlighting maps matches in
    normalised text back to the characters a person typed."""
    return normalise(char)


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The Snowball stem of a plain ASCII word; other words (digits, other scripts) as they are."""
    if len(word) < 3 or not (word.isascii() and word.isalpha()):
        return word
    with _stem_lock:  # the generated stemmer keeps state between calls
        stemmed: str = _stemmer.stemWord(word)
    return stemmed


@dataclass(frozen=True, slots=True)
class Run:
    """A maximal stretch of one kind of character in normalised text: `cjk` or `word`."""

    kind: Literal["cjk", "word"]
    text: str
    start: int  # offset in the normalised text
    # Whether only punctuation (no space, no script change) separates it from the run
    # before: e-mail, PO-2024-0012, v2.0 are one identifier.
    joined: bool


def runs(text: str) -> Iterator[Run]:
    """The runs of normalised `text`; every other character separates them."""
    previous: re.Match[str] | None = None
    for found in _RUN.finditer(text):
        kind: Literal["cjk", "word"] = "cjk" if found.lastgroup == "cjk" else "word"
        start = found.start()
        # Joined: a word run right after a word run, separated by punctuation, not spaces.
        joined = (kind == "word" and previous is not None and previous.lastgroup == "word"
                  and not any(c.isspace() for c in text[previous.end():start]))
        yield Run(kind, found.group(), start, joined)
        previous = found


def bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def _ensure_jieba() -> None:
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(60)
            jieba.initialize()
            _jieba_ready = True


def warm_up() -> None:
    """Load jieba's dictionary now (about a second) rather than on the first query."""
    _ensure_jieba()


def is_warm() -> bool:
    return _jieba_ready


def segment(run: str) -> list[str]:
    """jieba's words of a Chinese run (precise mode)."""
    _ensure_jieba()
    return [w for w in jieba.cut(run, HMM=True) if w.strip()]


def _segment_for_index(run: str) -> list[str]:
    _ensure_jieba()
    return [w for w in jieba.cut_for_search(run, HMM=True) if w.strip()]


@dataclass(frozen=True, slots=True)
class Analysed:
    """A document's tokens: `terms` in order (phrases match positions in them), then
    `extras` (marked tail characters and full forms of stemmed words), unordered."""

    terms: list[str]
    extras: list[str]

    def all_tokens(self) -> list[str]:
        return [*self.terms, *self.extras]


def analyse(text: str, segmentation: Segmentation | None = None) -> Analysed:
    """Tokens of a document, in the normal form."""
    mode = segmentation or SEGMENTATION
    terms: list[str] = []
    extras: dict[str, None] = {}
    for run in runs(normalise(text)):
        if run.kind == "cjk":
            if mode == "jieba":
                words = segment(run.text)
                terms.extend(words)
                for word in _segment_for_index(run.text):
                    if word not in words:
                        extras[word] = None
                continue
            terms.extend(bigrams(run.text))
            if len(run.text) > 1:
                extras[MARK + run.text[-1]] = None
        else:
            word = run.text[:MAX_TOKEN_CHARS]
            stemmed = stem(word)
            terms.append(stemmed)
            if stemmed != word:
                extras[MARK + word] = None
    return Analysed(terms, list(extras))


# --- query side ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Seq:
    """Tokens at consecutive positions (one token: just that token); with `prefix`, the
    last token only has to start with the given text."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Expr, ...]


Expr = Seq | AnyOf | AllOf


def _one_of(items: Sequence[Expr]) -> Expr:
    unique = tuple(dict.fromkeys(items))
    return unique[0] if len(unique) == 1 else AnyOf(unique)


def _all_of(items: Sequence[Expr]) -> Expr:
    unique = tuple(dict.fromkeys(items))
    return unique[0] if len(unique) == 1 else AllOf(unique)


def single_char(char: str) -> Expr:
    """One Chinese character anywhere: the start of a bigram (or a lone character), or a
    run's last character."""
    return AnyOf((Seq((char,), prefix=True), Seq((MARK + char,))))


def word_prefix(word: str) -> Expr:
    """A Latin word starting with `word`: its stem or its full form starts with it."""
    word = word[:MAX_TOKEN_CHARS]
    return AnyOf((Seq((word,), prefix=True), Seq((MARK + word,), prefix=True)))


def _cjk_tokens(run: str, mode: Segmentation) -> list[str]:
    if mode == "jieba":
        return segment(run)
    return bigrams(run)


def phrase(text: str, segmentation: Segmentation | None = None) -> Expr | None:
    """Normalised `text` as one phrase: its tokens at consecutive positions. A phrase that
    ends in a lone Chinese character ("Q3报") lets that character begin a longer run."""
    mode = segmentation or SEGMENTATION
    tokens: list[str] = []
    found = list(runs(text))
    for run in found:
        if run.kind == "cjk":
            tokens.extend(_cjk_tokens(run.text, mode))
        else:
            tokens.append(stem(run.text[:MAX_TOKEN_CHARS]))
    if not tokens:
        return None
    if (len(found) == 1 and found[0].kind == "cjk" and len(found[0].text) == 1
            and mode == "bigram"):
        return single_char(found[0].text)
    last = found[-1]
    prefix = last.kind == "cjk" and len(last.text) == 1 and mode == "bigram"
    return Seq(tuple(tokens), prefix=prefix)


# Characters a person types between the words they are looking for (的 in 报价单的事):
# dropped from long unquoted Chinese runs once jieba has split them.
SHORT_RUN = 3


def chunk_units(text: str, segmentation: Segmentation | None = None) -> list[Expr]:
    """What an unquoted, space-free piece of a query must match, each unit separately.

    Latin pieces joined by punctuation are one phrase (e-mail, PO-2024-0012); a change of
    script starts a new unit (Q3报价: q3 and 报价, found whether or not the text has a space
    between them); a Chinese run of up to three characters is one substring; a longer one
    is split by jieba into its words of two or more characters.
    """
    mode = segmentation or SEGMENTATION
    units: list[Expr] = []
    word_group: list[str] = []

    def close_words() -> None:
        if word_group:
            units.append(Seq(tuple(stem(w[:MAX_TOKEN_CHARS]) for w in word_group)))
            word_group.clear()

    for run in runs(text):
        if run.kind == "word":
            if not run.joined:
                close_words()
            word_group.append(run.text)
            continue
        close_words()
        if mode == "jieba":
            words = segment(run.text)
            units.extend(Seq((w,)) for w in ([w for w in words if len(w) > 1] or words))
        elif len(run.text) == 1:
            units.append(single_char(run.text))
        elif len(run.text) <= SHORT_RUN:
            units.append(Seq(tuple(bigrams(run.text))))
        else:
            words = [w for w in segment(run.text) if len(w) > 1] or [run.text]
            units.extend(Seq(tuple(bigrams(w))) for w in words)
    close_words()
    return list(dict.fromkeys(units))


def chunk_expr(text: str, segmentation: Segmentation | None = None) -> Expr | None:
    """An unquoted query chunk: all of its units; when there are several, the chunk as a
    phrase is added as an alternative, so that texts holding it verbatim rank higher."""
    units = chunk_units(text, segmentation)
    if not units:
        return None
    if len(units) == 1:
        return units[0]
    whole = phrase(text, segmentation)
    together = _all_of(units)
    if whole is None:
        return together
    return _one_of([together, whole])


def expr_tokens(expr: Expr) -> Iterator[Seq]:
    """Every Seq in an expression."""
    if isinstance(expr, Seq):
        yield expr
    else:
        for item in expr.items:
            yield from expr_tokens(item)
