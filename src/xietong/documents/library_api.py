"""A space's file library over HTTP: thin routes over `documents.library`. The bytes go up
and come down through the files routes (`POST /files`, `GET /files/{id}`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.documents import library
from xietong.documents.library_schemas import (
    LibraryFileCreate,
    LibraryFileDetail,
    LibraryFileList,
    LibraryFileUpdate,
    LibraryVersionCreate,
    LibraryVersionRestore,
)
from xietong.edge import CurrentActor, IdPath, Rt
from xietong.policy import documents as policy

router = APIRouter(prefix="/api/v1", tags=["documents"])


@router.get("/spaces/{space_id}/files")
async def list_library_files(
    space_id: IdPath, actor: CurrentActor, rt: Rt, trash: bool = False,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> LibraryFileList:
    """The files of the space's library, A–Z by pinyin, for whoever reads the space;
    `trash=true`: those in its trash, for its managers."""
    after = decode_cursor(cursor, str, int) if cursor else None
    async with rt.reader() as uow:
        found = await library.access_library(uow, actor, space_id)
        if trash:
            library.check_allowed(found, policy.can_remove_from_library(found.level),
                                  "Only the space's managers see its trash.", writes=False)
        rows = await library.library_page(
            uow, space_id, trash=trash, after=(str(after[0]), int(after[1])) if after else None,
            limit=limit + 1)
        page = rows[:limit]
        items = await library.library_files_out(uow, page)
    return LibraryFileList(items=items, next_cursor=encode_cursor(page[-1].sort_key, page[-1].id)
                           if len(rows) > limit else None)


@router.post("/spaces/{space_id}/files", status_code=201)
async def add_library_file(space_id: IdPath, body: LibraryFileCreate, actor: CurrentActor,
                           rt: Rt) -> LibraryFileDetail:
    """One's own upload (`POST /files`) kept in the space's library: its editors'."""
    async with rt.unit_of_work() as uow:
        found = await library.access_library(uow, actor, space_id)
        item = await library.do_add_library_file(uow, actor, found, body)
        return await library.library_file_detail(uow, item)


@router.get("/library-files/{library_file_id}")
async def get_library_file(library_file_id: IdPath, actor: CurrentActor,
                           rt: Rt) -> LibraryFileDetail:
    """The file and all its versions, newest first."""
    async with rt.reader() as uow:
        found = await library.access_library_file(uow, actor, library_file_id)
        return await library.library_file_detail(uow, found.item)


@router.patch("/library-files/{library_file_id}")
async def update_library_file(library_file_id: IdPath, body: LibraryFileUpdate,
                              actor: CurrentActor, rt: Rt) -> LibraryFileDetail:
    async with rt.unit_of_work() as uow:
        found = await library.access_library_file(uow, actor, library_file_id)
        item = await library.do_update_library_file(uow, actor, found, body)
        return await library.library_file_detail(uow, item)


@router.post("/library-files/{library_file_id}/versions", status_code=201)
async def add_library_version(library_file_id: IdPath, body: LibraryVersionCreate,
                              actor: CurrentActor, rt: Rt) -> LibraryFileDetail:
    """One's own upload as the file's newest version; the older ones stay downloadable."""
    async with rt.unit_of_work() as uow:
        found = await library.access_library_file(uow, actor, library_file_id, for_update=True)
        item = await library.do_add_version(uow, actor, found, body.file_id, body.note)
        return await library.library_file_detail(uow, item)


@router.post("/library-files/{library_file_id}/versions/{version_number}/restore",
             status_code=201)
async def restore_library_version(library_file_id: IdPath, version_number: IdPath,
                                  body: LibraryVersionRestore, actor: CurrentActor,
                                  rt: Rt) -> LibraryFileDetail:
    """An older version brought back as the newest (a new version; nothing is lost)."""
    async with rt.unit_of_work() as uow:
        found = await library.access_library_file(uow, actor, library_file_id, for_update=True)
        item = await library.do_restore_version(uow, actor, found, version_number, body.note)
        return await library.library_file_detail(uow, item)


@router.delete("/library-files/{library_file_id}", status_code=204)
async def delete_library_file(library_file_id: IdPath, actor: CurrentActor,
                              rt: Rt) -> Response:
    """Into the space's trash (its managers'): no longer listed nor downloadable there."""
    async with rt.unit_of_work() as uow:
        found = await library.access_library_file(uow, actor, library_file_id, for_update=True)
        await library.do_trash_library_file(uow, actor, found)
    return Response(status_code=204)


@router.post("/library-files/{library_file_id}/restore")
async def untrash_library_file(library_file_id: IdPath, actor: CurrentActor,
                               rt: Rt) -> LibraryFileDetail:
    """Back from the space's trash (its managers')."""
    async with rt.unit_of_work() as uow:
        found = await library.access_library_file(uow, actor, library_file_id, in_trash=True,
                                                  for_update=True)
        item = await library.do_untrash_library_file(uow, actor, found)
        return await library.library_file_detail(uow, item)
