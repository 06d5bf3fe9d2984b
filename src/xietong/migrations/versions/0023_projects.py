"""projects, project_members, project_statuses, tasks, task_dependencies, task_entries

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'projects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('visibility', sa.String(length=16), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('archived_at', UTCDateTime(), nullable=True),
        _fk('projects', 'owner_id', 'users', 'RESTRICT'),
        _fk('projects', 'channel_id', 'channels', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    )
    op.create_table(
        'project_members',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        _fk('project_members', 'project_id', 'projects', 'CASCADE'),
        _fk('project_members', 'user_id', 'users', 'CASCADE'),
        sa.PrimaryKeyConstraint('project_id', 'user_id', name=op.f('pk_project_members')),
    )
    op.create_index(op.f('ix_project_members_user_id'), 'project_members', ['user_id'])
    op.create_table(
        'project_statuses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('wip_limit', sa.Integer(), nullable=True),
        _fk('project_statuses', 'project_id', 'projects', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_statuses')),
    )
    op.create_index('ix_project_statuses_project_id_position', 'project_statuses',
                    ['project_id', 'position'])
    op.create_table(
        'tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('description_html', sa.Text(), nullable=False),
        sa.Column('status_id', sa.Integer(), nullable=False),
        sa.Column('assignee_id', sa.Integer(), nullable=True),
        sa.Column('priority', sa.String(length=16), nullable=False),
        sa.Column('start_at', sa.Date(), nullable=True),
        sa.Column('due_at', sa.Date(), nullable=True),
        sa.Column('estimate_hours', sa.Float(), nullable=True),
        sa.Column('labels', sa.JSON(), nullable=False),
        sa.Column('rank', sa.String(length=64).with_variant(
            sa.String(length=64, collation='C'), 'postgresql'), nullable=False),
        sa.Column('source_message_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('completed_at', UTCDateTime(), nullable=True),
        _fk('tasks', 'project_id', 'projects', 'CASCADE'),
        _fk('tasks', 'parent_id', 'tasks', 'CASCADE'),
        _fk('tasks', 'status_id', 'project_statuses', 'RESTRICT'),
        _fk('tasks', 'assignee_id', 'users', 'SET NULL'),
        _fk('tasks', 'created_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    )
    op.create_index('ix_tasks_project_id_status_id_rank', 'tasks',
                    ['project_id', 'status_id', 'rank'])
    op.create_index('ix_tasks_assignee_id_due_at', 'tasks', ['assignee_id', 'due_at'])
    op.create_index('ix_tasks_parent_id', 'tasks', ['parent_id'])
    op.create_table(
        'task_dependencies',
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('depends_on_id', sa.Integer(), nullable=False),
        _fk('task_dependencies', 'task_id', 'tasks', 'CASCADE'),
        _fk('task_dependencies', 'depends_on_id', 'tasks', 'CASCADE'),
        sa.PrimaryKeyConstraint('task_id', 'depends_on_id', name=op.f('pk_task_dependencies')),
    )
    op.create_index(op.f('ix_task_dependencies_depends_on_id'), 'task_dependencies',
                    ['depends_on_id'])
    op.create_table(
        'task_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('task_entries', 'task_id', 'tasks', 'CASCADE'),
        _fk('task_entries', 'actor_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_entries')),
    )
    op.create_index('ix_task_entries_task_id_id', 'task_entries', ['task_id', 'id'])


def downgrade() -> None:
    for table in ('task_entries', 'task_dependencies', 'tasks', 'project_statuses',
                  'project_members', 'projects'):
        op.drop_table(table)
