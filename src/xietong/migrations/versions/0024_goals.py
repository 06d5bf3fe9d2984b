"""objectives, key_results, key_result_tasks, key_result_projects, check_ins

Revision ID: 0024
Revises: 0023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'objectives',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('visibility', sa.String(length=16), nullable=False),
        sa.Column('weight', sa.Float(), nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('archived_at', UTCDateTime(), nullable=True),
        _fk('objectives', 'owner_id', 'users', 'RESTRICT'),
        _fk('objectives', 'department_id', 'departments', 'SET NULL'),
        _fk('objectives', 'parent_id', 'objectives', 'SET NULL'),
        _fk('objectives', 'created_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_objectives')),
    )
    op.create_index(op.f('ix_objectives_owner_id'), 'objectives', ['owner_id'])
    op.create_index('ix_objectives_period_parent_id', 'objectives', ['period', 'parent_id'])
    op.create_table(
        'key_results',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('objective_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('start_value', sa.Float(), nullable=False),
        sa.Column('target_value', sa.Float(), nullable=False),
        sa.Column('current_value', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('weight', sa.Float(), nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('confidence', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('checked_in_at', UTCDateTime(), nullable=True),
        sa.Column('reminded_on', sa.Date(), nullable=True),
        _fk('key_results', 'objective_id', 'objectives', 'CASCADE'),
        _fk('key_results', 'owner_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_results')),
    )
    op.create_index('ix_key_results_objective_id_position', 'key_results',
                    ['objective_id', 'position'])
    op.create_table(
        'key_result_tasks',
        sa.Column('key_result_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        _fk('key_result_tasks', 'key_result_id', 'key_results', 'CASCADE'),
        _fk('key_result_tasks', 'task_id', 'tasks', 'CASCADE'),
        sa.PrimaryKeyConstraint('key_result_id', 'task_id', name=op.f('pk_key_result_tasks')),
    )
    op.create_index(op.f('ix_key_result_tasks_task_id'), 'key_result_tasks', ['task_id'])
    op.create_table(
        'key_result_projects',
        sa.Column('key_result_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        _fk('key_result_projects', 'key_result_id', 'key_results', 'CASCADE'),
        _fk('key_result_projects', 'project_id', 'projects', 'CASCADE'),
        sa.PrimaryKeyConstraint('key_result_id', 'project_id',
                                name=op.f('pk_key_result_projects')),
    )
    op.create_index(op.f('ix_key_result_projects_project_id'), 'key_result_projects',
                    ['project_id'])
    op.create_table(
        'check_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key_result_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('confidence', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('check_ins', 'key_result_id', 'key_results', 'CASCADE'),
        _fk('check_ins', 'author_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    )
    op.create_index('ix_check_ins_key_result_id_id', 'check_ins', ['key_result_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_check_ins_key_result_id_id', table_name='check_ins')
    op.drop_table('check_ins')
    op.drop_index(op.f('ix_key_result_projects_project_id'), table_name='key_result_projects')
    op.drop_table('key_result_projects')
    op.drop_index(op.f('ix_key_result_tasks_task_id'), table_name='key_result_tasks')
    op.drop_table('key_result_tasks')
    op.drop_index('ix_key_results_objective_id_position', table_name='key_results')
    op.drop_table('key_results')
    op.drop_index('ix_objectives_period_parent_id', table_name='objectives')
    op.drop_index(op.f('ix_objectives_owner_id'), table_name='objectives')
    op.drop_table('objectives')
