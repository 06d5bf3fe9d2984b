"""users.setup_account: the account installing made (ensure-owner), hidden from colleagues

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases (with its default, SQLite needs no table rebuild).
    op.add_column('users', sa.Column('setup_account', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    # The account `ensure-owner` made before this column existed, if it is still as made:
    # named "admin" with the generated display name, no title, in no department.
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('username', sa.String()),
                     sa.column('display_name', sa.String()), sa.column('title', sa.String()),
                     sa.column('setup_account', sa.Boolean()))
    members = sa.table('department_members', sa.column('user_id', sa.Integer()))
    op.execute(users.update()
               .where(users.c.username == 'admin', users.c.display_name == '管理员 Admin',
                      users.c.title.is_(None),
                      users.c.id.not_in(sa.select(members.c.user_id)))
               .values(setup_account=True))

def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('setup_account')
