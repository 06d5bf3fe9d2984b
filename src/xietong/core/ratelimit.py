"""Counting hits per key in a time window: failed sign-ins per account and address
(`login:…`), reminders per message (`remind:…`), uploads per person (`upload:…`).

One process keeps counts in memory; several nodes share them in Redis
(`xietong.redis_backend.RedisCounter`). Both follow `FailureCounter`.
"""

from __future__ import annotations

import math
import time
from typing import Protocol


class FailureCounter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int:
        """Count one hit (a failure, a reminder, an upload); return the hits in the current
        window."""
        ...

    async def peek(self, key: str) -> tuple[int, int]:
        """(hits in the current window, seconds until it ends)."""
        ...

    async def reset(self, key: str) -> None: ...


class MemoryCounter:
    """Fixed windows starting at the first failure, kept in this process."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._windows: dict[str, tuple[int, float]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, window_seconds: int) -> int:
        now = time.monotonic()
        count, ends = self._windows.get(key, (0, 0.0))
        if ends <= now:
            count, ends = 0, now + window_seconds
        self._windows[key] = (count + 1, ends)
        if len(self._windows) > self._max_keys:
            self._forget_expired(now)
        return count + 1

    async def peek(self, key: str) -> tuple[int, int]:
        now = time.monotonic()
        count, ends = self._windows.get(key, (0, 0.0))
        return (0, 0) if ends <= now else (count, math.ceil(ends - now))

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    def _forget_expired(self, now: float) -> None:
        # An attacker cycling through addresses must not grow memory without bound.
        self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
