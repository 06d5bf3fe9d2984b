"""company_settings: the settings an administrator chose (who may create channels, …)

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No row is written: without one every setting has its default (today's rules).
    op.create_table('company_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('overrides', sa.JSON(), nullable=False),
    sa.Column('revision', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_company_settings_one_row')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'],
                            name=op.f('fk_company_settings_updated_by_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_settings'))
    )


def downgrade() -> None:
    op.drop_table('company_settings')
