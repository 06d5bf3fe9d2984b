"""Who is acting: the signed-in person (or nobody) and where the request came from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    GUEST = "guest"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.GUEST: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in person as far as permission checks need to know them."""

    user_id: int
    role: Role
    ip: str | None = None
    # The credential in use, so "log out" and "end my other sessions" know which one is ours.
    token_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an unauthenticated request came from (login attempts)."""

    ip: str | None
