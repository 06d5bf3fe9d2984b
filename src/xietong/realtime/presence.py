"""Who is online: ephemeral, never written to the database.

Each node knows its own connections; a person is online if any connection anywhere is
active, away if all of them are away, offline if there are none. (A connection whose client
falls silent is closed by the socket, see `socket.py`, and so leaves.)

With Redis each node keeps its view in a hash and its last heartbeat in a sorted set. A
node that has not beaten for `ttl` seconds (it crashed, or lost its network) counts for
nothing in lookups; the first live node to notice takes its hash away and announces its
people's statuses as they are now, so whoever watches them sees them go offline within
about `ttl` seconds (plus a heartbeat). A node that was only stalled puts its view back,
and announces it, at its next heartbeat. The hash expires by itself after a few `ttl`s, in
case no node is left to sweep it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Literal

from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.typing import EncodableT

log = logging.getLogger("xietong.presence")

Status = Literal["online", "away", "offline"]
# Told of a person's status as it is now, across nodes, when it may have changed without
# their own node saying so (another node died, or this one came back).
Announce = Callable[[int, Status], Awaitable[None]]
NODE_TTL = 30.0
# A dead node's hash outlives its last heartbeat by this many TTLs, for the sweep to read.
HASH_TTLS = 4


def combine(statuses: list[str]) -> Status:
    if "online" in statuses:
        return "online"
    return "away" if "away" in statuses else "offline"


class Presence:
    def __init__(self, node_id: str, redis: Redis | None, prefix: str, *,
                 ttl: float = NODE_TTL, announce: Announce | None = None) -> None:
        self.node_id = node_id
        self._redis = redis
        self._prefix = prefix + "presence:"
        self._nodes = self._prefix + "nodes"
        self._ttl = ttl
        self._hash_ttl = max(1, round(ttl * HASH_TTLS))
        self._announce = announce
        self._stopped = False
        # user -> {connection key -> "online" | "away"} on this node
        self._local: dict[int, dict[int, str]] = defaultdict(dict)
        self._task: asyncio.Task[None] | None = None

    def local_status(self, user_id: int) -> Status:
        return combine(list(self._local.get(user_id, {}).values()))

    async def start(self) -> None:
        if self._redis is not None:
            self._task = asyncio.create_task(self._heartbeat(), name="xietong-presence")

    async def stop(self) -> None:
        self._stopped = True
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
        if self._stopped:
            # The node is going away and has taken its view out of Redis already: its
            # sockets closing now must not put it back. What the other nodes hold is the truth.
            return (await self.statuses([user_id]))[user_id]
        try:
            key = self._node_key(self.node_id)
            # The node registers itself with every change, not only on the heartbeat: if
            # Redis has lost our keys (a restart), the first change notices and puts the
            # whole local view back at once. Otherwise everyone here reads as offline until
            # the next heartbeat, and the changes made meanwhile are never announced.
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zadd(self._nodes, {self.node_id: time.time()})
                if mine == "offline":
                    pipe.hdel(key, str(user_id))
                else:
                    pipe.hset(key, str(user_id), mine)
                    pipe.expire(key, self._hash_ttl)
                newly_registered = (await pipe.execute())[0]
            if newly_registered:
                await self._rejoin()
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
            nodes = await self._redis.zrangebyscore(self._nodes, time.time() - self._ttl,
                                                    "+inf")
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
                pipe.expire(key, self._hash_ttl)
            await pipe.execute()

    async def _rejoin(self) -> None:
        """This node was not registered (Redis forgot it, or another node took it for dead
        and told its watchers its people were offline): put the whole local view back, and
        say so."""
        await self._publish_local_view()
        await self._tell(list(self._local))

    async def _tell(self, user_ids: list[int]) -> None:
        if self._announce is None or not user_ids:
            return
        for user_id, status in (await self.statuses(user_ids)).items():
            await self._announce(user_id, status)

    async def _sweep(self) -> None:
        """Take away the views of nodes that stopped beating, and announce their people."""
        assert self._redis is not None
        dead = await self._redis.zrangebyscore(self._nodes, "-inf", time.time() - self._ttl)
        for node in dead:
            name = node.decode() if isinstance(node, bytes) else str(node)
            # Whoever removes it sweeps it: one node, however many notice at once.
            if not await self._redis.zrem(self._nodes, name):
                continue
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hkeys(self._node_key(name))
                pipe.delete(self._node_key(name))
                users, _ = await pipe.execute()
            log.warning("presence: node %s stopped beating; %d people it held re-announced",
                        name, len(users))
            await self._tell(sorted(int(u) for u in users))

    async def _heartbeat(self) -> None:
        assert self._redis is not None
        while True:
            try:
                newly_registered = await self._redis.zadd(self._nodes,
                                                          {self.node_id: time.time()})
                if newly_registered:
                    await self._rejoin()
                else:
                    # Re-publish the local view: Redis may have restarted and forgotten it.
                    await self._publish_local_view()
                await self._sweep()
            except (RedisError, OSError) as error:
                log.warning("presence heartbeat failed: %s", error)
            await asyncio.sleep(self._ttl / 3)
