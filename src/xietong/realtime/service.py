"""Realtime as one object the runtime builds: event log, bus, hub and presence together."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from redis.asyncio import Redis

from xietong.core.events import CHANNEL, Scope
from xietong.core.uow import UnitOfWork
from xietong.realtime.bus import Bus, BusMessage, MemoryBus, RedisBus
from xietong.realtime.hub import Hub, ephemeral_frame
from xietong.realtime.log import EventLog, LoggedEvent
from xietong.realtime.presence import NODE_TTL, Presence, Status
from xietong.realtime.scopes import Scopes, Subscriptions

# The web client pings every 25 s, and a background tab's timers may be held back to once a
# minute: two minutes of silence means the client is gone (or frozen), not merely quiet.
IDLE_SECONDS = 120.0


class Realtime:
    def __init__(self, *, is_postgres: bool, redis: Redis | None, redis_prefix: str,
                 reader: Callable[[], UnitOfWork], resolver: Scopes,
                 queue_limit: int = 2000, idle_seconds: float = IDLE_SECONDS,
                 presence_ttl: float = NODE_TTL) -> None:
        self.queue_limit = queue_limit
        # A socket whose client sends nothing (not even a ping) for this long is closed.
        self.idle_seconds = idle_seconds
        self.node_id = uuid.uuid4().hex[:12]
        self.log = EventLog(is_postgres=is_postgres)
        self.bus: Bus = RedisBus(redis, redis_prefix) if redis is not None else MemoryBus()
        self._reader = reader
        self._resolver = resolver
        self.hub = Hub(event_log=self.log, reader=reader, bus=self.bus, resolver=resolver,
                       node_id=self.node_id)
        self.hub.ephemeral_handlers.append(self._on_ephemeral)
        self.presence = Presence(self.node_id, redis, redis_prefix, ttl=presence_ttl,
                                 announce=self._announce_presence)
        self.started = False
        # Called on every other node when a node says someone's credentials changed (see
        # auth.cache), with that person's user id.
        self.on_credentials_changed: Callable[[int], None] | None = None

    async def start(self) -> None:
        if self.started:
            return
        self.started = True
        await self.hub.start()
        await self.presence.start()

    async def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        await self.presence.stop()
        await self.hub.stop()
        await self.bus.close()

    async def last_event_id(self) -> int:
        async with self._reader() as uow:
            return await self.log.last_id(uow.session)

    async def pruned_through(self) -> int:
        """A client resuming from an event id below this may have missed pruned events."""
        async with self._reader() as uow:
            return await self.log.pruned_through(uow.session)

    async def readable(self, user_id: int) -> Subscriptions:
        """The scopes `user_id` reads now, across every domain."""
        async with self._reader() as uow:
            return await self._resolver.readable(uow, user_id)

    async def replay(self, user_id: int, cursor: int, reads: Subscriptions,
                     limit: int) -> list[LoggedEvent]:
        async with self._reader() as uow:
            return await self.log.replay(uow.session, user_id, cursor, reads, limit)

    async def publish_typing(self, channel_id: int, user_id: int) -> None:
        await self.bus.publish({"kind": "typing", "channel_id": channel_id,
                                "user_id": user_id})

    async def set_presence(self, user_id: int, connection_key: int, status: str | None) -> None:
        before = self.presence.local_status(user_id)
        overall = await self.presence.set(user_id, connection_key, status)
        if overall != before:
            await self._announce_presence(user_id, overall)

    async def _announce_presence(self, user_id: int, status: Status) -> None:
        """Every node's watchers of `user_id` learn `status`."""
        await self.bus.publish({"kind": "presence", "user_id": user_id, "status": status})

    async def statuses(self, user_ids: list[int]) -> dict[int, Status]:
        return await self.presence.statuses(user_ids)

    async def statuses_seen_by(self, viewer_id: int, user_ids: list[int]) -> dict[int, Status]:
        """The statuses of those of `user_ids` whom `viewer_id` may see; the others are left
        out, whether or not they exist."""
        async with self._reader() as uow:
            visible = await self._resolver.visible_people(uow, viewer_id)
        if visible is not None:
            user_ids = [u for u in user_ids if u in visible]
        return await self.presence.statuses(user_ids)

    async def announce_credentials_changed(self, user_id: int) -> None:
        await self.bus.publish({"kind": "credentials_changed", "node": self.node_id,
                                "user_id": user_id})

    def _on_ephemeral(self, message: BusMessage) -> None:
        kind = message.get("kind")
        if kind == "credentials_changed":
            if self.on_credentials_changed is not None and message.get("node") != self.node_id:
                self.on_credentials_changed(int(message["user_id"]))
        elif kind == "typing":
            self.hub.send_to_scope(Scope(CHANNEL, int(message["channel_id"])), ephemeral_frame(
                "typing", int(message["channel_id"]), {"user_id": message["user_id"]}),
                except_user=int(message["user_id"]))
        elif kind == "presence":
            user_id = int(message["user_id"])
            self.hub.send_to_watchers(user_id, ephemeral_frame(
                "presence", None, {"user_id": user_id, "status": message["status"]}))
