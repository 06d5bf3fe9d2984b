"""Identifiers: positive integers that fit the database's 32-bit integer columns.

Bounding them at the edge turns `/users/99999999999999999999` into a 422 instead of
an integer overflow deep in PostgreSQL.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
