"""events carry a scope (kind + id) instead of a channel id

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_kind', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('scope_id', sa.Integer(), nullable=True))
    # Every event logged so far belongs to a channel, or (personal, channel-less) to none.
    op.execute("UPDATE events SET scope_kind = 'channel', scope_id = channel_id "
               "WHERE channel_id IS NOT NULL")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_channel_id_id')
        batch_op.drop_column('channel_id')
        batch_op.create_index('ix_events_scope_kind_scope_id_id',
                              ['scope_kind', 'scope_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.Integer(), nullable=True))
    op.execute("UPDATE events SET channel_id = scope_id WHERE scope_kind = 'channel'")
    # Events of other kinds had no place before scopes: they become channel-less.
    op.execute("UPDATE events SET personal = true WHERE scope_kind IS NOT NULL "
               "AND scope_kind <> 'channel'")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_scope_kind_scope_id_id')
        batch_op.drop_column('scope_id')
        batch_op.drop_column('scope_kind')
        batch_op.create_index('ix_events_channel_id_id', ['channel_id', 'id'], unique=False)
