"""channels: what the channel directory searches and sorts on (name, pinyin, initials)

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Written with the names as they are now, by the same functions the server uses when a
# channel is created or renamed, so a search finds old channels as it finds new ones.
from xietong.org.names import label_search_text, sort_key_for

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_TEXT_LENGTH = 1000
SORT_KEY_LENGTH = 300


def upgrade() -> None:
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=SEARCH_TEXT_LENGTH),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('sort_key', sa.String(length=SORT_KEY_LENGTH),
                                      nullable=False, server_default=''))
    # The models give the value on insert; the default only fills existing rows.
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.alter_column('search_text', server_default=None)
        batch_op.alter_column('sort_key', server_default=None)

    channels = sa.table('channels', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
                        sa.column('search_text', sa.String()), sa.column('sort_key', sa.String()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(channels.c.id, channels.c.name)
                              .where(channels.c.name != '')).all()
    for channel_id, name in rows:
        connection.execute(channels.update().where(channels.c.id == channel_id).values(
            search_text=label_search_text(name)[:SEARCH_TEXT_LENGTH],
            sort_key=sort_key_for(name)[:SORT_KEY_LENGTH]))


def downgrade() -> None:
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('sort_key')
        batch_op.drop_column('search_text')
