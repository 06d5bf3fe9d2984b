"""announcements, announcement_targets, announcement_files, announcement_reviews,
announcement_posts, announcement_receipts, announcement_settings

Revision ID: 0035
Revises: 0034
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0035'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MessageId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'announcements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('importance', sa.String(length=16), nullable=False),
        sa.Column('weight', sa.Integer(), nullable=False),
        sa.Column('to_company', sa.Boolean(), nullable=False),
        sa.Column('cover_file_id', sa.Integer(), nullable=True),
        sa.Column('requires_ack', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('publish_at', UTCDateTime(), nullable=True),
        sa.Column('expires_at', UTCDateTime(), nullable=True),
        sa.Column('review_id', sa.Integer(), nullable=True),
        sa.Column('review_comment', sa.Text(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('published_at', UTCDateTime(), nullable=True),
        _fk('announcements', 'author_id', 'users', 'RESTRICT'),
        _fk('announcements', 'cover_file_id', 'files', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    )
    op.create_index('ix_announcements_status_weight_published_at', 'announcements',
                    ['status', 'weight', 'published_at', 'id'])
    op.create_index('ix_announcements_author_id_id', 'announcements', ['author_id', 'id'])
    op.create_table(
        'announcement_targets',
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        _fk('announcement_targets', 'announcement_id', 'announcements', 'CASCADE'),
        sa.PrimaryKeyConstraint('announcement_id', 'kind', 'target_id',
                                name=op.f('pk_announcement_targets')),
    )
    op.create_index(op.f('ix_announcement_targets_target_id'), 'announcement_targets',
                    ['target_id'])
    op.create_table(
        'announcement_files',
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        _fk('announcement_files', 'announcement_id', 'announcements', 'CASCADE'),
        _fk('announcement_files', 'file_id', 'files', 'CASCADE'),
        sa.PrimaryKeyConstraint('announcement_id', 'file_id',
                                name=op.f('pk_announcement_files')),
    )
    op.create_index(op.f('ix_announcement_files_file_id'), 'announcement_files', ['file_id'])
    op.create_table(
        'announcement_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('announcement_reviews', 'announcement_id', 'announcements', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_reviews')),
    )
    op.create_index(op.f('ix_announcement_reviews_announcement_id'), 'announcement_reviews',
                    ['announcement_id'])
    op.create_table(
        'announcement_posts',
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('message_id', MessageId, nullable=False),
        _fk('announcement_posts', 'announcement_id', 'announcements', 'CASCADE'),
        _fk('announcement_posts', 'channel_id', 'channels', 'CASCADE'),
        sa.PrimaryKeyConstraint('announcement_id', 'channel_id',
                                name=op.f('pk_announcement_posts')),
    )
    op.create_table(
        'announcement_receipts',
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=False),
        sa.Column('acknowledged_at', UTCDateTime(), nullable=True),
        _fk('announcement_receipts', 'announcement_id', 'announcements', 'CASCADE'),
        _fk('announcement_receipts', 'user_id', 'users', 'CASCADE'),
        sa.PrimaryKeyConstraint('announcement_id', 'user_id',
                                name=op.f('pk_announcement_receipts')),
    )
    op.create_index(op.f('ix_announcement_receipts_user_id'), 'announcement_receipts',
                    ['user_id'])
    op.create_table(
        'announcement_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_department_id', sa.Integer(), nullable=True),
        sa.Column('company_flow_id', sa.Integer(), nullable=True),
        sa.Column('department_flow_id', sa.Integer(), nullable=True),
        sa.Column('admin_flow_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        _fk('announcement_settings', 'review_department_id', 'departments', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_settings')),
    )


def downgrade() -> None:
    op.drop_table('announcement_settings')
    op.drop_index(op.f('ix_announcement_receipts_user_id'), table_name='announcement_receipts')
    op.drop_table('announcement_receipts')
    op.drop_table('announcement_posts')
    op.drop_index(op.f('ix_announcement_reviews_announcement_id'),
                  table_name='announcement_reviews')
    op.drop_table('announcement_reviews')
    op.drop_index(op.f('ix_announcement_files_file_id'), table_name='announcement_files')
    op.drop_table('announcement_files')
    op.drop_index(op.f('ix_announcement_targets_target_id'), table_name='announcement_targets')
    op.drop_table('announcement_targets')
    op.drop_index('ix_announcements_author_id_id', table_name='announcements')
    op.drop_index('ix_announcements_status_weight_published_at', table_name='announcements')
    op.drop_table('announcements')
