"""Domain errors. Domains raise these; `app.py` maps each class to an HTTP status.

Messages are English sentences for developers and logs; the error texts (the core's in
`core.i18n`, each domain's in its manifest) give the user-facing Chinese text for a code
when the client prefers zh.
"""

from __future__ import annotations

from typing import Any


class XietongError(Exception):
    """Base of every error a client may see. `code` is stable; clients branch on it."""

    code = "error"
    default_message = "Something went wrong."

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 details: Any = None) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        self.details = details
        super().__init__(self.message)


class BadRequest(XietongError):
    code = "bad_request"
    default_message = "The request could not be understood."


class Invalid(XietongError):
    """Well-formed input that breaks a rule (a name too long, a cycle in the tree)."""

    code = "invalid"
    default_message = "The request is not valid."


class Unauthorized(XietongError):
    code = "unauthorized"
    default_message = "Sign in first."


class Forbidden(XietongError):
    code = "forbidden"
    default_message = "You are not allowed to do that."


class NotFound(XietongError):
    code = "not_found"
    default_message = "Not found."


class Conflict(XietongError):
    code = "conflict"
    default_message = "That conflicts with existing data."


class PayloadTooLarge(XietongError):
    code = "payload_too_large"
    default_message = "The request body is too large."


class TooManyRequests(XietongError):
    code = "too_many_requests"
    default_message = "Too many attempts; try again later."

    def __init__(self, message: str | None = None, *, retry_after: int, code: str | None = None,
                 details: Any = None) -> None:
        super().__init__(message, code=code, details=details)
        self.retry_after = retry_after


class Unavailable(XietongError):
    """A service we depend on (Redis, say) is down; the client may retry shortly."""

    code = "unavailable"
    default_message = "A service is temporarily unavailable; try again shortly."
