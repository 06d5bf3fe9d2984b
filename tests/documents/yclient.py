"""A scripted co-editor for tests: a pycrdt document speaking the y-websocket protocol to a
page's collab socket, as Yjs's WebsocketProvider does in the browser."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import quote

import websockets
from pycrdt import (
    Doc,
    TransactionEvent,
    XmlElement,
    XmlText,
    create_sync_message,
    create_update_message,
)
from websockets.asyncio.client import ClientConnection

from xietong.documents.collab import (
    AWARENESS,
    STEP1,
    STEP2,
    SYNC,
    UPDATE,
    awareness_entries,
    parse,
    sync_message,
)
from xietong.documents.ydoc import fragment_of, text_of


def collab_url(base_url: str, page_id: int, token: str, *, path: str = "collab") -> str:
    """The page's socket: ours (`/pages/{id}/collab`) or, with `path="sync"`, the published
    contract's (`/docs/{id}/sync`)."""
    root = "docs" if path == "sync" else "pages"
    return (base_url.replace("http://", "ws://")
            + f"/api/v1/{root}/{page_id}/{path}?token={quote(token)}")


class Editor:
    """One person's replica of a page, kept in sync over the socket."""

    def __init__(self, connection: ClientConnection, doc: Doc[Any] | None = None) -> None:
        self.connection = connection
        self.doc: Doc[Any] = doc if doc is not None else Doc()
        self.synced = asyncio.Event()
        self.awareness: dict[int, str] = {}
        self.closed: tuple[int, str] | None = None
        self._sending = True
        self._pending: set[asyncio.Task[None]] = set()
        self._subscription = self.doc.observe(self._on_change)
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, base_url: str, page_id: int, token: str,
                   doc: Doc[Any] | None = None) -> Editor:
        """Connect (with `doc`: a replica that was connected elsewhere, edits and all)."""
        return await cls.connect(collab_url(base_url, page_id, token), doc)

    @classmethod
    async def connect(cls, url: str, doc: Doc[Any] | None = None) -> Editor:
        connection = await websockets.connect(url, max_size=None)
        editor = cls(connection, doc)
        await editor.send(create_sync_message(editor.doc))
        return editor

    async def reconnect(self, base_url: str, page_id: int, token: str) -> Editor:
        """The same replica on another connection, as a provider does after a drop."""
        self.doc.unobserve(self._subscription)
        with contextlib.suppress(Exception):
            await self.connection.close()
        return await Editor.open(base_url, page_id, token, self.doc)

    def _on_change(self, event: TransactionEvent) -> None:
        if self._sending and event.update != b"\x00\x00":
            task = asyncio.get_running_loop().create_task(
                self.send(create_update_message(event.update)))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def send(self, frame: bytes) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.connection.send(frame)

    async def _read(self) -> None:
        try:
            async for frame in self.connection:
                if not isinstance(frame, bytes):
                    continue
                message = parse(frame)
                if message.kind == SYNC and message.step == STEP1:
                    update = self.doc.get_update(message.payload)
                    await self.send(sync_message(STEP2, update))
                elif message.kind == SYNC and message.step in (STEP2, UPDATE):
                    self._sending = False
                    try:
                        self.doc.apply_update(message.payload)
                    finally:
                        self._sending = True
                    if message.step == STEP2:
                        self.synced.set()
                elif message.kind == AWARENESS:
                    for client, entry in awareness_entries(message.payload).items():
                        self.awareness[client] = entry.state
        except websockets.ConnectionClosed:
            pass
        finally:
            close = self.connection.close_code, self.connection.close_reason
            self.closed = (close[0] or 1006, close[1] or "")

    async def wait_synced(self, timeout: float = 10) -> None:
        await asyncio.wait_for(self.synced.wait(), timeout)

    async def wait_closed(self, timeout: float = 10) -> tuple[int, str]:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        assert self.closed is not None
        return self.closed

    def type_paragraph(self, words: str) -> None:
        """A new paragraph at the end, as typing it and pressing Enter would make."""
        paragraph = fragment_of(self.doc).children.append(XmlElement("paragraph"))
        paragraph.children.append(XmlText(words))

    def append_to_first(self, words: str) -> None:
        """Words typed at the end of the first paragraph."""
        fragment = fragment_of(self.doc)
        first = next(iter(fragment.children))
        assert isinstance(first, XmlElement)
        text = next(iter(first.children))
        assert isinstance(text, XmlText)
        text.insert(len(text), words)

    @property
    def text(self) -> str:
        return text_of(self.doc)

    async def close(self) -> None:
        """Close once what was typed has been sent (as a browser tab flushes its socket)."""
        if self._pending:
            await asyncio.wait(self._pending)
        await self.connection.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


async def eventually(check: Any, timeout: float = 10.0) -> None:
    """Wait until `check()` is true (replicas converge asynchronously)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("not converged in time")
        await asyncio.sleep(0.02)
