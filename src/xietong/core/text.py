"""Rules for human-entered text: names people see, identifiers people type.

Names may be in any script and may carry emoji (王芳 🌸, أحمد, 👨‍👩‍👧); what they may not
carry is invisible trickery: control characters, the bidirectional overrides/isolates
that make "txt.exe" display as "exe.txt", zero-width and other format characters that
make two names look alike while they differ, and names that are only blank-looking
characters. Free text (a channel's topic and description) may carry any script and line
breaks but no bidirectional controls either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated

import emoji
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
                           "\u061c")

# Characters that draw nothing but blank space although Unicode calls them letters or
# symbols: the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0) and the blank braille pattern
# (U+2800). With the space separators (Zs) they are what "visually blank" means: a name of
# nothing else is refused, and they are trimmed from a name's ends like spaces.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_ZWJ = "\u200d"
_TAGS = range(0xE0020, 0xE0080)  # tag characters: 🏴 + "gbsct" in tags + U+E007F is Scotland

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


def is_blank_looking(char: str) -> bool:
    return char.isspace() or char in _BLANK_LOOKING or unicodedata.category(char) == "Zs"


def _trim_blank(value: str) -> str:
    start, end = 0, len(value)
    while start < end and is_blank_looking(value[start]):
        start += 1
    while end > start and is_blank_looking(value[end - 1]):
        end -= 1
    return value[start:end]


def invisible_characters_in(value: str) -> list[str]:
    """The format characters (Unicode category Cf: U+200B zero-width space, U+200C ZWNJ,
    U+200D ZWJ, U+2060 word joiner, U+FEFF, U+00AD soft hyphen, tags …) in `value` that are
    not part of an emoji.

    The one legitimate use of them in a name is inside an emoji sequence: ZWJ joins
    👨‍👩‍👧 and 👩‍💻, tag characters spell the flags of England or Scotland. So a ZWJ is
    allowed where it is inside a known emoji, or stands between two emoji (a sequence
    Unicode does not list, which displays as the emoji side by side); tags only inside a
    known emoji. Everything else of the category is refused, ZWNJ too: Persian and Indic
    spelling uses it between letters, but a name reads the same without it, and allowing it
    would let "张伟" and "张\u200c伟" be two different people who look alike.
    """
    found: list[str] = []
    spans: list[tuple[int, int]] | None = None
    for index, char in enumerate(value):
        if unicodedata.category(char) != "Cf":
            continue
        if char == _ZWJ or ord(char) in _TAGS:
            if spans is None:
                spans = [(m["match_start"], m["match_end"]) for m in emoji.emoji_list(value)]
            if any(start < index < end for start, end in spans):
                continue
            if char == _ZWJ and any(end == index for _, end in spans) and any(
                    start == index + 1 for start, _ in spans):
                continue
        found.append(char)
    return found


def clean_name(value: str) -> str:
    """NFC-normalise and trim a name (spaces and blank-looking characters at either end);
    refuse control characters, bidi controls, format characters outside emoji
    (`invisible_characters_in`) and names with nothing visible. Each refusal has its own
    error type (`control_characters`, `bidi_control`, `invisible_characters`, `blank`)."""
    value = _trim_blank(unicodedata.normalize("NFC", value))
    for char in value:
        if char in _BIDI_CONTROLS:
            raise PydanticCustomError(
                "bidi_control", "must not contain bidirectional control characters")
        if unicodedata.category(char) in ("Cc", "Cs", "Co") or char in "\u2028\u2029":
            raise PydanticCustomError("control_characters", "must not contain control characters")
    if invisible_characters_in(value):
        raise PydanticCustomError(
            "invisible_characters",
            "must not contain zero-width or other invisible format characters (outside an emoji)")
    if not any(unicodedata.category(c)[0] in "LNS" and not is_blank_looking(c) for c in value):
        raise PydanticCustomError("blank", "must contain a visible letter, digit or symbol")
    return value


def same_name_key(display_name: str) -> str:
    """The form in which two display names are one name to a reader: NFC, case-folded,
    every run of blank-looking characters one space, trimmed. "Zhang Wei", "zhang  wei" and
    "ZHANG WEI\u3164" share a key; so do "Straße" and "STRASSE"."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", display_name).casefold())
    return " ".join("".join(" " if is_blank_looking(c) else c for c in folded).split())


def refuse_format_characters(value: str | None) -> str | None:
    """For addresses (an avatar URL): no format character (Cf) has a place in one."""
    if value is not None and any(unicodedata.category(char) == "Cf" for char in value):
        raise PydanticCustomError(
            "invisible_characters", "must not contain zero-width, bidi or other format characters")
    return value


def refuse_bidi_controls(value: str) -> str:
    """Free text (a topic, a description) is kept as typed, in any script and with line
    breaks, but may not carry the bidirectional controls names may not carry either: they
    reorder what a reader sees ("txt.exe" shown as "exe.txt") far beyond the field."""
    if any(char in _BIDI_CONTROLS for char in value):
        raise PydanticCustomError(
            "bidi_control", "must not contain bidirectional control characters")
    return value


def clean_optional(value: str | None) -> str | None:
    """A name that may be left out: blank (spaces or blank-looking characters) means none."""
    if value is None:
        return None
    value = _trim_blank(value)
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
FreeText = Annotated[str, AfterValidator(refuse_bidi_controls)]
# Long enough for passphrases, short enough that hashing one cannot be used to burn CPU.
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]
LoginName = Annotated[str, StringConstraints(min_length=1, max_length=254)]


_BARE_SHORTCODES = frozenset({"+1", "-1"})


def reaction_emoji(value: str) -> str | None:
    """The emoji a reaction names, or None when it names none.

    A reaction is one emoji (👍, 👍🏽, 🇨🇳, 👨‍👩‍👧, #️⃣) or a known shortcode in colons:
    GitHub/Slack aliases (":thumbsup:", ":+1:", ":heart:") and Unicode CLDR names
    (":thumbs_up:"); of bare words only "+1" and "-1", the old way to vote (a bare "a" or
    "ok" is a word, not 🅰️ or 🆗). Both are answered as the fully qualified emoji, so that "+1",
    ":thumbsup:" and "👍" are one reaction, and "❤" and "❤️" (with VS16) too, whichever a
    client sends; a reaction is stored and announced only in that form. A lone skin-tone
    modifier or regional-indicator letter is a component of emoji, not one.
    """
    value = unicodedata.normalize("NFC", value.strip())
    if not emoji.is_emoji(value):
        name = f":{value}:" if value in _BARE_SHORTCODES else value
        if not (len(name) > 2 and name[0] == name[-1] == ":"):
            return None
        for language in ("alias", "en"):
            found = emoji.emojize(name, language=language)
            if found != name and emoji.is_emoji(found):
                value = found
                break
        else:
            return None
    qualified = emoji.emojize(emoji.demojize(value))
    data = emoji.EMOJI_DATA.get(qualified)
    if data is None or data["status"] == emoji.STATUS["component"]:
        return None
    return qualified


def like_escaped(term: str) -> str:
    """`term` inside a LIKE pattern: its own %, _ and \\ are literal (ESCAPE '\\')."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere; its own % and _ are literal (ESCAPE '\\')."""
    return f"%{like_escaped(term)}%"


def decode_text_file(data: bytes) -> str | None:
    """The text of an uploaded text file, as people's systems save them: by its byte-order
    mark (UTF-8 or UTF-16), else UTF-8 if it decodes as UTF-8, else GB18030 (the superset of
    the GBK that Chinese Windows saves in). None when it is none of these, or holds a NUL,
    which no text file has (some binary format)."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text
    return None
