"""What directory search and sorting match on: names, usernames and their pinyin.

张三 is found by "张", "zhangsan", "zhang" and "zs"; 单雄信 also by "shanxiongxin",
because a surname can be read differently from the same character elsewhere.
"""

from __future__ import annotations

import unicodedata

from pypinyin import Style, lazy_pinyin, pinyin


def fold(text: str) -> str:
    """Case- and width-insensitive form: full-width ＡＢＣ and ａｂｃ compare equal to abc."""
    return unicodedata.normalize("NFKC", text).lower()


def _readings(display_name: str) -> list[list[str]]:
    """Pinyin syllables of the name, one list per reading of the surname."""
    syllables = [fold(s) for s in lazy_pinyin(display_name, style=Style.NORMAL)]
    readings = [syllables]
    if display_name and "\u4e00" <= display_name[0] <= "\u9fff":
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


def sort_key_for(display_name: str) -> str:
    return " ".join(_readings(display_name)[0])[:300]


def search_term(query: str) -> str:
    """The query as matched against `search_text`: folded, spaces removed ("zhang san")."""
    return "".join(fold(query).split())
