"""What the OpenAPI document must say beyond what FastAPI infers from the routes.

FastAPI lists each route's success reply and a 422 in its own `{"detail": …}` shape, which
we never send. Every error we send has one shape, `{"error": {"code", "message",
"details"}}`, and can come from layers no route declares (the JSON body limit, the
control-character check, authentication and CSRF, the domain errors `app.py` maps). So the
errors are declared here, once, for every operation, instead of on each route: a generated
client or a contract tester sees every status the server may answer with.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA_NAME = "ErrorReply"

ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs: "
                         "invalid, not_found, too_many_requests, display_name_taken …"},
                "message": {"type": "string", "description": "For people, in the "
                            "language of Accept-Language (zh-CN or English)."},
                "details": {"description": "What exactly was wrong, when there is more to "
                            "say: for `invalid`, a list of {loc, msg, type}; else null or an "
                            "object."},
            },
        },
    },
}

# Every status an operation may answer with besides its success, and why.
ERROR_STATUSES: dict[int, str] = {
    400: "Bad request: a body that is not JSON, or parameters that cannot go together.",
    401: "Not signed in, or the session or token has ended.",
    403: "Not allowed, or a cookie-authenticated write without the CSRF header.",
    404: "No such thing, or nothing the caller may see.",
    409: "Conflicts with what exists (a taken username, a non-empty department).",
    413: "The body is larger than the limit.",
    422: "Well-formed but not valid: `details` lists each problem as {loc, msg, type}.",
    429: "Too many requests; `Retry-After` says how many seconds to wait.",
    503: "A service the server depends on is briefly unavailable; retry shortly.",
}

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                                "schema": {"type": "integer", "minimum": 0}}}

# FastAPI's own shapes for its 422, which we replace with ours.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def declare_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Add the error replies to every operation of `document` (FastAPI's OpenAPI dict) and
    drop FastAPI's unused validation-error schemas. Returns the same dict."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                reply: dict[str, Any] = {"description": description,
                                         "content": {"application/json": {"schema": reference}}}
                if status == 429:
                    reply["headers"] = _RETRY_AFTER
                responses[str(status)] = reply
    # Only FastAPI's 422 replies referred to them, and those are ours now.
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    return document
