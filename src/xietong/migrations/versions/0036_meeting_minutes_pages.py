"""meetings.minutes_page_id: a meeting's minutes as a documents page

Revision ID: 0036
Revises: 0035
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0036'
down_revision: str | None = '0035'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('minutes_page_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_meetings_minutes_page_id_doc_pages'), 'doc_pages',
                                 ['minutes_page_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('meetings') as batch:
        batch.drop_constraint(op.f('fk_meetings_minutes_page_id_doc_pages'),
                              type_='foreignkey')
        batch.drop_column('minutes_page_id')
