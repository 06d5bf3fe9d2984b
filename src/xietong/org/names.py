"""What directory search and sorting match on: names, usernames and their pinyin.

张三 is found by "张", "zhangsan", "zhang" and "zs"; 单雄信 also by "shanxiongxin",
because a surname can be read differently from the same character elsewhere. Labels that
are not people (channels, departments) are found the same way: 研发部 by "研发",
"yanfa" and "yfb".
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from enum import IntEnum
from functools import lru_cache
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin, pinyin


def fold(text: str) -> str:
    """Case- and width-insensitive form: full-width ＡＢＣ and ａｂｃ compare equal to abc."""
    return unicodedata.normalize("NFKC", text).lower()


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _readings(display_name: str) -> list[list[str]]:
    """Pinyin syllables of the name, one list per reading of the surname."""
    syllables = [fold(s) for s in lazy_pinyin(display_name, style=Style.NORMAL)]
    readings = [syllables]
    if display_name and _is_han(display_name[0]):
        for surname in pinyin(display_name[0], style=Style.NORMAL, heteronym=True)[0][:3]:
            if surname != syllables[0]:
                readings.append([surname, *syllables[1:]])
    return readings


def search_text_for(*, username: str, display_name: str, email: str | None,
                    title: str | None) -> str:
    parts = [fold(display_name).replace(" ", ""), username]
    for syllables in _readings(display_name):
        parts.append("".join(syllables).replace(" ", ""))
        parts.append("".join(s[0] for s in syllables if s))
    if email:
        parts.append(email)
    if title:
        parts.append(fold(title).replace(" ", ""))
    return " ".join(dict.fromkeys(p for p in parts if p))[:600]


_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=4096)
def label_search_text(label: str) -> str:
    """What a search matches a label on (a channel's or a department's name): the label
    folded, without spaces (and without punctuation), its pinyin run together, and the
    initials of its words ("API 讨论组": "api讨论组 apitaolunzu atlz"). Cached: pinyin takes
    about a millisecond a label, and department names are matched on every directory search."""
    folded = fold(label)
    words = [w for piece in lazy_pinyin(folded, style=Style.NORMAL)
             for w in _WORD.findall(fold(piece))]
    parts = [folded.replace(" ", ""), "".join(_WORD.findall(folded)), "".join(words),
             "".join(w[0] for w in words)]
    return " ".join(dict.fromkeys(p for p in parts if p))


def sort_key_for(display_name: str) -> str:
    return " ".join(_readings(display_name)[0])[:300]


def search_term(query: str) -> str:
    """The query as matched against `search_text`: folded, spaces removed ("zhang san")."""
    return "".join(fold(query).split())


# --- how well typed text matches a name (mention suggestions rank by it) ------------------

class Tier(IntEnum):
    """How a typed text matches a name, best first."""

    # The name itself starts with it: 李 → 李娜, ale → Alex, 研发 → 研发部.
    NAME_START = 0
    # The name's pinyin or initials from the start, or the username: li, lin, ln → 李娜.
    PINYIN_START = 1
    # A later syllable or word starts with it (a given name): na, 娜 → 李娜, yan → 林晓燕.
    LATER_WORD = 2
    # The pinyin from the start, read with a rarer reading of the surname: zheng → 丁一
    # (丁 is mostly dīng), li → 任盈盈 (任 is rarely lín).
    OTHER_READING = 3
    # Elsewhere in the name, its pinyin or the username: iao → 林晓燕.
    INSIDE = 4
    # Only in the title or e-mail: 研发 → 李娜 (研发总监).
    DETAILS = 5


class NameMatch(NamedTuple):
    tier: Tier
    # The typed text stops inside a syllable or word ("lin" for 李娜's "li na" is not
    # partial, "li" for 林's "lin" is), or, for NAME_START, short of the whole name.
    partial: bool


@functools.lru_cache(maxsize=8192)
def _words(display_name: str) -> tuple[tuple[str, ...], ...]:
    """The name's syllables (Chinese) and words (other scripts), per surname reading."""
    return tuple(tuple(word for syllable in reading for word in syllable.split())
                 for reading in _readings(display_name))


def _start_match(term: str, words: Sequence[str]) -> bool | None:
    """None when `term` starts neither the words run together nor their initials;
    otherwise whether it stops inside a word (initials are whole words each)."""
    if not words:
        return None
    if "".join(w[0] for w in words).startswith(term):
        return False
    if "".join(words).startswith(term):
        return len(term) not in set(itertools.accumulate(len(w) for w in words))
    return None


def name_match(term: str, display_name: str, *, username: str = "",
               details: Iterable[str | None] = ()) -> NameMatch | None:
    """How `term` (a `search_term`) matches a person or department name, or None when
    it does not. An empty term matches everything at the best tier."""
    name = fold(display_name).replace(" ", "")
    if name.startswith(term):
        return NameMatch(Tier.NAME_START, partial=name != term)
    readings = _words(display_name)
    found: list[NameMatch] = []
    for reading, words in enumerate(readings):
        for start in range(len(words)):
            partial = _start_match(term, words[start:])
            if partial is not None:
                tier = (Tier.LATER_WORD if start else
                        Tier.OTHER_READING if reading else Tier.PINYIN_START)
                found.append(NameMatch(tier, partial))
                break
    if username.startswith(term):
        found.append(NameMatch(Tier.PINYIN_START, partial=username != term))
    if term and _is_han(term[0]) and term in name[1:]:
        found.append(NameMatch(Tier.LATER_WORD, partial=False))  # each character is a syllable
    if found:
        return min(found)
    inside = [name, username, *("".join(words) for words in readings),
              *("".join(word[0] for word in words) for words in readings)]
    if any(term in text for text in inside):
        return NameMatch(Tier.INSIDE, partial=False)
    if any(text and term in fold(text).replace(" ", "") for text in details):
        return NameMatch(Tier.DETAILS, partial=False)
    return None
