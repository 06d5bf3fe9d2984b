"""Who a message mentions: @username, @显示名, @部门名 and @all. Pure: no database.

A send goes in two steps, so that only plausible names are loaded:

    candidates = mention_candidates(text)          # strings to look up, `name IN (...)`
    directory = MentionDirectory(people=..., departments=...)  # what the lookup found
    mentions = find_mentions(text, directory)

Rules:
- An @ (or full-width ＠) starts a mention at the start of the text or after any character
  that is not an ASCII letter, digit or '_': "请@李娜" mentions, "a@b.com" does not.
- `@username` is ASCII and case-insensitive; it runs over [a-z0-9._-] and trailing '.', '_'
  and '-' are not part of it ("@zhangwei." and "@zhangwei你好" mention zhangwei).
- Display names and department names match exactly (after NFC normalisation) and need no
  delimiter after them: Chinese has none ("@张伟你好"). A name ending in an ASCII letter or
  digit must not run on into another one ("@Alex" is not in "@Alexander").
- The longest match wins ("@张伟伟" is 张伟伟 when both exist). At equal length the narrower
  reading wins: @all/@channel/@所有人/@全体成员, then a username, then a display name, then
  a department. So a person whose name is also a department's is mentioned alone: a
  department notifies many people, and the writer can still reach it by a longer name.
- A name shared by several people (two 张伟) or departments mentions all of them: a missed
  notification is worse than an extra one. Clients should insert @username when a name
  is ambiguous.
- Mentions in inline code, code blocks and link targets do not count, and neither does an
  escaped "\\@" or an "&#64;": the text is read through the same Markdown grammar that
  renders it, so what looks like code to the reader is code here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, NamedTuple

from xietong.chat.markdown import message_tokens

ALL_WORDS: Final = frozenset({"all", "channel", "所有人", "全体成员"})
# Longest text after an @ that mention_candidates offers for lookup. Longer names (they
# may have 64 characters) are reachable by @username.
MAX_NAME_CHARS: Final = 32
# Bound on one lookup's size; a message naming more distinct things than this allows
# (about 60 different mentions) has its later ones not looked up, so not mentioned.
MAX_CANDIDATES: Final = 2000

_AT: Final = re.compile("[@＠]")
_USERNAME_RUN: Final = re.compile(r"[A-Za-z0-9._-]+")
# Where the text after an @ stops being a plausible name: line breaks and other
# whitespace (a single space may be inside a name, "外部顾问 Alex"), another @, sentence
# punctuation, quotes and brackets. A name holding one of these is reachable by @username.
_NAME_STOP: Final = re.compile(
    r"[^\S ]|[@＠,，。.!！?？;；:：、\"“”'‘’()（）\[\]【】<>《》「」『』]")
# Stands in for an escaped or entity-encoded @: keeps the text's shape, starts nothing.
_NOT_AN_AT: Final = "\n"

_RANK_ALL: Final = 0
_RANK_USERNAME: Final = 1
_RANK_PERSON: Final = 2
_RANK_DEPARTMENT: Final = 3


@dataclass(frozen=True, slots=True)
class Mentions:
    user_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()
    all: bool = False


class _Target(NamedTuple):
    rank: int
    user_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()
    all: bool = False


_EVERYONE: Final = _Target(_RANK_ALL, all=True)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _is_ascii_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


@dataclass(frozen=True)
class MentionDirectory:
    """The people and departments a message may mention, as the caller looked them up:
    `people` maps user id to (username, display name), `departments` id to name.

    Usually built from the rows that match `mention_candidates(text)`; restrict it to
    whoever may be notified (channel members, say) and the rest is simply not mentioned.
    """

    people: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    departments: Mapping[int, str] = field(default_factory=dict)
    _usernames: dict[str, _Target] = field(init=False, repr=False, compare=False)
    _names: dict[str, _Target] = field(init=False, repr=False, compare=False)
    _name_lengths: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        usernames: dict[str, _Target] = {w: _EVERYONE for w in ALL_WORDS if w.isascii()}
        names: dict[str, _Target] = {w: _EVERYONE for w in ALL_WORDS if not w.isascii()}
        for user_id, (username, display_name) in self.people.items():
            _add(usernames, username.strip().lower(), _Target(_RANK_USERNAME, (user_id,)))
            _add(names, _nfc(display_name.strip()), _Target(_RANK_PERSON, (user_id,)))
        for department_id, name in self.departments.items():
            _add(names, _nfc(name.strip()), _Target(_RANK_DEPARTMENT, (), (department_id,)))
        object.__setattr__(self, "_usernames", usernames)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_name_lengths", tuple(sorted({len(n) for n in names},
                                                               reverse=True)))

    def _longest_match(self, text: str, start: int) -> tuple[int, _Target] | None:
        """The name that `text[start:]` begins with, by the rules in the module docstring."""
        best: tuple[int, _Target] | None = None
        run = _USERNAME_RUN.match(text, start)
        if run:
            username = run.group().rstrip("._-").lower()
            target = self._usernames.get(username)
            if target is not None:
                best = (len(username), target)
        best_length = best[0] if best else 0
        for length in self._name_lengths:
            if length <= best_length:
                break
            end = start + length
            if end > len(text):
                continue
            target = self._names.get(text[start:end])
            if target is None:
                continue
            if not _may_end_name(text, end):
                continue
            return (length, target)
        return best


    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """For rendering: where `text` mentions someone, as (index of the @, end of the
        name, what it names: "user:7" — namesakes "user:7 9" —, "department:3" or "all"),
        by the same rules as `find_mentions`."""
        return [(at, end, _names(target)) for at, end, target in _matches(text, self)]


def _names(target: _Target) -> str:
    if target.all:
        return "all"
    if target.user_ids:
        return "user:" + " ".join(map(str, target.user_ids))
    return "department:" + " ".join(map(str, target.department_ids))


def _add(index: dict[str, _Target], key: str, target: _Target) -> None:
    """Keep the best-ranked reading of a name; equal ranks (namesakes) share it."""
    if not key:
        return
    known = index.get(key)
    if known is None or target.rank < known.rank:
        index[key] = target
    elif target.rank == known.rank and not known.all:
        index[key] = known._replace(user_ids=known.user_ids + target.user_ids,
                                    department_ids=known.department_ids
                                    + target.department_ids)


@lru_cache(maxsize=32)
def _prose(text: str) -> str:
    """The message's words outside code and URLs, one Markdown block per line, with
    escaped and entity-encoded @ replaced. Cached because a send reads it twice (for
    candidates, then for mentions) and parsing is most of the cost."""
    parts: list[str] = []
    for block in message_tokens(text):
        if block.type != "inline" or not block.children:
            continue  # code blocks and fences never become inline tokens
        in_url = False
        for token in block.children:
            kind = token.type
            if kind == "link_open":
                in_url = token.markup in ("linkify", "autolink")
            elif kind == "link_close":
                in_url = False
            elif in_url:
                continue
            elif kind == "text":
                parts.append(token.content)
            elif kind == "text_special":
                parts.append(_NOT_AN_AT if token.content in ("@", "＠") else token.content)
            elif kind in ("softbreak", "hardbreak", "code_inline"):
                parts.append("\n")
        parts.append("\n")
    return _nfc("".join(parts))


def _mention_starts(prose: str) -> list[int]:
    """Index just after each @ that may start a mention (not the @ of an e-mail address)."""
    return [at.end() for at in _AT.finditer(prose)
            if at.start() == 0 or not _is_ascii_word(prose[at.start() - 1])]


def _may_end_name(text: str, end: int) -> bool:
    """Whether a name may end just before `text[end]`: names are trimmed, and one ending
    in an ASCII letter or digit must not run on into another."""
    last = text[end - 1]
    if last == " ":
        return False
    return end == len(text) or not (_is_ascii_word(last) and _is_ascii_word(text[end]))


def _matches(text: str, directory: MentionDirectory) -> Iterator[tuple[int, int, _Target]]:
    """Each mention in plain `text`, left to right: (index of its @, end, target)."""
    resume = 0
    for start in _mention_starts(text):
        if start <= resume:
            continue  # this @ is inside a name matched just before
        match = directory._longest_match(text, start)
        if match is None:
            continue
        length, target = match
        resume = start + length
        yield start - 1, resume, target


def find_mentions(text: str, directory: MentionDirectory) -> Mentions:
    """Who `text` (a message's Markdown source) mentions among `directory`."""
    user_ids: set[int] = set()
    department_ids: set[int] = set()
    everyone = False
    for _at, _end, target in _matches(_prose(text), directory):
        user_ids.update(target.user_ids)
        department_ids.update(target.department_ids)
        everyone = everyone or target.all
    return Mentions(tuple(sorted(user_ids)), tuple(sorted(department_ids)), everyone)


def mention_candidates(text: str) -> set[str]:
    """Strings worth looking up for `text`'s mentions: for each @, the username after it
    (lower-cased) and every prefix of the following text up to a stop character or
    MAX_NAME_CHARS characters. Query `username IN`, `display_name IN` and department
    `name IN` these; at most MAX_CANDIDATES strings.
    """
    prose = _prose(text)
    candidates: set[str] = set()
    for start in _mention_starts(prose):
        found: set[str] = set()
        run = _USERNAME_RUN.match(prose, start)
        if run:
            found.add(run.group().rstrip("._-").lower())
        window = prose[start:start + MAX_NAME_CHARS]
        stop = _NAME_STOP.search(window)
        if stop:
            window = window[:stop.start()]
        if not window.startswith(" "):  # names are trimmed: "@ 张伟" names nobody
            found.update(window[:n] for n in range(1, len(window) + 1)
                         if _may_end_name(prose, start + n))
        found.discard("")
        if len(candidates) + len(found - candidates) > MAX_CANDIDATES:
            break
        candidates |= found
    return candidates
