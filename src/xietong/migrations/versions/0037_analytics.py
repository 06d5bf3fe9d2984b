"""analytics_counts, analytics_pairs, analytics_hours, analytics_active, analytics_active_weeks,
analytics_channel_days, analytics_requests, analytics_mentions, analytics_tasks,
analytics_approvals, analytics_reports

Revision ID: 0037
Revises: 0036
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0037'
down_revision: str | None = '0036'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('analytics_active',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'user_id', name=op.f('pk_analytics_active'))
    )
    with op.batch_alter_table('analytics_active', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_active_department_id_day', ['department_id', 'day'], unique=False)

    op.create_table('analytics_active_weeks',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'department_id', 'user_id', name=op.f('pk_analytics_active_weeks'))
    )
    op.create_table('analytics_approvals',
    sa.Column('approval_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('requester_department_id', sa.Integer(), nullable=False),
    sa.Column('flow_id', sa.Integer(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('concluded_at', UTCDateTime(), nullable=True),
    sa.Column('duration_seconds', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('approval_id', name=op.f('pk_analytics_approvals'))
    )
    with op.batch_alter_table('analytics_approvals', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_approvals_day', ['day'], unique=False)

    op.create_table('analytics_channel_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'channel_id', 'department_id', name=op.f('pk_analytics_channel_days'))
    )
    op.create_table('analytics_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'department_id', 'metric', name=op.f('pk_analytics_counts'))
    )
    op.create_table('analytics_hours',
    sa.Column('hour', UTCDateTime(), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('hour', 'metric', name=op.f('pk_analytics_hours'))
    )
    op.create_table('analytics_mentions',
    sa.Column('message_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('from_department_id', sa.Integer(), nullable=False),
    sa.Column('to_department_id', sa.Integer(), nullable=False),
    sa.Column('mentioned_at', UTCDateTime(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('answered_at', UTCDateTime(), nullable=True),
    sa.Column('response_seconds', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('message_id', 'user_id', name=op.f('pk_analytics_mentions'))
    )
    with op.batch_alter_table('analytics_mentions', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_mentions_channel_id_user_id', ['channel_id', 'user_id'], unique=False)
        batch_op.create_index('ix_analytics_mentions_day', ['day'], unique=False)

    op.create_table('analytics_pairs',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('from_department_id', sa.Integer(), nullable=False),
    sa.Column('to_department_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'from_department_id', 'to_department_id', 'metric', name=op.f('pk_analytics_pairs'))
    )
    op.create_table('analytics_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('generated_at', UTCDateTime(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_reports'))
    )
    with op.batch_alter_table('analytics_reports', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_reports_period_department_id', ['period', 'department_id'], unique=False)

    op.create_table('analytics_requests',
    sa.Column('request_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('requester_department_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filed_at', UTCDateTime(), nullable=False),
    sa.Column('filed_day', sa.Date(), nullable=False),
    sa.Column('first_response_at', UTCDateTime(), nullable=True),
    sa.Column('response_seconds', sa.Float(), nullable=True),
    sa.Column('resolved_at', UTCDateTime(), nullable=True),
    sa.Column('resolution_seconds', sa.Float(), nullable=True),
    sa.Column('response_breached', sa.Boolean(), nullable=False),
    sa.Column('resolution_breached', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_analytics_requests'))
    )
    with op.batch_alter_table('analytics_requests', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_requests_filed_day', ['filed_day'], unique=False)

    op.create_table('analytics_tasks',
    sa.Column('task_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('created_day', sa.Date(), nullable=False),
    sa.Column('due_at', sa.Date(), nullable=True),
    sa.Column('completed_at', UTCDateTime(), nullable=True),
    sa.Column('completed_day', sa.Date(), nullable=True),
    sa.Column('cycle_seconds', sa.Float(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_analytics_tasks'))
    )
    with op.batch_alter_table('analytics_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_tasks_completed_day', ['completed_day'], unique=False)
        batch_op.create_index('ix_analytics_tasks_created_day', ['created_day'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('analytics_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_tasks_created_day')
        batch_op.drop_index('ix_analytics_tasks_completed_day')

    op.drop_table('analytics_tasks')
    with op.batch_alter_table('analytics_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_requests_filed_day')

    op.drop_table('analytics_requests')
    with op.batch_alter_table('analytics_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_reports_period_department_id')

    op.drop_table('analytics_reports')
    op.drop_table('analytics_pairs')
    with op.batch_alter_table('analytics_mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_mentions_day')
        batch_op.drop_index('ix_analytics_mentions_channel_id_user_id')

    op.drop_table('analytics_mentions')
    op.drop_table('analytics_hours')
    op.drop_table('analytics_counts')
    op.drop_table('analytics_channel_days')
    with op.batch_alter_table('analytics_approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_approvals_day')

    op.drop_table('analytics_approvals')
    op.drop_table('analytics_active_weeks')
    with op.batch_alter_table('analytics_active', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_active_department_id_day')

    op.drop_table('analytics_active')
