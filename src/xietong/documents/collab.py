"""`/api/v1/pages/{id}/collab`: co-editing a page, over the y-websocket protocol.

Browsers connect with Yjs's `WebsocketProvider` (Tiptap's Collaboration and
CollaborationCursor extensions) and speak its binary messages: sync (step 1: "here is my
state vector"; step 2 and update: "here are changes") and awareness (who is here, where
their cursor is). The server keeps one room per page on each node, holding the page's
document (pycrdt), and:

- **stores before it relays**: a change is appended to `doc_page_updates` and committed
  before anyone else sees it, so nothing acknowledged is lost (changes arriving while a
  transaction runs are stored together in the next: one commit per batch, not per key);
  a room is loaded from those rows, and they are compacted into one now and then. The
  stored CRDT state is the truth: the page's text and Markdown are derived from it (a
  second after the last change), never the other way round, and a document with history
  is never re-seeded.
- **checks who may do what**: the socket takes the same credentials as the event socket and
  asks `access_page`; people who may only view or comment receive changes, and an update
  from them closes their socket (4403). When grants, pages or departments change, every
  room re-checks its people at once: who may no longer read the page is cut off (4403).
- **refuses what it cannot trust**: a frame over `MAX_UPDATE_BYTES` (4413), an update that
  does not decode or apply (4400) — nothing of it stored, the room untouched.
- **crosses nodes**: a change stored here is announced on the bus; other nodes read the
  rows they have not applied and relay what is new to their own people. A client may
  reconnect to any node: sync step 1 brings it up to date.

Close codes: 4401 not signed in, 4403 not allowed (or no longer), 4404 no such page (or not
for you), 4400 malformed, 4413 too big, 4008 too slow to keep up, 1011 a change could not
be stored (reconnect: the client sends it again), 4409 the document was
replaced (a version restored): reload and connect again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pycrdt import (
    Doc,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    get_state,
    merge_updates,
    write_message,
    write_var_uint,
)
from sqlalchemy import delete, or_, select, update

from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.documents import versions
from xietong.documents.access import access_page
from xietong.documents.models import Page, PageUpdate
from xietong.documents.ydoc import (
    EMPTY_UPDATE,
    Content,
    content_of,
    document_from,
    seed_from_markdown,
)
from xietong.edge import services_of
from xietong.policy.documents import Level
from xietong.realtime.bus import BusMessage, RedisBus
from xietong.realtime.log import LoggedEvent
from xietong.realtime.service import Realtime
from xietong.realtime.socket import Refusal, TokenServices, socket_actor

log = logging.getLogger("xietong.collab")
router = APIRouter()

MAX_UPDATE_BYTES = 1 << 20
# A page's document, all its history included, may not grow past this.
MAX_DOCUMENT_BYTES = 20 << 20
# Messages waiting for one slow socket before it is closed (4008).
QUEUE_LIMIT = 2000
# Stored updates of a page folded into one after this many (per node).
COMPACT_AFTER = 200
# The page's text and Markdown are derived this long after its last change.
DERIVE_DELAY = 1.0
# Rows committed by another node are re-read for this long after the cursor passes them:
# ids come from a sequence, and a row with a lower id may commit after one with a higher.
LATE_COMMIT_WINDOW = timedelta(seconds=10)
# With several nodes, each room re-reads the store this often in case a bus message was lost.
CATCH_UP_SECONDS = 2.0

CLOSE_BAD_MESSAGE = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_SLOW = 4008
CLOSE_RESET = 4409
CLOSE_TOO_BIG = 4413
# The server could not store a change (a database failure): reconnect and send it again.
CLOSE_NOT_SAVED = 1011

SYNC, AWARENESS, QUERY_AWARENESS = 0, 1, 3
STEP1, STEP2, UPDATE = 0, 1, 2
# Events after which the people in rooms are asked again what they may do: a person's or a
# department's change (role, deactivation, members, the tree), and of documents' own only
# what can change a level (a rename or a review cannot).
_PEOPLE_EVENTS = ("department.", "user.")
_ACCESS_CHANGES = {"page.changed": {"moved", "deleted", "permissions"},
                   # `updated`: its owners changed (or it became a shared space)
                   "space.changed": {"permissions", "archived", "unarchived", "updated"}}


def may_change_access(event: LoggedEvent) -> bool:
    if event.type.startswith(_PEOPLE_EVENTS):
        return True
    changes = _ACCESS_CHANGES.get(event.type)
    return changes is not None and event.payload.get("change") in changes


class CollabServices(TokenServices, Protocol):
    @property
    def realtime(self) -> Realtime: ...

    def unit_of_work(self) -> UnitOfWork: ...

    def reader(self) -> UnitOfWork: ...


class BadMessage(Exception):
    """A frame that is not a y-websocket message we accept."""


# --- the wire ---------------------------------------------------------------------------


def _var_uint(data: bytes, at: int) -> tuple[int, int]:
    """lib0's variable-length unsigned integer at `at`: (value, next position)."""
    value, shift = 0, 0
    while True:
        if at >= len(data) or shift > 49:
            raise BadMessage("truncated or oversized integer")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _var_bytes(data: bytes, at: int) -> tuple[bytes, int]:
    length, at = _var_uint(data, at)
    if at + length > len(data):
        raise BadMessage("truncated payload")
    return data[at:at + length], at + length


