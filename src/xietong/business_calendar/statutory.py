"""China's statutory holidays and make-up working days (调休), from `chinese-calendar`.

The package (PyPI `chinesecalendar`, pinned in pyproject.toml) holds the State Council's
announcements year by year: the days off of each holiday and the weekend days worked in
exchange. It knows only the years announced when it was released (the next year's
arrangement is published around November); for any other year this module answers
nothing, and the calendar falls back to the plain week plus the administrators'
overrides (`knows_year`, shown as `source: "weekdays"`).

The package's own functions recompute its range on every call; the calendar asks about
days thousands of times a second, so its tables are read once here into dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import chinese_calendar


@dataclass(frozen=True, slots=True)
class StatutoryHoliday:
    """A public holiday as the package names it: a stable key and its zh-CN and English
    names."""

    key: str  # "national_day"
    zh_cn: str  # "国庆节"
    en: str  # "National Day"

    def labels(self) -> dict[str, str]:
        return {"zh-CN": self.zh_cn, "en": self.en}


def _by_name() -> dict[str, StatutoryHoliday]:
    return {holiday.value: StatutoryHoliday(key=holiday.name, zh_cn=holiday.chinese,
                                            en=holiday.value)
            for holiday in chinese_calendar.Holiday}


_HOLIDAYS = _by_name()
# The days off of each holiday (weekend days inside the break included), and the weekend
# days worked in exchange, each with the holiday it belongs to.
_DAYS_OFF: dict[date, StatutoryHoliday] = {
    day: _HOLIDAYS[name] for day, name in chinese_calendar.holidays.items()}
_MAKEUP_WORKDAYS: dict[date, StatutoryHoliday] = {
    day: _HOLIDAYS[name] for day, name in chinese_calendar.workdays.items()}

FIRST_YEAR = min(_DAYS_OFF).year
LAST_YEAR = max(_DAYS_OFF).year
VERSION: str = chinese_calendar.__version__


def knows_year(year: int) -> bool:
    """Whether the package holds the State Council's arrangement for `year`."""
    return FIRST_YEAR <= year <= LAST_YEAR


def holiday_on(day: date) -> StatutoryHoliday | None:
    """The statutory holiday `day` is a day off of, if any."""
    return _DAYS_OFF.get(day)


def makeup_workday_on(day: date) -> StatutoryHoliday | None:
    """The holiday whose break `day` (a weekend day) is worked in exchange for, if any."""
    return _MAKEUP_WORKDAYS.get(day)
