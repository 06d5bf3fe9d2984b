"""The bus: how nodes tell each other "new events are committed" and pass ephemeral
signals (typing, presence). It carries no event content: the event log is the truth,
and a lost wake-up only delays delivery until the hub's next poll."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("xietong.bus")

BusMessage = dict[str, Any]
BusHandler = Callable[[BusMessage], Awaitable[None]]


class Bus(Protocol):
    async def start(self, handler: BusHandler) -> None: ...

    async def publish(self, message: BusMessage) -> None: ...

    async def close(self) -> None: ...


class MemoryBus:
    """One process: publishing calls the local handler directly."""

    def __init__(self) -> None:
        self._handler: BusHandler | None = None

    async def start(self, handler: BusHandler) -> None:
        self._handler = handler

    async def publish(self, message: BusMessage) -> None:
        if self._handler is not None:
            await self._handler(message)

    async def close(self) -> None:
        self._handler = None


class RedisBus:
    """Several nodes: Redis pub/sub on one channel. Reconnects by itself after Redis restarts."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._channel = prefix + "bus"
        self._task: asyncio.Task[None] | None = None

    async def start(self, handler: BusHandler) -> None:
        self._task = asyncio.create_task(self._listen(handler), name="xietong-redis-bus")

    async def publish(self, message: BusMessage) -> None:
        try:
            await self._redis.publish(self._channel, json.dumps(message))
        except (RedisError, OSError) as error:
            # The change is committed; other nodes will find it on their next poll.
            log.warning("bus publish failed: %s", error)

    async def _listen(self, handler: BusHandler) -> None:
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                # A reconnect may have missed wake-ups: ask for a poll straight away.
                await handler({"kind": "wake", "id": 0})
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        await handler(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                log.warning("bus connection lost (%s); reconnecting", error)
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
