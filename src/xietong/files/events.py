"""The one event files log: a download, for the collaboration figures (files shared and
opened per department). It goes to nobody: no client is told who opened what."""

from __future__ import annotations

from typing import Literal

from xietong.core.events import Audience, Event


class FileDownloaded(Event):
    type: Literal["file.downloaded"] = "file.downloaded"
    file_id: int
    user_id: int


FILE_EVENTS: tuple[type[Event], ...] = (FileDownloaded,)

# Logged for the event log's followers (analytics), delivered to no socket.
TO_NOBODY = Audience.users(())
