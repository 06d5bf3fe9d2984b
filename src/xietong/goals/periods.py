"""Periods are quarters, named "2026-Q4", counted in the company's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def quarter_of(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
