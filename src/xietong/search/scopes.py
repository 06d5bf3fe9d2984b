"""Who may find an item: whoever may read its scope now, by the rule of the domain that owns
the scope's kind (`core.events.ScopeReaders`, declared in the domains' manifests; the
runtime builds the registry). An item of a kind nobody registered is found by no one."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, false, or_

from xietong.core.actor import Actor
from xietong.core.events import Scope, ScopeReaders, one_per_kind


def scope_tag(scope: Scope) -> str:
    """The index token of an item's scope (`__channel_12`): the full-text index then answers
    "in this scope" together with the words. SQLite's tokenizer keeps letters, digits and
    "_" together, so the written form `channel:12` would be two tokens."""
    return f"__{scope.kind}_{scope.id}"


class ReadableScopes:
    """The registry of `ScopeReaders`, by scope kind."""

    def __init__(self, readers: Iterable[ScopeReaders]) -> None:
        self._by_kind = one_per_kind(readers, "readers")

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._by_kind)

    def where(self, actor: Actor, kind: ColumnElement[str],
              scope_id: ColumnElement[int]) -> ColumnElement[bool]:
        """SQL condition on a row's scope columns: `actor` may read that scope now."""
        readable = [and_(kind == name, reader.may_read(actor, scope_id))
                    for name, reader in sorted(self._by_kind.items())]
        return or_(*readable) if readable else false()
