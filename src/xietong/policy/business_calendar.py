"""Rules of the business calendar.

Everyone signed in may read it, guests included: the working hours, the holidays and the
due time of a request are what a company tells anyone it works with (a guest waiting on a
request sees its due time), and an override's note is written for all to read (the admin
page says so). Changing it is the administrators': it moves every SLA in the company.
"""

from __future__ import annotations

from xietong.core.actor import Actor


def can_manage_calendar(actor: Actor) -> bool:
    """Change the working hours, the time zone, or override a date: administrators."""
    return actor.is_admin
