"""Who a token belongs to, remembered for a short while.

Looking the credential up costs a read transaction on every request; on the send path it
was the largest single query. Entries live `ttl` seconds. Anything that ends or changes
credentials (logout, revocation, password change, deactivation, a new role) sends
`CredentialsChanged`, and after that commit every node forgets everything it remembered
(the runtime passes the word over the bus), so revocation stays immediate. A lookup that
raced such a change is not remembered (the generation moved on while it ran).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime

from xietong.core.actor import Role


@dataclass(frozen=True, slots=True)
class KnownCredential:
    user_id: int
    role: Role
    token_id: int
    expires_at: datetime | None
    last_used_at: datetime | None


class CredentialCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 20_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        # Moves on whenever everything is forgotten; a lookup started before that is stale.
        self.generation = 0
        self._entries: dict[str, tuple[float, KnownCredential]] = {}

    def get(self, digest: str, now: datetime) -> KnownCredential | None:
        found = self._entries.get(digest)
        if found is None:
            return None
        remembered_until, credential = found
        if time.monotonic() >= remembered_until or (
                credential.expires_at is not None and now >= credential.expires_at):
            del self._entries[digest]
            return None
        return credential

    def put(self, digest: str, credential: KnownCredential, generation: int) -> None:
        if self.ttl_seconds <= 0 or generation != self.generation:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # crude, but a flood of tokens must not grow memory
        self._entries[digest] = (time.monotonic() + self.ttl_seconds, credential)

    def touched(self, digest: str, at: datetime) -> None:
        found = self._entries.get(digest)
        if found is not None:
            self._entries[digest] = (found[0], replace(found[1], last_used_at=at))

    def forget_all(self) -> None:
        self._entries.clear()
        self.generation += 1