@dataclass(frozen=True, slots=True)
class Message:
    kind: int
    step: int | None
    payload: bytes


def parse(frame: bytes) -> Message:
    kind, at = _var_uint(frame, 0)
    if kind == SYNC:
        step, at = _var_uint(frame, at)
        payload, _ = _var_bytes(frame, at)
        return Message(kind, step, payload)
    if kind == AWARENESS:
        payload, _ = _var_bytes(frame, at)
        return Message(kind, None, payload)
    if kind == QUERY_AWARENESS:
        return Message(kind, None, b"")
    raise BadMessage(f"no message type {kind}")


@dataclass(frozen=True, slots=True)
class ClientState:
    clock: int
    state: str


def awareness_entries(update: bytes) -> dict[int, ClientState]:
    """An awareness update's entries: client id → (clock, its state as JSON, "null" when it
    left)."""
    count, at = _var_uint(update, 0)
    entries: dict[int, ClientState] = {}
    for _ in range(min(count, 10_000)):
        client, at = _var_uint(update, at)
        clock, at = _var_uint(update, at)
        state, at = _var_bytes(update, at)
        entries[client] = ClientState(clock, state.decode("utf-8", "replace"))
    return entries


def awareness_update(entries: dict[int, ClientState]) -> bytes:
    out = bytearray(write_var_uint(len(entries)))
    for client, entry in entries.items():
        out += write_var_uint(client) + write_var_uint(entry.clock)
        out += write_message(entry.state.encode("utf-8"))
    return bytes(out)


def sync_message(step: int, update: bytes) -> bytes:
    """A sync message of `step` (STEP2: the answer to a step 1; UPDATE: a change)."""
    return bytes([SYNC, step]) + write_message(update)


def _state_vector(encoded: bytes) -> dict[int, int]:
    """A Yjs state vector: client id → the clock up to which its items are held."""
    count, at = _var_uint(encoded, 0)
    clocks: dict[int, int] = {}
    for _ in range(count):
        client, at = _var_uint(encoded, at)
        clocks[client], at = _var_uint(encoded, at)
    return clocks


def _brings_new_items(doc: Doc[Any], update: bytes) -> bool:
    """Whether `update` adds an item `doc` lacks. Tried on a copy: an update's own state
    vector (`get_state`) counts a client's items only from its first, so an incremental
    update's would say nothing. Only readers' updates come here, and they are rare (a
    reconnect's answer to sync step 1)."""
    trial = document_from(doc.get_update())
    before = _state_vector(trial.get_state())
    trial.apply_update(update)
    return _state_vector(trial.get_state()) != before


# --- the store --------------------------------------------------------------------------


