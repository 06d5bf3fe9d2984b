"""Rules for human-entered text: names people see, identifiers people type.

Names may be in any script and may carry emoji (王芳 🌸, أحمد); what they may not carry
is invisible trickery: control characters and the bidirectional overrides/isolates
that make "txt.exe" display as "exe.txt".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")

# What no text input may carry, in any field, path or query parameter (checked for every
# request by `app.ControlCharacters`): C0 controls other than tab, line feed and carriage
# return; DEL and the C1 controls; and surrogate code points, which JSON's "\ud800" decodes
# to but which no UTF-8 text can hold. PostgreSQL refuses a NUL in text outright, the other
# controls are invisible in every UI and terminal, and neither database can store a lone
# surrogate. Emoji written as a JSON surrogate pair decode to one character and pass.
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def control_character_in(value: str) -> str | None:
    """The first character of `value` that text input may not carry, or None."""
    found = _CONTROL_CHARACTER.search(value)
    return found.group() if found else None


def clean_name(value: str) -> str:
    """NFC-normalise and trim a name; refuse control and bidi-override characters."""
    value = unicodedata.normalize("NFC", value).strip()
    for char in value:
        if char in _BIDI_CONTROLS:
            raise ValueError("must not contain bidirectional control characters")
        if unicodedata.category(char) in ("Cc", "Cs", "Co") or char in "\u2028\u2029":
            raise ValueError("must not contain control characters")
    if not value or not any(unicodedata.category(c)[0] in "LNS" for c in value):
        raise ValueError("must contain a visible letter, digit or symbol")
    return value


def clean_optional(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return clean_name(value) if value else None


_USERNAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")


def clean_username(value: str) -> str:
    value = value.strip().lower()
    if not _USERNAME.fullmatch(value):
        raise ValueError("may use only a-z, 0-9, '.', '_' and '-', starting and ending "
                         "with a letter or digit")
    return value


def clean_email(value: str) -> str:
    value = value.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        raise ValueError("is not an email address")
    # Control, format (bidi) and unassigned characters have no place in an address, and a
    # NUL would not even reach PostgreSQL's text columns.
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise ValueError("is not an email address")
    return value


def fits(max_length: int) -> Callable[[str | None], str | None]:
    """A check of the length *after* cleaning: NFC and lower-casing can lengthen text
    (U+0958 becomes two code points), and the column holds only `max_length` characters.
    The `StringConstraints` limit before cleaning stays, so huge input is refused cheaply."""
    def check(value: str | None) -> str | None:
        if value is not None and len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters once normalised")
        return value
    return check


Username = Annotated[str, StringConstraints(min_length=2, max_length=32),
                     AfterValidator(clean_username)]
DisplayName = Annotated[str, StringConstraints(max_length=64), AfterValidator(clean_name),
                        AfterValidator(fits(64))]
DepartmentName = Annotated[str, StringConstraints(max_length=64), AfterValidator(clean_name),
                           AfterValidator(fits(64))]
TokenName = Annotated[str, StringConstraints(max_length=100), AfterValidator(clean_name),
                      AfterValidator(fits(100))]
ShortText = Annotated[str | None, StringConstraints(max_length=100),
                      AfterValidator(clean_optional), AfterValidator(fits(100))]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(clean_email),
                  AfterValidator(fits(254))]
Phone = Annotated[str, StringConstraints(max_length=32, pattern=r"^\+?[0-9 ()-]{3,32}$")]
# Long enough for passphrases, short enough that hashing one cannot be used to burn CPU.
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]
LoginName = Annotated[str, StringConstraints(min_length=1, max_length=254)]


def like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere; its own % and _ are literal (ESCAPE '\\')."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
