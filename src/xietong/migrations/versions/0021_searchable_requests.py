"""search_items: the requests filed before requests were searchable enter the index

No schema change: each request becomes an item of kind "request" in its scope
`request:<id>`, as the server indexes a request it files.

Revision ID: 0021
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Written by the same functions the server uses when a request is filed, so an old request
# is found as a new one is.
from xietong.core.db import UTCDateTime
from xietong.requests.searching import request_searchable
from xietong.search.indexing import index_row
from xietong.search.models import DocumentType

revision: str = '0021'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

_REQUESTS = sa.table(
    'requests', sa.column('id', sa.Integer()), sa.column('requester_id', sa.Integer()),
    sa.column('title', sa.String()), sa.column('description', sa.Text()),
    sa.column('values', sa.JSON()), sa.column('created_at', UTCDateTime()))
_ITEMS = sa.table(
    'search_items', sa.column('kind', sa.String()), sa.column('item_id', sa.BigInteger()),
    sa.column('scope_kind', sa.String()), sa.column('scope_id', sa.BigInteger()),
    sa.column('author_id', sa.Integer()), sa.column('created_at', UTCDateTime()),
    sa.column('has_file', sa.Boolean()), sa.column('in_thread', sa.Boolean()),
    sa.column('document', DocumentType))


def upgrade() -> None:
    connection = op.get_bind()
    is_postgres = connection.dialect.name == 'postgresql'
    # None can be indexed yet; a rerun after a failure starts clean all the same.
    connection.execute(_ITEMS.delete().where(_ITEMS.c.kind == 'request'))
    after = 0
    while batch := connection.execute(
            sa.select(_REQUESTS).where(_REQUESTS.c.id > after).order_by(_REQUESTS.c.id)
            .limit(BATCH)).all():
        connection.execute(_ITEMS.insert(), [
            index_row(request_searchable(row), is_postgres=is_postgres) for row in batch])
        after = batch[-1].id


def downgrade() -> None:
    op.execute("DELETE FROM search_items WHERE kind = 'request'")
