"""search_items: the projects and tasks made before they were searchable enter the index

No schema change: each project becomes an item of kind "project" and each task one of kind
"task", both in their project's scope `project:<id>`, as the server indexes one it makes.

Revision ID: 0026
Revises: 0025
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Written by the same functions the server uses when a project or task is made, so an old
# one is found as a new one is.
from xietong.core.db import UTCDateTime
from xietong.projects.searching import project_searchable, task_searchable
from xietong.search.indexing import index_row
from xietong.search.models import DocumentType

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

_PROJECTS = sa.table(
    'projects', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
    sa.column('description', sa.Text()), sa.column('owner_id', sa.Integer()),
    sa.column('created_at', UTCDateTime()))
_TASKS = sa.table(
    'tasks', sa.column('id', sa.Integer()), sa.column('project_id', sa.Integer()),
    sa.column('title', sa.String()), sa.column('description', sa.Text()),
    sa.column('created_by', sa.Integer()), sa.column('created_at', UTCDateTime()))
_ITEMS = sa.table(
    'search_items', sa.column('kind', sa.String()), sa.column('item_id', sa.BigInteger()),
    sa.column('scope_kind', sa.String()), sa.column('scope_id', sa.BigInteger()),
    sa.column('author_id', sa.Integer()), sa.column('created_at', UTCDateTime()),
    sa.column('has_file', sa.Boolean()), sa.column('in_thread', sa.Boolean()),
    sa.column('document', DocumentType))


def upgrade() -> None:
    connection = op.get_bind()
    is_postgres = connection.dialect.name == 'postgresql'
    for kind, rows, searchable in (('project', _PROJECTS, project_searchable),
                                   ('task', _TASKS, task_searchable)):
        # None can be indexed yet; a rerun after a failure starts clean all the same.
        connection.execute(_ITEMS.delete().where(_ITEMS.c.kind == kind))
        after = 0
        while batch := connection.execute(
                sa.select(rows).where(rows.c.id > after).order_by(rows.c.id)
                .limit(BATCH)).all():
            connection.execute(_ITEMS.insert(), [
                index_row(searchable(row), is_postgres=is_postgres) for row in batch])
            after = batch[-1].id


def downgrade() -> None:
    op.execute("DELETE FROM search_items WHERE kind IN ('project', 'task')")
