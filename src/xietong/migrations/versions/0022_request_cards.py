"""System accounts and message cards: requests post their progress as cards

users.bot marks an account that is not a person (the "协同助手" that posts cards: it never
signs in and no directory lists it); messages.card holds a card's data beside the message's
plain-text fallback; request_queue_channels remembers each receiving department's queue
channel, where its requests' cards appear.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('bot', sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('card', sa.JSON(), nullable=True))
    op.create_table(
        'request_queue_channels',
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_request_queue_channels_department_id_departments'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id'],
                                name=op.f('fk_request_queue_channels_channel_id_channels'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('department_id', name=op.f('pk_request_queue_channels')),
    )


def downgrade() -> None:
    op.drop_table('request_queue_channels')
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('card')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('bot')
