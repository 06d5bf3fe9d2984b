"""Who sees which scope: the resolvers the domains register, one per scope kind, and what
one person reads across all of them.

The hub subscribes each socket to what its person reads now and asks again when an event
says that changed (a membership change); replay asks the same question of the log. A
resolver may answer "every scope of my kind" (None) — the directory's departments, say —
so a socket need not list them one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from xietong.core.events import USER, CommittedEvent, Scope, ScopeResolver, one_per_kind
from xietong.core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Subscriptions:
    """What one person reads: some scopes of some kinds, and whole kinds."""

    ids: Mapping[str, frozenset[int]] = field(default_factory=dict)
    whole: frozenset[str] = frozenset()

    def covers(self, scope: Scope) -> bool:
        return scope.kind in self.whole or scope.id in self.ids.get(scope.kind, ())

    def scopes(self) -> Iterator[Scope]:
        """The scopes listed one by one (not the whole kinds)."""
        for kind, ids in self.ids.items():
            for scope_id in ids:
                yield Scope(kind, scope_id)


class Scopes:
    """The registry of resolvers, by kind: the hub's one question-answerer."""

    def __init__(self, resolvers: Iterable[ScopeResolver]) -> None:
        self._by_kind = one_per_kind(resolvers, "resolvers")

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._by_kind)

    async def readable(self, uow: UnitOfWork, user_id: int) -> Subscriptions:
        ids: dict[str, frozenset[int]] = {}
        whole: set[str] = set()
        for kind, resolver in self._by_kind.items():
            found = await resolver.readable(uow, user_id)
            if found is None:
                whole.add(kind)
            elif found:
                ids[kind] = frozenset(found)
        return Subscriptions(ids, frozenset(whole))

    async def may_see(self, uow: UnitOfWork, user_id: int, scope: Scope) -> bool:
        resolver = self._by_kind.get(scope.kind)
        return resolver is not None and await resolver.may_see(uow, user_id, scope.id)

    async def visible_people(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        """The people `user_id` may see (whose presence they may learn); None: everyone.
        People are the `user` scopes: who sees a person's scope sees the person."""
        resolver = self._by_kind.get(USER)
        return set() if resolver is None else await resolver.readable(uow, user_id)

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        changed: set[int] = set()
        for resolver in self._by_kind.values():
            changed |= resolver.membership_changes(event)
        return changed
