"""Redis for several nodes: shared failure counters (and, later, the event bus)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from xietong.core.errors import Unavailable


def connect_redis(url: str) -> Redis:
    return Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5,
                          health_check_interval=30)


class RedisCounter:
    """The `FailureCounter` protocol on Redis: INCR with an expiry set by the first failure."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix + "fail:"

    async def hit(self, key: str, window_seconds: int) -> int:
        name = self._prefix + key
        async with _answering(), self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def peek(self, key: str) -> tuple[int, int]:
        name = self._prefix + key
        async with _answering(), self._redis.pipeline(transaction=True) as pipe:
            pipe.get(name)
            pipe.ttl(name)
            count, ttl = await pipe.execute()
        return (int(count), max(int(ttl), 1)) if count is not None else (0, 0)

    async def reset(self, key: str) -> None:
        async with _answering():
            await self._redis.delete(self._prefix + key)


@asynccontextmanager
async def _answering() -> AsyncIterator[None]:
    """Without the shared counters, what they guard (sign-in, reminders) fails closed with a
    clear 503, not a 500; uploads catch it and go ahead."""
    try:
        yield
    except (RedisError, OSError) as error:
        raise Unavailable("The shared counters are briefly unavailable (Redis does not "
                          "answer); try again shortly.") from error
