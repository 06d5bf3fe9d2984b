"""A space's file library: files kept in a space under a name, each with its versions.

The bytes are the files domain's: an editor uploads (`POST /files`: size limit, quota, rate,
sniffed type, thumbnail) and then adds their own upload to the library, as a new file or as
the newest version of one. Nothing is overwritten: every version stays downloadable, and
bringing an older one back makes it the newest again as a version of its own.

Who may do what follows the space's level (`policy.documents`): its readers list and
download, its editors add, rename and describe, its managers put files in the trash and
bring them back. Someone who does not read the space itself (an outsider, or someone who
sees only some of its pages) is told the library does not exist (404). A file's downloads
(`GET /files/{id}`) are allowed to the readers of a space whose live library holds it: the
files domain asks with the `FileReadable` signal, answered by `file_readable`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select

from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Conflict, Invalid, NotFound
from xietong.core.signals import FileReadable
from xietong.core.uow import UnitOfWork
from xietong.documents.access import SpaceAccess, access_space, check_space_open
from xietong.documents.events import space_audience
from xietong.documents.library_models import LibraryFile, LibraryVersion
from xietong.documents.library_schemas import (
    LibraryChange,
    LibraryFileChanged,
    LibraryFileCreate,
    LibraryFileDetail,
    LibraryFileOut,
    LibraryFileUpdate,
    LibraryVersionOut,
)
from xietong.documents.models import Space
from xietong.documents.queries import space_seen_by
from xietong.files.models import StoredFile
from xietong.files.queries import attachable_file_ids, files_by_ids
from xietong.files.schemas import file_out
from xietong.org.names import sort_key_for
from xietong.policy import documents as policy
from xietong.policy import require

# Versions a file may have: enough for years of weekly updates, and a detail reply of
# bounded size.
MAX_VERSIONS = 500


# --- access --------------------------------------------------------------------------------

def check_allowed(found: SpaceAccess, allowed: bool, message: str, *,
                  writes: bool = True) -> None:
    """Refuse (403 `library_level_too_low`) what a rule of `policy.documents` does not allow
    the caller at their level in the space; a change (`writes`) in an archived space is
    refused with 409 `space_archived`."""
    require(allowed, message, code="library_level_too_low",
            details={"have": found.level.label})
    if writes:
        check_space_open(found)


async def access_library(uow: UnitOfWork, actor: Actor, space_id: int) -> SpaceAccess:
    """The space whose library the caller reads; `NotFound` for anyone who does not read
    the space itself."""
    return await access_space(uow, actor, space_id, pages_count=False)


@dataclass(frozen=True, slots=True)
class LibraryAccess:
    item: LibraryFile
    space: SpaceAccess


async def access_library_file(uow: UnitOfWork, actor: Actor, library_file_id: int, *,
                              in_trash: bool = False, for_update: bool = False
                              ) -> LibraryAccess:
    """The live library file (`in_trash`: the one in the trash) of a space the caller reads,
    else `NotFound`. `for_update`: its row is locked until the commit (adding a version
    numbers it under the lock)."""
    statement = select(LibraryFile).where(LibraryFile.id == library_file_id)
    if for_update:
        statement = statement.with_for_update()
    item = await uow.session.scalar(statement)
    if item is None or (item.deleted_at is not None) != in_trash:
        raise NotFound("No such file.")
    try:
        space = await access_space(uow, actor, item.space_id, pages_count=False)
    except NotFound:
        raise NotFound("No such file.") from None
    return LibraryAccess(item, space)


async def file_readable(uow: UnitOfWork, signal: FileReadable) -> bool:
    """A live library file of a space the actor reads has the upload as one of its versions."""
    return await uow.session.scalar(
        select(LibraryVersion.id)
        .join(LibraryFile, LibraryFile.id == LibraryVersion.library_file_id)
        .join(Space, Space.id == LibraryFile.space_id)
        .where(LibraryVersion.file_id == signal.file_id, LibraryFile.deleted_at.is_(None),
               space_seen_by(signal.actor)).limit(1)) is not None


# --- reads ---------------------------------------------------------------------------------

async def library_page(uow: UnitOfWork, space_id: int, *, trash: bool,
                       after: tuple[str, int] | None, limit: int) -> Sequence[LibraryFile]:
    """The space's live files (`trash`: those in its trash) A–Z by pinyin, after the
    cursor's (sort key, id)."""
    statement = select(LibraryFile).where(
        LibraryFile.space_id == space_id,
        LibraryFile.deleted_at.is_not(None) if trash else LibraryFile.deleted_at.is_(None))
    if after is not None:
        key, item_id = after
        statement = statement.where(or_(LibraryFile.sort_key > key,
                                        (LibraryFile.sort_key == key)
                                        & (LibraryFile.id > item_id)))
    return (await uow.session.scalars(
        statement.order_by(LibraryFile.sort_key, LibraryFile.id).limit(limit))).all()


