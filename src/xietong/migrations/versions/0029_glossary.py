"""glossary_terms, glossary_names, glossary_term_owners, glossary_term_followers,
glossary_term_revisions, glossary_state

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0029'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'glossary_terms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('term', sa.String(length=64), nullable=False),
        sa.Column('english', sa.String(length=128), nullable=False),
        sa.Column('definition', sa.Text(), nullable=False),
        sa.Column('definition_html', sa.Text(), nullable=False),
        sa.Column('examples', sa.JSON(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('visibility', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('replaced_by_id', sa.Integer(), nullable=True),
        sa.Column('sort_key', sa.String(length=300), nullable=False),
        sa.Column('search_text', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        _fk('glossary_terms', 'department_id', 'departments', 'SET NULL'),
        _fk('glossary_terms', 'replaced_by_id', 'glossary_terms', 'SET NULL'),
        _fk('glossary_terms', 'created_by', 'users', 'SET NULL'),
        _fk('glossary_terms', 'updated_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_terms')),
    )
    op.create_index(op.f('ix_glossary_terms_department_id'), 'glossary_terms',
                    ['department_id'])
    op.create_index('ix_glossary_terms_sort_key_id', 'glossary_terms', ['sort_key', 'id'])
    op.create_table(
        'glossary_names',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('term_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('normalised', sa.String(length=255), nullable=False),
        sa.Column('is_alias', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        _fk('glossary_names', 'term_id', 'glossary_terms', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_names')),
        sa.UniqueConstraint('normalised', name=op.f('uq_glossary_names_normalised')),
    )
    op.create_index(op.f('ix_glossary_names_term_id'), 'glossary_names', ['term_id'])
    for table in ('glossary_term_owners', 'glossary_term_followers'):
        op.create_table(
            table,
            sa.Column('term_id', sa.Integer(), nullable=False),
            sa.Column('user_id', sa.Integer(), nullable=False),
            *((sa.Column('created_at', UTCDateTime(), nullable=False),)
              if table == 'glossary_term_followers' else ()),
            _fk(table, 'term_id', 'glossary_terms', 'CASCADE'),
            _fk(table, 'user_id', 'users', 'CASCADE'),
            sa.PrimaryKeyConstraint('term_id', 'user_id', name=op.f(f'pk_{table}')),
        )
        op.create_index(op.f(f'ix_{table}_user_id'), table, ['user_id'])
    op.create_table(
        'glossary_term_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('term_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('change', sa.String(length=16), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('glossary_term_revisions', 'term_id', 'glossary_terms', 'CASCADE'),
        _fk('glossary_term_revisions', 'actor_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_term_revisions')),
    )
    op.create_index('ix_glossary_term_revisions_term_id_id', 'glossary_term_revisions',
                    ['term_id', 'id'])
    op.create_table(
        'glossary_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_state')),
    )


def downgrade() -> None:
    op.drop_table('glossary_state')
    op.drop_index('ix_glossary_term_revisions_term_id_id', table_name='glossary_term_revisions')
    op.drop_table('glossary_term_revisions')
    for table in ('glossary_term_followers', 'glossary_term_owners'):
        op.drop_index(op.f(f'ix_{table}_user_id'), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f('ix_glossary_names_term_id'), table_name='glossary_names')
    op.drop_table('glossary_names')
    op.drop_index('ix_glossary_terms_sort_key_id', table_name='glossary_terms')
    op.drop_index(op.f('ix_glossary_terms_department_id'), table_name='glossary_terms')
    op.drop_table('glossary_terms')
