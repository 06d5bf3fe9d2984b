"""Pages in and out over HTTP: export a page (Markdown, Word) or a space (a zip of
Markdown), import a file as a new page. Thin routes over `exports` and `imports`.

The import route reads its multipart body itself, after authentication (as the upload of
files does), and its router has a body limit of its own (`import_body_limit`)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any, Literal, Protocol

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from xietong.core.clock import utcnow
from xietong.core.errors import Invalid
from xietong.core.ids import MAX_ID
from xietong.documents import actions, exports, imports
from xietong.documents.access import access_page, access_space, visible_ancestors
from xietong.documents.collab import CollabServices, rooms_of
from xietong.documents.schemas import PageOut
from xietong.documents.views import page_out
from xietong.documents.word_out import docx_of
from xietong.edge import CurrentActor, IdPath, Rt, get_services
from xietong.files.actions import check_upload_rate
from xietong.files.api import content_disposition
from xietong.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["documents"])

# Room for the multipart framing around the file.
MULTIPART_ALLOWANCE = 64 * 1024
# A zip is kept in memory up to this size, on disk past it, until it is sent.
ZIP_IN_MEMORY = 8 * 1024 * 1024
_CHUNK = 64 * 1024

ExportFormat = Literal["md", "docx"]


class TransferServices(CollabServices, Protocol):
    """Exports read a page as people are editing it: the node's co-editing rooms."""

    @property
    def settings(self) -> Settings: ...


TransferRt = Annotated[TransferServices, Depends(get_services)]


def import_body_limit(_settings: Settings) -> int:
    return imports.MAX_IMPORT_BYTES + MULTIPART_ALLOWANCE


_BINARY = {"schema": {"type": "string", "format": "binary"}}
_PAGE_FILE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The page as a file: Markdown or a Word document.",
          "content": {exports.MARKDOWN_TYPE.split(";")[0]: _BINARY,
                      exports.DOCX_TYPE: _BINARY}},
}
_SPACE_ZIP: dict[int | str, dict[str, Any]] = {
    200: {"description": "A zip of the space's pages as Markdown files.",
          "headers": {"X-Export-Pages": {"description": "How many pages the zip holds.",
                                         "schema": {"type": "integer"}},
                      "X-Export-Confidential-Excluded": {
                          "description": "How many confidential pages were left out.",
                          "schema": {"type": "integer"}}},
          "content": {exports.ZIP_TYPE: _BINARY}},
}
_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file", "space_id"],
            "properties": {"file": {"type": "string", "format": "binary"},
                           "space_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                           "parent_id": {"type": "integer", "minimum": 1,
                                         "maximum": MAX_ID}},
        }}},
    },
}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": content_disposition(name, inline=False),
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


@router.get("/pages/{page_id}/export", responses=_PAGE_FILE, response_class=Response)
async def export_page(page_id: IdPath, actor: CurrentActor, rt: TransferRt,
                      export_format: Annotated[ExportFormat, Query(alias="format")] = "md",
                      ) -> Response:
    """The page as a file named after its title: `format=md` Markdown (its title as the
    first heading), `format=docx` a Word document. For whoever reads the page; a
    confidential page is refused (403 `page_export_confidential`). Every export, and every
    refused one, is audited."""
    async with rt.unit_of_work() as uow:
        found = await access_page(uow, actor, page_id)
        allowed = await exports.do_record_page_export(uow, actor, found, export_format)
    if not allowed:
        raise exports.confidential_refusal()
    page = found.page
    content = await rooms_of(rt).current(page_id)
    if export_format == "md":
        return Response(exports.markdown_file(content, page).encode("utf-8"),
                        media_type=exports.MARKDOWN_TYPE,
                        headers=_attachment(exports.safe_name(page.title) + ".md"))
    data = await anyio.to_thread.run_sync(
        lambda: docx_of(exports.page_document(content, page), page.title))
    return Response(data, media_type=exports.DOCX_TYPE,
                    headers=_attachment(exports.safe_name(page.title) + ".docx"))


@router.get("/spaces/{space_id}/export", responses=_SPACE_ZIP, response_class=Response)
async def export_space(space_id: IdPath, actor: CurrentActor, rt: TransferRt) -> Response:
    """The space as a zip of Markdown files mirroring its page tree (`exports` describes
    the layout): the live pages the caller reads, but confidential ones, which are left
    out and named in the zip's README.md (their count also in `X-Export-Confidential-
    Excluded`). The export is audited."""
    target: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=ZIP_IN_MEMORY)  # noqa: SIM115
    try:
        async with rt.reader() as uow:
            found = await access_space(uow, actor, space_id)
            layout = await exports.write_space_zip(uow, rooms_of(rt), found, target, utcnow())
        async with rt.unit_of_work() as uow:
            await exports.do_record_space_export(uow, actor, found, layout)
        size = target.tell()
        target.seek(0)
    except BaseException:
        target.close()
        raise
    headers = {**_attachment(layout.root + ".zip"), "Content-Length": str(size),
               "X-Export-Pages": str(len(layout.files)),
               "X-Export-Confidential-Excluded": str(len(layout.left_out))}
    return StreamingResponse(_chunks(target), media_type=exports.ZIP_TYPE, headers=headers)


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := source.read(_CHUNK):
            yield chunk
    finally:
        source.close()


class _ImportFields(BaseModel):
    space_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    parent_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None


@router.post("/pages/import", status_code=201, openapi_extra=_IMPORT_BODY)
async def import_page(request: Request, actor: CurrentActor, rt: Rt) -> PageOut:
    """A new page made from a file (multipart: `file`, `space_id`, `parent_id` optional):
    Markdown (.md, .markdown), plain text (.txt) — UTF-8, UTF-16 or GBK — or Word (.docx),
    at most 10 MiB. Its title is the heading the file starts with, else the file's name.
    For who may add pages there (edit on the space, or on the parent page). Counts as an
    upload against `upload_rate_limit`. Refusals: 422 `page_import_type`,
    `page_import_empty`, `page_import_unreadable` (a broken .docx, text in no encoding we
    read), `page_import_doc` (an old .doc); 413 `page_import_too_large` (the file, or a
    .docx's unpacked parts, too large)."""
    settings = rt.settings
    await check_upload_rate(rt.failures, actor, limit=settings.upload_rate_limit,
                            window_seconds=settings.upload_rate_window_seconds)
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("Send the file as the multipart field 'file'.",
                          code="page_import_file_required")
        try:
            fields = _ImportFields.model_validate(
                {name: form.get(name) or None for name in ("space_id", "parent_id")})
        except ValidationError as error:
            raise RequestValidationError([{**problem, "loc": ("body", *problem["loc"])}
                                          for problem in error.errors()]) from None
        file_name = upload.filename or ""
        imports.kind_of(file_name)
        data = await upload.read(imports.MAX_IMPORT_BYTES + 1)
    if len(data) > imports.MAX_IMPORT_BYTES:
        raise imports.too_large()
    # Whether they may add a page there, before the file is read.
    async with rt.reader() as uow:
        await actions.check_page_place(uow, actor, fields.space_id, fields.parent_id)
    imported = await anyio.to_thread.run_sync(imports.read_import, file_name, data)
    async with rt.unit_of_work() as uow:
        page = await imports.do_import_page(uow, actor, imported, space_id=fields.space_id,
                                            parent_id=fields.parent_id)
        found = await access_page(uow, actor, page.id)
        return page_out(found, actor, await visible_ancestors(uow, found), favourite=False,
                        now=utcnow())