def _library_file_out(item: LibraryFile, stored: StoredFile) -> LibraryFileOut:
    return LibraryFileOut(
        id=item.id, space_id=item.space_id, name=item.name, description=item.description,
        version=item.version, file=file_out(stored), created_by=item.created_by,
        created_at=item.created_at, updated_by=item.updated_by, updated_at=item.updated_at,
        deleted=item.deleted_at is not None, deleted_at=item.deleted_at)


async def library_files_out(uow: UnitOfWork, items: Sequence[LibraryFile]
                            ) -> list[LibraryFileOut]:
    """The files as the list shows them (their uploads fetched in one statement)."""
    stored = await files_by_ids(uow, [item.file_id for item in items])
    return [_library_file_out(item, stored[item.file_id]) for item in items]


async def library_file_detail(uow: UnitOfWork, item: LibraryFile) -> LibraryFileDetail:
    """The file with every version, newest first (two statements)."""
    versions = (await uow.session.scalars(
        select(LibraryVersion).where(LibraryVersion.library_file_id == item.id)
        .order_by(LibraryVersion.number.desc()))).all()
    stored = await files_by_ids(uow, {item.file_id, *(v.file_id for v in versions)})
    return LibraryFileDetail(
        **_library_file_out(item, stored[item.file_id]).model_dump(),
        versions=[LibraryVersionOut(number=v.number, file=file_out(stored[v.file_id]),
                                    note=v.note, restored_from=v.restored_from,
                                    created_by=v.created_by, created_at=v.created_at)
                  for v in versions])


# --- writes --------------------------------------------------------------------------------

async def check_own_upload(uow: UnitOfWork, actor: Actor, file_id: int) -> StoredFile:
    """The actor's own upload `file_id` (what anyone else uploaded is not theirs to add)."""
    if not await attachable_file_ids(uow, actor.user_id, [file_id]):
        raise Invalid("Add only files you uploaded.", code="not_your_upload",
                      details={"file_id": file_id})
    [stored] = (await files_by_ids(uow, [file_id])).values()
    return stored


async def _emit(uow: UnitOfWork, item: LibraryFile, space: Space, change: LibraryChange) -> None:
    [shown] = await library_files_out(uow, [item])
    uow.emit(LibraryFileChanged(library_file=shown, change=change),
             await space_audience(uow, space))


def _add_version(uow: UnitOfWork, actor: Actor, item: LibraryFile, file_id: int, note: str,
                 *, restored_from: int | None = None) -> None:
    """The next version of `item` (its row locked, or just made): its newest from now on."""
    if item.version >= MAX_VERSIONS:
        raise Conflict(f"A file keeps at most {MAX_VERSIONS} versions.",
                       code="library_versions_full", details={"max": MAX_VERSIONS})
    now = utcnow()
    item.version += 1
    item.file_id, item.updated_by, item.updated_at = file_id, actor.user_id, now
    uow.session.add(LibraryVersion(library_file_id=item.id, number=item.version,
                                   file_id=file_id, note=note, restored_from=restored_from,
                                   created_by=actor.user_id, created_at=now))


