"""A process's copies of values the database keeps under a revision.

A one-row table (the company's settings, the business calendar) carries a `revision`, a
new random value at every change. A request reads that revision (one primary-key read) and
takes the parsed value from here when this process already holds it, loading and parsing
only when it does not. A copy is never stale, only no longer asked for: a change on any
node is in force on every node from the next request that reads the new revision, with
no message between nodes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")


class ByRevision(Generic[T]):
    """The values of the last few revisions this process read (several databases may share
    a process in tests and tools; one revision is current in each), least recently used
    first out."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._entries: OrderedDict[str, T] = OrderedDict()

    def get(self, revision: str) -> T | None:
        found = self._entries.get(revision)
        if found is not None:
            self._entries.move_to_end(revision)
        return found

    def put(self, revision: str, value: T) -> None:
        self._entries[revision] = value
        self._entries.move_to_end(revision)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
