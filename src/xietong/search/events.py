"""The one event search logs: that someone searched, for the collaboration figures
(searches per department). It carries no words and goes to nobody."""

from __future__ import annotations

from typing import Literal

from xietong.core.events import Audience, Event


class SearchPerformed(Event):
    type: Literal["search.performed"] = "search.performed"
    user_id: int


SEARCH_EVENTS: tuple[type[Event], ...] = (SearchPerformed,)

# Logged for the event log's followers (analytics), delivered to no socket.
TO_NOBODY = Audience.users(())
