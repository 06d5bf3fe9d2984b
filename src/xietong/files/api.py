"""Uploads and downloads over HTTP: thin routes over access/actions.

The upload route reads its multipart body itself, after authentication: a declared
`UploadFile` parameter would make FastAPI receive (and spool) the whole body before it
even asked who is sending it. The router is included with a body limit of its own
(`upload_body_limit`), larger than the app's JSON limit.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile

from xietong.core.errors import Invalid, NotFound, PayloadTooLarge
from xietong.edge import CurrentActor, IdPath, Rt, Services
from xietong.files import access, actions
from xietong.files.events import TO_NOBODY, FileDownloaded
from xietong.files.schemas import FileOut, file_out
from xietong.files.sniff import INLINE_TYPES
from xietong.files.storage import LocalStorage, Storage
from xietong.files.thumbnails import THUMBNAIL_TYPE
from xietong.settings import Settings

log = logging.getLogger("xietong.files")

router = APIRouter(prefix="/api/v1", tags=["files"])

# Room for the multipart framing around the file: boundaries and the part's headers.
MULTIPART_ALLOWANCE = 64 * 1024
# A browser's own viewer of a downloaded file gets no script, forms or same-origin rights
# and loads nothing else, whatever the bytes turn out to be (defence in depth behind nosniff
# and the sniffed type). Our own pages may frame it (a PDF's or an image's preview); no
# other site may. This replaces the app's policy for pages (`app.SecurityHeaders`).
DOWNLOAD_CSP = ("sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                "frame-ancestors 'self'")
# Shown by the browser rather than downloaded: images, and PDFs in the browser's own viewer
# (which runs none of a PDF's script in our origin, and is sandboxed by DOWNLOAD_CSP).
# Everything else, SVG and HTML included (never sniffed as such anyway), is an attachment.
SHOWN_INLINE = INLINE_TYPES | {"application/pdf"}

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}},
        }}},
    },
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
# A download is sent as the type sniffed from its bytes at upload (`files.sniff`): the
# images shown inline, text/plain for UTF-8 text, application/octet-stream when unknown,
# and any other format recognised by its magic number (application/pdf, audio/*, …).
_FILE_REPLY: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file's bytes, as the type sniffed from them at upload.",
          "content": {**{media_type: _BINARY for media_type in sorted(INLINE_TYPES)},
                      "text/plain": _BINARY, "application/octet-stream": _BINARY,
                      "application/*": _BINARY, "audio/*": _BINARY, "video/*": _BINARY,
                      "image/*": _BINARY, "font/*": _BINARY}},
}
_THUMBNAIL_REPLY: dict[int | str, dict[str, Any]] = {
    200: {"description": "A WebP preview.", "content": {THUMBNAIL_TYPE: _BINARY}},
}


def upload_body_limit(settings: Settings) -> int:
    """The request body limit of this router: the file limit plus multipart framing."""
    return settings.max_upload_bytes + MULTIPART_ALLOWANCE


def storage_of(rt: Services) -> Storage:
    return LocalStorage(rt.settings.data_dir / "files")


@router.post("/files", status_code=201, openapi_extra=_UPLOAD_BODY)
async def upload_file(request: Request, actor: CurrentActor, rt: Rt) -> FileOut:
    """Upload one file (multipart field `file`). Its type is sniffed from the bytes; images
    get their size recorded and a thumbnail. The file is private to the uploader until a
    message carries it. Each person may start `upload_rate_limit` uploads a window (429
    with Retry-After past it) and keep `storage_quota_bytes` of files (413
    `storage_quota_exceeded` for a file that does not fit)."""
    settings = rt.settings
    limit = settings.max_upload_bytes
    await actions.check_upload_rate(rt.failures, actor, limit=settings.upload_rate_limit,
                                    window_seconds=settings.upload_rate_window_seconds)
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("Send the file as the multipart field 'file'.",
                          code="file_required")
        if upload.size is not None and upload.size > limit:
            raise PayloadTooLarge(f"The file is larger than the limit of {limit} bytes.",
                                  details={"max_bytes": limit})
        await upload.seek(0)
        storage = storage_of(rt)
        stored = await actions.store_upload(
            storage, upload.file, max_bytes=limit, max_image_pixels=settings.max_image_pixels,
            max_decoded_pixels=settings.max_thumbnail_decoded_pixels)
    try:
        async with rt.unit_of_work() as uow:
            row = await actions.do_create_file(uow, actor, name=upload.filename, upload=stored,
                                               quota_bytes=settings.storage_quota_bytes)
    except BaseException:
        await actions.discard_upload(storage, stored)
        raise
    return file_out(row)


@router.get("/files/{file_id}", responses=_FILE_REPLY, response_class=Response)
async def download_file(file_id: IdPath, request: Request, actor: CurrentActor,
                        rt: Rt) -> Response:
    """The file's bytes: for its uploader and whoever may read a message carrying it."""
    async with rt.reader() as uow:
        found = await access.access_file(uow, actor, file_id)
    # A file someone opened or saved is logged (for the collaboration figures); an image a page
    # shows by itself (an announcement's cover) is not: a browser says `Sec-Fetch-Dest: image`
    # for those, and counting them would write on every view.
    if request.headers.get("sec-fetch-dest") != "image":
        async with rt.unit_of_work() as uow:
            uow.emit(FileDownloaded(file_id=file_id, user_id=actor.user_id), TO_NOBODY)
    return _send(storage_of(rt), found.storage_key, content_type=found.content_type,
                 name=found.name, size=found.size,
                 inline=found.content_type in SHOWN_INLINE)


@router.get("/files/{file_id}/thumbnail", responses=_THUMBNAIL_REPLY,
            response_class=Response)
async def download_thumbnail(file_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    """A WebP preview of an image, at most 400×400; 404 when the file has none."""
    async with rt.reader() as uow:
        found = await access.access_file(uow, actor, file_id)
    if found.thumbnail_key is None:
        raise NotFound("This file has no thumbnail.", code="no_thumbnail")
    name = f"{PurePosixPath(found.name).stem or 'file'}.webp"
    return _send(storage_of(rt), found.thumbnail_key, content_type=THUMBNAIL_TYPE, name=name,
                 size=None, inline=True)


def _send(storage: Storage, key: str, *, content_type: str, name: str, size: int | None,
          inline: bool) -> Response:
    headers = {"Content-Disposition": content_disposition(name, inline=inline),
               "Cache-Control": "private", "Content-Security-Policy": DOWNLOAD_CSP,
               "X-Frame-Options": "SAMEORIGIN"}
    path = storage.local_path(key)
    if path is not None:
        if not path.is_file():
            log.error("stored object %s is missing from %s", key, path.parent)
            raise NotFound("The file's contents are missing.", code="file_missing")
        return FileResponse(path, media_type=content_type, headers=headers)
    if size is not None:
        headers["Content-Length"] = str(size)
    return StreamingResponse(storage.open(key), media_type=content_type, headers=headers)


def content_disposition(name: str, *, inline: bool) -> str:
    """`attachment` (or `inline`) with the name in RFC 6266 form: an ASCII stand-in for old
    clients and the exact UTF-8 name for everyone else. Nothing of the name can escape the
    quotes or add a parameter: the stand-in keeps only safe characters, the rest is
    percent-encoded."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9 ._()+-]", "_", ascii_name).strip()
    if not fallback or fallback.startswith("."):
        fallback = "file" + fallback
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
