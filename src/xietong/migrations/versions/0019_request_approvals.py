"""request_types.approval_flow_id: a type's requests go through an approval flow

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('request_types') as batch:
        batch.add_column(sa.Column('approval_flow_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_request_types_approval_flow_id_approval_flows'),
                                 'approval_flows', ['approval_flow_id'], ['id'],
                                 ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('request_types') as batch:
        batch.drop_constraint(op.f('fk_request_types_approval_flow_id_approval_flows'),
                              type_='foreignkey')
        batch.drop_column('approval_flow_id')
