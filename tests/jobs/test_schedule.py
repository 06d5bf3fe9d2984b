"""Recurring schedules, computed in the company's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from xietong.jobs.schedule import BadSchedule, next_run, parse_schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_daily_is_local_time_in_shanghai() -> None:
    # 10:00 in Shanghai (02:00 UTC) is past today's 09:00: tomorrow 09:00 = 01:00 UTC.
    assert next_run("daily 09:00", utc(2025, 1, 1, 2, 0), SHANGHAI) == utc(2025, 1, 2, 1, 0)
    # 08:00 in Shanghai: today's 09:00.
    assert next_run("daily 09:00", utc(2025, 1, 1, 0, 0), SHANGHAI) == utc(2025, 1, 1, 1, 0)
    # 23:30 UTC on 31 December is already 07:30 on 1 January in Shanghai.
    assert next_run("daily 09:00", utc(2024, 12, 31, 23, 30), SHANGHAI) == utc(2025, 1, 1, 1)
    # Exactly at the time: the next one, not the same instant again.
    assert next_run("daily 09:00", utc(2025, 1, 1, 1, 0), SHANGHAI) == utc(2025, 1, 2, 1, 0)


def test_the_same_spec_elsewhere_is_another_instant() -> None:
    assert (next_run("daily 09:00", utc(2025, 1, 1, 0, 0), ZoneInfo("Europe/Berlin"))
            == utc(2025, 1, 1, 8, 0))


def test_weekdays_skip_the_weekend() -> None:
    friday_after_nine = utc(2025, 3, 7, 2, 0)  # Friday 10:00 in Shanghai
    assert next_run("weekdays 09:00", friday_after_nine, SHANGHAI) == utc(2025, 3, 10, 1, 0)


def test_weekly_days() -> None:
    monday_noon = utc(2025, 3, 3, 4, 0)
    assert next_run("weekly mon,thu 18:30", monday_noon, SHANGHAI) == utc(2025, 3, 3, 10, 30)
    assert next_run("weekly thu 18:30", monday_noon, SHANGHAI) == utc(2025, 3, 6, 10, 30)
    assert next_run("weekly mon 08:00", monday_noon, SHANGHAI) == utc(2025, 3, 10, 0, 0)


def test_intervals() -> None:
    assert next_run("every 15m", utc(2025, 1, 1, 0, 0), SHANGHAI) == utc(2025, 1, 1, 0, 15)
    assert next_run("every 2h", utc(2025, 1, 1, 23, 0), SHANGHAI) == utc(2025, 1, 2, 1, 0)
    assert parse_schedule("  Every   30S ").interval is not None


@pytest.mark.parametrize("spec", ["", "daily", "daily 24:00", "daily 9:00", "every 0s",
                                  "every 5 minutes", "weekly funday 09:00", "hourly"])
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(BadSchedule):
        parse_schedule(spec)
