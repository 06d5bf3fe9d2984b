"""How the domains react to each other, connected in one visible place.

A domain reaches one above it (that imports it) only through a signal it sends on its
unit of work; the handlers below, in the domain that reacts, answer it. This keeps the
domains free of import cycles (the contracts in pyproject.toml, run by `make lint`).
"""

from __future__ import annotations

from typing import Any

from xietong.auth.actions import do_revoke_api_tokens_of, do_revoke_credentials
from xietong.chat.access import readable_now
from xietong.chat.actions import sync_department_channels
from xietong.chat.models import Message, MessageFile
from xietong.chat.queries import file_visible_to, people_sharing_a_channel_with
from xietong.core.signals import (
    CoMembersOf,
    DepartmentMembershipChanged,
    FileReadable,
    MessageRemoved,
    MessageWritten,
    Signals,
    UserDeactivated,
    UserDemotedToGuest,
)
from xietong.core.uow import UnitOfWork
from xietong.search.indexing import do_index_message, do_unindex_message


async def _department_channels_follow(uow: UnitOfWork, _signal: Any) -> None:
    await sync_department_channels(uow)


async def _credentials_end_with_account(uow: UnitOfWork, signal: UserDeactivated) -> int:
    return await do_revoke_credentials(uow, signal.user_id)


async def _guests_keep_no_api_tokens(uow: UnitOfWork, signal: UserDemotedToGuest) -> list[int]:
    return await do_revoke_api_tokens_of(uow, signal.actor, signal.user_id,
                                         reason="demoted_to_guest")


async def _index_message(uow: UnitOfWork, signal: MessageWritten) -> None:
    # The message is in the session (just flushed), so this reads no row.
    message = await uow.session.get(Message, signal.message_id)
    if message is not None:
        await do_index_message(uow, message)


async def _unindex_message(uow: UnitOfWork, signal: MessageRemoved) -> None:
    await do_unindex_message(uow, signal.message_id)


async def _people_sharing_a_channel(uow: UnitOfWork, signal: CoMembersOf) -> set[int]:
    return await people_sharing_a_channel_with(uow, signal.user_id)


async def _file_in_a_readable_message(uow: UnitOfWork, signal: FileReadable) -> bool:
    """Chat's answer: a live message carrying the file sits in a channel the actor may read."""
    return await file_visible_to(uow, signal.file_id,
                                 readable_now(signal.actor, MessageFile.channel_id))


def connect_domains(signals: Signals) -> None:
    signals.connect(DepartmentMembershipChanged, _department_channels_follow)
    signals.connect(UserDeactivated, _credentials_end_with_account)
    signals.connect(UserDemotedToGuest, _guests_keep_no_api_tokens)
    signals.connect(MessageWritten, _index_message)
    signals.connect(MessageRemoved, _unindex_message)
    signals.connect(FileReadable, _file_in_a_readable_message)
    # Guests see the people they share a channel with.
    signals.connect(CoMembersOf, _people_sharing_a_channel)
