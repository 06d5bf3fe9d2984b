"""suggestions, kudos, showcase_cases (员工之声)

Revision ID: 0034
Revises: 0033
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0034'
down_revision: str | None = '0033'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'suggestions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('from_department_id', sa.Integer(), nullable=True),
        sa.Column('submitted_on', sa.Date(), nullable=False),
        sa.Column('receipt_digest', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.Column('answered_at', UTCDateTime(), nullable=True),
        _fk('suggestions', 'department_id', 'departments', 'CASCADE'),
        _fk('suggestions', 'from_department_id', 'departments', 'SET NULL'),
        _fk('suggestions', 'answered_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestions')),
        sa.UniqueConstraint('receipt_digest', name=op.f('uq_suggestions_receipt_digest')),
    )
    op.create_index('ix_suggestions_department_id_id', 'suggestions', ['department_id', 'id'])
    op.create_index(op.f('ix_suggestions_from_department_id'), 'suggestions',
                    ['from_department_id'])
    op.create_table(
        'kudos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('giver_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('value', sa.String(length=32), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('kudos', 'giver_id', 'users', 'CASCADE'),
        _fk('kudos', 'recipient_id', 'users', 'CASCADE'),
        _fk('kudos', 'department_id', 'departments', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kudos')),
    )
    for column in ('giver_id', 'recipient_id', 'department_id', 'created_at'):
        op.create_index(op.f(f'ix_kudos_{column}'), 'kudos', [column])
    op.create_table(
        'showcase_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=True),
        sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  nullable=True),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('promoted_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('showcase_cases', 'page_id', 'doc_pages', 'CASCADE'),
        _fk('showcase_cases', 'message_id', 'messages', 'CASCADE'),
        _fk('showcase_cases', 'promoted_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_showcase_cases')),
        sa.UniqueConstraint('page_id', name=op.f('uq_showcase_cases_page_id')),
        sa.UniqueConstraint('message_id', name=op.f('uq_showcase_cases_message_id')),
    )


def downgrade() -> None:
    op.drop_table('showcase_cases')
    for column in ('created_at', 'department_id', 'recipient_id', 'giver_id'):
        op.drop_index(op.f(f'ix_kudos_{column}'), table_name='kudos')
    op.drop_table('kudos')
    op.drop_index(op.f('ix_suggestions_from_department_id'), table_name='suggestions')
    op.drop_index('ix_suggestions_department_id_id', table_name='suggestions')
    op.drop_table('suggestions')
