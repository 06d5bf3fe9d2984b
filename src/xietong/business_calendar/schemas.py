"""HTTP shapes of the business calendar."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from functools import lru_cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from xietong.business_calendar.work_calendar import DayKind, Source, WorkingHours
from xietong.core.ids import Flag
from xietong.core.text import ShortText

# A wall-clock time to the minute, "09:00" (00:00 to 23:59).
CLOCK_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
ClockTime = Annotated[str, Field(pattern=CLOCK_TIME, examples=["09:00"])]


def clock_time(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def shown(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    # Read from the system's tz database once (a directory walk). "localtime" would be the
    # server's own setting, "Factory" no place at all.
    return frozenset(available_timezones()) - {"localtime", "posixrules", "Factory"}


def _known_zone(value: str) -> str:
    if value not in _time_zones():
        raise ValueError("must be an IANA time zone such as Asia/Shanghai")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?")


def _iso(pattern: re.Pattern[str], shape: str) -> Callable[[object], object]:
    """Only the ISO 8601 form: lax parsing would read "0" as 1970-01-01 and a bare number
    as a Unix time, so a client's mistake would quietly ask about another day."""
    def check(value: object) -> object:
        if isinstance(value, str) and not pattern.fullmatch(value):
            raise ValueError(f"must be written {shape}")
        return value
    return check


# A date or an instant in a path or query, as ISO 8601 only ("2026-10-01",
# "2026-10-09T17:30:00+08:00"; an instant without an offset is read in the calendar's zone).
IsoDate = Annotated[date, BeforeValidator(_iso(_ISO_DATE, "YYYY-MM-DD"))]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso(
    _ISO_DATETIME, "YYYY-MM-DDTHH:MM[:SS][+08:00|Z]"))]

TimeZoneName = Annotated[str, Field(min_length=1, max_length=64, examples=["Asia/Shanghai"]),
                         AfterValidator(_known_zone)]


class StatutoryOut(BaseModel):
    """The years whose statutory holidays and make-up working days the server knows (the
    `chinese-calendar` package's); other years count Monday to Friday plus overrides."""

    first_year: int
    last_year: int
    package_version: str


class CalendarOut(BaseModel):
    work_start: str = Field(examples=["09:00"])
    work_end: str = Field(examples=["18:00"])
    # Both null: no lunch break.
    lunch_start: str | None = Field(examples=["12:00"])
    lunch_end: str | None = Field(examples=["13:30"])
    # IANA name, in which days and hours are counted.
    time_zone: str
    # A working day's working time, in hours (7.5 by default).
    hours_per_day: float
    statutory: StatutoryOut
    # The last change of the hours or of an override (null while there was none).
    updated_at: datetime | None
    updated_by: int | None


class CalendarChange(BaseModel):
    """The whole of the working hours (every field is required: a `PUT` replaces them).
    Times are local wall-clock times in `time_zone`; the lunch break lies inside the
    working day, or both its ends are null for none."""

    model_config = ConfigDict(extra="forbid")

    work_start: ClockTime
    work_end: ClockTime
    lunch_start: ClockTime | None
    lunch_end: ClockTime | None
    time_zone: TimeZoneName

    @model_validator(mode="after")
    def _a_working_day(self) -> CalendarChange:
        self.hours()  # raises ValueError, a 422 naming the rule
        return self

    def hours(self) -> WorkingHours:
        return WorkingHours(
            start=clock_time(self.work_start), end=clock_time(self.work_end),
            lunch_start=clock_time(self.lunch_start) if self.lunch_start else None,
            lunch_end=clock_time(self.lunch_end) if self.lunch_end else None)


class HolidayOut(BaseModel):
    key: str = Field(examples=["national_day"])
    # Keyed by language: "zh-CN" and "en".
    labels: dict[str, str]


class DayOut(BaseModel):
    date: date
    working: bool
    # Why it is (not) a working day: `workday` (Monday to Friday), `weekend`,
    # `statutory_holiday`, `makeup_workday` (调休), `company_holiday` or `company_workday`
    # (an administrator's override, with its `note`).
    why: DayKind
    # What the day is without the company's override (never `company_*`).
    usual: DayKind
    # The statutory holiday it is a day off of, or is worked in exchange for.
    holiday: HolidayOut | None
    note: str | None
    # `statutory`: the State Council's arrangement for its year is known; `weekdays`: it is
    # not (yet), so only the week and the company's overrides decide.
    source: Source


class DaysOut(BaseModel):
    items: list[DayOut]
    statutory: StatutoryOut


class DayChange(BaseModel):
    """Override one date: `working` false makes it a company holiday, true an extra working
    day. The note (up to 100 characters) is shown to everyone who reads the calendar."""

    model_config = ConfigDict(extra="forbid")

    working: Flag
    note: ShortText = None


class DueOut(BaseModel):
    start: datetime
    hours: float
    # When the clock starts: `start` inside working hours, else the next working moment.
    starts_at: datetime
    # `start` plus `hours` of working time.
    due_at: datetime
    time_zone: str
