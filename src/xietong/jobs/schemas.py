from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from xietong.jobs.models import JobState


class JobOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    kind: str
    state: JobState
    run_at: datetime
    attempts: int
    max_attempts: int
    last_error: str | None
    key: str | None
    recurrence: str | None
    created_at: datetime
    finished_at: datetime | None


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None
    # The company's time zone (IANA name), in which recurring jobs are scheduled: the admin
    # page shows `run_at` in it, whatever the viewer's own zone.
    time_zone: str