async def stored_updates(uow: UnitOfWork, page_id: int, *, after_id: int = 0,
                         since: datetime | None = None) -> list[tuple[int, bytes]]:
    """A page's stored updates in order: all, or those after `after_id` (and any committed
    late, created since `since`)."""
    condition = PageUpdate.id > after_id
    if since is not None:
        condition = or_(condition, PageUpdate.created_at >= since)
    return [(row.id, bytes(row.update)) for row in await uow.session.execute(
        select(PageUpdate.id, PageUpdate.update)
        .where(PageUpdate.page_id == page_id, condition).order_by(PageUpdate.id))]


async def stored_document(uow: UnitOfWork, page_id: int) -> Doc[Any]:
    """The page's document as the store holds it."""
    return document_from(*(update for _, update in await stored_updates(uow, page_id)))


async def seed_once(uow: UnitOfWork, page_id: int) -> None:
    """A page made from a template holds its Markdown but no document yet: make the
    document from it, once — never over a document that has updates (its history)."""
    await uow.lock(f"documents.seed:{page_id}")
    if await uow.session.scalar(select(PageUpdate.id).where(PageUpdate.page_id == page_id)
                                .limit(1)) is not None:
        return
    markdown = await uow.session.scalar(select(Page.markdown).where(Page.id == page_id))
    if markdown:
        uow.session.add(PageUpdate(page_id=page_id, update=seed_from_markdown(markdown)))


async def write_derived(uow: UnitOfWork, page_id: int, content: Content,
                        editor_id: int | None) -> None:
    """The page's text and Markdown, as its document now reads."""
    await uow.session.execute(update(Page).where(Page.id == page_id).values(
        text=content.text, markdown=content.markdown, content_version=Page.content_version + 1,
        edited_at=utcnow(), edited_by=editor_id))


async def compact(uow: UnitOfWork, page_id: int) -> int:
    """Fold a page's stored updates into one; how many were folded. Rows stored meanwhile
    (with higher ids) are left as they are."""
    await uow.lock(f"documents.compact:{page_id}")
    rows = await stored_updates(uow, page_id)
    if len(rows) < 2:
        return 0
    merged = merge_updates(*(u for _, u in rows))
    await uow.session.execute(delete(PageUpdate).where(
        PageUpdate.page_id == page_id, PageUpdate.id <= rows[-1][0]))
    uow.session.add(PageUpdate(page_id=page_id, update=merged))
    return len(rows)


# --- rooms ----------------------------------------------------------------------------


@dataclass(eq=False)
class Peer:
    """One socket in a room."""

    websocket: WebSocket
    actor: Actor
    level: Level
    outbox: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)
    clients: dict[int, int] = field(default_factory=dict)  # awareness client id → clock
    closing: tuple[int, str] | None = None

    def send(self, message: bytes) -> None:
        if self.closing is not None:
            return
        if self.outbox.qsize() >= QUEUE_LIMIT:
            self.close(CLOSE_TOO_SLOW, "too_slow")
            return
        self.outbox.put_nowait(message)

    def close(self, code: int, reason: str) -> None:
        if self.closing is None:
            self.closing = (code, reason)
            self.outbox.put_nowait(None)


