"""A series' RRULE: checked, bounded and expanded to its occurrences.

A rule is read in the company's time zone (a 09:00 stand-up stays at 09:00 local), must end
(COUNT or UNTIL) and may make at most `MAX_OCCURRENCES` meetings, each of which is stored, so
a rule that never ends or makes thousands is refused before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from xietong.core.errors import Invalid

MAX_OCCURRENCES = 200
# An UNTIL further than this from the first meeting is refused (a sane planning horizon).
MAX_SPAN = timedelta(days=731)
RULE_LENGTH = 500
_ALLOWED = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH",
                      "BYSETPOS", "BYWEEKNO", "BYYEARDAY", "WKST"})
_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


def _bad(message: str, code: str = "rrule_invalid") -> Invalid:
    return Invalid(message, code=code)


def _parts(text: str) -> list[tuple[str, str]]:
    value = text.strip()
    if value.upper().startswith("RRULE:"):
        value = value[len("RRULE:"):]
    if not value or len(value) > RULE_LENGTH or any(c in value for c in "\r\n"):
        raise _bad("Give one RRULE value, such as FREQ=WEEKLY;INTERVAL=2;COUNT=10.")
    parts = []
    for piece in value.split(";"):
        name, sep, given = piece.partition("=")
        name = name.strip().upper()
        if not sep or not given.strip() or name not in _ALLOWED:
            raise _bad(f"The RRULE part {piece!r} is not one this server takes.")
        parts.append((name, given.strip().upper()))
    if len({name for name, _ in parts}) != len(parts):
        raise _bad("An RRULE names each part once.")
    return parts


def _until_utc(given: str, zone: ZoneInfo) -> datetime:
    """UNTIL as an instant: a bare day ends at that day's end in the company's zone, a local
    time is the company's, a time ending in Z is UTC."""
    try:
        if len(given) == 8:
            day = datetime.strptime(given, "%Y%m%d")
            local = day.replace(hour=23, minute=59, second=59, tzinfo=zone)
            return local.astimezone(UTC)
        if given.endswith("Z"):
            return datetime.strptime(given, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return datetime.strptime(given, "%Y%m%dT%H%M%S").replace(tzinfo=zone).astimezone(UTC)
    except ValueError:
        raise _bad("UNTIL is a day (20270131) or a time (20270131T090000Z).") from None


def normalise(text: str, first: datetime, zone: ZoneInfo) -> str:
    """The rule as stored and written into .ics files: its parts as given, UNTIL in UTC.
    Refuses a rule without an end, one ending too far ahead, one that repeats more often
    than daily or makes more than `MAX_OCCURRENCES` meetings."""
    parts = _parts(text)
    named = dict(parts)
    if named.get("FREQ") not in _FREQUENCIES:
        raise _bad("FREQ is DAILY, WEEKLY, MONTHLY or YEARLY.")
    if "COUNT" not in named and "UNTIL" not in named:
        raise _bad("A series ends: give COUNT or UNTIL in its RRULE.", "rrule_unbounded")
    if "COUNT" in named and "UNTIL" in named:
        raise _bad("Give COUNT or UNTIL, not both.")
    if "COUNT" in named and not (named["COUNT"].isdigit()
                                 and 1 <= int(named["COUNT"]) <= MAX_OCCURRENCES):
        raise _bad(f"COUNT is 1 to {MAX_OCCURRENCES}.", "rrule_too_many")
    if "INTERVAL" in named and not (named["INTERVAL"].isdigit()
                                    and 1 <= int(named["INTERVAL"]) <= 366):
        raise _bad("INTERVAL is a whole number from 1 to 366.")
    shown = []
    for name, given in parts:
        if name == "UNTIL":
            until = _until_utc(given, zone)
            if until < first:
                raise _bad("UNTIL is before the first meeting.")
            if until - first > MAX_SPAN:
                raise _bad("A series is planned at most two years ahead.", "rrule_unbounded")
            given = until.strftime("%Y%m%dT%H%M%SZ")
        shown.append(f"{name}={given}")
    rule = ";".join(shown)
    if len(expand(rule, first, zone, limit=MAX_OCCURRENCES + 1)) > MAX_OCCURRENCES:
        raise _bad(f"A series has at most {MAX_OCCURRENCES} meetings; end it sooner.",
                   "rrule_too_many")
    return rule


def _rule(rule: str, first: datetime, zone: ZoneInfo) -> rrule:
    # Expanded on the local wall clock (naive), so daylight saving keeps the hour; UNTIL
    # is brought to the same clock.
    local_first = first.astimezone(zone).replace(tzinfo=None)
    parts = []
    for piece in rule.split(";"):
        name, _, given = piece.partition("=")
        if name == "UNTIL":
            until = datetime.strptime(given, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            given = until.astimezone(zone).strftime("%Y%m%dT%H%M%S")
        parts.append(f"{name}={given}")
    try:
        made = rrulestr(";".join(parts), dtstart=local_first)
    except (ValueError, TypeError) as error:
        raise _bad(f"The RRULE cannot be read: {error}.") from None
    assert isinstance(made, rrule)
    return made


def expand(rule: str, first: datetime, zone: ZoneInfo, *,
           limit: int = MAX_OCCURRENCES) -> list[datetime]:
    """The occurrences' starts as UTC instants, the first meeting's included, at most
    `limit` of them."""
    return [moment.replace(tzinfo=zone).astimezone(UTC)
            for moment in islice(_rule(rule, first, zone), limit)]
