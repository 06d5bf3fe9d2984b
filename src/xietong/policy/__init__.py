"""Who may do what: the one place permission rules live, one module per domain.

Every rule is a small pure function of the actor and the facts the caller already
fetched, named as a question (`chat.can_manage_channel(actor, member)`), so services ask
here instead of comparing roles inline, and a rule change is one edit. Callers import a
domain's module (`from xietong.policy import chat as chat_policy`) and `require`, which
turns a refusal into `Forbidden`. Where the company chooses who may (`policy.company`:
who may create channels, post announcements, …), the setting's group is one more fact the
caller fetched (`org.company_settings.queries`) and passes in.

The package depends on `core` only, never on a domain's package: every domain asks it, so
it must sit below all of them. The facts a rule reads of a domain's rows are described
here as protocols (`chat.Conversation`), which the domain's models satisfy.
`tests/test_policy_boundary.py` refuses role comparisons anywhere else.
"""

from __future__ import annotations

from typing import Any

from xietong.core.errors import Forbidden


def require(allowed: bool, message: str = "You are not allowed to do that.", *,
            code: str | None = None, details: Any = None) -> None:
    """Raise `Forbidden` (with `code` and `details` when given) unless `allowed`."""
    if not allowed:
        raise Forbidden(message, code=code, details=details)
