"""HTTP shapes and the event of a space's file library."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, StringConstraints

from xietong.core.events import Event
from xietong.core.ids import Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.documents.schemas import Description
from xietong.files.schemas import FileOut

NAME_LENGTH = 255
NOTE_LENGTH = 200
FileName = Annotated[str, StringConstraints(max_length=NAME_LENGTH), AfterValidator(clean_name),
                     AfterValidator(fits(NAME_LENGTH))]
Note = Annotated[FreeText, StringConstraints(max_length=NOTE_LENGTH)]

LibraryChange = Literal["created", "version_added", "version_restored", "updated", "deleted",
                        "restored"]


class LibraryFileCreate(Strict):
    # One's own upload (`POST /files`), its first version.
    file_id: Id
    # What the library calls it; the upload's own name when left out.
    name: FileName | None = None
    description: Description = ""
    note: Note = ""


class LibraryVersionCreate(Strict):
    # One's own upload (`POST /files`), the file's new newest version.
    file_id: Id
    note: Note = ""


class LibraryVersionRestore(Strict):
    note: Note = ""


class LibraryFileUpdate(Strict):
    name: FileName | None = None
    description: Description | None = None


class LibraryVersionOut(BaseModel):
    number: int
    file: FileOut
    note: str
    # A restore: the version it brought back.
    restored_from: int | None
    created_by: int | None
    created_at: datetime


class LibraryFileOut(BaseModel):
    """A library file as everyone who reads its space is told (events carry this)."""

    id: int
    space_id: int
    name: str
    description: str
    # The newest version: its number and upload.
    version: int
    file: FileOut
    created_by: int | None
    created_at: datetime
    updated_by: int | None
    updated_at: datetime
    deleted: bool
    deleted_at: datetime | None


class LibraryFileDetail(LibraryFileOut):
    # Newest first.
    versions: list[LibraryVersionOut]


class LibraryFileList(BaseModel):
    items: list[LibraryFileOut]
    next_cursor: str | None


class LibraryFileChanged(Event):
    """A file of a space's library was added, given a version (`version_added`, or an older
    one brought back: `version_restored`), renamed or described (`updated`), put in the
    trash (`deleted`) or brought back from it (`restored`)."""

    type: Literal["library_file.changed"] = "library_file.changed"
    library_file: LibraryFileOut
    change: LibraryChange


LIBRARY_EVENTS: tuple[type[Event], ...] = (LibraryFileChanged,)
