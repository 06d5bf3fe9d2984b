"""What every request body shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A request body: a field it does not know is refused (422), so a misspelt field is
    an error the client sees rather than a change silently not made."""

    model_config = ConfigDict(extra="forbid")
