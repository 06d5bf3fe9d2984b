"""Text that goes into a spreadsheet someone will open (exports, CSV and Excel)."""

from __future__ import annotations

from typing import TypeVar

# A cell starting so is a formula to a spreadsheet: a name or an answer "=HYPERLINK(…)"
# would run when the file is opened (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

V = TypeVar("V")


def as_cell(value: V) -> V | str:
    """`value` as a spreadsheet shows it, never evaluates it: text that would read as a
    formula gets a leading apostrophe; numbers and empty cells are as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