async def do_add_library_file(uow: UnitOfWork, actor: Actor, found: SpaceAccess,
                              data: LibraryFileCreate) -> LibraryFile:
    """The actor's upload kept in the space's library as a new file (its version 1)."""
    check_allowed(found, policy.can_add_to_library(found.level),
                  "Only the space's editors add files.")
    stored = await check_own_upload(uow, actor, data.file_id)
    name = data.name if data.name is not None else stored.name
    now = utcnow()
    item = LibraryFile(space_id=found.space.id, name=name, sort_key=sort_key_for(name),
                       description=data.description, file_id=stored.id, version=0,
                       created_by=actor.user_id, created_at=now, updated_by=actor.user_id,
                       updated_at=now)
    uow.session.add(item)
    await uow.flush()
    _add_version(uow, actor, item, stored.id, data.note)
    await uow.flush()
    await _emit(uow, item, found.space, "created")
    return item


async def do_add_version(uow: UnitOfWork, actor: Actor, found: LibraryAccess, file_id: int,
                         note: str) -> LibraryFile:
    """The actor's upload as the file's newest version; the older ones stay. Call with the
    file's row locked (`access_library_file(..., for_update=True)`)."""
    check_allowed(found.space, policy.can_add_to_library(found.space.level),
                  "Only the space's editors add versions.")
    stored = await check_own_upload(uow, actor, file_id)
    _add_version(uow, actor, found.item, stored.id, note)
    await uow.flush()
    await _emit(uow, found.item, found.space.space, "version_added")
    return found.item


async def do_restore_version(uow: UnitOfWork, actor: Actor, found: LibraryAccess, number: int,
                             note: str) -> LibraryFile:
    """Version `number` brought back as the newest, a version of its own (nothing is lost).
    Call with the file's row locked."""
    check_allowed(found.space, policy.can_add_to_library(found.space.level),
                  "Only the space's editors restore versions.")
    item = found.item
    version = await uow.session.scalar(select(LibraryVersion).where(
        LibraryVersion.library_file_id == item.id, LibraryVersion.number == number))
    if version is None:
        raise NotFound("No such version.")
    if number == item.version:
        raise Conflict("That version is the newest already.", code="version_is_newest")
    _add_version(uow, actor, item, version.file_id, note, restored_from=number)
    await uow.flush()
    await _emit(uow, item, found.space.space, "version_restored")
    return item


async def do_update_library_file(uow: UnitOfWork, actor: Actor, found: LibraryAccess,
                                 data: LibraryFileUpdate) -> LibraryFile:
    """Rename or describe the file (what is left out stays)."""
    check_allowed(found.space, policy.can_add_to_library(found.space.level),
                  "Only the space's editors rename files.")
    given = data.model_fields_set
    for field in ("name", "description"):
        if field in given and getattr(data, field) is None:
            raise Invalid(f"{field} cannot be null; leave it out to keep it.",
                          code="null_setting")
    item = found.item
    changed = False
    if data.name is not None and data.name != item.name:
        item.name, item.sort_key, changed = data.name, sort_key_for(data.name), True
    if data.description is not None and data.description != item.description:
        item.description, changed = data.description, True
    if changed:
        item.updated_by, item.updated_at = actor.user_id, utcnow()
        await uow.flush()
        await _emit(uow, item, found.space.space, "updated")
    return item


async def do_trash_library_file(uow: UnitOfWork, actor: Actor, found: LibraryAccess) -> None:
    """Into the space's trash: gone from the list and from its readers' downloads."""
    check_allowed(found.space, policy.can_remove_from_library(found.space.level),
                  "Only the space's managers delete files.")
    item = found.item
    item.deleted_at, item.deleted_by = utcnow(), actor.user_id
    await uow.flush()
    await _emit(uow, item, found.space.space, "deleted")


async def do_untrash_library_file(uow: UnitOfWork, actor: Actor,
                                  found: LibraryAccess) -> LibraryFile:
    """Back from the space's trash, as it was."""
    check_allowed(found.space, policy.can_remove_from_library(found.space.level),
                  "Only the space's managers bring files back.")
    item = found.item
    item.deleted_at = item.deleted_by = None
    item.updated_by, item.updated_at = actor.user_id, utcnow()
    await uow.flush()
    await _emit(uow, item, found.space.space, "restored")
    return item
