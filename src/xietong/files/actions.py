"""Writers of files: bytes into storage, rows into the database. They never commit.

An upload is two steps, so the database's write lock is never held while bytes are
copied or images decoded: `store_upload` writes the bytes (and thumbnail) to storage,
then the edge opens a unit of work for `do_create_file`. If anything after the first
step fails, including the commit, the edge calls `discard_upload`: a failed upload
leaves no row and no file.

Before either step the edge asks `check_upload_rate` (uploads per person per window).
The storage quota is checked once, by `do_create_file` under a per-person lock: the one
place where two racing uploads of one person cannot both fit. (A second, early check
before copying would cost every upload another transaction and sum over the person's
files, only to spare a refused upload, already bounded by the rate limit, a copy and one
bounded decode.)
"""

from __future__ import annotations

import hashlib
import io
import logging
import unicodedata
from dataclasses import dataclass
from typing import IO

import anyio

from xietong.core.actor import Actor
from xietong.core.errors import PayloadTooLarge, TooManyRequests, Unavailable
from xietong.core.ratelimit import FailureCounter
from xietong.core.uow import UnitOfWork
from xietong.files import queries
from xietong.files.models import StoredFile
from xietong.files.sniff import SNIFF_BYTES, TextDetector, sniff_content_type
from xietong.files.storage import CHUNK_SIZE, Readable, Storage
from xietong.files.thumbnails import inspect_image

log = logging.getLogger("xietong.files")

MAX_NAME_CHARS = 255
DEFAULT_NAME = "file"
# An extension longer than this is not one worth keeping when a long name is shortened.
_MAX_EXTENSION_CHARS = 16
# Characters that change how the rest of the text is displayed ("txt.exe" shown as
# "exe.txt"), and the byte-order mark, which has no business inside a name.
_HIDDEN_TRICKS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                           "\u200e\u200f\u061c\ufeff")


def clean_file_name(raw: str | None) -> str:
    """The name to show for an upload the client called `raw`.

    Only the last path component is kept, whichever separator the client's system uses
    (`C:\\Users\\x\\报价单.xlsx` becomes `报价单.xlsx`); control characters and bidi
    overrides are dropped; the result is NFC, at most 255 characters (keeping the
    extension) and never empty. It is display text only: no file is ever named after it.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c not in _HIDDEN_TRICKS
                   and unicodedata.category(c) not in ("Cc", "Cs", "Co", "Zl", "Zp"))
    name = name.strip()
    if name in ("", ".", ".."):
        return DEFAULT_NAME
    if len(name) <= MAX_NAME_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= _MAX_EXTENSION_CHARS:
        return stem[:MAX_NAME_CHARS - len(extension) - 1].rstrip() + "." + extension
    return name[:MAX_NAME_CHARS].rstrip()


@dataclass(frozen=True, slots=True)
class Upload:
    """Bytes already in storage, waiting for their row."""

    key: str
    size: int
    sha256: str
    content_type: str
    width: int | None
    height: int | None
    thumbnail_key: str | None


class _Intake:
    """The upload as the storage reads it: in bounded chunks, counted against the limit,
    hashed, and watched for its type on the way through (one pass over the bytes)."""

    def __init__(self, source: Readable, max_bytes: int) -> None:
        self._source = source
        self._max_bytes = max_bytes
        self._finished = False
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = b""
        self.text = TextDetector()

    def read(self, size: int = -1, /) -> bytes:
        chunk = self._source.read(size if 0 < size <= CHUNK_SIZE else CHUNK_SIZE)
        if not chunk:
            if not self._finished:
                self._finished = True
                self.text.feed(b"", final=True)
            return b""
        self.size += len(chunk)
        if self.size > self._max_bytes:
            raise PayloadTooLarge(f"The file is larger than the limit of {self._max_bytes} "
                                  "bytes.", details={"max_bytes": self._max_bytes})
        self.digest.update(chunk)
        if len(self.head) < SNIFF_BYTES:
            self.head += chunk[:SNIFF_BYTES - len(self.head)]
        self.text.feed(chunk)
        return chunk


async def check_upload_rate(counter: FailureCounter, actor: Actor, *, limit: int,
                            window_seconds: int) -> None:
    """Count one upload by `actor`; raise `TooManyRequests` (with the seconds until the
    window ends) past `limit` uploads in the window. Without the shared counter (Redis not
    answering) uploads are let through: the quota and the bounded decoder still hold."""
    key = f"upload:{actor.user_id}"
    try:
        count = await counter.hit(key, window_seconds)
        if count <= limit:
            return
        _, wait = await counter.peek(key)
    except Unavailable:
        log.warning("upload rate limit not applied: the shared counter does not answer")
        return
    wait = max(wait, 1)
    raise TooManyRequests(f"More than {limit} uploads in {window_seconds} seconds; try again "
                          f"in {wait} seconds.", code="too_many_uploads", retry_after=wait,
                          details={"limit": limit, "window_seconds": window_seconds,
                                   "retry_after": wait})


async def check_storage_quota(uow: UnitOfWork, actor: Actor, *, incoming: int,
                              quota_bytes: int) -> None:
    """Raise `PayloadTooLarge` (code `storage_quota_exceeded`) if `incoming` more bytes
    would take `actor`'s uploads past `quota_bytes` (0: no quota)."""
    if not quota_bytes:
        return
    used = await queries.storage_used_by(uow, actor.user_id)
    if used + incoming > quota_bytes:
        raise PayloadTooLarge(
            f"This file ({incoming} bytes) does not fit in your storage quota: {used} of "
            f"{quota_bytes} bytes are used.", code="storage_quota_exceeded",
            details={"quota_bytes": quota_bytes, "used_bytes": used, "file_bytes": incoming})


