"""What search contributes to the server."""

from __future__ import annotations

from xietong.chat.models import Message
from xietong.core.signals import MessageRemoved, MessageWritten
from xietong.core.uow import UnitOfWork
from xietong.manifest import DomainManifest, Mount, Reaction
from xietong.search import models
from xietong.search import text as analysis
from xietong.search.api import router
from xietong.search.commands import reindex
from xietong.search.events import SEARCH_EVENTS
from xietong.search.indexing import do_index_message, do_unindex_message


async def _index_message(uow: UnitOfWork, signal: MessageWritten) -> None:
    # The message is in the session (just flushed), so this reads no row.
    message = await uow.session.get(Message, signal.message_id)
    if message is not None:
        await do_index_message(uow, message)


async def _unindex_message(uow: UnitOfWork, signal: MessageRemoved) -> None:
    await do_unindex_message(uow, signal.message_id)


MANIFEST = DomainManifest(
    name="search",
    routers=(Mount(router),),
    models=(models,),
    event_types=SEARCH_EVENTS,
    signal_handlers=(
        Reaction(MessageWritten, _index_message),
        Reaction(MessageRemoved, _unindex_message),
    ),
    commands={"reindex": reindex},
    # Else the first search after a restart loads jieba's dictionary (0.8 s) itself.
    warm_ups=(analysis.warm_up,),
)
