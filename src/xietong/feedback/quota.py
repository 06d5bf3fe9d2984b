"""A limit on suggestions per person that does not record who.

Each person may write `limit` suggestions per window (an hour). What is counted is an
HMAC of their id under a key made at random for the window and held only in memory:
the counter is never written to the database or a log, it forgets everything (and the
key) when the window turns, and it holds counts, not times. Someone reading the memory of
the process during a window would learn that some person wrote several suggestions in it,
not which ones. It is per serving process (a node of several workers allows `limit` per
worker): a brake on flooding, not an exact quota — an exact one would have to be stored.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable

from xietong.core.errors import TooManyRequests

SUGGESTIONS_PER_HOUR = 5
WINDOW_SECONDS = 3600.0


class AnonymousQuota:
    def __init__(self, *, limit: int = SUGGESTIONS_PER_HOUR, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._current = -1
        self._key = b""
        self._spent: dict[bytes, int] = {}

    def spend(self, user_id: int) -> None:
        """Count one suggestion by `user_id`, or raise `TooManyRequests` (429) when they
        have written `limit` in this window already."""
        now = self._clock()
        window = int(now // self._window)
        if window != self._current:
            self._current, self._key, self._spent = window, secrets.token_bytes(32), {}
        tag = hmac.new(self._key, str(user_id).encode(), hashlib.sha256).digest()
        spent = self._spent.get(tag, 0)
        if spent >= self._limit:
            retry_after = math.ceil((window + 1) * self._window - now)
            raise TooManyRequests(
                f"At most {self._limit} suggestions an hour; try again later.",
                retry_after=max(retry_after, 1), code="too_many_suggestions")
        self._spent[tag] = spent + 1
