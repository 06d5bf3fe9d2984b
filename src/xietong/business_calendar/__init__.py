"""The business calendar: the company's working hours, lunch break and time zone, China's
statutory holidays and make-up working days (调休), and the administrators' overrides of
single dates — what SLAs, reminders and analytics count working time by.

- `work_calendar`: the calendar as a pure value (`WorkCalendar`: `add_working_hours`,
  `working_time_between`, `is_working_day`, `next_working_moment`, `day`);
- `statutory`: the State Council's arrangements, from the `chinese-calendar` package;
- `queries.work_calendar(uow, default_zone=...)`: the calendar in force, loaded once per
  revision per process (one primary-key read per unit of work when cached);
- `actions`: administrators change the hours and override dates (audited);
- `api`: `GET`/`PUT /api/v1/calendar`, `GET /api/v1/calendar/days`,
  `PUT`/`DELETE /api/v1/calendar/days/{day}`, `GET /api/v1/calendar/due`.
"""
