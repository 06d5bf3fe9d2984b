"""doc_page_versions: a page's document as it stood at a moment (taken while people edit,
saved under a name, or made by restoring an older one)

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'doc_page_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=True),
        sa.Column('state', sa.LargeBinary(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('markdown', sa.Text(), nullable=False),
        sa.Column('editor_ids', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['page_id'], ['doc_pages.id'],
                                name=op.f('fk_doc_page_versions_page_id_doc_pages'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_doc_page_versions_created_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_page_versions')),
    )
    op.create_index('ix_doc_page_versions_page_id_id', 'doc_page_versions', ['page_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_doc_page_versions_page_id_id', table_name='doc_page_versions')
    op.drop_table('doc_page_versions')
