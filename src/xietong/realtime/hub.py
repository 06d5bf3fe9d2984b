"""The WebSocket hub of one node: pushes committed events to the local connections whose
user may see them, and ephemeral signals (typing, presence) to whom they concern.

One tailer task hands each event's frame — serialised once — to the matching connections'
bounded queues, in id order. Events committed on this node are handed to it directly
after the commit; when they continue the cursor without a gap, they are delivered without
reading them back. Otherwise (another node's events, a gap left by a rolled-back id) it
reads the event log after its cursor, which it also does once a second regardless, in
case a wake-up was lost. A connection whose queue is full is closed; its client resumes
from its last event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from xietong.core.events import Scope
from xietong.core.uow import UnitOfWork
from xietong.realtime.bus import Bus, BusMessage
from xietong.realtime.log import EventLog, LoggedEvent
from xietong.realtime.scopes import Scopes, Subscriptions

log = logging.getLogger("xietong.hub")

POLL_SECONDS = 1.0
BATCH = 500
QUEUE_LIMIT = 2000

_Key = TypeVar("_Key", Scope, str)


class Connection:
    """One WebSocket as the hub sees it: a user, the scopes they read, an outgoing queue.

    The queue is a plain list and one future to wake the writer: an `asyncio.Queue` costs
    four deques (about 3 KB) per socket, and a node holds ten thousand sockets.
    """

    __slots__ = (
        "_pending",
        "_ready",
        "_stop",
        "credential_ended",
        "is_cut_off",
        "overflowed",
        "queue_limit",
        "sent_up_to",
        "subscriptions",
        "token_id",
        "user_id",
        "watch_scoped",
        "watching",
    )

    def __init__(self, user_id: int, subscriptions: Subscriptions,
                 queue_limit: int = QUEUE_LIMIT, token_id: int | None = None) -> None:
        self.user_id = user_id
        # The credential the socket signed in with; when it ends, so does the socket.
        self.token_id = token_id
        self.credential_ended = False
        self.subscriptions = subscriptions
        self.queue_limit = queue_limit
        self._pending: list[str] = []
        self._ready: asyncio.Future[None] | None = None
        self.overflowed = False
        # Set when the queue overflows, the credential ends or the node stops. The socket's
        # writer may be stuck in a send to a client that stopped reading, so `_stop`
        # (see `stop_with`) ends it from outside.
        self.is_cut_off = False
        self._stop: Callable[[], None] | None = None
        # Events with ids up to here were already sent (by replay); drop them from the queue.
        self.sent_up_to = 0
        # People whose presence this client shows (it asks; presence is never broadcast).
        self.watching: set[int] = set()
        # Its user may see only some people (a guest): membership changes narrow `watching`.
        self.watch_scoped = False

    def cut_off(self) -> None:
        self.is_cut_off = True
        if self._stop is not None:
            self._stop()

    def stop_with(self, stop: Callable[[], None]) -> None:
        """`stop` ends the socket when it is cut off; at once if that happened already
        (while it was still being replayed to, before it could say how to stop)."""
        self._stop = stop
        if self.is_cut_off:
            stop()

    def end_credential(self) -> None:
        """Its credential was revoked or its owner deactivated: no further events."""
        self.credential_ended = True
        self._pending.clear()
        self.cut_off()

    def offer(self, frame: str) -> None:
        if self.overflowed or self.credential_ended:
            return
        if len(self._pending) >= self.queue_limit:
            # Too slow to keep up: stop queueing and let the socket close; the client
            # resumes from its last event id and loses nothing.
            self.overflowed = True
            self.cut_off()
            return
        self._pending.append(frame)
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(None)

    async def next_frame(self) -> str:
        """The oldest queued frame, waiting for one if there is none."""
        while not self._pending:
            self._ready = asyncio.get_running_loop().create_future()
            try:
                await self._ready
            finally:
                self._ready = None
        # pop(0) moves at most `queue_limit` pointers; usually the list holds one frame.
        return self._pending.pop(0)


class Hub:
    def __init__(self, *, event_log: EventLog, reader: Callable[[], UnitOfWork], bus: Bus,
                 resolver: Scopes, node_id: str) -> None:
        self._log = event_log
        self._reader = reader
        self._bus = bus
        self._resolver = resolver
        self.node_id = node_id
        self.cursor = 0
        # The highest event id any wake-up announced: up to here there is more to deliver.
        self._announced = 0
        # Events committed on this node, in commit order, waiting for the tailer.
        self._handed: list[LoggedEvent] = []
        self._by_user: dict[int, set[Connection]] = defaultdict(set)
        # Who reads one scope, and who reads every scope of a kind.
        self._by_scope: dict[Scope, set[Connection]] = defaultdict(set)
        self._by_kind: dict[str, set[Connection]] = defaultdict(set)
        self._watchers: dict[int, set[Connection]] = defaultdict(set)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.ephemeral_handlers: list[Callable[[BusMessage], None]] = []
        # Told whenever events were committed (here or, through the bus, elsewhere): the
        # event-log consumers look at once instead of at their next poll.
        self.commit_listeners: list[Callable[[], None]] = []
        # Shown every event as this node delivers it, in order: node-local state that
        # depends on events (the co-editing rooms re-check who may stay when access changes).
        self.dispatch_listeners: list[Callable[[LoggedEvent], None]] = []

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        async with self._reader() as uow:
            self.cursor = await self._log.last_id(uow.session)
        self._log.notify_commits_to(self._committed_here)
        await self._bus.start(self._on_bus)
        self._task = asyncio.create_task(self._tail(), name="xietong-hub-tailer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for connections in list(self._by_user.values()):
            for connection in list(connections):
                connection.cut_off()

    async def _committed_here(self, events: list[LoggedEvent]) -> None:
        last_id = events[-1].id
        if len(self._handed) < BATCH:  # past that the tailer is behind; it reads the log
            self._handed.extend(events)
        self._announce(last_id)
        await self._bus.publish({"kind": "wake", "id": last_id, "node": self.node_id})

    def _announce(self, event_id: int) -> None:
        self._announced = max(self._announced, event_id)
        self._wake.set()
        for listener in self.commit_listeners:
            listener()

    async def _on_bus(self, message: BusMessage) -> None:
        if message.get("kind") == "wake":
            self._announce(int(message.get("id") or 0))
        else:
            for handler in self.ephemeral_handlers:
                handler(message)

    # --- connections ------------------------------------------------------------------

    @property
    def connection_count(self) -> int:
        return sum(len(c) for c in self._by_user.values())

    def connections_of(self, user_id: int) -> set[Connection]:
        return self._by_user.get(user_id, set())

    def register(self, connection: Connection) -> int:
        """Start routing live events to `connection`; returns the cursor at this moment."""
        self._by_user[connection.user_id].add(connection)
        self._subscribe(connection, connection.subscriptions)
        return self.cursor

    def unregister(self, connection: Connection) -> None:
        self.watch(connection, set())
        self._by_user[connection.user_id].discard(connection)
        if not self._by_user[connection.user_id]:
            del self._by_user[connection.user_id]
        self._unsubscribe(connection, connection.subscriptions)

    def _subscribe(self, connection: Connection, reads: Subscriptions) -> None:
        for scope in reads.scopes():
            self._by_scope[scope].add(connection)
        for kind in reads.whole:
            self._by_kind[kind].add(connection)

    def _unsubscribe(self, connection: Connection, reads: Subscriptions) -> None:
        for scope in reads.scopes():
            _discard(self._by_scope, scope, connection)
        for kind in reads.whole:
            _discard(self._by_kind, kind, connection)

    def _resubscribe(self, connection: Connection, reads: Subscriptions) -> None:
        self._unsubscribe(connection, connection.subscriptions)
        connection.subscriptions = reads
        self._subscribe(connection, reads)

    def readers(self, scope: Scope) -> set[Connection]:
        """This node's connections whose users read `scope`."""
        one = self._by_scope.get(scope)
        whole = self._by_kind.get(scope.kind)
        if whole is None:
            return set(one) if one else set()
        return whole | one if one else set(whole)

    def send_to_scope(self, scope: Scope, frame: str, *, except_user: int | None = None
                      ) -> None:
        """Ephemeral delivery to this node's readers of a scope."""
        for connection in self.readers(scope):
            if connection.user_id != except_user:
                connection.offer(frame)

    def watch(self, connection: Connection, user_ids: set[int]) -> None:
        """Replace the set of people whose presence changes `connection` receives."""
        for user_id in connection.watching - user_ids:
            watchers = self._watchers.get(user_id)
            if watchers is not None:
                watchers.discard(connection)
                if not watchers:
                    del self._watchers[user_id]
        for user_id in user_ids - connection.watching:
            self._watchers[user_id].add(connection)
        connection.watching = set(user_ids)

    async def watch_visible(self, connection: Connection, user_ids: set[int]) -> set[int]:
        """Watch those of `user_ids` whom the connection's user may see; return them."""
        async with self._reader() as uow:
            visible = await self._resolver.visible_people(uow, connection.user_id)
        allowed = user_ids if visible is None else user_ids & visible
        connection.watch_scoped = visible is not None
        self.watch(connection, allowed)
        return allowed

    async def narrow_watches(self, connections: Iterable[Connection], *,
                             scoped_only: bool = True) -> None:
        """Stop `connections` watching people their users may no longer see: after a
        membership change (only connections whose users see some people: `scoped_only`),
        or a role change (all of them)."""
        chosen = [c for c in connections if c.watching and (c.watch_scoped or not scoped_only)]
        if not chosen:
            return
        visible: dict[int, set[int] | None] = {}
        async with self._reader() as uow:
            for user_id in {c.user_id for c in chosen}:
                visible[user_id] = await self._resolver.visible_people(uow, user_id)
        for connection in chosen:
            seen = visible[connection.user_id]
            connection.watch_scoped = seen is not None
            if seen is not None:
                self.watch(connection, connection.watching & seen)

    def send_to_watchers(self, user_id: int, frame: str) -> None:
        for connection in list(self._watchers.get(user_id, ())):
            connection.offer(frame)

    # --- the tailer -------------------------------------------------------------------

    async def _tail(self) -> None:
        while True:
            woken = False
            with contextlib.suppress(TimeoutError):
                woken = await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()
            try:
                await self._deliver_handed()
                if not woken or self.cursor < self._announced:
                    await self._drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not kill delivery for good
                log.exception("event tailer failed; retrying")
                await asyncio.sleep(POLL_SECONDS)

    async def _deliver_handed(self) -> None:
        """Deliver this node's own commits while they continue the cursor without a gap."""
        handed, self._handed = self._handed, []
        for event in handed:
            if event.id <= self.cursor:
                continue
            if event.id != self.cursor + 1:
                return  # a gap: what lies between is read from the log
            await self._dispatch(event)
            self.cursor = event.id

    async def _drain(self) -> None:
        while True:
            async with self._reader() as uow:
                events = await self._log.after(uow.session, self.cursor, BATCH)
            for event in events:
                await self._dispatch(event)
                self.cursor = event.id
            if len(events) < BATCH:
                return

    async def _dispatch(self, event: LoggedEvent) -> None:
        changed = self._resolver.membership_changes(event)
        if changed:
            await self._refresh(changed)
            # Whom a guest may see follows the channels they share: whoever receives a
            # membership change is who it may narrow.
            await self.narrow_watches(self._receivers(event))
        frame = event.frame
        for connection in self._receivers(event):
            connection.offer(frame)
        for listener in self.dispatch_listeners:
            try:
                listener(event)
            except Exception:  # a listener's mistake must not stop delivery to everyone
                log.exception("dispatch listener failed on event %s", event.id)

    def _receivers(self, event: LoggedEvent) -> list[Connection]:
        if event.recipients is None:
            return list(self.readers(event.scope)) if event.scope is not None else []
        return [c for u in event.recipients for c in self._by_user.get(u, ())]

    async def _refresh(self, user_ids: set[int]) -> None:
        local = [u for u in user_ids if u in self._by_user]
        if not local:
            return
        async with self._reader() as uow:
            for user_id in local:
                reads = await self._resolver.readable(uow, user_id)
                for connection in list(self._by_user.get(user_id, ())):
                    self._resubscribe(connection, reads)

    async def refresh_user(self, user_id: int) -> None:
        await self._refresh({user_id})


def _discard(index: dict[_Key, set[Connection]], key: _Key, connection: Connection) -> None:
    readers = index.get(key)
    if readers is not None:
        readers.discard(connection)
        if not readers:
            del index[key]


def ephemeral_frame(kind: str, channel_id: int | None, data: dict[str, object]) -> str:
    """Frames that never enter the event log carry no id."""
    return json.dumps({"type": kind, "channel_id": channel_id, "data": data},
                      ensure_ascii=False, separators=(",", ":"))
