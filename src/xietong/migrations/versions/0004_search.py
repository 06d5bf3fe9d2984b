"""search: the index of searchable items (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The FTS5 index reads its text from search_items.document (external content); these
# triggers keep it in step. A tokenizer of ASCII word characters plus "_" splits exactly
# at the spaces between the tokens our analyser writes (every non-ASCII character is a
# token character), so both databases index the same tokens.
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        document, content='search_items', content_rowid='id',
        tokenize="ascii tokenchars '_'")""",
    """CREATE TRIGGER search_items_fts_insert AFTER INSERT ON search_items BEGIN
        INSERT INTO search_fts(rowid, document) VALUES (new.id, new.document);
    END""",
    """CREATE TRIGGER search_items_fts_delete AFTER DELETE ON search_items BEGIN
        INSERT INTO search_fts(search_fts, rowid, document)
        VALUES ('delete', old.id, old.document);
    END""",
    """CREATE TRIGGER search_items_fts_update AFTER UPDATE OF document ON search_items BEGIN
        INSERT INTO search_fts(search_fts, rowid, document)
        VALUES ('delete', old.id, old.document);
        INSERT INTO search_fts(rowid, document) VALUES (new.id, new.document);
    END""",
]


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
        for trigger in ('search_items_fts_insert', 'search_items_fts_delete', 'search_items_fts_update'):
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS search_fts')
    with op.batch_alter_table('search_items', schema=None) as batch_op:
        batch_op.drop_index('ix_search_items_channel_id_id')
        batch_op.drop_index('ix_search_items_author_id_id')

    op.drop_table('search_items')
