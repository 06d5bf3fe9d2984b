"""Where an item stands among its siblings (a task in its board column, a page under its
parent): a string that sorts between its neighbours'.

Moving an item writes one row — its new rank, between the two it now sits between — however
long the list. Ranks are digits and lower-case letters compared byte by byte (the column is
in the "C" collation on PostgreSQL: `RankString`), never ending in "0", so there is always
room between two of them. Inserting at one spot again and again lengthens ranks by about a
character every five moves; a list whose ranks grow past `MAX_LENGTH` is spread out again.
"""

from __future__ import annotations

from sqlalchemy import String

# Byte order on PostgreSQL too: the default collation might not be.
RankString = String(64).with_variant(String(64, collation="C"), "postgresql")

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_BASE = len(DIGITS)
# Past this the column is renumbered (`spread`); the database column holds 64.
MAX_LENGTH = 40


def is_rank(value: str) -> bool:
    return (0 < len(value) <= 64 and value[-1] != "0"
            and all(c in DIGITS for c in value))


def between(before: str | None, after: str | None) -> str:
    """A rank greater than `before` (None: the start) and less than `after` (None: the end).
    `before` < `after` when both are given."""
    low = before or ""
    high = after
    if high is not None and low >= high:
        raise ValueError(f"no rank between {before!r} and {after!r}")
    digits: list[str] = []
    position = 0
    while True:
        low_digit = DIGITS.index(low[position]) if position < len(low) else 0
        high_digit = (DIGITS.index(high[position]) if high is not None and position < len(high)
                      else _BASE)
        if low_digit == high_digit:  # a shared prefix: keep it
            digits.append(DIGITS[low_digit])
            position += 1
            continue
        middle = (low_digit + high_digit) // 2
        if middle > low_digit:
            digits.append(DIGITS[middle])
            return "".join(digits)
        # Adjacent digits: keep the lower one; anything after it is below `high`.
        digits.append(DIGITS[low_digit])
        position += 1
        high = None


def spread(count: int) -> list[str]:
    """`count` ranks in order, evenly apart: a column renumbered."""
    width = 1
    while _BASE ** width <= count * 2:
        width += 1
    step = _BASE ** width // (count + 1)
    ranks = []
    for n in range(1, count + 1):
        value, text = n * step, ""
        for _ in range(width):
            value, digit = divmod(value, _BASE)
            text = DIGITS[digit] + text
        ranks.append(text.rstrip("0") or DIGITS[1])
    return ranks
