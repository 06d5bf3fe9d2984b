"""Fetch a file *and* check the actor may read it, or raise.

A file is readable by its uploader and by whoever may read a live message that carries
it. Everyone else is told it does not exist (404, not 403), so ids reveal nothing.
Which messages (later: tasks, documents) carry a file and who may read them is for the
domains that attach files to say: they answer the `FileReadable` signal (a handler in
their manifest), since they import files and files may not import them back.
"""

from __future__ import annotations

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.signals import FileReadable
from xietong.core.uow import UnitOfWork
from xietong.files import queries
from xietong.files.models import StoredFile


async def access_file(uow: UnitOfWork, actor: Actor, file_id: int) -> StoredFile:
    found = await queries.get_file(uow, file_id)
    if found is None or (found.uploader_id != actor.user_id
                         and True not in await uow.signal(FileReadable(actor, file_id))):
        raise NotFound("No such file.")
    return found
