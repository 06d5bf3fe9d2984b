"""doc_spaces, doc_pages, doc_page_updates, doc_grants, doc_favourites, doc_page_views;
a space for every department already there

Each existing department gets its space with the default grants (the department edits,
everyone in the company reads), as a department made from now on gets one with it.

Revision ID: 0027
Revises: 0026
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from xietong.core.clock import utcnow
from xietong.core.db import UTCDateTime

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RANK = sa.String(length=64).with_variant(sa.String(length=64, collation='C'), 'postgresql')
UPDATE_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'doc_spaces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('icon', sa.String(length=32), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('archived_at', UTCDateTime(), nullable=True),
        _fk('doc_spaces', 'department_id', 'departments', 'SET NULL'),
        _fk('doc_spaces', 'owner_id', 'users', 'SET NULL'),
        _fk('doc_spaces', 'created_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_spaces')),
        sa.UniqueConstraint('department_id', name=op.f('uq_doc_spaces_department_id')),
    )
    op.create_index(op.f('ix_doc_spaces_owner_id'), 'doc_spaces', ['owner_id'])
    op.create_table(
        'doc_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('space_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('icon', sa.String(length=32), nullable=False),
        sa.Column('rank', RANK, nullable=False),
        sa.Column('classification', sa.String(length=16), nullable=False),
        sa.Column('restricted', sa.Boolean(), nullable=False),
        sa.Column('grants_from_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('markdown', sa.Text(), nullable=False),
        sa.Column('content_version', sa.Integer(), nullable=False),
        sa.Column('edited_at', UTCDateTime(), nullable=True),
        sa.Column('edited_by', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('review_every_days', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', UTCDateTime(), nullable=True),
        sa.Column('review_reminded_at', UTCDateTime(), nullable=True),
        sa.Column('review_escalated_at', UTCDateTime(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('deleted_at', UTCDateTime(), nullable=True),
        sa.Column('deleted_by', sa.Integer(), nullable=True),
        sa.Column('deleted_root_id', sa.Integer(), nullable=True),
        _fk('doc_pages', 'space_id', 'doc_spaces', 'CASCADE'),
        _fk('doc_pages', 'parent_id', 'doc_pages', 'CASCADE'),
        _fk('doc_pages', 'grants_from_id', 'doc_pages', 'SET NULL'),
        _fk('doc_pages', 'edited_by', 'users', 'SET NULL'),
        _fk('doc_pages', 'owner_id', 'users', 'SET NULL'),
        _fk('doc_pages', 'created_by', 'users', 'SET NULL'),
        _fk('doc_pages', 'deleted_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_pages')),
    )
    op.create_index('ix_doc_pages_space_id_parent_id_rank', 'doc_pages',
                    ['space_id', 'parent_id', 'rank'])
    op.create_index('ix_doc_pages_parent_id', 'doc_pages', ['parent_id'])
    op.create_index('ix_doc_pages_grants_from_id', 'doc_pages', ['grants_from_id'])
    op.create_index('ix_doc_pages_deleted_root_id', 'doc_pages', ['deleted_root_id'])
    op.create_index(op.f('ix_doc_pages_owner_id'), 'doc_pages', ['owner_id'])
    op.create_table(
        'doc_page_updates',
        sa.Column('id', UPDATE_ID, autoincrement=True, nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('update', sa.LargeBinary(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('doc_page_updates', 'page_id', 'doc_pages', 'CASCADE'),
        _fk('doc_page_updates', 'author_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_page_updates')),
    )
    op.create_index('ix_doc_page_updates_page_id_id', 'doc_page_updates', ['page_id', 'id'])
    op.create_table(
        'doc_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('space_id', sa.Integer(), nullable=True),
        sa.Column('page_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint('(space_id IS NULL) <> (page_id IS NULL)',
                           name=op.f('ck_doc_grants_one_target')),
        _fk('doc_grants', 'space_id', 'doc_spaces', 'CASCADE'),
        _fk('doc_grants', 'page_id', 'doc_pages', 'CASCADE'),
        _fk('doc_grants', 'user_id', 'users', 'CASCADE'),
        _fk('doc_grants', 'department_id', 'departments', 'CASCADE'),
        _fk('doc_grants', 'created_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_grants')),
    )
    op.create_index(op.f('ix_doc_grants_space_id'), 'doc_grants', ['space_id'])
    op.create_index(op.f('ix_doc_grants_page_id'), 'doc_grants', ['page_id'])
    op.create_index(op.f('ix_doc_grants_user_id'), 'doc_grants', ['user_id'])
    op.create_table(
        'doc_favourites',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        _fk('doc_favourites', 'user_id', 'users', 'CASCADE'),
        _fk('doc_favourites', 'page_id', 'doc_pages', 'CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'page_id', name=op.f('pk_doc_favourites')),
    )
    op.create_index(op.f('ix_doc_favourites_page_id'), 'doc_favourites', ['page_id'])
    op.create_index('ix_doc_favourites_user_id_created_at', 'doc_favourites',
                    ['user_id', 'created_at'])
    op.create_table(
        'doc_page_views',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('viewed_at', UTCDateTime(), nullable=False),
        _fk('doc_page_views', 'user_id', 'users', 'CASCADE'),
        _fk('doc_page_views', 'page_id', 'doc_pages', 'CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'page_id', name=op.f('pk_doc_page_views')),
    )
    op.create_index(op.f('ix_doc_page_views_page_id'), 'doc_page_views', ['page_id'])
    op.create_index('ix_doc_page_views_user_id_viewed_at', 'doc_page_views',
                    ['user_id', 'viewed_at'])
    _department_spaces()


_DEPARTMENTS = sa.table('departments', sa.column('id', sa.Integer()),
                        sa.column('name', sa.String()))
_SPACES = sa.table(
    'doc_spaces', sa.column('id', sa.Integer()), sa.column('kind', sa.String()),
    sa.column('department_id', sa.Integer()), sa.column('name', sa.String()),
    sa.column('description', sa.Text()), sa.column('icon', sa.String()),
    sa.column('created_at', UTCDateTime()), sa.column('updated_at', UTCDateTime()))
_GRANTS = sa.table(
    'doc_grants', sa.column('space_id', sa.Integer()), sa.column('subject', sa.String()),
    sa.column('department_id', sa.Integer()), sa.column('level', sa.String()),
    sa.column('created_at', UTCDateTime()))


def _department_spaces() -> None:
    """As `documents.spaces.do_make_department_space` makes one (`grants.default_rows`)."""
    connection = op.get_bind()
    departments = connection.execute(
        sa.select(_DEPARTMENTS.c.id, _DEPARTMENTS.c.name).order_by(_DEPARTMENTS.c.id)).all()
    if not departments:
        return
    now = utcnow()
    connection.execute(_SPACES.insert(), [
        {"kind": "department", "department_id": d.id, "name": d.name, "description": "",
         "icon": "", "created_at": now, "updated_at": now} for d in departments])
    made = connection.execute(sa.select(_SPACES.c.id, _SPACES.c.department_id)).all()
    grants = []
    for space in made:
        grants.append({"space_id": space.id, "subject": "department",
                       "department_id": space.department_id, "level": "edit",
                       "created_at": now})
        grants.append({"space_id": space.id, "subject": "everyone", "department_id": None,
                       "level": "view", "created_at": now})
    connection.execute(_GRANTS.insert(), grants)


def downgrade() -> None:
    op.execute("DELETE FROM search_items WHERE kind = 'page'")
    op.drop_index('ix_doc_page_views_user_id_viewed_at', table_name='doc_page_views')
    op.drop_index(op.f('ix_doc_page_views_page_id'), table_name='doc_page_views')
    op.drop_table('doc_page_views')
    op.drop_index('ix_doc_favourites_user_id_created_at', table_name='doc_favourites')
    op.drop_index(op.f('ix_doc_favourites_page_id'), table_name='doc_favourites')
    op.drop_table('doc_favourites')
    op.drop_index(op.f('ix_doc_grants_user_id'), table_name='doc_grants')
    op.drop_index(op.f('ix_doc_grants_page_id'), table_name='doc_grants')
    op.drop_index(op.f('ix_doc_grants_space_id'), table_name='doc_grants')
    op.drop_table('doc_grants')
    op.drop_index('ix_doc_page_updates_page_id_id', table_name='doc_page_updates')
    op.drop_table('doc_page_updates')
    op.drop_index(op.f('ix_doc_pages_owner_id'), table_name='doc_pages')
    op.drop_index('ix_doc_pages_deleted_root_id', table_name='doc_pages')
    op.drop_index('ix_doc_pages_grants_from_id', table_name='doc_pages')
    op.drop_index('ix_doc_pages_parent_id', table_name='doc_pages')
    op.drop_index('ix_doc_pages_space_id_parent_id_rank', table_name='doc_pages')
    op.drop_table('doc_pages')
    op.drop_index(op.f('ix_doc_spaces_owner_id'), table_name='doc_spaces')
    op.drop_table('doc_spaces')
