"""Fetch a file *and* check the actor may read it, or raise.

A file is readable by its uploader and by whoever may read a live message that carries
it. Everyone else is told it does not exist (404, not 403), so ids reveal nothing.
"""

from __future__ import annotations

from xietong.chat.queries import file_visible_to
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.files import queries
from xietong.files.models import StoredFile
from xietong.policy import chat as chat_policy


async def access_file(uow: UnitOfWork, actor: Actor, file_id: int) -> StoredFile:
    found = await queries.get_file(uow, file_id)
    if found is None or (found.uploader_id != actor.user_id and not await file_visible_to(
            uow, actor.user_id, file_id,
            may_preview_public=chat_policy.can_preview_public_channels(actor))):
        raise NotFound("No such file.")
    return found
