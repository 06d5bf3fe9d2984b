"""requests: request types, requests, their watchers, files and timeline; dispatch models

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def _fk(table: str, column: str, referred: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{referred}.id'],
                                   name=op.f(f'fk_{table}_{column}_{referred}'),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'request_types',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('response_sla_hours', sa.Float(), nullable=False),
        sa.Column('resolution_sla_hours', sa.Float(), nullable=False),
        sa.Column('assignment', sa.String(length=16), nullable=False),
        sa.Column('warn_at_share', sa.Float(), nullable=False),
        sa.Column('escalate_after_hours', sa.Float(), nullable=False),
        sa.Column('archived', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', _WHEN, nullable=False),
        sa.Column('updated_at', _WHEN, nullable=False),
        _fk('request_types', 'department_id', 'departments', 'CASCADE'),
        _fk('request_types', 'created_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_types')),
        sa.UniqueConstraint('department_id', 'name',
                            name=op.f('uq_request_types_department_id')),
    )
    op.create_index(op.f('ix_request_types_department_id'), 'request_types',
                    ['department_id'], unique=False)
    op.create_table(
        'requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('type_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('requester_id', sa.Integer(), nullable=False),
        sa.Column('requester_department_id', sa.Integer(), nullable=True),
        sa.Column('assignee_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('status_before_wait', sa.String(length=16), nullable=True),
        sa.Column('source_message_id', sa.Integer(), nullable=True),
        sa.Column('created_at', _WHEN, nullable=False),
        sa.Column('updated_at', _WHEN, nullable=False),
        sa.Column('response_due_at', _WHEN, nullable=False),
        sa.Column('resolution_due_at', _WHEN, nullable=False),
        sa.Column('paused_at', _WHEN, nullable=True),
        sa.Column('first_response_at', _WHEN, nullable=True),
        sa.Column('resolved_at', _WHEN, nullable=True),
        sa.Column('closed_at', _WHEN, nullable=True),
        sa.Column('response_breached', sa.Boolean(), nullable=False),
        sa.Column('resolution_breached', sa.Boolean(), nullable=False),
        sa.Column('response_stage', sa.Integer(), nullable=False),
        sa.Column('resolution_stage', sa.Integer(), nullable=False),
        sa.Column('timers_generation', sa.Integer(), nullable=False),
        sa.Column('response_sla_hours', sa.Float(), nullable=False),
        sa.Column('resolution_sla_hours', sa.Float(), nullable=False),
        sa.Column('warn_at_share', sa.Float(), nullable=False),
        sa.Column('escalate_after_hours', sa.Float(), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('rating_comment', sa.Text(), nullable=True),
        _fk('requests', 'type_id', 'request_types', 'SET NULL'),
        _fk('requests', 'department_id', 'departments', 'RESTRICT'),
        _fk('requests', 'requester_id', 'users', 'RESTRICT'),
        _fk('requests', 'requester_department_id', 'departments', 'SET NULL'),
        _fk('requests', 'assignee_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_requests')),
    )
    op.create_index(op.f('ix_requests_type_id'), 'requests', ['type_id'], unique=False)
    op.create_index('ix_requests_department_id_id', 'requests', ['department_id', 'id'],
                    unique=False)
    op.create_index('ix_requests_requester_id_id', 'requests', ['requester_id', 'id'],
                    unique=False)
    op.create_index('ix_requests_assignee_id_status', 'requests', ['assignee_id', 'status'],
                    unique=False)
    op.create_table(
        'request_watchers',
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        _fk('request_watchers', 'request_id', 'requests', 'CASCADE'),
        _fk('request_watchers', 'user_id', 'users', 'CASCADE'),
        sa.PrimaryKeyConstraint('request_id', 'user_id', name=op.f('pk_request_watchers')),
    )
    op.create_index(op.f('ix_request_watchers_user_id'), 'request_watchers', ['user_id'],
                    unique=False)
    op.create_table(
        'request_files',
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        _fk('request_files', 'request_id', 'requests', 'CASCADE'),
        _fk('request_files', 'file_id', 'files', 'CASCADE'),
        sa.PrimaryKeyConstraint('request_id', 'file_id', name=op.f('pk_request_files')),
    )
    op.create_index(op.f('ix_request_files_file_id'), 'request_files', ['file_id'],
                    unique=False)
    op.create_table(
        'request_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', _WHEN, nullable=False),
        _fk('request_entries', 'request_id', 'requests', 'CASCADE'),
        _fk('request_entries', 'actor_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_entries')),
    )
    op.create_index('ix_request_entries_request_id_id', 'request_entries',
                    ['request_id', 'id'], unique=False)
    op.create_table(
        'dispatch_models',
        sa.Column('target', sa.String(length=16), nullable=False),
        sa.Column('revision', sa.String(length=32), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('examples', sa.Integer(), nullable=False),
        sa.Column('trained_at', _WHEN, nullable=False),
        sa.PrimaryKeyConstraint('target', name=op.f('pk_dispatch_models')),
    )


def downgrade() -> None:
    op.drop_table('dispatch_models')
    op.drop_index('ix_request_entries_request_id_id', table_name='request_entries')
    op.drop_table('request_entries')
    op.drop_index(op.f('ix_request_files_file_id'), table_name='request_files')
    op.drop_table('request_files')
    op.drop_index(op.f('ix_request_watchers_user_id'), table_name='request_watchers')
    op.drop_table('request_watchers')
    for index in ('ix_requests_assignee_id_status', 'ix_requests_requester_id_id',
                  'ix_requests_department_id_id'):
        op.drop_index(index, table_name='requests')
    op.drop_index(op.f('ix_requests_type_id'), table_name='requests')
    op.drop_table('requests')
    op.drop_index(op.f('ix_request_types_department_id'), table_name='request_types')
    op.drop_table('request_types')
