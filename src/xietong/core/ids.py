"""Identifiers: positive integers that fit the database's 32-bit integer columns.

Bounding them at the edge turns `/users/99999999999999999999` into a 422 instead of
an integer overflow deep in PostgreSQL.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool

MAX_ID = 2**31 - 1

# An id in a JSON body must be a JSON integer: lax parsing would read `true` as id 1, and
# "7" or 7.0 as 7, so a client's mistake would quietly land on a real row. (Ids in a path
# or query string arrive as text and are parsed from digits: `edge.IdPath`, `Query(ge, le)`.)
Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]

# A yes/no in a JSON body must be a JSON boolean, not "false" (which lax parsing reads as
# False, but "no" as well, and 0 and 1).
Flag = StrictBool
