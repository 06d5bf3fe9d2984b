"""search: the index of searchable items (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from xietong.migrations.search_fts import SQLITE_FTS, SQLITE_TRIGGER_NAMES

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('search_items',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('has_file', sa.Boolean(), nullable=False),
    sa.Column('in_thread', sa.Boolean(), nullable=False),
    sa.Column('document', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_search_items_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_items')),
    sa.UniqueConstraint('kind', 'item_id', name='uq_search_items_kind_item')
    )
    with op.batch_alter_table('search_items', schema=None) as batch_op:
        batch_op.create_index('ix_search_items_author_id_id', ['author_id', 'id'], unique=False)
        batch_op.create_index('ix_search_items_channel_id_id', ['channel_id', 'id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_search_items_document', 'search_items', ['document'], unique=False, postgresql_using='gin')
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_search_items_document', table_name='search_items', postgresql_using='gin')
    else:
        for trigger in SQLITE_TRIGGER_NAMES:
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS search_fts')
    with op.batch_alter_table('search_items', schema=None) as batch_op:
        batch_op.drop_index('ix_search_items_channel_id_id')
        batch_op.drop_index('ix_search_items_author_id_id')

    op.drop_table('search_items')
