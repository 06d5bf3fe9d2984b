"""search_items: a generic scope (kind + id) instead of a channel id

Every indexed item so far is a message, whose scope is its channel: `channel:N`. The scope
token in each document changes from `__cN` to `__channel_N` in place (no re-analysis).

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from xietong.migrations.search_fts import SQLITE_TRIGGER_NAMES, SQLITE_TRIGGERS

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tokens are space-separated on SQLite and quoted lexemes in a tsvector's text on
# PostgreSQL: the replacement matches the whole token, never a prefix of another.
_SQLITE_RETAG = """UPDATE search_items SET document =
    trim(replace(' ' || document || ' ', ' {old} ', ' {new} '))"""
_POSTGRES_RETAG = """UPDATE search_items SET document = CAST(
    replace(CAST(document AS text), '''{old}''', '''{new}''') AS tsvector)"""


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _retag(old: str, new: str) -> None:
    """Rename each row's scope token (on SQLite the FTS5 triggers re-index the row);
    `old`/`new` are SQL expressions of the row."""
    template = _SQLITE_RETAG if _is_sqlite() else _POSTGRES_RETAG
    op.execute(template.format(old="' || " + old + " || '", new="' || " + new + " || '"))


def _rebuild(change: Callable[[BatchOperations], None]) -> None:
    """Alter `search_items`; SQLite rebuilds the table, dropping its FTS5 triggers, which
    are made again (the FTS5 rows follow the ids, which the copy keeps)."""
    if _is_sqlite():
        for trigger in SQLITE_TRIGGER_NAMES:
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
    with op.batch_alter_table('search_items', schema=None) as batch_op:
        change(batch_op)
    if _is_sqlite():
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table('search_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_kind', sa.String(length=16), nullable=False,
                                      server_default='channel'))
        batch_op.add_column(sa.Column('scope_id', sa.BigInteger(), nullable=True))
    op.execute("UPDATE search_items SET scope_id = channel_id")
    _retag("'__c' || channel_id", "'__channel_' || channel_id")

    def finish(batch_op: BatchOperations) -> None:
        batch_op.alter_column('scope_kind', server_default=None)
        batch_op.alter_column('scope_id', existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_index('ix_search_items_channel_id_id')
        batch_op.drop_constraint('fk_search_items_channel_id_channels', type_='foreignkey')
        batch_op.drop_column('channel_id')
        batch_op.create_index('ix_search_items_scope_id', ['scope_kind', 'scope_id', 'id'],
                              unique=False)
    _rebuild(finish)


def downgrade() -> None:
    # Only channels' items existed before scopes; others have no place in the old table.
    op.execute("DELETE FROM search_items WHERE scope_kind <> 'channel'")
    with op.batch_alter_table('search_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.Integer(), nullable=True))
    op.execute("UPDATE search_items SET channel_id = scope_id")
    _retag("'__channel_' || scope_id", "'__c' || scope_id")

    def finish(batch_op: BatchOperations) -> None:
        batch_op.drop_index('ix_search_items_scope_id')
        batch_op.drop_column('scope_id')
        batch_op.drop_column('scope_kind')
        batch_op.alter_column('channel_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_search_items_channel_id_channels', 'channels',
                                    ['channel_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_search_items_channel_id_id', ['channel_id', 'id'],
                              unique=False)
    _rebuild(finish)
