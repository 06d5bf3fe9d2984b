"""Opaque keyset cursors: the client hands back what we gave it; no OFFSET anywhere."""

from __future__ import annotations

import base64
import json
from typing import Any

from xietong.core.errors import BadRequest


def encode_cursor(*key: Any) -> str:
    raw = json.dumps(list(key), ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> tuple[Any, ...]:
    """Decode a cursor whose parts have the given types, or raise a 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if (not isinstance(parts, list) or len(parts) != len(types)
                or not all(isinstance(p, t) and not isinstance(p, bool)
                           for p, t in zip(parts, types, strict=True))):
            raise ValueError
    except ValueError:
        raise BadRequest("The cursor is not one this server gave out.",
                         code="bad_cursor") from None
    return tuple(parts)
