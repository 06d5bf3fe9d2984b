"""A WebSocket client for tests: connects to the live server, collects frames, and checks
each one against the socket's frames in the server's own OpenAPI document (the web client's
types are generated from it, so a frame that strays from it would mislead them)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import jsonschema_rs
import websockets
from websockets.asyncio.client import ClientConnection

# One per server: its /api/openapi.json, read once.
_frame_validators: dict[str, jsonschema_rs.Validator] = {}


async def frame_validator(base_url: str) -> jsonschema_rs.Validator:
    """Validates a frame against `SocketFrame` in the document the server serves."""
    if base_url not in _frame_validators:
        async with httpx.AsyncClient(base_url=base_url) as http:
            response = await http.get("/api/openapi.json")
        assert response.status_code == 200, response.text
        components = response.json()["components"]
        _frame_validators[base_url] = jsonschema_rs.Draft202012Validator(
            {"$ref": "#/components/schemas/SocketFrame", "components": components})
    return _frame_validators[base_url]


class Socket:
    def __init__(self, connection: ClientConnection, validator: jsonschema_rs.Validator) -> None:
        self.connection = connection
        self.validator = validator
        self.events: list[dict[str, Any]] = []  # logged events (with ids), in arrival order
        self.other: list[dict[str, Any]] = []  # hello, typing, presence, pong, error

    @classmethod
    async def open(cls, base_url: str, token: str, last_event_id: int | None = None,
                   **headers: str) -> Socket:
        url = base_url.replace("http://", "ws://") + "/api/v1/events/ws"
        query = [f"token={token}"] if token else []
        if last_event_id is not None:
            query.append(f"last_event_id={last_event_id}")
        if query:
            url += "?" + "&".join(query)
        validator = await frame_validator(base_url)
        connection = await websockets.connect(url, additional_headers=headers or None)
        socket = cls(connection, validator)
        hello = await socket.next_frame()
        assert hello["type"] in ("hello", "error"), hello
        return socket

    async def next_frame(self, timeout: float = 5) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.connection.recv(), timeout)
        frame: dict[str, Any] = json.loads(raw)
        errors = [error.message for error in self.validator.iter_errors(frame)]
        assert not errors, f"a frame unlike the OpenAPI document's SocketFrame: {raw!r} {errors}"
        (self.events if "id" in frame else self.other).append(frame)
        return frame

    async def wait_for(self, kind: str, timeout: float = 5, **data: Any) -> dict[str, Any]:
        """The first frame of `kind` whose data contains `data` (earlier ones are kept)."""
        for frame in [*self.events, *self.other]:
            if frame["type"] == kind and all(frame.get("data", {}).get(k) == v
                                             for k, v in data.items()):
                return frame
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no {kind} {data} within {timeout}s; got {self.events}")
            frame = await self.next_frame(remaining)
            if frame["type"] == kind and all(frame.get("data", {}).get(k) == v
                                             for k, v in data.items()):
                return frame

    async def closed_with(self, timeout: float = 5) -> int | None:
        """Read until the server closes the socket; the close code it sent."""
        async with asyncio.timeout(timeout):
            try:
                while True:
                    await self.next_frame(timeout)
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None

    async def refused_with(self, timeout: float = 5) -> tuple[str | None, int | None]:
        """Read until the server closes the socket: the code of the last error frame it
        sent (None if none) and the close code."""
        closed = await self.closed_with(timeout)
        last = self.other[-1] if self.other else None
        error = last["data"]["code"] if last is not None and last["type"] == "error" else None
        return error, closed

    async def quiet(self, seconds: float = 0.3) -> list[dict[str, Any]]:
        """Collect whatever arrives within `seconds`."""
        got: list[dict[str, Any]] = []
        try:
            while True:
                got.append(await self.next_frame(seconds))
        except TimeoutError:
            return got

    async def send(self, frame: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(frame))

    async def close(self) -> None:
        await self.connection.close()
