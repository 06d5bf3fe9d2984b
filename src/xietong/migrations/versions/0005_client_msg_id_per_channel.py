"""messages: a client's retry key (client_msg_id) is unique per sender *and channel*

Before, one key was unique per sender across all channels, so re-using it in another
channel answered with the first channel's message and dropped the new one.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On SQLite this rebuilds the table (xietong.migrate turns foreign keys off for it).
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_messages_sender_client_msg', type_='unique')
        batch_op.create_unique_constraint('uq_messages_sender_channel_client_msg',
                                          ['sender_id', 'channel_id', 'client_msg_id'])


def downgrade() -> None:
    # Fails if one sender has since used one key in two channels: the old rule cannot hold.
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_messages_sender_channel_client_msg', type_='unique')
        batch_op.create_unique_constraint('uq_messages_sender_client_msg',
                                          ['sender_id', 'client_msg_id'])
