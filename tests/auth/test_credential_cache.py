"""What a node remembers of who a token belongs to (auth.cache), and when it must not."""

from __future__ import annotations

import time
from datetime import timedelta

from xietong.auth.cache import CredentialCache, KnownCredential
from xietong.core.actor import Role
from xietong.core.clock import utcnow


def credential(expires_in: timedelta | None = None) -> KnownCredential:
    expires_at = None if expires_in is None else utcnow() + expires_in
    return KnownCredential(user_id=7, role=Role.MEMBER, token_id=3, expires_at=expires_at,
                           last_used_at=None)


def test_a_lookup_that_raced_a_revocation_is_not_remembered() -> None:
    cache = CredentialCache(ttl_seconds=30)
    started_at = cache.generation  # a request starts looking the token up...
    cache.forget_all()  # ...a revocation commits meanwhile...
    cache.put("digest", credential(), started_at)  # ...and its (stale) answer arrives
    assert cache.get("digest", utcnow()) is None
    cache.put("digest", credential(), cache.generation)
    assert cache.get("digest", utcnow()) is not None


def test_remembered_credentials_still_expire_on_time() -> None:
    cache = CredentialCache(ttl_seconds=30)
    cache.put("digest", credential(expires_in=timedelta(seconds=1)), cache.generation)
    assert cache.get("digest", utcnow()) is not None
    assert cache.get("digest", utcnow() + timedelta(seconds=2)) is None


def test_memory_lasts_ttl_seconds_and_zero_turns_it_off() -> None:
    short = CredentialCache(ttl_seconds=0.05)
    short.put("digest", credential(), short.generation)
    assert short.get("digest", utcnow()) is not None
    time.sleep(0.06)
    assert short.get("digest", utcnow()) is None
    off = CredentialCache(ttl_seconds=0)
    off.put("digest", credential(), off.generation)
    assert off.get("digest", utcnow()) is None


def test_a_flood_of_tokens_does_not_grow_memory_without_bound() -> None:
    cache = CredentialCache(ttl_seconds=30, max_entries=100)
    for n in range(1_000):
        cache.put(f"digest-{n}", credential(), cache.generation)
    assert len(cache._entries) <= 100
