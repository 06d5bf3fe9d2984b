"""Search finds an item for whoever may read its scope, by the rule of the domain that owns
the scope's kind (`search.scopes`): chat's channels today, any kind a domain registers
readers for tomorrow — and an item of a kind nobody registered is found by no one."""

from __future__ import annotations

import pytest
from sqlalchemy import ColumnElement

from tests.helpers import Cast, create_channel, post
from xietong.chat.audience import ChannelReaders
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.events import Scope
from xietong.runtime import Runtime
from xietong.search import queries
from xietong.search.indexing import Searchable, do_index
from xietong.search.models import ItemKind
from xietong.search.query import parse
from xietong.search.scopes import ReadableScopes

NOTE_ID = 900_000_001


class OwnNotes:
    """A domain of personal notes, scope `note:<owner's id>`: only its owner reads it."""

    kind = "note"

    def may_read(self, actor: Actor, scope_id: ColumnElement[int]) -> ColumnElement[bool]:
        return scope_id == actor.user_id


async def found(runtime: Runtime, actor: Actor, q: str, scopes: ReadableScopes) -> set[int]:
    async with runtime.reader() as uow:
        criteria = await queries.resolve(uow, actor, parse(q, now=utcnow()), channel_id=None,
                                         sender_id=None, before=None, after=None)
        assert criteria is not None
        result = await queries.find(uow, actor, criteria, scopes=scopes, sort="date",
                                    limit=50, offset=0, now=utcnow())
    return set(result.item_ids)


async def test_an_item_is_found_by_the_readers_of_its_scope_only(cast: Cast,
                                                                runtime: Runtime) -> None:
    owner, colleague = cast.zhangwei, cast.lina
    channel_id = await create_channel(owner, "复盘", "private", colleague)
    in_channel = (await post(owner, channel_id, "季度复盘：渠道数据"))["id"]
    async with runtime.unit_of_work() as uow:
        await do_index(uow, Searchable(
            kind=ItemKind.MESSAGE, item_id=NOTE_ID, scope=Scope("note", owner.id),
            author_id=owner.id, created_at=utcnow(), text="私人备忘：季度复盘的提纲"))
    with_notes = ReadableScopes([ChannelReaders(), OwnNotes()])
    as_owner = Actor(owner.id, owner.role)
    as_colleague = Actor(colleague.id, colleague.role)

    assert await found(runtime, as_owner, "季度复盘", with_notes) == {in_channel, NOTE_ID}
    assert await found(runtime, as_colleague, "季度复盘", with_notes) == {in_channel}
    # A scope filter is a token of the item: the note is in no channel.
    assert await found(runtime, as_owner, "季度复盘 in:#复盘", with_notes) == {in_channel}
    # The server's own registry has no "note" readers: nobody finds the note, not even its
    # owner, while the channel's message stays found.
    assert await found(runtime, as_owner, "季度复盘", runtime.readable_scopes) == {in_channel}
    assert runtime.readable_scopes.kinds == {"channel", "request", "project", "objective",
                                              "page", "term"}
    # No readers at all: nothing.
    assert await found(runtime, as_owner, "季度复盘", ReadableScopes([])) == set()


def test_one_reader_per_scope_kind() -> None:
    with pytest.raises(ValueError, match="channel"):
        ReadableScopes([ChannelReaders(), ChannelReaders()])
