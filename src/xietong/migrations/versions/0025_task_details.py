"""project_labels, task_people, task_checklist_items, task_attachments, task_comments; each
project's label set seeded from the labels its tasks carry

Revision ID: 0025
Revises: 0024
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.db import UTCDateTime

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The palette's colours in the order seeded labels take them (`LabelColor`).
_COLORS = ('blue', 'green', 'orange', 'purple', 'teal', 'red', 'yellow', 'grey')


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    labels = op.create_table(
        'project_labels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('color', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        _fk('project_labels', 'project_id', 'projects', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_labels')),
        sa.UniqueConstraint('project_id', 'name', name=op.f('uq_project_labels_project_id')),
    )
    op.create_table(
        'task_people',
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        _fk('task_people', 'task_id', 'tasks', 'CASCADE'),
        _fk('task_people', 'user_id', 'users', 'CASCADE'),
        sa.PrimaryKeyConstraint('task_id', 'user_id', 'role', name=op.f('pk_task_people')),
    )
    op.create_index(op.f('ix_task_people_user_id'), 'task_people', ['user_id'])
    op.create_table(
        'task_checklist_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        _fk('task_checklist_items', 'task_id', 'tasks', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_checklist_items')),
    )
    op.create_index('ix_task_checklist_items_task_id_position', 'task_checklist_items',
                    ['task_id', 'position'])
    op.create_table(
        'task_attachments',
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('added_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('task_attachments', 'task_id', 'tasks', 'CASCADE'),
        _fk('task_attachments', 'file_id', 'files', 'CASCADE'),
        _fk('task_attachments', 'added_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('task_id', 'file_id', name=op.f('pk_task_attachments')),
    )
    op.create_index(op.f('ix_task_attachments_file_id'), 'task_attachments', ['file_id'])
    op.create_table(
        'task_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('mentioned_ids', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('edited_at', UTCDateTime(), nullable=True),
        _fk('task_comments', 'task_id', 'tasks', 'CASCADE'),
        _fk('task_comments', 'author_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_comments')),
    )
    op.create_index('ix_task_comments_task_id_id', 'task_comments', ['task_id', 'id'])

    # Tasks' labels become their project's label set, in the order first met, so every task
    # stays valid under the new rule (a task's labels come from its project's set).
    tasks = sa.table('tasks', sa.column('id', sa.Integer()), sa.column('project_id', sa.Integer()),
                     sa.column('labels', sa.JSON()))
    seen: dict[int, list[str]] = {}
    for project_id, names in op.get_bind().execute(
            sa.select(tasks.c.project_id, tasks.c.labels).order_by(tasks.c.id)):
        for name in names or []:
            if isinstance(name, str) and name not in seen.setdefault(project_id, []):
                seen[project_id].append(name)
    rows = [{'project_id': project_id, 'name': name, 'color': _COLORS[n % len(_COLORS)],
             'position': n}
            for project_id, names in sorted(seen.items()) for n, name in enumerate(names)]
    if rows:
        op.bulk_insert(labels, rows)


def downgrade() -> None:
    for table in ('task_comments', 'task_attachments', 'task_checklist_items', 'task_people',
                  'project_labels'):
        op.drop_table(table)