@dataclass(eq=False)
class Room:
    """A page being edited on this node: its document and the people in it."""

    page_id: int
    # Which page it is: ids may come back (SQLite reuses a deleted row's), a page's
    # creation time does not.
    born: datetime | None = None
    doc: Doc[Any] = field(default_factory=Doc)
    peers: set[Peer] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The highest stored update id applied from the store, and when it was read.
    cursor: int = 0
    read_at: datetime | None = None
    size: int = 0
    appended: int = 0
    awareness: dict[int, ClientState] = field(default_factory=dict)
    last_editor: int | None = None
    # Who changed it since its last version.
    editors: set[int] = field(default_factory=set)
    # Changes received and not yet stored, and the task storing them.
    pending: list[tuple[Peer, bytes]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None
    derive_task: asyncio.Task[None] | None = None
    closed: bool = False

    def broadcast(self, message: bytes, *, but: Peer | None = None) -> None:
        for peer in list(self.peers):
            if peer is not but:
                peer.send(message)

    def take(self, rows: list[tuple[int, bytes]]) -> bytes:
        """Apply stored rows; what they changed, as one update (empty if nothing)."""
        before = self.doc.get_state()
        for row_id, data in rows:
            try:
                self.doc.apply_update(data)
            except Exception:  # stored updates were checked on the way in
                log.exception("stored update %s of page %s does not apply", row_id,
                              self.page_id)
            self.size += len(data)
            self.cursor = max(self.cursor, row_id)
        return self.doc.get_update(before)


class Rooms:
    """This node's rooms, one per page being edited here."""

    def __init__(self, services: CollabServices) -> None:
        self.services = services
        self.realtime = services.realtime
        self.rooms: dict[int, Room] = {}
        self._opening: dict[int, asyncio.Lock] = {}
        self._recheck: asyncio.Task[None] | None = None
        self._recheck_wanted = False
        self._catching_up: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.realtime.hub.ephemeral_handlers.append(self._on_bus)
        self.realtime.hub.dispatch_listeners.append(self._on_event)

    def _spawn(self, work: Callable[[], Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(work(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def settle(self) -> None:
        """Wait for the work under way (storing, deriving, folding) to finish: a node
        shutting down, or a test ending, leaves none half-done."""
        while busy := [t for t in self._tasks if t is not self._catching_up and not t.done()]:
            await asyncio.gather(*busy, return_exceptions=True)

    async def enter(self, page: Page, peer: Peer) -> Room:
        page_id = page.id
        lock = self._opening.setdefault(page_id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(page_id)
            if room is not None and room.born != page.created_at:
                self.reset(page_id)
                room = None
            if room is None:
                room = Room(page_id, born=page.created_at)
                async with self.services.reader() as uow:
                    room.read_at = utcnow()
                    rows = await stored_updates(uow, page_id)
                if not rows and page.markdown:
                    # A write transaction only for a page still to be seeded (on SQLite it
                    # waits for the one writer), not for every page opened.
                    async with self.services.unit_of_work() as uow:
                        await seed_once(uow, page_id)
                    async with self.services.reader() as uow:
                        rows = await stored_updates(uow, page_id)
                room.take(rows)
                self.rooms[page_id] = room
                if isinstance(self.realtime.bus, RedisBus) and self._catching_up is None:
                    self._catching_up = self._spawn(self._catch_up_loop, "collab-catch-up")
            room.peers.add(peer)
            return room

    async def leave(self, room: Room, peer: Peer) -> None:
        room.peers.discard(peer)
        if peer.clients:
            gone = {client: ClientState(clock + 1, "null")
                    for client, clock in peer.clients.items()}
            for client in gone:
                room.awareness.pop(client, None)
            message = create_awareness_message(awareness_update(gone))
            room.broadcast(message)
            await self.realtime.bus.publish(self.awareness_note(room.page_id, message))
        if not room.peers and self.rooms.get(room.page_id) is room:
            # The last one out: what they sent is stored, the page's text derived now, and
            # the room let go.
            if room.writer is not None and not room.writer.done():
                with contextlib.suppress(Exception):
                    await room.writer
            if room.peers:
                return  # someone came in meanwhile
            del self.rooms[room.page_id]
            room.closed = True
            if room.derive_task is not None and not room.derive_task.done():
                room.derive_task.cancel()
                try:
                    await self.derive(room)
                except Exception:
                    log.exception("deriving page %s failed", room.page_id)

    # --- changes ------------------------------------------------------------------------

    async def edit(self, room: Room, peer: Peer, data: bytes) -> None:
        """A change from `peer`: stored, applied, relayed to everyone else."""
        if data == EMPTY_UPDATE:
            return
        if peer.level < Level.EDIT:
            # A reader's replica answers the server's sync step 1 with what it holds that the
            # server's state vector lacks, and Yjs always adds its whole delete set: a reader
            # who reconnects with a page that ever had deletions sends one. What brings no
            # item the room lacks is not a change of theirs: it is dropped (never applied, so
            # deletions of a reader's own making change nothing). Anything new closes.
            try:
                news = _brings_new_items(room.doc, data)
            except Exception:
                peer.close(CLOSE_BAD_MESSAGE, "bad_update")
                return
            if news:
                peer.close(CLOSE_FORBIDDEN, "read_only")
            return
        if len(data) > MAX_UPDATE_BYTES:
            peer.close(CLOSE_TOO_BIG, "update_too_big")
            return
        if room.size + len(data) > MAX_DOCUMENT_BYTES:
            peer.close(CLOSE_TOO_BIG, "document_too_big")
            return
        try:
            get_state(data)  # decodes the whole update without touching the document
        except Exception:
            peer.close(CLOSE_BAD_MESSAGE, "bad_update")
            return
        room.pending.append((peer, data))
        if room.writer is None or room.writer.done():
            room.writer = self._spawn(lambda: self._write(room), "collab-write")

    async def _write(self, room: Room) -> None:
        """Store the room's waiting changes, then apply and relay them: all that arrived
        while the last transaction ran go in the next one (a group commit), so a busy page
        costs a transaction per batch, not per keystroke."""
        while room.pending:
            batch, room.pending = room.pending, []
            async with room.lock:
                if room.closed:
                    for peer, _ in batch:
                        peer.close(CLOSE_RESET, "reset")
                    continue
                try:
                    async with self.services.unit_of_work() as uow:
                        uow.session.add_all([PageUpdate(page_id=room.page_id, update=data,
                                                        author_id=peer.actor.user_id)
                                             for peer, data in batch])
                except Exception:
                    # Not stored: their clients still hold the changes and send them again
                    # when they reconnect.
                    log.exception("storing changes of page %s failed", room.page_id)
                    for peer, _ in batch:
                        peer.close(CLOSE_NOT_SAVED, "not_saved")
                    continue
                # Stored and committed: now they may be seen.
                for peer, data in batch:
                    before = room.doc.get_state()
                    try:
                        room.doc.apply_update(data)
                    except Exception:
                        log.exception("an update of page %s decoded but did not apply",
                                      room.page_id)
                        self.reset(room.page_id)
                        return
                    room.size += len(data)
                    change = room.doc.get_update(before)
                    if change != EMPTY_UPDATE:
                        room.broadcast(create_update_message(change), but=peer)
                    room.last_editor = peer.actor.user_id
                    room.editors.add(peer.actor.user_id)
                room.appended += len(batch)
            await self.realtime.bus.publish({"kind": "doc_update", "page": room.page_id,
                                             "node": self.realtime.node_id})
            if room.appended >= COMPACT_AFTER:
                room.appended = 0
                self._spawn(lambda: self._compact(room.page_id), "collab-compact")
            if room.derive_task is None or room.derive_task.done():
                room.derive_task = self._spawn(lambda: self._derive_later(room),
                                               "collab-derive")

    async def _compact(self, page_id: int) -> None:
        try:
            async with self.services.unit_of_work() as uow:
                await compact(uow, page_id)
        except Exception:
            log.exception("compacting page %s failed", page_id)

    async def _derive_later(self, room: Room) -> None:
        """Write the page's text and Markdown from its document, once edits pause."""
        await asyncio.sleep(DERIVE_DELAY)
        try:
            await self.derive(room)
        except Exception:
            log.exception("deriving page %s failed", room.page_id)

    async def derive(self, room: Room) -> None:
        async with room.lock:
            content = content_of(room.doc)
            editors, room.editors = room.editors, set()
        async with self.services.unit_of_work() as uow:
            await write_derived(uow, room.page_id, content, room.last_editor)
            await versions.snapshot_if_due(uow, room.page_id, content, editors)

    def _open_room(self, page_id: int) -> Room | None:
        room = self.rooms.get(page_id)
        return room if room is not None and not room.closed else None

    async def live(self, page_id: int) -> Content | None:
        """The page's document as people are editing it here, if they are (the page's
        derived columns may be a second behind it)."""
        room = self._open_room(page_id)
        if room is None:
            return None
        async with room.lock:
            return content_of(room.doc)

    async def current(self, page_id: int) -> Content:
        """The page's document as it stands: the room's if it is open here, else the
        store's."""
        if (content := await self.live(page_id)) is not None:
            return content
        async with self.services.reader() as uow:
            return content_of(await stored_document(uow, page_id))

    async def change(self, page_id: int, author_id: int, edit: Callable[[Doc[Any]], None]
                     ) -> Content:
        """A change the server makes (an older version restored), stored and relayed as an
        editor's would be; the document as it then is. Made on a copy first: the room takes
        it only once it is committed."""
        room = self._open_room(page_id)
        async with room.lock if room is not None else contextlib.nullcontext():
            if room is not None:
                doc = document_from(room.doc.get_update())
            else:
                async with self.services.reader() as uow:
                    doc = await stored_document(uow, page_id)
            before = doc.get_state()
            edit(doc)
            change = doc.get_update(before)
            content = content_of(doc)
            async with self.services.unit_of_work() as uow:
                uow.session.add(PageUpdate(page_id=page_id, update=change, author_id=author_id))
                await write_derived(uow, page_id, content, author_id)
            if room is not None:
                room.doc.apply_update(change)
                room.size += len(change)
        if room is not None and change != EMPTY_UPDATE:
            room.broadcast(create_update_message(change))
        await self.realtime.bus.publish({"kind": "doc_update", "page": page_id,
                                         "node": self.realtime.node_id})
        return content

    def reset(self, page_id: int) -> None:
        """The page's document was replaced (or broke): everyone reloads."""
        room = self.rooms.pop(page_id, None)
        if room is None:
            return
        room.closed = True
        for peer in list(room.peers):
            peer.close(CLOSE_RESET, "reset")

    # --- other nodes ----------------------------------------------------------------------

    def awareness_note(self, page_id: int, message: bytes) -> BusMessage:
        return {"kind": "doc_awareness", "page": page_id, "message": message.hex(),
                "node": self.realtime.node_id}

    def _on_bus(self, message: BusMessage) -> None:
        kind = message.get("kind")
        if kind not in ("doc_update", "doc_awareness"):
            return
        room = self.rooms.get(int(message.get("page") or 0))
        if room is None or message.get("node") == self.realtime.node_id:
            return
        if kind == "doc_awareness":
            with contextlib.suppress(ValueError, TypeError):
                room.broadcast(bytes.fromhex(str(message.get("message"))))
        else:
            self._spawn(lambda: self.catch_up(room), "collab-catch-up-room")

    async def catch_up(self, room: Room) -> None:
        """Apply what other nodes stored since this room last looked, and relay it."""
        async with room.lock:
            if room.closed:
                return
            since = room.read_at - LATE_COMMIT_WINDOW if room.read_at else None
            async with self.services.reader() as uow:
                room.read_at = utcnow()
                rows = await stored_updates(uow, room.page_id, after_id=room.cursor,
                                            since=since)
            change = room.take(rows)
        if change != EMPTY_UPDATE:
            room.broadcast(create_update_message(change))

    async def _catch_up_loop(self) -> None:
        while True:
            await asyncio.sleep(CATCH_UP_SECONDS)
            for room in list(self.rooms.values()):
                try:
                    await self.catch_up(room)
                except Exception:
                    log.exception("catching up page %s failed", room.page_id)

    # --- who may stay -------------------------------------------------------------------

    def _on_event(self, event: LoggedEvent) -> None:
        if not self.rooms or not may_change_access(event):
            return
        # A change arriving while a re-check runs may concern a room it has passed: it asks
        # for one more round rather than being dropped.
        self._recheck_wanted = True
        if self._recheck is None or self._recheck.done():
            self._recheck = self._spawn(self._recheck_while_wanted, "collab-recheck")

    async def _recheck_while_wanted(self) -> None:
        while self._recheck_wanted:
            self._recheck_wanted = False
            try:
                await self.recheck()
            except Exception:
                log.exception("re-checking who may stay in the rooms failed")

    async def recheck(self) -> None:
        """Ask again, once per person and page here, what they may do with it (one reader
        for the lot; someone with two tabs open is asked once)."""
        async with self.services.reader() as uow:
            for room in list(self.rooms.values()):
                by_person: dict[int, list[Peer]] = {}
                for peer in room.peers:
                    by_person.setdefault(peer.actor.user_id, []).append(peer)
                for peers in by_person.values():
                    try:
                        level = (await access_page(uow, peers[0].actor, room.page_id)).level
                    except NotFound:
                        for peer in peers:
                            peer.close(CLOSE_FORBIDDEN, "access_revoked")
                        continue
                    for peer in peers:
                        peer.level = level


_ROOMS: weakref.WeakKeyDictionary[Realtime, Rooms] = weakref.WeakKeyDictionary()


def rooms_of(services: CollabServices) -> Rooms:
    """The node's rooms (one registry per runtime)."""
    rooms = _ROOMS.get(services.realtime)
    if rooms is None:
        rooms = _ROOMS[services.realtime] = Rooms(services)
    return rooms


# --- the socket -------------------------------------------------------------------------


@router.websocket("/api/v1/pages/{page_id}/collab")
@router.websocket("/api/v1/docs/{page_id}/sync")  # the published contract's path
async def collab_socket(websocket: WebSocket, page_id: int) -> None:
    services: CollabServices = services_of(websocket)
    await websocket.accept()
    actor = await socket_actor(websocket, services)
    if isinstance(actor, Refusal):
        await _close(websocket, actor.code, actor.error)
        return
    try:
        async with services.reader() as uow:
            found = await access_page(uow, actor, page_id)
    except NotFound:
        await _close(websocket, CLOSE_NOT_FOUND, "not_found")
        return
    rooms = rooms_of(services)
    peer = Peer(websocket, actor, found.level)
    room = await rooms.enter(found.page, peer)
    sender = asyncio.create_task(_send_loop(peer), name="collab-send")
    try:
        peer.send(create_sync_message(room.doc))
        if room.awareness:
            peer.send(create_awareness_message(awareness_update(room.awareness)))
        await _receive_loop(rooms, room, peer)
    finally:
        await rooms.leave(room, peer)
        peer.close(*(peer.closing or (1000, "bye")))
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(sender, timeout=2.0)
        sender.cancel()


async def _send_loop(peer: Peer) -> None:
    while True:
        message = await peer.outbox.get()
        if message is None:
            code, reason = peer.closing or (1000, "bye")
            await _close(peer.websocket, code, reason)
            return
        try:
            await peer.websocket.send_bytes(message)
        except (WebSocketDisconnect, RuntimeError):
            return


async def _receive_loop(rooms: Rooms, room: Room, peer: Peer) -> None:
    while peer.closing is None:
        received = await peer.websocket.receive()
        if received["type"] == "websocket.disconnect":
            return
        frame = received.get("bytes")
        if frame is None:
            continue  # text frames are not part of the protocol: ignored
        if len(frame) > MAX_UPDATE_BYTES + 16:
            peer.close(CLOSE_TOO_BIG, "frame_too_big")
            return
        started = time.perf_counter()
        try:
            message = parse(frame)
            if message.kind == SYNC and message.step == STEP1:
                peer.send(sync_message(STEP2, room.doc.get_update(message.payload)))
            elif message.kind == SYNC and message.step in (STEP2, UPDATE):
                await rooms.edit(room, peer, message.payload)
            elif message.kind == AWARENESS:
                entries = awareness_entries(message.payload)
                for client, entry in entries.items():
                    peer.clients[client] = entry.clock
                    room.awareness[client] = entry
                relayed = create_awareness_message(message.payload)
                room.broadcast(relayed, but=peer)
                await rooms.realtime.bus.publish(rooms.awareness_note(room.page_id, relayed))
            elif message.kind == QUERY_AWARENESS:
                peer.send(create_awareness_message(awareness_update(room.awareness)))
        except (BadMessage, ValueError):
            peer.close(CLOSE_BAD_MESSAGE, "bad_message")
            return
        if time.perf_counter() - started > 1.0:
            log.warning("a collab message on page %s took %.1f s", room.page_id,
                        time.perf_counter() - started)


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.close(code, reason)
