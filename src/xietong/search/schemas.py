"""HTTP shapes of search (API.md "Files and search")."""

from __future__ import annotations

from pydantic import BaseModel, Field

from xietong.chat.schemas import MessageOut

# Long enough for any real query; a 10,000-character one is refused with a 422.
MAX_QUERY_CHARS = 1000


class SearchHit(BaseModel):
    message: MessageOut
    # Safe HTML: the text around the match, escaped, matches wrapped in <mark>.
    highlight: str


class SearchResults(BaseModel):
    items: list[SearchHit]
    total: int
    # Counting stopped at `total`: there are more.
    total_capped: bool = False
    # Parts of the query that could not be used (an unknown channel, a bad date).
    warnings: list[str] = Field(default_factory=list)
