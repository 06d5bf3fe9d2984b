"""pending_reminders: reminders to acknowledge not yet seen (they count in the mention badge)

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pending_reminders',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
              nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                            name=op.f('fk_pending_reminders_message_id_messages'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_pending_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'message_id', name=op.f('pk_pending_reminders'))
    )
    op.create_index('ix_pending_reminders_user_id_channel_id', 'pending_reminders',
                    ['user_id', 'channel_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pending_reminders_user_id_channel_id', table_name='pending_reminders')
    op.drop_table('pending_reminders')
