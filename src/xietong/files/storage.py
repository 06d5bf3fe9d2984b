"""Where file bytes live. The domain talks to `Storage`; `LocalStorage` keeps them on disk.

A key is made by the storage, never by a client: a random name, so nothing a client sends
(a file name, a path) can choose or guess where the bytes land. An S3-compatible store
fits the same protocol (`local_path` then answers None and downloads stream through
`open`).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import anyio
import anyio.to_thread

CHUNK_SIZE = 256 * 1024

_KEY = re.compile(r"[0-9a-f]{32}")


class Readable(Protocol):
    """A source of bytes read in chunks (an open file, an upload's spooled file)."""

    def read(self, size: int = -1, /) -> bytes: ...


class Storage(Protocol):
    async def save(self, source: Readable) -> str:
        """Copy `source` to its end into a new object and return its key. The object appears
        whole or not at all; an error from `source.read` (a size limit) leaves nothing."""
        ...

    def open(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes, in chunks."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""
        ...

    def local_path(self, key: str) -> Path | None:
        """A file on this machine holding the object, when the storage has one (so the
        server can send it with sendfile and answer range requests)."""
        ...


class LocalStorage:
    """Objects as files under `root`, fanned out as `ab/cd/abcd…` so no directory grows huge.

    A new object is written to `root/tmp`, flushed to disk, then renamed into place: the
    rename is atomic because both sit on the same file system. The directory that received
    it (and any directory made for it) is synced too, so that, like the row naming it
    (SQLite's synchronous=FULL, PostgreSQL's commit), the object survives a power cut.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key[2:4] / key

    async def save(self, source: Readable) -> str:
        return await anyio.to_thread.run_sync(self._save, source)

    def _save(self, source: Readable) -> str:
        key = uuid.uuid4().hex
        final = self.path_of(key)
        staging = self.root / "tmp"
        staging.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=staging, prefix="upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(CHUNK_SIZE):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            made = _make_directories(final.parent)
            os.replace(temporary, final)
            for directory in (final.parent, *made):
                _sync_directory(directory)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    async def open(self, key: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.path_of(key), "rb") as source:
            while chunk := await source.read(CHUNK_SIZE):
                yield chunk

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(lambda: self.path_of(key).unlink(missing_ok=True))

    def local_path(self, key: str) -> Path | None:
        path = self.path_of(key)
        return path if path.is_file() else None


def _make_directories(directory: Path) -> list[Path]:
    """Create `directory` and missing parents; the parents of those created, deepest first
    (the directories whose entries changed)."""
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
    return [path.parent for path in missing]


def _sync_directory(directory: Path) -> None:
    handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
