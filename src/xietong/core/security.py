"""Security primitives: password hashing, credential tokens, CSRF values, the secret key."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Token prefixes make leaked credentials recognisable (secret scanners, logs).
SESSION_TOKEN_PREFIX = "xts_"
API_TOKEN_PREFIX = "xta_"


@dataclass(frozen=True, slots=True)
class Argon2Cost:
    time_cost: int
    memory_kib: int
    parallelism: int


class Passwords:
    """argon2id hashing, run in a worker thread so a sign-in never stalls the event loop."""

    def __init__(self, cost: Argon2Cost) -> None:
        self._hasher = PasswordHasher(time_cost=cost.time_cost, memory_cost=cost.memory_kib,
                                      parallelism=cost.parallelism)
        # Verified against when the login names nobody, so unknown accounts take as long
        # as wrong passwords and response time does not reveal who has an account.
        self._decoy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def hash_generated(self, password: str) -> str:
        """Hash a password from `generate_password` at a small cost. Argon2's cost guards
        passwords people choose, which are few enough to guess; a generated one carries about
        99 random bits, out of reach at any cost (as the API tokens' plain SHA-256 is). Cheap,
        a bulk import of a thousand people is not a thousand full-cost hashes. The first
        sign-in re-hashes it at the full cost (`needs_rehash`)."""
        return await anyio.to_thread.run_sync(_GENERATED_HASHER.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await anyio.to_thread.run_sync(self._verify_sync, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _verify_sync(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._decoy_hash, password) and (
                password_hash is not None)
        except (VerificationError, InvalidHashError):
            return False


# A generated password is read off a screen and typed on a phone: lower-case letters and
# digits without the look-alikes (0/o, 1/l/i), in groups of four. 20 of 31 symbols: 99 bits.
_GENERATED_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GENERATED_GROUPS = 5
_GENERATED_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


def generate_password() -> str:
    """A fresh random password, like "k7mq-x3pz-9tad-wr2e-hn4c" (shown once, never stored)."""
    return "-".join("".join(secrets.choice(_GENERATED_ALPHABET) for _ in range(4))
                    for _ in range(_GENERATED_GROUPS))


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(secret_key: str, session_token: str) -> str:
    """The CSRF value bound to one session: a page on another site can neither read nor forge it."""
    return hmac.new(secret_key.encode(), b"csrf:" + session_token.encode(),
                    hashlib.sha256).hexdigest()


def csrf_matches(secret_key: str, session_token: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(
        csrf_token_for(secret_key, session_token), presented)


def load_or_create_secret_key(data_dir: Path) -> str:
    """The install's secret key, generated on first start and kept in the data dir (mode 0600)."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    # Written aside then hard-linked into place: when two processes start together, exactly
    # one key wins and both read it, never a half-written file.
    temporary = data_dir / f".secret_key.{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(48))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
