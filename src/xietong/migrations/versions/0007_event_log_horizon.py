"""event_log_horizon: how far the pruning job has deleted the event log; recipients by event

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('event_log_horizon',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('pruned_through', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
              nullable=False),
    sa.Column('pruned_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_log_horizon'))
    )
    with op.batch_alter_table('event_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_event_recipients_event_id', ['event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_event_recipients_event_id')
    op.drop_table('event_log_horizon')