async def store_upload(storage: Storage, source: IO[bytes], *, max_bytes: int,
                       max_image_pixels: int, max_decoded_pixels: int) -> Upload:
    """Copy `source` (seekable, read from its current position) into storage, sniff its
    type and, for an image, record its size and store a thumbnail (see `inspect_image`
    for the pixel limits). Raises `PayloadTooLarge` past `max_bytes`, leaving nothing
    behind."""
    intake = _Intake(source, max_bytes)
    key = await storage.save(intake)
    try:
        content_type = sniff_content_type(intake.head, is_text=intake.text.is_text)
        facts = await inspect_image(source, content_type, max_pixels=max_image_pixels,
                                    max_decoded_pixels=max_decoded_pixels)
        thumbnail_key = (await storage.save(io.BytesIO(facts.thumbnail))
                         if facts.thumbnail is not None else None)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await storage.delete(key)
        raise
    return Upload(key=key, size=intake.size, sha256=intake.digest.hexdigest(),
                  content_type=content_type, width=facts.width, height=facts.height,
                  thumbnail_key=thumbnail_key)


async def discard_upload(storage: Storage, upload: Upload) -> None:
    """Remove the stored bytes of an upload whose row was not committed."""
    with anyio.CancelScope(shield=True):
        await storage.delete(upload.key)
        if upload.thumbnail_key is not None:
            await storage.delete(upload.thumbnail_key)


async def do_create_file(uow: UnitOfWork, actor: Actor, *, name: str | None,
                         upload: Upload, quota_bytes: int = 0) -> StoredFile:
    """Record an upload by `actor` under the (cleaned) name the client gave it. The file
    is the uploader's alone until a message carries it. With a `quota_bytes`, raises
    `PayloadTooLarge` if the file does not fit (checked holding the uploader's lock until
    the commit, so two racing uploads cannot both squeeze into the last free bytes)."""
    if quota_bytes:
        await uow.lock(f"files:quota:{actor.user_id}")
        await check_storage_quota(uow, actor, incoming=upload.size, quota_bytes=quota_bytes)
    row = StoredFile(uploader_id=actor.user_id, name=clean_file_name(name), size=upload.size,
                     content_type=upload.content_type, sha256=upload.sha256,
                     storage_key=upload.key, width=upload.width, height=upload.height,
                     thumbnail_key=upload.thumbnail_key)
    uow.session.add(row)
    await uow.flush()
    return row
