"""doc_page_comments: comments on a page, in threads (on the page or on a range of it), with
replies, mentions and resolution

Revision ID: 0030
Revises: 0029
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = 'doc_page_comments'


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{TABLE}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('mentioned_ids', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('edited_at', UTCDateTime(), nullable=True),
        sa.Column('anchor_quote', sa.Text(), nullable=True),
        sa.Column('anchor_start', sa.LargeBinary(), nullable=True),
        sa.Column('anchor_end', sa.LargeBinary(), nullable=True),
        sa.Column('resolved_at', UTCDateTime(), nullable=True),
        sa.Column('resolved_by', sa.Integer(), nullable=True),
        _fk('page_id', 'doc_pages', 'CASCADE'),
        _fk('thread_id', TABLE, 'CASCADE'),
        _fk('author_id', 'users', 'SET NULL'),
        _fk('resolved_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{TABLE}')),
    )
    op.create_index('ix_doc_page_comments_page_id_id', TABLE, ['page_id', 'id'])
    op.create_index('ix_doc_page_comments_thread_id', TABLE, ['thread_id'])


def downgrade() -> None:
    op.drop_index('ix_doc_page_comments_thread_id', table_name=TABLE)
    op.drop_index('ix_doc_page_comments_page_id_id', table_name=TABLE)
    op.drop_table(TABLE)
