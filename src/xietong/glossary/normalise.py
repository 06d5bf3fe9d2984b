"""The form in which a glossary name and a text are compared: NFKC (full-width ＳＬＡ and
half-width ｶﾅ fold to their ordinary forms, ㎡ to m2), case-folded (SLA, sla and Ｓｌａ are
one word), every run of spaces one space. Names are unique in this form; texts are folded
into it with a map back to where each folded character came from, so a match reports
offsets in the text as written.

A text is folded a cluster at a time: a character with the combining marks that follow it
("e" + U+0301), so that composition happens where it would in the whole string (é is one
character folded) and a match can be told whether it starts or ends inside a cluster (a
term "e" must not match the e of "é" written as e + U+0301). Offsets count code points, as
Python strings (and JSON's characters outside the BMP counted once) do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """NFKC, case-folded, NFKC again (case folding can leave a decomposed form: İ)."""
    return unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", text).casefold())


def normalise_name(name: str) -> str:
    """A name's comparison form: folded, spaces collapsed, trimmed."""
    return " ".join(fold(name).split())


def is_spaceless(char: str) -> bool:
    """Scripts written without spaces between words (Chinese, Japanese kana, Korean
    syllables, Thai …): a term in them matches anywhere, even inside a longer run of
    characters, as 客户 inside 重要客户们."""
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF  # CJK radicals, kana, bopomofo, ideographs
            or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
            or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
            or 0x0E00 <= code <= 0x0EFF  # Thai, Lao
            or 0x1000 <= code <= 0x109F  # Myanmar
            or 0x1780 <= code <= 0x17FF  # Khmer
            or 0x20000 <= code <= 0x3FFFF)  # ideographs beyond the BMP


@lru_cache(maxsize=65_536)
def is_word_char(char: str) -> bool:
    """Part of a word of a spaced script (a Latin letter or digit, an underscore, a mark):
    a match may not start or end next to one, so "SLA" is not found in "SLAB" or "SLA2"."""
    if char == "_" or unicodedata.category(char)[0] == "M":
        return True
    return char.isalnum() and not is_spaceless(char)


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A text in comparison form, with where each folded character came from."""

    text: str
    # Per folded character: the original offsets [start, end) of its cluster; None when
    # every folded character is the original one at the same place.
    starts: list[int] | None = None
    ends: list[int] | None = None
    # Per folded character: whether it is its cluster's first (last) folded character; None
    # when each is a cluster of its own.
    firsts: list[bool] | None = None
    lasts: list[bool] | None = None

    def spans_clusters(self, start: int, end: int) -> bool:
        """Whether folded [start, end) begins and ends at cluster boundaries."""
        if self.firsts is None or self.lasts is None:
            return True
        return self.firsts[start] and self.lasts[end - 1]

    def at_word_edges(self, start: int, end: int) -> bool:
        """Whether folded [start, end) is not glued to a word of a spaced script: its first
        (last) character, when it is a word character, has none before (after) it."""
        text = self.text
        if start > 0 and is_word_char(text[start]) and is_word_char(text[start - 1]):
            return False
        return not (end < len(text) and is_word_char(text[end - 1])
                    and is_word_char(text[end]))

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of folded [start, end)."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def fold_text(text: str) -> FoldedText:
    """`text` folded as names are (`normalise_name`, but spaces collapsed, not trimmed),
    with the map back to it.

    Most texts have no combining marks and fold one character to one (Chinese, ASCII, full
    width): those are folded by `str.translate` in C and mapped back without a loop over
    their characters; the others a cluster at a time."""
    folded = text.translate(_SINGLE_FOLDS)
    # No character folds to nothing, and a combining mark "folds" to two: the same length
    # means no mark and no character folded to more than one.
    if len(folded) == len(text):
        return _collapse_spaces(folded)
    return _fold_by_cluster(text)


class _SingleFolds(dict[int, str]):
    """`str.translate`'s table: each character folded alone (`fold`), any space a space, a
    combining mark two characters (a text with one is folded by cluster). Filled as
    characters are met, up to a bound (a text of every code point must not grow it without
    end)."""

    LIMIT = 100_000

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = "\0\0" if unicodedata.combining(char) else fold(char)
        if folded.isspace():
            folded = " "
        if len(self) < self.LIMIT:
            self[code] = folded
        return folded


_SINGLE_FOLDS = _SingleFolds()
_SPACE_RUN = re.compile(" {2,}")


def _collapse_spaces(folded: str) -> FoldedText:
    """A text folded one character to one: each folded character is its own cluster; runs
    of spaces keep their first."""
    count = len(folded)
    if "  " not in folded:
        return FoldedText(folded)
    pieces: list[str] = []
    starts: list[int] = []
    after = 0
    for run in _SPACE_RUN.finditer(folded):
        kept = run.start() + 1  # the run's first space stays
        pieces.append(folded[after:kept])
        starts.extend(range(after, kept))
        after = run.end()
    pieces.append(folded[after:])
    starts.extend(range(after, count))
    return FoldedText("".join(pieces), starts, [start + 1 for start in starts])


def _fold_by_cluster(text: str) -> FoldedText:
    folded: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    firsts: list[bool] = []
    lasts: list[bool] = []
    combining = unicodedata.combining
    length = len(text)
    index = 0
    last_was_space = False
    while index < length:
        end = index + 1
        while end < length and combining(text[end]):
            end += 1
        cluster = fold(text[index:end])
        if cluster.isspace():
            # Any run of spaces (ideographic, no-break, line breaks) is one space, as in
            # a name; the run's later clusters fold to nothing.
            cluster = "" if last_was_space else " "
            last_was_space = True
        elif cluster:
            last_was_space = False
        count = len(cluster)
        if count:
            folded.append(cluster)
            starts.extend([index] * count)
            ends.extend([end] * count)
            firsts.extend([True] + [False] * (count - 1))
            lasts.extend([False] * (count - 1) + [True])
        index = end
    return FoldedText("".join(folded), starts, ends, firsts, lasts)
