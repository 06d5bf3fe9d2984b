"""Read paths of files. No writes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from xietong.core.uow import UnitOfWork
from xietong.files.models import StoredFile


async def get_file(uow: UnitOfWork, file_id: int) -> StoredFile | None:
    return await uow.session.get(StoredFile, file_id)


async def files_by_ids(uow: UnitOfWork, file_ids: Iterable[int]) -> dict[int, StoredFile]:
    """The files with these ids, by id, in one query; missing ids are simply absent."""
    wanted = set(file_ids)
    if not wanted:
        return {}
    rows = await uow.session.scalars(select(StoredFile).where(StoredFile.id.in_(wanted)))
    return {row.id: row for row in rows}


async def attachable_file_ids(uow: UnitOfWork, user_id: int,
                              file_ids: Iterable[int]) -> set[int]:
    """Which of `file_ids` this person may attach to a message: the ones they uploaded.
    (A file someone else shared reaches a new conversation by forwarding the message.)"""
    wanted = set(file_ids)
    if not wanted:
        return set()
    found = await uow.session.scalars(
        select(StoredFile.id).where(StoredFile.id.in_(wanted),
                                    StoredFile.uploader_id == user_id))
    return set(found)


async def storage_used_by(uow: UnitOfWork, user_id: int) -> int:
    """The total size in bytes of the files this person has uploaded (their quota's use)."""
    used = await uow.session.scalar(
        select(func.coalesce(func.sum(StoredFile.size), 0))
        .where(StoredFile.uploader_id == user_id))
    return int(used or 0)
