"""Who is online: ephemeral, never written to the database.

Each node knows its own connections; a person is online if any connection anywhere is
active, away if all of them are away, offline if there are none. With Redis each node
keeps its view in a hash that expires unless the node keeps refreshing it, so a crashed
node's people go offline within `NODE_TTL` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from typing import Literal

from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.typing import EncodableT

log = logging.getLogger("xietong.presence")

Status = Literal["online", "away", "offline"]
NODE_TTL = 30
HEARTBEAT = 10


def combine(statuses: list[str]) -> Status:
    if "online" in statuses:
        return "online"
    return "away" if "away" in statuses else "offline"


class Presence:
    def __init__(self, node_id: str, redis: Redis | None, prefix: str) -> None:
        self.node_id = node_id
        self._redis = redis
        self._prefix = prefix + "presence:"
        # user -> {connection key -> "online" | "away"} on this node
        self._local: dict[int, dict[int, str]] = defaultdict(dict)
        self._task: asyncio.Task[None] | None = None

    def local_status(self, user_id: int) -> Status:
        return combine(list(self._local.get(user_id, {}).values()))

    async def start(self) -> None:
        if self._redis is not None:
            self._task = asyncio.create_task(self._heartbeat(), name="xietong-presence")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._redis is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._redis.delete(self._node_key(self.node_id))
                await self._redis.zrem(self._prefix + "nodes", self.node_id)

    async def set(self, user_id: int, connection_key: int, status: str | None) -> Status:
        """Record one connection's status (None: it closed); return the person's status."""
        connections = self._local[user_id]
        if status is None:
            connections.pop(connection_key, None)
        else:
            connections[connection_key] = status
        if not connections:
            del self._local[user_id]
        mine = self.local_status(user_id)
        if self._redis is None:
            return mine
        try:
            key = self._node_key(self.node_id)
            # The node registers itself with every change, not only on the heartbeat: if
            # Redis has lost our keys (a restart), the first change notices and puts the
            # whole local view back at once. Otherwise everyone here reads as offline until
            # the next heartbeat, and the changes made meanwhile are never announced.
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zadd(self._prefix + "nodes", {self.node_id: time.time()})
                if mine == "offline":
                    pipe.hdel(key, str(user_id))
                else:
                    pipe.hset(key, str(user_id), mine)
                    pipe.expire(key, NODE_TTL)
                newly_registered = (await pipe.execute())[0]
            if newly_registered:
                await self._publish_local_view()
            return (await self.statuses([user_id]))[user_id]
        except (RedisError, OSError) as error:
            log.warning("presence update failed: %s", error)
            return mine

    async def statuses(self, user_ids: list[int]) -> dict[int, Status]:
        if not user_ids:
            return {}  # (Redis refuses an HMGET of no fields)
        if self._redis is None:
            return {u: self.local_status(u) for u in user_ids}
        try:
            nodes = await self._redis.zrangebyscore(self._prefix + "nodes",
                                                    time.time() - NODE_TTL, "+inf")
            per_user: dict[int, list[str]] = {u: [] for u in user_ids}
            for node in nodes:
                name = node.decode() if isinstance(node, bytes) else str(node)
                values = await self._redis.hmget(self._node_key(name),
                                                 [str(u) for u in user_ids])
                for user_id, value in zip(user_ids, values, strict=True):
                    if value is not None:
                        per_user[user_id].append(
                            value.decode() if isinstance(value, bytes) else str(value))
            return {u: combine(v) for u, v in per_user.items()}
        except (RedisError, OSError) as error:
            log.warning("presence lookup failed: %s", error)
            return {u: self.local_status(u) for u in user_ids}

    def _node_key(self, node_id: str) -> str:
        return f"{self._prefix}node:{node_id}"

    async def _publish_local_view(self) -> None:
        """Replace this node's hash with its local view, in one transaction."""
        assert self._redis is not None
        key = self._node_key(self.node_id)
        mapping: dict[EncodableT, EncodableT] = {
            str(u): self.local_status(u) for u in self._local}
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if mapping:
                pipe.hset(key, mapping=mapping)
                pipe.expire(key, NODE_TTL)
            await pipe.execute()

    async def _heartbeat(self) -> None:
        assert self._redis is not None
        while True:
            try:
                await self._redis.zadd(self._prefix + "nodes", {self.node_id: time.time()})
                # Re-publish the local view: Redis may have restarted and forgotten it.
                await self._publish_local_view()
            except (RedisError, OSError) as error:
                log.warning("presence heartbeat failed: %s", error)
            await asyncio.sleep(HEARTBEAT)
