"""business_calendar: working hours, time zone and the overridden dates

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No row is written: without one the calendar has its defaults (09:00-18:00, lunch
    # 12:00-13:30, the installation's time zone).
    op.create_table('business_calendar',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('work_start', sa.Integer(), nullable=False),
    sa.Column('work_end', sa.Integer(), nullable=False),
    sa.Column('lunch_start', sa.Integer(), nullable=True),
    sa.Column('lunch_end', sa.Integer(), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('revision', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('(lunch_start IS NULL AND lunch_end IS NULL) OR (work_start < lunch_start AND lunch_start < lunch_end AND lunch_end < work_end)',
                       name=op.f('ck_business_calendar_lunch_inside')),
    sa.CheckConstraint('0 <= work_start AND work_start < work_end AND work_end < 1440',
                       name=op.f('ck_business_calendar_working_day')),
    sa.CheckConstraint('id = 1', name=op.f('ck_business_calendar_one_row')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'],
                            name=op.f('fk_business_calendar_updated_by_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_calendar'))
    )
    op.create_table('business_calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'],
                            name=op.f('fk_business_calendar_days_updated_by_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_business_calendar_days'))
    )


def downgrade() -> None:
    op.drop_table('business_calendar_days')
    op.drop_table('business_calendar')
