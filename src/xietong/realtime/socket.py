"""`GET /api/v1/events/ws`: the WebSocket every client keeps open.

Server → client: `{"type": "hello", ...}` first, then one JSON event per text frame
(`{"id", "type", "scope", "channel_id", "data"}`), plus id-less ephemeral frames (typing,
presence, pong, error). Client → server: `{"type": "ping"}`, `{"type": "typing",
"channel_id": n}`, `{"type": "presence", "status": "online" | "away"}`, `{"type": "watch_presence",
"user_ids": [...]}` (presence changes of those people are then pushed).

Resuming: `?last_event_id=N` replays every event after N that the person may see, from
the event log, then continues live; nothing is skipped or sent twice.

A client must say something at least every `Realtime.idle_seconds` (`XIETONG_WS_IDLE_SECONDS`;
a ping will do): a socket silent for that long gets an `idle_timeout` error frame and 4408,
and its person goes offline unless connected elsewhere. Otherwise a client that froze with
its connection still open (a sleeping phone, a suspended tab) would show them online for as
long as the connection lasted. Clients reconnect on 4408 as on any close not listed below.

A client's mistakes are answered, never raised: a bad frame gets an `error` frame (the
twentieth closes the socket with 4429), a frame nested past MAX_FRAME_DEPTH closes it
with 1008, a bad `last_event_id` with 4400. A `last_event_id` older than the pruned part
of the log (see `retention`) gets a `resync_required` error frame and 4410: the client
drops its position, reconnects without one and reloads its state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import NoReturn, Protocol, TypeGuard
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from xietong.core.actor import Actor
from xietong.core.events import CHANNEL, Scope
from xietong.core.ids import MAX_ID
from xietong.edge import client_ip, presented_token, services_of
from xietong.realtime.hub import Connection, ephemeral_frame
from xietong.realtime.service import Realtime

log = logging.getLogger("xietong.socket")
router = APIRouter()

REPLAY_BATCH = 500
MAX_CLIENT_FRAME = 4096
MAX_BAD_FRAMES = 20
TYPING_INTERVAL = 2.0
MAX_WATCHED = 1000
CLOSE_TIMEOUT = 2.0

# Close codes (4000-4999 are ours): clients reconnect on 4008 and 1012, not on 4401/4403;
# on 4410 they reconnect without a last_event_id and reload.
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_BAD_REQUEST = 4400
CLOSE_TOO_SLOW = 4008
CLOSE_TOO_MANY_ERRORS = 4429
# Nothing came from the client for `idle_seconds` (HTTP's 408 Request Timeout).
CLOSE_IDLE = 4408
# The client's last_event_id lies before the pruned part of the event log (retention): it
# may have missed events nobody can replay, so it must drop its position and reload.
CLOSE_RESYNC = 4410
RESYNC_MESSAGE = ("Events after last_event_id have been pruned; reload your state and "
                  "connect without last_event_id.")
# A frame no client of ours sends (nested deeper than MAX_FRAME_DEPTH): a standard
# policy close, which clients do not retry as they would 1012.
CLOSE_POLICY = 1008
# Our frames nest two deep. Past this a frame is refused before parsing: the JSON parser
# recurses once per level, and 2,000 levels fit in a 4 KB frame.
MAX_FRAME_DEPTH = 32


def _event_id(frame: str) -> int | None:
    """The id of a logged event's frame (they start '{"id":N,'); None for ephemeral ones."""
    if not frame.startswith('{"id":'):
        return None
    return int(frame[6:frame.index(",", 6)])


def _same_origin(websocket: WebSocket) -> bool:
    """Cookie-authenticated sockets must come from our own pages (no cross-site hijacking)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: no ambient cookie risk
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:  # not a URL at all ("http://["): certainly not one of our pages
        return False
    return netloc.lower() == websocket.headers.get("host", "").lower()


def _position(raw: str) -> int | None:
    """An event id as a client gives it back: ASCII digits only (`str.isdigit` also takes
    "²", "٣" and full-width digits, which `int` refuses or reads as another number)."""
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    return None


def _too_deep(text: str) -> bool:
    """Whether the JSON `text` nests arrays and objects more than MAX_FRAME_DEPTH deep
    (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= MAX_FRAME_DEPTH:
        return False  # every frame a client of ours sends
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_FRAME_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _is_id(value: object) -> TypeGuard[int]:
    """A JSON integer that can be an id (not a bool, which Python counts as an int)."""
    return type(value) is int and 1 <= value <= MAX_ID


class CredentialGeneration(Protocol):
    @property
    def generation(self) -> int:
        """Moves on whenever anyone's credentials change."""
        ...


class TokenServices(Protocol):
    """What telling who opened a socket needs of the runtime."""

    async def actor_for_token(self, token: str, ip: str | None) -> Actor | None: ...


class SocketServices(TokenServices, Protocol):
    """What the socket uses of the runtime (`xietong.runtime.Runtime` provides it); the
    runtime itself imports every domain, and realtime knows none."""

    @property
    def realtime(self) -> Realtime: ...
    @property
    def credentials(self) -> CredentialGeneration: ...

    async def end_dead_sockets(self, user_id: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a socket is turned away: its close code, error code and message."""

    code: int
    error: str
    message: str


async def socket_actor(websocket: WebSocket, runtime: TokenServices) -> Actor | Refusal:
    """Who opened `websocket`: its bearer token, `?token=`, or the session cookie — then
    only from Xietong's own pages (no cross-site hijacking). Call after accepting it."""
    presented = presented_token(websocket)
    token = websocket.query_params.get("token")
    from_cookie = False
    if token is None and presented is not None:
        token, from_cookie = presented
    actor = await runtime.actor_for_token(token, client_ip(websocket)) if token else None
    if actor is None:
        return Refusal(CLOSE_UNAUTHORIZED, "unauthorized", "Sign in first.")
    if from_cookie and not _same_origin(websocket):
        return Refusal(CLOSE_FORBIDDEN_ORIGIN, "forbidden_origin",
                       "This socket must be opened from Xietong's own pages.")
    return actor


@router.websocket("/api/v1/events/ws")
async def events_socket(websocket: WebSocket) -> None:
    runtime: SocketServices = services_of(websocket)
    realtime = runtime.realtime
    await websocket.accept()
    # A credential change from here until the socket is registered would miss it.
    generation = runtime.credentials.generation
    actor = await socket_actor(websocket, runtime)
    if isinstance(actor, Refusal):
        await _refuse(websocket, actor.code, actor.error, actor.message)
        return
    raw_last = websocket.query_params.get("last_event_id")
    last_event_id: int | None = None
    if raw_last is not None:
        last_event_id = _position(raw_last)
        if last_event_id is None or last_event_id > await realtime.last_event_id():
            await _refuse(websocket, CLOSE_BAD_REQUEST, "bad_last_event_id",
                          "last_event_id must be an event id this server gave out.")
            return
        if last_event_id < await realtime.pruned_through():
            await _refuse(websocket, CLOSE_RESYNC, "resync_required", RESYNC_MESSAGE)
            return
    await Session(websocket, runtime, actor.user_id, actor.token_id).run(last_event_id,
                                                                       generation)


async def _refuse(websocket: WebSocket, code: int, error: str, message: str) -> None:
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.send_text(ephemeral_frame("error", None,
                                                  {"code": error, "message": message}))
        await websocket.close(code)


class Session:
    """One open socket: replay, then pump the hub's queue out and the client's frames in."""

    def __init__(self, websocket: WebSocket, runtime: SocketServices, user_id: int,
                 token_id: int | None) -> None:
        self.websocket = websocket
        self.runtime = runtime
        self.realtime = runtime.realtime
        self.user_id = user_id
        self.token_id = token_id
        self.connection: Connection | None = None
        self.bad_frames = 0
        self.last_typing: dict[int, float] = {}
        # Set when the socket is ending over something the client did: (close code, error
        # code, message), said and closed once the loops are down (not from inside one,
        # while the other may still be writing).
        self.closing: tuple[int, str, str] | None = None

    async def run(self, last_event_id: int | None, signed_in_generation: int) -> None:
        """`signed_in_generation`: the credential cache's generation before the sign-in was
        checked; if it moved, credentials changed meanwhile and are checked again."""
        hub = self.realtime.hub
        reads = await self.realtime.readable(self.user_id)
        connection = self.connection = Connection(self.user_id, reads,
                                                  self.realtime.queue_limit, self.token_id)
        cursor = hub.register(connection)
        try:
            if self.runtime.credentials.generation != signed_in_generation:
                await self.runtime.end_dead_sockets(self.user_id)
                if connection.is_cut_off:
                    raise _Closed
            await self.realtime.set_presence(self.user_id, id(connection), "online")
            position = cursor if last_event_id is None else last_event_id
            await self.websocket.send_text(ephemeral_frame(
                "hello", None, {"user_id": self.user_id, "resumed": last_event_id is not None,
                                "last_event_id": position}))
            connection.sent_up_to = (cursor if last_event_id is None
                                     else await self._replay(last_event_id))
            if (last_event_id is not None
                    and last_event_id < await self.realtime.pruned_through()):
                # Pruned while it was replayed: what it read may have had holes.
                self._close(CLOSE_RESYNC, "resync_required", RESYNC_MESSAGE)
            async with asyncio.TaskGroup() as group:
                sender = group.create_task(self._send_loop(connection))
                receiver = group.create_task(self._receive_loop(connection))

                def cut_off() -> None:
                    sender.cancel()
                    receiver.cancel()

                connection.stop_with(cut_off)
        except* (WebSocketDisconnect, _Closed):
            pass
        finally:
            hub.unregister(connection)
            await self.realtime.set_presence(self.user_id, id(connection), None)
            if self.websocket.application_state != WebSocketState.DISCONNECTED:
                # 4401 tells a client whose sign-in ended not to come back with it; 4008
                # one that fell behind to reconnect and resume; 1012 that the server is
                # restarting. A client that stopped reading may never take the close
                # frame, so don't wait on it for long.
                with contextlib.suppress(RuntimeError, WebSocketDisconnect, TimeoutError):
                    async with asyncio.timeout(CLOSE_TIMEOUT):
                        if self.closing is not None:
                            await _refuse(self.websocket, *self.closing)
                        elif connection.credential_ended:
                            await _refuse(self.websocket, CLOSE_UNAUTHORIZED, "unauthorized",
                                          "The session has ended; sign in again.")
                        else:
                            await self.websocket.close(CLOSE_TOO_SLOW if connection.overflowed
                                                       else 1012)

    async def _replay(self, cursor: int) -> int:
        assert self.connection is not None
        while True:
            events = await self.realtime.replay(self.user_id, cursor,
                                                self.connection.subscriptions, REPLAY_BATCH)
            for event in events:
                if self.connection.is_cut_off:
                    raise _Closed  # e.g. signed out meanwhile: not one event more
                await self.websocket.send_text(event.frame)
                cursor = event.id
            if len(events) < REPLAY_BATCH:
                return cursor

    async def _send_loop(self, connection: Connection) -> None:
        while True:
            frame = await connection.next_frame()
            event_id = _event_id(frame)
            if event_id is not None:
                if event_id <= connection.sent_up_to:
                    continue  # already sent by the replay
                connection.sent_up_to = event_id
            await self.websocket.send_text(frame)

    async def _receive_loop(self, connection: Connection) -> None:
        idle = self.realtime.idle_seconds
        while True:
            try:
                async with asyncio.timeout(idle):
                    message = await self.websocket.receive()
            except TimeoutError:
                self._close(CLOSE_IDLE, "idle_timeout",
                            f"Nothing received for {idle:g} seconds; send a ping more often.")
            if message["type"] == "websocket.disconnect":
                raise _Closed
            text = message.get("text")
            if text is None or len(text) > MAX_CLIENT_FRAME:
                await self._bad_frame("bad_frame", "Send JSON text frames of up to 4 KB.")
                continue
            if _too_deep(text):
                self._close(CLOSE_POLICY, "bad_frame", "That frame is nested too deeply.")
            try:
                frame = json.loads(text)
            except ValueError:
                await self._bad_frame("bad_frame", "That frame is not JSON.")
                continue
            kind = frame.get("type") if isinstance(frame, dict) else None
            if kind == "ping":
                connection.offer(ephemeral_frame("pong", None, {}))
            elif kind == "typing":
                await self._typing(connection, frame.get("channel_id"))
            elif kind == "presence" and frame.get("status") in ("online", "away"):
                await self.realtime.set_presence(self.user_id, id(connection), frame["status"])
            elif kind == "watch_presence":
                await self._watch_presence(connection, frame.get("user_ids"))
            else:
                await self._bad_frame("unknown_type", "Unknown frame type.")

    async def _typing(self, connection: Connection, channel_id: object) -> None:
        if not _is_id(channel_id) or not connection.subscriptions.covers(
                Scope(CHANNEL, channel_id)):
            await self._bad_frame("bad_channel", "You can only type in your own channels.")
            return
        now = time.monotonic()
        if now - self.last_typing.get(channel_id, 0.0) < TYPING_INTERVAL:
            return  # the others already know; don't flood them
        self.last_typing[channel_id] = now
        await self.realtime.publish_typing(channel_id, self.user_id)

    async def _watch_presence(self, connection: Connection, user_ids: object) -> None:
        if (not isinstance(user_ids, list) or len(user_ids) > MAX_WATCHED
                or not all(_is_id(u) for u in user_ids)):
            await self._bad_frame("bad_frame", f"user_ids: a list of at most {MAX_WATCHED} ids.")
            return
        # Only people this user may see (a guest: those sharing a channel); the rest are
        # not watched and not answered, alike whether they exist or not.
        watched = await self.realtime.hub.watch_visible(connection, set(user_ids))
        # Answer with the current statuses, so the client starts from the truth.
        for user_id, status in (await self.realtime.statuses(sorted(watched))).items():
            connection.offer(ephemeral_frame("presence", None,
                                             {"user_id": user_id, "status": status}))

    async def _bad_frame(self, code: str, message: str) -> None:
        self.bad_frames += 1
        if self.bad_frames >= MAX_BAD_FRAMES:
            self._close(CLOSE_TOO_MANY_ERRORS, "too_many_errors",
                        f"{MAX_BAD_FRAMES} bad frames; closing.")
        assert self.connection is not None
        self.connection.offer(ephemeral_frame("error", None, {"code": code, "message": message}))

    def _close(self, code: int, error: str, message: str) -> NoReturn:
        """End the socket over a client's mistake: the error frame and the close are sent
        after both loops have stopped."""
        self.closing = (code, error, message)
        raise _Closed


class _Closed(Exception):
    """The socket is done; leave the task group quietly."""
