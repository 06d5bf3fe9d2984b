"""doc_library_files, doc_library_versions: the files kept in a space, and their versions

Revision ID: 0031
Revises: 0029
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'doc_library_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('space_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('sort_key', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('deleted_at', UTCDateTime(), nullable=True),
        sa.Column('deleted_by', sa.Integer(), nullable=True),
        _fk('doc_library_files', 'space_id', 'doc_spaces', 'CASCADE'),
        _fk('doc_library_files', 'file_id', 'files', 'RESTRICT'),
        _fk('doc_library_files', 'created_by', 'users', 'SET NULL'),
        _fk('doc_library_files', 'updated_by', 'users', 'SET NULL'),
        _fk('doc_library_files', 'deleted_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_library_files')),
    )
    op.create_index('ix_doc_library_files_space_id_sort_key_id', 'doc_library_files',
                    ['space_id', 'sort_key', 'id'])
    op.create_index(op.f('ix_doc_library_files_file_id'), 'doc_library_files', ['file_id'])
    op.create_table(
        'doc_library_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('library_file_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('restored_from', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('doc_library_versions', 'library_file_id', 'doc_library_files', 'CASCADE'),
        _fk('doc_library_versions', 'file_id', 'files', 'RESTRICT'),
        _fk('doc_library_versions', 'created_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_library_versions')),
        sa.UniqueConstraint('library_file_id', 'number',
                            name=op.f('uq_doc_library_versions_library_file_id')),
    )
    op.create_index(op.f('ix_doc_library_versions_file_id'), 'doc_library_versions',
                    ['file_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_doc_library_versions_file_id'), table_name='doc_library_versions')
    op.drop_table('doc_library_versions')
    op.drop_index(op.f('ix_doc_library_files_file_id'), table_name='doc_library_files')
    op.drop_index('ix_doc_library_files_space_id_sort_key_id', table_name='doc_library_files')
    op.drop_table('doc_library_files')
