"""HTTP shapes of files (API.md "Files and search")."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from xietong.files.models import StoredFile


class FileOut(BaseModel):
    id: int
    name: str
    size: int
    # Sniffed from the bytes, not taken from the client.
    content_type: str
    # Images: the displayed size in pixels.
    width: int | None
    height: int | None
    has_thumbnail: bool
    created_at: datetime


def file_out(row: StoredFile) -> FileOut:
    return FileOut(id=row.id, name=row.name, size=row.size, content_type=row.content_type,
                   width=row.width, height=row.height,
                   has_thumbnail=row.thumbnail_key is not None, created_at=row.created_at)
